//! PDF pages: the text layer where one serves, else an image to OCR.
//!
//! [`PdfDocument::open`] parses the file with lopdf (panics contained, errors
//! classified as empty / truncated / corrupt / encrypted / unsupported).
//! [`PdfDocument::page_text`] reads a page's text layer with our own
//! content-stream walker ([`text`]) and font decoder ([`font`], [`cmap`]):
//! cheap, nothing is rendered. [`PdfDocument::page`] gives the pipeline either
//! that text or an image: the scanned page's own image when the page is a
//! single image ([`raster`]), else the page rasterised with hayro at 300 dpi.
//! Pages are handled one at a time; nothing but the parsed document and a font
//! cache is kept between calls.

mod cmap;
mod font;
mod obj;
mod raster;
mod text;

use crate::error::{DocError, ErrorCode};
use crate::page::{PageText, TextSource};
use lopdf::{Document, LoadOptions, ObjectId};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Resolution of text-layer coordinates and rasterised pages.
pub const DPI: f64 = 300.0;
/// Limit on a page's decompressed content streams.
const PAGE_CONTENT_LIMIT: usize = 64 << 20;
/// Limit on any stream lopdf decompresses while loading (object streams, xref streams).
const LOAD_STREAM_LIMIT: usize = 128 << 20;
/// A text layer is usable with at least this many non-space characters...
const MIN_CHARS: usize = 20;
/// ... fewer than this share of them garbled (U+FFFD, private use, controls) ...
const MAX_GARBLED: f64 = 0.10;
/// ... and, on a page mostly covered by images (a scan with a header line or a
/// page stamp), at least this many characters.
const MIN_CHARS_OVER_IMAGE: usize = 100;
const IMAGE_DOMINATED: f64 = 0.4;

/// A parsed PDF.
pub struct PdfDocument {
    bytes: Arc<Vec<u8>>,
    doc: Box<Document>,
    pages: Vec<ObjectId>,
    fonts: text::FontCache,
}

// Workers may share or move documents between threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PdfDocument>();
};

/// One page, ready for the pipeline.
#[derive(Debug)]
pub enum PdfPage {
    /// The page's text layer was usable: lines in reading order with boxes in pixels at 300 dpi
    /// (PDF points * 300/72, origin top-left), conf 100, source TextLayer, mean_conf None.
    Text(PageText),
    /// No usable text layer: an image to OCR (the scanned page's own image, or
    /// the page rasterised at 300 dpi, longest side at most 5000 px).
    Image(image::DynamicImage),
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// How far into a file its `%PDF-` header is looked for.
pub const HEADER_SEARCH: usize = 64 << 10;

/// Whether the file ends with `startxref <offset>` (only `%%EOF` missing).
fn ends_with_startxref(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii_end();
    let digits = t.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    t[..t.len() - digits]
        .trim_ascii_end()
        .ends_with(b"startxref")
}

/// A file the structure parser refuses (nesting deeper than it goes, an
/// object it cannot read) that the renderer opens with pages: its pages are
/// rendered and read by OCR, with no text layer (poppler reads such files;
/// issue 19, 17). The page ids are placeholders that resolve to nothing.
fn renderer_only(bytes: &[u8]) -> Option<(Document, Vec<ObjectId>)> {
    let n = catch_unwind(AssertUnwindSafe(|| {
        hayro::hayro_syntax::Pdf::new(Arc::new(bytes.to_vec()))
            .ok()
            .map(|p| p.pages().len())
    }))
    .ok()
    .flatten()?;
    if n == 0 {
        return None;
    }
    let pages = (0..n).map(|i| (u32::MAX - i as u32, 0)).collect();
    Some((Document::new(), pages))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// What the bytes are, when they are not a PDF.
fn sniff(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "a JPEG image",
        [0x89, b'P', b'N', b'G', ..] => "a PNG image",
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => "a TIFF image",
        [b'G', b'I', b'F', b'8', ..] => "a GIF image",
        [b'B', b'M', ..] => "a BMP image",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "a WebP image",
        [b'P', b'K', 3, 4, ..] => "a ZIP archive (or an Office document)",
        [0xD0, 0xCF, 0x11, 0xE0, ..] => "an old Office document",
        _ => "not a PDF",
    }
}

/// True when the bytes hold PDF objects (`N G obj`), i.e. look like a real,
/// if damaged, PDF rather than noise after a header.
fn has_objects(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = find(&bytes[i..], b" obj") {
        let at = i + p;
        // `<digits> <digits> obj`
        let mut j = at;
        let mut k = 0;
        while j > 0 && bytes[j - 1].is_ascii_digit() {
            j -= 1;
            k += 1;
        }
        if k > 0 && j >= 2 && bytes[j - 1] == b' ' && bytes[j - 2].is_ascii_digit() {
            return true;
        }
        i = at + 4;
        if i >= bytes.len() {
            break;
        }
    }
    false
}

/// The `startxref` offset, when it lies beyond the end of the file.
fn xref_beyond_end(bytes: &[u8]) -> Option<usize> {
    let tail_start = bytes.len().saturating_sub(2048);
    let p = rfind(&bytes[tail_start..], b"startxref")? + tail_start + 9;
    let digits: String = bytes[p..]
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(|c| c.is_ascii_digit())
        .map(|&c| c as char)
        .collect();
    let off: usize = digits.parse().ok()?;
    (off >= bytes.len()).then_some(off)
}

fn truncated(len: usize, why: &str) -> DocError {
    DocError::new(
        ErrorCode::Truncated,
        format!("PDF is truncated ({len} bytes): {why}"),
    )
}

fn encrypted_error() -> DocError {
    DocError::new(
        ErrorCode::Encrypted,
        "PDF is password-protected: a user password is required to open it",
    )
}

impl PdfDocument {
    /// Parse. Errors: Empty (0 bytes), Truncated / Corrupt (not parseable),
    /// Encrypted (a user password is needed; a PDF encrypted with an empty user
    /// password opens), UnsupportedFormat (no `%PDF` within the first 64 KiB).
    pub fn open(bytes: &[u8]) -> Result<PdfDocument, DocError> {
        PdfDocument::open_owned(bytes.to_vec())
    }

    /// [`PdfDocument::open`] keeping `bytes` (no second copy of the file).
    pub fn open_owned(mut bytes: Vec<u8>) -> Result<PdfDocument, DocError> {
        // Junk before the header (a mail gateway's banner, 2 KB of it):
        // poppler reads past it, and so does certscan (issue 19, 17); the
        // offsets of such a file count from its header.
        if let Some(p) = find(&bytes[..bytes.len().min(HEADER_SEARCH)], b"%PDF-") {
            if p > 0 {
                bytes.drain(..p);
            }
        }
        let (doc, pages) = PdfDocument::parse(&bytes)?;
        Ok(PdfDocument {
            bytes: Arc::new(bytes),
            doc: Box::new(doc),
            pages,
            fonts: Default::default(),
        })
    }

