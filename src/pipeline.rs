//! One document through the stages, inside a worker. Takes an input
//! ([`InputRef`]); hands on its records: read bytes → load pages → triage
//! and OCR where there is no text layer → classify pages → extract →
//! validate → records.

use crate::classify::{classify, PageKind};
use crate::digest::sha256_hex;
use crate::discover::{read_bytes, InputRef};
use crate::error::{ConfigError, DocError, ErrorCode};
use crate::extract::{extract, ExtractContext, Vocabularies};
use crate::load::{Document, LoadedPage};
use crate::manifest::Manifest;
use crate::model::{Record, Status, SCHEMA_VERSION};
use crate::ocr::paddle::Paddle;
use crate::ocr::{self, Engine, LazyEngine, OcrEngine, OcrOptions, Tesseract};
use crate::page::{PageText, TextSource};
use crate::registry::Registry;
use crate::rules::Rulebook;
use crate::validate::{judge, RuleContext};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tesseract lines under this confidence are re-read by PP-OCR (hybrid engine).
const HYBRID_REREAD_BELOW_CONF: f32 = 85.0;

/// Which engine reads the pages that matter in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EngineChoice {
    /// Tesseract only (eng+chi_sim, chi_tra for traditional pages).
    Tesseract,
    /// PP-OCR for every page read in full; Tesseract still detects turned
    /// pages and triages the pages of multi-page documents.
    Paddle,
    /// Tesseract reads every page (layout, lines); PP-OCR recognition then
    /// re-reads only the lines that hold key fields or read poorly.
    Hybrid,
    /// PP-OCR where its models are installed, else Tesseract.
    #[default]
    Auto,
}

impl EngineChoice {
    /// The engine a run really uses: `auto` resolves by whether the PP-OCR
    /// models are present.
    pub fn resolve(self) -> EngineChoice {
        match self {
            EngineChoice::Auto
                if crate::ocr::paddle::models_present(&crate::ocr::paddle::models_dir()) =>
            {
                EngineChoice::Paddle
            }
            EngineChoice::Auto => EngineChoice::Tesseract,
            e => e,
        }
    }
}

/// Settings shared by every worker of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub as_of: NaiveDate,
    /// OCR engine for full readings (resolved: never `auto` in workers).
    #[serde(default)]
    pub engine: EngineChoice,
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
    /// `--memory-limit`: each worker's memory ceiling in MiB (0: none).
    #[serde(default)]
    pub memory_ceiling_mb: u64,
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
    pub fn load(s: &Settings) -> Result<RunData, ConfigError> {
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

impl RunData {
    /// What every line of the run records of how it was produced.
    pub fn stamp(&self, s: &Settings) -> crate::model::RunStamp {
        let origin = |p: &Option<std::path::PathBuf>| {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "bundled".to_string())
        };
        crate::model::RunStamp {
            certscan: env!("CARGO_PKG_VERSION").to_string(),
            engine: match s.engine.resolve() {
                EngineChoice::Tesseract => "tesseract",
                EngineChoice::Paddle => "paddle",
                EngineChoice::Hybrid => "hybrid",
                EngineChoice::Auto => "auto",
            }
            .to_string(),
            as_of: s.as_of.to_string(),
            rulebook: origin(&s.rules),
            rulebook_sha256: sha256_hex(self.rulebook.source().as_bytes()),
            registry: origin(&s.registry),
            registry_sha256: self.registry.sha256.clone(),
            manifest_sha256: s
                .manifest
                .as_ref()
                .and_then(|p| std::fs::read(p).ok())
                .map(|b| sha256_hex(&b)),
        }
    }
}

/// A worker: its OCR engines (each started on first use, then reused) and
/// the vocabularies.
pub struct Worker {
    settings: Settings,
    data: RunData,
    body_names: Vec<String>,
    engine: LazyEngine,
    traditional: LazyEngine,
    osd: Option<Engine>,
    paddle: Option<Paddle>,
    /// An engine given in place of the run's ([`Worker::with_engine`]).
    given: Option<Box<dyn OcrEngine>>,
    vocab: Vocabularies,
    number_patterns: Vec<regex::Regex>,
}

/// What a worker tells its supervisor about a document's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Page `index` (0-based, in the document) is being read.
    Start(usize),
    /// `done` of `total` pages are read.
    Done(u32, u32),
}

/// The outcome of [`Worker::process_job`].
pub enum Processed {
    Records(Vec<Record>),
    /// A large document, to be read by several workers in chunks.
    Split {
        pages: usize,
        sha256: String,
    },
}

/// Adds the pages that ran past the page time limit (0-based index, reason)
/// as failed pages, in page order.
pub fn add_skipped_pages(pages: &mut Vec<PageText>, skipped: &[(usize, String)]) {
    for (i, reason) in skipped {
        let number = *i as u32 + 1;
        if !pages.iter().any(|p| p.number == number) {
            pages.push(PageText::failed(
                number,
                DocError::new(ErrorCode::Timeout, reason.clone()),
            ));
        }
    }
    pages.sort_by_key(|p| p.number);
}

