//! The rulebook (SPEC §4): every threshold, date, list and severity the
//! validation rules use, loaded from a TOML file a user can edit
//! (`models/rules.toml` is bundled; `--rules FILE` replaces it).
//!
//! A rulebook holds profiles, one per kind of certificate; [`Rulebook::profile_for`]
//! picks one by `[[select]]` rules, then by standard, then the fallback. A broken
//! file is refused with the file, line, column and reason.

use crate::error::ConfigError;
use crate::model::{RuleCode, Severity};
use chrono::NaiveDate;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// Field names `[profile.missing_field] required` may list.
pub const REQUIRED_FIELD_NAMES: [&str; 16] = [
    "certificate_number",
    "organization_name",
    "scope",
    "standard",
    "certification_body.name",
    "certification_body.cnca_approval_number",
    "cnas.mark",
    "cnas.code",
    "auditor.name",
    "auditor.qualification_number",
    "expiry_date",
    "decision_or_issue_date",
    "unified_social_credit_code",
    "address",
    "initial_issue_date",
    "iaf_mark",
];

/// Evidence keys `[profile.low_confidence] fields` may list.
pub const EVIDENCE_FIELD_NAMES: [&str; 15] = [
    "certificate_number",
    "organization_name",
    "unified_social_credit_code",
    "address",
    "scope",
    "standard",
    "certification_body.name",
    "certification_body.cnca_approval_number",
    "cnas.code",
    "auditor.name",
    "auditor.qualification_number",
    "initial_issue_date",
    "decision_date",
    "issue_date",
    "expiry_date",
];

/// The old version of a standard and when its certificates stop being valid.
#[derive(Debug, Clone)]
pub struct Transition {
    /// Standard patterns (`*` for any text).
    pub standards: Vec<String>,
    /// The first day certificates to these versions are invalid.
    pub invalid_from: NaiveDate,
    /// The version that replaces them, for messages.
    pub successor: Option<String>,
}

/// The rules for one kind of certificate.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// Standard patterns this profile is chosen for (`*` for any text).
    pub standards: Vec<String>,
    pub number_pattern: Regex,
    pub number_description: String,
    /// Capture group 1 applied to the number is the body code.
    pub body_code: Regex,
    pub compare_codes_of_other_length: bool,
    pub validity_max_years: u32,
    pub surveillance_section_required: bool,
    pub surveillance_clause_counts: bool,
    pub surveillance_interval_months: u32,
    pub transitions: Vec<Transition>,
    /// A missing transition notice is a MISSING_FIELD up to and including this day.
    pub transition_notice_required_until: Option<NaiveDate>,
    pub supplementary_modules_apply_to: Vec<String>,
    pub supplementary_modules: Vec<String>,
    pub scope_requires_process: bool,
    pub scope_extra_processes: Vec<String>,
    pub vague_phrases: Vec<String>,
    pub vague_fillers: Vec<String>,
    pub required_fields: Vec<String>,
    pub low_confidence_below: f32,
    pub low_confidence_fields: Vec<String>,
    /// Severity per code; `None` when the rule is switched off.
    pub severities: BTreeMap<RuleCode, Option<Severity>>,
}

impl Profile {
    /// The severity of `code` in this profile, `None` when the rule is off.
    pub fn severity(&self, code: RuleCode) -> Option<Severity> {
        self.severities.get(&code).copied().flatten()
    }

    /// The body code of a certificate number as this profile defines it.
    pub fn body_code_of(&self, number: &str) -> Option<String> {
        self.body_code
            .captures(number)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
            .filter(|s| !s.is_empty())
    }

    /// True when `standard` is one this profile lists.
    pub fn covers(&self, standard: &str) -> bool {
        self.standards.iter().any(|p| standard_matches(p, standard))
    }

