//! Second OCR engine: PP-OCR (PaddleOCR's models) run in pure Rust by `rten`.
//! Takes a grey page image (or a region of one); hands on its lines
//! ([`LinesRead`]), its text-line boxes, or how it is turned.
//!
//! The stages, each a function that can be called alone for debugging:
//! - [`Paddle::detect`]: DB text detection → a probability map → one rotated
//!   rectangle per text line ([`Quad`]);
//! - [`crop_line`]: each rectangle cut out of the page and turned level;
//! - [`Paddle::upside_down`]: the direction classifier (0° / 180°) per crop;
//! - [`Paddle::recognize`]: CTC recognition with the dictionary that the
//!   recognition model carries in its metadata (`character`);
//! - [`Paddle::read_lines`]: all of it, returning the same [`Line`]/[`Word`]
//!   structure Tesseract's reading gives, so extraction does not care which
//!   engine read a page.
//!
//! Models: PP-OCRv6 small detection and recognition and the v2 mobile
//! direction classifier, taken from the `rapidocr` 3.10.0 wheel by
//! `scripts/setup` into `models/ocr/` (checked by sha256, not committed).

use crate::error::{DocError, ErrorCode};
use crate::ocr::engine::{OcrEngine, PageLog, Recognized, Upright};
use crate::page::{BBox, Line, Word};
use image::{imageops, GrayImage, Luma};
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
/// Longest sides of the page triage's own detector works on: 640 px first
/// (a title at 18 pt on A4 is 13 px high), 800 px when the page's large print
/// at 640 gave no verdict (read poorly, no title, no hint): a page whose only
/// large print is a standard or a name reads at 640 as noise.
pub const TRIAGE_SIDES: [u32; 2] = [640, 800];
/// Longest side of the page triage detects on with the reading's detector.
pub const TRIAGE_FALLBACK_SIDE: u32 = 640;

/// Longest side of the image given to detection. rapidocr uses 2000; on A4
/// pages 1280 finds the same lines (10-point text is still ~15 px high) in
/// 40 % of the time (`certscan pages --engine paddle --debug`:
/// 3.0 s at 2000, 1.3 s at 1280 on a 2593×3508 scan).
pub const DET_MAX_SIDE: u32 = 1280;
/// Detection size for the red-print mask (seal rings, red notices: large print).
pub const RED_DET_MAX_SIDE: u32 = 960;
/// Shortest side detection works at (rapidocr's `limit_side_len`, type min).
const DET_MIN_SIDE: u32 = 736;
/// Height of a line of print that a region is scaled to for detection (a
/// page's lines are 15-30 px high at DET_MAX_SIDE).
const REGION_LINE_PX: f32 = 24.0;
/// A detected region whose second moments along its two axes differ by less
/// than this factor (sides within about 1.5 : 1) is taken as level.
const SQUARE_MOMENTS: f32 = 2.25;
/// Pixel threshold of the probability map.
const DET_THRESH: f32 = 0.3;
/// Mean probability a box needs to be kept.
const BOX_THRESH: f32 = 0.5;
/// How far the shrunk text kernel is grown back (DB's unclip ratio).
const UNCLIP_RATIO: f32 = 1.6;
/// Margin added at both ends of a line before it is cut out, in line
/// heights: DB's boxes clip small marks at a line's end (a final 、 or ：).
pub const END_PAD: f32 = 0.2;
/// Height of the recognition input.
const REC_HEIGHT: u32 = 48;
/// Crops per recognition batch. Batches are padded to their widest crop and
/// rten's cost follows the padded width: one crop at a time was measured
/// fastest (1.2 s against 2.2 s for batches of 8 on a 24-line page).
const REC_BATCH: usize = 1;
/// Lines whose recognised confidence (0-1) is below this are dropped.
const TEXT_SCORE: f32 = 0.5;
/// A simplified-only character's traditional form is kept as the reading for
/// a traditional page when the recogniser gave it at least this share of the
/// chosen character's probability (a prior of 200 to one for the page's own
/// script). Measured on the 168 traditional certificates of seeds 41, 43 and
/// 47: 0.1 left 维/统/级 read for 維/統/級 in two scopes (the recogniser gave
/// the traditional form 0.5-10 %), 0.005 reads every one right and changes
/// nothing else.
const TRADITIONAL_ODDS: f32 = 0.005;

pub use crate::page::LinesRead;

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

/// A text line found by detection: a rectangle, possibly slightly turned, in
/// the pixels of the image given to [`Paddle::detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad {
    /// Corner at the start of the line's top edge.
    pub origin: (f32, f32),
    /// Unit vector along the line.
    pub along: (f32, f32),
    /// Length along the line and height across it.
    pub len: f32,
    pub height: f32,
    /// Mean detection probability inside the line.
    pub score: f32,
}

impl Quad {
    /// The box in an image scaled by `k`.
    pub fn scaled(&self, k: f32) -> Quad {
        Quad {
            origin: (self.origin.0 * k, self.origin.1 * k),
            len: self.len * k,
            height: self.height * k,
            ..*self
        }
    }

    /// Whether the box is a text line rather than a character or a speck.
    pub fn is_line(&self) -> bool {
        self.len.max(self.height) >= 3.0 * self.len.min(self.height)
    }

    /// Whether the box's long side runs down the page rather than across it.
    pub fn runs_down(&self) -> bool {
        let along_is_vertical = self.along.1.abs() > self.along.0.abs();
        along_is_vertical == (self.len >= self.height)
    }

