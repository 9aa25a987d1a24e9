//! OCR stage. Takes a page image; hands on its text ([`PageText`]), read
//! upright by Tesseract (libtesseract through `tesseract-sys`, one engine per
//! worker, reused) or by PP-OCR ([`crate::paddle`]) in the named steps of
//! [`read_page_upright`].
//!
//! The engine reads a page image and hands back [`PageText`]: lines of words with
//! boxes and confidences, the same structure a PDF text layer produces. Before
//! recognition a page is prepared for Tesseract ([`prepare`]): the red channel is
//! used as the grey image (red seals vanish in it), small scans are upscaled, and
//! pages turned by 90/180/270 degrees are turned upright using Tesseract's
//! orientation detection (OSD).
//!
//! OpenMP must be limited to one thread before libtesseract loads; `main`
//! re-executes the process with `OMP_THREAD_LIMIT=1` when it is not set.

use crate::error::{DocError, ErrorCode};
use crate::paddle::Paddle;
use crate::page::{BBox, Line, LinesRead, PageText, TextSource, Word};
use crate::pixels::{red_channel, resize_gray, rotate_cw};
use image::{DynamicImage, GrayImage};
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::ptr;
use tesseract_sys as ts;

/// Default recognition languages: English and simplified Chinese. (Adding
/// chi_tra to the same pass makes simplified pages worse: 数据 read as 數卸.)
pub const DEFAULT_LANGS: &str = "eng+chi_sim";
/// Languages of the second reading of a page that turns out to be printed in
/// traditional characters.
pub const TRADITIONAL_LANGS: &str = "eng+chi_tra";

/// Share of a page's CJK characters that are traditional-only, from which the
/// page is read again with [`TRADITIONAL_LANGS`].
pub const TRADITIONAL_SHARE: f32 = 0.04;

/// Mean word confidence under which a page is read again with
/// [`TRADITIONAL_LANGS`]: a page printed in traditional characters read with
/// the simplified model comes out as low-confidence Latin garbage, since that
/// model only outputs simplified characters.
pub const REREAD_BELOW_CONF: f32 = 80.0;

/// Marks of a certificate from Taiwan, Hong Kong or Macao as they come out of
/// the simplified-Chinese model (which prints every character simplified):
/// Taiwan's 验证 for certification, place names, ROC years, TAF/HKAS.
pub fn regional_traditional_marks(text: &str) -> bool {
    let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    [
        "验证",
        "香港",
        "台湾",
        "台北",
        "臺",
        "澳门",
        "中华民国",
        "民国",
        "财团法人",
        "TAF",
        "HKAS",
    ]
    .iter()
    .any(|m| s.contains(m))
}

/// Share of CJK characters that traditional-to-simplified conversion changes.
pub fn traditional_share(text: &str) -> f32 {
    let cjk: Vec<char> = text
        .chars()
        .filter(|c| crate::page::is_cjk(*c) && (*c as u32) >= 0x3400)
        .collect();
    if cjk.len() < 10 {
        return 0.0;
    }
    let orig: String = cjk.iter().collect();
    let simp = crate::text::to_simplified(&orig);
    let changed = orig
        .chars()
        .zip(simp.chars())
        .filter(|(a, b)| a != b)
        .count();
    changed as f32 / cjk.len() as f32
}

/// Default longest side of the page image handed to Tesseract (about A4 at 300 dpi).
pub const DEFAULT_LONG_SIDE: u32 = 3508;

/// A Tesseract engine. Not `Sync`: one per worker thread or process.
pub struct Engine {
    handle: *mut ts::TessBaseAPI,
    langs: String,
}

// The handle is owned exclusively by this value; moving it between threads is fine.
unsafe impl Send for Engine {}

/// Page segmentation modes used by certscan.
#[derive(Debug, Clone, Copy)]
pub enum Psm {
    /// Orientation and script detection only.
    OsdOnly = 0,
    /// Fully automatic page segmentation without OSD.
    Auto = 3,
    /// A single uniform block of text.
    Block = 6,
    /// A single text line.
    Line = 7,
}

/// A Tesseract engine started on first use: PP-OCR reads pages on its own and
/// needs Tesseract's recognition (70 MB for chi_sim+eng) only for pages it
/// reads as noise, so a PP-OCR worker that never meets one never loads it.
pub struct LazyEngine {
    langs: String,
    engine: Option<Engine>,
}

impl LazyEngine {
    pub fn new(langs: &str) -> LazyEngine {
        LazyEngine {
            langs: langs.to_string(),
            engine: None,
        }
    }

    /// The engine, started now if it was not.
    pub fn get(&mut self) -> Result<&mut Engine, DocError> {
        if self.engine.is_none() {
            self.engine = Some(Engine::new(&self.langs)?);
        }
        Ok(self.engine.as_mut().expect("engine started"))
    }
}

