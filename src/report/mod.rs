//! Report stage: the screener's answer from a results file, without reading a
//! page again (except to draw the pages of the HTML report). Takes the JSONL
//! lines, a bidders file and the required standards; hands on tables (per
//! bidder × required standard, per certificate, per finding) that the
//! writers turn into a workbook ([`xlsx`]), CSV ([`csv`]) or a self-contained
//! HTML page ([`html`]).

pub mod csv;
pub mod html;
pub mod xlsx;

use crate::manifest::Manifest;
use crate::model::{Record, Severity, Status};
use crate::text::name_key;
use crate::texts::{Lang, Texts};
use std::collections::BTreeMap;
use std::path::Path;

/// Standards whose certificates together make a bidder "dual certified" (the
/// seed calls holding both a scoring advantage).
pub const DUAL: [&str; 2] = ["ISO/IEC 20000-1", "ISO/IEC 27001"];

/// The key a standard is matched by whatever its year and spelling:
/// "ISO/IEC 27001:2022", "ISO/IEC 27001" and "iso 27001" are one family.
pub fn family_key(standard: &str) -> String {
    let s = standard.trim().to_uppercase();
    let s = s.split(':').next().unwrap_or("");
    let s = s
        .trim_start_matches("ISO/IEC")
        .trim_start_matches("ISO")
        .trim();
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The family's name as printed: the standard without its year.
pub fn family_name(standard: &str) -> String {
    standard.split(':').next().unwrap_or("").trim().to_string()
}

/// The families a certificate's standard field names ("ISO 9001:2015; ISO
/// 14001:2015" names two).
pub fn families_of(standard: &str) -> Vec<String> {
    standard
        .split(';')
        .map(family_name)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The rank of a verdict: lower is better.
fn rank(v: Option<Severity>) -> u8 {
    match v {
        Some(Severity::Valid) => 0,
        Some(Severity::Limited) => 1,
        Some(Severity::NeedsReview) => 2,
        Some(Severity::Invalid) => 3,
        Some(Severity::SuspectedForgery) => 4,
        None => 5,
    }
}

/// One line of the results, as the report shows it.
#[derive(Debug, Clone)]
pub struct CertRow {
    /// Index of the line in the results file.
    pub line: usize,
    pub bidder: Option<String>,
    /// The organisation the bidder is (bidders file), when known.
    pub expected_org: Option<String>,
    pub record: Record,
    /// The certificate names another organisation than the bidder's.
    pub other_org: bool,
}

impl CertRow {
    pub fn verdict(&self) -> Option<Severity> {
        self.record.validation.as_ref().map(|v| v.verdict)
    }

    pub fn standard(&self) -> Option<&str> {
        self.record
            .certificate
            .as_ref()
            .and_then(|c| c.standard.as_deref())
    }

    pub fn organization(&self) -> Option<&str> {
        self.record
            .certificate
            .as_ref()
            .and_then(|c| c.organization_name.as_deref())
            .or_else(|| {
                self.record
                    .certificate
                    .as_ref()
                    .and_then(|c| c.organization_name_en.as_deref())
            })
    }
}

/// One bidder × required standard.
#[derive(Debug, Clone)]
pub struct Answer {
    pub standard: String,
    /// Index into [`Report::certs`] of the best certificate found.
    pub best: Option<usize>,
    /// How many certificates of this standard the bidder submitted.
    pub count: usize,
}

impl Answer {
    /// "valid" ... "suspected_forgery", or "not_submitted".
    pub fn verdict_key(&self, report: &Report) -> &'static str {
        match self.best.and_then(|i| report.certs[i].verdict()) {
            Some(v) => v.as_str(),
            None => "not_submitted",
        }
    }
}

/// One bidder's answer.
#[derive(Debug, Clone)]
pub struct BidderRow {
    pub bidder: String,
    pub organization: Option<String>,
    pub answers: Vec<Answer>,
    /// Holds valid (or limited) certificates of both [`DUAL`] standards.
    pub dual: bool,
    /// Lines of this bidder that are errors (a certificate may hide in them).
    pub errors: Vec<String>,
    /// Inputs of this bidder in the results.
    pub inputs: usize,
}

/// Everything a report shows.
#[derive(Debug)]
pub struct Report {
    pub certs: Vec<CertRow>,
    /// Lines that are not certificates (errors and other documents).
    pub others: Vec<CertRow>,
    pub bidders: Vec<BidderRow>,
    /// The standards asked for (or, without `--require`, those found).
    pub required: Vec<String>,
}

/// Reads a results file; a line that is not certscan's is refused with its
/// number.
pub fn read_results(path: &Path) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(line).map_err(|e| {
            format!(
                "{}: line {}: not a certscan line: {e}",
                path.display(),
                n + 1
            )
        })?;
        out.push(r);
    }
    Ok(out)
}

