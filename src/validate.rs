//! Validate stage. Takes an extracted certificate and the run's context
//! (as-of date, rulebook, registry, expected organisation); hands on its
//! findings and verdict ([`Validation`], SPEC §4), one rule at a time
//! ([`RULES`]). The rules' parameters — thresholds, dates, lists, severities —
//! come from the rulebook ([`crate::rules`], `models/rules.toml`); this module
//! holds only their logic.

use crate::model::{
    Certificate, Evidence, Finding, Record, RuleCode, Severity, Status, Validation,
};
use crate::registry::{Body, BodyMatch, Registry};
use crate::rules::{standard_matches, Profile, Rulebook};
use crate::text::{name_key, to_simplified, uscc_check_char, USCC_ALPHABET};
use crate::texts::{Lang, Texts};
use chrono::{Datelike, Months, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// What the rules need besides the certificate.
#[derive(Debug, Clone)]
pub struct RuleContext<'a> {
    /// The date time-dependent rules are evaluated at.
    pub as_of: NaiveDate,
    pub rulebook: &'a Rulebook,
    /// The certification-body registry (bundled or `--registry`); `None` skips
    /// the registry rules.
    pub registry: Option<&'a Registry>,
    /// The organisation that submitted the input (manifest or business licence).
    pub expected_organization: Option<&'a str>,
    /// The text came from OCR (LOW_CONFIDENCE applies).
    pub ocr: bool,
}

pub const DUPLICATE: RuleCode = RuleCode::DuplicateCertificateNumber;

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn plural(n: i64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// `a` plus `months` months, the day clamped to the month's end (Feb 29 + 12
/// months = Feb 28).
fn add_months(a: NaiveDate, months: u32) -> NaiveDate {
    a.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

fn sub_months(a: NaiveDate, months: u32) -> NaiveDate {
    a.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// The time from `a` to `b` (a <= b) in years, months and days.
fn span_parts(a: NaiveDate, b: NaiveDate) -> (i64, i64, i64) {
    let mut months = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
    while months > 0 && add_months(a, months as u32) > b {
        months -= 1;
    }
    let days = (b - add_months(a, months.max(0) as u32)).num_days();
    ((months / 12) as i64, (months % 12) as i64, days)
}

/// [`span_text`] in Chinese: "3年4个月2天".
pub fn span_zh(a: NaiveDate, b: NaiveDate) -> String {
    if b < a {
        return format!("-{}", span_zh(b, a));
    }
    let (y, m, d) = span_parts(a, b);
    crate::texts::span_zh(y, m, d)
}

/// The time from `a` to `b` (a <= b) in words: "3 years 4 months 2 days".
pub fn span_text(a: NaiveDate, b: NaiveDate) -> String {
    if b < a {
        return format!("-{}", span_text(b, a));
    }
    let (y, m, days) = span_parts(a, b);
    let mut parts = Vec::new();
    if y > 0 {
        parts.push(plural(y, "year"));
    }
    if m > 0 {
        parts.push(plural(m, "month"));
    }
    if days > 0 || parts.is_empty() {
        parts.push(plural(days, "day"));
    }
    parts.join(" ")
}

/// Builds the verdict from findings: the gravest severity, `valid` when none.
/// The findings are ordered gravest first (stable within a severity).
pub fn verdict(mut findings: Vec<Finding>) -> Validation {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let verdict = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Valid);
    Validation {
        verdict,
        verdict_zh: Texts::bundled().verdict(verdict, Lang::Zh).to_string(),
        profile: None,
        findings,
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(crate::page::is_cjk)
}

/// True when the certificate's body is one that certifies abroad (BSI, TÜV,
/// ... in `models/bodies.csv`): judged by the general profile, not by the
/// seed's.
pub fn body_is_foreign(registry: Option<&Registry>, c: &Certificate) -> bool {
    let Some(reg) = registry else {
        return false;
    };
    [&c.certification_body.name, &c.certification_body.name_en]
        .iter()
        .filter_map(|n| present(n))
        .any(|n| reg.known_by_name(n).is_some_and(|k| k.foreign))
}

/// Collects findings with their profile severities; rules switched off
/// ("off") add nothing.
struct Findings<'p> {
    profile: &'p Profile,
    list: Vec<Finding>,
}

/// A finding's message: the English text, and the Chinese template variant
/// (models/texts.toml) with its values.
struct Msg {
    en: String,
    variant: &'static str,
    args: Vec<(&'static str, String)>,
}

fn msg(en: String, variant: &'static str, args: Vec<(&'static str, String)>) -> Msg {
    Msg { en, variant, args }
}

/// A finding of `code` resting on `fields`, with its messages.
fn finding(code: RuleCode, severity: Severity, fields: &[&str], m: Msg) -> Finding {
    Finding {
        code,
        severity,
        message: m.en,
        message_zh: Texts::bundled().message_zh(code.as_str(), m.variant, &m.args),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    }
}

impl Findings<'_> {
    fn add(&mut self, code: RuleCode, fields: &[&str], m: Msg) {
        if let Some(severity) = self.profile.severity(code) {
            self.list.push(finding(code, severity, fields, m));
        }
    }

    /// As [`Findings::add`], with the severity capped at `cap`.
    fn add_at_most(&mut self, code: RuleCode, cap: Severity, fields: &[&str], m: Msg) {
        if let Some(severity) = self.profile.severity(code) {
            self.list.push(finding(code, severity.min(cap), fields, m));
        }
    }

    fn has(&self, code: RuleCode) -> bool {
        self.list.iter().any(|f| f.code == code)
    }
}

/// The human name of a MISSING_FIELD field, and whether it is missing.
fn missing(c: &Certificate, field: &str) -> Option<(&'static str, bool)> {
    let none = |s: &Option<String>| present(s).is_none();
    let auditor = c.auditor.as_ref();
    Some(match field {
        "certificate_number" => ("certificate number", none(&c.certificate_number)),
        "organization_name" => ("organisation name", none(&c.organization_name)),
        "scope" => ("certification scope", none(&c.scope)),
        "standard" => ("standard", none(&c.standard)),
        "certification_body.name" => (
            "certification body's name",
            none(&c.certification_body.name),
        ),
        "certification_body.cnca_approval_number" => (
            "certification body's CNCA approval number (e.g. CNCA-R-2002-001)",
            none(&c.certification_body.cnca_approval_number),
        ),
        "cnas.mark" => ("CNAS accreditation mark", !c.cnas.mark),
        "cnas.code" => (
            "CNAS accreditation code under the mark (e.g. CNAS C123-M)",
            none(&c.cnas.code),
        ),
        "auditor.name" => (
            "auditor's name",
            auditor.map(|a| none(&a.name)).unwrap_or(true),
        ),
        "auditor.qualification_number" => (
            "auditor's qualification number",
            auditor
                .map(|a| none(&a.qualification_number))
                .unwrap_or(true),
        ),
        "expiry_date" => ("expiry date", date(&c.expiry_date).is_none()),
        "decision_or_issue_date" => (
            "certification decision date (or, failing it, the issue date)",
            date(&c.decision_date).is_none() && date(&c.issue_date).is_none(),
        ),
        "unified_social_credit_code" => (
            "unified social credit code",
            none(&c.unified_social_credit_code),
        ),
        "address" => ("address", none(&c.address)),
        "initial_issue_date" => ("initial issue date", date(&c.initial_issue_date).is_none()),
        "iaf_mark" => ("IAF mark", !c.iaf_mark),
        _ => return None,
    })
}

/// Why a unified social credit code fails, `None` when it is right.
fn uscc_problem(code: &str) -> Option<Msg> {
    let chars: Vec<char> = code.chars().collect();
    let c = ("code", code.to_string());
    if chars.len() != 18 {
        return Some(msg(
            format!(
                "unified social credit code {code} has {} characters, not 18",
                chars.len()
            ),
            "length",
            vec![c, ("len", chars.len().to_string())],
        ));
    }
    if let Some(bad) = chars.iter().find(|c| !USCC_ALPHABET.contains(**c)) {
        return Some(msg(
            format!(
                "unified social credit code {code} contains '{bad}', outside the code's alphabet (0-9 and A-Y without I, O, S, V, Z)"
            ),
            "alphabet",
            vec![c, ("bad", bad.to_string())],
        ));
    }
    let head: String = chars[..17].iter().collect();
    match uscc_check_char(&head) {
        Some(expected) if expected == chars[17] => None,
        Some(expected) => Some(msg(
            format!(
                "unified social credit code {code} ends in '{}' but its check character is '{expected}'",
                chars[17]
            ),
            "check",
            vec![
                c,
                ("last", chars[17].to_string()),
                ("expected", expected.to_string()),
            ],
        )),
        None => Some(msg(
            format!("unified social credit code {code} cannot be checked"),
            "unchecked",
            vec![c],
        )),
    }
}

/// The vague phrases a scope consists of, when it consists of nothing else
/// (besides filler words); `None` when it says something more.
fn vague_only(scope: &str, profile: &Profile) -> Option<Vec<String>> {
    let mut rest = name_key(scope);
    let mut phrases: Vec<&String> = profile.vague_phrases.iter().collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(name_key(p).chars().count()));
    let mut hit = Vec::new();
    for p in phrases {
        let k = name_key(p);
        if !k.is_empty() && rest.contains(&k) {
            rest = rest.replace(&k, " ");
            hit.push(p.clone());
        }
    }
    if hit.is_empty() {
        return None;
    }
    let mut fillers: Vec<String> = profile.vague_fillers.iter().map(|f| name_key(f)).collect();
    fillers.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
    // Fillers are removed only as whole pieces between vague phrases.
    let pieces: Vec<String> = rest
        .split(' ')
        .map(|piece| {
            let mut p = piece.to_string();
            for f in &fillers {
                if !f.is_empty() {
                    p = p.replace(f.as_str(), "");
                }
            }
            p
        })
        .collect();
    pieces.iter().all(|p| p.is_empty()).then_some(hit)
}

