//! certscan: read certificates, extract their fields, validate them, write JSONL.
//!
//! The pipeline is a line of stages with typed hand-offs, one module each:
//!
//! ```text
//! discover  paths          -> InputRef        (inputs, each named as reported)
//! load      bytes          -> LoadedPage      (text layer, or an image)
//! ocr       image          -> PageText        (Tesseract or PP-OCR; triage first)
//! classify  PageText       -> PageKind        (pages grouped into certificates)
//! extract   [PageText]     -> Certificate     (fields with their evidence)
//! validate  Certificate    -> Validation      (findings, verdict; rule by rule)
//! output    [Record]       -> JSONL lines     (resume, run-level duplicates)
//! ```
//!
//! [`pipeline`] takes one document through them inside a worker process;
//! [`run`] sits above: the scan, the worker processes and their
//! supervision, stops, shards and their merge, progress. [`report`] turns a
//! results file into the screener's answer. Shared leaves, importing no
//! stage: [`text`] (script, width, dates, codes, OCR patterns), [`pixels`]
//! (resize, turn, channels), [`digest`], [`page`] (the page-text hand-off),
//! [`model`] (the output schema), [`error`]. Domain knowledge is data in
//! `models/`, loaded by [`labels`], [`rules`], [`registry`], [`texts`] and
//! [`triage`]'s title words.

pub mod classify;
pub mod clock;
pub mod digest;
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
pub mod ocr;
pub mod output;
pub mod page;
pub mod pipeline;
pub mod pixels;
pub mod registry;
pub mod repair;
pub mod report;
pub mod reread;
pub mod rules;
pub mod run;
pub mod text;
pub mod texts;
pub mod triage;
pub mod validate;
