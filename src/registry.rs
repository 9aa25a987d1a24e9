//! The certification-body registry (SPEC §1): an offline snapshot of the CNCA
//! directory, CSV with the header
//! `body_code,name_zh,name_en,cnca_approval_number,cnas_code,status`.

use crate::error::ConfigError;
use crate::text::name_key;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub body_code: String,
    pub name_zh: String,
    pub name_en: String,
    pub cnca_approval_number: String,
    pub cnas_code: String,
    /// active, suspended or withdrawn.
    pub status: String,
}

/// How [`Registry::find_body`] found a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMatch {
    Approval,
    Name,
    Code,
}

/// A CNCA approval number reduced for comparison: half-width, uppercase,
/// dashes unified, no spaces.
pub fn approval_key(s: &str) -> String {
    crate::text::to_half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '‐' | '‑' | '‒' | '–' | '—' | '－' | '_' => '-',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub bodies: Vec<Body>,
    /// True for the bundled snapshot: it lacks many real bodies, so a body
    /// missing from it calls for a review, not a forgery finding (SPEC §4).
    pub partial: bool,
    /// What else is known of bodies (`models/bodies.csv`): English and short
    /// names and web domains of CNCA bodies, and bodies that certify abroad.
    pub known: Vec<KnownBody>,
    /// SHA-256 of the CSV text it was read from (recorded in every line).
    pub sha256: String,
}

/// A body's other names and web domains (`models/bodies.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBody {
    /// The name certscan reports (the registry's Chinese name for a CNCA body).
    pub name: String,
    /// English names, short names, logo text.
    pub aliases: Vec<String>,
    /// Web domains printed on its certificates (cqc.com.cn).
    pub domains: Vec<String>,
    /// Certifies abroad (BSI, TÜV, ...): not in the CNCA directory.
    pub foreign: bool,
    /// For a CNCA body, its approval number where known.
    pub cnca_approval_number: String,
}

impl KnownBody {
    /// The English name to report beside the name (the first Latin alias).
    pub fn name_en(&self) -> Option<&str> {
        if self.name.is_ascii() || !self.name.chars().any(|c| c > '\u{2e80}') {
            return Some(self.name.as_str());
        }
        self.aliases
            .iter()
            .find(|a| a.is_ascii() && a.chars().count() > 4)
            .map(String::as_str)
    }

    /// Every spelling: the name and its aliases.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Parses `models/bodies.csv` (header `name,aliases,domains,kind,cnca_approval_number`;
/// aliases and domains separated by `;`, kind `cnca` or `foreign`).
pub fn parse_known(src: &str, origin: &str) -> Result<Vec<KnownBody>, ConfigError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(src.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| ConfigError::at_line(origin, line, format!("{e}")))?;
        let f = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
        let list = |k: usize| -> Vec<String> {
            f(k).split(';')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        };
        let foreign = match f(3).as_str() {
            "cnca" => false,
            "foreign" => true,
            k => {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    format!("kind must be cnca or foreign, found '{k}'"),
                ))
            }
        };
        out.push(KnownBody {
            name: f(0),
            aliases: list(1),
            domains: list(2),
            foreign,
            cnca_approval_number: f(4),
        });
    }
    Ok(out)
}

/// The bundled knowledge of bodies' other names.
pub fn bundled_known() -> Vec<KnownBody> {
    parse_known(include_str!("../models/bodies.csv"), "models/bodies.csv")
        .expect("bundled bodies.csv parses")
}

const HEADER: [&str; 6] = [
    "body_code",
    "name_zh",
    "name_en",
    "cnca_approval_number",
    "cnas_code",
    "status",
];