    /// The rectangle lengthened by `m` at both ends of the line.
    pub fn lengthened(&self, m: f32) -> Quad {
        Quad {
            origin: (
                self.origin.0 - self.along.0 * m,
                self.origin.1 - self.along.1 * m,
            ),
            len: self.len + 2.0 * m,
            ..*self
        }
    }

    /// The same rectangle in the frame of the image turned by 180° (`w`×`h`).
    pub fn turned_180(&self, w: f32, h: f32) -> Quad {
        let (ux, uy) = self.along;
        let (vx, vy) = (-uy, ux);
        let far = (
            self.origin.0 + ux * self.len + vx * self.height,
            self.origin.1 + uy * self.len + vy * self.height,
        );
        Quad {
            origin: (w - far.0, h - far.1),
            ..*self
        }
    }

    /// Axis-aligned box around the rectangle, clamped to `w`×`h`.
    pub fn bbox(&self, w: u32, h: u32) -> BBox {
        let (ux, uy) = self.along;
        let (vx, vy) = (-uy, ux);
        let pts = [
            self.origin,
            (self.origin.0 + ux * self.len, self.origin.1 + uy * self.len),
            (
                self.origin.0 + vx * self.height,
                self.origin.1 + vy * self.height,
            ),
            (
                self.origin.0 + ux * self.len + vx * self.height,
                self.origin.1 + uy * self.len + vy * self.height,
            ),
        ];
        let x0 = pts.iter().map(|p| p.0).fold(f32::MAX, f32::min).max(0.0);
        let y0 = pts.iter().map(|p| p.1).fold(f32::MAX, f32::min).max(0.0);
        let x1 = pts
            .iter()
            .map(|p| p.0)
            .fold(f32::MIN, f32::max)
            .min(w as f32);
        let y1 = pts
            .iter()
            .map(|p| p.1)
            .fold(f32::MIN, f32::max)
            .min(h as f32);
        BBox::new(
            x0 as u32,
            y0 as u32,
            (x1 - x0).max(1.0) as u32,
            (y1 - y0).max(1.0) as u32,
        )
    }
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

    /// DB detection: text-line rectangles in `gray`'s pixels.
    pub fn detect(&self, gray: &GrayImage) -> Result<Vec<Quad>, DocError> {
        self.detect_at(gray, self.det_max_side)
    }

