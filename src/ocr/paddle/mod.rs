//! Second OCR engine: PP-OCR (PaddleOCR's models) run in pure Rust by `rten`.
//! Takes a grey page image (or a region of one); hands on its lines
//! ([`LinesRead`]), its text-line boxes, or how it is turned. As an
//! [`OcrEngine`] it tells a page's turn from its own detection.
//!
//! One module per stage, each function callable alone for debugging:
//! - `detect`: DB text detection → a probability map → one rotated
//!   rectangle per text line ([`Quad`]); in bands on tall pages, in blocks
//!   of ink on sparse ones (a red mask), at low resolution for triage;
//! - `orient`: a quarter turn from the lines' run ([`quarter_turn`]), upside
//!   down from the direction classifier (0° / 180°) per crop;
//! - `recognize`: each rectangle cut out and turned level ([`crop_line`]),
//!   CTC recognition with the dictionary that the recognition model carries
//!   in its metadata (`character`);
//! - `layout`: rectangles and texts into the [`Line`]/[`Word`] structure
//!   Tesseract's reading gives ([`rows_of`]), so extraction does not care
//!   which engine read a page;
//! - here: the models ([`Paddle::load`]) and the whole reading
//!   ([`Paddle::read_lines`]).
//!
//! Models: PP-OCRv6 small detection and recognition and the v2 mobile
//! direction classifier, taken from the `rapidocr` 3.10.0 wheel by
//! `scripts/setup` into `models/ocr/` (checked by sha256, not committed).

mod detect;
mod layout;
mod orient;
mod recognize;

pub use detect::{
    det_bands, ink_regions, quads_from_map, text_lines, Quad, DET_MAX_SIDE, RED_DET_MAX_SIDE,
    TRIAGE_FALLBACK_SIDE, TRIAGE_SIDES,
};
pub use layout::rows_of;
pub use orient::quarter_turn;
pub use recognize::{crop_line, END_PAD};

use crate::error::{DocError, ErrorCode};
use crate::ocr::engine::{OcrEngine, PageLog, Recognized, Upright};
pub use crate::page::LinesRead;
use crate::page::{BBox, Line, Word};
use detect::*;
use image::{imageops, GrayImage, Luma};
use layout::*;
use recognize::*;
use rten::Model;
use rten_tensor::prelude::*;
use rten_tensor::NdTensor;
use std::path::{Path, PathBuf};

/// Model files in `models/ocr/` with their sha256.
pub const MODEL_FILES: [(&str, &str); 3] = [
    (
        "PP-OCRv6_det_small.onnx",
        "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
    ),
    (
        "PP-OCRv6_rec_small.onnx",
        "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
    ),
    (
        "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
        "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
    ),
];

/// The detector triage uses when it is present (optional: without it triage
/// detects with the reading's detector at [`TRIAGE_FALLBACK_SIDE`]): PP-OCRv4
/// mobile, from the `rapidocr_onnxruntime` 1.4.4 wheel. A third of PP-OCRv6
/// small's cost per pixel; its boxes are coarser (a page's lines of one size
/// come out as tall as its headings), which triage's title rules absorb
/// (docs/triage-2026-12-05.md).
pub const TRIAGE_MODEL_FILE: (&str, &str) = (
    "ch_PP-OCRv4_det_infer.onnx",
    "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
);

/// Height of a line of print that a region is scaled to for detection (a
/// page's lines are 15-30 px high at DET_MAX_SIDE).
const REGION_LINE_PX: f32 = 24.0;

/// Where the models are looked for: `$CERTSCAN_MODELS` (the folder holding
/// `ocr/`), the `models/` next to the executable's project, the source tree.
pub fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CERTSCAN_MODELS") {
        return PathBuf::from(d).join("ocr");
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        // target/release/certscan → ../../models
        for up in exe.ancestors().skip(1).take(4) {
            candidates.push(up.join("models/ocr"));
        }
    }
    candidates.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/ocr"
    )));
    candidates
        .iter()
        .find(|d| d.join(MODEL_FILES[0].0).is_file())
        .cloned()
        .unwrap_or_else(|| candidates.pop().unwrap_or_default())
}

/// True when every model file is present (not checked by hash: that is set-up's job).
pub fn models_present(dir: &Path) -> bool {
    MODEL_FILES.iter().all(|(f, _)| dir.join(f).is_file())
}