impl Registry {
    /// Parses a registry; a malformed file is refused with the line and reason.
    pub fn parse(src: &str, origin: &str) -> Result<Registry, ConfigError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(src.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| ConfigError::at_line(origin, 1, format!("{e}")))?
            .clone();
        let got: Vec<&str> = headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}'))
            .collect();
        if got != HEADER {
            return Err(ConfigError::at_line(
                origin,
                1,
                format!(
                    "expected the header {}, found {}",
                    HEADER.join(","),
                    got.join(",")
                ),
            ));
        }
        let mut bodies = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| ConfigError::at_line(origin, line, format!("{e}")))?;
            if rec.len() != 6 {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    format!("expected 6 fields, found {}", rec.len()),
                ));
            }
            let f = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
            let status = f(5);
            if !matches!(status.as_str(), "active" | "suspended" | "withdrawn") {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    format!("status must be active, suspended or withdrawn, found '{status}'"),
                ));
            }
            if f(1).is_empty() && f(2).is_empty() {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    "a body needs name_zh or name_en".to_string(),
                ));
            }
            bodies.push(Body {
                body_code: f(0),
                name_zh: f(1),
                name_en: f(2),
                cnca_approval_number: f(3),
                cnas_code: f(4),
                status,
            });
        }
        // A registry with no body would make every certificate's body
        // "not registered": refuse it (issue 19, 20).
        if bodies.is_empty() {
            return Err(ConfigError::invalid(origin, "the registry lists no body (only a header): give a registry with at least one body, or none to use the bundled snapshot".to_string()));
        }
        Ok(Registry {
            bodies,
            partial: false,
            known: bundled_known(),
            sha256: crate::digest::sha256_hex(src.as_bytes()),
        })
    }

    pub fn load(path: &Path) -> Result<Registry, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|e| ConfigError::unreadable(path, e))?;
        Registry::parse(&src, &path.display().to_string())
    }

    /// The snapshot bundled in `models/registry.csv`.
    pub fn bundled() -> Registry {
        let mut r = Registry::parse(
            include_str!("../models/registry.csv"),
            "models/registry.csv",
        )
        .expect("bundled registry parses");
        r.partial = true;
        r
    }

    /// The known body (`models/bodies.csv`) a printed name is a spelling of.
    pub fn known_by_name(&self, name: &str) -> Option<&KnownBody> {
        let k = name_key(name);
        if k.is_empty() {
            return None;
        }
        self.known
            .iter()
            .find(|b| b.spellings().any(|s| name_key(s) == k))
    }

    /// Every body name (Chinese and English), for finding a body on a page.
    pub fn names(&self) -> Vec<String> {
        let mut v = Vec::new();
        for b in &self.bodies {
            for n in [&b.name_zh, &b.name_en] {
                if !n.is_empty() {
                    v.push(without_note(n).to_string());
                }
            }
        }
        v
    }

    pub fn by_approval(&self, n: &str) -> Option<&Body> {
        let k = n.to_uppercase();
        self.bodies.iter().find(|b| {
            !b.cnca_approval_number.is_empty() && b.cnca_approval_number.to_uppercase() == k
        })
    }

    pub fn by_name(&self, name: &str) -> Option<&Body> {
        let k = name_key(name);
        if k.is_empty() {
            return None;
        }
        self.bodies.iter().find(|b| {
            [&b.name_zh, &b.name_en].iter().any(|n| {
                !n.is_empty() && {
                    let nk = name_key(n);
                    nk == k || name_key(without_note(n)) == k
                }
            })
        })
    }

    pub fn by_code(&self, code: &str) -> Option<&Body> {
        self.bodies
            .iter()
            .find(|b| !b.body_code.is_empty() && b.body_code == code)
    }

    /// The body a certificate names, tried by approval number, then by name,
    /// then by the number's body code (SPEC §4 readings); with how it was found.
    pub fn find_body(
        &self,
        approval: Option<&str>,
        name: Option<&str>,
        code: Option<&str>,
    ) -> Option<(&Body, BodyMatch)> {
        if let Some(b) = approval.and_then(|a| self.by_approval_loose(a)) {
            return Some((b, BodyMatch::Approval));
        }
        if let Some(b) = name.and_then(|n| self.by_name(n)) {
            return Some((b, BodyMatch::Name));
        }
        // Another name of a CNCA body ("China Quality Certification Centre").
        if let Some(k) = name
            .and_then(|n| self.known_by_name(n))
            .filter(|k| !k.foreign)
        {
            let b = self
                .by_approval_loose(&k.cnca_approval_number)
                .or_else(|| self.by_name(&k.name));
            if let Some(b) = b {
                return Some((b, BodyMatch::Name));
            }
        }
        code.and_then(|c| self.by_code(c))
            .map(|b| (b, BodyMatch::Code))
    }

    /// [`Registry::by_approval`] after unifying widths, dashes, case and spaces
    /// ("CNCA－R－2002－001", "cnca-r-2002-001 ").
    pub fn by_approval_loose(&self, n: &str) -> Option<&Body> {
        let k = approval_key(n);
        if k.is_empty() {
            return None;
        }
        self.bodies.iter().find(|b| {
            !b.cnca_approval_number.is_empty() && approval_key(&b.cnca_approval_number) == k
        })
    }

    /// True when some body's code has `len` characters (the registry's codes
    /// are in the numbering of a profile whose body code has that length).
    pub fn has_code_of_length(&self, len: usize) -> bool {
        self.bodies
            .iter()
            .any(|b| !b.body_code.is_empty() && b.body_code.chars().count() == len)
    }
}

