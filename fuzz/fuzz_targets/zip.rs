//! The ZIP reader (certscan::fuzzing::zip).
#![no_main]
use libfuzzer_sys::fuzz_target;

static TMP: std::sync::LazyLock<std::path::PathBuf> = std::sync::LazyLock::new(|| {
    std::env::var_os("CERTSCAN_FUZZ_TMP")
        .unwrap_or_else(|| "/tmp".into())
        .into()
});

fuzz_target!(|data: &[u8]| {
    certscan::fuzzing::zip(data, &TMP);
});
