#![no_main]
//! `terraform show -json` of a saved plan (prior state and resource drift), judged by `drift` and
//! `propagation` against the reference blueprint.
#[path = "common.rs"]
mod common;

use agentform::deployed::{self, drift, propagation, tgw};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reference = common::reference();
    if let Ok(plan) = deployed::read_plan(text) {
        if let Ok(report) = drift::check(&reference.expected, &plan) {
            let _ = report.human();
        }
        if let Ok(observed) = tgw::from_state(&plan) {
            let _ = propagation::check(&reference.valid, &observed, true).human();
        }
    }
});