impl Engine {
    /// Starts an engine for `langs` (e.g. "chi_sim+chi_tra+eng"); 0.3-0.5 s.
    pub fn new(langs: &str) -> Result<Engine, DocError> {
        let c_langs = CString::new(langs).map_err(|_| ocr_err("language list contains NUL"))?;
        // SAFETY: plain C API calls on a handle we own; Init3 copies its arguments.
        unsafe {
            let handle = ts::TessBaseAPICreate();
            if handle.is_null() {
                return Err(ocr_err("TessBaseAPICreate failed"));
            }
            let rc = ts::TessBaseAPIInit3(handle, ptr::null(), c_langs.as_ptr());
            if rc != 0 {
                ts::TessBaseAPIDelete(handle);
                return Err(ocr_err(format!(
                    "Tesseract could not load languages '{langs}' (is tesseract-ocr-{{chi-sim,chi-tra,eng,osd}} installed?)"
                )));
            }
            let mut e = Engine {
                handle,
                langs: langs.to_string(),
            };
            e.set_var("preserve_interword_spaces", "1");
            e.set_var("user_defined_dpi", "300");
            // Tesseract's own chatter ("Detected 103 diacritics") would flood stderr.
            e.set_var("debug_file", "/dev/null");
            Ok(e)
        }
    }

    pub fn langs(&self) -> &str {
        &self.langs
    }

    fn set_var(&mut self, name: &str, value: &str) {
        let n = CString::new(name).expect("variable name");
        let v = CString::new(value).expect("variable value");
        // SAFETY: valid handle and NUL-terminated strings.
        unsafe {
            ts::TessBaseAPISetVariable(self.handle, n.as_ptr(), v.as_ptr());
        }
    }

    /// Restricts recognition to these characters ("" lifts the restriction).
    pub fn set_whitelist(&mut self, chars: &str) {
        self.set_var("tessedit_char_whitelist", chars);
    }

    fn set_image(&mut self, img: &GrayImage, psm: Psm) {
        // SAFETY: Tesseract copies the pixels in SetImage; the buffer outlives the call.
        unsafe {
            ts::TessBaseAPISetPageSegMode(self.handle, psm as ts::TessPageSegMode);
            ts::TessBaseAPISetImage(
                self.handle,
                img.as_raw().as_ptr(),
                img.width() as i32,
                img.height() as i32,
                1,
                img.width() as i32,
            );
            ts::TessBaseAPISetSourceResolution(self.handle, 300);
        }
    }

    /// Starts the orientation detector (the `osd` language data).
    pub fn new_osd() -> Result<Engine, DocError> {
        Engine::new("osd")
    }

    /// Detects how the page is turned (call on an engine from [`Engine::new_osd`]):
    /// the page's counter-clockwise rotation in degrees (0, 90, 180, 270) and the
    /// detector's confidence.
    pub fn detect_orientation(&mut self, img: &GrayImage) -> Option<(u32, f32)> {
        self.set_image(img, Psm::OsdOnly);
        let mut deg: i32 = 0;
        let mut conf: f32 = 0.0;
        let mut script: *const std::os::raw::c_char = ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: out-pointers are valid for the call; script name is owned by Tesseract.
        let ok = unsafe {
            ts::TessBaseAPIDetectOrientationScript(
                self.handle,
                &mut deg,
                &mut conf,
                &mut script,
                &mut script_conf,
            )
        };
        unsafe { ts::TessBaseAPIClear(self.handle) };
        if ok == 0 {
            return None;
        }
        Some((deg.rem_euclid(360) as u32, conf))
    }

    /// Recognises `img` and returns its words grouped into lines, with the mean
    /// word confidence. `deadline_ms` bounds the recognition time (0: none).
    pub fn recognize(
        &mut self,
        img: &GrayImage,
        psm: Psm,
        deadline_ms: u32,
    ) -> Result<(Vec<Line>, Option<f32>), DocError> {
        self.set_image(img, psm);
        // SAFETY: monitor is created and deleted here; the TSV text is freed with TessDeleteText.
        let tsv = unsafe {
            let monitor = ts::TessMonitorCreate();
            if deadline_ms > 0 {
                ts::TessMonitorSetDeadlineMSecs(monitor, deadline_ms as i32);
            }
            let rc = ts::TessBaseAPIRecognize(self.handle, monitor);
            ts::TessMonitorDelete(monitor);
            if rc != 0 {
                ts::TessBaseAPIClear(self.handle);
                return Err(DocError::new(
                    ErrorCode::Timeout,
                    format!("OCR stopped after its deadline of {deadline_ms} ms"),
                ));
            }
            let p = ts::TessBaseAPIGetTsvText(self.handle, 0);
            let s = if p.is_null() {
                String::new()
            } else {
                let s = CStr::from_ptr(p).to_string_lossy().into_owned();
                ts::TessDeleteText(p);
                s
            };
            ts::TessBaseAPIClear(self.handle);
            s
        };
        Ok(parse_tsv(&tsv))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: handle is valid and dropped once.
        unsafe {
            ts::TessBaseAPIEnd(self.handle);
            ts::TessBaseAPIDelete(self.handle);
        }
    }
}

fn ocr_err(msg: impl Into<String>) -> DocError {
    DocError::new(ErrorCode::Ocr, msg)
}

