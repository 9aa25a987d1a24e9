//! Texts for people (`models/texts.toml`): the Chinese and English names of
//! verdicts, rules, fields and statuses, and the Chinese message templates of
//! the findings. Validation fills `verdict_zh` and `message_zh` from it; the
//! report, `certscan rules --lang zh` and the run summary read it. A leaf: it
//! imports no stage.

use crate::model::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Every verdict a screener meets, mildest first (`not_submitted` only in
/// reports: no certificate of a required standard).
pub const VERDICT_KEYS: [&str; 6] = [
    "valid",
    "limited",
    "needs_review",
    "invalid",
    "suspected_forgery",
    "not_submitted",
];

/// The language of a report or listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Debug, Deserialize)]
struct Pair {
    zh: String,
    en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdict {
    zh: String,
    en: String,
    advice_zh: String,
    advice_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    zh: String,
    en: String,
    messages_zh: BTreeMap<String, String>,
}

/// The texts file, parsed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    verdict: BTreeMap<String, Verdict>,
    status: BTreeMap<String, Pair>,
    field: BTreeMap<String, Pair>,
    rule: BTreeMap<String, Rule>,
    words: BTreeMap<String, String>,
}

/// Replaces each `{name}` of `template` by its value in `args`; a name without
/// a value stays as written.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl Texts {
    pub fn parse(src: &str, origin: &str) -> Result<Texts, String> {
        toml::from_str(src).map_err(|e| format!("{origin}: {e}"))
    }

    /// The bundled `models/texts.toml`.
    pub fn bundled() -> &'static Texts {
        static T: OnceLock<Texts> = OnceLock::new();
        T.get_or_init(|| {
            Texts::parse(include_str!("../models/texts.toml"), "models/texts.toml")
                .expect("models/texts.toml parses (tested)")
        })
    }

    fn verdict_entry(&self, key: &str) -> Option<&Verdict> {
        self.verdict.get(key)
    }

    /// A verdict's name: "有效" / "valid".
    pub fn verdict(&self, sev: Severity, lang: Lang) -> &str {
        self.verdict_key(sev.as_str(), lang)
    }

    /// A verdict's name by key (`valid` ... `suspected_forgery`, `not_submitted`).
    pub fn verdict_key<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        match (self.verdict_entry(key), lang) {
            (Some(v), Lang::Zh) => &v.zh,
            (Some(v), Lang::En) => &v.en,
            (None, _) => key,
        }
    }

    /// What a screener does with a verdict.
    pub fn advice<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        match (self.verdict_entry(key), lang) {
            (Some(v), Lang::Zh) => &v.advice_zh,
            (Some(v), Lang::En) => &v.advice_en,
            (None, _) => "",
        }
    }

    /// A rule's short name.
    pub fn rule<'a>(&'a self, code: &'a str, lang: Lang) -> &'a str {
        match (self.rule.get(code), lang) {
            (Some(r), Lang::Zh) => &r.zh,
            (Some(r), Lang::En) => &r.en,
            (None, _) => code,
        }
    }

    /// A field's name ("证书编号" / "certificate number").
    pub fn field<'a>(&'a self, name: &'a str, lang: Lang) -> &'a str {
        match (self.field.get(name), lang) {
            (Some(p), Lang::Zh) => &p.zh,
            (Some(p), Lang::En) => &p.en,
            (None, _) => name,
        }
    }

    /// A status's name (line statuses, registry statuses).
    pub fn status<'a>(&'a self, name: &'a str, lang: Lang) -> &'a str {
        match (self.status.get(name), lang) {
            (Some(p), Lang::Zh) => &p.zh,
            (Some(p), Lang::En) => &p.en,
            (None, _) => name,
        }
    }

    /// A word of `[words]`.
    pub fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The Chinese message of a finding: the rule's template `variant` (else
    /// its `default`) filled with `args`.
    pub fn message_zh(&self, code: &str, variant: &str, args: &[(&str, String)]) -> String {
        let Some(rule) = self.rule.get(code) else {
            return String::new();
        };
        let t = rule
            .messages_zh
            .get(variant)
            .or_else(|| rule.messages_zh.get("default"))
            .map(String::as_str)
            .unwrap_or("");
        fill(t, args)
    }

    /// Every problem of the file against what certscan asks of it (tests, and
    /// a check a maintainer can run after editing it).
    pub fn check(&self, codes: &[&str], fields: &[&str]) -> Vec<String> {
        let mut v = Vec::new();
        for sev in VERDICT_KEYS {
            if !self.verdict.contains_key(sev) {
                v.push(format!("verdict.{sev} missing"));
            }
        }
        for c in codes {
            match self.rule.get(*c) {
                None => v.push(format!("rule.{c} missing")),
                Some(r) if !r.messages_zh.contains_key("default") => {
                    v.push(format!("rule.{c}.messages_zh.default missing"))
                }
                _ => {}
            }
        }
        for f in fields {
            if !self.field.contains_key(*f) {
                v.push(format!("field.{f} missing"));
            }
        }
        v
    }
}

/// A span of time in Chinese: "1年2个月3天" (the same parts as the English
/// `span_text`).
pub fn span_zh(years: i64, months: i64, days: i64) -> String {
    let t = Texts::bundled();
    let mut s = String::new();
    if years > 0 {
        s.push_str(&format!("{years}{}", t.word("year")));
    }
    if months > 0 {
        s.push_str(&format!("{months}{}", t.word("month")));
    }
    if days > 0 || s.is_empty() {
        s.push_str(&format!("{days}{}", t.word("day")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_texts_cover_every_code_field_and_verdict() {
        let codes: Vec<&str> = crate::model::RuleCode::ALL.map(|c| c.as_str()).to_vec();
        let mut fields: Vec<&str> = crate::rules::REQUIRED_FIELD_NAMES.to_vec();
        fields.extend(crate::rules::EVIDENCE_FIELD_NAMES);
        let problems = Texts::bundled().check(&codes, &fields);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn fill_replaces_known_names_only() {
        let a = [("x", "1".to_string())];
        assert_eq!(fill("a {x} b {y} {", &a), "a 1 b {y} {");
    }

    #[test]
    fn verdict_words_are_a_screeners() {
        let t = Texts::bundled();
        assert_eq!(t.verdict(Severity::NeedsReview, Lang::Zh), "需人工复核");
        assert_eq!(t.verdict(Severity::SuspectedForgery, Lang::Zh), "疑似伪造");
        assert_eq!(t.verdict_key("not_submitted", Lang::Zh), "未提交");
        assert_eq!(span_zh(1, 2, 0), "1年2个月");
    }
}