/// Builds the report's tables.
pub fn build(records: Vec<Record>, bidders: Option<&Manifest>, require: &[String]) -> Report {
    let mut certs = Vec::new();
    let mut others = Vec::new();
    for (line, record) in records.into_iter().enumerate() {
        let entry = bidders.and_then(|m| m.entry_for(&record.input));
        let bidder = entry.map(|e| e.bidder.clone()).or_else(|| {
            // Without a bidders file, a certificate's organisation is its bidder.
            record.certificate.as_ref().and_then(|c| {
                c.organization_name
                    .clone()
                    .or(c.organization_name_en.clone())
            })
        });
        let expected_org = entry.map(|e| e.organization_name.clone());
        let mut row = CertRow {
            line,
            bidder,
            expected_org,
            record,
            other_org: false,
        };
        row.other_org = other_org(&row);
        if row.record.status == Status::Certificate {
            certs.push(row);
        } else {
            others.push(row);
        }
    }
    let required: Vec<String> = if require.is_empty() {
        let mut found: BTreeMap<String, String> = BTreeMap::new();
        for c in &certs {
            for f in c.standard().map(families_of).unwrap_or_default() {
                found.entry(family_key(&f)).or_insert(f);
            }
        }
        found.into_values().collect()
    } else {
        require.iter().map(|s| family_name(s)).collect()
    };
    // Bidders: the file's order, then those only the certificates name.
    let mut names: Vec<String> = bidders.map(|m| m.bidders.clone()).unwrap_or_default();
    for c in certs.iter().chain(others.iter()) {
        if let Some(b) = &c.bidder {
            if !names.contains(b) {
                names.push(b.clone());
            }
        }
    }
    let bidders_rows = names
        .iter()
        .map(|b| bidder_row(b, bidders, &certs, &others, &required))
        .collect();
    Report {
        certs,
        others,
        bidders: bidders_rows,
        required,
    }
}

/// Whether a certificate names another organisation than its bidder's.
fn other_org(row: &CertRow) -> bool {
    let Some(expected) = &row.expected_org else {
        return false;
    };
    let Some(c) = &row.record.certificate else {
        return false;
    };
    let want = name_key(expected);
    let names = [&c.organization_name, &c.organization_name_en];
    let read: Vec<&String> = names.iter().filter_map(|n| n.as_ref()).collect();
    !read.is_empty() && !read.iter().any(|n| name_key(n) == want)
}

