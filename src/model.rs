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

/// A validation rule (SPEC §4), written in the output as its code
/// (`"EXPIRED"`); the rulebook's severities are keyed by these codes, and a
/// code the enum does not know is refused when the rulebook is loaded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum RuleCode {
    /// the expiry date is more than the maximum validity after the decision date (or the issue date if no decision date)
    #[serde(rename = "VALIDITY_OVER_3_YEARS")]
    ValidityOver3Years,
    /// no annual surveillance record section is printed
    #[serde(rename = "NO_SURVEILLANCE_SECTION")]
    NoSurveillanceSection,
    /// a registry is in use and the certification body (by approval number, name or the number's body code) is not in it
    #[serde(rename = "BODY_NOT_REGISTERED")]
    BodyNotRegistered,
    /// the number's body code differs from the registered code of the body found by approval number or name
    #[serde(rename = "BODY_CODE_MISMATCH")]
    BodyCodeMismatch,
    /// the same certificate number appears in this run for a different organisation
    #[serde(rename = "DUPLICATE_CERTIFICATE_NUMBER")]
    DuplicateCertificateNumber,
    /// the scope names no concrete process (e.g. only "IT服务" / "IT services")
    #[serde(rename = "SCOPE_VAGUE")]
    ScopeVague,
    /// the expiry date is before the as-of date
    #[serde(rename = "EXPIRED")]
    Expired,
    /// the certificate is to an old version of the standard whose transition period has ended
    #[serde(rename = "STANDARD_TRANSITION_EXPIRED")]
    StandardTransitionExpired,
    /// the registry lists the certification body as suspended or withdrawn
    #[serde(rename = "BODY_WITHDRAWN")]
    BodyWithdrawn,
    /// the manifest (or business licence) names another organisation for this input
    #[serde(rename = "ORGANIZATION_MISMATCH")]
    OrganizationMismatch,
    /// a required element could not be read (one finding per field, the field named)
    #[serde(rename = "MISSING_FIELD")]
    MissingField,
    /// the certificate number does not fit the profile's pattern
    #[serde(rename = "CERTIFICATE_NUMBER_FORMAT")]
    CertificateNumberFormat,
    /// the unified social credit code fails its check character (GB 32100-2015)
    #[serde(rename = "USCC_CHECKSUM")]
    UsccChecksum,
    /// the certificate is older than the surveillance interval and no surveillance audit is recorded within it before the as-of date (it may be suspended)
    #[serde(rename = "SURVEILLANCE_OVERDUE")]
    SurveillanceOverdue,
    /// a field a rule depends on was read by OCR with low confidence
    #[serde(rename = "LOW_CONFIDENCE")]
    LowConfidence,
    /// a 2025 supplementary module is not listed: not applicable to hybrid-cloud or smart-city projects
    #[serde(rename = "SUPPLEMENTARY_MODULES_MISSING")]
    SupplementaryModulesMissing,
}

impl RuleCode {
    /// Every code, in the order of SPEC §4 (the order of `certscan rules`).
    pub const ALL: [RuleCode; 16] = [
        RuleCode::ValidityOver3Years,
        RuleCode::NoSurveillanceSection,
        RuleCode::BodyNotRegistered,
        RuleCode::BodyCodeMismatch,
        RuleCode::DuplicateCertificateNumber,
        RuleCode::ScopeVague,
        RuleCode::Expired,
        RuleCode::StandardTransitionExpired,
        RuleCode::BodyWithdrawn,
        RuleCode::OrganizationMismatch,
        RuleCode::MissingField,
        RuleCode::CertificateNumberFormat,
        RuleCode::UsccChecksum,
        RuleCode::SurveillanceOverdue,
        RuleCode::LowConfidence,
        RuleCode::SupplementaryModulesMissing,
    ];

    /// The code as written in the output and the rulebook.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleCode::ValidityOver3Years => "VALIDITY_OVER_3_YEARS",
            RuleCode::NoSurveillanceSection => "NO_SURVEILLANCE_SECTION",
            RuleCode::BodyNotRegistered => "BODY_NOT_REGISTERED",
            RuleCode::BodyCodeMismatch => "BODY_CODE_MISMATCH",
            RuleCode::DuplicateCertificateNumber => "DUPLICATE_CERTIFICATE_NUMBER",
            RuleCode::ScopeVague => "SCOPE_VAGUE",
            RuleCode::Expired => "EXPIRED",
            RuleCode::StandardTransitionExpired => "STANDARD_TRANSITION_EXPIRED",
            RuleCode::BodyWithdrawn => "BODY_WITHDRAWN",
            RuleCode::OrganizationMismatch => "ORGANIZATION_MISMATCH",
            RuleCode::MissingField => "MISSING_FIELD",
            RuleCode::CertificateNumberFormat => "CERTIFICATE_NUMBER_FORMAT",
            RuleCode::UsccChecksum => "USCC_CHECKSUM",
            RuleCode::SurveillanceOverdue => "SURVEILLANCE_OVERDUE",
            RuleCode::LowConfidence => "LOW_CONFIDENCE",
            RuleCode::SupplementaryModulesMissing => "SUPPLEMENTARY_MODULES_MISSING",
        }
    }

    /// What the rule checks, in one sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            RuleCode::ValidityOver3Years => "the expiry date is more than the maximum validity after the decision date (or the issue date if no decision date)",
            RuleCode::NoSurveillanceSection => "no annual surveillance record section is printed",
            RuleCode::BodyNotRegistered => "a registry is in use and the certification body (by approval number, name or the number's body code) is not in it",
            RuleCode::BodyCodeMismatch => "the number's body code differs from the registered code of the body found by approval number or name",
            RuleCode::DuplicateCertificateNumber => "the same certificate number appears in this run for a different organisation",
            RuleCode::ScopeVague => "the scope names no concrete process (e.g. only \"IT服务\" / \"IT services\")",
            RuleCode::Expired => "the expiry date is before the as-of date",
            RuleCode::StandardTransitionExpired => "the certificate is to an old version of the standard whose transition period has ended",
            RuleCode::BodyWithdrawn => "the registry lists the certification body as suspended or withdrawn",
            RuleCode::OrganizationMismatch => "the manifest (or business licence) names another organisation for this input",
            RuleCode::MissingField => "a required element could not be read (one finding per field, the field named)",
            RuleCode::CertificateNumberFormat => "the certificate number does not fit the profile's pattern",
            RuleCode::UsccChecksum => "the unified social credit code fails its check character (GB 32100-2015)",
            RuleCode::SurveillanceOverdue => "the certificate is older than the surveillance interval and no surveillance audit is recorded within it before the as-of date (it may be suspended)",
            RuleCode::LowConfidence => "a field a rule depends on was read by OCR with low confidence",
            RuleCode::SupplementaryModulesMissing => "a 2025 supplementary module is not listed: not applicable to hybrid-cloud or smart-city projects",
        }
    }

    /// The code written `s`, if there is one.
    pub fn parse(s: &str) -> Option<RuleCode> {
        RuleCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for RuleCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub code: RuleCode,
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
