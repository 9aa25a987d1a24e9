//! The PDF parser and the text-layer extractor, and a page's image checks
//! (certscan::fuzzing::pdf_text).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::pdf_text(data);
});