fn bidder_row(
    bidder: &str,
    manifest: Option<&Manifest>,
    certs: &[CertRow],
    others: &[CertRow],
    required: &[String],
) -> BidderRow {
    let mine: Vec<usize> = (0..certs.len())
        .filter(|&i| certs[i].bidder.as_deref() == Some(bidder))
        .collect();
    let answers: Vec<Answer> = required
        .iter()
        .map(|std| {
            let key = family_key(std);
            let of_std: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&i| {
                    certs[i]
                        .standard()
                        .map(families_of)
                        .unwrap_or_default()
                        .iter()
                        .any(|f| family_key(f) == key)
                })
                .collect();
            // The bidder's own certificate first, then the best verdict, then
            // the latest expiry.
            let best = of_std.iter().copied().min_by_key(|&i| {
                let c = &certs[i];
                let expiry = c
                    .record
                    .certificate
                    .as_ref()
                    .and_then(|x| x.expiry_date.clone())
                    .unwrap_or_default();
                (c.other_org, rank(c.verdict()), std::cmp::Reverse(expiry))
            });
            Answer {
                standard: std.clone(),
                best,
                count: of_std.len(),
            }
        })
        .collect();
    let good = |std: &str| -> bool {
        let key = family_key(std);
        mine.iter().any(|&i| {
            let c = &certs[i];
            !c.other_org
                && rank(c.verdict()) <= 1
                && c.standard()
                    .map(families_of)
                    .unwrap_or_default()
                    .iter()
                    .any(|f| family_key(f) == key)
        })
    };
    let dual = DUAL.iter().all(|s| good(s));
    let errors: Vec<String> = others
        .iter()
        .filter(|o| o.bidder.as_deref() == Some(bidder) && o.record.status == Status::Error)
        .map(|o| o.record.input.clone())
        .collect();
    let mut inputs: Vec<&str> = certs
        .iter()
        .chain(others.iter())
        .filter(|c| c.bidder.as_deref() == Some(bidder))
        .map(|c| c.record.input.as_str())
        .collect();
    inputs.sort();
    inputs.dedup();
    let organization = manifest
        .and_then(|m| m.entries.iter().find(|e| e.bidder == bidder))
        .map(|e| e.organization_name.clone())
        .or_else(|| {
            mine.first()
                .and_then(|&i| certs[i].organization().map(str::to_string))
        });
    BidderRow {
        bidder: bidder.to_string(),
        organization,
        answers,
        dual,
        errors,
        inputs: inputs.len(),
    }
}

/// Column headers and cells, shared by the CSV and the workbook.
pub struct Table {
    pub name: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Per row: the verdict key that colours it (if any).
    pub verdicts: Vec<Option<String>>,
}