/// The records of a document some of whose pages could not be read (a page
/// past the page time limit, a damaged image): the certificates of the other
/// pages stay, and one error line names the failed pages (its code that of
/// the first); with no certificate elsewhere, that line is the document's
/// only line (a failed page may have been its certificate).
pub fn with_failed_pages(
    mut records: Vec<Record>,
    display: &str,
    sha: &str,
    failed: &[(u32, DocError)],
) -> Vec<Record> {
    let Some((_, first)) = failed.first() else {
        return records;
    };
    let mut reasons: Vec<String> = failed.iter().map(|(_, e)| e.message.clone()).collect();
    let any_certificate = records.iter().any(|r| r.status == Status::Certificate);
    if any_certificate {
        reasons.push("the certificates of the other pages are on their own lines".into());
    } else {
        if let Some(e) = records.iter().find_map(|r| r.error.as_ref()) {
            reasons.push(format!("the other pages: {e}"));
        } else {
            reasons.push("no certificate on the other pages".into());
        }
        records.clear();
    }
    let mut line = Record::error(
        display,
        Some(sha.to_string()),
        DocError::new(first.code, reasons.join("; ")),
    );
    let mut pages: Vec<u32> = failed.iter().map(|(n, _)| *n).collect();
    pages.sort_unstable();
    pages.dedup();
    line.pages = pages;
    records.push(line);
    records
}

/// Documents with more pages than this are split across workers.
pub const SPLIT_ABOVE_PAGES: usize = 6;

impl Worker {
    pub fn new(mut settings: Settings) -> Result<Worker, String> {
        // `auto` is settled once (a look for the model files), not per page.
        settings.engine = settings.engine.resolve();
        let data = RunData::load(&settings).map_err(|e| e.to_string())?;
        let body_names = data.registry.names();
        let mut number_patterns = crate::extract::default_number_patterns();
        number_patterns.extend(
            data.rulebook
                .profiles
                .iter()
                .map(|p| p.number_pattern.clone()),
        );
        Ok(Worker {
            engine: LazyEngine::new(&settings.ocr_langs),
            traditional: LazyEngine::new(&settings.traditional_langs),
            settings,
            data,
            body_names,
            osd: None,
            paddle: None,
            given: None,
            vocab: Vocabularies::bundled(),
            number_patterns,
        })
    }

    /// A worker whose pages are all read by `engine` (another engine, or the
    /// fake of tests): triage by its cheap reading, the hybrid path's lines
    /// by its line reading.
    pub fn with_engine(settings: Settings, engine: Box<dyn OcrEngine>) -> Result<Worker, String> {
        let mut w = Worker::new(settings)?;
        w.given = Some(engine);
        Ok(w)
    }

    /// Whether pages are read and triaged by PP-OCR's own steps.
    fn reads_by_paddle(&self) -> bool {
        self.settings.engine == EngineChoice::Paddle && self.given.is_none()
    }

    /// PP-OCR, loaded on first use.
    fn paddle(&mut self) -> Result<&mut Paddle, DocError> {
        if self.paddle.is_none() {
            self.paddle = Some(Paddle::load(&crate::ocr::paddle::models_dir())?);
        }
        Ok(self.paddle.as_mut().expect("PP-OCR loaded"))
    }