/// True when the scope names one of the profile's extra processes.
fn names_extra_process(scope: &str, profile: &Profile) -> bool {
    let k = name_key(scope);
    profile
        .scope_extra_processes
        .iter()
        .map(|p| name_key(p))
        .any(|p| !p.is_empty() && k.contains(&p))
}

/// What every rule reads: the certificate, its evidence and the run's
/// context, with what is derived from them once (the profile that judges the
/// certificate, its dates, its number's body code).
struct Case<'a> {
    c: &'a Certificate,
    evidence: &'a BTreeMap<String, Evidence>,
    ctx: &'a RuleContext<'a>,
    profile: &'a Profile,
    number: Option<&'a str>,
    standard: Option<&'a str>,
    as_of: NaiveDate,
    expiry: Option<NaiveDate>,
    /// Age and validity count from the decision date, else the issue date:
    /// (date, its English name, its field).
    base: Option<(NaiveDate, &'static str, &'static str)>,
    body_code: Option<String>,
    /// The body certifies abroad (a snapshot cannot know it).
    foreign: bool,
    /// The registry's answer; `None` without a registry.
    body: Option<BodyLookup<'a>>,
    t: &'static Texts,
}

/// One rule: adds its findings (none when the certificate passes it).
type Rule = fn(&Case, &mut Findings);

/// The rules in the order they run, which is the order of their findings in
/// a record before the verdict sorts them by severity. SURVEILLANCE_OVERDUE
/// reads the findings of NO_SURVEILLANCE_SECTION and EXPIRED, so it runs
/// after both. DUPLICATE_CERTIFICATE_NUMBER compares records of the whole
/// run and is [`mark_duplicates`], not a rule of one certificate.
const RULES: &[(RuleCode, Rule)] = &[
    (RuleCode::ValidityOver3Years, validity_over_3_years),
    (RuleCode::NoSurveillanceSection, no_surveillance_section),
    (RuleCode::BodyNotRegistered, body_not_registered),
    (RuleCode::BodyCodeMismatch, body_code_mismatch),
    (RuleCode::BodyWithdrawn, body_withdrawn),
    (RuleCode::ScopeVague, scope_vague),
    (RuleCode::Expired, expired),
    (
        RuleCode::StandardTransitionExpired,
        standard_transition_expired,
    ),
    (RuleCode::OrganizationMismatch, organization_mismatch),
    (RuleCode::MissingField, missing_field),
    (RuleCode::CertificateNumberFormat, certificate_number_format),
    (RuleCode::UsccChecksum, uscc_checksum),
    (RuleCode::SurveillanceOverdue, surveillance_overdue),
    (RuleCode::LowConfidence, low_confidence),
    (
        RuleCode::SupplementaryModulesMissing,
        supplementary_modules_missing,
    ),
];

impl<'a> Case<'a> {
    fn new(
        c: &'a Certificate,
        evidence: &'a BTreeMap<String, Evidence>,
        ctx: &'a RuleContext<'a>,
    ) -> Case<'a> {
        let number = present(&c.certificate_number);
        let standard = present(&c.standard);
        let foreign = body_is_foreign(ctx.registry, c);
        let profile = ctx.rulebook.profile_for_body(standard, number, foreign);
        let decision = date(&c.decision_date);
        let issue = date(&c.issue_date);
        let body_code = number.and_then(|n| profile.body_code_of(n));
        Case {
            c,
            evidence,
            ctx,
            profile,
            number,
            standard,
            as_of: ctx.as_of,
            expiry: date(&c.expiry_date),
            base: decision
                .map(|d| (d, "decision date", "decision_date"))
                .or_else(|| issue.map(|d| (d, "issue date", "issue_date"))),
            body: body_lookup(c, ctx, profile, body_code.as_deref()),
            body_code,
            foreign,
            t: Texts::bundled(),
        }
    }
}

/// Applies the rules of the certificate's profile to one certificate.
pub fn validate(
    c: &Certificate,
    evidence: &BTreeMap<String, Evidence>,
    ctx: &RuleContext,
) -> Validation {
    let case = Case::new(c, evidence, ctx);
    let mut f = Findings {
        profile: case.profile,
        list: Vec::new(),
    };
    for (_, rule) in RULES {
        rule(&case, &mut f);
    }
    let mut v = verdict(f.list);
    v.profile = Some(case.profile.name.clone());
    v
}

fn validity_over_3_years(k: &Case, f: &mut Findings) {
    let (Some(exp), Some((start, what, key))) = (k.expiry, k.base) else {
        return;
    };
    let years = k.profile.validity_max_years;
    let limit = add_months(start, years * 12);
    if exp > limit {
        f.add(
            RuleCode::ValidityOver3Years,
            &["expiry_date", key],
            msg(
                format!(
                    "expiry {exp} is {} after the {what} {start}; the longest validity is {} (until {limit})",
                    span_text(start, exp),
                    plural(years as i64, "year"),
                ),
                "default",
                vec![
                    ("expiry", exp.to_string()),
                    ("span", span_zh(start, exp)),
                    ("what", k.t.word(key).to_string()),
                    ("start", start.to_string()),
                    ("years", years.to_string()),
                    ("limit", limit.to_string()),
                ],
            ),
        );
    }
}

fn no_surveillance_section(k: &Case, f: &mut Findings) {
    let (c, profile) = (k.c, k.profile);
    let has_section =
        c.surveillance_section || (profile.surveillance_clause_counts && c.surveillance_clause);
    if !profile.surveillance_section_required || has_section {
        return;
    }
    let (en, variant) = if profile.surveillance_clause_counts {
        (
            "neither an annual surveillance record section nor a surveillance clause is printed",
            "neither",
        )
    } else if c.surveillance_clause {
        ("no annual surveillance record section is printed (only a surveillance clause, which this profile does not accept in its place)", "clause_only")
    } else {
        (
            "no annual surveillance record section is printed",
            "default",
        )
    };
    f.add(
        RuleCode::NoSurveillanceSection,
        &["surveillance_section"],
        msg(en.to_string(), variant, vec![]),
    );
}

/// The registry's answer for the certificate's body: what the certificate
/// prints of it, and the body found (SPEC §4 readings).
struct BodyLookup<'a> {
    registry: &'a Registry,
    approval: Option<&'a str>,
    name: Option<&'a str>,
    /// The number's body code, looked up only when the registry uses the same
    /// numbering (codes of the same length).
    code: Option<String>,
    found: Option<(&'a Body, BodyMatch)>,
}

fn body_lookup<'a>(
    c: &'a Certificate,
    ctx: &RuleContext<'a>,
    profile: &Profile,
    body_code: Option<&str>,
) -> Option<BodyLookup<'a>> {
    let reg = ctx.registry?;
    let approval = present(&c.certification_body.cnca_approval_number);
    let name = present(&c.certification_body.name);
    let code = body_code
        .filter(|code| {
            profile.compare_codes_of_other_length || reg.has_code_of_length(code.chars().count())
        })
        .map(str::to_string);
    Some(BodyLookup {
        registry: reg,
        approval,
        name,
        found: reg.find_body(approval, name, code.as_deref()),
        code,
    })
}

fn body_not_registered(k: &Case, f: &mut Findings) {
    let Some(b) = &k.body else { return };
    let reg = b.registry;
    // A body the bundled snapshot cannot know: one that certifies abroad.
    let known_foreign = reg.partial && k.foreign;
    if b.found.is_some() || known_foreign {
        return;
    }
    let (mut printed, mut printed_zh, mut fields) = (Vec::new(), Vec::new(), Vec::new());
    let part = |p: &str, args: Vec<(&str, String)>| {
        k.t.message_zh(RuleCode::BodyNotRegistered.as_str(), p, &args)
    };
    if let Some(n) = b.name {
        printed.push(format!("'{n}'"));
        printed_zh.push(part("part_name", vec![("name", n.to_string())]));
        fields.push("certification_body.name");
    }
    if let Some(a) = b.approval {
        printed.push(format!("approval number {a}"));
        printed_zh.push(part("part_approval", vec![("approval", a.to_string())]));
        fields.push("certification_body.cnca_approval_number");
    }
    if let Some(code) = &b.code {
        let n = k.number.unwrap_or("");
        printed.push(format!("body code {code} of number {n}"));
        printed_zh.push(part(
            "part_code",
            vec![("number", n.to_string()), ("code", code.to_string())],
        ));
        fields.push("certificate_number");
    }
    if fields.is_empty() {
        return;
    }
    let printed = printed.join(", ");
    let args = vec![
        ("printed", printed_zh.join(k.t.word("list_separator"))),
        ("count", reg.bodies.len().to_string()),
    ];
    if reg.partial {
        // The bundled snapshot lacks many real bodies: a review, not a
        // forgery (SPEC §4).
        f.add_at_most(
            RuleCode::BodyNotRegistered,
            Severity::NeedsReview,
            &fields,
            msg(
                format!(
                    "the certification body ({printed}) is not in the bundled snapshot of {} bodies: check the CNCA directory (or pass the current one with --registry)",
                    reg.bodies.len()
                ),
                "partial",
                args,
            ),
        );
    } else {
        f.add(
            RuleCode::BodyNotRegistered,
            &fields,
            msg(
                format!(
                    "the certification body ({printed}) is not in the registry of {} bodies",
                    reg.bodies.len()
                ),
                "default",
                args,
            ),
        );
    }
}

/// A registered body's name and approval number as findings print them
/// (English, Chinese).
fn registered(b: &Body) -> (&str, &str, &str) {
    let name = if b.name_zh.is_empty() {
        &b.name_en
    } else {
        &b.name_zh
    };
    if b.cnca_approval_number.is_empty() {
        (name, "no approval number", "无批准号")
    } else {
        (name, &b.cnca_approval_number, &b.cnca_approval_number)
    }
}

