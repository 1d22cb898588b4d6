#![no_main]
//! JSON blueprints through parse, lower, validate, plan, render, format and parse-back.
#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::blueprint("fuzz.json", data));
