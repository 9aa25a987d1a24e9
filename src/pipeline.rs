//! One document through the stages: read bytes → load pages → OCR where there
//! is no text layer → classify pages → extract → validate → records.

use crate::classify::{classify, PageKind};
use crate::discover::{read_bytes, InputRef};
use crate::error::{DocError, ErrorCode};
use crate::extract::{extract, ExtractContext, Vocabularies};
use crate::load::{Document, LoadedPage};
use crate::manifest::Manifest;
use crate::model::{Record, Status, SCHEMA_VERSION};
use crate::ocr::{self, Engine, OcrOptions};
use crate::page::{PageText, TextSource};
use crate::registry::Registry;
use crate::rules::Rulebook;
use crate::validate::{validate, RuleContext};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Settings shared by every worker of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub as_of: NaiveDate,
    pub ocr_langs: String,
    /// Languages to read a page again with when it is printed in traditional
    /// characters (empty: never).
    pub traditional_langs: String,
    pub page_deadline_ms: u32,
    pub detect_orientation: bool,
    /// Longest side pages are scaled to for OCR.
    pub ocr_long_side: u32,
    /// Read the image pages of multi-page documents cheaply first and at full
    /// resolution only where they may be certificates.
    pub triage: bool,
    /// `--rules` (else the bundled rulebook).
    pub rules: Option<std::path::PathBuf>,
    /// `--registry` (else the bundled snapshot).
    pub registry: Option<std::path::PathBuf>,
    /// `--manifest`.
    pub manifest: Option<std::path::PathBuf>,
}

/// The data files a run uses, loaded once per worker.
pub struct RunData {
    pub rulebook: Rulebook,
    pub registry: Registry,
    pub manifest: Option<Manifest>,
}

impl RunData {
    /// Loads the rulebook, registry and manifest named in the settings; a broken
    /// file is refused with its name, line and reason.
    pub fn load(s: &Settings) -> Result<RunData, String> {
        let rulebook = match &s.rules {
            Some(p) => Rulebook::load(p)?,
            None => Rulebook::bundled(),
        };
        let registry = match &s.registry {
            Some(p) => Registry::load(p)?,
            None => Registry::bundled(),
        };
        let manifest = match &s.manifest {
            Some(p) => Some(Manifest::load(p)?),
            None => None,
        };
        Ok(RunData {
            rulebook,
            registry,
            manifest,
        })
    }
}

/// A worker: one OCR engine (started on first use, then reused) and the
/// vocabularies.
pub struct Worker {
    settings: Settings,
    data: RunData,
    body_names: Vec<String>,
    engine: Option<Engine>,
    traditional: Option<Engine>,
    osd: Option<Engine>,
    vocab: Vocabularies,
    number_patterns: Vec<regex::Regex>,
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

impl Worker {
    pub fn new(settings: Settings) -> Result<Worker, String> {
        let data = RunData::load(&settings)?;
        let body_names = data.registry.names();
        let mut number_patterns = crate::extract::default_number_patterns();
        number_patterns.extend(
            data.rulebook
                .profiles
                .iter()
                .map(|p| p.number_pattern.clone()),
        );
        Ok(Worker {
            settings,
            data,
            body_names,
            engine: None,
            traditional: None,
            osd: None,
            vocab: Vocabularies::bundled(),
            number_patterns,
        })
    }

    /// The recognition engine and the orientation detector, started on first use.
    fn engines(&mut self) -> Result<(&mut Engine, Option<&mut Engine>), DocError> {
        if self.engine.is_none() {
            self.engine = Some(Engine::new(&self.settings.ocr_langs)?);
        }
        if self.osd.is_none() && self.settings.detect_orientation {
            self.osd = Some(Engine::new_osd()?);
        }
        Ok((
            self.engine.as_mut().expect("engine started"),
            self.osd.as_mut(),
        ))
    }

    /// OCR of one page; a page printed in traditional characters is read
    /// again with the traditional-Chinese model and the better reading kept.
    fn ocr_page(
        &mut self,
        img: &image::DynamicImage,
        number: u32,
        opts: &OcrOptions,
    ) -> Result<PageText, DocError> {
        let (engine, osd) = self.engines()?;
        let first = ocr::read_page(engine, osd, img, number, opts)?;
        let text = first.text();
        let suspect = ocr::traditional_share(&text) >= ocr::TRADITIONAL_SHARE
            || ocr::regional_traditional_marks(&text)
            || first.mean_conf.unwrap_or(0.0) < ocr::REREAD_BELOW_CONF;
        if self.settings.traditional_langs.is_empty() || !suspect {
            return Ok(first);
        }
        if self.traditional.is_none() {
            self.traditional = Some(Engine::new(&self.settings.traditional_langs)?);
        }
        let tra = self.traditional.as_mut().expect("engine started");
        let second = ocr::read_page(tra, self.osd.as_mut(), img, number, opts)?;
        Ok(
            if second.mean_conf.unwrap_or(0.0) >= first.mean_conf.unwrap_or(0.0) {
                second
            } else {
                first
            },
        )
    }

