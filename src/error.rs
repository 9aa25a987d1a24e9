//! Errors as values: every failed document becomes a record with one of these codes.

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