    /// Tesseract with the given languages' engine and, when pages are turned
    /// upright, the orientation detector (started on first use; a PP-OCR
    /// worker never loads it, 50 MB).
    fn tesseract(&mut self, traditional: bool) -> Result<Tesseract<'_>, DocError> {
        if self.settings.detect_orientation && self.osd.is_none() {
            self.osd = Some(Engine::new_osd()?);
        }
        let engine = if traditional {
            &mut self.traditional
        } else {
            &mut self.engine
        };
        Ok(Tesseract::new(engine, self.osd.as_mut()))
    }

    /// The engine that reads whole pages: the one given, else the run's.
    fn reader(&mut self) -> Result<Box<dyn OcrEngine + '_>, DocError> {
        if self.given.is_some() {
            return Ok(Box::new(self.given.as_deref_mut().expect("given")));
        }
        if self.settings.engine == EngineChoice::Paddle {
            return Ok(Box::new(self.paddle()?));
        }
        Ok(Box::new(self.tesseract(false)?))
    }

    /// OCR of one page (by the engine the run chose: [`Worker::reader`]).
    fn ocr_page(
        &mut self,
        img: &image::DynamicImage,
        number: u32,
        opts: &OcrOptions,
    ) -> Result<PageText, DocError> {
        if self.settings.engine == EngineChoice::Hybrid {
            return self.hybrid_page(img, number, opts);
        }
        if self.reads_by_paddle() {
            return self.paddle_page(img, number, opts);
        }
        self.tesseract_page(img, number, opts)
    }

    /// PP-OCR's reading of a page (its dictionary holds traditional
    /// characters: one reading), then the targeted re-reading of a doubtful
    /// approval number.
    fn paddle_page(
        &mut self,
        img: &image::DynamicImage,
        number: u32,
        opts: &OcrOptions,
    ) -> Result<PageText, DocError> {
        let mut reading = ocr::read_page_upright(self.paddle()?, img, number, opts)?;
        let p = self.paddle.as_ref().expect("PP-OCR loaded");
        let changes = crate::reread::reread_approval_number(
            p,
            img,
            &mut reading,
            &self.extract_context(),
            &self.data.registry,
        )?;
        for c in &changes {
            log::debug!(
                "page {number}: re-read {}: {:?} -> {:?}",
                c.field,
                c.before,
                c.after
            );
        }
        Ok(reading.page)
    }

    /// The reading of a page by the reader; a page printed in traditional
    /// characters is read again with Tesseract's traditional-Chinese model
    /// and the better reading kept.
    fn tesseract_page(
        &mut self,
        img: &image::DynamicImage,
        number: u32,
        opts: &OcrOptions,
    ) -> Result<PageText, DocError> {
        let first = ocr::read_page(&mut *self.reader()?, img, number, opts)?;
        let text = first.text();
        let suspect = ocr::traditional_share(&text) >= ocr::TRADITIONAL_SHARE
            || ocr::regional_traditional_marks(&text)
            || first.mean_conf.unwrap_or(0.0) < ocr::REREAD_BELOW_CONF;
        if self.settings.traditional_langs.is_empty() || !suspect {
            return Ok(first);
        }
        let second = ocr::read_page(&mut self.tesseract(true)?, img, number, opts)?;
        Ok(
            if second.mean_conf.unwrap_or(0.0) >= first.mean_conf.unwrap_or(0.0) {
                second
            } else {
                first
            },
        )
    }

    /// Reads every page of a document as text (text layer or OCR).
    /// `progress` is told when each page starts and after each page.
    pub fn read_pages(
        &mut self,
        doc: &Document,
        progress: &mut dyn FnMut(Step),
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
        progress: &mut dyn FnMut(Step),
    ) -> Result<Vec<PageText>, DocError> {
        let n = doc.page_count();
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
        // A PP-OCR worker reads the pages triage picked after the triage of
        // all the others, with Tesseract (70 MB, needed by triage only) put
        // away first: its peak is then PP-OCR's alone.
        let defer = triage && self.reads_by_paddle();
        let mut out: Vec<Option<PageText>> = (0..indices.len()).map(|_| None).collect();
        let mut deferred = Vec::new();
        // Pages triage left at their cheap reading, and those it classified
        // as an annex (which continues the certificate before it).
        let mut cheap_only = vec![false; indices.len()];
        let mut annex = vec![false; indices.len()];
        let mut done = 0u32;
        let total = indices.len() as u32;
        // The page count, known now that the document is open.
        progress(Step::Done(0, total));
        for (k, &i) in indices.iter().enumerate() {
            let number = i as u32 + 1;
            progress(Step::Start(i));
            let load_t0 = std::time::Instant::now();
            let load_cpu0 = crate::clock::process_cpu_seconds();
            let loaded = match doc.page(i) {
                // A damaged page of a document of several pages costs that
                // page only; the document's lines say which and why.
                Err(e) if n > 1 && matches!(e.code, ErrorCode::Corrupt | ErrorCode::Truncated) => {
                    out[k] = Some(PageText::failed(number, e));
                    done += 1;
                    progress(Step::Done(done, total));
                    continue;
                }
                r => r?,
            };
            let page = match loaded {
                LoadedPage::Text(mut t) => {
                    t.number = number;
                    t
                }
                LoadedPage::Image(img) if triage => {
                    let load = (
                        load_t0.elapsed().as_secs_f32(),
                        crate::clock::process_cpu_seconds() - load_cpu0,
                    );
                    let (cheap, full, is_annex) = self.triage(&img, number, &small, load)?;
                    annex[k] = is_annex;
                    match full {
                        Some(reason) => {
                            log::debug!("page {number}: read in full: {reason}");
                            if defer {
                                deferred.push(k);
                                continue;
                            }
                            self.ocr_page(&img, number, &opts)?
                        }
                        None => {
                            cheap_only[k] = true;
                            cheap
                        }
                    }
                }
                LoadedPage::Image(img) => self.ocr_page(&img, number, &opts)?,
            };
            out[k] = Some(page);
            done += 1;
            progress(Step::Done(done, total));
        }
        for k in pages_before_annexes(indices, &annex, &cheap_only) {
            log::debug!(
                "page {}: read in full: before an annex",
                indices[k] as u32 + 1
            );
            out[k] = None;
            done -= 1;
            deferred.push(k);
        }
        deferred.sort_unstable();
        if defer && !deferred.is_empty() {
            self.put_tesseract_away();
        }
        for k in deferred {
            let number = indices[k] as u32 + 1;
            progress(Step::Start(indices[k]));
            out[k] = Some(self.full_page(doc, indices[k], number, &opts)?);
            done += 1;
            progress(Step::Done(done, total));
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// Triage of a scanned page: its cheap reading, the reason to read it in
    /// full (none: the cheap reading stands) and whether it is an annex. A
    /// PP-OCR worker triages by PP-OCR (detection at low resolution, the
    /// large print recognised); the others by Tesseract's reading at low
    /// resolution (`small`). `load`: the page load's wall and CPU seconds,
    /// for the debug log.
    fn triage(
        &mut self,
        img: &image::DynamicImage,
        number: u32,
        small: &OcrOptions,
        load: (f32, f64),
    ) -> Result<(PageText, Option<String>, bool), DocError> {
        let t0 = std::time::Instant::now();
        let cpu0 = crate::clock::process_cpu_seconds();
        let (cheap, full, is_annex, detail) = if self.reads_by_paddle() {
            let t = crate::triage::triage_page(self.paddle()?, img, number)?;
            let detail = format!(
                "{} lines, {} read (CPU s: grey {:.2}, detection {:.2}, recognition {:.2})",
                t.detected, t.read, t.cpu[0], t.cpu[1], t.cpu[2]
            );
            (t.page, t.full, t.annex, detail)
        } else {
            let cheap = ocr::read_page(&mut *self.reader()?, img, number, small)?;
            let full = full_reading_reason(&cheap);
            let kind = classify(&cheap.text());
            let detail = format!("conf {:?}, kind {kind:?}", cheap.mean_conf);
            (cheap, full, kind == PageKind::Annex, detail)
        };
        if log::log_enabled!(log::Level::Debug) {
            let text: String = cheap
                .text()
                .replace('\n', " | ")
                .chars()
                .take(100)
                .collect();
            log::debug!(
                "page {number}: load {:.2} s (CPU {:.2} s), triage {:.2} s (CPU {:.2} s), {detail}, read {text:?}, full reading: {}",
                load.0,
                load.1,
                t0.elapsed().as_secs_f32(),
                crate::clock::process_cpu_seconds() - cpu0,
                full.as_deref().unwrap_or("no"),
            );
        }
        Ok((cheap, full, is_annex))
    }

    /// Page `i` of `doc` read in full (numbered `number`).
    fn full_page(
        &mut self,
        doc: &Document,
        i: usize,
        number: u32,
        opts: &OcrOptions,
    ) -> Result<PageText, DocError> {
        Ok(match doc.page(i)? {
            LoadedPage::Image(img) => self.ocr_page(&img, number, opts)?,
            LoadedPage::Text(mut t) => {
                t.number = number;
                t
            }
        })
    }

    /// Drops the Tesseract engines (started again on their next use) and
    /// hands the freed memory back to the system.
    fn put_tesseract_away(&mut self) {
        self.engine = LazyEngine::new(&self.settings.ocr_langs);
        self.traditional = LazyEngine::new(&self.settings.traditional_langs);
        crate::memory::release_free_memory();
    }

    /// Reads some pages of an input (one chunk of a large document read in
    /// parallel by several workers).
    pub fn process_pages(
        &mut self,
        input: &InputRef,
        indices: &[usize],
        progress: &mut dyn FnMut(Step),
    ) -> Result<Vec<PageText>, DocError> {
        let doc = Document::open(read_bytes(input)?)?;
        self.read_pages_of(&doc, indices, progress)
    }

    /// Processes one input into its records (never fails: errors become records).
    pub fn process(&mut self, input: &InputRef, progress: &mut dyn FnMut(Step)) -> Vec<Record> {
        match self.process_job(input, &[], 0, &mut |_| {}, progress) {
            Processed::Records(r) => r,
            Processed::Split { .. } => unreachable!("split only when asked"),
        }
    }

    /// Processes one input: `skipped` are pages (0-based, with the reason)
    /// not to read (they ran past the page time limit before); a document of
    /// more than [`SPLIT_ABOVE_PAGES`] pages is not read but
    /// answered with `Split` when `split_jobs` > 1 and no page is skipped.
    /// `hashed` gets the input's SHA-256 as soon as its bytes are read.
    pub fn process_job(
        &mut self,
        input: &InputRef,
        skipped: &[(usize, String)],
        split_jobs: usize,
        hashed: &mut dyn FnMut(&str),
        progress: &mut dyn FnMut(Step),
    ) -> Processed {
        let bytes = match read_bytes(input) {
            Ok(b) => b,
            Err(e) => return Processed::Records(vec![Record::error(&input.display, None, e)]),
        };
        let sha = sha256_hex(&bytes);
        hashed(&sha);
        let doc = match Document::open(bytes) {
            Ok(d) => d,
            Err(e) => return Processed::Records(vec![Record::error(&input.display, Some(sha), e)]),
        };
        let n = doc.page_count();
        if n == 0 {
            return Processed::Records(vec![Record::error(
                &input.display,
                Some(sha),
                DocError::new(ErrorCode::Empty, "the document has no pages"),
            )]);
        }
        if split_jobs > 1 && n > SPLIT_ABOVE_PAGES && skipped.is_empty() {
            return Processed::Split {
                pages: n,
                sha256: sha,
            };
        }
        let indices: Vec<usize> = (0..n)
            .filter(|i| !skipped.iter().any(|(s, _)| s == i))
            .collect();
        let mut pages = match self.read_pages_of(&doc, &indices, progress) {
            Ok(p) => p,
            Err(e) => return Processed::Records(vec![Record::error(&input.display, Some(sha), e)]),
        };
        drop(doc);
        add_skipped_pages(&mut pages, skipped);
        Processed::Records(self.records_for(&input.display, &sha, &pages))
    }

    fn extract_context(&self) -> ExtractContext<'_> {
        ExtractContext {
            vocab: &self.vocab,
            body_names: &self.body_names,
            known_bodies: &self.data.registry.known,
            body_code_len: 6,
            number_patterns: &self.number_patterns,
        }
    }

    /// The hybrid engine: Tesseract's reading, then PP-OCR recognition of the
    /// lines that hold a field extraction found, and of lines read with low
    /// confidence; a line takes PP-OCR's text when it is more confident.
    fn hybrid_page(
        &mut self,
        img: &image::DynamicImage,
        number: u32,
        opts: &OcrOptions,
    ) -> Result<PageText, DocError> {
        let r = ocr::read_page_upright(&mut *self.reader()?, img, number, opts)?;
        let mut page = r.page;
        let ext = extract(std::slice::from_ref(&page), &self.extract_context());
        let boxes: Vec<[u32; 4]> = ext.evidence.values().map(|e| e.bbox).collect();
        let overlaps = |b: &crate::page::BBox| {
            boxes.iter().any(|e| {
                b.x < e[0] + e[2] && e[0] < b.x + b.w && b.y < e[1] + e[3] && e[1] < b.y + b.h
            })
        };
        let targets: Vec<usize> = (0..page.lines.len())
            .filter(|&i| {
                let l = &page.lines[i];
                l.conf < HYBRID_REREAD_BELOW_CONF || overlaps(&l.bbox)
            })
            .collect();
        let (gw, gh) = r.gray.dimensions();
        let crops: Vec<image::GrayImage> = targets
            .iter()
            .map(|&i| {
                let b = page.lines[i].bbox;
                let s = r.scale;
                let pad = (b.h as f32 * s * 0.25) as u32;
                let x = ((b.x as f32 * s) as u32)
                    .saturating_sub(pad * 2)
                    .min(gw - 1);
                let y = ((b.y as f32 * s) as u32).saturating_sub(pad).min(gh - 1);
                let w = ((b.w as f32 * s) as u32 + pad * 4).min(gw - x).max(1);
                let h = ((b.h as f32 * s) as u32 + pad * 2).min(gh - y).max(1);
                image::imageops::crop_imm(&r.gray, x, y, w, h).to_image()
            })
            .collect();
        let texts = match self.given.as_deref_mut() {
            Some(g) => g.recognize_lines(&crops)?,
            None => self.paddle()?.recognize_lines(&crops)?,
        };
        for (&i, r) in targets.iter().zip(texts) {
            let l = &mut page.lines[i];
            let text = r.text.trim();
            if !text.is_empty() && r.mean * 100.0 > l.conf {
                *l = crate::page::Line::from_words(vec![crate::page::Word {
                    text: text.to_string(),
                    bbox: l.bbox,
                    conf: r.min * 100.0,
                    ..Default::default()
                }]);
            }
        }
        Ok(page)
    }

    /// Groups pages into certificates and builds their records; pages that
    /// could not be read are named in an error line (see [`with_failed_pages`]).
    pub fn records_for(&self, display: &str, sha: &str, pages: &[PageText]) -> Vec<Record> {
        let failed: Vec<(u32, DocError)> = pages
            .iter()
            .filter_map(|p| p.error.clone().map(|e| (p.number, e)))
            .collect();
        let records = self.records_of_read_pages(display, sha, pages);
        with_failed_pages(records, display, sha, &failed)
    }

    /// The records of a document's pages: one per certificate (its pages
    /// grouped, its fields extracted and judged), or a `not_certificate`.
    fn records_of_read_pages(&self, display: &str, sha: &str, pages: &[PageText]) -> Vec<Record> {
        let kinds: Vec<PageKind> = pages.iter().map(|p| classify(&p.text())).collect();
        let ctx = self.extract_context();
        let groups = certificate_groups(pages, &kinds, &ctx);
        // A business licence in the same package names the bidder: without a
        // manifest, each certificate's organisation is checked against it.
        let licence_name: Option<String> = kinds
            .iter()
            .position(|k| *k == PageKind::BusinessLicence)
            .and_then(|i| {
                extract(std::slice::from_ref(&pages[i]), &ctx)
                    .certificate
                    .organization_name
            });
        let expected: Option<&str> = self
            .data
            .manifest
            .as_ref()
            .and_then(|m| m.organization_for(display))
            .or(licence_name.as_deref());
        // Surveillance notices (保持认证注册资格通知书): the number they keep
        // valid and their date.
        let notices: Vec<(String, String)> = kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| **k == PageKind::SurveillanceNotice)
            .filter_map(|(i, _)| notice_of(&pages[i], &self.number_patterns))
            .collect();
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
                page_sizes: vec![],
                run: None,
            }];
        }
        groups
            .into_iter()
            .map(|g| {
                let gp: Vec<PageText> = g.iter().map(|&i| pages[i].clone()).collect();
                self.certificate_record(display, sha, &gp, &ctx, &notices, expected)
            })
            .collect()
    }

    /// The record of one certificate's pages: its fields, the dates of the
    /// surveillance notices that keep its number valid, its judgement.
    fn certificate_record(
        &self,
        display: &str,
        sha: &str,
        gp: &[PageText],
        ctx: &ExtractContext,
        notices: &[(String, String)],
        expected: Option<&str>,
    ) -> Record {
        let mut x = extract(gp, ctx);
        if let Some(n) = &x.certificate.certificate_number {
            let key = crate::repair::confusion_key(n);
            for (num, date) in notices {
                if crate::repair::confusion_key(num) == key
                    && !x.certificate.surveillance_audits.contains(date)
                {
                    x.certificate.surveillance_audits.push(date.clone());
                }
            }
            x.certificate.surveillance_audits.sort();
        }
        let (source, conf) = text_source(gp.iter());
        let rule_ctx = RuleContext {
            as_of: self.settings.as_of,
            rulebook: &self.data.rulebook,
            registry: Some(&self.data.registry),
            expected_organization: expected,
            ocr: source == Some(TextSource::Ocr),
        };
        let validation = judge(&mut x.certificate, &x.evidence, &rule_ctx);
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
            page_sizes: gp.iter().map(page_size).collect(),
            run: None,
        }
    }
}