    /// The parsed document and its pages, or why there are none.
    fn parse(bytes: &[u8]) -> Result<(Document, Vec<ObjectId>), DocError> {
        if bytes.is_empty() {
            return Err(DocError::new(ErrorCode::Empty, "file is empty (0 bytes)"));
        }
        let head = &bytes[..bytes.len().min(HEADER_SEARCH)];
        if find(head, b"%PDF").is_none() {
            return Err(DocError::new(
                ErrorCode::UnsupportedFormat,
                format!(
                    "not a PDF: no %PDF header in the first {HEADER_SEARCH} bytes ({})",
                    sniff(bytes)
                ),
            ));
        }
        let looks_like_pdf = has_objects(bytes);
        // Cut off: no %%EOF at all, or PDF objects after the last one (an
        // incremental update, or the rest of a linearized file, is missing).
        let cut: Option<&'static str> = match rfind(bytes, b"%%EOF") {
            // Only the marker missing: the file ends with `startxref N`, its
            // cross-reference table whole (poppler reads it; issue 19, 17).
            None if ends_with_startxref(bytes) => None,
            None if looks_like_pdf => {
                Some("it ends without the %%EOF marker (the file was cut off)")
            }
            Some(p) if has_objects(&bytes[p..]) => Some(
                "it ends inside a section that follows its last %%EOF marker (the file was cut off)",
            ),
            _ => None,
        };

        let options = LoadOptions {
            max_decompressed_size: Some(LOAD_STREAM_LIMIT),
            ..LoadOptions::default()
        };
        let loaded = catch_unwind(AssertUnwindSafe(|| {
            Document::load_mem_with_options(bytes, options)
        }));
        let doc = match loaded {
            Err(p) => {
                return Err(DocError::new(
                    ErrorCode::Corrupt,
                    format!(
                        "PDF is damaged: the parser crashed on it ({})",
                        panic_message(p.as_ref())
                    ),
                ))
            }
            Ok(Err(e)) => {
                let err = Self::classify(bytes, e, cut, looks_like_pdf);
                if err.code == ErrorCode::Corrupt {
                    if let Some(fallback) = renderer_only(bytes) {
                        return Ok(fallback);
                    }
                }
                return Err(err);
            }
            Ok(Ok(doc)) => doc,
        };
        // lopdf decrypts by itself when the user password is empty; otherwise
        // the /Encrypt entry stays and no object is loaded.
        if doc.is_encrypted() {
            return Err(encrypted_error());
        }
        if let Some(why) = cut {
            return Err(truncated(bytes.len(), why));
        }
        let pages: Vec<ObjectId> =
            catch_unwind(AssertUnwindSafe(|| doc.get_pages().into_values().collect()))
                .unwrap_or_default();
        if pages.is_empty() {
            if xref_beyond_end(bytes).is_none() {
                if let Some(fallback) = renderer_only(bytes) {
                    return Ok(fallback);
                }
            }
            if let Some(off) = xref_beyond_end(bytes) {
                return Err(truncated(
                    bytes.len(),
                    &format!("its cross-reference table should be at byte {off}"),
                ));
            }
            return Err(DocError::new(
                ErrorCode::Corrupt,
                if looks_like_pdf {
                    "PDF is damaged: no page could be found"
                } else {
                    "PDF is damaged: no PDF objects after the header"
                },
            ));
        }
        Ok((doc, pages))
    }

    fn classify(
        bytes: &[u8],
        e: lopdf::Error,
        cut: Option<&str>,
        looks_like_pdf: bool,
    ) -> DocError {
        use lopdf::Error as E;
        match &e {
            E::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                return DocError::new(
                    ErrorCode::TooLarge,
                    format!("PDF stream decompresses beyond the limit ({e})"),
                );
            }
            E::Decryption(_) | E::InvalidPassword => {
                return DocError::new(
                    ErrorCode::Encrypted,
                    format!("PDF is encrypted and cannot be decrypted ({e})"),
                );
            }
            E::Unimplemented(what) if what.to_ascii_lowercase().contains("encrypt") => {
                return encrypted_error();
            }
            _ => {}
        }
        if find(bytes, b"/Encrypt").is_some() && looks_like_pdf && cut.is_none() {
            return DocError::new(
                ErrorCode::Encrypted,
                format!("PDF is encrypted with an unsupported method ({e})"),
            );
        }
        if let Some(off) = xref_beyond_end(bytes) {
            return truncated(
                bytes.len(),
                &format!("its cross-reference table should be at byte {off}"),
            );
        }
        if let Some(why) = cut {
            return truncated(bytes.len(), why);
        }
        DocError::new(
            ErrorCode::Corrupt,
            if looks_like_pdf {
                format!("PDF is damaged and cannot be parsed ({e})")
            } else {
                format!("PDF is damaged: no readable PDF structure after the header ({e})")
            },
        )
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Walks page `index`'s content. None if the walker panicked.
    fn scan(&self, index: usize) -> Option<(text::PageScan, text::PageGeom)> {
        let id = *self.pages.get(index)?;
        catch_unwind(AssertUnwindSafe(|| {
            let page = self.doc.get_dictionary(id).ok()?;
            let geom = text::page_geom(&self.doc, page, DPI);
            let scan = text::scan_page(&self.doc, id, &self.fonts, &geom, PAGE_CONTENT_LIMIT);
            Some((scan, geom))
        }))
        .ok()
        .flatten()
    }

    /// The text layer of a scanned page, if usable.
    fn usable_text(scan: &text::PageScan, geom: &text::PageGeom, index: usize) -> Option<PageText> {
        let st = text::stats(&scan.glyphs);
        if st.nonspace < MIN_CHARS || st.garbled as f64 >= MAX_GARBLED * st.nonspace as f64 {
            return None;
        }
        if st.nonspace < MIN_CHARS_OVER_IMAGE && text::image_coverage(scan) >= IMAGE_DOMINATED {
            return None;
        }
        let lines = catch_unwind(AssertUnwindSafe(|| {
            text::layout(&scan.glyphs, geom.width, geom.height)
        }))
        .ok()?;
        if lines.is_empty() {
            return None;
        }
        Some(PageText {
            number: index as u32 + 1,
            width: geom.width.round().max(1.0) as u32,
            height: geom.height.round().max(1.0) as u32,
            source: TextSource::TextLayer,
            lines,
            mean_conf: None,
            rotated: 0,
            error: None,
        })
    }

    /// Text of page `index` (0-based) from the text layer only, without rendering anything: cheap,
    /// for triage. None when the page has no usable text layer.
    pub fn page_text(&self, index: usize) -> Option<PageText> {
        let (scan, geom) = self.scan(index)?;
        Self::usable_text(&scan, &geom, index)
    }

    /// The page for the pipeline (text layer if usable, else image). Only that
    /// page's data is decoded.
    pub fn page(&self, index: usize) -> Result<PdfPage, DocError> {
        if index >= self.pages.len() {
            return Err(DocError::new(
                ErrorCode::Corrupt,
                format!(
                    "page {} does not exist (the document has {} pages)",
                    index + 1,
                    self.pages.len()
                ),
            ));
        }
        match self.page_unrendered(index)? {
            Some(p) => Ok(p),
            None => self.render(index).map(PdfPage::Image),
        }
    }