    /// Reads every page of a document as text (text layer or OCR).
    /// `progress(done, total)` is called after each page.
    pub fn read_pages(
        &mut self,
        doc: &Document,
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<Vec<PageText>, DocError> {
        let all: Vec<usize> = (0..doc.page_count()).collect();
        self.read_pages_of(doc, &all, progress)
    }

    /// Reads the pages `indices` (0-based) of a document; `progress(done,
    /// total)` counts within `indices`.
    pub fn read_pages_of(
        &mut self,
        doc: &Document,
        indices: &[usize],
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<Vec<PageText>, DocError> {
        let n = doc.page_count();
        let mut pages = Vec::with_capacity(indices.len());
        let opts = OcrOptions {
            page_deadline_ms: self.settings.page_deadline_ms,
            detect_orientation: self.settings.detect_orientation,
            long_side: self.settings.ocr_long_side,
            read_red: true,
        };
        // Triage of multi-page documents: a cheap reading at low resolution
        // first; full-resolution OCR only for pages that may matter.
        let triage = n > 1 && self.settings.triage;
        let small = OcrOptions {
            long_side: TRIAGE_LONG_SIDE,
            read_red: false,
            ..opts.clone()
        };
        for (k, &i) in indices.iter().enumerate() {
            let number = i as u32 + 1;
            let page = match doc.page(i)? {
                LoadedPage::Text(mut t) => {
                    t.number = number;
                    t
                }
                LoadedPage::Image(img) if triage => {
                    let (engine, osd) = self.engines()?;
                    let t0 = std::time::Instant::now();
                    let cheap = ocr::read_page(engine, osd, &img, number, &small)?;
                    let full = needs_full_reading(&cheap);
                    if std::env::var_os("CERTSCAN_DEBUG").is_some() {
                        eprintln!(
                            "page {number}: triage {:.2} s, conf {:?}, kind {:?}, full reading: {full}",
                            t0.elapsed().as_secs_f32(),
                            cheap.mean_conf,
                            classify(&cheap.text())
                        );
                    }
                    if full {
                        self.ocr_page(&img, number, &opts)?
                    } else {
                        cheap
                    }
                }
                LoadedPage::Image(img) => self.ocr_page(&img, number, &opts)?,
            };
            pages.push(page);
            progress(k as u32 + 1, indices.len() as u32);
        }
        Ok(pages)
    }

    /// Reads some pages of an input (one chunk of a large document read in
    /// parallel by several workers).
    pub fn process_pages(
        &mut self,
        input: &InputRef,
        indices: &[usize],
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<Vec<PageText>, DocError> {
        let doc = Document::open(read_bytes(input)?)?;
        self.read_pages_of(&doc, indices, progress)
    }

    /// Processes one input into its records (never fails: errors become records).
    pub fn process(&mut self, input: &InputRef, progress: &mut dyn FnMut(u32, u32)) -> Vec<Record> {
        let bytes = match read_bytes(input) {
            Ok(b) => b,
            Err(e) => return vec![Record::error(&input.display, None, e)],
        };
        let sha = sha256_hex(&bytes);
        let doc = match Document::open(bytes) {
            Ok(d) => d,
            Err(e) => return vec![Record::error(&input.display, Some(sha), e)],
        };
        if doc.page_count() == 0 {
            return vec![Record::error(
                &input.display,
                Some(sha),
                DocError::new(ErrorCode::Empty, "the document has no pages"),
            )];
        }
        let pages = match self.read_pages(&doc, progress) {
            Ok(p) => p,
            Err(e) => return vec![Record::error(&input.display, Some(sha), e)],
        };
        drop(doc);
        self.records_for(&input.display, &sha, &pages)
    }

    /// Groups pages into certificates and builds their records.
    pub fn records_for(&self, display: &str, sha: &str, pages: &[PageText]) -> Vec<Record> {
        let kinds: Vec<PageKind> = pages.iter().map(|p| classify(&p.text())).collect();
        let ctx = ExtractContext {
            vocab: &self.vocab,
            body_names: &self.body_names,
            body_code_len: 6,
            number_patterns: &self.number_patterns,
        };
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_number: Option<String> = None;
        for (i, k) in kinds.iter().enumerate() {
            match k {
                PageKind::Certificate => {
                    // A page that repeats the certificate number of the page before
                    // it (a record or annex page printing the number) continues it.
                    let number = extract(std::slice::from_ref(&pages[i]), &ctx)
                        .certificate
                        .certificate_number;
                    let key = |n: &Option<String>| n.as_deref().map(crate::repair::confusion_key);
                    let continues = number.is_some()
                        && key(&number) == key(&group_number)
                        && groups
                            .last()
                            .map(|g| *g.last().unwrap() + 1 == i)
                            .unwrap_or(false);
                    if continues {
                        groups.last_mut().expect("group").push(i);
                    } else {
                        groups.push(vec![i]);
                        group_number = number;
                    }
                }
                PageKind::Annex => {
                    if let Some(g) = groups.last_mut() {
                        if *g.last().unwrap() + 1 == i {
                            g.push(i);
                        }
                    }
                }
                _ => {}
            }
        }
        let expected = self
            .data
            .manifest
            .as_ref()
            .and_then(|m| m.organization_for(display));
        if groups.is_empty() {
            let (source, conf) = text_source(pages.iter());
            return vec![Record {
                schema_version: SCHEMA_VERSION,
                input: display.to_string(),
                sha256: Some(sha.to_string()),
                pages: vec![],
                status: Status::NotCertificate,
                error: None,
                text_source: source,
                ocr_confidence: conf,
                certificate: None,
                evidence: BTreeMap::new(),
                validation: None,
            }];
        }
        groups
            .into_iter()
            .map(|g| {
                let gp: Vec<PageText> = g.iter().map(|&i| pages[i].clone()).collect();
                let mut x = extract(&gp, &ctx);
                let (source, conf) = text_source(gp.iter());
                let rule_ctx = RuleContext {
                    as_of: self.settings.as_of,
                    rulebook: &self.data.rulebook,
                    registry: Some(&self.data.registry),
                    expected_organization: expected,
                    ocr: source == Some(TextSource::Ocr),
                };
                // The body code as the certificate's profile defines it.
                let profile = self.data.rulebook.profile_for(
                    x.certificate.standard.as_deref(),
                    x.certificate.certificate_number.as_deref(),
                );
                if let Some(n) = &x.certificate.certificate_number {
                    x.certificate.body_code = profile.body_code_of(n);
                }
                let validation = validate(&x.certificate, &x.evidence, &rule_ctx);
                Record {
                    schema_version: SCHEMA_VERSION,
                    input: display.to_string(),
                    sha256: Some(sha.to_string()),
                    pages: gp.iter().map(|p| p.number).collect(),
                    status: Status::Certificate,
                    error: None,
                    text_source: source,
                    ocr_confidence: conf,
                    certificate: Some(x.certificate),
                    evidence: x.evidence,
                    validation: Some(validation),
                }
            })
            .collect()
    }
}

/// Longest side of the cheap triage reading (about 120 dpi for A4).
pub const TRIAGE_LONG_SIDE: u32 = 1400;

/// Whether a page read cheaply must be read again at full resolution. Errs
/// towards reading: anything that is or mentions a certificate, a surveillance
/// notice or a business licence, and anything the cheap reading could not read.
pub fn needs_full_reading(cheap: &PageText) -> bool {
    let text = cheap.text();
    if classify(&text) != PageKind::Other {
        return true;
    }
    if cheap.mean_conf.unwrap_or(0.0) < 60.0
        || text.chars().filter(|c| c.is_alphanumeric()).count() < 40
    {
        return true;
    }
    let s = crate::normalize::to_simplified(&text).to_lowercase();
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    // Label words of certificates, notices and licences (prose about
    // certificates, common in bid packages, names the standards but rarely these).
    [
        "证书编号",
        "证书号",
        "注册号",
        "认证证书",
        "验证证书",
        "兹证明",
        "特此证明",
        "发证日期",
        "颁证日期",
        "有效期至",
        "营业执照",
        "通知书",
        "监督审核",
        "certificateno",
        "certificatenumber",
        "registrationno",
        "thisistocertify",
        "issuedate",
        "validuntil",
    ]
    .iter()
    .any(|k| s.contains(k))
}

/// The text source of a set of pages (OCR if any page was OCRed) and the mean
/// OCR confidence.
fn text_source<'a>(pages: impl Iterator<Item = &'a PageText>) -> (Option<TextSource>, Option<f32>) {
    let mut any = false;
    let mut ocr = false;
    let mut sum = 0.0;
    let mut n = 0;
    for p in pages {
        any = true;
        if p.source == TextSource::Ocr {
            ocr = true;
            if let Some(c) = p.mean_conf {
                sum += c;
                n += 1;
            }
        }
    }
    if !any {
        return (None, None);
    }
    if ocr {
        (
            Some(TextSource::Ocr),
            (n > 0).then(|| ((sum / n as f32) * 10.0).round() / 10.0),
        )
    } else {
        (Some(TextSource::TextLayer), None)
    }
}