/// The pages of each certificate (indexes into `pages`): a certificate page
/// starts one; an annex page, or a certificate page that repeats the
/// number of the page before it (a record or annex page printing the
/// number), continues the one before it.
fn certificate_groups(
    pages: &[PageText],
    kinds: &[PageKind],
    ctx: &ExtractContext,
) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_number: Option<String> = None;
    let key = |n: &Option<String>| n.as_deref().map(crate::repair::confusion_key);
    for (i, k) in kinds.iter().enumerate() {
        let follows = groups
            .last()
            .map(|g| *g.last().unwrap() + 1 == i)
            .unwrap_or(false);
        match k {
            PageKind::Certificate => {
                let number = extract(std::slice::from_ref(&pages[i]), ctx)
                    .certificate
                    .certificate_number;
                if number.is_some() && key(&number) == key(&group_number) && follows {
                    groups.last_mut().expect("group").push(i);
                } else {
                    groups.push(vec![i]);
                    group_number = number;
                }
            }
            PageKind::Annex if follows => groups.last_mut().expect("group").push(i),
            _ => {}
        }
    }
    groups
}

/// A page's size in the frame of its evidence boxes.
fn page_size(p: &PageText) -> crate::model::PageSize {
    crate::model::PageSize {
        page: p.number,
        width: p.width,
        height: p.height,
        unit: "px".to_string(),
        dpi: (p.source == TextSource::TextLayer).then_some(300),
        rotated: p.rotated,
    }
}