/// The loaded PP-OCR models.
pub struct Paddle {
    det: Model,
    /// Triage's detector ([`TRIAGE_MODEL_FILE`]), when present.
    triage_det: Option<Model>,
    rec: Model,
    cls: Model,
    /// Index 0 is the CTC blank.
    chars: Vec<String>,
    /// For each class: the class of its traditional form when the class is a
    /// simplified-only character whose traditional form the dictionary has
    /// (OpenCC s2t and back), else 0.
    traditional: Vec<u32>,
    /// Longest side of the image detection works on.
    pub det_max_side: u32,
}

fn ocr_err(msg: impl Into<String>) -> DocError {
    DocError::new(ErrorCode::Ocr, msg)
}

/// Runs a one-input, one-output model; errors name the stage.
fn run<const N: usize>(
    model: &Model,
    input: NdTensor<f32, 4>,
    stage: &str,
) -> Result<NdTensor<f32, N>, DocError> {
    let out = model
        .run_one(input.view().into(), None)
        .map_err(|e| ocr_err(format!("PP-OCR {stage} failed: {e}")))?;
    out.try_into()
        .map_err(|_| ocr_err(format!("PP-OCR {stage} gave an unexpected output")))
}

/// PP-OCR's mean confidence under which a page is also read turned by 180
/// degrees (upright pages, degraded ones included, read at 85-99).
pub const RETRY_180_BELOW_CONF: f32 = 75.0;

impl OcrEngine for Paddle {
    fn read(&mut self, gray: &GrayImage, _deadline_ms: u32) -> Result<LinesRead, DocError> {
        self.read_lines(gray)
    }

    /// Detection on where the ink is (seals, a title), not on the whole image.
    fn read_inked(&mut self, gray: &GrayImage, _deadline_ms: u32) -> Result<LinesRead, DocError> {
        Paddle::read_inked(self, gray, RED_DET_MAX_SIDE)
    }

    /// The page's own detection tells a quarter turn (the page is turned, to
    /// be detected and read again); upside-down lines are turned by the
    /// reading itself, so orientation costs nothing on an upright page, whose
    /// reading of the detected lines is handed on.
    fn turn_upright(
        &mut self,
        page: &mut Upright,
        log: &PageLog,
    ) -> Result<Option<LinesRead>, DocError> {
        let c0 = crate::clock::process_cpu_seconds();
        let quads = self.detect(&page.gray)?;
        let quarter = quarter_turn(&quads);
        log.say(format_args!("PP-OCR lines run down the page: {quarter:?}"));
        if quarter != Some(true) {
            return self.read_detected(&page.gray, quads, c0).map(Some);
        }
        // Which quarter: the direction classifier's vote on the longest lines
        // (pooled over the whole page, its sure verdicts alone miss small Latin
        // print turned upside down).
        let turned = self
            .orientation(&page.gray)?
            .filter(|t| *t == 90 || *t == 270)
            .unwrap_or(90);
        log.say(format_args!("turned by {turned}"));
        page.turn(turned);
        Ok(None)
    }

    /// A poor reading of a page that looked upright: it may be upside down
    /// with its lines too blurred for the direction classifier's votes (a
    /// 150-dpi scan turned 180 degrees). Read turned; the clearly better
    /// reading is kept.
    fn retry_poor(
        &mut self,
        page: &mut Upright,
        read: &mut LinesRead,
        _deadline_ms: u32,
        log: &PageLog,
    ) -> Result<(), DocError> {
        if read.mean_conf.unwrap_or(0.0) >= RETRY_180_BELOW_CONF {
            return Ok(());
        }
        let c0 = crate::clock::process_cpu_seconds();
        let turned_gray = crate::pixels::rotate_cw(&page.gray, 180);
        let again = self.read_lines(&turned_gray)?;
        log.say(format_args!(
            "retry turned 180 (CPU {:.2} s): poor PP-OCR reading ({:?}), turned: {:?}",
            crate::clock::process_cpu_seconds() - c0,
            read.mean_conf,
            again.mean_conf
        ));
        if again.mean_conf.unwrap_or(0.0) > read.mean_conf.unwrap_or(0.0) + 10.0 {
            page.turned = (page.turned + 180) % 360;
            page.gray = turned_gray;
            *read = again;
        }
        Ok(())
    }

