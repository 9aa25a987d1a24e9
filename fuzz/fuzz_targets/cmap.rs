//! The CMap parser (certscan::fuzzing::cmap).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::cmap(data);
});