fn body_code_mismatch(k: &Case, f: &mut Findings) {
    let Some(BodyLookup {
        found: Some((b, how)),
        ..
    }) = k.body
    else {
        return;
    };
    let (Some(code), Some(n)) = (&k.body_code, k.number) else {
        return;
    };
    if how == BodyMatch::Code || b.body_code.is_empty() {
        return;
    }
    let comparable = k.profile.compare_codes_of_other_length
        || code.chars().count() == b.body_code.chars().count();
    if !comparable || *code == b.body_code {
        return;
    }
    let (reg_name, approval, approval_zh) = registered(b);
    f.add(
        RuleCode::BodyCodeMismatch,
        &["certificate_number", "certification_body.name"],
        msg(
            format!(
                "certificate number {n} begins with body code {code}, but the registry gives {reg_name} ({approval}) the code {}",
                b.body_code
            ),
            "default",
            vec![
                ("number", n.to_string()),
                ("code", code.to_string()),
                ("body", reg_name.to_string()),
                ("approval", approval_zh.to_string()),
                ("registered", b.body_code.clone()),
            ],
        ),
    );
}

fn body_withdrawn(k: &Case, f: &mut Findings) {
    let Some(BodyLookup {
        found: Some((b, _)),
        ..
    }) = k.body
    else {
        return;
    };
    if b.status != "suspended" && b.status != "withdrawn" {
        return;
    }
    let (reg_name, approval, approval_zh) = registered(b);
    f.add(
        RuleCode::BodyWithdrawn,
        &["certification_body.name"],
        msg(
            format!(
                "the registry lists the certification body {reg_name} ({approval}) as {}",
                b.status
            ),
            "default",
            vec![
                ("body", reg_name.to_string()),
                ("approval", approval_zh.to_string()),
                ("status", k.t.status(&b.status, Lang::Zh).to_string()),
            ],
        ),
    );
}

fn scope_vague(k: &Case, f: &mut Findings) {
    let Some(scope) = present(&k.c.scope) else {
        return;
    };
    let profile = k.profile;
    // A scope made only of vague phrases is vague even when a phrase is
    // also a vocabulary spelling (信息安全管理 on its own).
    let has_process = !k.c.scope_processes.is_empty() || names_extra_process(scope, profile);
    if let Some(phrases) = vague_only(scope, profile) {
        f.add(
            RuleCode::ScopeVague,
            &["scope"],
            msg(
                format!(
                    "the scope '{scope}' says only {} and names no concrete process (such as 事件管理, 变更管理, 云服务管理)",
                    phrases.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(" / ")
                ),
                "vague_only",
                vec![
                    ("scope", scope.to_string()),
                    ("phrases", phrases.iter().map(|p| format!("“{p}”")).collect::<Vec<_>>().join(k.t.word("list_separator"))),
                ],
            ),
        );
    } else if profile.scope_requires_process && !has_process {
        f.add(
            RuleCode::ScopeVague,
            &["scope"],
            msg(
                format!(
                    "the scope '{scope}' names no concrete process of the process vocabulary (such as 事件管理, 变更管理, 云服务管理)"
                ),
                "default",
                vec![("scope", scope.to_string())],
            ),
        );
    }
}

fn expired(k: &Case, f: &mut Findings) {
    let as_of = k.as_of;
    let Some(exp) = k.expiry.filter(|exp| *exp < as_of) else {
        return;
    };
    f.add(
        RuleCode::Expired,
        &["expiry_date"],
        msg(
            format!(
                "expiry {exp} is before the as-of date {as_of} (expired {} earlier)",
                span_text(exp, as_of)
            ),
            "default",
            vec![
                ("expiry", exp.to_string()),
                ("as_of", as_of.to_string()),
                ("span", span_zh(exp, as_of)),
            ],
        ),
    );
}

fn standard_transition_expired(k: &Case, f: &mut Findings) {
    let as_of = k.as_of;
    let Some(std) = k.standard else { return };
    let Some(tr) = k
        .profile
        .transitions
        .iter()
        .find(|t| t.standards.iter().any(|p| standard_matches(p, std)))
    else {
        return;
    };
    if as_of < tr.invalid_from {
        return;
    }
    let ended = tr.invalid_from.pred_opt().unwrap_or(tr.invalid_from);
    f.add(
        RuleCode::StandardTransitionExpired,
        &["standard"],
        msg(
            format!(
                "{std} certificates are invalid from {}{}; the as-of date is {as_of}",
                tr.invalid_from,
                tr.successor
                    .as_deref()
                    .map(|s| format!(" (transition to {s} ended {ended})"))
                    .unwrap_or_default()
            ),
            if tr.successor.is_some() {
                "successor"
            } else {
                "default"
            },
            vec![
                ("standard", std.to_string()),
                ("invalid_from", tr.invalid_from.to_string()),
                ("as_of", as_of.to_string()),
                ("successor", tr.successor.clone().unwrap_or_default()),
                ("ended", ended.to_string()),
            ],
        ),
    );
}

fn organization_mismatch(k: &Case, f: &mut Findings) {
    let c = k.c;
    let (Some(expected), Some(org)) = (k.ctx.expected_organization, present(&c.organization_name))
    else {
        return;
    };
    let want = name_key(expected);
    let same = name_key(org) == want
        || present(&c.organization_name_en)
            .map(|en| name_key(en) == want)
            .unwrap_or(false);
    if !want.is_empty() && !same {
        f.add(
            RuleCode::OrganizationMismatch,
            &["organization_name"],
            msg(
                format!("the certificate names '{org}', but the organisation expected for this input is '{expected}'"),
                "default",
                vec![("org", org.to_string()), ("expected", expected.to_string())],
            ),
        );
    }
}

fn missing_field(k: &Case, f: &mut Findings) {
    for field in &k.profile.required_fields {
        if let Some((what, true)) = missing(k.c, field) {
            // The evidence key(s) of the field ("decision_or_issue_date" is two).
            let keys: Vec<&str> = if field == "decision_or_issue_date" {
                vec!["decision_date", "issue_date"]
            } else {
                vec![field.as_str()]
            };
            f.add(
                RuleCode::MissingField,
                &keys,
                msg(
                    format!("the {what} could not be read (field {field})"),
                    "default",
                    vec![
                        ("field", field.to_string()),
                        ("field_name", k.t.field(field, Lang::Zh).to_string()),
                    ],
                ),
            );
        }
    }
    if let Some(until) = k.profile.transition_notice_required_until {
        if !k.c.transition_notice && k.as_of <= until {
            f.add(
                RuleCode::MissingField,
                &["transition_notice"],
                msg(
                    format!(
                        "the notice of the standard-transition deadline is not printed (field transition_notice; required until {until})"
                    ),
                    "transition_notice",
                    vec![("until", until.to_string())],
                ),
            );
        }
    }
}

fn certificate_number_format(k: &Case, f: &mut Findings) {
    let profile = k.profile;
    let Some(n) = k.number.filter(|n| !profile.number_pattern.is_match(n)) else {
        return;
    };
    f.add(
        RuleCode::CertificateNumberFormat,
        &["certificate_number"],
        msg(
            format!(
                "certificate number {n} ({}) does not fit the pattern of profile {}: {}",
                plural(n.chars().count() as i64, "character"),
                profile.name,
                profile.number_description
            ),
            "default",
            vec![
                ("number", n.to_string()),
                ("chars", n.chars().count().to_string()),
                ("profile", profile.name.clone()),
                ("description", profile.number_description.clone()),
            ],
        ),
    );
}

fn uscc_checksum(k: &Case, f: &mut Findings) {
    if let Some(m) = present(&k.c.unified_social_credit_code).and_then(uscc_problem) {
        f.add(RuleCode::UsccChecksum, &["unified_social_credit_code"], m);
    }
}

fn surveillance_overdue(k: &Case, f: &mut Findings) {
    if f.has(RuleCode::NoSurveillanceSection) || f.has(RuleCode::Expired) {
        return;
    }
    let Some((start, what, key)) = k.base else {
        return;
    };
    let (as_of, t) = (k.as_of, k.t);
    let months = k.profile.surveillance_interval_months;
    if as_of <= add_months(start, months) {
        return;
    }
    let from = sub_months(as_of, months);
    let audits: Vec<NaiveDate> =
        k.c.surveillance_audits
            .iter()
            .filter_map(|s| date(&Some(s.clone())))
            .collect();
    if audits.iter().any(|d| *d >= from && *d <= as_of) {
        return;
    }
    let list = audits.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    let (recorded, recorded_zh) = if audits.is_empty() {
        (
            "none is recorded".to_string(),
            t.message_zh(RuleCode::SurveillanceOverdue.as_str(), "none", &[]),
        )
    } else {
        (
            format!("the recorded ones ({}) are outside it", list.join(", ")),
            t.message_zh(
                RuleCode::SurveillanceOverdue.as_str(),
                "outside",
                &[("dates", list.join(t.word("list_separator")))],
            ),
        )
    };
    f.add(
        RuleCode::SurveillanceOverdue,
        &["surveillance_audits", key],
        msg(
            format!(
                "the certificate is {} old ({what} {start}) and needs a surveillance audit between {from} and {as_of}, but {recorded}; it may be suspended — ask for the latest surveillance notice",
                span_text(start, as_of)
            ),
            "default",
            vec![
                ("age", span_zh(start, as_of)),
                ("what", t.word(key).to_string()),
                ("start", start.to_string()),
                ("from", from.to_string()),
                ("as_of", as_of.to_string()),
                ("recorded", recorded_zh),
            ],
        ),
    );
}

fn low_confidence(k: &Case, f: &mut Findings) {
    if !k.ctx.ocr {
        return;
    }
    let profile = k.profile;
    for field in &profile.low_confidence_fields {
        let Some(e) = k.evidence.get(field) else {
            continue;
        };
        if e.confidence < profile.low_confidence_below {
            f.add(
                RuleCode::LowConfidence,
                &[field.as_str()],
                msg(
                    format!(
                        "{field} was read by OCR with confidence {:.0}, below {} (page {})",
                        e.confidence, profile.low_confidence_below, e.page
                    ),
                    "default",
                    vec![
                        ("field", field.to_string()),
                        ("field_name", k.t.field(field, Lang::Zh).to_string()),
                        ("confidence", format!("{:.0}", e.confidence)),
                        ("below", profile.low_confidence_below.to_string()),
                        ("page", e.page.to_string()),
                    ],
                ),
            );
        }
    }
}

