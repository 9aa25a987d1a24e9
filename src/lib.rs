//! certscan: read certificates, extract their fields, validate them, write JSONL.
//!
//! The pipeline is a line of stages with typed hand-offs, one module each:
//! [`discover`] inputs → [`load`] pages → [`ocr`] → [`extract`] fields →
//! [`normalize`] → [`validate`] → [`output`].

pub mod classify;
pub mod clock;
pub mod discover;
pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod labels;
pub mod load;
pub mod logging;
pub mod manifest;
pub mod memory;
pub mod model;
pub mod normalize;
pub mod ocr;
pub mod output;
pub mod paddle;
pub mod page;
pub mod pipeline;
pub mod registry;
pub mod repair;
pub mod report;
pub mod reread;
pub mod rules;
pub mod run;
pub mod texts;
pub mod triage;
pub mod validate;
pub mod worker;