    fn detect_at(&self, gray: &GrayImage, det_max_side: u32) -> Result<Vec<Quad>, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(Vec::new());
        }
        // Scale as rapidocr does: longest side at most DET_MAX_SIDE, shortest
        // at least DET_MIN_SIDE, both multiples of 32.
        let f = self.det_scale(w, h, det_max_side);
        let rw = (((w as f32 * f) / 32.0).round() as u32).max(1) * 32;
        let rh = (((h as f32 * f) / 32.0).round() as u32).max(1) * 32;
        self.detect_resized(gray, rw, rh)
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

    /// The factor [`Paddle::detect_at`] scales a `w`×`h` image by.
    fn det_scale(&self, w: u32, h: u32, det_max_side: u32) -> f32 {
        let mut f = (det_max_side as f32 / w.max(h) as f32).min(1.0);
        if (w.min(h) as f32 * f) < DET_MIN_SIDE as f32 {
            f = DET_MIN_SIDE as f32 / w.min(h) as f32;
        }
        f
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

    /// The sides triage detects a page at, coarse first: with triage's own
    /// detector [`TRIAGE_SIDES`], else the reading's at
    /// [`TRIAGE_FALLBACK_SIDE`].
    pub fn triage_sides(&self) -> &'static [u32] {
        match self.triage_det {
            Some(_) => &TRIAGE_SIDES,
            None => &[TRIAGE_FALLBACK_SIDE],
        }
    }

    /// Detection for triage at `side` (one of [`Paddle::triage_sides`]),
    /// with triage's own detector when it is loaded; the detector's name is
    /// for the debug log.
    pub fn detect_triage(
        &self,
        gray: &GrayImage,
        side: u32,
    ) -> Result<(Vec<Quad>, &'static str), DocError> {
        match &self.triage_det {
            Some(m) => Ok((self.detect_small(m, gray, side)?, TRIAGE_MODEL_FILE.0)),
            None => Ok((self.detect_small(&self.det, gray, side)?, MODEL_FILES[0].0)),
        }
    }

    /// Detection by `model` on `gray` scaled so that its longest side is
    /// `long_side` (no shortest-side floor: a page's large print, its title,
    /// is what triage looks for), in one band; boxes in `gray`'s pixels.
    fn detect_small(
        &self,
        model: &Model,
        gray: &GrayImage,
        long_side: u32,
    ) -> Result<Vec<Quad>, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(Vec::new());
        }
        let f = (long_side as f32 / w.max(h) as f32).min(1.0);
        let rw = (((w as f32 * f) / 32.0).round() as u32).max(1) * 32;
        let rh = (((h as f32 * f) / 32.0).round() as u32).max(1) * 32;
        self.detect_banded(model, gray, rw, rh, rh as usize)
    }

    /// Detection on `gray` resized to `rw`×`rh` (multiples of 32); boxes in
    /// `gray`'s pixels.
    fn detect_resized(&self, gray: &GrayImage, rw: u32, rh: u32) -> Result<Vec<Quad>, DocError> {
        self.detect_banded(&self.det, gray, rw, rh, DET_BAND_ABOVE)
    }

    /// [`Paddle::detect_resized`], inputs taller than `band_above` rows run
    /// in bands.
    fn detect_banded(
        &self,
        model: &Model,
        gray: &GrayImage,
        rw: u32,
        rh: u32,
        band_above: usize,
    ) -> Result<Vec<Quad>, DocError> {
        let (pw, ph) = (rw as usize, rh as usize);
        let blocks: Vec<Block> = if ph <= band_above {
            vec![(0..ph, 0..ph)]
        } else {
            det_bands(ph)
        }
        .into_iter()
        .map(|(own, ctx)| Block {
            own: (0..pw, own),
            ctx: (0..pw, ctx),
        })
        .collect();
        self.detect_blocks(model, gray, rw, rh, &blocks)
    }

    /// Detection on `gray` resized to `rw`×`rh` (multiples of 32), the
    /// network run on each block's rectangle with its context and its own
    /// part of the probability map kept (the rest of the map is empty: no
    /// lines); boxes in `gray`'s pixels.
    fn detect_blocks(
        &self,
        model: &Model,
        gray: &GrayImage,
        rw: u32,
        rh: u32,
        blocks: &[Block],
    ) -> Result<Vec<Quad>, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(Vec::new());
        }
        let small = crate::pixels::resize_gray(gray, rw, rh);
        let plane: Vec<f32> = small
            .as_raw()
            .iter()
            .map(|&p| p as f32 / 127.5 - 1.0)
            .collect();
        drop(small);
        let (pw, ph) = (rw as usize, rh as usize);
        // The network's activations grow with the input's area (about 160 MB
        // for a whole page at 1280 px, 60 MB for a band of 448 rows): a tall
        // page is run in horizontal bands that overlap by DET_BAND_CONTEXT
        // rows, each band giving the probability map of its own rows, so that
        // the peak is a band's and the stitched map the page's.
        let mut prob = vec![0f32; pw * ph];
        for Block { own, ctx } in blocks {
            let (cols, rows) = (ctx.0.len(), ctx.1.len());
            let mut data = Vec::with_capacity(cols * rows * 3);
            for _ in 0..3 {
                for y in ctx.1.clone() {
                    data.extend_from_slice(&plane[y * pw + ctx.0.start..y * pw + ctx.0.end]);
                }
            }
            let input = NdTensor::from_data([1, 3, rows, cols], data);
            let out: NdTensor<f32, 4> = run(model, input, "detection")?;
            if out.shape()[2] != rows || out.shape()[3] != cols {
                return Err(ocr_err("PP-OCR detection gave a map of another size"));
            }
            let out = out.into_data();
            for y in own.1.clone() {
                let from = (y - ctx.1.start) * cols + (own.0.start - ctx.0.start);
                prob[y * pw + own.0.start..y * pw + own.0.end]
                    .copy_from_slice(&out[from..from + own.0.len()]);
            }
        }
        let quads = quads_from_map(&prob, pw, ph);
        let (sx, sy) = (w as f32 / pw as f32, h as f32 / ph as f32);
        Ok(quads
            .into_iter()
            .map(|q| {
                // Near-uniform scale (multiples of 32 move the aspect slightly).
                Quad {
                    origin: (q.origin.0 * sx, q.origin.1 * sy),
                    len: q.len * (q.along.0.abs() * sx + q.along.1.abs() * sy),
                    height: q.height * (q.along.1.abs() * sx + q.along.0.abs() * sy),
                    ..q
                }
            })
            .collect())
    }

    /// How far `gray` must be turned clockwise (0, 90, 180 or 270 degrees) for
    /// its text to stand upright, judged on a small copy: text lines that run
    /// down the page mean a quarter turn (the copy is turned and detected
    /// again), and the direction classifier's verdicts on the longest lines
    /// tell upright from upside down. `None` when the page shows too few lines,
    /// or lines both ways, to tell.
    pub fn orientation(&self, gray: &GrayImage) -> Result<Option<u32>, DocError> {
        let f = (ORIENT_SIDE as f32 / gray.width().max(gray.height()).max(1) as f32).min(1.0);
        let small = crate::pixels::resize_gray(
            gray,
            ((gray.width() as f32 * f) as u32).max(1),
            ((gray.height() as f32 * f) as u32).max(1),
        );
        let lines = |img: &GrayImage| -> Result<Vec<Quad>, DocError> {
            Ok(text_lines(self.detect_at(img, ORIENT_SIDE)?))
        };
        let first = lines(&small)?;
        let (base, mut quads) = match quarter_turn(&first) {
            None => return Ok(None),
            Some(true) => (90, lines(&crate::pixels::rotate_cw(&small, 90))?),
            Some(false) => (0, first),
        };
        if quads.len() < ORIENT_MIN_LINES {
            return Ok(None);
        }
        // Lines that run across the page after the turn, longest first.
        quads.retain(|q| !q.runs_down());
        quads.sort_by(|a, b| b.len.total_cmp(&a.len));
        quads.truncate(ORIENT_SAMPLE);
        // The classifier looks at lines cut from the page at full resolution
        // (small Latin print cut from the small copy leaves it undecided).
        let page = if base == 90 {
            std::borrow::Cow::Owned(crate::pixels::rotate_cw(gray, 90))
        } else {
            std::borrow::Cow::Borrowed(gray)
        };
        let crops: Vec<GrayImage> = quads
            .iter()
            .map(|q| {
                let q = q.scaled(1.0 / f);
                crop_line(&page, &q.lengthened(END_PAD * q.height))
            })
            .collect();
        // The lines' mean odds decide (a vote of sure verdicts leaves blurred
        // Latin print undecided; a majority of two thirds, skewed pages).
        let odds = self.upside_down_odds(&crops)?;
        let mean = odds.iter().sum::<f32>() / odds.len().max(1) as f32;
        log::debug!("orientation: base {base}, upside-down odds {odds:.2?}");
        Ok(Some(if mean > 0.5 { (base + 180) % 360 } else { base }))
    }

    /// Direction classifier: true for crops that are upside down (sure of it).
    pub fn upside_down(&self, crops: &[GrayImage]) -> Result<Vec<bool>, DocError> {
        Ok(self
            .upside_down_odds(crops)?
            .into_iter()
            .map(|p| p > 0.9)
            .collect())
    }

    /// Direction classifier: the probability that each crop is upside down.
    pub fn upside_down_odds(&self, crops: &[GrayImage]) -> Result<Vec<f32>, DocError> {
        let mut out = Vec::with_capacity(crops.len());
        for chunk in crops.chunks(REC_BATCH) {
            let input = batch_tensor(chunk, 48, Some(192));
            let t: NdTensor<f32, 2> = run(&self.cls, input, "direction classifier")?;
            for i in 0..chunk.len() {
                out.push(t[[i, 1]]);
            }
        }
        Ok(out)
    }

    /// CTC recognition of level line crops: text, mean and lowest character
    /// probability (0-1) each, and the text with traditional forms the
    /// recogniser also saw (see [`Recognized::traditional`]).
    pub fn recognize(&self, crops: &[GrayImage]) -> Result<Vec<Recognized>, DocError> {
        let mut order: Vec<usize> = (0..crops.len()).collect();
        let ratio = |c: &GrayImage| c.width() as f32 / c.height().max(1) as f32;
        order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
        let mut out = vec![Recognized::default(); crops.len()];
        for idx in order.chunks(REC_BATCH) {
            let batch: Vec<GrayImage> = idx.iter().map(|&i| crops[i].clone()).collect();
            let input = batch_tensor(&batch, REC_HEIGHT, None);
            let t: NdTensor<f32, 3> = run(&self.rec, input, "recognition")?;
            let [_, steps, classes] = t.shape();
            for (bi, &i) in idx.iter().enumerate() {
                let mut text = String::new();
                let mut trad = String::new();
                let mut any_trad = false;
                let mut probs = Vec::new();
                let mut prev = 0usize;
                for s in 0..steps {
                    let mut best = (0usize, f32::MIN);
                    for c in 0..classes {
                        let p = t[[bi, s, c]];
                        if p > best.1 {
                            best = (c, p);
                        }
                    }
                    if best.0 != 0 && best.0 != prev {
                        if let Some(ch) = self.chars.get(best.0) {
                            text.push_str(ch);
                            probs.push(best.1);
                            let alt = self.traditional.get(best.0).copied().unwrap_or(0) as usize;
                            if alt != 0
                                && alt < classes
                                && t[[bi, s, alt]] >= best.1 * TRADITIONAL_ODDS
                            {
                                trad.push_str(&self.chars[alt]);
                                any_trad = true;
                            } else {
                                trad.push_str(ch);
                            }
                        }
                    }
                    prev = best.0;
                }
                let (mean, min) = if probs.is_empty() {
                    (0.0, 0.0)
                } else {
                    (
                        probs.iter().sum::<f32>() / probs.len() as f32,
                        probs.iter().copied().fold(1.0, f32::min),
                    )
                };
                out[i] = Recognized {
                    text,
                    mean,
                    min,
                    traditional: any_trad.then_some(trad),
                };
            }
        }
        Ok(out)
    }
}

