//! Tesseract (libtesseract through `tesseract-sys`): one engine per worker,
//! started on first use and reused. Takes a grey page image; hands on its
//! lines ([`LinesRead`]). As an [`OcrEngine`] it turns pages upright by its
//! orientation detection (OSD) and, when a reading is poor, tries the other
//! three turns.
//!
//! OpenMP must be limited to one thread before libtesseract loads; `main`
//! re-executes the process with `OMP_THREAD_LIMIT=1` when it is not set.

use super::engine::{OcrEngine, PageLog, Upright};
use crate::error::{DocError, ErrorCode};
use crate::page::{sort_reading_order, BBox, Line, LinesRead, Word};
use crate::pixels::{resize_gray, rotate_cw};
use image::GrayImage;
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

/// Mean word confidence under which a page is also tried turned by 90, 180
/// and 270 degrees.
pub const RETRY_TURNS_BELOW_CONF: f32 = 50.0;

/// Tesseract as an [`OcrEngine`]: the recognition engine (started on first
/// use) and, when pages are to be turned upright, the orientation detector.
/// Borrows both from their owner (a worker keeps them across pages, and the
/// traditional-script engine shares the detector).
pub struct Tesseract<'a> {
    engine: &'a mut LazyEngine,
    osd: Option<&'a mut Engine>,
}

impl<'a> Tesseract<'a> {
    /// `osd`: an engine from [`Engine::new_osd`]; without one, pages are read
    /// as they come.
    pub fn new(engine: &'a mut LazyEngine, osd: Option<&'a mut Engine>) -> Tesseract<'a> {
        Tesseract { engine, osd }
    }
}

impl OcrEngine for Tesseract<'_> {
    fn read(&mut self, gray: &GrayImage, deadline_ms: u32) -> Result<LinesRead, DocError> {
        let (lines, mean_conf) = self.engine.get()?.recognize(gray, Psm::Auto, deadline_ms)?;
        Ok(LinesRead {
            lines,
            mean_conf,
            flipped: false,
        })
    }

    /// Orientation detection (OSD) on a half-size copy: as reliable and
    /// several times cheaper.
    fn turn_upright(
        &mut self,
        page: &mut Upright,
        log: &PageLog,
    ) -> Result<Option<LinesRead>, DocError> {
        let Some(osd) = self.osd.as_deref_mut() else {
            return Ok(None);
        };
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
        Ok(None)
    }

    /// A reading this poor may be of a turned page OSD missed (degraded
    /// scans): the other three turns are tried on a small copy and a clearly
    /// better one kept.
    fn retry_poor(
        &mut self,
        page: &mut Upright,
        read: &mut LinesRead,
        deadline_ms: u32,
        log: &PageLog,
    ) -> Result<(), DocError> {
        if self.osd.is_none() || read.mean_conf.unwrap_or(0.0) >= RETRY_TURNS_BELOW_CONF {
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
        let tess = self.engine.get()?;
        let conf = |tess: &mut Engine, img: &GrayImage| -> Result<f32, DocError> {
            Ok(tess
                .recognize(img, Psm::Auto, deadline_ms)?
                .1
                .unwrap_or(0.0))
        };
        let mut best = (0u32, conf(tess, &small)?);
        for deg in [90, 180, 270] {
            let c = conf(tess, &rotate_cw(&small, deg))?;
            if c > best.1 + 15.0 {
                best = (deg, c);
            }
        }
        if best.0 != 0 {
            page.turn(best.0);
            *read = self.read(&page.gray, deadline_ms)?;
        }
        log.say(format_args!(
            "retry three turns (CPU {:.2} s): kept {}",
            crate::clock::process_cpu_seconds() - c0,
            best.0
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