fn supplementary_modules_missing(k: &Case, f: &mut Findings) {
    let profile = k.profile;
    let Some(std) = k.standard else { return };
    if !profile
        .supplementary_modules_apply_to
        .iter()
        .any(|p| standard_matches(p, std))
    {
        return;
    }
    let listed: BTreeSet<String> =
        k.c.supplementary_modules
            .iter()
            .map(|m| name_key(&to_simplified(m)))
            .collect();
    let absent: Vec<&str> = profile
        .supplementary_modules
        .iter()
        .filter(|m| !listed.contains(&name_key(&to_simplified(m))))
        .map(|m| m.as_str())
        .collect();
    if absent.is_empty() {
        return;
    }
    f.add(
        RuleCode::SupplementaryModulesMissing,
        &["supplementary_modules"],
        msg(
            format!(
                "the 2025 supplementary module{} {} {} not listed: the certificate does not apply to hybrid-cloud or smart-city projects",
                if absent.len() == 1 { "" } else { "s" },
                absent.join(", "),
                if absent.len() == 1 { "is" } else { "are" }
            ),
            "default",
            vec![("modules", absent.join(k.t.word("list_separator")))],
        ),
    );
}

/// Sets the certificate's body code as the profile that judges it defines
/// it, then validates it (the scan and `revalidate` both judge so).
pub fn judge(
    c: &mut Certificate,
    evidence: &BTreeMap<String, Evidence>,
    ctx: &RuleContext,
) -> Validation {
    let profile = ctx.rulebook.profile_for_body(
        c.standard.as_deref(),
        c.certificate_number.as_deref(),
        body_is_foreign(ctx.registry, c),
    );
    if let Some(n) = &c.certificate_number {
        c.body_code = profile.body_code_of(n);
    }
    validate(c, evidence, ctx)
}

/// Judges a line again under another rulebook, registry, manifest or as-of
/// date, from its fields alone (no page is read). Without a manifest, an
/// organisation mismatch found when the line was written (from a manifest or
/// a business licence in the package) is kept. The run-level duplicate rule
/// is applied afterwards over all lines ([`mark_duplicates`]).
pub fn rejudge(
    r: &mut Record,
    as_of: NaiveDate,
    rulebook: &Rulebook,
    registry: &Registry,
    manifest: Option<&crate::manifest::Manifest>,
) {
    if r.status != Status::Certificate {
        return;
    }
    let Some(c) = r.certificate.as_mut() else {
        return;
    };
    let kept_mismatch: Option<Finding> = if manifest.is_none() {
        r.validation.as_ref().and_then(|v| {
            v.findings
                .iter()
                .find(|f| f.code == RuleCode::OrganizationMismatch)
                .cloned()
        })
    } else {
        None
    };
    let ctx = RuleContext {
        as_of,
        rulebook,
        registry: Some(registry),
        expected_organization: manifest.and_then(|m| m.organization_for(&r.input)),
        ocr: r.text_source == Some(crate::page::TextSource::Ocr),
    };
    let mut v = judge(c, &r.evidence, &ctx);
    if let Some(f) = kept_mismatch {
        let profile_name = v.profile.clone();
        let mut findings = v.findings;
        if let Some(sev) = rulebook
            .profile_named(profile_name.as_deref().unwrap_or(""))
            .and_then(|p| p.severity(RuleCode::OrganizationMismatch))
        {
            findings.push(Finding { severity: sev, ..f });
        }
        v = verdict(findings);
        v.profile = profile_name;
    }
    r.validation = Some(v);
}

/// Run-level rule: after all documents, every record whose certificate_number is
/// shared with a record of a DIFFERENT organisation (names compared with
/// [`name_key`]) gets DUPLICATE_CERTIFICATE_NUMBER, naming the other inputs and
/// organisations, and its verdict recomputed. The same number for the same
/// organisation (a scan and a PDF of one certificate) is no duplicate; a record
/// whose organisation could not be read is flagged only when the group holds
/// two organisations. Idempotent: earlier DUPLICATE findings are replaced.
/// Returns every (number, organisations) claimed by more than one organisation.
pub fn mark_duplicates(records: &mut [Record], rulebook: &Rulebook) -> Vec<(String, Vec<String>)> {
    let mut flagged: BTreeMap<usize, Msg> = BTreeMap::new();
    let mut claimed = Vec::new();
    for (number, idx) in &number_groups(records) {
        let any = idx
            .iter()
            .any(|&i| idx.iter().any(|&j| different(&records[i], &records[j])));
        if !any {
            continue;
        }
        for &i in idx {
            if let Some(m) = duplicate_message(records, number, idx, i) {
                flagged.insert(i, m);
            }
        }
        let mut orgs: Vec<(String, String)> = Vec::new();
        for &i in idx {
            if let Some((k, o)) = org_of(&records[i]) {
                if !orgs.iter().any(|x| x.0 == k) {
                    orgs.push((k, o));
                }
            }
        }
        orgs.sort();
        claimed.push((number.clone(), orgs.into_iter().map(|o| o.1).collect()));
    }
    for (i, r) in records.iter_mut().enumerate() {
        if r.status == Status::Certificate {
            set_duplicate_finding(r, flagged.remove(&i), rulebook);
        }
    }
    claimed
}

/// Certificate number -> indexes of the certificate records carrying it.
fn number_groups(records: &[Record]) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if r.status != Status::Certificate {
            continue;
        }
        if let Some(n) = r
            .certificate
            .as_ref()
            .and_then(|c| present(&c.certificate_number))
        {
            groups.entry(n.to_string()).or_default().push(i);
        }
    }
    groups
}

/// A record's organisation: its comparison key and its name as printed.
fn org_of(r: &Record) -> Option<(String, String)> {
    let o = r
        .certificate
        .as_ref()
        .and_then(|c| present(&c.organization_name))?;
    let k = name_key(o);
    (!k.is_empty()).then(|| (k, o.to_string()))
}

fn uscc_of(r: &Record) -> Option<String> {
    r.certificate
        .as_ref()
        .and_then(|c| present(&c.unified_social_credit_code))
        .map(str::to_string)
}

/// Two records name different organisations when their names differ in the
/// same script; the Chinese and the English copy of one certificate
/// ("苏州睿朴麟…" and "Suzhou Raipiot …") cannot be compared by name, and
/// differ only when both print credit codes and the codes differ.
fn different(a: &Record, b: &Record) -> bool {
    let (Some((ka, na)), Some((kb, nb))) = (org_of(a), org_of(b)) else {
        return false;
    };
    if has_cjk(&na) == has_cjk(&nb) {
        return ka != kb;
    }
    matches!((uscc_of(a), uscc_of(b)), (Some(x), Some(y)) if x != y)
}

/// The DUPLICATE_CERTIFICATE_NUMBER message of record `i` of a group of
/// records sharing `number`: the other organisations that claim it.
fn duplicate_message(records: &[Record], number: &str, idx: &[usize], i: usize) -> Option<Msg> {
    let mut seen = BTreeSet::new();
    // A record whose organisation could not be read is flagged too when the
    // group holds two organisations.
    let unread = org_of(&records[i]).is_none();
    // In the order of their inputs, not of the lines: a run's lines come in
    // the order documents finish, and a merge of shards must say the same as
    // one run.
    let mut others: Vec<(String, String)> = idx
        .iter()
        .filter(|&&j| j != i && (unread || different(&records[i], &records[j])))
        .filter_map(|&j| org_of(&records[j]).map(|(_, o)| (o, records[j].input.clone())))
        .filter(|o| seen.insert(o.clone()))
        .collect();
    others.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    if others.is_empty() {
        return None;
    }
    let t = Texts::bundled();
    let en: Vec<String> = others
        .iter()
        .map(|(o, input)| format!("'{o}' in {input}"))
        .collect();
    let zh: Vec<String> = others
        .iter()
        .map(|(o, input)| {
            t.message_zh(
                DUPLICATE.as_str(),
                "part_other",
                &[("org", o.clone()), ("input", input.clone())],
            )
        })
        .collect();
    Some(msg(
        format!(
            "certificate number {number} is also claimed by {} in this run",
            en.join(", ")
        ),
        "default",
        vec![
            ("number", number.to_string()),
            ("others", zh.join(t.word("list_separator"))),
        ],
    ))
}