/// For each class of `chars`, the class of its traditional form when it is a
/// simplified-only character (OpenCC s2t changes it, t2s brings it back) and
/// the dictionary holds that form; 0 otherwise.
fn traditional_classes(chars: &[String]) -> Vec<u32> {
    let index: std::collections::HashMap<&str, u32> = chars
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| (c.as_str(), i as u32))
        .collect();
    chars
        .iter()
        .map(|c| {
            let mut it = c.chars();
            let (Some(ch), None) = (it.next(), it.next()) else {
                return 0;
            };
            if !crate::page::is_cjk(ch) {
                return 0;
            }
            let t = crate::text::to_traditional(c);
            if t == *c || crate::text::to_simplified(&t) != *c {
                return 0;
            }
            index.get(t.as_str()).copied().unwrap_or(0)
        })
        .collect()
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

/// Crops normalised to `height`, padded (with 0 after normalisation) to the
/// widest one or to `fixed_width`, as one NCHW tensor with the grey value in
/// all three channels.
fn batch_tensor(crops: &[GrayImage], height: u32, fixed_width: Option<u32>) -> NdTensor<f32, 4> {
    let widths: Vec<u32> = crops
        .iter()
        .map(|c| {
            let w = (height as f32 * c.width() as f32 / c.height().max(1) as f32).ceil() as u32;
            w.clamp(8, fixed_width.unwrap_or(height * 60))
        })
        .collect();
    let bw =
        fixed_width.unwrap_or_else(|| widths.iter().copied().max().unwrap_or(8).max(8)) as usize;
    let hh = height as usize;
    let mut data = vec![0f32; crops.len() * 3 * hh * bw];
    for (i, (c, &w)) in crops.iter().zip(&widths).enumerate() {
        let r = crate::pixels::resize_gray(c, w, height);
        for y in 0..hh {
            for x in 0..w as usize {
                let v = r.get_pixel(x as u32, y as u32)[0] as f32 / 127.5 - 1.0;
                for ch in 0..3 {
                    data[((i * 3 + ch) * hh + y) * bw + x] = v;
                }
            }
        }
    }
    NdTensor::from_data([crops.len(), 3, hh, bw], data)
}

