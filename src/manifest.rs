//! The manifest (SPEC §1) and the bidders file (the tender report): CSV
//! whose header is `path_prefix,organization_name` or
//! `path_prefix,bidder,organization_name`. Every input whose path, as printed
//! in the output's `input`, starts with `path_prefix` was submitted by that
//! bidder, whose organisation is `organization_name`. The longest matching
//! prefix wins. A manifest is a bidders file whose bidders are named by their
//! organisation.

use crate::error::ConfigError;
use std::path::Path;

/// One row: who submitted the inputs under a path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path_prefix: String,
    /// The bidder's name as the tender knows it (the organisation's when the
    /// file has no `bidder` column).
    pub bidder: String,
    pub organization_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Longest prefix first.
    pub entries: Vec<Entry>,
    /// The order bidders first appear in the file (for reports).
    pub bidders: Vec<String>,
}

const HEADER: [&str; 2] = ["path_prefix", "organization_name"];
const BIDDERS_HEADER: [&str; 3] = ["path_prefix", "bidder", "organization_name"];

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|e| ConfigError::unreadable(path, e))?;
        Manifest::parse(&src, &path.display().to_string())
    }

    /// Parses a manifest or bidders file; a malformed one is refused with the
    /// line and the reason.
    pub fn parse(src: &str, origin: &str) -> Result<Manifest, ConfigError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(src.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| ConfigError::at_line(origin, 1, format!("{e}")))?
            .clone();
        let got: Vec<&str> = headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').trim())
            .collect();
        let with_bidder = got == BIDDERS_HEADER;
        if got != HEADER && !with_bidder {
            return Err(ConfigError::at_line(
                origin,
                1,
                format!(
                    "expected the header {} (a manifest) or {} (a bidders file), found '{}'",
                    HEADER.join(","),
                    BIDDERS_HEADER.join(","),
                    got.join(",")
                ),
            ));
        }
        let columns = got.len();
        let mut entries: Vec<(Entry, u64)> = Vec::new();
        let mut bidders: Vec<String> = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                ConfigError::at_line(origin, line, format!("{e}"))
            })?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if rec.len() != columns {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    format!(
                        "expected {columns} fields ({}), found {}",
                        got.join(","),
                        rec.len()
                    ),
                ));
            }
            if rec.iter().any(|f| f.contains(['\n', '\r'])) {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    "a field runs over several lines (a quote left open?)".to_string(),
                ));
            }
            let field = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
            // Tidied as inputs are printed (`./rs/a` is `rs/a`).
            let prefix = crate::discover::tidy_path(&field(0));
            let org = field(columns - 1);
            let bidder = if with_bidder { field(1) } else { org.clone() };
            if prefix.is_empty() {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    "empty path_prefix".to_string(),
                ));
            }
            if org.is_empty() {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    format!("empty organization_name for '{prefix}'"),
                ));
            }
            if bidder.is_empty() {
                return Err(ConfigError::at_line(
                    origin,
                    line,
                    format!("empty bidder for '{prefix}'"),
                ));
            }
            if let Some((other, l)) = entries.iter().find(|e| e.0.path_prefix == prefix) {
                if other.organization_name != org || other.bidder != bidder {
                    return Err(ConfigError::at_line(
                        origin,
                        line,
                        format!(
                            "path_prefix '{prefix}' is already given to '{}' on line {l}",
                            other.bidder
                        ),
                    ));
                }
                continue;
            }
            if !bidders.contains(&bidder) {
                bidders.push(bidder.clone());
            }
            entries.push((
                Entry {
                    path_prefix: prefix,
                    bidder,
                    organization_name: org,
                },
                line as u64,
            ));
        }
        // Longest prefix first; ties keep file order.
        entries.sort_by_key(|e| std::cmp::Reverse(e.0.path_prefix.chars().count()));
        Ok(Manifest {
            entries: entries.into_iter().map(|(e, _)| e).collect(),
            bidders,
        })
    }

    /// The row `input` falls under (the longest matching prefix).
    pub fn entry_for(&self, input: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| input.starts_with(e.path_prefix.as_str()))
    }

    /// The organisation that submitted `input` (the longest matching prefix).
    pub fn organization_for(&self, input: &str) -> Option<&str> {
        self.entry_for(input).map(|e| e.organization_name.as_str())
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
        let e = Manifest::parse("prefix,org\na,b\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m.csv: line 1:") && e.contains("header"),
            "{e}"
        );
        let e = Manifest::parse("path_prefix,organization_name\na/,甲\nb/\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("2 fields"), "{e}");
        let e = Manifest::parse("path_prefix,bidder,organization_name\na/,A,\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2") && e.contains("organization_name"),
            "{e}"
        );
        let e = Manifest::parse("path_prefix,organization_name\na/,甲\nb/,乙,丙\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("found 3"), "{e}");
        let e = Manifest::parse("path_prefix,organization_name\na/,甲\n,乙\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("path_prefix"), "{e}");
        let e = Manifest::parse("path_prefix,organization_name\na/, \n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2") && e.contains("organization_name"),
            "{e}"
        );
        let e = Manifest::parse("path_prefix,organization_name\na/,甲\na/,乙\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("line 2"), "{e}");
        let e = Manifest::parse(
            "path_prefix,organization_name\na/,甲\nb/,\"乙\nc/,丙\n",
            "m.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 3") && e.contains("quote"), "{e}");
    }

    #[test]
    fn bidders_file_names_bidders_and_organisations() {
        let m = Manifest::parse(
            "path_prefix,bidder,organization_name\nbids/a/,投标人A,甲科技有限公司\nbids/b.zip!,投标人B,乙信息技术有限公司\n",
            "b.csv",
        )
        .unwrap();
        assert_eq!(m.bidders, vec!["投标人A", "投标人B"]);
        let e = m.entry_for("bids/b.zip!x/c.pdf").unwrap();
        assert_eq!(
            (e.bidder.as_str(), e.organization_name.as_str()),
            ("投标人B", "乙信息技术有限公司")
        );
        assert_eq!(m.organization_for("bids/a/x.pdf"), Some("甲科技有限公司"));
    }

    #[test]
    fn load_names_the_file() {
        let e = Manifest::load(Path::new("/nonexistent/manifest.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("manifest.csv"), "{e}");
    }
}
