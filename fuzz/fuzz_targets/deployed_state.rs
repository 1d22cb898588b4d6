#![no_main]
//! `terraform show -json` of a state, read whole and streamed, judged by `drift` and
//! `propagation` against the reference blueprint.
#[path = "common.rs"]
mod common;

use agentform::deployed::{self, drift, propagation, tgw};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let reference = common::reference();
    // The streamed readers take bytes, as the CLI hands them a file.
    if let Ok(report) = drift::check_state(&reference.expected, data) {
        let _ = report.human();
    }
    if let Ok(observed) = tgw::from_state_stream(data) {
        let _ = propagation::check(&reference.valid, &observed, true).human();
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(state) = deployed::read_state(text) {
        if let Ok(report) = drift::check(&reference.expected, &state) {
            let _ = report.human();
        }
        if let Ok(observed) = tgw::from_state(&state) {
            let _ = propagation::check(&reference.valid, &observed, true).human();
        }
    }
});