/// The boxes that are text lines, not single characters or specks (a box's
/// long side may run along or across its `along` vector).
pub fn text_lines(quads: Vec<Quad>) -> Vec<Quad> {
    quads.into_iter().filter(Quad::is_line).collect()
}

/// Whether a page's text lines run down it (the page is turned a quarter,
/// one way or the other): `None` when there are too few lines, or lines both
/// ways, to tell.
pub fn quarter_turn(quads: &[Quad]) -> Option<bool> {
    let lines: Vec<&Quad> = quads.iter().filter(|q| q.is_line()).collect();
    if lines.len() < ORIENT_MIN_LINES {
        return None;
    }
    let down = lines.iter().filter(|q| q.runs_down()).count();
    if down * 3 >= lines.len() * 2 {
        Some(true)
    } else if down * 3 <= lines.len() {
        Some(false)
    } else {
        None
    }
}

/// Longest side of the copy a page's orientation is judged on.
const ORIENT_SIDE: u32 = 960;
/// Fewest text lines orientation is judged from.
const ORIENT_MIN_LINES: usize = 3;
/// Longest lines the direction classifier looks at.
const ORIENT_SAMPLE: usize = 16;

/// Inputs taller than this many rows are detected in bands.
const DET_BAND_ABOVE: usize = 448;
/// Rows of context a band reads beyond its own rows, on each inner side
/// (a multiple of 32, as the network's input must be).
const DET_BAND_CONTEXT: usize = 64;

/// A rectangle of a resized page detection runs on (`ctx`: columns and
/// rows, multiples of 32) and the part of it whose probabilities are kept
/// (`own`, inside `ctx`).
struct Block {
    own: (std::ops::Range<usize>, std::ops::Range<usize>),
    ctx: (std::ops::Range<usize>, std::ops::Range<usize>),
}

/// Side of the cells [`ink_regions`] looks for ink in (pixels).
const INK_CELL: u32 = 16;
/// A cell holds ink when a pixel is darker than this.
const INK_DARK: u8 = 230;
/// Margin around a region of ink (pixels): the detector sees a line's
/// surroundings as it would on the whole image.
const INK_MARGIN: u32 = 48;

/// The places of `gray` (dark ink on white) that hold ink: cells of
/// [`INK_CELL`] pixels with a dark pixel, grouped where they touch, each
/// group's bounding box widened by [`INK_MARGIN`], boxes that overlap merged;
/// (x, y, width, height), top to bottom.
pub fn ink_regions(gray: &GrayImage) -> Vec<(u32, u32, u32, u32)> {
    let (w, h) = gray.dimensions();
    let (cw, ch) = (w.div_ceil(INK_CELL) as usize, h.div_ceil(INK_CELL) as usize);
    let mut ink = vec![false; cw * ch];
    for (x, y, p) in gray.enumerate_pixels() {
        if p[0] < INK_DARK {
            ink[(y / INK_CELL) as usize * cw + (x / INK_CELL) as usize] = true;
        }
    }
    // Groups of touching cells (8-neighbours), by a flood fill.
    let mut seen = vec![false; cw * ch];
    let mut boxes: Vec<[u32; 4]> = Vec::new();
    for start in 0..ink.len() {
        if !ink[start] || seen[start] {
            continue;
        }
        let mut stack = vec![start];
        seen[start] = true;
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (cx, cy) = (i % cw, i / cw);
            (x0, y0, x1, y1) = (x0.min(cx), y0.min(cy), x1.max(cx), y1.max(cy));
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                        continue;
                    }
                    let j = ny as usize * cw + nx as usize;
                    if ink[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let px = |c: usize| c as u32 * INK_CELL;
        boxes.push([
            px(x0).saturating_sub(INK_MARGIN),
            px(y0).saturating_sub(INK_MARGIN),
            (px(x1 + 1) + INK_MARGIN).min(w),
            (px(y1 + 1) + INK_MARGIN).min(h),
        ]);
    }
    // Widened boxes that overlap are one region (a seal's ring and its star).
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                let (a, b) = (boxes[i], boxes[j]);
                if a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3] {
                    boxes[i] = [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ];
                    boxes.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
    boxes.sort_by_key(|b| (b[1], b[0]));
    boxes
        .into_iter()
        .map(|b| (b[0], b[1], b[2] - b[0], b[3] - b[1]))
        .collect()
}

/// Splits `rows` (a multiple of 32) into bands: each band's own rows (which
/// tile 0..rows) and the rows it is run on (its own plus context).
pub fn det_bands(rows: usize) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    if rows <= DET_BAND_ABOVE {
        return vec![(0..rows, 0..rows)];
    }
    let n = rows.div_ceil(DET_BAND_ABOVE - 2 * DET_BAND_CONTEXT).max(2);
    let step = (rows / n).div_ceil(32) * 32;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < rows {
        let end = (start + step).min(rows);
        let ctx_start = start.saturating_sub(DET_BAND_CONTEXT);
        let ctx_end = (end + DET_BAND_CONTEXT).min(rows);
        out.push((start..end, ctx_start..ctx_end));
        start = end;
    }
    out
}