    /// Page `index` as [`PdfDocument::page`] reads it, up to rendering: its
    /// text layer, else the checks of its images and a scanned page's own
    /// image; `None` where the page is to be rendered (also for the fuzz
    /// targets: rendering at 300 dpi takes a second).
    #[doc(hidden)]
    pub fn page_unrendered(&self, index: usize) -> Result<Option<PdfPage>, DocError> {
        let Some((scan, geom)) = self.scan(index) else {
            return Ok(None);
        };
        if let Some(t) = Self::usable_text(&scan, &geom, index) {
            return Ok(Some(PdfPage::Text(t)));
        }
        raster::check_image_sizes(&self.doc, &scan)?;
        raster::check_jpeg_data(&self.doc, &scan, index)?;
        raster::check_ccitt_data(&self.doc, &scan, index)?;
        let direct = catch_unwind(AssertUnwindSafe(|| raster::direct_image(&self.doc, &scan)));
        match direct {
            Ok(Ok(raster::Direct::Image(img))) => Ok(Some(PdfPage::Image(img))),
            Ok(Err(e)) => Err(e),
            // Not a plain scanned page, or the decoder crashed: render it.
            Ok(Ok(raster::Direct::NotApplicable)) | Err(_) => Ok(None),
        }
    }

    /// The page rendered at 300 dpi, a renderer panic contained.
    fn render(&self, index: usize) -> Result<image::DynamicImage, DocError> {
        match catch_unwind(AssertUnwindSafe(|| raster::rasterise(&self.bytes, index))) {
            Ok(r) => r,
            Err(p) => Err(DocError::new(
                ErrorCode::Corrupt,
                format!(
                    "page {} could not be rendered: the renderer crashed ({})",
                    index + 1,
                    panic_message(p.as_ref())
                ),
            )),
        }
    }
}

impl PdfDocument {
    /// The page as an image whatever it holds (for the report's pictures): a
    /// scanned page's own image, else the page rendered at 300 dpi.
    pub fn page_image(&self, index: usize) -> Result<image::DynamicImage, DocError> {
        match self.page(index)? {
            PdfPage::Image(img) => Ok(img),
            PdfPage::Text(_) => self.render(index),
        }
    }
}

/// Entry points for the fuzz targets (fuzz/, scripts/fuzz): the readers
/// behind a PDF's text layer, reached without a whole file. Not an API.
#[doc(hidden)]
pub mod fuzzing {
    use super::{cmap, font};

    /// Parses a CMap program (`data` up to its first NUL) and reads the
    /// codes after the NUL with it; the number of codes mapped.
    pub fn cmap(data: &[u8]) -> usize {
        let (program, codes) = match data.iter().position(|&b| b == 0) {
            Some(p) => (&data[..p], &data[p + 1..]),
            None => (data, &[][..]),
        };
        let cm = cmap::CMap::parse(program);
        let _ = (cm.has_unicode(), cm.has_cids());
        let mut mapped = 0;
        let mut i = 0;
        while i < codes.len() {
            let len = cm.code_len(&codes[i..]).unwrap_or(1).clamp(1, 4);
            let len = len.min(codes.len() - i);
            let code = codes[i..i + len]
                .iter()
                .fold(0u32, |a, &b| (a << 8) | u32::from(b));
            if cm.lookup(code, len as u8).is_some() {
                mapped += 1;
            }
            let _ = cm.cid(code, len as u8);
            i += len;
        }
        mapped
    }