    fn recognize_lines(&mut self, crops: &[GrayImage]) -> Result<Vec<Recognized>, DocError> {
        self.recognize(crops)
    }
}

impl Paddle {
    /// Loads the three models from `dir` (about 0.3 s).
    pub fn load(dir: &Path) -> Result<Paddle, DocError> {
        let load = |name: &str| {
            Model::load_file(dir.join(name)).map_err(|e| {
                ocr_err(format!(
                    "PP-OCR model {} could not be loaded ({e}); run scripts/setup",
                    dir.join(name).display()
                ))
            })
        };
        let det = load(MODEL_FILES[0].0)?;
        let rec = load(MODEL_FILES[1].0)?;
        let cls = load(MODEL_FILES[2].0)?;
        let triage_file = dir.join(TRIAGE_MODEL_FILE.0);
        let triage_det = if triage_file.is_file() {
            Some(load(TRIAGE_MODEL_FILE.0)?)
        } else {
            None
        };
        let dict = rec
            .metadata()
            .get("character")
            .ok_or_else(|| ocr_err("recognition model has no `character` dictionary"))?;
        let mut chars = vec![String::new()];
        chars.extend(dict.lines().map(str::to_string));
        chars.push(" ".to_string());
        let traditional = traditional_classes(&chars);
        Ok(Paddle {
            det,
            triage_det,
            rec,
            cls,
            chars,
            traditional,
            det_max_side: DET_MAX_SIDE,
        })
    }

    /// Text lines of a page: detection, crops, direction, recognition. Boxes
    /// are in `gray`'s pixels; lines come out in reading order, boxes on one
    /// row joined into one line (as words). The mean confidence (0-100) is
    /// over every box read, the dropped ones included, so that a page read as
    /// noise (turned, blank) shows a low figure as Tesseract's does.
    pub fn read_lines(&self, gray: &GrayImage) -> Result<LinesRead, DocError> {
        self.read_lines_at(gray, self.det_max_side)
    }

    /// [`Paddle::read_lines`] with detection at `det_max_side`.
    pub fn read_lines_at(
        &self,
        gray: &GrayImage,
        det_max_side: u32,
    ) -> Result<LinesRead, DocError> {
        let c0 = crate::clock::process_cpu_seconds();
        let quads = self.detect_at(gray, det_max_side)?;
        self.read_detected(gray, quads, c0)
    }

    /// The reading of [`Paddle::read_lines_at`] on boxes already detected
    /// (`c0`: the process's CPU seconds when detection started, for the
    /// debug log's cost of each step).
    pub fn read_detected(
        &self,
        gray: &GrayImage,
        quads: Vec<Quad>,
        c0: f64,
    ) -> Result<LinesRead, DocError> {
        let cpu = crate::clock::process_cpu_seconds;
        let t1 = cpu() - c0;
        let mut crops: Vec<GrayImage> = quads
            .iter()
            .map(|q| crop_line(gray, &q.lengthened(END_PAD * q.height)))
            .collect();
        // Certificates do not mix upright and upside-down lines: the direction
        // classifier's verdicts are pooled over the page (on its own it turns
        // some upright lines of wide monospaced print, which then read as noise).
        let flips = self.upside_down(&crops)?;
        let flipped = flips.iter().filter(|f| **f).count();
        // An upside-down page has nearly all its lines flagged; noise flags
        // about half: two thirds decide.
        let page_flipped = flipped * 3 > quads.len() * 2;
        for (c, flip) in crops.iter_mut().zip(&flips) {
            let turn = if quads.len() >= 3 {
                page_flipped
            } else {
                *flip
            };
            if turn {
                *c = imageops::rotate180(c);
            }
        }
        // Most lines upside down: the page is (orientation detection missed
        // it). Boxes go into the frame of the page turned upright, so that
        // lines come out in reading order.
        let quads_flipped = quads.len() >= 3 && page_flipped;
        let quads: Vec<Quad> = if quads_flipped {
            let (w, h) = (gray.width() as f32, gray.height() as f32);
            quads.iter().map(|q| q.turned_180(w, h)).collect()
        } else {
            quads
        };
        let t2 = cpu() - c0;
        let texts = self.recognize(&crops)?;
        log::debug!(
            "paddle: {}x{} CPU s: detect {:.2}, {} lines, crop+direction {:.2}, recognise {:.2}",
            gray.width(),
            gray.height(),
            t1,
            quads.len(),
            t2 - t1,
            cpu() - c0 - t2
        );
        let n = texts.len();
        let sum: f32 = texts.iter().map(|t| t.mean * 100.0).sum();
        let words = words_of(&quads, texts, gray.dimensions());
        let mean = (n > 0).then(|| sum / n as f32);
        Ok(LinesRead {
            lines: rows_of(words),
            mean_conf: mean,
            flipped: quads_flipped,
        })
    }

