//! The label lexicon (`models/labels.toml`): per field, the wordings
//! certificates print before or above its value, in simplified and
//! traditional Chinese and English, as data. Extraction and page
//! classification draw on it; `certscan labels` prints it.

use crate::text::ocr_pattern;
use regex::Regex;
use std::sync::OnceLock;

/// One field's labels, compiled.
#[derive(Debug)]
pub struct FieldLabels {
    pub field: String,
    /// The entries as written in the file, in order of preference.
    pub entries: Vec<String>,
    /// Words that, just before a label, make it another field's label.
    pub not_after: Vec<String>,
    /// Words that, just after a label, make it another field's label
    /// ("Expiry date of previous cycle").
    pub not_before: Vec<String>,
    /// All entries as one pattern (leftmost match in a line wins).
    pub any: Regex,
    /// Each entry alone, in the file's order (first entry with a value wins).
    pub each: Vec<Regex>,
}

/// The whole lexicon.
#[derive(Debug)]
pub struct Lexicon {
    pub fields: Vec<FieldLabels>,
}

/// Fields every lexicon must define (extraction asks for them by name).
pub const FIELDS: &[&str] = &[
    "certificate_number",
    "organization_name",
    "certify",
    "unified_social_credit_code",
    "address",
    "scope",
    "certification_body",
    "issue_date",
    "expiry_date",
    "initial_issue_date",
    "decision_date",
    "auditor",
    "auditor_qualification",
    "certificate_title",
    "surveillance_clause",
    "surveillance_section",
    "validity_range",
];

fn compile(entries: &[String]) -> Result<Regex, String> {
    let pat = format!("(?i)({})", entries.join("|"));
    Regex::new(&ocr_pattern(&pat)).map_err(|e| e.to_string())
}

impl Lexicon {
    /// Parses a lexicon file; every field of [`FIELDS`] must be present.
    pub fn from_toml(src: &str) -> Result<Lexicon, String> {
        let t: toml::Table = src.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let strings = |field: &str, key: &str| -> Result<Vec<String>, String> {
            match t.get(field).and_then(|f| f.get(key)) {
                None => Ok(Vec::new()),
                Some(v) => v
                    .as_array()
                    .ok_or_else(|| format!("[{field}] {key}: expected a list of strings"))?
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("[{field}] {key}: entries must be strings"))
                    })
                    .collect(),
            }
        };
        for k in t.keys() {
            if !FIELDS.contains(&k.as_str()) {
                return Err(format!(
                    "[{k}]: unknown field (known: {})",
                    FIELDS.join(", ")
                ));
            }
        }
        let mut fields = Vec::new();
        for &field in FIELDS {
            let entries = strings(field, "labels")?;
            if entries.is_empty() {
                return Err(format!("[{field}]: no labels"));
            }
            let each = entries
                .iter()
                .map(|e| {
                    compile(std::slice::from_ref(e)).map_err(|m| format!("[{field}] '{e}': {m}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            fields.push(FieldLabels {
                field: field.to_string(),
                any: compile(&entries).map_err(|m| format!("[{field}]: {m}"))?,
                each,
                not_after: strings(field, "not_after")?,
                not_before: strings(field, "not_before")?,
                entries,
            });
        }
        Ok(Lexicon { fields })
    }

    /// The lexicon bundled in `models/labels.toml`.
    pub fn bundled() -> &'static Lexicon {
        static L: OnceLock<Lexicon> = OnceLock::new();
        L.get_or_init(|| {
            Lexicon::from_toml(include_str!("../models/labels.toml"))
                .expect("bundled label lexicon parses")
        })
    }

    /// One field's labels (a name of [`FIELDS`]).
    pub fn field(&self, name: &str) -> &FieldLabels {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("label field {name} is not in FIELDS"))
    }

    /// The lexicon as `certscan labels` prints it.
    pub fn describe(&self) -> String {
        let mut out = String::from(
            "# label lexicon (models/labels.toml): per field, the wordings matched, in order of preference\n",
        );
        for f in &self.fields {
            out.push_str(&format!("\n[{}]\n", f.field));
            for e in &f.entries {
                out.push_str(&format!("  {e}\n"));
            }
            if !f.not_after.is_empty() {
                out.push_str(&format!("  (not after: {})\n", f.not_after.join(", ")));
            }
            if !f.not_before.is_empty() {
                out.push_str(&format!("  (not before: {})\n", f.not_before.join(", ")));
            }
        }
        out
    }
}

/// Shorthand: the bundled lexicon's combined pattern for a field.
pub fn label(field: &str) -> &'static Regex {
    &Lexicon::bundled().field(field).any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_lexicon_parses_and_matches_both_scripts_and_ocr_letters() {
        let l = Lexicon::bundled();
        assert!(label("issue_date").is_match("發證日期：2024年1月1日"));
        assert!(label("expiry_date").is_match("Explry Date: 2027-01-01"));
        assert!(label("initial_issue_date").is_match("Original Registration Date: 04/12/2014"));
        assert!(l.field("issue_date").not_after.iter().any(|w| w == "初次"));
    }

    #[test]
    fn unknown_fields_and_bad_patterns_are_refused() {
        assert!(Lexicon::from_toml("[nonsense]\nlabels=['x']").is_err());
        let mut src = include_str!("../models/labels.toml").to_string();
        src.push_str("\n[unknown_thing]\nlabels = ['a']\n");
        assert!(Lexicon::from_toml(&src)
            .unwrap_err()
            .contains("unknown field"));
        let broken = include_str!("../models/labels.toml").replace("'证书编号',", "'证书(编号',");
        assert!(Lexicon::from_toml(&broken).is_err());
    }
}