fn h(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

fn yes(lang: Lang, b: bool) -> String {
    match (lang, b) {
        (Lang::Zh, true) => "是".into(),
        (Lang::Zh, false) => "否".into(),
        (Lang::En, true) => "yes".into(),
        (Lang::En, false) => "no".into(),
    }
}

pub(crate) fn pages_text(r: &Record) -> String {
    r.pages
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn findings_text(r: &Record, lang: Lang) -> String {
    let t = Texts::bundled();
    r.validation
        .as_ref()
        .map(|v| {
            v.findings
                .iter()
                .map(|f| match lang {
                    Lang::Zh if !f.message_zh.is_empty() => {
                        format!("[{}] {}", t.rule(f.code.as_str(), lang), f.message_zh)
                    }
                    _ => format!("[{}] {}", f.code, f.message),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

impl Report {
    /// Per bidder × required standard: the answer the evaluation needs.
    pub fn bidder_table(&self, lang: Lang) -> Table {
        let t = Texts::bundled();
        let mut headers = vec![
            h(lang, "投标人", "Bidder"),
            h(lang, "组织名称", "Organisation"),
            h(lang, "要求的标准", "Required standard"),
            h(lang, "结论", "Verdict"),
            h(lang, "证书编号", "Certificate number"),
            h(lang, "证书上的组织", "Organisation on the certificate"),
            h(lang, "有效期至", "Expiry"),
            h(lang, "认证机构", "Certification body"),
            h(lang, "文件与页码", "File and pages"),
            h(lang, "理由", "Reasons"),
        ];
        headers.push(h(lang, "双认证", "Dual certified"));
        headers.push(h(lang, "读取出错的文件", "Files that could not be read"));
        let mut rows = Vec::new();
        let mut verdicts = Vec::new();
        for b in &self.bidders {
            for a in &b.answers {
                let key = a.verdict_key(self);
                let mut row = vec![
                    b.bidder.clone(),
                    b.organization.clone().unwrap_or_default(),
                    a.standard.clone(),
                    t.verdict_key(key, lang).to_string(),
                ];
                match a.best.map(|i| &self.certs[i]) {
                    Some(c) => {
                        let cert = c.record.certificate.clone().unwrap_or_default();
                        let mut reasons = findings_text(&c.record, lang);
                        if c.other_org {
                            let note = h(
                                lang,
                                "注意：证书上的组织不是该投标人",
                                "Note: the certificate names another organisation than the bidder",
                            );
                            reasons = if reasons.is_empty() {
                                note
                            } else {
                                format!("{note}\n{reasons}")
                            };
                        }
                        if a.count > 1 {
                            reasons.push_str(&format!(
                                "{}{}",
                                if reasons.is_empty() { "" } else { "\n" },
                                match lang {
                                    Lang::Zh => format!("（共提交 {} 份该标准的证书，此为最佳一份）", a.count),
                                    Lang::En => format!("({} certificates of this standard submitted; the best is shown)", a.count),
                                }
                            ));
                        }
                        row.extend([
                            cert.certificate_number.unwrap_or_default(),
                            c.organization().unwrap_or("").to_string(),
                            cert.expiry_date.unwrap_or_default(),
                            cert.certification_body.name.unwrap_or_default(),
                            format!("{} p.{}", c.record.input, pages_text(&c.record)),
                            reasons,
                        ]);
                    }
                    None => {
                        let mut why = t.advice("not_submitted", lang).to_string();
                        if !b.errors.is_empty() {
                            why.push_str(match lang {
                                Lang::Zh => " 另有文件读取出错，证书可能在其中，请人工查看。",
                                Lang::En => " Some files could not be read and may hold it: check them by hand.",
                            });
                        }
                        row.extend([
                            String::new(),
                            String::new(),
                            String::new(),
                            String::new(),
                            String::new(),
                            why,
                        ]);
                    }
                }
                row.push(yes(lang, b.dual));
                row.push(b.errors.join("\n"));
                rows.push(row);
                verdicts.push(Some(key.to_string()));
            }
            if b.answers.is_empty() {
                let mut row = vec![b.bidder.clone(), b.organization.clone().unwrap_or_default()];
                row.extend(std::iter::repeat_n(String::new(), 8));
                row.push(yes(lang, b.dual));
                row.push(b.errors.join("\n"));
                rows.push(row);
                verdicts.push(None);
            }
        }
        Table {
            name: match lang {
                Lang::Zh => "投标人",
                Lang::En => "Bidders",
            },
            headers,
            rows,
            verdicts,
        }
    }

    /// One row per line of the results (certificates first, then the rest).
    pub fn certificate_table(&self, lang: Lang) -> Table {
        let t = Texts::bundled();
        let headers = vec![
            h(lang, "投标人", "Bidder"),
            h(lang, "文件", "File"),
            h(lang, "页码", "Pages"),
            h(lang, "状态", "Status"),
            h(lang, "结论", "Verdict"),
            h(lang, "认证依据标准", "Standard"),
            h(lang, "证书编号", "Certificate number"),
            h(lang, "组织名称", "Organisation"),
            h(lang, "组织英文名称", "Organisation (English)"),
            h(lang, "统一社会信用代码", "Credit code"),
            h(lang, "认证范围", "Scope"),
            h(lang, "认证机构", "Certification body"),
            h(lang, "发证日期", "Issue date"),
            h(lang, "有效期至", "Expiry date"),
            h(lang, "规则集", "Profile"),
            h(lang, "非投标人的证书", "Another organisation's"),
            h(lang, "理由", "Reasons"),
            h(lang, "错误", "Error"),
        ];
        let mut rows = Vec::new();
        let mut verdicts = Vec::new();
        for c in self.certs.iter().chain(self.others.iter()) {
            let r = &c.record;
            let cert = r.certificate.clone().unwrap_or_default();
            let status = match r.status {
                Status::Certificate => "certificate",
                Status::NotCertificate => "not_certificate",
                Status::Error => "error",
            };
            let v = r.validation.as_ref();
            rows.push(vec![
                c.bidder.clone().unwrap_or_default(),
                r.input.clone(),
                pages_text(r),
                t.status(status, lang).to_string(),
                v.map(|v| t.verdict(v.verdict, lang).to_string())
                    .unwrap_or_default(),
                cert.standard.unwrap_or_default(),
                cert.certificate_number.unwrap_or_default(),
                cert.organization_name.unwrap_or_default(),
                cert.organization_name_en.unwrap_or_default(),
                cert.unified_social_credit_code.unwrap_or_default(),
                cert.scope.unwrap_or_default(),
                cert.certification_body.name.unwrap_or_default(),
                cert.issue_date.unwrap_or_default(),
                cert.expiry_date.unwrap_or_default(),
                v.and_then(|v| v.profile.clone()).unwrap_or_default(),
                if c.other_org {
                    yes(lang, true)
                } else {
                    String::new()
                },
                findings_text(r, lang),
                r.error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.code.as_str(), e.message))
                    .unwrap_or_default(),
            ]);
            verdicts.push(v.map(|v| v.verdict.as_str().to_string()));
        }
        Table {
            name: match lang {
                Lang::Zh => "证书",
                Lang::En => "Certificates",
            },
            headers,
            rows,
            verdicts,
        }
    }

    /// One row per finding.
    pub fn findings_table(&self, lang: Lang) -> Table {
        let t = Texts::bundled();
        let headers = vec![
            h(lang, "投标人", "Bidder"),
            h(lang, "文件", "File"),
            h(lang, "证书编号", "Certificate number"),
            h(lang, "规则", "Rule"),
            h(lang, "规则名称", "Rule name"),
            h(lang, "严重程度", "Severity"),
            h(lang, "说明", "Message"),
            h(lang, "涉及字段", "Fields"),
            h(lang, "页码", "Page"),
        ];
        let mut rows = Vec::new();
        let mut verdicts = Vec::new();
        for c in &self.certs {
            let r = &c.record;
            let Some(v) = &r.validation else { continue };
            for f in &v.findings {
                let page = f
                    .fields
                    .iter()
                    .find_map(|k| r.evidence.get(k))
                    .map(|e| e.page.to_string())
                    .unwrap_or_default();
                rows.push(vec![
                    c.bidder.clone().unwrap_or_default(),
                    r.input.clone(),
                    r.certificate
                        .as_ref()
                        .and_then(|x| x.certificate_number.clone())
                        .unwrap_or_default(),
                    f.code.to_string(),
                    t.rule(f.code.as_str(), lang).to_string(),
                    t.verdict(f.severity, lang).to_string(),
                    match lang {
                        Lang::Zh if !f.message_zh.is_empty() => f.message_zh.clone(),
                        _ => f.message.clone(),
                    },
                    f.fields
                        .iter()
                        .map(|k| t.field(k, lang).to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    page,
                ]);
                verdicts.push(Some(f.severity.as_str().to_string()));
            }
        }
        Table {
            name: match lang {
                Lang::Zh => "问题",
                Lang::En => "Findings",
            },
            headers,
            rows,
            verdicts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_ignore_years_and_spelling() {
        assert_eq!(
            family_key("ISO/IEC 27001:2022"),
            family_key("ISO/IEC 27001")
        );
        assert_eq!(family_key("iso 27001"), family_key("ISO/IEC 27001:2013"));
        assert_ne!(
            family_key("ISO/IEC 20000-1:2018"),
            family_key("ISO/IEC 27001")
        );
        assert_eq!(
            families_of("ISO 9001:2015; ISO 14001:2015"),
            vec!["ISO 9001", "ISO 14001"]
        );
    }
}
