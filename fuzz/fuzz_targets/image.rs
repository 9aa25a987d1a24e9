//! The image readers behind the limits (certscan::fuzzing::image).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::image(data);
});