/// The certificate number a surveillance notice keeps valid ("编号为…的…证书
/// 继续有效") and the notice's date (the last date printed on it).
pub fn notice_of(page: &PageText, patterns: &[regex::Regex]) -> Option<(String, String)> {
    let text = crate::text::to_half_width(&page.text());
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let simp = crate::text::to_simplified(&compact);
    let start = ["编号为", "编号:", "编号", "证书号", "注册号"]
        .iter()
        .find_map(|l| simp.find(l).map(|p| p + l.len()))?;
    let rest: String = simp[start.min(simp.len())..]
        .chars()
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '/')
        .collect();
    let (number, _) = crate::repair::repair_to_pattern(&rest.to_uppercase(), patterns);
    if number.len() < 6 {
        return None;
    }
    let date = crate::text::find_dates(&text)
        .last()?
        .2
        .format("%Y-%m-%d")
        .to_string();
    Some((number, date))
}

/// The pages (positions in `indices`) left at their cheap reading that come
/// just before a page triage classified as an annex: an annex continues the
/// certificate before it, so that page is a certificate triage could not make
/// out (a degraded scan at triage's low resolution) and is read in full.
pub fn pages_before_annexes(indices: &[usize], annex: &[bool], cheap_only: &[bool]) -> Vec<usize> {
    (1..indices.len())
        .filter(|&k| annex[k] && cheap_only[k - 1] && indices[k - 1] + 1 == indices[k])
        .map(|k| k - 1)
        .collect()
}