/// Parses Tesseract's TSV output into lines of words.
pub fn parse_tsv(tsv: &str) -> (Vec<Line>, Option<f32>) {
    let mut groups: BTreeMap<(u32, u32, u32), Vec<Word>> = BTreeMap::new();
    let mut conf_sum = 0.0f64;
    let mut n = 0usize;
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<i64>().unwrap_or(0).max(0) as u32;
        let conf: f32 = cols[10].trim().parse().unwrap_or(-1.0);
        let text = cols[11].trim();
        if text.is_empty() || conf < 0.0 {
            continue;
        }
        conf_sum += conf as f64;
        n += 1;
        groups
            .entry((num(2), num(3), num(4)))
            .or_default()
            .push(Word {
                text: text.to_string(),
                bbox: BBox::new(num(6), num(7), num(8), num(9)),
                conf,
                ..Default::default()
            });
    }
    let mut lines: Vec<Line> = groups.into_values().map(Line::from_words).collect();
    sort_reading_order(&mut lines);
    let mean = if n == 0 {
        None
    } else {
        Some((conf_sum / n as f64) as f32)
    };
    (lines, mean)
}

/// Sorts lines top to bottom; lines whose vertical centres are within half a
/// line height of the row's first line form a row, ordered left to right.
/// (A tolerance inside a sort comparator is no total order, which the standard
/// sort may panic on: rows are formed after a plain sort by centre instead.)
pub fn sort_reading_order(lines: &mut Vec<Line>) {
    let centre = |l: &Line| l.bbox.y as i64 + l.bbox.h as i64 / 2;
    lines.sort_by_key(|l| (centre(l), l.bbox.x));
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut row: Vec<Line> = Vec::new();
    for l in lines.drain(..) {
        if let Some(first) = row.first() {
            let tol = (first.bbox.h.min(l.bbox.h) as i64 / 2).max(1);
            if (centre(&l) - centre(first)).abs() > tol {
                row.sort_by_key(|l| l.bbox.x);
                out.append(&mut row);
            }
        }
        row.push(l);
    }
    row.sort_by_key(|l| l.bbox.x);
    out.append(&mut row);
    *lines = out;
}

/// A page image made ready for Tesseract, with the transform that relates it
/// to the page as loaded.
pub struct Prepared {
    pub gray: GrayImage,
    /// Factor applied to the loaded page (boxes are divided by it on the way back).
    pub scale: f32,
}

/// Grey image for OCR: the red channel (red seals and red backgrounds vanish,
/// black text stays), scaled so that the longest side is near A4 at 300 dpi.
pub fn prepare(img: &DynamicImage, target_long_side: u32) -> Prepared {
    let gray: GrayImage = match img {
        DynamicImage::ImageLuma8(g) => g.clone(),
        // The red channel taken straight from the pixels: no full-page copy.
        DynamicImage::ImageRgb8(rgb) => red_channel(rgb),
        DynamicImage::ImageRgba8(rgba) => {
            GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
                image::Luma([rgba.get_pixel(x, y)[0]])
            })
        }
        other => red_channel(&other.to_rgb8()),
    };
    let long = gray.width().max(gray.height()).max(1);
    let target = target_long_side.max(500);
    // Within about -30 %..+25 % of the target a page is read as it is.
    let scale = if long > target + target / 4 || long < target * 2 / 3 {
        (target as f32 / long as f32).min(3.0)
    } else {
        1.0
    };
    let gray = if (scale - 1.0).abs() > 0.01 {
        let w = ((gray.width() as f32) * scale).round().max(1.0) as u32;
        let h = ((gray.height() as f32) * scale).round().max(1.0) as u32;
        resize_gray(&gray, w, h)
    } else {
        gray
    };
    Prepared { gray, scale }
}

/// The share of the page's pixels that are clearly red and, when it is at
/// least `min_share`, the red print as dark on white (seals, red notices).
/// The red channel read for the main text drops red print; this mask reads
/// it separately. A page with less red costs one pass over its pixels.
pub fn red_mask(img: &DynamicImage, min_share: f32) -> (f32, Option<GrayImage>) {
    let owned;
    let rgb = match img.as_rgb8() {
        Some(r) => r,
        None => {
            owned = img.to_rgb8();
            &owned
        }
    };
    let redness = |p: &image::Rgb<u8>| p[0] as i32 - (p[1] as i32).max(p[2] as i32);
    // The paper's own redness (a sepia or pink tint): the median pixel's.
    let mut hist = [0u64; 256];
    let mut n = 0u64;
    for p in rgb.pixels() {
        hist[redness(p).clamp(0, 255) as usize] += 1;
        let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
        if r > 140 && r - g > 70 && r - b > 70 {
            n += 1;
        }
    }
    let share = n as f32 / (rgb.width() as f32 * rgb.height() as f32).max(1.0);
    if share < min_share {
        return (share, None);
    }
    let half = (rgb.width() as u64 * rgb.height() as u64).div_ceil(2);
    let mut seen = 0;
    let paper = hist
        .iter()
        .position(|&c| {
            seen += c;
            seen >= half
        })
        .unwrap_or(0) as i32;
    let floor = paper + RED_FLOOR;
    // How much redder than green and blue a pixel is, above the paper's
    // tint, as a grey level: the strokes keep their soft edges (a hard
    // threshold breaks thin red print on a blurred scan into fragments).
    // Black print and tinted paper are paper, and so is dark print with a
    // brown cast (a sepia scan): red ink is bright in its red.
    let mask = GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
        let p = rgb.get_pixel(x, y);
        let dark = ((redness(p) - floor) * 255 / RED_SPAN).clamp(0, 255);
        let bright = (p[0] as i32 - RED_MIN_BRIGHT).clamp(0, RED_BRIGHT_SPAN);
        image::Luma([(255 - dark * bright / RED_BRIGHT_SPAN) as u8])
    });
    (share, Some(mask))
}