    /// [`Paddle::read_lines_at`] of an image whose ink lies in a few places
    /// (a red mask: seals, a red title or notice on white): detection runs
    /// only on the inked regions ([`ink_regions`]), each scaled as the whole
    /// image would be at `det_max_side`, so that lines come out as a
    /// whole-image detection finds them at a cost that follows the ink, not
    /// the page. Mostly inked images are detected whole.
    pub fn read_inked(&self, gray: &GrayImage, det_max_side: u32) -> Result<LinesRead, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(LinesRead::default());
        }
        let regions = ink_regions(gray);
        let inked: u64 = regions.iter().map(|r| r.2 as u64 * r.3 as u64).sum();
        if inked * 2 > w as u64 * h as u64 {
            return self.read_lines_at(gray, det_max_side);
        }
        let c0 = crate::clock::process_cpu_seconds();
        let f = self.det_scale(w, h, det_max_side);
        let pw = (((w as f32 * f) / 32.0).round() as u32).max(1) * 32;
        let ph = (((h as f32 * f) / 32.0).round() as u32).max(1) * 32;
        let (fx, fy) = (pw as f32 / w as f32, ph as f32 / h as f32);
        // Each region in the resized image's pixels, on its grid of 32, with
        // DET_BAND_CONTEXT pixels of context around it.
        let snap = |v: f32, up: bool, max: u32| -> usize {
            let c = if up {
                (v / 32.0).ceil()
            } else {
                (v / 32.0).floor()
            };
            ((c.max(0.0) as u32) * 32).min(max) as usize
        };
        let ctx = DET_BAND_CONTEXT;
        let blocks: Vec<Block> = regions
            .iter()
            .map(|&(x, y, rw, rh)| {
                let x0 = snap(x as f32 * fx, false, pw);
                let y0 = snap(y as f32 * fy, false, ph);
                let x1 = snap((x + rw) as f32 * fx, true, pw).max(x0 + 32);
                let y1 = snap((y + rh) as f32 * fy, true, ph).max(y0 + 32);
                Block {
                    own: (x0..x1, y0..y1),
                    ctx: (
                        x0.saturating_sub(ctx)..(x1 + ctx).min(pw as usize),
                        y0.saturating_sub(ctx)..(y1 + ctx).min(ph as usize),
                    ),
                }
            })
            .collect();
        let quads = self.detect_blocks(&self.det, gray, pw, ph, &blocks)?;
        self.read_detected(gray, quads, c0)
    }

    /// Text lines of a small region (a field's line cut from the page), its
    /// print scaled so that a line is about `REGION_LINE_PX` high, read
    /// upright: boxes on one row joined as [`Paddle::read_lines`] does, in the
    /// region's pixels.
    pub fn read_region(&self, gray: &GrayImage, line_height: f32) -> Result<Vec<Line>, DocError> {
        let (w, h) = gray.dimensions();
        let f = (REGION_LINE_PX / line_height.max(1.0)).clamp(0.25, 3.0);
        let rw = (((w as f32 * f) / 32.0).ceil() as u32).max(1) * 32;
        let rh = (((h as f32 * f) / 32.0).ceil() as u32).max(1) * 32;
        let quads = self.detect_resized(gray, rw, rh)?;
        let crops: Vec<GrayImage> = quads
            .iter()
            .map(|q| crop_line(gray, &q.lengthened(END_PAD * q.height)))
            .collect();
        let texts = self.recognize(&crops)?;
        Ok(rows_of(words_of(&quads, texts, (w, h))))
    }
}