    /// Loads font dictionary `font` of `doc` and decodes `text` (a string's
    /// bytes in a content stream) with it; the number of glyphs.
    pub fn font(doc: &lopdf::Document, font: &lopdf::Dictionary, text: &[u8]) -> usize {
        let f = font::load_font(doc, font);
        let mut out = Vec::new();
        f.decode(text, &mut out);
        out.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GenericImageView;
    use lopdf::{dictionary, Object, Stream};
    use std::path::Path;
    use std::process::Command;

    // ------------------------------------------------------------------
    // Test PDFs built with reportlab at test time.

    const PRELUDE: &str = r#"
import sys
from reportlab.pdfgen import canvas
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.lib.pdfencrypt import StandardEncryption
from PIL import Image
OUT = sys.argv[1]
def font(name):
    if name == 'wqy':
        pdfmetrics.registerFont(TTFont('wqy', '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', subfontIndex=0))
    elif name != 'Helvetica':
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name
def scan_image(path, w=400, h=300):
    im = Image.new('RGB', (w, h), (255, 0, 0))
    im.paste((0, 0, 255), (w // 2, 0, w, h))
    if path.endswith('.jpg'):
        im.save(path, quality=95)
    else:
        im.save(path)
    return path
def text_page(c, fontname, lines, size=14, x=72, y=750, step=30):
    f = font(fontname)
    for t in lines:
        c.setFont(f, size)
        c.drawString(x, y, t)
        y -= step
    return y
"#;

    fn have_reportlab() -> bool {
        Command::new("python3")
            .args(["-c", "import reportlab, PIL"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// Runs `body` (after PRELUDE) with OUT = a PDF path in `dir`; the PDF's bytes.
    /// None (test skipped) only when python3 with reportlab and pillow is absent.
    fn reportlab(dir: &Path, name: &str, body: &str) -> Option<Vec<u8>> {
        if !have_reportlab() {
            eprintln!("SKIPPED: python3 with reportlab and pillow is not available");
            return None;
        }
        let out = dir.join(name);
        let script = format!("{PRELUDE}\n{body}\n");
        let res = Command::new("python3")
            .arg("-c")
            .arg(&script)
            .arg(&out)
            .current_dir(dir)
            .output()
            .expect("python3 runs");
        assert!(
            res.status.success(),
            "reportlab script failed: {}",
            String::from_utf8_lossy(&res.stderr)
        );
        Some(std::fs::read(&out).expect("PDF written"))
    }

    const SC_LINES: [&str; 4] = [
        "证书编号：04625IT15304R1M",
        "信息技术服务管理体系认证证书",
        "兹证明 北京某某科技有限公司",
        "ISO/IEC 20000-1:2018",
    ];
    const SC_EXPECTED: [&str; 4] = [
        "证书编号：04625IT15304R1M",
        "信息技术服务管理体系认证证书",
        "兹证明北京某某科技有限公司", // no space between CJK characters
        "ISO/IEC 20000-1:2018",
    ];

    fn sc_lines_py() -> String {
        format!("{:?}", SC_LINES)
    }

    fn texts(p: &PageText) -> Vec<String> {
        p.lines.iter().map(|l| l.text.clone()).collect()
    }

    fn check_sc_page(p: &PageText) {
        assert_eq!(p.number, 1);
        assert_eq!((p.width, p.height), (2480, 3508), "A4 at 300 dpi");
        assert_eq!(p.source, TextSource::TextLayer);
        assert_eq!(p.mean_conf, None);
        let t = texts(p);
        assert_eq!(t[..4], SC_EXPECTED, "lines in order: {t:?}");
        assert_eq!(t[4], "Certificate No. 04625IT15304R1M");
        assert_eq!(t.len(), 5, "{t:?}");
        // Line 1: baseline at 750 pt → (841.89 - 750) * 300/72 = 382.9 px, 14 pt = 58.3 px.
        let b = p.lines[0].bbox;
        assert!((297..=303).contains(&b.x), "x {b:?}");
        assert!((320..=350).contains(&b.y), "top {b:?}");
        assert!((383..=410).contains(&(b.y + b.h)), "bottom {b:?}");
        assert!((600..=1000).contains(&b.w), "width {b:?}");
        // Lines go down the page, 30 pt = 125 px apart.
        for w in p.lines.windows(2) {
            let d = w[1].bbox.y as i64 - w[0].bbox.y as i64;
            assert!(
                (100..=150).contains(&d),
                "line spacing {d}: {:?} {:?}",
                w[0].bbox,
                w[1].bbox
            );
        }
        for l in &p.lines {
            assert_eq!(l.conf, 100.0);
            assert!(l.words.iter().all(|w| w.conf == 100.0));
            assert!(l.bbox.x + l.bbox.w <= p.width && l.bbox.y + l.bbox.h <= p.height);
        }
        // "Certificate No. 04625IT15304R1M" is three words.
        assert_eq!(p.lines[4].words.len(), 3);
    }

    fn sc_body(font: &str) -> String {
        format!(
            "c = canvas.Canvas(OUT)\ny = text_page(c, '{font}', {})\nc.setFont('Helvetica', 12)\nc.drawString(72, y, 'Certificate No. 04625IT15304R1M')\nc.showPage()\nc.save()",
            sc_lines_py()
        )
    }

    #[test]
    fn embedded_ttf_cjk_text_layer() {
        let dir = tempfile::tempdir().unwrap();
        let Some(bytes) = reportlab(dir.path(), "ttf.pdf", &sc_body("wqy")) else {
            return;
        };
        let doc = PdfDocument::open(&bytes).unwrap();
        assert_eq!(doc.page_count(), 1);
        let p = doc.page_text(0).expect("usable text layer");
        check_sc_page(&p);
        match doc.page(0).unwrap() {
            PdfPage::Text(t) => assert_eq!(t, p),
            PdfPage::Image(_) => panic!("text page rendered"),
        }
        assert!(doc.page_text(1).is_none());
        assert_eq!(doc.page(1).unwrap_err().code, ErrorCode::Corrupt);
    }

    #[test]
    fn predefined_cmap_stsong_unigb_ucs2() {
        let dir = tempfile::tempdir().unwrap();
        let Some(bytes) = reportlab(dir.path(), "cid.pdf", &sc_body("STSong-Light")) else {
            return;
        };
        assert!(find(&bytes, b"UniGB-UCS2-H").is_some());
        let doc = PdfDocument::open(&bytes).unwrap();
        check_sc_page(&doc.page_text(0).expect("usable text layer"));
    }

    #[test]
    fn traditional_msung_unicns_ucs2() {
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            "證書編號：04625IT15304R1M",
            "資訊技術服務管理體系驗證證書",
            "茲證明臺灣某某科技股份有限公司",
            "ISO/IEC 27001:2022",
        ];
        let body = format!(
            "c = canvas.Canvas(OUT)\ntext_page(c, 'MSung-Light', {:?})\nc.showPage()\nc.save()",
            lines
        );
        let Some(bytes) = reportlab(dir.path(), "tc.pdf", &body) else {
            return;
        };
        // reportlab pairs MSung-Light (Adobe-CNS1) with /UniGB-UCS2-H; UniCNS-UCS2-H
        // itself is covered by `gbk_and_big5_predefined_cmaps`.
        assert!(find(&bytes, b"MSung-Light").is_some());
        let doc = PdfDocument::open(&bytes).unwrap();
        let p = doc.page_text(0).expect("usable text layer");
        assert_eq!(texts(&p), lines);
    }

    fn is_red(p: [u8; 3]) -> bool {
        p[0] > 200 && p[1] < 70 && p[2] < 70
    }
    fn is_blue(p: [u8; 3]) -> bool {
        p[2] > 200 && p[0] < 70 && p[1] < 70
    }
    fn rgb(img: &image::DynamicImage, x: u32, y: u32) -> [u8; 3] {
        let p = img.get_pixel(x, y);
        [p[0], p[1], p[2]]
    }

    #[test]
    fn image_only_pdf_gives_the_scans() {
        let dir = tempfile::tempdir().unwrap();
        let body = "c = canvas.Canvas(OUT, pagesize=(192, 144))
for i in range(2):
    c.drawImage(scan_image('scan.jpg'), 0, 0, width=192, height=144)
    c.showPage()
c.save()";
        let Some(bytes) = reportlab(dir.path(), "scan.pdf", body) else {
            return;
        };
        assert!(find(&bytes, b"DCTDecode").is_some());
        let doc = PdfDocument::open(&bytes).unwrap();
        assert_eq!(doc.page_count(), 2);
        for i in 0..2 {
            assert!(doc.page_text(i).is_none());
            let PdfPage::Image(img) = doc.page(i).unwrap() else {
                panic!("scan page gave text");
            };
            assert_eq!(
                img.dimensions(),
                (400, 300),
                "the embedded image at its own size"
            );
            assert!(is_red(rgb(&img, 50, 150)), "{:?}", rgb(&img, 50, 150));
            assert!(is_blue(rgb(&img, 350, 150)), "{:?}", rgb(&img, 350, 150));
        }
    }

    #[test]
    fn mixed_pdf_text_then_scans() {
        let dir = tempfile::tempdir().unwrap();
        let body = format!(
            "c = canvas.Canvas(OUT)
text_page(c, 'STSong-Light', {})
c.showPage()
c.drawImage(scan_image('scan.jpg'), 0, 0, width=595.2756, height=841.8898)
c.showPage()
c.drawImage(scan_image('scan.png'), 0, 0, width=595.2756, height=841.8898)
c.showPage()
c.save()",
            sc_lines_py()
        );
        let Some(bytes) = reportlab(dir.path(), "mixed.pdf", &body) else {
            return;
        };
        let doc = PdfDocument::open(&bytes).unwrap();
        assert_eq!(doc.page_count(), 3);
        let PdfPage::Text(t) = doc.page(0).unwrap() else {
            panic!("page 1 has a text layer");
        };
        assert_eq!(texts(&t), SC_EXPECTED);
        assert!(doc.page_text(1).is_none() && doc.page_text(2).is_none());
        let PdfPage::Image(jpg) = doc.page(1).unwrap() else {
            panic!("page 2 is a scan");
        };
        assert_eq!(jpg.dimensions(), (400, 300));
        assert!(is_red(rgb(&jpg, 10, 10)) && is_blue(rgb(&jpg, 390, 290)));
        // PNG: stored as Flate-compressed raw RGB; lossless.
        let PdfPage::Image(png) = doc.page(2).unwrap() else {
            panic!("page 3 is a scan");
        };
        assert_eq!(png.dimensions(), (400, 300));
        assert_eq!(rgb(&png, 199, 0), [255, 0, 0]);
        assert_eq!(rgb(&png, 200, 299), [0, 0, 255]);
    }

    #[test]
    fn rotate_90_pages() {
        let dir = tempfile::tempdir().unwrap();
        // Page 1: a landscape scan stored portrait, /Rotate 90 makes it upright.
        // Page 2: text drawn running up the page, /Rotate 90 makes it read left to right.
        // (reportlab's setPageRotation swaps the page size it was given: the
        // MediaBox of pagesize=(w, h) is [0 0 h w].)
        let body = "c = canvas.Canvas(OUT, pagesize=(144, 192))
c.setPageRotation(90)
c.drawImage(scan_image('scan.jpg'), 0, 0, width=192, height=144)
c.showPage()
c.setPageSize((841.8898, 595.2756))
c.setPageRotation(90)
f = font('STSong-Light')
c.saveState()
c.translate(100, 72)
c.rotate(90)
c.setFont(f, 16)
c.drawString(0, 0, '证书编号：04625IT15304R1M')
c.drawString(0, -30, '信息技术服务管理体系认证证书')
c.restoreState()
c.showPage()
c.save()";
        let Some(bytes) = reportlab(dir.path(), "rot.pdf", body) else {
            return;
        };
        assert!(find(&bytes, b"/MediaBox [ 0 0 192 144 ]").is_some());
        let doc = PdfDocument::open(&bytes).unwrap();
        let PdfPage::Image(img) = doc.page(0).unwrap() else {
            panic!("scan page gave text");
        };
        // Rotated clockwise: the image's left (red) half is now on top.
        assert_eq!(img.dimensions(), (300, 400));
        assert!(is_red(rgb(&img, 150, 50)), "{:?}", rgb(&img, 150, 50));
        assert!(is_blue(rgb(&img, 150, 350)), "{:?}", rgb(&img, 150, 350));

        let p = doc.page_text(1).expect("rotated text layer");
        assert_eq!(
            (p.width, p.height),
            (3508, 2480),
            "landscape after /Rotate 90"
        );
        assert_eq!(
            texts(&p),
            ["证书编号：04625IT15304R1M", "信息技术服务管理体系认证证书"]
        );
        let b = p.lines[0].bbox;
        // Starts 72 pt from the left, baseline 100 pt from the top.
        assert!((295..=305).contains(&b.x), "{b:?}");
        assert!((405..=440).contains(&(b.y + b.h)), "{b:?}");
        assert!(b.w > 5 * b.h, "runs horizontally: {b:?}");
        assert!(p.lines[1].bbox.y > b.y + 60);
    }

    #[test]
    fn vector_only_and_empty_pages_are_rasterised() {
        let dir = tempfile::tempdir().unwrap();
        let body = "c = canvas.Canvas(OUT)
c.setFillColorRGB(0, 0, 0)
c.rect(100, 100, 200, 200, fill=1)
c.setLineWidth(3)
c.line(100, 500, 500, 500)
c.circle(300, 650, 50, fill=0)
c.showPage()
c.showPage()
c.save()";
        let Some(bytes) = reportlab(dir.path(), "vec.pdf", body) else {
            return;
        };
        let doc = PdfDocument::open(&bytes).unwrap();
        assert_eq!(doc.page_count(), 2);
        for i in 0..2 {
            assert!(doc.page_text(i).is_none());
            let PdfPage::Image(img) = doc.page(i).unwrap() else {
                panic!("no text layer here");
            };
            assert_eq!(
                img.dimensions(),
                (2480, 3508),
                "A4 at 300 dpi, like a text page"
            );
            assert_eq!(rgb(&img, 100, 100), [255, 255, 255]);
            // The filled square spans x 417..1250, y 2258..3091 px.
            let inside = rgb(&img, 800, 2700);
            if i == 0 {
                assert!(inside.iter().all(|&v| v < 30), "{inside:?}");
            } else {
                assert_eq!(inside, [255, 255, 255]);
            }
        }
    }

    #[test]
    fn non_embedded_cjk_font_renders_with_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let Some(bytes) = reportlab(dir.path(), "cid.pdf", &sc_body("STSong-Light")) else {
            return;
        };
        let bytes = Arc::new(bytes);
        let img = raster::rasterise(&bytes, 0).unwrap();
        // First line: x 300..1100, y 330..395 px. Count ink.
        let mut dark = 0;
        for y in 330..395 {
            for x in 300..1100 {
                if rgb(&img, x, y)[0] < 128 {
                    dark += 1;
                }
            }
        }
        assert!(
            dark > 2000,
            "CJK glyphs drawn with the fallback font: {dark} dark px"
        );
    }

    #[test]
    fn bad_inputs_are_classified() {
        let e = PdfDocument::open(b"").err().unwrap();
        assert_eq!(e.code, ErrorCode::Empty);

        let mut jpeg = Vec::new();
        image::DynamicImage::new_rgb8(8, 8)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let e = PdfDocument::open(&jpeg).err().unwrap();
        assert_eq!(e.code, ErrorCode::UnsupportedFormat);
        assert!(e.message.contains("JPEG"), "{}", e.message);

        let mut garbage = b"%PDF-1.7\n".to_vec();
        let mut x: u32 = 12345;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            garbage.push((x >> 8) as u8);
        }
        let e = PdfDocument::open(&garbage).err().unwrap();
        assert_eq!(e.code, ErrorCode::Corrupt, "{e}");

        let dir = tempfile::tempdir().unwrap();
        let Some(bytes) = reportlab(dir.path(), "ttf.pdf", &sc_body("wqy")) else {
            return;
        };
        let e = PdfDocument::open(&bytes[..bytes.len() / 2]).err().unwrap();
        assert_eq!(e.code, ErrorCode::Truncated, "{e}");
        // Cut just before the end: the trailer is gone.
        let e = PdfDocument::open(&bytes[..bytes.len() - 30]).err().unwrap();
        assert_eq!(e.code, ErrorCode::Truncated, "{e}");
        // An incremental update cut off after the first %%EOF.
        let mut upd = bytes.clone();
        upd.extend_from_slice(
            b"\n9 0 obj\n<< /Type /Page /Contents 10 0 R >>\nendobj\n10 0 obj\n<< /Len",
        );
        let e = PdfDocument::open(&upd).err().unwrap();
        assert_eq!(e.code, ErrorCode::Truncated, "{e}");
        // Junk appended after a complete file is no damage.
        let mut junk = bytes.clone();
        junk.extend(std::iter::repeat_n(b'\0', 3000));
        junk.extend_from_slice(b"<html>download page</html>");
        assert_eq!(PdfDocument::open(&junk).unwrap().page_count(), 1);
    }

    #[test]
    fn encrypted_pdfs() {
        let dir = tempfile::tempdir().unwrap();
        let body = |user: &str| {
            format!(
                "c = canvas.Canvas(OUT, encrypt=StandardEncryption('{user}', ownerPassword='o'))
text_page(c, 'STSong-Light', {})
c.showPage()
c.drawImage(scan_image('scan.jpg'), 0, 0, width=595.2756, height=841.8898)
c.showPage()
c.save()",
                sc_lines_py()
            )
        };
        let Some(locked) = reportlab(dir.path(), "locked.pdf", &body("secret")) else {
            return;
        };
        assert!(find(&locked, b"/Encrypt").is_some());
        let e = PdfDocument::open(&locked).err().unwrap();
        assert_eq!(e.code, ErrorCode::Encrypted);
        assert!(e.message.contains("password"), "{}", e.message);

        let open = reportlab(dir.path(), "open.pdf", &body("")).unwrap();
        assert!(find(&open, b"/Encrypt").is_some());
        let doc = PdfDocument::open(&open).expect("empty user password opens");
        assert_eq!(texts(&doc.page_text(0).unwrap()), SC_EXPECTED);
        let PdfPage::Image(img) = doc.page(1).unwrap() else {
            panic!("scan page");
        };
        assert!(is_red(rgb(&img, 50, 150)) && is_blue(rgb(&img, 350, 150)));
        // hayro decrypts on its own too.
        let r = raster::rasterise(&Arc::new(open), 1).unwrap();
        assert!(is_red(rgb(&r, 300, 1700)) && is_blue(rgb(&r, 2200, 1700)));
    }

    // ------------------------------------------------------------------
    // Hand-built PDFs (lopdf writer) for encodings reportlab does not produce.

    fn build(content: &[u8], setup: impl FnOnce(&mut Document) -> lopdf::Dictionary) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let resources = setup(&mut doc);
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn cid_font(
        doc: &mut Document,
        encoding: Object,
        ordering: &str,
        embedded: bool,
        to_unicode: Option<&str>,
    ) -> lopdf::ObjectId {
        let mut fd = dictionary! {
            "Type" => "FontDescriptor", "FontName" => "Test", "Flags" => 4,
            "Ascent" => 880, "Descent" => -120,
        };
        if embedded {
            let ff = doc.add_object(Stream::new(dictionary! {}, vec![0u8; 16]));
            fd.set("FontFile2", ff);
        }
        let fd = doc.add_object(fd);
        let desc = dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "Test",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal(ordering),
                "Supplement" => 0,
            },
            "FontDescriptor" => fd, "DW" => 1000,
            // Adobe collections: CIDs 1..=95 are half-width ASCII; GBK-EUC-H maps
            // its one-byte codes to Adobe-GB1's proportional Latin at 814...
            "W" => vec![1.into(), 95.into(), 500.into(), 814.into(), 939.into(), 500.into()],
        };
        let mut font = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Test",
            "Encoding" => encoding, "DescendantFonts" => vec![Object::Dictionary(desc)],
        };
        if let Some(tu) = to_unicode {
            let s = doc.add_object(Stream::new(dictionary! {}, tu.as_bytes().to_vec()));
            font.set("ToUnicode", s);
        }
        doc.add_object(font)
    }