/// Adds the lines read from the red mask to the page's lines. A red line
/// that the page's reading already holds (a red notice dark enough to be read
/// in the red channel too: the same place, mostly the same characters) is
/// read once: the page's reading stays unless the red one is far surer
/// ([`RED_TWIN_MARGIN`]; confidences a few points apart say nothing of which
/// reading is right), in the page line's place.
/// A seal's ring text over a black line is no twin: it covers a small part
/// of the line's box.
/// Lines under a confidence of 50 (seal ring fragments) are dropped.
pub fn merge_red_lines(lines: &mut Vec<Line>, red: Vec<Line>) {
    let page_count = lines.len();
    for r in red.into_iter().filter(|l| l.conf >= 50.0) {
        let twin = lines[..page_count].iter().position(|l| {
            let shared = l.bbox.overlap_area(&r.bbox);
            shared * 2 >= r.bbox.area().max(l.bbox.area()).max(1)
                && shared_char_share(&r.text, &l.text) >= 0.6
        });
        match twin {
            Some(k) if r.conf >= lines[k].conf + RED_TWIN_MARGIN => lines[k] = r,
            Some(_) => {}
            None => lines.push(r),
        }
    }
}

/// Confidence points by which a red reading must beat the page's reading of
/// the same line to replace it.
const RED_TWIN_MARGIN: f32 = 20.0;

/// Share of the shorter text's non-space characters found in the other
/// (as a multiset).
fn shared_char_share(a: &str, b: &str) -> f32 {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    let mut pool: Vec<char> = long.chars().filter(|c| !c.is_whitespace()).collect();
    let mut n = 0usize;
    let mut hit = 0usize;
    for c in short.chars().filter(|c| !c.is_whitespace()) {
        n += 1;
        if let Some(i) = pool.iter().position(|p| *p == c) {
            pool.swap_remove(i);
            hit += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        hit as f32 / n as f32
    }
}

/// Redness (red minus the larger of green and blue) above the paper's that
/// is still paper in [`red_mask`], and the span above it over which a pixel
/// turns to full ink.
const RED_FLOOR: i32 = 15;
const RED_SPAN: i32 = 70;
/// Red level under which a pixel is no red ink whatever its hue (dark print
/// with a colour cast), and the span above it over which it counts fully.
const RED_MIN_BRIGHT: i32 = 80;
const RED_BRIGHT_SPAN: i32 = 40;

/// Pages with at least this share of red pixels get their red print read:
/// a one-line red notice with no seal on a 200-dpi page is 0.0006 of it; a
/// page printed in black alone, noise and JPEG fringes included, 0.
pub const RED_SHARE: f32 = 0.0002;

/// Mean word confidence under which a page is also tried turned by 90, 180
/// and 270 degrees.
pub const RETRY_TURNS_BELOW_CONF: f32 = 50.0;

/// PP-OCR's mean confidence under which a page is also read turned by 180
/// degrees (upright pages, degraded ones included, read at 85-99).
pub const PADDLE_RETRY_180_BELOW_CONF: f32 = 75.0;

/// Settings of the OCR stage.
#[derive(Debug, Clone)]
pub struct OcrOptions {
    /// Bound on one page's recognition in milliseconds (0: none).
    pub page_deadline_ms: u32,
    /// Detect and undo 90/180/270-degree turns.
    pub detect_orientation: bool,
    /// Longest side, in pixels, pages are scaled to for recognition.
    pub long_side: u32,
    /// Also read red print (seals, red notices) from a red mask.
    pub read_red: bool,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            page_deadline_ms: 120_000,
            detect_orientation: true,
            long_side: DEFAULT_LONG_SIDE,
            read_red: true,
        }
    }
}

/// Simplified characters the OCR models put for their traditional forms on
/// traditional pages (seen on generated Taiwan and Hong Kong certificates).
/// Each is simplified-only, so on a page printed in traditional script it is
/// always a misreading.
const SIMPLIFIED_MISREADS: [(char, char); 5] = [
    ('内', '內'),
    ('户', '戶'),
    ('楼', '樓'),
    ('学', '學'),
    ('题', '題'),
];