/// Longest side of the cheap triage reading (about 120 dpi for A4).
pub const TRIAGE_LONG_SIDE: u32 = 1400;

/// Why a page read cheaply (Tesseract at low resolution) must be read again
/// at full resolution, `None` when it need not. Errs towards reading:
/// anything that is or mentions a certificate, a surveillance notice or a
/// business licence, and anything the cheap reading could not read.
pub fn full_reading_reason(cheap: &PageText) -> Option<String> {
    let text = cheap.text();
    let kind = classify(&text);
    if kind != PageKind::Other {
        return Some(format!("kind {kind:?}"));
    }
    let conf = cheap.mean_conf.unwrap_or(0.0);
    if conf < 60.0 {
        return Some(format!("poor reading (confidence {conf:.0})"));
    }
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 40 {
        return Some("few characters read".into());
    }
    let s = crate::text::to_simplified(&text).to_lowercase();
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
        "法定代表人",
        "注册资本",
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
    .find(|k| s.contains(*k))
    .map(|k| format!("label word {k:?}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::page::text_page as page;

    #[test]
    fn the_page_before_an_annex_is_read_in_full() {
        // Page 1 left cheap before the annex on page 2: pulled in. Page 5
        // read in full already before the annex on page 6: nothing to add.
        let indices = [0, 1, 2, 3, 4, 5];
        let annex = [false, true, false, false, false, true];
        let cheap_only = [true, false, true, true, false, false];
        assert_eq!(pages_before_annexes(&indices, &annex, &cheap_only), vec![0]);
        // Not next to each other in the document: no pull.
        let indices = [0, 2];
        assert_eq!(
            pages_before_annexes(&indices, &[false, true], &[true, false]),
            Vec::<usize>::new()
        );
        // A text-layer page (never cheap) before an annex: nothing to do.
        assert_eq!(
            pages_before_annexes(&[3, 4], &[false, true], &[false, false]),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn surveillance_notice_names_its_certificate_and_date() {
        let p = page(&[
            "保持认证注册资格通知书",
            "成都华信软件有限公司：",
            "经奥鹏总经理批准，编号为04721IT71678ROL管理体",
            "系认证证书继续有效，特此通知。",
            "（自本次审核结束之日起，有效期一年）",
            "2025年6月12日",
        ]);
        let pats = crate::extract::default_number_patterns();
        assert_eq!(
            notice_of(&p, &pats),
            Some(("04721IT71678R0L".to_string(), "2025-06-12".to_string()))
        );
    }

    fn worker() -> Worker {
        Worker::new(settings(EngineChoice::Tesseract)).unwrap()
    }

    fn settings(engine: EngineChoice) -> Settings {
        Settings {
            engine,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            ocr_langs: crate::ocr::DEFAULT_LANGS.into(),
            traditional_langs: String::new(),
            page_deadline_ms: 0,
            detect_orientation: false,
            ocr_long_side: crate::ocr::DEFAULT_LONG_SIDE,
            triage: true,
            rules: None,
            registry: None,
            manifest: None,
            memory_ceiling_mb: 0,
        }
    }

    fn codes(r: &Record) -> Vec<String> {
        r.validation
            .as_ref()
            .unwrap()
            .findings
            .iter()
            .map(|f| f.code.to_string())
            .collect()
    }

    #[test]
    fn package_licence_and_notice_are_used() {
        let cert = page(&[
            "信息技术服务管理体系认证证书",
            "证书编号：04721IT71678R0L",
            "组织名称：成都华信软件有限公司",
            "认证标准：ISO/IEC 20000-1:2018",
            "发证日期：2024年6月1日",
            "有效期至：2027年5月31日",
        ]);
        let notice = page(&[
            "保持认证注册资格通知书",
            "编号为04721IT71678R0L的管理体系认证证书继续有效",
            "2025年6月12日",
        ]);
        let same = page(&[
            "营业执照",
            "统一社会信用代码 91371323760038087M",
            "名称：成都华信软件有限公司",
            "法定代表人：张三",
        ]);
        let other = page(&[
            "营业执照",
            "统一社会信用代码 91371323760038087M",
            "名称：成都另一家科技有限公司",
            "法定代表人：张三",
        ]);
        let w = worker();
        let mut pages = vec![same, cert.clone(), notice];
        for (i, p) in pages.iter_mut().enumerate() {
            p.number = i as u32 + 1;
        }
        let r = w.records_for("pkg.pdf", "x", &pages);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].pages, vec![2]);
        assert_eq!(
            r[0].certificate.as_ref().unwrap().surveillance_audits,
            vec!["2025-06-12"]
        );
        assert!(!codes(&r[0]).contains(&"ORGANIZATION_MISMATCH".to_string()));
        pages[0] = other;
        let r = w.records_for("pkg.pdf", "x", &pages);
        assert!(
            codes(&r[0]).contains(&"ORGANIZATION_MISMATCH".to_string()),
            "{:?}",
            codes(&r[0])
        );
    }

    use crate::ocr::fake::{FakeEngine, FakePage};

    /// A multi-page TIFF of the fake engine's pages `0..n`.
    fn fake_scan(n: usize) -> Document {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut tiff = tiff::encoder::TiffEncoder::new(&mut buf).unwrap();
        for k in 0..n {
            let img = FakeEngine::page_image(k, 1000, 1400);
            tiff.write_image::<tiff::encoder::colortype::Gray8>(1000, 1400, img.as_raw())
                .unwrap();
        }
        Document::open(buf.into_inner()).unwrap()
    }

    const CERTIFICATE: [&str; 6] = [
        "质量管理体系认证证书",
        "证书编号：00124Q31245R2M",
        "组织名称：成都华信软件有限公司",
        "认证标准：GB/T 19001-2016/ISO 9001:2015",
        "发证日期：2024年6月1日",
        "有效期至：2027年5月31日",
    ];

    fn prose(topic: &str) -> FakePage {
        FakePage::new(
            &[
                &format!("第三章 {topic}"),
                "投标人应当按照招标文件的要求编制投标文件，并对其真实性负责。",
                "投标文件应当对招标文件提出的实质性要求和条件作出响应。",
            ],
            93.0,
        )
    }

    #[test]
    fn triage_reads_in_full_only_the_pages_that_may_matter_and_groups_what_they_hold() {
        let notice = FakePage::new(
            &[
                "保持认证注册资格通知书",
                "编号为00124Q31245R2M的管理体系认证证书继续有效",
                "2025年6月12日",
            ],
            94.0,
        );
        let pages = vec![
            prose("投标须知"),
            FakePage::new(&CERTIFICATE, 95.0),
            notice,
            prose("合同条款"),
        ];
        let fake = FakeEngine::new(pages);
        let reads = fake.reads.clone();
        let mut w = Worker::with_engine(settings(EngineChoice::Tesseract), Box::new(fake)).unwrap();
        let doc = fake_scan(4);
        let read = w.read_pages(&doc, &mut |_| {}).unwrap();
        assert_eq!(read.len(), 4);
        // Every page read cheaply (at triage's 1400 px); the certificate and
        // the notice read again in full (at 3508 px).
        assert_eq!(
            *reads.lock().unwrap(),
            [
                (0, 1400),
                (1, 1400),
                (1, 3508),
                (2, 1400),
                (2, 3508),
                (3, 1400)
            ]
        );
        let records = w.records_for("package.tif", "sha", &read);
        assert_eq!(records.len(), 1, "{records:?}");
        let r = &records[0];
        assert_eq!(r.status, Status::Certificate);
        assert_eq!(r.pages, vec![2]);
        let c = r.certificate.as_ref().unwrap();
        assert_eq!(c.certificate_number.as_deref(), Some("00124Q31245R2M"));
        assert_eq!(c.surveillance_audits, vec!["2025-06-12"]);
    }

    #[test]
    fn the_hybrid_path_takes_the_line_reader_s_text_where_it_is_surer() {
        let mut page = FakePage::new(&CERTIFICATE, 97.0);
        // Tesseract's doubtful reading of the number: O for 0, l for 1.
        page.lines[1] = ("证书编号：OO124Q3l245R2M".to_string(), 41.0);
        let mut fake = FakeEngine::new(vec![FakePage::default(), page]);
        fake.line_reading = Some(("证书编号：00124Q31245R2M".to_string(), 0.96, 0.9));
        let mut w = Worker::with_engine(settings(EngineChoice::Hybrid), Box::new(fake)).unwrap();
        let one = fake_scan(2);
        // Page 2 alone, as a document of one page (no triage).
        let read = w.read_pages_of(&one, &[1], &mut |_| {}).unwrap();
        let texts: Vec<&str> = read[0].lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[1], "证书编号：00124Q31245R2M");
        // Lines read surer than the line reader stay as they were.
        assert_eq!(texts[0], "质量管理体系认证证书");
        assert_eq!(texts[2], "组织名称：成都华信软件有限公司");
    }
}