/// Puts the record's duplicate finding in (or takes an old one out, when
/// `message` is `None`) and judges it again by the profile that judged it.
fn set_duplicate_finding(r: &mut Record, message: Option<Msg>, rulebook: &Rulebook) {
    let had = r
        .validation
        .as_ref()
        .map(|v| v.findings.iter().any(|f| f.code == DUPLICATE))
        .unwrap_or(false);
    if !had && message.is_none() {
        return;
    }
    let c = r.certificate.as_ref();
    let judged_by = r.validation.as_ref().and_then(|v| v.profile.clone());
    let profile = judged_by
        .as_deref()
        .and_then(|n| rulebook.profile_named(n))
        .unwrap_or_else(|| {
            rulebook.profile_for(
                c.and_then(|c| present(&c.standard)),
                c.and_then(|c| present(&c.certificate_number)),
            )
        });
    let mut findings: Vec<Finding> = r
        .validation
        .take()
        .map(|v| v.findings)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.code != DUPLICATE)
        .collect();
    if let (Some(m), Some(severity)) = (message, profile.severity(DUPLICATE)) {
        findings.push(finding(
            DUPLICATE,
            severity,
            &["certificate_number", "organization_name"],
            m,
        ));
    }
    let mut v = verdict(findings);
    v.profile = Some(profile.name.clone());
    r.validation = Some(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Auditor, CertificationBody, Cnas, SCHEMA_VERSION};
    use crate::registry::Registry;

    const BUNDLED: &str = include_str!("../models/rules.toml");

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A seed certificate that passes every rule on 2026-03-01 with the bundled registry.
    fn good() -> Certificate {
        Certificate {
            standard: Some("ISO/IEC 20000-1:2018".into()),
            supplementary_modules: vec![
                "组织环境".into(),
                "服务组合管理".into(),
                "数字化运维看板".into(),
                "知识管理".into(),
            ],
            certificate_number: Some("CQC001202500ITS01".into()),
            body_code: Some("CQC001".into()),
            organization_name: Some("北京某某科技有限公司".into()),
            organization_name_en: None,
            unified_social_credit_code: Some("91371323760038087M".into()),
            address: Some("北京市海淀区某路1号".into()),
            scope: Some("向外部客户提供的事件管理、变更管理、云服务管理".into()),
            scope_processes: vec!["事件管理".into(), "变更管理".into(), "云服务管理".into()],
            certification_body: CertificationBody {
                name: Some("中国质量认证中心".into()),
                cnca_approval_number: Some("CNCA-R-2002-001".into()),
                name_en: None,
            },
            cnas: Cnas {
                mark: true,
                code: Some("CNAS C001-M".into()),
            },
            iaf_mark: true,
            auditor: Some(Auditor {
                name: Some("张三".into()),
                qualification_number: Some("2021-N1ITSMS-1234567".into()),
            }),
            initial_issue_date: Some("2025-06-01".into()),
            decision_date: Some("2025-06-01".into()),
            issue_date: Some("2025-06-01".into()),
            expiry_date: Some("2028-06-01".into()),
            surveillance_section: true,
            surveillance_clause: false,
            surveillance_audits: vec![],
            transition_notice: true,
        }
    }

    /// A certificate as real Chinese bodies print it (real-practice profile).
    fn real() -> Certificate {
        Certificate {
            standard: Some("ISO/IEC 20000-1:2018".into()),
            supplementary_modules: vec![],
            certificate_number: Some("00225ITS10097R1S".into()),
            body_code: Some("002".into()),
            organization_name: Some("北京某某科技有限公司".into()),
            scope: Some("向外部客户提供计算机信息系统集成的IT服务管理".into()),
            scope_processes: vec![],
            certification_body: CertificationBody {
                name: Some("方圆标志认证集团有限公司".into()),
                cnca_approval_number: None,
                name_en: None,
            },
            issue_date: Some("2025-06-01".into()),
            expiry_date: Some("2028-05-31".into()),
            surveillance_clause: true,
            ..Default::default()
        }
    }

    struct Env {
        rulebook: Rulebook,
        registry: Registry,
    }

    fn env() -> Env {
        Env {
            rulebook: Rulebook::bundled(),
            registry: Registry::bundled(),
        }
    }

    fn ctx<'a>(e: &'a Env, as_of: &str) -> RuleContext<'a> {
        RuleContext {
            as_of: d(as_of),
            rulebook: &e.rulebook,
            registry: Some(&e.registry),
            expected_organization: None,
            ocr: false,
        }
    }

    fn run(c: &Certificate, ctx: &RuleContext) -> Validation {
        validate(c, &BTreeMap::new(), ctx)
    }

    fn codes(v: &Validation) -> Vec<RuleCode> {
        v.findings.iter().map(|f| f.code).collect()
    }

    fn fires(v: &Validation, code: RuleCode) -> bool {
        v.findings.iter().any(|f| f.code == code)
    }

    fn msg(v: &Validation, code: RuleCode) -> &str {
        &v.findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{code} in {v:?}"))
            .message
    }

    #[test]
    fn good_certificates_are_valid() {
        let e = env();
        let v = run(&good(), &ctx(&e, "2026-03-01"));
        assert_eq!(v.verdict, Severity::Valid, "{v:?}");
        assert!(v.findings.is_empty());
        let v = run(&real(), &ctx(&e, "2026-03-01"));
        assert_eq!(v.verdict, Severity::Valid, "{v:?}");
    }

    #[test]
    fn verdict_order_and_finding_order() {
        let f = |code: RuleCode, severity| Finding {
            code,
            severity,
            message: String::new(),
            message_zh: String::new(),
            fields: vec![],
        };
        assert_eq!(verdict(vec![]).verdict, Severity::Valid);
        assert_eq!(
            verdict(vec![f(RuleCode::Expired, Severity::Limited)]).verdict,
            Severity::Limited
        );
        let v = verdict(vec![
            f(RuleCode::Expired, Severity::Limited),
            f(RuleCode::ScopeVague, Severity::NeedsReview),
            f(RuleCode::BodyNotRegistered, Severity::SuspectedForgery),
            f(RuleCode::UsccChecksum, Severity::Invalid),
            f(RuleCode::LowConfidence, Severity::NeedsReview),
        ]);
        assert_eq!(v.verdict, Severity::SuspectedForgery);
        assert_eq!(
            codes(&v),
            [
                RuleCode::BodyNotRegistered,
                RuleCode::UsccChecksum,
                RuleCode::ScopeVague,
                RuleCode::LowConfidence,
                RuleCode::Expired
            ]
        );
        assert_eq!(
            verdict(vec![
                f(RuleCode::Expired, Severity::Limited),
                f(RuleCode::UsccChecksum, Severity::Invalid)
            ])
            .verdict,
            Severity::Invalid
        );
        assert_eq!(
            verdict(vec![
                f(RuleCode::Expired, Severity::Limited),
                f(RuleCode::ScopeVague, Severity::NeedsReview)
            ])
            .verdict,
            Severity::NeedsReview
        );
        assert!(Severity::SuspectedForgery > Severity::Invalid);
        assert!(Severity::Invalid > Severity::NeedsReview);
        assert!(Severity::NeedsReview > Severity::Limited);
        assert!(Severity::Limited > Severity::Valid);
    }

    #[test]
    fn validity_over_3_years_boundary() {
        let e = env();
        let mut c = good();
        c.decision_date = Some("2026-02-28".into());
        c.issue_date = Some("2026-02-28".into());
        c.expiry_date = Some("2029-02-28".into());
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert!(!fires(&v, RuleCode::ValidityOver3Years), "{v:?}");
        c.expiry_date = Some("2029-03-01".into());
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(v.verdict, Severity::SuspectedForgery);
        assert!(msg(&v, RuleCode::ValidityOver3Years)
            .contains("expiry 2029-03-01 is 3 years 1 day after the decision date 2026-02-28"));
        c.expiry_date = Some("2029-06-30".into());
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert!(
            msg(&v, RuleCode::ValidityOver3Years).contains("3 years 4 months 2 days"),
            "{v:?}"
        );
        // No decision date: counted from the issue date.
        c.decision_date = None;
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert!(msg(&v, RuleCode::ValidityOver3Years).contains("issue date 2026-02-28"));
        // Leap day: 2024-02-29 + 3 years = 2027-02-28.
        c.issue_date = Some("2024-02-29".into());
        c.expiry_date = Some("2027-02-28".into());
        c.surveillance_audits = vec!["2026-01-10".into()];
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert!(!fires(&v, RuleCode::ValidityOver3Years), "{v:?}");
        c.expiry_date = Some("2027-03-01".into());
        assert!(fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::ValidityOver3Years
        ));
    }

    #[test]
    fn no_surveillance_section() {
        let e = env();
        let mut c = good();
        c.surveillance_section = false;
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::NoSurveillanceSection]);
        assert_eq!(v.verdict, Severity::SuspectedForgery);
        // The seed profile does not take a clause for the section ...
        c.surveillance_clause = true;
        assert!(fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::NoSurveillanceSection
        ));
        // ... the real-practice profile does.
        let mut r = real();
        assert!(!fires(
            &run(&r, &ctx(&e, "2026-03-01")),
            RuleCode::NoSurveillanceSection
        ));
        r.surveillance_clause = false;
        assert!(fires(
            &run(&r, &ctx(&e, "2026-03-01")),
            RuleCode::NoSurveillanceSection
        ));
    }

    #[test]
    fn body_not_registered() {
        let e = env();
        let mut c = good();
        c.certification_body = CertificationBody {
            name: Some("某某国际认证有限公司".into()),
            cnca_approval_number: Some("CNCA-R-2099-999".into()),
            name_en: None,
        };
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::BodyNotRegistered]);
        assert!(msg(&v, RuleCode::BodyNotRegistered).contains("CNCA-R-2099-999"));
        // Near misses: found by name alone, by approval number alone, by a
        // traditional-script name; no registry at all.
        for body in [
            CertificationBody {
                name: Some("中国质量认证中心".into()),
                cnca_approval_number: Some("CNCA-R-2099-999".into()),
                name_en: None,
            },
            CertificationBody {
                name: Some("某某国际认证有限公司".into()),
                cnca_approval_number: Some("CNCA-R-2002-001".into()),
                name_en: None,
            },
            CertificationBody {
                name: Some("中國質量認證中心".into()),
                cnca_approval_number: None,
                name_en: None,
            },
        ] {
            c.certification_body = body;
            let v = run(&c, &ctx(&e, "2026-03-01"));
            assert!(!fires(&v, RuleCode::BodyNotRegistered), "{v:?}");
        }
        c.certification_body = CertificationBody {
            name: Some("某某国际认证有限公司".into()),
            cnca_approval_number: Some("CNCA-R-2099-999".into()),
            name_en: None,
        };
        let mut x = ctx(&e, "2026-03-01");
        x.registry = None;
        assert!(!fires(&run(&c, &x), RuleCode::BodyNotRegistered));
        // Real practice: found by the number's 3-digit code alone.
        let mut r = real();
        r.certification_body.name = None;
        let v = run(&r, &ctx(&e, "2026-03-01"));
        assert!(!fires(&v, RuleCode::BodyNotRegistered), "{v:?}");
        r.certificate_number = Some("99925ITS10097R1S".into());
        let v = run(&r, &ctx(&e, "2026-03-01"));
        assert!(
            msg(&v, RuleCode::BodyNotRegistered).contains("body code 999"),
            "{v:?}"
        );
    }

    #[test]
    fn body_code_mismatch() {
        let e = env();
        // Real practice: number 002… but printed body 中国质量认证中心 (001).
        let mut r = real();
        r.certification_body.name = Some("中国质量认证中心".into());
        let v = run(&r, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::BodyCodeMismatch]);
        assert!(
            msg(&v, RuleCode::BodyCodeMismatch).contains("body code 002")
                && msg(&v, RuleCode::BodyCodeMismatch).contains("code 001")
        );
        // Near miss: 方圆 is 002.
        assert!(!fires(
            &run(&real(), &ctx(&e, "2026-03-01")),
            RuleCode::BodyCodeMismatch
        ));
        // Seed profile with the 3-digit registry: 6-character codes are another numbering.
        assert!(!fires(
            &run(&good(), &ctx(&e, "2026-03-01")),
            RuleCode::BodyCodeMismatch
        ));
        // Seed profile with a registry in the seed's numbering.
        let reg = Registry::parse(
            "body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\nCQC001,中国质量认证中心,,CNCA-R-2002-001,,active\nABC123,某某认证有限公司,,CNCA-R-2002-999,,active\n",
            "r.csv",
        )
        .unwrap();
        let mut x = ctx(&e, "2026-03-01");
        x.registry = Some(&reg);
        assert!(!fires(&run(&good(), &x), RuleCode::BodyCodeMismatch));
        let mut c = good();
        c.certificate_number = Some("ABC123202500ITS01".into());
        let v = run(&c, &x);
        assert_eq!(codes(&v), [RuleCode::BodyCodeMismatch], "{v:?}");
        // Found only by the code: no mismatch possible.
        c.certification_body = CertificationBody::default();
        assert!(!fires(&run(&c, &x), RuleCode::BodyCodeMismatch));
    }

    #[test]
    fn body_withdrawn() {
        let e = env();
        let reg = Registry::parse(
            "body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\n001,中国质量认证中心,,CNCA-R-2002-001,,suspended\n002,方圆标志认证集团有限公司,,CNCA-R-2002-002,,withdrawn\n003,上海质量体系审核中心,,CNCA-R-2002-003,,active\n",
            "r.csv",
        )
        .unwrap();
        let mut x = ctx(&e, "2026-03-01");
        x.registry = Some(&reg);
        let v = run(&good(), &x);
        assert_eq!(codes(&v), [RuleCode::BodyWithdrawn]);
        assert!(msg(&v, RuleCode::BodyWithdrawn).contains("suspended"));
        assert_eq!(v.verdict, Severity::Invalid);
        assert!(msg(&run(&real(), &x), RuleCode::BodyWithdrawn).contains("withdrawn"));
        let mut c = good();
        c.certification_body = CertificationBody {
            name: Some("上海质量体系审核中心".into()),
            cnca_approval_number: Some("CNCA-R-2002-003".into()),
            name_en: None,
        };
        assert!(!fires(&run(&c, &x), RuleCode::BodyWithdrawn));
    }

    #[test]
    fn scope_vague() {
        let e = env();
        let mut c = good();
        for scope in [
            "IT服务",
            "IT 服务",
            "IT services",
            "信息技术服务",
            "IT服务 / IT services",
            "提供IT服务",
        ] {
            c.scope = Some(scope.into());
            c.scope_processes = vec![];
            let v = run(&c, &ctx(&e, "2026-03-01"));
            assert_eq!(codes(&v), [RuleCode::ScopeVague], "{scope}");
            assert_eq!(v.verdict, Severity::Invalid);
        }
        // Seed: no process of the vocabulary is vague too.
        c.scope = Some("软件开发".into());
        assert!(fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::ScopeVague
        ));
        // Near miss: a concrete process named beside the vague phrase.
        c.scope = Some("IT服务：事件管理".into());
        c.scope_processes = vec!["事件管理".into()];
        assert!(!fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::ScopeVague
        ));
        // Real practice: a described service is not vague, the bare phrase is.
        let r = real();
        assert!(!fires(
            &run(&r, &ctx(&e, "2026-03-01")),
            RuleCode::ScopeVague
        ));
        let mut r = real();
        r.scope = Some("IT服务管理".into());
        assert!(fires(
            &run(&r, &ctx(&e, "2026-03-01")),
            RuleCode::ScopeVague
        ));
        // extra_processes in an edited rulebook.
        let src = BUNDLED.replacen(
            "extra_processes = []",
            "extra_processes = [\"软件开发\"]",
            1,
        );
        let e2 = Env {
            rulebook: Rulebook::parse(&src, "edited").unwrap(),
            registry: Registry::bundled(),
        };
        c.scope = Some("软件开发".into());
        c.scope_processes = vec![];
        assert!(!fires(
            &run(&c, &ctx(&e2, "2026-03-01")),
            RuleCode::ScopeVague
        ));
    }

    #[test]
    fn expired_boundary() {
        let e = env();
        let c = good(); // expiry 2028-06-01
        let mut c2 = c.clone();
        c2.surveillance_audits = vec!["2028-01-01".into()];
        let v = run(&c2, &ctx(&e, "2028-06-01"));
        assert!(!fires(&v, RuleCode::Expired), "{v:?}");
        assert_eq!(v.verdict, Severity::Valid, "{v:?}");
        let v = run(&c2, &ctx(&e, "2028-06-02"));
        assert_eq!(codes(&v), [RuleCode::Expired]);
        assert!(msg(&v, RuleCode::Expired)
            .contains("expiry 2028-06-01 is before the as-of date 2028-06-02"));
        assert!(!fires(&run(&c, &ctx(&e, "2028-05-31")), RuleCode::Expired));
    }

    #[test]
    fn standard_transition_expired() {
        let e = env();
        let mut c = good();
        c.standard = Some("ISO/IEC 20000-1:2011".into());
        let v = run(&c, &ctx(&e, "2026-01-01"));
        assert_eq!(codes(&v), [RuleCode::StandardTransitionExpired]);
        assert!(msg(&v, RuleCode::StandardTransitionExpired).contains("2026-01-01"));
        let v = run(&c, &ctx(&e, "2025-12-31"));
        assert!(!fires(&v, RuleCode::StandardTransitionExpired), "{v:?}");
        // 2018 never.
        assert!(!fires(
            &run(&good(), &ctx(&e, "2027-01-01")),
            RuleCode::StandardTransitionExpired
        ));
    }

    #[test]
    fn iso27001_profile() {
        let e = env();
        let mut c = good();
        c.standard = Some("ISO/IEC 27001:2013".into());
        c.supplementary_modules = vec![];
        c.scope = Some("与计算机软件开发相关的信息安全管理活动".into());
        c.scope_processes = vec!["信息安全管理".into()];
        c.decision_date = Some("2024-06-01".into());
        c.issue_date = Some("2024-06-01".into());
        c.expiry_date = Some("2027-06-01".into());
        c.surveillance_audits = vec!["2025-05-20".into()];
        assert_eq!(
            e.rulebook
                .profile_for(c.standard.as_deref(), c.certificate_number.as_deref())
                .name,
            "iso27001"
        );
        // Last valid day 2025-10-31; no supplementary modules asked for.
        let v = run(&c, &ctx(&e, "2025-10-31"));
        assert_eq!(v.verdict, Severity::Valid, "{v:?}");
        let v = run(&c, &ctx(&e, "2025-11-01"));
        assert_eq!(codes(&v), [RuleCode::StandardTransitionExpired]);
        c.standard = Some("ISO/IEC 27001:2022".into());
        assert_eq!(run(&c, &ctx(&e, "2025-11-01")).verdict, Severity::Valid);
        // Its own vague-scope rule: only the bare phrase is vague.
        c.scope = Some("信息安全管理".into());
        assert!(fires(
            &run(&c, &ctx(&e, "2025-11-01")),
            RuleCode::ScopeVague
        ));
    }

    #[test]
    fn real_practice_profile() {
        let e = env();
        let r = real();
        assert_eq!(
            e.rulebook
                .profile_for(r.standard.as_deref(), r.certificate_number.as_deref())
                .name,
            "cn_real_practice"
        );
        // Expiry = issue + 36 months - 1 day; no auditor, no approval number, no
        // CNAS, no modules printed: all fine under real practice.
        assert_eq!(run(&r, &ctx(&e, "2026-03-01")).verdict, Severity::Valid);
        // 20000-1:2011 ended 2021-09-30 in real practice.
        let mut old = real();
        old.standard = Some("ISO/IEC 20000-1:2011".into());
        assert!(!fires(
            &run(&old, &ctx(&e, "2021-09-30")),
            RuleCode::StandardTransitionExpired
        ));
        assert!(fires(
            &run(&old, &ctx(&e, "2021-10-01")),
            RuleCode::StandardTransitionExpired
        ));
        // Surveillance overdue after 12 months without a notice.
        let v = run(&r, &ctx(&e, "2026-06-02"));
        assert_eq!(codes(&v), [RuleCode::SurveillanceOverdue], "{v:?}");
        // The same certificate under the seed profile (select rule switched off).
        let src = BUNDLED.replacen("enabled = true", "enabled = false", 1);
        let e2 = Env {
            rulebook: Rulebook::parse(&src, "edited").unwrap(),
            registry: Registry::bundled(),
        };
        let v = run(&r, &ctx(&e2, "2026-03-01"));
        assert_eq!(v.verdict, Severity::SuspectedForgery);
        for code in [
            RuleCode::NoSurveillanceSection,
            RuleCode::CertificateNumberFormat,
            RuleCode::MissingField,
            RuleCode::SupplementaryModulesMissing,
            RuleCode::ScopeVague,
        ] {
            assert!(fires(&v, code), "{code}: {v:?}");
        }
    }

    #[test]
    fn organization_mismatch() {
        let e = env();
        let mut x = ctx(&e, "2026-03-01");
        x.expected_organization = Some("上海另一家公司");
        let v = run(&good(), &x);
        assert_eq!(codes(&v), [RuleCode::OrganizationMismatch]);
        assert!(msg(&v, RuleCode::OrganizationMismatch).contains("上海另一家公司"));
        // Near misses: traditional script, spaces, full-width brackets alike.
        let mut c = good();
        c.organization_name = Some("北京某某科技（集团）有限公司".into());
        for same in [
            "北京某某科技(集团)有限公司",
            "北京 某某 科技 （集團） 有限公司",
        ] {
            x.expected_organization = Some(same);
            assert!(
                !fires(&run(&c, &x), RuleCode::OrganizationMismatch),
                "{same}"
            );
        }
        x.expected_organization = None;
        assert!(!fires(&run(&c, &x), RuleCode::OrganizationMismatch));
    }

    #[test]
    fn missing_field_one_per_field() {
        let e = env();
        let full = run(&good(), &ctx(&e, "2026-03-01"));
        assert!(!fires(&full, RuleCode::MissingField));
        let c = Certificate {
            standard: Some("ISO/IEC 20000-1:2018".into()),
            transition_notice: true,
            surveillance_section: true,
            ..Default::default()
        };
        let v = run(&c, &ctx(&e, "2026-03-01"));
        let fields: Vec<&str> = v
            .findings
            .iter()
            .filter(|f| f.code == RuleCode::MissingField)
            .map(|f| {
                f.message
                    .rsplit("(field ")
                    .next()
                    .unwrap()
                    .trim_end_matches(')')
            })
            .collect();
        assert_eq!(
            fields,
            [
                "certificate_number",
                "organization_name",
                "scope",
                "certification_body.name",
                "certification_body.cnca_approval_number",
                "cnas.mark",
                "cnas.code",
                "auditor.name",
                "auditor.qualification_number",
                "expiry_date",
                "decision_or_issue_date"
            ]
        );
        assert_eq!(v.verdict, Severity::NeedsReview);
        // Each single field, with its name in the message.
        let mut c = good();
        c.auditor.as_mut().unwrap().qualification_number = None;
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::MissingField]);
        assert!(msg(&v, RuleCode::MissingField).contains("auditor's qualification number"));
        // The issue date stands in for a missing decision date.
        let mut c = good();
        c.decision_date = None;
        assert!(!fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::MissingField
        ));
        c.issue_date = None;
        assert!(
            msg(&run(&c, &ctx(&e, "2026-03-01")), RuleCode::MissingField).contains("decision date")
        );
        // An empty string is missing too.
        let mut c = good();
        c.cnas.code = Some(" ".into());
        assert!(
            msg(&run(&c, &ctx(&e, "2026-03-01")), RuleCode::MissingField)
                .contains("CNAS accreditation code")
        );
    }

    #[test]
    fn transition_notice_only_until_the_deadline() {
        let e = env();
        let mut c = good();
        c.transition_notice = false;
        c.decision_date = Some("2025-03-01".into());
        c.issue_date = Some("2025-03-01".into());
        c.expiry_date = Some("2028-03-01".into());
        let v = run(&c, &ctx(&e, "2025-12-31"));
        assert!(
            msg(&v, RuleCode::MissingField).contains("transition_notice"),
            "{v:?}"
        );
        let v = run(&c, &ctx(&e, "2026-01-01"));
        assert!(!fires(&v, RuleCode::MissingField), "{v:?}");
    }

    #[test]
    fn certificate_number_format() {
        let e = env();
        let mut c = good();
        c.certificate_number = Some("CQC001202500ITS1".into()); // 16 characters
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::CertificateNumberFormat]);
        assert!(msg(&v, RuleCode::CertificateNumberFormat).contains("16 characters"));
        c.certificate_number = Some("CQC001202500ITS012".into()); // 18
        assert!(fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::CertificateNumberFormat
        ));
        c.certificate_number = Some("CQC001202500ITS01".into()); // 17
        assert!(!fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::CertificateNumberFormat
        ));
        // Real practice: the real pattern.
        let mut r = real();
        assert!(!fires(
            &run(&r, &ctx(&e, "2026-03-01")),
            RuleCode::CertificateNumberFormat
        ));
        r.certificate_number = Some("00225ITS10097R1S/12".into());
        // Does not match the select rule any more: seed profile, 19 characters.
        assert!(fires(
            &run(&r, &ctx(&e, "2026-03-01")),
            RuleCode::CertificateNumberFormat
        ));
    }

    #[test]
    fn uscc_checksum() {
        let e = env();
        let mut c = good();
        c.unified_social_credit_code = Some("91371323760038087N".into());
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::UsccChecksum]);
        assert!(msg(&v, RuleCode::UsccChecksum).contains("'M'"));
        c.unified_social_credit_code = Some("9137132376003808".into());
        assert!(
            msg(&run(&c, &ctx(&e, "2026-03-01")), RuleCode::UsccChecksum).contains("16 characters")
        );
        c.unified_social_credit_code = Some("9137132376003808IM".into());
        assert!(msg(&run(&c, &ctx(&e, "2026-03-01")), RuleCode::UsccChecksum).contains("'I'"));
        c.unified_social_credit_code = None;
        assert!(!fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::UsccChecksum
        ));
    }

    #[test]
    fn surveillance_overdue_boundaries() {
        let e = env();
        let c = good(); // decision 2025-06-01, no audits
                        // Exactly 12 months old: not over.
        assert!(!fires(
            &run(&c, &ctx(&e, "2026-06-01")),
            RuleCode::SurveillanceOverdue
        ));
        let v = run(&c, &ctx(&e, "2026-06-02"));
        assert_eq!(codes(&v), [RuleCode::SurveillanceOverdue]);
        assert!(msg(&v, RuleCode::SurveillanceOverdue).contains("decision date 2025-06-01"));
        assert_eq!(v.verdict, Severity::NeedsReview);
        // An audit exactly at as-of - 12 months counts; one day earlier does not.
        let mut c2 = c.clone();
        c2.surveillance_audits = vec!["2025-06-02".into()];
        assert!(!fires(
            &run(&c2, &ctx(&e, "2026-06-02")),
            RuleCode::SurveillanceOverdue
        ));
        c2.surveillance_audits = vec!["2025-06-01".into()];
        assert!(msg(
            &run(&c2, &ctx(&e, "2026-06-02")),
            RuleCode::SurveillanceOverdue
        )
        .contains("2025-06-01"));
        // An audit after the as-of date does not count.
        c2.surveillance_audits = vec!["2026-06-03".into()];
        assert!(fires(
            &run(&c2, &ctx(&e, "2026-06-02")),
            RuleCode::SurveillanceOverdue
        ));
        // Not with NO_SURVEILLANCE_SECTION or EXPIRED.
        let mut c3 = c.clone();
        c3.surveillance_section = false;
        let v = run(&c3, &ctx(&e, "2026-06-02"));
        assert_eq!(codes(&v), [RuleCode::NoSurveillanceSection]);
        let v = run(&c, &ctx(&e, "2028-06-02"));
        assert_eq!(codes(&v), [RuleCode::Expired]);
        // Issue date when no decision date.
        let mut c4 = c.clone();
        c4.decision_date = None;
        assert!(msg(
            &run(&c4, &ctx(&e, "2026-06-02")),
            RuleCode::SurveillanceOverdue
        )
        .contains("issue date 2025-06-01"));
    }

    #[test]
    fn low_confidence_on_ocr_only() {
        let e = env();
        let ev = |conf: f32| Evidence {
            page: 1,
            bbox: [0, 0, 10, 10],
            confidence: conf,
        };
        let mut evidence = BTreeMap::new();
        evidence.insert("certificate_number".to_string(), ev(42.0));
        evidence.insert("expiry_date".to_string(), ev(60.0));
        evidence.insert("address".to_string(), ev(10.0)); // no rule depends on it
        let mut x = ctx(&e, "2026-03-01");
        x.ocr = true;
        let v = validate(&good(), &evidence, &x);
        assert_eq!(codes(&v), [RuleCode::LowConfidence], "{v:?}");
        assert!(
            msg(&v, RuleCode::LowConfidence).contains("certificate_number")
                && msg(&v, RuleCode::LowConfidence).contains("42")
        );
        x.ocr = false;
        assert!(!fires(
            &validate(&good(), &evidence, &x),
            RuleCode::LowConfidence
        ));
    }

    #[test]
    fn supplementary_modules_missing() {
        let e = env();
        let mut c = good();
        c.supplementary_modules = vec!["组织环境".into(), "服务组合管理".into(), "知识管理".into()];
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert_eq!(codes(&v), [RuleCode::SupplementaryModulesMissing]);
        assert!(msg(&v, RuleCode::SupplementaryModulesMissing).contains("数字化运维看板"));
        assert_eq!(v.verdict, Severity::Limited);
        // 2018 only: a 2011 certificate before the deadline is not asked for modules.
        c.standard = Some("ISO/IEC 20000-1:2011".into());
        c.supplementary_modules = vec![];
        assert!(!fires(
            &run(&c, &ctx(&e, "2025-12-31")),
            RuleCode::SupplementaryModulesMissing
        ));
        // Traditional script counts.
        let mut c = good();
        c.supplementary_modules = vec![
            "組織環境".into(),
            "服務組合管理".into(),
            "數字化運維看板".into(),
            "知識管理".into(),
        ];
        assert!(!fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::SupplementaryModulesMissing
        ));
    }

    #[test]
    fn edited_rulebook_changes_the_verdict() {
        let mut c = good();
        c.supplementary_modules.pop();
        let e = env();
        assert_eq!(run(&c, &ctx(&e, "2026-03-01")).verdict, Severity::Limited);
        let src = BUNDLED.replacen(
            "SUPPLEMENTARY_MODULES_MISSING = \"limited\"",
            "SUPPLEMENTARY_MODULES_MISSING = \"needs_review\"",
            1,
        );
        let e2 = Env {
            rulebook: Rulebook::parse(&src, "edited").unwrap(),
            registry: Registry::bundled(),
        };
        assert_eq!(
            run(&c, &ctx(&e2, "2026-03-01")).verdict,
            Severity::NeedsReview
        );
        // Switched off.
        let src = BUNDLED.replacen(
            "SUPPLEMENTARY_MODULES_MISSING = \"limited\"",
            "SUPPLEMENTARY_MODULES_MISSING = \"off\"",
            1,
        );
        let e3 = Env {
            rulebook: Rulebook::parse(&src, "edited").unwrap(),
            registry: Registry::bundled(),
        };
        assert_eq!(run(&c, &ctx(&e3, "2026-03-01")).verdict, Severity::Valid);
        // Validity years: 3 years 1 day passes with max_years = 4.
        let mut c = good();
        c.expiry_date = Some("2028-06-02".into());
        assert_eq!(
            run(&c, &ctx(&e, "2026-03-01")).verdict,
            Severity::SuspectedForgery
        );
        let src = BUNDLED.replacen("max_years = 3", "max_years = 4", 1);
        let e4 = Env {
            rulebook: Rulebook::parse(&src, "edited").unwrap(),
            registry: Registry::bundled(),
        };
        assert_eq!(run(&c, &ctx(&e4, "2026-03-01")).verdict, Severity::Valid);
        // Transition date moved.
        let mut c = good();
        c.standard = Some("ISO/IEC 20000-1:2011".into());
        let src = BUNDLED.replacen("invalid_from = 2026-01-01", "invalid_from = 2027-01-01", 1);
        let e5 = Env {
            rulebook: Rulebook::parse(&src, "edited").unwrap(),
            registry: Registry::bundled(),
        };
        assert!(fires(
            &run(&c, &ctx(&e, "2026-03-01")),
            RuleCode::StandardTransitionExpired
        ));
        assert!(!fires(
            &run(&c, &ctx(&e5, "2026-03-01")),
            RuleCode::StandardTransitionExpired
        ));
    }

    fn record(input: &str, number: &str, org: &str) -> Record {
        let e = env();
        let mut c = good();
        c.certificate_number = Some(number.into());
        c.organization_name = Some(org.into());
        let validation = Some(run(&c, &ctx(&e, "2026-03-01")));
        Record {
            schema_version: SCHEMA_VERSION,
            input: input.into(),
            sha256: None,
            pages: vec![1],
            status: Status::Certificate,
            error: None,
            text_source: None,
            ocr_confidence: None,
            certificate: Some(c),
            evidence: BTreeMap::new(),
            validation,
            page_sizes: vec![],
            run: None,
        }
    }

    /// Every finding carries its Chinese message (no placeholder left) and
    /// the fields it rests on.
    #[test]
    fn findings_speak_chinese_and_name_their_fields() {
        let e = env();
        let mut c = good();
        c.expiry_date = Some("2025-01-01".into());
        c.scope = Some("IT服务".into());
        c.scope_processes.clear();
        c.unified_social_credit_code = Some("91350100M000100Y4A".into());
        c.certificate_number = Some("SHORT1".into());
        c.surveillance_section = false;
        c.supplementary_modules.clear();
        let v = run(&c, &ctx(&e, "2026-03-01"));
        assert!(v.findings.len() >= 5, "{v:?}");
        assert_eq!(v.verdict_zh, "疑似伪造");
        for f in &v.findings {
            assert!(!f.message_zh.is_empty(), "{f:?}");
            assert!(!f.message_zh.contains('{'), "placeholder left: {f:?}");
            assert!(!f.fields.is_empty(), "{f:?}");
        }
        let exp = v
            .findings
            .iter()
            .find(|f| f.code == RuleCode::Expired)
            .unwrap();
        assert_eq!(exp.fields, vec!["expiry_date"]);
        assert!(exp.message_zh.contains("2025-01-01"), "{}", exp.message_zh);
        assert!(
            exp.message_zh.contains("已过期1年2个月"),
            "{}",
            exp.message_zh
        );
        let mut recs = vec![
            record("a.pdf", "X1", "甲公司"),
            record("b.pdf", "X1", "乙公司"),
        ];
        let dups = rb_mark(&mut recs, &Rulebook::bundled());
        assert_eq!(dups.len(), 1);
        let d = recs[0]
            .validation
            .as_ref()
            .unwrap()
            .findings
            .iter()
            .find(|f| f.code == DUPLICATE)
            .unwrap();
        assert!(
            d.message_zh.contains("乙公司") && d.message_zh.contains("b.pdf"),
            "{d:?}"
        );
        assert_eq!(d.fields, vec!["certificate_number", "organization_name"]);
    }

    #[test]
    fn duplicates_across_organisations() {
        let rb = Rulebook::bundled();
        let mut recs = vec![
            record("a.pdf", "CQC001202500ITS01", "北京某某科技有限公司"),
            record("b.pdf", "CQC001202500ITS01", "上海另一家公司"),
            record("c.png", "CQC001202500ITS01", "北京 某某 科技 有限公司"), // same org as a.pdf
            record("d.pdf", "CQC001202500ITS02", "北京某某科技有限公司"),
            record("e.pdf", "CQC001202500ITS02", "北京某某科技有限公司"), // same org twice: no duplicate
        ];
        let claimed = rb_mark(&mut recs, &rb);
        assert_eq!(
            claimed,
            vec![(
                "CQC001202500ITS01".to_string(),
                vec![
                    "上海另一家公司".to_string(),
                    "北京某某科技有限公司".to_string()
                ]
            )]
        );
        for r in &recs[..3] {
            let v = r.validation.as_ref().unwrap();
            assert_eq!(v.verdict, Severity::SuspectedForgery, "{}", r.input);
            assert_eq!(v.findings.iter().filter(|f| f.code == DUPLICATE).count(), 1);
        }
        let m = msg(recs[0].validation.as_ref().unwrap(), DUPLICATE);
        assert!(
            m.contains("b.pdf") && m.contains("上海另一家公司") && !m.contains("c.png"),
            "{m}"
        );
        let m = msg(recs[1].validation.as_ref().unwrap(), DUPLICATE);
        assert!(m.contains("a.pdf") && m.contains("c.png"), "{m}");
        for r in &recs[3..] {
            assert_eq!(
                r.validation.as_ref().unwrap().verdict,
                Severity::Valid,
                "{}",
                r.input
            );
        }
        // Idempotent.
        let before = recs.clone();
        let again = rb_mark(&mut recs, &rb);
        assert_eq!(recs, before);
        assert_eq!(again, claimed);
        // A group that stops being one (a resumed run re-reads a corrected line) is cleared.
        recs[1].certificate.as_mut().unwrap().organization_name =
            Some("北京某某科技有限公司".into());
        assert!(rb_mark(&mut recs, &rb).is_empty());
        assert!(recs
            .iter()
            .all(|r| r.validation.as_ref().unwrap().verdict == Severity::Valid));
    }

    fn rb_mark(recs: &mut [Record], rb: &Rulebook) -> Vec<(String, Vec<String>)> {
        mark_duplicates(recs, rb)
    }

    #[test]
    fn duplicates_skip_unreadable_organisations_and_other_lines() {
        let rb = Rulebook::bundled();
        let mut no_org = record("x.pdf", "CQC001202500ITS01", "北京某某科技有限公司");
        no_org.certificate.as_mut().unwrap().organization_name = None;
        let mut err = Record::error(
            "bad.pdf",
            None,
            crate::error::DocError::new(crate::error::ErrorCode::Corrupt, "x"),
        );
        err.validation = None;
        let mut recs = vec![
            no_org,
            record("a.pdf", "CQC001202500ITS01", "北京某某科技有限公司"),
            err,
        ];
        assert!(mark_duplicates(&mut recs, &rb).is_empty());
        assert!(!fires(recs[0].validation.as_ref().unwrap(), DUPLICATE));
        recs.push(record("b.pdf", "CQC001202500ITS01", "上海另一家公司"));
        assert_eq!(mark_duplicates(&mut recs, &rb).len(), 1);
        // The unreadable-organisation record is flagged too: the group holds two organisations.
        assert!(fires(recs[0].validation.as_ref().unwrap(), DUPLICATE));
        assert!(recs[2].validation.is_none());
    }

    /// The table has one rule per code (duplicates are judged across
    /// records), and a rule adds only findings of its own code.
    #[test]
    fn one_rule_per_code() {
        for code in RuleCode::ALL {
            let n = RULES.iter().filter(|(c, _)| *c == code).count();
            assert_eq!(n, usize::from(code != DUPLICATE), "{code:?}");
        }
        let e = env();
        let ctx = ctx(&e, "2031-01-01");
        let mut bad = good();
        bad.certificate_number = Some("X".into());
        bad.unified_social_credit_code = Some("91110000000000000X".into());
        bad.scope = Some("IT服务".into());
        bad.surveillance_section = false;
        bad.certification_body.name = Some("某某认证公司".into());
        for c in [good(), real(), bad] {
            let evidence = BTreeMap::new();
            let case = Case::new(&c, &evidence, &ctx);
            let mut fired = 0;
            for (code, rule) in RULES {
                let mut f = Findings {
                    profile: case.profile,
                    list: Vec::new(),
                };
                rule(&case, &mut f);
                fired += f.list.len();
                assert!(f.list.iter().all(|x| x.code == *code), "{code:?}");
            }
            assert!(fired > 0);
        }
    }

    #[test]
    fn span_texts() {
        assert_eq!(
            span_text(d("2026-02-28"), d("2029-06-30")),
            "3 years 4 months 2 days"
        );
        assert_eq!(span_text(d("2026-02-28"), d("2029-03-01")), "3 years 1 day");
        assert_eq!(span_text(d("2025-01-31"), d("2025-02-28")), "1 month");
        assert_eq!(span_text(d("2025-01-15"), d("2025-02-14")), "30 days");
        assert_eq!(span_text(d("2025-01-01"), d("2026-01-01")), "1 year");
        assert_eq!(span_text(d("2025-01-01"), d("2025-01-01")), "0 days");
    }
}