    /// What a code means in this profile, with its parameters.
    pub fn meaning(&self, code: RuleCode) -> String {
        let base = code.meaning();
        let detail = match code {
            RuleCode::ValidityOver3Years => format!(
                "maximum validity {} years, same month and day",
                self.validity_max_years
            ),
            RuleCode::NoSurveillanceSection => {
                if !self.surveillance_section_required {
                    "not required in this profile".to_string()
                } else if self.surveillance_clause_counts {
                    "the printed surveillance clause counts as the section".to_string()
                } else {
                    "the record section itself must be printed".to_string()
                }
            }
            RuleCode::BodyCodeMismatch => format!(
                "body code = group 1 of {}{}",
                self.body_code.as_str(),
                if self.compare_codes_of_other_length {
                    ""
                } else {
                    "; registry codes of another length are not compared"
                }
            ),
            RuleCode::ScopeVague => format!(
                "{}vague phrases: {}",
                if self.scope_requires_process {
                    "a process of the vocabulary must be named; "
                } else {
                    ""
                },
                self.vague_phrases.join(", ")
            ),
            RuleCode::StandardTransitionExpired => {
                if self.transitions.is_empty() {
                    "no transition in this profile".to_string()
                } else {
                    self.transitions
                        .iter()
                        .map(|t| {
                            format!(
                                "{} invalid from {}",
                                t.standards.join(" / "),
                                t.invalid_from
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            }
            RuleCode::MissingField => {
                let mut s = format!("required: {}", self.required_fields.join(", "));
                if let Some(d) = self.transition_notice_required_until {
                    s.push_str(&format!("; transition notice until {d}"));
                }
                s
            }
            RuleCode::CertificateNumberFormat => format!(
                "{} ({})",
                self.number_description,
                self.number_pattern.as_str()
            ),
            RuleCode::SurveillanceOverdue => format!(
                "interval {} months; not raised with NO_SURVEILLANCE_SECTION or EXPIRED",
                self.surveillance_interval_months
            ),
            RuleCode::LowConfidence => format!(
                "below {} on {}",
                self.low_confidence_below,
                self.low_confidence_fields.join(", ")
            ),
            RuleCode::SupplementaryModulesMissing => {
                if self.supplementary_modules.is_empty()
                    || self.supplementary_modules_apply_to.is_empty()
                {
                    "no supplementary modules in this profile".to_string()
                } else {
                    format!(
                        "{} for {}",
                        self.supplementary_modules.join(", "),
                        self.supplementary_modules_apply_to.join(", ")
                    )
                }
            }
            _ => String::new(),
        };
        if detail.is_empty() {
            base.to_string()
        } else {
            format!("{base} [{detail}]")
        }
    }
}

/// A `[[select]]` rule: the profile to use when all its conditions hold.
#[derive(Debug, Clone)]
pub struct SelectRule {
    pub profile: usize,
    pub enabled: bool,
    pub number_matches: Option<Regex>,
    pub standards: Option<Vec<String>>,
    /// Matches only a certificate whose body certifies abroad (true) or not
    /// (false), as `models/bodies.csv` knows it.
    pub body_foreign: Option<bool>,
}

/// The loaded rulebook.
#[derive(Debug, Clone)]
pub struct Rulebook {
    /// Where it was read from ("models/rules.toml (bundled)" or the path).
    pub origin: String,
    pub name: String,
    pub profiles: Vec<Profile>,
    pub select: Vec<SelectRule>,
    pub fallback: usize,
    source: String,
}

/// True when a standard pattern (`*` for any text) matches a standard,
/// case-insensitively, ignoring surrounding spaces.
pub fn standard_matches(pattern: &str, standard: &str) -> bool {
    let p: Vec<char> = pattern.trim().to_uppercase().chars().collect();
    let s: Vec<char> = standard.trim().to_uppercase().chars().collect();
    // Iterative glob with backtracking to the last star.
    let (mut i, mut j) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while j < s.len() {
        if i < p.len() && p[i] != '*' && p[i] == s[j] {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(st) = star {
            i = st + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

impl Rulebook {
    /// The rulebook bundled in `models/rules.toml`.
    pub fn bundled() -> Rulebook {
        Rulebook::parse(
            include_str!("../models/rules.toml"),
            "models/rules.toml (bundled)",
        )
        .expect("the bundled rulebook is valid")
    }

    /// Reads a rulebook; the error names the file, the line and the reason.
    pub fn load(path: &Path) -> Result<Rulebook, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|e| ConfigError::unreadable(path, e))?;
        Rulebook::parse(&src, &path.display().to_string())
    }

    /// Parses a rulebook from TOML text; `origin` names it in errors.
    pub fn parse(src: &str, origin: &str) -> Result<Rulebook, ConfigError> {
        let raw: RawBook = toml::from_str(src).map_err(|e| {
            let msg = e.message().trim().to_string();
            match e.span() {
                Some(span) => at(src, origin, span, &msg),
                None => ConfigError::invalid(origin, msg),
            }
        })?;
        build(raw, src, origin)
    }

    /// The TOML text the rulebook was read from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The profile for a certificate: the first enabled `[[select]]` rule whose
    /// conditions hold, else the first profile listing the standard, else the
    /// fallback profile.
    /// The profile of that name.
    pub fn profile_named(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn profile_for(
        &self,
        standard: Option<&str>,
        certificate_number: Option<&str>,
    ) -> &Profile {
        self.profile_for_body(standard, certificate_number, false)
    }

    /// [`Rulebook::profile_for`], knowing whether the certificate's body
    /// certifies abroad (a `body_foreign` condition of a select rule).
    pub fn profile_for_body(
        &self,
        standard: Option<&str>,
        certificate_number: Option<&str>,
        body_foreign: bool,
    ) -> &Profile {
        for r in &self.select {
            if r.body_foreign.is_some_and(|f| f != body_foreign) {
                continue;
            }
            if !r.enabled {
                continue;
            }
            let number_ok = match &r.number_matches {
                Some(re) => certificate_number.map(|n| re.is_match(n)).unwrap_or(false),
                None => true,
            };
            let standard_ok = match &r.standards {
                Some(pats) => standard
                    .map(|s| pats.iter().any(|p| standard_matches(p, s)))
                    .unwrap_or(false),
                None => true,
            };
            if number_ok && standard_ok {
                return &self.profiles[r.profile];
            }
        }
        if let Some(s) = standard {
            if let Some(p) = self.profiles.iter().find(|p| p.covers(s)) {
                return p;
            }
        }
        &self.profiles[self.fallback]
    }

    /// A profile by name.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// For `certscan rules --json`: every code with its names and meaning,
    /// and every profile with its severities.
    pub fn to_json(&self) -> serde_json::Value {
        use crate::texts::{Lang, Texts};
        let t = Texts::bundled();
        let codes: Vec<serde_json::Value> = RuleCode::ALL
            .iter()
            .map(|code| {
                serde_json::json!({
                    "code": code.as_str(),
                    "name_zh": t.rule(code.as_str(), Lang::Zh),
                    "name_en": t.rule(code.as_str(), Lang::En),
                    "meaning": code.meaning(),
                })
            })
            .collect();
        let profiles: Vec<serde_json::Value> = self
            .profiles
            .iter()
            .map(|p| {
                let sev: serde_json::Map<String, serde_json::Value> = RuleCode::ALL
                    .iter()
                    .map(|&code| {
                        (
                            code.to_string(),
                            serde_json::Value::from(
                                p.severity(code).map(|s| s.as_str()).unwrap_or("off"),
                            ),
                        )
                    })
                    .collect();
                serde_json::json!({
                    "name": p.name,
                    "description": p.description,
                    "standards": p.standards,
                    "number_pattern": p.number_pattern.as_str(),
                    "severity": sev,
                })
            })
            .collect();
        let verdicts: Vec<serde_json::Value> = crate::texts::VERDICT_KEYS
            .iter()
            .map(|k| {
                serde_json::json!({
                    "verdict": k,
                    "zh": t.verdict_key(k, Lang::Zh),
                    "en": t.verdict_key(k, Lang::En),
                    "advice_zh": t.advice(k, Lang::Zh),
                    "advice_en": t.advice(k, Lang::En),
                })
            })
            .collect();
        serde_json::json!({
            "rulebook": self.origin,
            "name": self.name,
            "fallback_profile": self.profiles[self.fallback].name,
            "verdicts": verdicts,
            "codes": codes,
            "profiles": profiles,
        })
    }

    /// [`Rulebook::describe`] in `lang`.
    pub fn describe_in(&self, lang: crate::texts::Lang) -> String {
        use crate::texts::{Lang, Texts};
        if lang == Lang::En {
            return self.describe();
        }
        let t = Texts::bundled();
        let mut s = String::new();
        s.push_str(&format!("规则集：{}\n  {}\n", self.origin, self.name));
        s.push_str("结论取最严重的问题：疑似伪造 > 无效 > 需人工复核 > 有限适用 > 有效\n");
        for k in crate::texts::VERDICT_KEYS {
            s.push_str(&format!(
                "  {}：{}\n",
                t.verdict_key(k, Lang::Zh),
                t.advice(k, Lang::Zh)
            ));
        }
        for p in &self.profiles {
            s.push_str(&format!("\n规则集分册 {} — {}\n", p.name, p.description));
            if !p.standards.is_empty() {
                s.push_str(&format!("  适用标准：{}\n", p.standards.join("、")));
            }
            for code in RuleCode::ALL {
                let sev = p
                    .severity(code)
                    .map(|s| t.verdict(s, Lang::Zh))
                    .unwrap_or("关闭");
                s.push_str(&format!(
                    "  {:<30} {sev:<8} {}\n",
                    code.as_str(),
                    t.rule(code.as_str(), Lang::Zh)
                ));
            }
        }
        s
    }

    /// For `certscan rules`: the active rulebook, how a profile is chosen, and
    /// every profile with every code, its severity and meaning.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("rulebook: {}\n  {}\n", self.origin, self.name));
        s.push_str("verdict: the gravest severity found: suspected_forgery > invalid > needs_review > limited > valid\n\n");
        s.push_str("profile selection (first that applies):\n");
        let mut n = 1;
        for r in &self.select {
            let mut cond = Vec::new();
            if let Some(re) = &r.number_matches {
                cond.push(format!("the number matches {}", re.as_str()));
            }
            if let Some(st) = &r.standards {
                cond.push(format!("the standard is {}", st.join(" or ")));
            }
            if let Some(f) = r.body_foreign {
                cond.push(if f {
                    "the body certifies abroad (models/bodies.csv)".to_string()
                } else {
                    "the body is not known to certify abroad".to_string()
                });
            }
            if cond.is_empty() {
                cond.push("always".to_string());
            }
            s.push_str(&format!(
                "  {n}. {} when {}{}\n",
                self.profiles[r.profile].name,
                cond.join(" and "),
                if r.enabled { "" } else { "  (disabled)" }
            ));
            n += 1;
        }
        for p in &self.profiles {
            if !p.standards.is_empty() {
                s.push_str(&format!(
                    "  {n}. {} for {}\n",
                    p.name,
                    p.standards.join(", ")
                ));
                n += 1;
            }
        }
        s.push_str(&format!(
            "  {n}. otherwise {}\n",
            self.profiles[self.fallback].name
        ));
        for p in &self.profiles {
            s.push_str(&format!("\nprofile {} — {}\n", p.name, p.description));
            if !p.standards.is_empty() {
                s.push_str(&format!("  standards: {}\n", p.standards.join(", ")));
            }
            s.push_str(&format!(
                "  number: {} ({}); body code: group 1 of {}\n",
                p.number_description,
                p.number_pattern.as_str(),
                p.body_code.as_str()
            ));
            for code in RuleCode::ALL {
                let sev = p.severity(code).map(|s| s.as_str()).unwrap_or("off");
                s.push_str(&format!(
                    "  {:<30} {sev:<17} {}\n",
                    code.as_str(),
                    p.meaning(code)
                ));
            }
        }
        s
    }
}

// ----------------------------------------------------------------------------
// Loading

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    name: String,
    fallback_profile: Spanned<String>,
    severity: Spanned<BTreeMap<Spanned<String>, Spanned<String>>>,
    #[serde(default)]
    select: Vec<Spanned<RawSelect>>,
    profile: Spanned<Vec<Spanned<RawProfile>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelect {
    profile: Spanned<String>,
    #[serde(default = "yes")]
    enabled: bool,
    number_matches: Option<Spanned<String>>,
    standards: Option<Vec<String>>,
    body_foreign: Option<bool>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    description: String,
    standards: Vec<String>,
    number: RawNumber,
    validity: RawValidity,
    surveillance: RawSurveillance,
    #[serde(default)]
    transition: Vec<Spanned<RawTransition>>,
    transition_notice: Option<RawTransitionNotice>,
    supplementary_modules: RawModules,
    scope: RawScope,
    missing_field: RawMissing,
    low_confidence: RawLowConfidence,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumber {
    pattern: Spanned<String>,
    description: String,
    body_code: Spanned<String>,
    compare_codes_of_other_length: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidity {
    max_years: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurveillance {
    section_required: bool,
    clause_counts_as_section: bool,
    interval_months: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    standards: Vec<String>,
    invalid_from: Option<Spanned<toml::value::Datetime>>,
    last_valid_day: Option<Spanned<toml::value::Datetime>>,
    successor: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransitionNotice {
    required_until: Spanned<toml::value::Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModules {
    apply_to: Vec<String>,
    modules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    requires_process: bool,
    extra_processes: Vec<String>,
    vague_phrases: Vec<String>,
    fillers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMissing {
    required: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLowConfidence {
    below: Spanned<f64>,
    fields: Vec<Spanned<String>>,
}

/// "origin: line L, column C: reason" for a byte span of `src`.
fn at(src: &str, origin: &str, span: Range<usize>, reason: &str) -> ConfigError {
    let start = span.start.min(src.len());
    let before = &src[..start];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    ConfigError::At {
        origin: origin.to_string(),
        line,
        column: Some(col),
        reason: reason.to_string(),
    }
}

fn parse_severity(s: &str) -> Result<Option<Severity>, String> {
    match s {
        "suspected_forgery" => Ok(Some(Severity::SuspectedForgery)),
        "invalid" => Ok(Some(Severity::Invalid)),
        "needs_review" => Ok(Some(Severity::NeedsReview)),
        "limited" => Ok(Some(Severity::Limited)),
        "off" => Ok(None),
        _ => Err(format!("unknown severity '{s}': use {SEVERITY_NAMES}")),
    }
}

const SEVERITY_NAMES: &str = "suspected_forgery, invalid, needs_review, limited or off";

fn unknown_code(code: &str) -> String {
    format!(
        "unknown rule code '{code}': the codes are {}",
        RuleCode::ALL.map(RuleCode::as_str).join(", ")
    )
}

fn date_of(
    d: &Spanned<toml::value::Datetime>,
    src: &str,
    origin: &str,
) -> Result<NaiveDate, ConfigError> {
    let v = d.get_ref();
    let bad = || {
        at(
            src,
            origin,
            d.span(),
            "expected a date such as 2026-01-01 (no time)",
        )
    };
    if v.time.is_some() || v.offset.is_some() {
        return Err(bad());
    }
    let date = v.date.ok_or_else(bad)?;
    NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32).ok_or_else(bad)
}

fn regex_of(
    r: &Spanned<String>,
    src: &str,
    origin: &str,
    what: &str,
) -> Result<Regex, ConfigError> {
    Regex::new(r.get_ref()).map_err(|e| {
        let first = e
            .to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        at(
            src,
            origin,
            r.span(),
            &format!("{what} is not a valid regular expression: {first}"),
        )
    })
}

/// The rulebook's text and where it came from, for errors that name a line.
#[derive(Clone, Copy)]
struct Source<'a> {
    src: &'a str,
    origin: &'a str,
}

impl Source<'_> {
    fn err(&self, span: Range<usize>, reason: &str) -> ConfigError {
        at(self.src, self.origin, span, reason)
    }
}

/// The rulebook from its parsed sections, each checked: the severities, the
/// profiles, the profile selection.
fn build(raw: RawBook, src: &str, origin: &str) -> Result<Rulebook, ConfigError> {
    let s = Source { src, origin };
    let mut base: BTreeMap<RuleCode, Option<Severity>> = BTreeMap::new();
    severities(raw.severity.get_ref(), &mut base, s)?;
    let missing: Vec<&str> = RuleCode::ALL
        .into_iter()
        .filter(|c| !base.contains_key(c))
        .map(RuleCode::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(s.err(
            raw.severity.span(),
            &format!("[severity] lacks the code(s) {}", missing.join(", ")),
        ));
    }
    if raw.profile.get_ref().is_empty() {
        return Err(s.err(
            raw.profile.span(),
            "the rulebook needs at least one [[profile]]",
        ));
    }
    let mut profiles: Vec<Profile> = Vec::new();
    for sp in raw.profile.into_inner() {
        let p = profile(sp.into_inner(), &base, &profiles, s)?;
        profiles.push(p);
    }
    let fallback = profile_index(&raw.fallback_profile, &profiles, s)?;
    let mut select = Vec::new();
    for r in &raw.select {
        select.push(select_rule(r.get_ref(), &profiles, s)?);
    }
    Ok(Rulebook {
        origin: origin.to_string(),
        name: raw.name,
        profiles,
        select,
        fallback,
        source: src.to_string(),
    })
}

/// A `[severity]` table (the rulebook's, or a profile's overrides) into
/// `into`: every code known, every severity one of [`SEVERITY_NAMES`].
fn severities(
    table: &BTreeMap<Spanned<String>, Spanned<String>>,
    into: &mut BTreeMap<RuleCode, Option<Severity>>,
    s: Source,
) -> Result<(), ConfigError> {
    for (k, v) in table {
        let code = RuleCode::parse(k.get_ref())
            .ok_or_else(|| s.err(k.span(), &unknown_code(k.get_ref())))?;
        let sev = parse_severity(v.get_ref()).map_err(|e| s.err(v.span(), &e))?;
        into.insert(code, sev);
    }
    Ok(())
}

/// One `[[profile]]`, its name new among `taken`, its severities those of
/// `base` with its own overrides.
fn profile(
    p: RawProfile,
    base: &BTreeMap<RuleCode, Option<Severity>>,
    taken: &[Profile],
    s: Source,
) -> Result<Profile, ConfigError> {
    let name = p.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(s.err(p.name.span(), "a profile needs a name"));
    }
    if taken.iter().any(|q| q.name == name) {
        return Err(s.err(p.name.span(), &format!("a second profile named '{name}'")));
    }
    let number_pattern = regex_of(&p.number.pattern, s.src, s.origin, "number.pattern")?;
    let body_code = regex_of(&p.number.body_code, s.src, s.origin, "number.body_code")?;
    if body_code.captures_len() < 2 {
        return Err(s.err(
            p.number.body_code.span(),
            "number.body_code needs a capture group (...) around the body code",
        ));
    }
    if *p.validity.max_years.get_ref() == 0 {
        return Err(s.err(
            p.validity.max_years.span(),
            "validity.max_years must be at least 1",
        ));
    }
    if *p.surveillance.interval_months.get_ref() == 0 {
        return Err(s.err(
            p.surveillance.interval_months.span(),
            "surveillance.interval_months must be at least 1",
        ));
    }
    let transitions = p
        .transition
        .iter()
        .map(|t| transition(t, s))
        .collect::<Result<Vec<_>, _>>()?;
    let transition_notice_required_until = match &p.transition_notice {
        Some(n) => Some(date_of(&n.required_until, s.src, s.origin)?),
        None => None,
    };
    let required_fields = field_names(
        &p.missing_field.required,
        &REQUIRED_FIELD_NAMES,
        "missing_field.required",
        s,
    )?;
    let below = *p.low_confidence.below.get_ref();
    if !(0.0..=100.0).contains(&below) {
        return Err(s.err(
            p.low_confidence.below.span(),
            "low_confidence.below must be within 0-100",
        ));
    }
    let low_confidence_fields = field_names(
        &p.low_confidence.fields,
        &EVIDENCE_FIELD_NAMES,
        "low_confidence.fields",
        s,
    )?;
    let mut severities_of = base.clone();
    severities(&p.severity, &mut severities_of, s)?;
    Ok(Profile {
        name,
        description: p.description,
        standards: p.standards,
        number_pattern,
        number_description: p.number.description,
        body_code,
        compare_codes_of_other_length: p.number.compare_codes_of_other_length,
        validity_max_years: *p.validity.max_years.get_ref(),
        surveillance_section_required: p.surveillance.section_required,
        surveillance_clause_counts: p.surveillance.clause_counts_as_section,
        surveillance_interval_months: *p.surveillance.interval_months.get_ref(),
        transitions,
        transition_notice_required_until,
        supplementary_modules_apply_to: p.supplementary_modules.apply_to,
        supplementary_modules: p.supplementary_modules.modules,
        scope_requires_process: p.scope.requires_process,
        scope_extra_processes: p.scope.extra_processes,
        vague_phrases: p.scope.vague_phrases,
        vague_fillers: p.scope.fillers,
        required_fields,
        low_confidence_below: below as f32,
        low_confidence_fields,
        severities: severities_of,
    })
}

/// A `[[profile.transition]]`: its standards and the day they are invalid
/// from (given as such, or as the last valid day).
fn transition(t: &Spanned<RawTransition>, s: Source) -> Result<Transition, ConfigError> {
    let tr = t.get_ref();
    let invalid_from = match (&tr.invalid_from, &tr.last_valid_day) {
        (Some(d), None) => date_of(d, s.src, s.origin)?,
        (None, Some(d)) => {
            let last = date_of(d, s.src, s.origin)?;
            last.succ_opt()
                .ok_or_else(|| s.err(d.span(), "date out of range"))?
        }
        (Some(d), Some(_)) => {
            return Err(s.err(d.span(), "give invalid_from or last_valid_day, not both"))
        }
        (None, None) => {
            return Err(s.err(
                t.span(),
                "a [[profile.transition]] needs invalid_from or last_valid_day",
            ))
        }
    };
    if tr.standards.is_empty() {
        return Err(s.err(t.span(), "a [[profile.transition]] needs standards"));
    }
    Ok(Transition {
        standards: tr.standards.clone(),
        invalid_from,
        successor: tr.successor.clone(),
    })
}

/// A list of field names (`what`), each one of `names`.
fn field_names(
    fields: &[Spanned<String>],
    names: &[&str],
    what: &str,
    s: Source,
) -> Result<Vec<String>, ConfigError> {
    fields
        .iter()
        .map(|f| {
            if names.contains(&f.get_ref().as_str()) {
                Ok(f.get_ref().clone())
            } else {
                Err(s.err(
                    f.span(),
                    &format!(
                        "unknown field '{}' in {what}: the fields are {}",
                        f.get_ref(),
                        names.join(", ")
                    ),
                ))
            }
        })
        .collect()
}

/// The index of the profile a selection rule or the fallback names.
fn profile_index(
    n: &Spanned<String>,
    profiles: &[Profile],
    s: Source,
) -> Result<usize, ConfigError> {
    profiles
        .iter()
        .position(|p| p.name == n.get_ref().trim())
        .ok_or_else(|| {
            s.err(
                n.span(),
                &format!(
                    "no profile named '{}' (the profiles are {})",
                    n.get_ref(),
                    profiles
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

/// A `[[select]]` rule: which certificates a profile judges.
fn select_rule(r: &RawSelect, profiles: &[Profile], s: Source) -> Result<SelectRule, ConfigError> {
    let profile = profile_index(&r.profile, profiles, s)?;
    let number_matches = match &r.number_matches {
        Some(p) => Some(regex_of(p, s.src, s.origin, "number_matches")?),
        None => None,
    };
    Ok(SelectRule {
        profile,
        enabled: r.enabled,
        number_matches,
        standards: r.standards.clone(),
        body_foreign: r.body_foreign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLED: &str = include_str!("../models/rules.toml");

    fn refused(src: &str) -> String {
        Rulebook::parse(src, "r.toml").unwrap_err().to_string()
    }

    fn line_of(src: &str, needle: &str) -> usize {
        src[..src.find(needle).expect("needle in source")]
            .matches('\n')
            .count()
            + 1
    }

    #[test]
    fn bundled_rulebook_has_four_profiles_and_every_code() {
        let rb = Rulebook::bundled();
        let names: Vec<&str> = rb.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "iso20000_seed",
                "iso27001",
                "cn_real_practice",
                "general_ms"
            ]
        );
        for p in &rb.profiles {
            for code in RuleCode::ALL {
                assert!(p.severity(code).is_some(), "{} lacks {code}", p.name);
            }
        }
        let seed = rb.profile("iso20000_seed").unwrap();
        assert_eq!(
            seed.severity(RuleCode::ValidityOver3Years),
            Some(Severity::SuspectedForgery)
        );
        assert_eq!(
            seed.severity(RuleCode::SupplementaryModulesMissing),
            Some(Severity::Limited)
        );
        assert_eq!(
            seed.body_code_of("ABC123202501ITS01").as_deref(),
            Some("ABC123")
        );
        assert_eq!(seed.validity_max_years, 3);
        assert_eq!(
            seed.transitions[0].invalid_from,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        let iso27 = rb.profile("iso27001").unwrap();
        assert_eq!(
            iso27.transitions[0].invalid_from,
            NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()
        );
        assert!(iso27.supplementary_modules.is_empty());
        let real = rb.profile("cn_real_practice").unwrap();
        assert_eq!(real.body_code_of("00216Q10097R1S").as_deref(), Some("002"));
        assert!(real.surveillance_clause_counts);
        for n in [
            "00216Q10097R1S",
            "04625Q15304R1M",
            "00114E22766R2L/3502",
            "00114E22766R2L-1",
        ] {
            assert!(real.number_pattern.is_match(n), "{n}");
        }
    }

    #[test]
    fn profile_selection_by_rule_standard_and_fallback() {
        let rb = Rulebook::bundled();
        let pick = |s: Option<&str>, n: Option<&str>| rb.profile_for(s, n).name.clone();
        assert_eq!(
            pick(Some("ISO/IEC 20000-1:2018"), Some("ABC123202501ITS01")),
            "iso20000_seed"
        );
        assert_eq!(pick(Some("ISO/IEC 20000-1:2011"), None), "iso20000_seed");
        assert_eq!(
            pick(Some("ISO/IEC 27001:2022"), Some("ABC123202501ISM01")),
            "iso27001"
        );
        assert_eq!(
            pick(Some("ISO/IEC 20000-1:2018"), Some("00216ITS10097R1S")),
            "cn_real_practice"
        );
        assert_eq!(
            pick(Some("ISO/IEC 27001:2013"), Some("04625I15304R1M")),
            "cn_real_practice"
        );
        // Neither seed-form nor CNCA-numbered: the general profile (SPEC §4).
        assert_eq!(pick(None, None), "general_ms");
        assert_eq!(pick(Some("ISO 9001:2015"), Some("X")), "general_ms");
        // A body that certifies abroad: the general profile whatever the standard.
        assert_eq!(
            rb.profile_for_body(Some("ISO/IEC 27001:2013"), Some("IS 621010"), true)
                .name,
            "general_ms"
        );
        // The select rule switched off in the file: real numbers get the seed profile.
        let off = BUNDLED.replacen("enabled = true", "enabled = false", 1);
        let rb2 = Rulebook::parse(&off, "edited").unwrap();
        assert_eq!(
            rb2.profile_for(Some("ISO/IEC 20000-1:2018"), Some("00216ITS10097R1S"))
                .name,
            "iso20000_seed"
        );
        // Real practice for every 20000-1 certificate, by standard.
        let all = BUNDLED.replacen(
            "number_matches = '^\\d{3}\\d{2}[A-Z]{1,4}\\d{3,6}R\\d[SML](/\\d{4})?(-\\d+)?$'",
            "standards = [\"ISO/IEC 20000-1:*\"]",
            1,
        );
        assert_ne!(all, BUNDLED);
        let rb3 = Rulebook::parse(&all, "edited").unwrap();
        assert_eq!(
            rb3.profile_for(Some("ISO/IEC 20000-1:2018"), Some("ABC123202501ITS01"))
                .name,
            "cn_real_practice"
        );
        assert_eq!(
            rb3.profile_for(Some("ISO/IEC 27001:2022"), None).name,
            "iso27001"
        );
    }

    #[test]
    fn standard_patterns() {
        assert!(standard_matches(
            "ISO/IEC 20000-1:*",
            "ISO/IEC 20000-1:2018"
        ));
        assert!(standard_matches(
            "iso/iec 20000-1:*",
            "ISO/IEC 20000-1:2011"
        ));
        assert!(!standard_matches("ISO/IEC 20000-1:*", "ISO/IEC 27001:2022"));
        assert!(standard_matches(
            "ISO/IEC 27001:2013",
            " ISO/IEC 27001:2013 "
        ));
        assert!(!standard_matches(
            "ISO/IEC 27001:2013",
            "ISO/IEC 27001:2022"
        ));
        assert!(standard_matches("*", "anything"));
        assert!(standard_matches("ISO*:2015", "ISO 9001:2015"));
    }

    #[test]
    fn syntax_error_is_refused_with_line() {
        let src = BUNDLED.replacen("max_years = 3", "max_years = = 3", 1);
        let e = refused(&src);
        let l = line_of(&src, "max_years = = 3");
        assert!(e.starts_with(&format!("r.toml: line {l},")), "{e}");
    }

    #[test]
    fn unknown_code_and_severity_are_refused_with_line() {
        let src = BUNDLED.replacen("EXPIRED = \"invalid\"", "EXPIRD = \"invalid\"", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "EXPIRD")))
                && e.contains("unknown rule code 'EXPIRD'"),
            "{e}"
        );
        let src = BUNDLED.replacen(
            "USCC_CHECKSUM = \"needs_review\"",
            "USCC_CHECKSUM = \"severe\"",
            1,
        );
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "\"severe\"")))
                && e.contains("unknown severity 'severe'"),
            "{e}"
        );
        // Missing code in [severity]: the table's line.
        let src = BUNDLED.replacen("LOW_CONFIDENCE = \"needs_review\"\n", "", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "[severity]")))
                && e.contains("LOW_CONFIDENCE"),
            "{e}"
        );
    }

    #[test]
    fn bad_dates_regexes_and_fields_are_refused_with_line() {
        let src = BUNDLED.replacen("invalid_from = 2026-01-01", "invalid_from = 2026-13-01", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "2026-13-01"))),
            "{e}"
        );
        let src = BUNDLED.replacen("invalid_from = 2026-01-01", "invalid_from = \"soon\"", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "\"soon\""))),
            "{e}"
        );
        let src = BUNDLED.replacen(
            "invalid_from = 2026-01-01",
            "invalid_from = 2026-01-01T10:00:00",
            1,
        );
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "2026-01-01T10"))) && e.contains("date"),
            "{e}"
        );
        let src = BUNDLED.replacen("pattern = '^[A-Z0-9]{17}$'", "pattern = '^[A-Z0-9{17}$'", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "'^[A-Z0-9{17}$'")))
                && e.contains("regular expression"),
            "{e}"
        );
        let src = BUNDLED.replacen("\"auditor.name\", ", "\"auditor.nam\", ", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "auditor.nam\"")))
                && e.contains("auditor.nam"),
            "{e}"
        );
        let src = BUNDLED.replacen(
            "fallback_profile = \"general_ms\"",
            "fallback_profile = \"iso20000\"",
            1,
        );
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "\"iso20000\"")))
                && e.contains("no profile named"),
            "{e}"
        );
    }

    #[test]
    fn missing_and_unknown_profile_keys_are_refused_with_line() {
        // Drop the first profile's [profile.validity] table: refused at that profile's header.
        let src = BUNDLED.replacen(
            "[profile.validity]\n# VALIDITY_OVER_3_YEARS",
            "# VALIDITY_OVER_3_YEARS",
            1,
        );
        let src = src.replacen("max_years = 3\n", "", 1);
        let e = refused(&src);
        let header = line_of(&src, "[[profile]]\nname = \"iso20000_seed\"");
        assert!(
            e.contains(&format!("line {header},")) && e.contains("validity"),
            "{e}"
        );
        // A missing key inside a table: the table's line.
        let src = BUNDLED.replacen("interval_months = 12\n", "", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "[profile.surveillance]")))
                && e.contains("interval_months"),
            "{e}"
        );
        // A misspelt key: its own line.
        let src = BUNDLED.replacen("max_years = 3", "max_yeras = 3", 1);
        let e = refused(&src);
        assert!(
            e.contains(&format!("line {}", line_of(&src, "max_yeras"))) && e.contains("max_yeras"),
            "{e}"
        );
    }

    #[test]
    fn describe_lists_every_profile_and_code() {
        let rb = Rulebook::bundled();
        let d = rb.describe();
        assert!(d.contains("models/rules.toml"));
        for p in &rb.profiles {
            assert!(d.contains(&format!("profile {}", p.name)));
        }
        for code in RuleCode::ALL {
            let rows = d
                .lines()
                .filter(|l| l.trim_start().starts_with(&format!("{code} ")))
                .count();
            assert_eq!(rows, rb.profiles.len(), "{code}");
        }
        assert!(d.contains("suspected_forgery"));
        assert!(d.contains("invalid from 2026-01-01"));
    }

    #[test]
    fn errors_are_typed_with_file_line_and_reason() {
        match Rulebook::parse("name = \"x\"\nfallback_profile = 3\n", "r.toml") {
            Err(ConfigError::At {
                origin,
                line,
                column: Some(_),
                reason,
            }) => {
                assert_eq!((origin.as_str(), line), ("r.toml", 2));
                assert!(!reason.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Rulebook::load(Path::new("/nonexistent/rules.toml")),
            Err(ConfigError::Unreadable { .. })
        ));
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("certscan-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("broken.toml");
        std::fs::write(&p, "name = \"x\"\nfallback_profile = 3\n").unwrap();
        let e = Rulebook::load(&p).unwrap_err().to_string();
        assert!(e.contains("broken.toml") && e.contains("line 2"), "{e}");
        let e = Rulebook::load(&dir.join("absent.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("absent.toml"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
