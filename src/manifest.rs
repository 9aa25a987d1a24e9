//! The manifest (SPEC §1): CSV with the header `path_prefix,organization_name`;
//! every input whose path, as printed in the output's `input`, starts with
//! `path_prefix` was submitted by that organisation. The longest matching
//! prefix wins.

use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// (path_prefix, organization_name), longest prefix first.
    pub entries: Vec<(String, String)>,
}

const HEADER: [&str; 2] = ["path_prefix", "organization_name"];

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, String> {
        let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Manifest::parse(&src, &path.display().to_string())
    }

    /// Parses a manifest; a malformed one is refused with the line and the reason.
    pub fn parse(src: &str, origin: &str) -> Result<Manifest, String> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(src.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| format!("{origin}: line 1: {e}"))?
            .clone();
        let got: Vec<&str> = headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').trim())
            .collect();
        if got != HEADER {
            return Err(format!(
                "{origin}: line 1: expected the header {}, found '{}'",
                HEADER.join(","),
                got.join(",")
            ));
        }
        let mut entries: Vec<(String, String, u64)> = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                format!("{origin}: line {line}: {e}")
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if rec.len() != 2 {
                return Err(format!(
                    "{origin}: line {line}: expected 2 fields (path_prefix,organization_name), found {}",
                    rec.len()
                ));
            }
            let prefix = rec.get(0).unwrap_or("").trim().to_string();
            let org = rec.get(1).unwrap_or("").trim().to_string();
            if rec.iter().any(|f| f.contains(['\n', '\r'])) {
                return Err(format!(
                    "{origin}: line {line}: a field runs over several lines (a quote left open?)"
                ));
            }
            if prefix.is_empty() {
                return Err(format!("{origin}: line {line}: empty path_prefix"));
            }
            if org.is_empty() {
                return Err(format!(
                    "{origin}: line {line}: empty organization_name for '{prefix}'"
                ));
            }
            if let Some((_, other, l)) = entries.iter().find(|e| e.0 == prefix) {
                if *other != org {
                    return Err(format!(
                        "{origin}: line {line}: path_prefix '{prefix}' is already given to '{other}' on line {l}"
                    ));
                }
                continue;
            }
            entries.push((prefix, org, line));
        }
        // Longest prefix first; ties keep file order.
        entries.sort_by_key(|e| std::cmp::Reverse(e.0.chars().count()));
        Ok(Manifest {
            entries: entries.into_iter().map(|(p, o, _)| (p, o)).collect(),
        })
    }

    /// The organisation that submitted `input` (the longest matching prefix).
    pub fn organization_for(&self, input: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(p, _)| input.starts_with(p.as_str()))
            .map(|(_, o)| o.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        let m = Manifest::parse(
            "path_prefix,organization_name\nbids/,某某集团有限公司\nbids/acme/,北京某某科技有限公司\nbids/acme/sub.zip!,\"Acme, Ltd\"\n",
            "m.csv",
        )
        .unwrap();
        assert_eq!(
            m.organization_for("bids/acme/a.pdf"),
            Some("北京某某科技有限公司")
        );
        assert_eq!(
            m.organization_for("bids/other/a.pdf"),
            Some("某某集团有限公司")
        );
        assert_eq!(
            m.organization_for("bids/acme/sub.zip!x/c.pdf"),
            Some("Acme, Ltd")
        );
        assert_eq!(m.organization_for("elsewhere/a.pdf"), None);
    }

    #[test]
    fn bom_blank_lines_and_repeats_are_accepted() {
        let m = Manifest::parse(
            "\u{feff}path_prefix,organization_name\r\na/,甲公司\r\n\r\na/,甲公司\r\n",
            "m.csv",
        )
        .unwrap();
        assert_eq!(m.entries.len(), 1);
        assert_eq!(m.organization_for("a/x.pdf"), Some("甲公司"));
    }

    #[test]
    fn malformed_manifest_is_refused_with_line() {
        let e = Manifest::parse("prefix,org\na,b\n", "m.csv").unwrap_err();
        assert!(
            e.starts_with("m.csv: line 1:") && e.contains("header"),
            "{e}"
        );
        let e = Manifest::parse("path_prefix,organization_name\na/,甲\nb/\n", "m.csv").unwrap_err();
        assert!(e.contains("line 3") && e.contains("2 fields"), "{e}");
        let e = Manifest::parse("path_prefix,organization_name\na/,甲\nb/,乙,丙\n", "m.csv")
            .unwrap_err();
        assert!(e.contains("line 3") && e.contains("found 3"), "{e}");
        let e =
            Manifest::parse("path_prefix,organization_name\na/,甲\n,乙\n", "m.csv").unwrap_err();
        assert!(e.contains("line 3") && e.contains("path_prefix"), "{e}");
        let e = Manifest::parse("path_prefix,organization_name\na/, \n", "m.csv").unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("organization_name"),
            "{e}"
        );
        let e =
            Manifest::parse("path_prefix,organization_name\na/,甲\na/,乙\n", "m.csv").unwrap_err();
        assert!(e.contains("line 3") && e.contains("line 2"), "{e}");
        let e = Manifest::parse(
            "path_prefix,organization_name\na/,甲\nb/,\"乙\nc/,丙\n",
            "m.csv",
        )
        .unwrap_err();
        assert!(e.contains("line 3") && e.contains("quote"), "{e}");
    }

    #[test]
    fn load_names_the_file() {
        let e = Manifest::load(Path::new("/nonexistent/manifest.csv")).unwrap_err();
        assert!(e.contains("manifest.csv"), "{e}");
    }
}
