//! Errors as values: every failed document becomes a record with one of
//! these codes ([`DocError`]); a data file certscan cannot use (a rulebook,
//! a registry, a manifest) is refused at start with a [`ConfigError`] naming
//! the file, the place and the reason.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Machine-readable reason a document could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The file has no bytes.
    Empty,
    /// The file ends before its format says it should.
    Truncated,
    /// The bytes are damaged or do not follow the format.
    Corrupt,
    /// The PDF needs a password to open.
    Encrypted,
    /// The bytes are not a format certscan reads.
    UnsupportedFormat,
    /// The declared size is beyond the limits (decompression bomb).
    TooLarge,
    /// The document ran past its time limit.
    Timeout,
    /// The reader crashed on this document (panic or abnormal exit).
    Crashed,
    /// The file could not be read from disk or archive.
    Io,
    /// The OCR engine failed.
    Ocr,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Empty => "empty",
            ErrorCode::Truncated => "truncated",
            ErrorCode::Corrupt => "corrupt",
            ErrorCode::Encrypted => "encrypted",
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Crashed => "crashed",
            ErrorCode::Io => "io",
            ErrorCode::Ocr => "ocr",
        }
    }
}

/// A document-level failure: a code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DocError {
    pub code: ErrorCode,
    pub message: String,
}

impl DocError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        DocError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for DocError {}

/// A data file certscan cannot use — a rulebook (`--rules`), a registry
/// (`--registry`), a manifest or bidders file — refused at start: which
/// file, where in it and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// A place in the file is wrong (line and, where known, column; from 1).
    #[error("{origin}: line {line}{}: {reason}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
    At {
        origin: String,
        line: usize,
        column: Option<usize>,
        reason: String,
    },
    /// The file as a whole is wrong.
    #[error("{origin}: {reason}")]
    Invalid { origin: String, reason: String },
}

impl ConfigError {
    /// The error of a file that cannot be read.
    pub fn unreadable(path: &std::path::Path, e: impl fmt::Display) -> ConfigError {
        ConfigError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }

    /// The error at a line of a file (no column).
    pub fn at_line(origin: &str, line: usize, reason: impl Into<String>) -> ConfigError {
        ConfigError::At {
            origin: origin.to_string(),
            line,
            column: None,
            reason: reason.into(),
        }
    }

    /// The error of a file as a whole.
    pub fn invalid(origin: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            origin: origin.to_string(),
            reason: reason.into(),
        }
    }
}