/// What tells how a page is turned.
pub enum Orienter<'a> {
    /// Nothing: pages are read as they come.
    Off,
    /// Tesseract's orientation and script detection (50 MB for its data).
    Osd(&'a mut Engine),
    /// PP-OCR's detector and direction classifier (already loaded by a
    /// PP-OCR worker, so orientation costs it no memory).
    Paddle(&'a Paddle),
}

/// Reads one page image. Boxes in the result are in pixels of the upright page
/// at the resolution it was loaded.
pub fn read_page(
    engine: &mut LazyEngine,
    orient: Orienter<'_>,
    paddle: Option<&Paddle>,
    img: &DynamicImage,
    number: u32,
    opts: &OcrOptions,
) -> Result<PageText, DocError> {
    read_page_upright(engine, orient, paddle, img, number, opts).map(|r| r.page)
}

/// A page's reading with the upright grey image it was read from.
pub struct Reading {
    pub page: PageText,
    /// The image recognition ran on: upright, red channel, scaled by `scale`
    /// from the page as loaded (page boxes × `scale` = pixels of `gray`,
    /// except on a page PP-OCR found upside down, where `gray` is turned by
    /// 180 degrees against the boxes).
    pub gray: GrayImage,
    pub scale: f32,
    /// How far the page as loaded was turned clockwise (degrees) into the
    /// frame of the page's boxes.
    pub turned: u32,
}

/// A page image on its way upright: the grey image and how far the page as
/// loaded has been turned clockwise into it.
struct Upright {
    gray: GrayImage,
    turned: u32,
}

impl Upright {
    /// Turns the page a further `deg` degrees clockwise.
    fn turn(&mut self, deg: u32) {
        self.gray = rotate_cw(&self.gray, deg);
        self.turned = (self.turned + deg) % 360;
    }
}

/// [`read_page`], keeping the upright image (for re-reading regions). Its
/// steps, each a function below: turn the page upright (Tesseract's OSD, or
/// PP-OCR's detection), read it, read it again turned when the reading is
/// poor, read its red print, put back the traditional script, scale the
/// boxes to the page as loaded.
pub fn read_page_upright(
    engine: &mut LazyEngine,
    orient: Orienter<'_>,
    paddle: Option<&Paddle>,
    img: &DynamicImage,
    number: u32,
    opts: &OcrOptions,
) -> Result<Reading, DocError> {
    let prepared = prepare(img, opts.long_side);
    let scale = prepared.scale;
    let mut page = Upright {
        gray: prepared.gray,
        turned: 0,
    };
    let log = PageLog { number };
    let (osd, orient_paddle) = match (opts.detect_orientation, orient) {
        (true, Orienter::Osd(e)) => (Some(e), None),
        (true, Orienter::Paddle(p)) => (None, Some(p)),
        _ => (None, None),
    };
    let retry = osd.is_some();
    if let Some(osd) = osd {
        turn_by_osd(osd, &mut page, &log);
    }
    let mut detected = None;
    if let (Some(p), Some(_)) = (orient_paddle, paddle) {
        detected = turn_by_detection(p, &mut page, &log)?;
    }
    let mut read = match (paddle, detected) {
        (Some(p), Some(quads)) => {
            p.read_detected(&page.gray, quads, crate::clock::process_cpu_seconds())?
        }
        _ => recognize(engine, paddle, &page.gray, opts.page_deadline_ms, None)?,
    };
    if let (Some(p), Some(_)) = (paddle, orient_paddle) {
        retry_turned_180(p, &mut page, &mut read, &log)?;
    }
    if let (Some(p), None) = (orient_paddle, paddle) {
        retry_by_paddle_orientation(engine, p, &mut page, &mut read, opts, &log)?;
    }
    if retry {
        retry_three_turns(engine, paddle, &mut page, &mut read, opts, &log)?;
    }
    // PP-OCR found the page upside down: its boxes are in the frame of `gray`
    // turned by 180 degrees.
    if read.flipped {
        page.turned = (page.turned + 180) % 360;
    }
    let mut lines = read.lines;
    if opts.read_red && !img.color().has_alpha() && img.color().channel_count() >= 3 {
        read_red_print(engine, paddle, img, &page, scale, &mut lines, opts, &log);
    }
    restore_traditional(&mut lines);
    if (scale - 1.0).abs() > 0.01 {
        for l in &mut lines {
            l.bbox = unscale(l.bbox, scale);
            for w in &mut l.words {
                w.bbox = unscale(w.bbox, scale);
            }
        }
    }
    let Upright { gray, turned } = page;
    let page = PageText {
        number,
        width: (gray.width() as f32 / scale).round() as u32,
        height: (gray.height() as f32 / scale).round() as u32,
        source: TextSource::Ocr,
        lines,
        mean_conf: read.mean_conf,
        rotated: turned,
        error: None,
    };
    Ok(Reading {
        page,
        gray,
        scale,
        turned,
    })
}

/// The debug log of one page's reading.
struct PageLog {
    number: u32,
}

impl PageLog {
    fn say(&self, what: std::fmt::Arguments) {
        log::debug!("page {}: {what}", self.number);
    }
}

/// Tesseract's orientation detection (OSD) on a half-size copy: as reliable
/// and several times cheaper.
fn turn_by_osd(osd: &mut Engine, page: &mut Upright, log: &PageLog) {
    let g = &page.gray;
    let small = resize_gray(g, (g.width() / 2).max(1), (g.height() / 2).max(1));
    let found = osd.detect_orientation(&small);
    log.say(format_args!("OSD {found:?}"));
    // OSD reports how far the page is turned counter-clockwise; turning it
    // back clockwise by the rest of the circle makes it upright.
    if let Some((deg, conf)) = found {
        if deg != 0 && conf > 1.0 {
            page.turn((360 - deg) % 360);
        }
    }
}

/// PP-OCR reading the page itself: its detection tells a quarter turn (the
/// page is turned, to be detected again), and it turns upside-down lines
/// itself, so the orientation costs nothing on an upright page. Hands on the
/// detected boxes of a page that was upright.
fn turn_by_detection(
    p: &Paddle,
    page: &mut Upright,
    log: &PageLog,
) -> Result<Option<Vec<crate::paddle::Quad>>, DocError> {
    let quads = p.detect(&page.gray)?;
    let quarter = crate::paddle::quarter_turn(&quads);
    log.say(format_args!("PP-OCR lines run down the page: {quarter:?}"));
    if quarter != Some(true) {
        return Ok(Some(quads));
    }
    // Which quarter: the direction classifier's vote on the longest lines
    // (pooled over the whole page, its sure verdicts alone miss small Latin
    // print turned upside down).
    let turned = p
        .orientation(&page.gray)?
        .filter(|t| *t == 90 || *t == 270)
        .unwrap_or(90);
    log.say(format_args!("turned by {turned}"));
    page.turn(turned);
    Ok(None)
}

/// PP-OCR's poor reading of a page that looked upright: it may be upside
/// down with its lines too blurred for the direction classifier's votes (a
/// 150-dpi scan turned 180 degrees). Read turned, keep the clearly better
/// reading.
fn retry_turned_180(
    p: &Paddle,
    page: &mut Upright,
    read: &mut LinesRead,
    log: &PageLog,
) -> Result<(), DocError> {
    if read.mean_conf.unwrap_or(0.0) >= PADDLE_RETRY_180_BELOW_CONF {
        return Ok(());
    }
    let c0 = crate::clock::process_cpu_seconds();
    let turned_gray = rotate_cw(&page.gray, 180);
    let again = p.read_lines(&turned_gray)?;
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

/// Tesseract's poor reading of a page PP-OCR orients (triage in a PP-OCR
/// worker): the page may be turned; PP-OCR's look at a small copy says how,
/// and the page is read again turned upright.
fn retry_by_paddle_orientation(
    engine: &mut LazyEngine,
    p: &Paddle,
    page: &mut Upright,
    read: &mut LinesRead,
    opts: &OcrOptions,
    log: &PageLog,
) -> Result<(), DocError> {
    if read.mean_conf.unwrap_or(0.0) >= RETRY_TURNS_BELOW_CONF {
        return Ok(());
    }
    let turn = p.orientation(&page.gray)?;
    log.say(format_args!("poor reading, PP-OCR orientation {turn:?}"));
    if let Some(t) = turn.filter(|t| *t != 0) {
        page.turned = t;
        page.gray = rotate_cw(&page.gray, t);
        *read = recognize(engine, None, &page.gray, opts.page_deadline_ms, None)?;
    }
    Ok(())
}

/// A Tesseract reading this poor may be a turned page OSD missed (degraded
/// scans): try the other three turns on a small copy and keep a clearly
/// better one.
fn retry_three_turns(
    engine: &mut LazyEngine,
    paddle: Option<&Paddle>,
    page: &mut Upright,
    read: &mut LinesRead,
    opts: &OcrOptions,
    log: &PageLog,
) -> Result<(), DocError> {
    if read.mean_conf.unwrap_or(0.0) >= RETRY_TURNS_BELOW_CONF {
        return Ok(());
    }
    let c0 = crate::clock::process_cpu_seconds();
    let g = &page.gray;
    let f = 1400.0 / g.width().max(g.height()).max(1) as f32;
    let small = if f < 1.0 {
        resize_gray(
            g,
            ((g.width() as f32 * f) as u32).max(1),
            ((g.height() as f32 * f) as u32).max(1),
        )
    } else {
        g.clone()
    };
    let tess = engine.get()?;
    let base = tess
        .recognize(&small, Psm::Auto, opts.page_deadline_ms)?
        .1
        .unwrap_or(0.0);
    let mut best = (0u32, base);
    for deg in [90, 180, 270] {
        let c = tess
            .recognize(&rotate_cw(&small, deg), Psm::Auto, opts.page_deadline_ms)?
            .1
            .unwrap_or(0.0);
        if c > best.1 + 15.0 {
            best = (deg, c);
        }
    }
    if best.0 != 0 {
        page.turn(best.0);
        *read = recognize(engine, paddle, &page.gray, opts.page_deadline_ms, None)?;
    }
    log.say(format_args!(
        "retry three turns (CPU {:.2} s): kept {}",
        crate::clock::process_cpu_seconds() - c0,
        best.0
    ));
    Ok(())
}

/// Red print (a transition notice, the seal's ring text), lost in the red
/// channel: read from a red mask and added after the page's lines (boxes in
/// the scale of the upright grey image, as the page's lines are).
#[allow(clippy::too_many_arguments)]
fn read_red_print(
    engine: &mut LazyEngine,
    paddle: Option<&Paddle>,
    img: &DynamicImage,
    page: &Upright,
    scale: f32,
    lines: &mut Vec<Line>,
    opts: &OcrOptions,
    log: &PageLog,
) {
    let c0 = crate::clock::process_cpu_seconds();
    let (share, mask) = red_mask(img, RED_SHARE);
    let has_red = mask.is_some();
    if let Some(mask) = mask {
        let f =
            (opts.long_side as f32 * 0.6 / mask.width().max(mask.height()).max(1) as f32).min(1.0);
        let small = resize_gray(
            &mask,
            ((mask.width() as f32 * f) as u32).max(1),
            ((mask.height() as f32 * f) as u32).max(1),
        );
        let small = rotate_cw(&small, page.turned);
        // PP-OCR detects where the red ink is (seals, a title), not on the
        // whole mask.
        let read = match paddle {
            Some(p) => p.read_inked(&small, crate::paddle::RED_DET_MAX_SIDE),
            None => recognize(
                engine,
                None,
                &small,
                opts.page_deadline_ms,
                Some(crate::paddle::RED_DET_MAX_SIDE),
            ),
        };
        if let Ok(LinesRead {
            lines: mut red_lines,
            ..
        }) = read
        {
            for l in &red_lines {
                log.say(format_args!("red line {:?} ({:.0})", l.text, l.conf));
            }
            // Into the scale of `gray`, so the common unscaling applies.
            let k = scale / f;
            for l in &mut red_lines {
                l.bbox = unscale(l.bbox, 1.0 / k);
                for w in &mut l.words {
                    w.bbox = unscale(w.bbox, 1.0 / k);
                }
            }
            merge_red_lines(lines, red_lines);
        }
    }
    log.say(format_args!(
        "red pass (CPU {:.2} s): share {share:.4}, read {has_red}",
        crate::clock::process_cpu_seconds() - c0
    ));
}

/// A page printed in traditional characters: where the recogniser saw a
/// traditional form beside the simplified one it chose, the traditional one
/// is the reading (PP-OCR, Word::traditional); the simplified 内 and 户 the
/// models put for 內 and 戶 are put back whatever the engine. On other pages
/// the traditional forms are dropped.
fn restore_traditional(lines: &mut [Line]) {
    let all: String = lines.iter().map(|l| l.text.as_str()).collect();
    if traditional_share(&all) < TRADITIONAL_SHARE {
        for w in lines.iter_mut().flat_map(|l| l.words.iter_mut()) {
            w.traditional = None;
        }
        return;
    }
    let fix = |t: &str| -> String {
        t.chars()
            .map(|c| {
                SIMPLIFIED_MISREADS
                    .iter()
                    .find(|m| m.0 == c)
                    .map_or(c, |m| m.1)
            })
            .collect()
    };
    for l in lines.iter_mut() {
        if l.words.iter().any(|w| w.traditional.is_some()) {
            let words = std::mem::take(&mut l.words)
                .into_iter()
                .map(|mut w| {
                    if let Some(t) = w.traditional.take() {
                        w.text = t;
                    }
                    w.text = fix(&w.text);
                    w
                })
                .collect();
            let conf = l.conf;
            *l = Line::from_words(words);
            l.conf = conf;
        } else {
            l.text = fix(&l.text);
            for w in &mut l.words {
                w.text = fix(&w.text);
            }
        }
    }
}

/// The page's full reading: by PP-OCR when it is given, else by Tesseract.
fn recognize(
    engine: &mut LazyEngine,
    paddle: Option<&Paddle>,
    gray: &GrayImage,
    deadline_ms: u32,
    det_max_side: Option<u32>,
) -> Result<LinesRead, DocError> {
    match paddle {
        Some(p) => p.read_lines_at(gray, det_max_side.unwrap_or(p.det_max_side)),
        None => {
            let (lines, mean_conf) = engine.get()?.recognize(gray, Psm::Auto, deadline_ms)?;
            Ok(LinesRead {
                lines,
                mean_conf,
                flipped: false,
            })
        }
    }
}

fn unscale(b: BBox, s: f32) -> BBox {
    let f = |v: u32| (v as f32 / s).round() as u32;
    BBox::new(f(b.x), f(b.y), f(b.w), f(b.h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, bbox: BBox, conf: f32) -> Line {
        Line::from_words(vec![Word {
            text: text.into(),
            bbox,
            conf,
            ..Default::default()
        }])
    }

    #[test]
    fn red_mask_keeps_soft_red_strokes_and_drops_black_print_and_tinted_paper() {
        let px = [
            [200u8, 40, 45], // seal ink
            [225, 160, 160], // a thin stroke's edge blurred into (pink) paper
            [30, 30, 35],    // black print
            [120, 110, 105], // black print blurred into paper
            [61, 27, 9],     // black print with a sepia cast
            [245, 222, 215], // the paper, tinted pink: the rest of the page
        ];
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(20, 1, |x, _| {
            image::Rgb(px[(x as usize).min(5)])
        }));
        let (share, mask) = red_mask(&img, 0.0);
        let v: Vec<u8> = mask.unwrap().pixels().map(|p| p[0]).collect();
        assert_eq!(v[0], 0, "seal ink is full ink");
        assert!(v[1] > 40 && v[1] < 220, "an edge stays grey: {}", v[1]);
        assert!(
            v[2..].iter().all(|&p| p == 255),
            "print and paper vanish: {v:?}"
        );
        assert!((share - 0.05).abs() < 1e-6, "{share}");
        // Under the gate: the share alone, no mask built.
        assert_eq!(red_mask(&img, 0.1), (share, None));
    }

    #[test]
    fn a_red_notice_read_twice_is_kept_once_in_its_surer_reading() {
        let notice = "本證書須於2021年9月30日前完成向ISO/IEC20000-1:2018的標準轉換";
        let mut lines = vec![
            line(
                "第二次監督2018.04.04保持認證註冊",
                BBox::new(200, 1500, 1400, 60),
                98.0,
            ),
            line(
                "本證書須於2021年9月30日前完成向ISO/IEC20000-1:20",
                BBox::new(200, 1600, 1500, 60),
                60.0,
            ),
            line(
                "中知（北京）认证有限公司",
                BBox::new(1400, 2800, 700, 70),
                97.0,
            ),
        ];
        let red = vec![
            line(notice, BBox::new(195, 1598, 1700, 64), 95.0),
            // The seal's ring text over the body's name: kept beside it.
            line("认证", BBox::new(1700, 2790, 120, 80), 99.0),
            line("認證專用章", BBox::new(1650, 2950, 400, 60), 90.0),
            line("章", BBox::new(10, 10, 40, 40), 30.0),
        ];
        merge_red_lines(&mut lines, red);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "第二次監督2018.04.04保持認證註冊",
                notice,
                "中知（北京）认证有限公司",
                "认证",
                "認證專用章"
            ]
        );
        // The page's own reading stays when the red one is not far surer.
        for (page_conf, red_conf) in [(97.0, 80.0), (54.1, 54.5), (52.3, 64.6)] {
            let mut lines = vec![line(notice, BBox::new(200, 1600, 1700, 60), page_conf)];
            merge_red_lines(
                &mut lines,
                vec![line(
                    "本證書須於2021年9月30日前元成向ISO/IEC20000-1:2018的標準轉機",
                    BBox::new(200, 1600, 1650, 60),
                    red_conf,
                )],
            );
            assert_eq!(lines.len(), 1);
            assert_eq!(lines[0].text, notice);
        }
    }

    #[test]
    fn tsv_groups_words_into_lines_in_reading_order() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
5\t1\t2\t1\t1\t1\t100\t300\t50\t20\t90\t有效期\n\
5\t1\t1\t1\t1\t1\t100\t100\t80\t20\t95\t证书编号：\n\
5\t1\t1\t1\t1\t2\t190\t100\t120\t20\t85\tAB123\n\
4\t1\t1\t1\t1\t0\t100\t100\t210\t20\t-1\t\n";
        let (lines, mean) = parse_tsv(tsv);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "证书编号：AB123");
        assert_eq!(lines[1].text, "有效期");
        assert_eq!(mean, Some(90.0));
    }

    #[test]
    fn reading_order_is_total_on_overlapping_lines() {
        // Chains of lines whose centres differ by less than the tolerance one by
        // one but not overall: a tolerance comparator is no total order.
        let mut lines: Vec<Line> = (0..200u32)
            .map(|i| {
                Line::from_words(vec![Word {
                    text: format!("w{i}"),
                    bbox: BBox::new(
                        (i * 37) % 500,
                        100 + i * 3 + (i % 7) * 5,
                        40,
                        10 + (i % 5) * 4,
                    ),
                    conf: 90.0,
                    ..Default::default()
                }])
            })
            .collect();
        sort_reading_order(&mut lines);
        assert_eq!(lines.len(), 200);
        let mut rows = vec![
            Line::from_words(vec![Word {
                text: "b".into(),
                bbox: BBox::new(300, 100, 50, 20),
                conf: 90.0,
                ..Default::default()
            }]),
            Line::from_words(vec![Word {
                text: "c".into(),
                bbox: BBox::new(10, 200, 50, 20),
                conf: 90.0,
                ..Default::default()
            }]),
            Line::from_words(vec![Word {
                text: "a".into(),
                bbox: BBox::new(10, 104, 50, 20),
                conf: 90.0,
                ..Default::default()
            }]),
        ];
        sort_reading_order(&mut rows);
        let t: Vec<&str> = rows.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(t, vec!["a", "b", "c"]);
    }

    #[test]
    fn prepare_uses_red_channel_and_upscales_small_scans() {
        let mut rgb = image::RgbImage::from_pixel(1000, 1400, image::Rgb([255, 255, 255]));
        for y in 0..40 {
            for x in 0..40 {
                rgb.put_pixel(x, y, image::Rgb([230, 20, 20])); // seal red
                rgb.put_pixel(x + 100, y + 100, image::Rgb([0, 0, 0])); // text black
            }
        }
        let p = prepare(&DynamicImage::ImageRgb8(rgb), DEFAULT_LONG_SIDE);
        assert!(p.scale > 2.0);
        let s = p.scale;
        let px = |x: u32, y: u32| {
            p.gray
                .get_pixel((x as f32 * s) as u32, (y as f32 * s) as u32)[0]
        };
        assert!(px(20, 20) > 180, "red seal must turn light");
        assert!(px(120, 120) < 100, "black text must stay dark");
    }
}
