#![no_main]
//! The `--aws DIR` layout of AWS CLI responses, held in memory: the input is cut at 0xFF bytes into
//! the attachments, the route tables, and the three files every listed table reads (associations,
//! propagations, routes), then the optional VPC route tables. Judged by `propagation` against the
//! reference blueprint.
#[path = "common.rs"]
mod common;

use agentform::deployed::aws::{self, Layout};
use agentform::deployed::propagation;

struct Memory<'a>(Vec<&'a [u8]>);

impl Layout for Memory<'_> {
    fn file(&mut self, relative: &str) -> anyhow::Result<Option<String>> {
        let index = match relative {
            "transit-gateway-attachments.json" => 0,
            "transit-gateway-route-tables.json" => 1,
            "vpc-route-tables.json" => 5,
            r if r.ends_with("/associations.json") => 2,
            r if r.ends_with("/propagations.json") => 3,
            r if r.ends_with("/routes.json") => 4,
            _ => return Ok(None),
        };
        let Some(bytes) = self.0.get(index) else {
            return Ok(None);
        };
        Ok(Some(String::from_utf8(bytes.to_vec())?))
    }

    fn display(&self, relative: &str) -> String {
        relative.to_string()
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let reference = common::reference();
    let mut layout = Memory(data.split(|&b| b == 0xFF).collect());
    if let Ok(observed) = aws::read_layout(&mut layout) {
        let _ = propagation::check(&reference.valid, &observed, false).human();
    }
});