    fn show_lines(lines: &[Vec<u8>]) -> Vec<u8> {
        let mut c = b"BT /F1 20 Tf 72 760 Td 30 TL\n".to_vec();
        for l in lines {
            c.push(b'<');
            for b in l {
                c.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            c.extend_from_slice(b"> Tj T*\n");
        }
        c.extend_from_slice(b"ET\n");
        c
    }

    fn one_font(doc: &mut Document, font: lopdf::ObjectId) -> lopdf::Dictionary {
        let _ = doc;
        dictionary! { "Font" => dictionary! { "F1" => font } }
    }

    #[test]
    fn gbk_and_big5_predefined_cmaps() {
        let sc = [
            "证书编号：04625IT15304R1M",
            "有效期至2028年12月31日认证机构",
        ];
        let lines: Vec<Vec<u8>> = sc
            .iter()
            .map(|t| encoding_rs::GBK.encode(t).0.into_owned())
            .collect();
        let pdf = build(&show_lines(&lines), |d| {
            let f = cid_font(d, Object::Name(b"GBK-EUC-H".to_vec()), "GB1", false, None);
            one_font(d, f)
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        let p = doc.page_text(0).unwrap();
        assert_eq!(texts(&p), sc);
        // 5 full-width + 15 half-width characters = 12.5 em of 20 pt.
        let w = p.lines[0].bbox.w as f64;
        assert!((w - 12.5 * 20.0 * 300.0 / 72.0).abs() < 3.0, "{w}");

        let tc = ["證書編號：ABC12345驗證機構", "臺灣某某科技股份有限公司"];
        let lines: Vec<Vec<u8>> = tc
            .iter()
            .map(|t| encoding_rs::BIG5.encode(t).0.into_owned())
            .collect();
        let pdf = build(&show_lines(&lines), |d| {
            let f = cid_font(d, Object::Name(b"ETen-B5-H".to_vec()), "CNS1", false, None);
            one_font(d, f)
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        assert_eq!(texts(&doc.page_text(0).unwrap()), tc);

        // UniCNS-UCS2-H: UTF-16BE codes.
        let lines: Vec<Vec<u8>> = tc
            .iter()
            .map(|t| t.encode_utf16().flat_map(|u| u.to_be_bytes()).collect())
            .collect();
        let pdf = build(&show_lines(&lines), |d| {
            let f = cid_font(
                d,
                Object::Name(b"UniCNS-UCS2-H".to_vec()),
                "CNS1",
                false,
                None,
            );
            one_font(d, f)
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        let p = doc.page_text(0).unwrap();
        assert_eq!(texts(&p), tc);
        // Widths come from /W by CID (code → CID through the predefined CMap):
        // 9 full-width characters + 8 half-width ones = 13 em of 20 pt.
        let w = p.lines[0].bbox.w as f64;
        assert!((w - 13.0 * 20.0 * 300.0 / 72.0).abs() < 3.0, "{w}");
    }

    #[test]
    fn identity_h_needs_to_unicode() {
        // Glyph ids 1..=30, two lines.
        let lines: Vec<Vec<u8>> = vec![
            (1u16..=15).flat_map(|g| g.to_be_bytes()).collect(),
            (16u16..=30).flat_map(|g| g.to_be_bytes()).collect(),
        ];
        let content = show_lines(&lines);
        // Embedded font, no ToUnicode: the codes are glyph ids, unreadable.
        let pdf = build(&content, |d| {
            let f = cid_font(
                d,
                Object::Name(b"Identity-H".to_vec()),
                "Identity",
                true,
                None,
            );
            one_font(d, f)
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        assert!(doc.page_text(0).is_none());
        assert!(matches!(doc.page(0).unwrap(), PdfPage::Image(_)));

        // With a ToUnicode CMap (bfchar, bfrange, array-form bfrange).
        let tu = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0001> <8BC1> <0002> <4E66> <0003> <7F16> endbfchar
3 beginbfrange <0004> <0004> <53F7> <0005> <000E> <0030> <000F> <001E> [<FF1A> <0041> <0042> <0043> <0044> <0045> <0046> <0047> <0048> <0049> <004A> <004B> <004C> <004D> <004E> <004F>]
endbfrange endcmap end end";
        let pdf = build(&content, |d| {
            let f = cid_font(
                d,
                Object::Name(b"Identity-H".to_vec()),
                "Identity",
                true,
                Some(tu),
            );
            one_font(d, f)
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        let p = doc.page_text(0).expect("ToUnicode makes it readable");
        assert_eq!(texts(&p), ["证书编号0123456789：", "ABCDEFGHIJKLMNO"]);
    }

    #[test]
    fn simple_font_differences_tj_spacing_and_forms() {
        // /Differences with uniXXXX names; TJ kerning: small adjustments stay in a
        // word, a big one separates words; text inside a Form XObject inside a Form.
        let content = b"BT /F1 20 Tf 72 760 Td [(Cert) -20 (ificate) -600 (No.)] TJ ET
q 1 0 0 1 72 700 cm /X1 Do Q
BT /F1 20 Tf 72 640 Td (\x80\x81\x82\x83: ABC-123) Tj ET";
        let pdf = build(content, |d| {
            let font = d.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
                "Encoding" => dictionary! {
                    "Type" => "Encoding", "BaseEncoding" => "WinAnsiEncoding",
                    "Differences" => vec![0x80.into(), "uni8BC1".into(), "uni4E66".into(), "uni7F16".into(), "uni53F7".into()],
                },
            });
            let inner = d.add_object(Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 500.into(), 100.into()] },
                b"BT /F1 20 Tf 0 0 Td (Inner form text) Tj ET".to_vec(),
            ));
            let outer = d.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Form",
                    "BBox" => vec![0.into(), 0.into(), 500.into(), 100.into()],
                    "Resources" => dictionary! { "XObject" => dictionary! { "X2" => inner } },
                },
                b"q 1 0 0 1 0 0 cm /X2 Do Q".to_vec(),
            ));
            dictionary! {
                "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "X1" => outer },
            }
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        let p = doc.page_text(0).unwrap();
        assert_eq!(
            texts(&p),
            ["Certificate No.", "Inner form text", "证书编号: ABC-123"]
        );
        assert_eq!(p.lines[0].words.len(), 2);
    }

    #[test]
    fn filled_form_field_appearance_is_read() {
        let content = b"BT /F1 12 Tf 72 700 Td (Certificate number:) Tj ET";
        // A filled text field: the value is only in the widget's appearance stream.
        let mut doc = Document::with_version("1.5");
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let ap = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 200.into(), 20.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "Helv" => font } },
            },
            b"/Tx BMC BT /Helv 12 Tf 2 5 Td (04625IT15304R1M) Tj ET EMC".to_vec(),
        ));
        let widget = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx",
            "Rect" => vec![200.into(), 690.into(), 400.into(), 710.into()],
            "AP" => dictionary! { "N" => ap },
        });
        let hidden = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "F" => 2,
            "Rect" => vec![200.into(), 600.into(), 400.into(), 620.into()],
            "AP" => dictionary! { "N" => ap },
        });
        let pages_id = doc.new_object_id();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Annots" => vec![widget.into(), hidden.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut pdf = Vec::new();
        doc.save_to(&mut pdf).unwrap();

        let d = PdfDocument::open(&pdf).unwrap();
        let p = d.page_text(0).unwrap();
        assert_eq!(texts(&p), ["Certificate number: 04625IT15304R1M"]);
        let value = &p.lines[0].words[2];
        assert!((838..=845).contains(&value.bbox.x), "{:?}", value.bbox);
    }

    fn gray_image(doc: &mut Document, w: i64, h: i64, data: Vec<u8>) -> lopdf::ObjectId {
        doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            data,
        ))
    }

    #[test]
    fn invisible_ocr_layer_over_scan() {
        // A scan (100x50 gray, left half black) with an invisible OCR text layer.
        let data: Vec<u8> = (0..50)
            .flat_map(|_| (0..100).map(|x| if x < 50 { 0 } else { 255 }))
            .collect();
        let long = "Certificate of Registration ISO/IEC 20000-1:2018 Information technology service management system 04625IT15304R1M";
        let short = "Page 17 of 300 tender documents";
        for (text, usable) in [(long, true), (short, false)] {
            let content = format!(
                "q 595 0 0 842 0 0 cm /Im1 Do Q BT 3 Tr /F1 10 Tf 40 800 Td ({text}) Tj ET"
            );
            let img = data.clone();
            let pdf = build(content.as_bytes(), |d| {
                let im = gray_image(d, 100, 50, img);
                let font = d.add_object(dictionary! {
                    "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
                    "Encoding" => "WinAnsiEncoding",
                });
                dictionary! {
                    "Font" => dictionary! { "F1" => font },
                    "XObject" => dictionary! { "Im1" => im },
                }
            });
            let doc = PdfDocument::open(&pdf).unwrap();
            match (doc.page(0).unwrap(), usable) {
                (PdfPage::Text(t), true) => assert_eq!(texts(&t), [long]),
                (PdfPage::Image(img), false) => {
                    // A header over a scan is no text layer: the scan itself comes out.
                    assert_eq!(img.dimensions(), (100, 50));
                    assert_eq!(img.get_pixel(10, 10)[0], 0);
                    assert_eq!(img.get_pixel(90, 10)[0], 255);
                    assert!(doc.page_text(0).is_none());
                }
                (p, u) => panic!("usable={u}: {p:?}"),
            }
        }
    }

    #[test]
    fn decompression_bomb_image_is_too_large() {
        let content = b"q 595 0 0 842 0 0 cm /Im1 Do Q";
        let pdf = build(content, |d| {
            let im = d.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => 60000, "Height" => 60000,
                    "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "FlateDecode",
                },
                vec![0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
            ));
            dictionary! { "XObject" => dictionary! { "Im1" => im } }
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        let e = doc.page(0).unwrap_err();
        assert_eq!(e.code, ErrorCode::TooLarge, "{e}");
    }

    // ------------------------------------------------------------------
    // Robustness.

    #[test]
    fn damaged_pdfs_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let body = |compress: u8| {
            format!(
                "c = canvas.Canvas(OUT, pageCompression={compress})
text_page(c, 'wqy', {0})
c.showPage()
text_page(c, 'STSong-Light', {0})
c.drawImage(scan_image('scan.png'), 100, 100, width=200, height=150)
c.showPage()
c.drawImage(scan_image('scan.jpg'), 0, 0, width=595, height=842)
c.showPage()
c.save()",
                sc_lines_py()
            )
        };
        let Some(plain) = reportlab(dir.path(), "fuzz0.pdf", &body(0)) else {
            return;
        };
        let packed = reportlab(dir.path(), "fuzz1.pdf", &body(1)).unwrap();
        let rounds: usize = std::env::var("CERTSCAN_FUZZ_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(120);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut opened = 0;
        for round in 0..rounds {
            let mut b = if round % 2 == 0 {
                plain.clone()
            } else {
                packed.clone()
            };
            match (round / 2) % 3 {
                0 => {
                    for _ in 0..(1 + rnd() % 40) {
                        let i = (rnd() as usize) % b.len();
                        b[i] = rnd() as u8;
                    }
                }
                1 => {
                    let i = 16 + (rnd() as usize) % (b.len() - 16);
                    let n = 1 + (rnd() as usize) % 200;
                    b.drain(i..(i + n).min(b.len()));
                }
                _ => {
                    let i = 16 + (rnd() as usize) % (b.len() - 16);
                    for k in i..(i + 64).min(b.len()) {
                        b[k] = b"0123456789 obj<<>>[]/R "[(rnd() % 23) as usize];
                    }
                }
            }
            if let Ok(doc) = PdfDocument::open(&b) {
                opened += 1;
                for i in 0..doc.page_count().min(3) {
                    let _ = doc.page_text(i);
                    if round < 12 || rounds > 120 {
                        let _ = doc.page(i);
                    }
                }
            }
        }
        eprintln!("{opened}/{rounds} damaged files opened");
    }

    #[test]
    fn pathological_content_is_survived() {
        let content: &[u8] = b"q q q 0 0 0 0 0 0 cm BT /F1 1e30 Tf 1e9 Tz (abc) Tj ET Q Q Q
BT /F1 12 Tf -1e38 1e38 Td [(x) 1e30 (y) -1e30 (z)] TJ 3 0 0 3 1e20 1e20 Tm (w) Tj ET
BT /F9 12 Tf (no such font) Tj /F1 12 Tf (\\) ' 1 2 (q) \" T* ET
Q Q Q Q /X1 Do /Nope Do BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\x01\x02\x03 EI
1 0 0 1 0 0 cm /X1 Do";
        let pdf = build(content, |d| {
            let font = d.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
                "Widths" => vec![Object::Real(f32::MAX); 3], "FirstChar" => 250,
            });
            let x1 = d.new_object_id();
            d.objects.insert(
                x1,
                Object::Stream(Stream::new(
                    dictionary! {
                        "Type" => "XObject", "Subtype" => "Form",
                        "Matrix" => vec![0.into(), 0.into(), 0.into(), 0.into(), 0.into(), 0.into()],
                        "Resources" => dictionary! { "XObject" => dictionary! { "X1" => x1 } },
                    },
                    b"/X1 Do BT /F1 12 Tf (loop) Tj ET".to_vec(),
                )),
            );
            dictionary! {
                "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "X1" => x1 },
            }
        });
        let doc = PdfDocument::open(&pdf).unwrap();
        assert!(doc.page_text(0).is_none());
        assert!(doc.page(0).is_ok());
    }

    #[test]
    fn deeply_nested_objects() {
        for depth in [100usize, 10_000, 200_000] {
            let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Junk ".to_vec();
            pdf.extend(std::iter::repeat_n(b'[', depth));
            pdf.extend(std::iter::repeat_n(b']', depth));
            pdf.extend_from_slice(b" /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length 20 >>\nstream\nBT (x) Tj ET q q q\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
            match PdfDocument::open(&pdf) {
                Ok(doc) => {
                    let _ = doc.page_text(0);
                    let _ = doc.page(0);
                }
                Err(e) => eprintln!("depth {depth}: {e}"),
            }
        }
    }

    /// Prints the text-layer extraction time per page of a 100-page PDF.
    /// `cargo test --release --lib load::pdf -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn text_extraction_speed() {
        let dir = tempfile::tempdir().unwrap();
        let body = "c = canvas.Canvas(OUT)
font('wqy'); font('STSong-Light')
for p in range(100):
    y = 800
    for i in range(25):
        c.setFont('wqy' if i % 2 else 'STSong-Light', 11)
        c.drawString(50, y, '第%d页 第%d行 证书编号：04625IT15304R1M 信息技术服务管理体系认证证书' % (p + 1, i + 1))
        y -= 14
    c.setFont('Helvetica', 10)
    for i in range(10):
        c.drawString(50, y, 'Certificate No. 04625IT15304R1M issued to Example Technology Co., Ltd. line %d' % i)
        y -= 12
    c.showPage()
c.save()";
        let Some(bytes) = reportlab(dir.path(), "hundred.pdf", body) else {
            return;
        };
        let t0 = std::time::Instant::now();
        let doc = PdfDocument::open(&bytes).unwrap();
        let open = t0.elapsed();
        let t1 = std::time::Instant::now();
        let mut chars = 0;
        for i in 0..doc.page_count() {
            let p = doc.page_text(i).expect("text page");
            assert_eq!(p.lines.len(), 35);
            chars += p.text().chars().count();
        }
        let per_page = t1.elapsed().as_secs_f64() * 1000.0 / doc.page_count() as f64;
        eprintln!(
            "open {:.1} ms ({} bytes); text layer {per_page:.3} ms/page over {} pages ({chars} chars)",
            open.as_secs_f64() * 1000.0,
            bytes.len(),
            doc.page_count()
        );
        assert!(per_page < 10.0);
    }

    /// Dumps what the loader makes of the PDF named by `CERTSCAN_PDF`.
    /// `CERTSCAN_PDF=x.pdf cargo test --release --lib load::pdf::tests::dump -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn dump() {
        let Ok(path) = std::env::var("CERTSCAN_PDF") else {
            return;
        };
        let bytes = std::fs::read(&path).unwrap();
        let doc = match PdfDocument::open(&bytes) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                return;
            }
        };
        for i in 0..doc.page_count() {
            if let Some((scan, geom)) = doc.scan(i) {
                let st = text::stats(&scan.glyphs);
                eprintln!(
                    "page {}: {} glyphs, {} non-space, {} garbled, {} images covering {:.2}, {} paint ops",
                    i + 1,
                    scan.glyphs.len(),
                    st.nonspace,
                    st.garbled,
                    scan.images.len(),
                    text::image_coverage(&scan),
                    scan.paint_ops
                );
                for l in text::layout(&scan.glyphs, geom.width, geom.height)
                    .iter()
                    .take(60)
                {
                    eprintln!("  raw {:?} {}", l.bbox.to_array(), l.text);
                }
            }
            if let Ok(out) = std::env::var("CERTSCAN_RASTER_DIR") {
                let t0 = std::time::Instant::now();
                let img = raster::rasterise(&doc.bytes, i).unwrap();
                eprintln!(
                    "page {}: rasterised {:?} in {:.1} ms",
                    i + 1,
                    img.dimensions(),
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                img.save(format!("{out}/raster{}.png", i + 1)).unwrap();
            }
            let t0 = std::time::Instant::now();
            let page = doc.page(i);
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            match page {
                Ok(PdfPage::Text(t)) => {
                    eprintln!("page {}: text {}x{} ({ms:.1} ms)", i + 1, t.width, t.height);
                    for l in &t.lines {
                        eprintln!("  {:?} {}", l.bbox.to_array(), l.text);
                    }
                }
                Ok(PdfPage::Image(img)) => {
                    eprintln!("page {}: image {:?} ({ms:.1} ms)", i + 1, img.dimensions());
                    if let Ok(out) = std::env::var("CERTSCAN_DUMP_DIR") {
                        img.save(format!("{out}/page{}.png", i + 1)).unwrap();
                    }
                }
                Err(e) => eprintln!("page {}: error {e}", i + 1),
            }
        }
    }
}
