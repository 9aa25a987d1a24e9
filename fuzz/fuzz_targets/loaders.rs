//! The CSV/TOML loaders (certscan::fuzzing::loaders).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::loaders(data);
});