/// A name without a trailing note such as "（加拿大…设立认证机构）"; brackets
/// inside a name ("中林天合（北京）森林认证中心") stay.
pub fn without_note(n: &str) -> &str {
    let t = n.trim();
    if t.ends_with('）') || t.ends_with(')') {
        if let Some(open) = t.rfind(['（', '(']) {
            let note = &t[open..];
            if note.contains("设立") || note.contains("設立") {
                return t[..open].trim();
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_snapshot_parses_and_matches() {
        let r = Registry::bundled();
        assert!(r.bodies.len() >= 180);
        assert_eq!(r.by_approval("CNCA-R-2002-001").unwrap().body_code, "001");
        assert_eq!(r.by_name("中國質量認證中心").unwrap().body_code, "001");
        assert_eq!(
            r.by_code("002").unwrap().name_zh,
            "方圆标志认证集团有限公司"
        );
    }

    #[test]
    fn find_body_by_approval_name_or_code() {
        let r = Registry::bundled();
        let (b, how) = r.find_body(Some("cnca－r－2002－002"), None, None).unwrap();
        assert_eq!((b.body_code.as_str(), how), ("002", BodyMatch::Approval));
        let (b, how) = r
            .find_body(
                Some("CNCA-R-2099-999"),
                Some("方圓標志認證集團有限公司"),
                None,
            )
            .unwrap();
        assert_eq!((b.body_code.as_str(), how), ("002", BodyMatch::Name));
        let (b, how) = r
            .find_body(None, Some("某某认证有限公司"), Some("003"))
            .unwrap();
        assert_eq!((b.body_code.as_str(), how), ("003", BodyMatch::Code));
        assert!(r
            .find_body(None, Some("某某认证有限公司"), Some("ABC123"))
            .is_none());
        assert!(r.has_code_of_length(3) && !r.has_code_of_length(6));
        let rf = r.find_body(Some("CNCA-RF-2002-01"), None, None).unwrap().0;
        assert!(rf.body_code.is_empty());
    }

    #[test]
    fn empty_registry_is_refused() {
        let e = Registry::parse(
            "body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\n",
            "r.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("r.csv") && e.contains("no body"), "{e}");
    }

    #[test]
    fn foreign_and_other_names_are_known() {
        let r = Registry::bundled();
        assert!(r.partial);
        assert!(r.known_by_name("BSI Taiwan").is_some_and(|k| k.foreign));
        let (b, _) = r
            .find_body(None, Some("CHINA QUALITY CERTIFICATION CENTRE"), None)
            .unwrap();
        assert_eq!(b.body_code, "001");
        assert!(!Registry::parse(
            "body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\n001,甲,,CNCA-R-2002-001,,active\n",
            "r.csv"
        )
        .unwrap()
        .partial);
    }

    #[test]
    fn malformed_registry_is_refused_with_line() {
        let e = Registry::parse("body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\n001,甲,,CNCA-R-2002-001,,gone\n", "r.csv").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("status"), "{e}");
        let e = Registry::parse("code,name\n", "r.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