/// Connected regions of the thresholded map, each turned into a rectangle
/// along its main axis and grown by the unclip distance.
pub fn quads_from_map(prob: &[f32], w: usize, h: usize) -> Vec<Quad> {
    let mut label = vec![0u32; w * h];
    let mut quads = Vec::new();
    let mut stack = Vec::new();
    let mut next = 0u32;
    for start in 0..w * h {
        if prob[start] <= DET_THRESH || label[start] != 0 {
            continue;
        }
        next += 1;
        label[start] = next;
        stack.push(start);
        let mut pix: Vec<(f32, f32)> = Vec::new();
        let mut score = 0f32;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            pix.push((x as f32 + 0.5, y as f32 + 0.5));
            score += prob[i];
            let mut visit = |j: usize| {
                if prob[j] > DET_THRESH && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if pix.len() < 6 {
            continue;
        }
        let score = score / pix.len() as f32;
        if score < BOX_THRESH {
            continue;
        }
        if let Some(q) = rect_of(&pix, score) {
            quads.push(q);
        }
    }
    quads
}

/// The rectangle along a region's main axis (from its second moments), grown
/// by DB's unclip distance (area × ratio / perimeter).
fn rect_of(pix: &[(f32, f32)], score: f32) -> Option<Quad> {
    let n = pix.len() as f32;
    let (mx, my) = pix
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let (mut sxx, mut syy, mut sxy) = (0f32, 0f32, 0f32);
    for &(x, y) in pix {
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
        sxy += (x - mx) * (y - my);
    }
    let mut theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    // Text lines run left to right; a region taller than wide (one CJK
    // character, a vertical stroke) keeps the horizontal axis unless clearly
    // turned. A region about as wide as high (one character, 理) has no axis
    // of its own: its moments give any angle, up to 45 degrees, and a crop
    // turned that far reads as nothing.
    let half = (sxx + syy) / 2.0;
    let spread = (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
    let (major, minor) = (half + spread, (half - spread).max(f32::EPSILON));
    if theta.abs() > std::f32::consts::FRAC_PI_4 || major < SQUARE_MOMENTS * minor {
        theta = 0.0;
    }
    let (ux, uy) = (theta.cos(), theta.sin());
    let (vx, vy) = (-uy, ux);
    let (mut a0, mut a1, mut b0, mut b1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for &(x, y) in pix {
        let a = (x - mx) * ux + (y - my) * uy;
        let b = (x - mx) * vx + (y - my) * vy;
        a0 = a0.min(a - 0.5);
        a1 = a1.max(a + 0.5);
        b0 = b0.min(b - 0.5);
        b1 = b1.max(b + 0.5);
    }
    let (len, hgt) = (a1 - a0, b1 - b0);
    if len < 2.0 || hgt < 2.0 {
        return None;
    }
    let d = len * hgt * UNCLIP_RATIO / (2.0 * (len + hgt));
    let (a0, b0) = (a0 - d, b0 - d);
    Some(Quad {
        origin: (mx + ux * a0 + vx * b0, my + uy * a0 + vy * b0),
        along: (ux, uy),
        len: len + 2.0 * d,
        height: hgt + 2.0 * d,
        score,
    })
}

/// Cuts a line's rectangle out of the page, turned level (bilinear sampling;
/// outside the page is white).
pub fn crop_line(gray: &GrayImage, q: &Quad) -> GrayImage {
    let w = q.len.round().max(1.0) as u32;
    let h = q.height.round().max(1.0) as u32;
    let (ux, uy) = q.along;
    let (vx, vy) = (-uy, ux);
    let (gw, gh) = (gray.width() as i64, gray.height() as i64);
    let px = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= gw || y >= gh {
            255.0
        } else {
            gray.get_pixel(x as u32, y as u32)[0] as f32
        }
    };
    GrayImage::from_fn(w, h, |i, j| {
        let (fi, fj) = (i as f32 + 0.5, j as f32 + 0.5);
        let sx = q.origin.0 + ux * fi + vx * fj - 0.5;
        let sy = q.origin.1 + uy * fi + vy * fj - 0.5;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (dx, dy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let v = px(x0, y0) * (1.0 - dx) * (1.0 - dy)
            + px(x0 + 1, y0) * dx * (1.0 - dy)
            + px(x0, y0 + 1) * (1.0 - dx) * dy
            + px(x0 + 1, y0 + 1) * dx * dy;
        Luma([v.round().clamp(0.0, 255.0) as u8])
    })
}

/// The recognised boxes kept as words (text not empty, confidence at least
/// TEXT_SCORE), with their rectangles; boxes in an image of size `dims`.
/// A value is as doubtful as its most doubtful character (one uncertain
/// digit of a certificate number matters): a word's confidence is its lowest
/// character probability.
fn words_of(quads: &[Quad], texts: Vec<Recognized>, dims: (u32, u32)) -> Vec<(Word, Quad)> {
    quads
        .iter()
        .zip(texts)
        .filter(|(_, r)| !r.text.trim().is_empty() && r.mean >= TEXT_SCORE)
        .map(|(q, r)| {
            let word = Word {
                text: r.text.trim().to_string(),
                bbox: q.bbox(dims.0, dims.1),
                conf: r.min * 100.0,
                traditional: r.traditional.map(|t| t.trim().to_string()),
            };
            (word, *q)
        })
        .collect()
}

/// Steepest slant (tangent) a row of text is followed along: about 6
/// degrees, above the 4 degrees of skew a scan is expected to carry.
const MAX_ROW_SLOPE: f32 = 0.1;

/// A word with its rectangle and the centre of that rectangle.
type Placed = (Word, Quad, (f32, f32));

/// Words (one per detected box) joined into lines. Two boxes share a row
/// when the midline of one, followed along its slant, passes through the
/// other within half the smaller line height (skewed scans keep their rows
/// apart). Rows read left to right, top to bottom.
pub fn rows_of(words: Vec<(Word, Quad)>) -> Vec<Line> {
    let mid = |q: &Quad| {
        let (ux, uy) = q.along;
        (
            q.origin.0 + ux * q.len / 2.0 - uy * q.height / 2.0,
            q.origin.1 + uy * q.len / 2.0 + ux * q.height / 2.0,
        )
    };
    let mut items: Vec<Placed> = words
        .into_iter()
        .map(|(w, q)| {
            let m = mid(&q);
            (w, q, m)
        })
        .collect();
    items.sort_by(|a, b| a.2 .1.total_cmp(&b.2 .1).then(a.2 .0.total_cmp(&b.2 .0)));
    let same_row = |a: &Placed, b: &Placed| {
        // A box about as high as long (one character) has no direction to
        // follow; a longer one is followed along its slant, but no further
        // than a scan's skew (MAX_ROW_SLOPE).
        let slope = if a.1.len < 2.0 * a.1.height {
            0.0
        } else {
            (a.1.along.1 / a.1.along.0.max(0.1)).clamp(-MAX_ROW_SLOPE, MAX_ROW_SLOPE)
        };
        let y_at = a.2 .1 + (b.2 .0 - a.2 .0) * slope;
        (y_at - b.2 .1).abs() < 0.5 * a.1.height.min(b.1.height)
    };
    let mut rows: Vec<Vec<Placed>> = Vec::new();
    for it in items {
        match rows
            .iter_mut()
            .rev()
            .take(4)
            .find(|r| r.iter().any(|o| same_row(o, &it)))
        {
            Some(r) => r.push(it),
            None => rows.push(vec![it]),
        }
    }
    let mut lines: Vec<(f32, Line)> = rows
        .into_iter()
        .map(|mut r| {
            r.sort_by(|a, b| a.2 .0.total_cmp(&b.2 .0));
            let y = r.iter().map(|i| i.2 .1).fold(f32::MAX, f32::min);
            (y, Line::from_words(r.into_iter().map(|i| i.0).collect()))
        })
        .collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines.into_iter().map(|(_, l)| l).collect()
}

/// PP-OCR's mean confidence under which a page is also read turned by 180
/// degrees (upright pages, degraded ones included, read at 85-99).
pub const RETRY_180_BELOW_CONF: f32 = 75.0;

impl OcrEngine for Paddle {
    fn name(&self) -> &'static str {
        "PP-OCR"
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_regions_cover_the_ink_alone() {
        // A white page with a seal (a 100 px ring) and a title line far
        // from it: two regions, each around its own ink, with the margin.
        let mut g = GrayImage::from_pixel(1000, 1400, Luma([255]));
        for y in 100..200 {
            for x in 600..700 {
                let (dx, dy) = (x as f32 - 650.0, y as f32 - 150.0);
                let r = (dx * dx + dy * dy).sqrt();
                if (40.0..50.0).contains(&r) {
                    g.put_pixel(x, y, Luma([30]));
                }
            }
        }
        for y in 900..930 {
            for x in 200..800 {
                g.put_pixel(x, y, Luma([90]));
            }
        }
        // Faint paper tint is no ink.
        g.put_pixel(10, 10, Luma([245]));
        let r = ink_regions(&g);
        assert_eq!(r.len(), 2, "{r:?}");
        let (x, y, w, h) = r[0];
        assert!(
            x <= 600 && y <= 100 && x + w >= 700 && y + h >= 200,
            "{r:?}"
        );
        assert!(w < 250 && h < 250, "the seal's region is small: {r:?}");
        let (x, y, w, h) = r[1];
        assert!(
            x <= 200 && y <= 900 && x + w >= 800 && y + h >= 930,
            "{r:?}"
        );
        assert!(y > 300, "{r:?}");
        // Nothing inked: no region; touching ink: one.
        assert!(ink_regions(&GrayImage::from_pixel(64, 64, Luma([255]))).is_empty());
    }

    #[test]
    fn detection_bands_tile_the_rows_with_context() {
        for rows in [32, 736, 768, 800, 1280, 1920, 4000] {
            let bands = det_bands(rows);
            let mut next = 0;
            for (own, ctx) in &bands {
                assert_eq!(own.start, next, "{rows}: bands tile the rows");
                next = own.end;
                assert!(ctx.start <= own.start && ctx.end >= own.end);
                assert_eq!(ctx.len() % 32, 0, "{rows}: {ctx:?} is a multiple of 32");
                if ctx.start > 0 {
                    assert_eq!(own.start - ctx.start, DET_BAND_CONTEXT);
                }
                if ctx.end < rows {
                    assert_eq!(ctx.end - own.end, DET_BAND_CONTEXT);
                }
                assert!(
                    bands.len() == 1 || ctx.len() <= DET_BAND_ABOVE,
                    "{rows}: {ctx:?}"
                );
            }
            assert_eq!(next, rows);
            assert_eq!(bands.len() == 1, rows <= DET_BAND_ABOVE);
        }
    }

    #[test]
    fn lines_running_down_the_page_mean_a_quarter_turn() {
        let q = |along: (f32, f32), len: f32, height: f32| Quad {
            origin: (10.0, 10.0),
            along,
            len,
            height,
            score: 0.9,
        };
        // A line across the page, described either way round.
        assert!(!q((1.0, 0.0), 300.0, 20.0).runs_down());
        assert!(!q((0.0, 1.0), 20.0, 300.0).runs_down());
        // A line down the page, described either way round.
        assert!(q((0.0, 1.0), 300.0, 20.0).runs_down());
        assert!(q((1.0, 0.0), 20.0, 300.0).runs_down());
        // A character is not a line.
        assert!(!q((1.0, 0.0), 30.0, 25.0).is_line());

        let across = vec![q((1.0, 0.0), 300.0, 20.0); 5];
        let down = vec![q((1.0, 0.0), 20.0, 300.0); 5];
        assert_eq!(quarter_turn(&across), Some(false));
        assert_eq!(quarter_turn(&down), Some(true));
        // Too few lines, or as many each way: no verdict.
        assert_eq!(quarter_turn(&across[..2]), None);
        let mixed: Vec<Quad> = across[..3].iter().chain(&down[..3]).copied().collect();
        assert_eq!(quarter_turn(&mixed), None);
        // Characters do not count: two lines among many characters decide nothing.
        let specks: Vec<Quad> = across[..2]
            .iter()
            .copied()
            .chain(std::iter::repeat_n(q((1.0, 0.0), 30.0, 25.0), 10))
            .collect();
        assert_eq!(quarter_turn(&specks), None);
    }

    #[test]
    fn a_square_region_is_taken_level() {
        // One character's blob, a little wider than high, two opposite
        // corners missing: its moments point 40-odd degrees off level.
        let mut pix = Vec::new();
        for y in 0..40i32 {
            for x in 0..42i32 {
                if x + (39 - y) >= 12 && (41 - x) + y >= 12 {
                    pix.push((x as f32 + 100.0, y as f32 + 50.0));
                }
            }
        }
        let q = rect_of(&pix, 0.9).unwrap();
        assert_eq!(q.along, (1.0, 0.0), "{q:?}");
        // A line keeps its slant.
        let line: Vec<(f32, f32)> = (0..400)
            .flat_map(|x| (0..12).map(move |y| (x as f32, y as f32 + x as f32 * 0.05)))
            .collect();
        let q = rect_of(&line, 0.9).unwrap();
        assert!((q.along.1 / q.along.0 - 0.05).abs() < 0.01, "{q:?}");
    }

    #[test]
    fn a_turned_bar_becomes_a_turned_rectangle() {
        // A 200×12 bar turned by 3°, drawn into a probability map.
        let (w, h) = (300usize, 100usize);
        let mut prob = vec![0f32; w * h];
        let t = 3f32.to_radians();
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f32 - 150.0, y as f32 - 50.0);
                let a = dx * t.cos() + dy * t.sin();
                let b = -dx * t.sin() + dy * t.cos();
                if a.abs() < 100.0 && b.abs() < 6.0 {
                    prob[y * w + x] = 0.9;
                }
            }
        }
        let q = quads_from_map(&prob, w, h);
        assert_eq!(q.len(), 1);
        let angle = q[0].along.1.atan2(q[0].along.0).to_degrees();
        assert!((angle - 3.0).abs() < 0.5, "angle {angle}");
        // Grown by the unclip distance on each side: 12×200 → about 12 + 2·9.
        assert!(q[0].len > 210.0 && q[0].len < 230.0, "{:?}", q[0]);
        assert!(q[0].height > 25.0 && q[0].height < 35.0, "{:?}", q[0]);
    }

    #[test]
    fn a_quad_turned_twice_is_itself_and_once_is_mirrored() {
        let q = Quad {
            origin: (10.0, 20.0),
            along: (1.0, 0.0),
            len: 100.0,
            height: 30.0,
            score: 0.9,
        };
        let t = q.turned_180(500.0, 400.0);
        assert_eq!(t.origin, (390.0, 350.0));
        assert_eq!(t.bbox(500, 400), BBox::new(390, 350, 100, 30));
        assert_eq!(t.turned_180(500.0, 400.0), q);
    }

    #[test]
    fn simplified_only_characters_know_their_traditional_class() {
        let chars: Vec<String> = ["", "厦", "廈", "证", "A", "中", "认"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        let t = traditional_classes(&chars);
        // 厦 → 廈 (in the dictionary); 廈 is itself traditional; 证's form 證 is
        // not in this dictionary; A and 中 have no other form; the blank has none.
        assert_eq!(t, vec![0, 2, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn boxes_on_one_row_make_one_line() {
        let w = |t: &str, x: u32, y: u32| {
            let word = Word {
                text: t.into(),
                bbox: BBox::new(x, y, 100, 30),
                conf: 90.0,
                ..Word::default()
            };
            let quad = Quad {
                origin: (x as f32, y as f32),
                along: (1.0, 0.0),
                len: 100.0,
                height: 30.0,
                score: 0.9,
            };
            (word, quad)
        };
        let lines = rows_of(vec![
            w("ABC-123", 400, 102),
            w("证书编号：", 100, 100),
            w("有效期", 100, 200),
        ]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "证书编号：ABC-123");
        assert_eq!(lines[1].text, "有效期");
        // A one-character box has no direction to follow: a slant of 5.5
        // degrees (a real reading of a square 理) does not pull the next
        // line into its row.
        let (one, mut q) = w("理", 959, 1276);
        q.along = (0.9954, 0.0958);
        q.len = 78.4;
        q.height = 75.3;
        let (next, mut nq) = w("Cloud service management", 964, 1355);
        nq.len = 1176.0;
        nq.height = 49.0;
        let lines = rows_of(vec![(one, q), (next, nq)]);
        assert_eq!(lines.len(), 2, "{lines:?}");
    }
}
