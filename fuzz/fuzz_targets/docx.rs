//! The .docx reader (certscan::fuzzing::docx).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::docx(data);
});
