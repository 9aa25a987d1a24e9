//! Logging: the `log` crate's records on stderr, a line each, as they are
//! written. Takes the level from the command line (`--debug`, `-v`) or, in a
//! worker process, from its supervisor ([`ENV`]); hands on nothing. The
//! debug log states why each page is read in full, triage's verdicts and
//! the CPU seconds of every step (`scripts/bench` and `scripts/triage` read
//! it).

use log::{LevelFilter, Log, Metadata, Record};

/// The variable a supervisor passes its level to its workers in.
pub const ENV: &str = "CERTSCAN_LOG";

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= log::max_level()
    }

    fn log(&self, r: &Record) {
        if self.enabled(r.metadata()) {
            eprintln!("{}", r.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;

/// Sends records up to `level` to stderr.
pub fn init(level: LevelFilter) {
    // A second call (tests) keeps the first logger and sets the level.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}

/// The level a worker was started with ([`ENV`]); off when unset.
pub fn level_from_env() -> LevelFilter {
    std::env::var(ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(LevelFilter::Off)
}

/// The value of [`ENV`] that gives a worker this process's level.
pub fn level_for_workers() -> String {
    log::max_level().to_string().to_lowercase()
}
