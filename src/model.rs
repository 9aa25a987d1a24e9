//! The output schema: one [`Record`] per JSONL line (SPEC §3). Every key is
//! always present; absent values are `null`. `certscan schema` prints the JSON
//! Schema generated from these types.

use crate::error::DocError;
use crate::page::TextSource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

/// What a line says about its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Certificate,
    NotCertificate,
    Error,
}

/// One JSONL line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    pub schema_version: u32,
    /// The path as given; archive members as "pkg.zip!member/path".
    pub input: String,
    /// SHA-256 of the input's bytes (null when they could not be read).
    pub sha256: Option<String>,
    /// 1-based page numbers the certificate was read from.
    pub pages: Vec<u32>,
    pub status: Status,
    pub error: Option<DocError>,
    pub text_source: Option<TextSource>,
    /// Mean word confidence 0-100 of the text used (null for a text layer).
    pub ocr_confidence: Option<f32>,
    pub certificate: Option<Certificate>,
    /// Per field: where it was read and how sure the reading is.
    pub evidence: BTreeMap<String, Evidence>,
    pub validation: Option<Validation>,
    /// The size of each page in `pages` in the units of its evidence boxes.
    #[serde(default)]
    pub page_sizes: Vec<PageSize>,
    /// What produced the line: certscan's version, the engine, the as-of date
    /// and the rulebook and registry used (null in lines of older versions).
    #[serde(default)]
    pub run: Option<RunStamp>,
}

/// A page's size in the units of the evidence boxes (pixels, origin top left).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PageSize {
    pub page: u32,
    pub width: u32,
    pub height: u32,
    /// Always "px".
    pub unit: String,
    /// Pixels per inch of the box frame: 300 for a text layer (PDF points ×
    /// 300/72); null for an image, whose own pixels are the frame.
    pub dpi: Option<u32>,
    /// Degrees the page as stored was turned clockwise into the frame of the
    /// boxes (a scan lying on its side: 90 or 270).
    pub rotated: u32,
}

/// What produced a line, so that a verdict can be reproduced later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunStamp {
    /// certscan's version.
    pub certscan: String,
    /// The OCR engine used for full readings ("paddle", "tesseract", "hybrid").
    pub engine: String,
    /// The date time-dependent rules were evaluated at.
    pub as_of: String,
    /// Where the rulebook came from ("bundled" or the path given) and the
    /// SHA-256 of its text.
    pub rulebook: String,
    pub rulebook_sha256: String,
    /// Where the registry came from ("bundled" or the path given) and the
    /// SHA-256 of its text.
    pub registry: String,
    pub registry_sha256: String,
    /// SHA-256 of the manifest or bidders file, when one was given.
    pub manifest_sha256: Option<String>,
}

impl Record {
    /// A line for an input that could not be read.
    pub fn error(input: &str, sha256: Option<String>, err: DocError) -> Record {
        Record {
            schema_version: SCHEMA_VERSION,
            input: input.to_string(),
            sha256,
            pages: vec![],
            status: Status::Error,
            error: Some(err),
            text_source: None,
            ocr_confidence: None,
            certificate: None,
            evidence: BTreeMap::new(),
            validation: None,
            page_sizes: vec![],
            run: None,
        }
    }
}

/// The certificate's fields, normalised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Certificate {
    /// e.g. "ISO/IEC 20000-1:2018", "ISO/IEC 27001:2022".
    pub standard: Option<String>,
    /// In simplified Chinese, e.g. ["组织环境","服务组合管理"].
    pub supplementary_modules: Vec<String>,
    /// Uppercase ASCII, no spaces.
    pub certificate_number: Option<String>,
    /// The body-code prefix as the profile defines it.
    pub body_code: Option<String>,
    /// As printed, inner spaces between CJK characters removed.
    pub organization_name: Option<String>,
    pub organization_name_en: Option<String>,
    pub unified_social_credit_code: Option<String>,
    pub address: Option<String>,
    pub scope: Option<String>,
    /// Recognised processes, simplified Chinese names.
    pub scope_processes: Vec<String>,
    pub certification_body: CertificationBody,
    pub cnas: Cnas,
    pub iaf_mark: bool,
    pub auditor: Option<Auditor>,
    pub initial_issue_date: Option<String>,
    pub decision_date: Option<String>,
    pub issue_date: Option<String>,
    pub expiry_date: Option<String>,
    pub surveillance_section: bool,
    /// The printed clause that the certificate is valid only with yearly
    /// surveillance (real-practice certificates print this instead of a section).
    pub surveillance_clause: bool,
    pub surveillance_audits: Vec<String>,
    pub transition_notice: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CertificationBody {
    pub name: Option<String>,
    pub cnca_approval_number: Option<String>,
    /// The body's English name where known (models/bodies.csv), beside the
    /// name as printed or as registered.
    #[serde(default)]
    pub name_en: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cnas {
    pub mark: bool,
    /// e.g. "CNAS C123-M".
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Auditor {
    pub name: Option<String>,
    pub qualification_number: Option<String>,
}

/// Where a field was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    pub page: u32,
    /// [x, y, w, h] in page pixels.
    pub bbox: [u32; 4],
    /// 0-100.
    pub confidence: f32,
}

/// Severity of a finding, in increasing order of gravity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Valid,
    Limited,
    NeedsReview,
    Invalid,
    SuspectedForgery,
}

impl Severity {
    /// Every severity, mildest first.
    pub const ALL: [Severity; 5] = [
        Severity::Valid,
        Severity::Limited,
        Severity::NeedsReview,
        Severity::Invalid,
        Severity::SuspectedForgery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Valid => "valid",
            Severity::Limited => "limited",
            Severity::NeedsReview => "needs_review",
            Severity::Invalid => "invalid",
            Severity::SuspectedForgery => "suspected_forgery",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The message in Chinese (models/texts.toml).
    #[serde(default)]
    pub message_zh: String,
    /// The fields the finding rests on, as named in `evidence`
    /// ("expiry_date", "certification_body.name"): where to look on the page.
    #[serde(default)]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Validation {
    /// The worst severity found ("valid" when there is no finding).
    pub verdict: Severity,
    /// The verdict in a screener's Chinese: 有效 / 有限适用 / 需人工复核 / 无效 / 疑似伪造.
    #[serde(default)]
    pub verdict_zh: String,
    /// The name of the rulebook profile that judged the certificate.
    #[serde(default)]
    pub profile: Option<String>,
    pub findings: Vec<Finding>,
}

/// JSON Schema of one line.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Record)).expect("schema serialises")
}
