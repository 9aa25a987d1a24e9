//! The font code (certscan::fuzzing::font).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::font(data);
});
