//! What every OCR engine offers: the [`OcrEngine`] trait. An engine takes a
//! grey image (a page on its way upright, [`Upright`], or line crops) and
//! hands on its lines ([`LinesRead`]) or each crop's reading
//! ([`Recognized`]). Tesseract ([`super::Tesseract`]),
//! PP-OCR ([`super::paddle::Paddle`]) and the fake of tests
//! ([`super::fake::FakeEngine`]) implement it; [`super::read_page_upright`]
//! is the one place that calls it.

use crate::error::DocError;
use crate::page::LinesRead;
use crate::pixels::rotate_cw;
use image::GrayImage;

/// An OCR engine. [`super::read_page_upright`] calls it in this order:
/// [`turn_upright`](OcrEngine::turn_upright) (when orientation is asked),
/// [`read`](OcrEngine::read) (unless turning already read the page),
/// [`retry_poor`](OcrEngine::retry_poor) (when orientation is asked),
/// [`read_inked`](OcrEngine::read_inked) (the page's red print). Boxes are in
/// the pixels of the image each call is given.
pub trait OcrEngine {
    /// Reads a grey page image as it is. `deadline_ms` bounds the reading
    /// (0: none) where the engine can be stopped.
    fn read(&mut self, gray: &GrayImage, deadline_ms: u32) -> Result<LinesRead, DocError>;

    /// Reads a mostly blank image whose print is in a few places (the red
    /// mask of a page: seals, a red notice).
    fn read_inked(&mut self, gray: &GrayImage, deadline_ms: u32) -> Result<LinesRead, DocError> {
        self.read(gray, deadline_ms)
    }

    /// Turns a page that is turned by a quarter or half turn upright. An
    /// engine that reads the page on the way (PP-OCR detects its lines to
    /// tell the turn) hands that reading on, and the page is not read again.
    fn turn_upright(
        &mut self,
        _page: &mut Upright,
        _log: &PageLog,
    ) -> Result<Option<LinesRead>, DocError> {
        Ok(None)
    }

    /// A second look at a poor reading, which may be of a page still turned:
    /// may turn the page and replace the reading.
    fn retry_poor(
        &mut self,
        _page: &mut Upright,
        _read: &mut LinesRead,
        _deadline_ms: u32,
        _log: &PageLog,
    ) -> Result<(), DocError> {
        Ok(())
    }

    /// Reads images of one line each (crops of a page), in order: the
    /// hybrid path's second reading. An engine that cannot says so.
    fn recognize_lines(&mut self, _crops: &[GrayImage]) -> Result<Vec<Recognized>, DocError> {
        Err(DocError::new(
            crate::error::ErrorCode::Ocr,
            "this OCR engine does not read line images",
        ))
    }
}

impl<T: OcrEngine + ?Sized> OcrEngine for &mut T {
    fn read(&mut self, gray: &GrayImage, deadline_ms: u32) -> Result<LinesRead, DocError> {
        (**self).read(gray, deadline_ms)
    }
    fn read_inked(&mut self, gray: &GrayImage, deadline_ms: u32) -> Result<LinesRead, DocError> {
        (**self).read_inked(gray, deadline_ms)
    }
    fn turn_upright(
        &mut self,
        page: &mut Upright,
        log: &PageLog,
    ) -> Result<Option<LinesRead>, DocError> {
        (**self).turn_upright(page, log)
    }
    fn retry_poor(
        &mut self,
        page: &mut Upright,
        read: &mut LinesRead,
        deadline_ms: u32,
        log: &PageLog,
    ) -> Result<(), DocError> {
        (**self).retry_poor(page, read, deadline_ms, log)
    }
    fn recognize_lines(&mut self, crops: &[GrayImage]) -> Result<Vec<Recognized>, DocError> {
        (**self).recognize_lines(crops)
    }
}

/// A page image on its way upright: the grey image and how far the page as
/// loaded has been turned clockwise into it.
pub struct Upright {
    pub gray: GrayImage,
    pub turned: u32,
}

impl Upright {
    /// Turns the page a further `deg` degrees clockwise.
    pub fn turn(&mut self, deg: u32) {
        self.gray = rotate_cw(&self.gray, deg);
        self.turned = (self.turned + deg) % 360;
    }
}

/// The debug log of one page's reading.
pub struct PageLog {
    pub number: u32,
}

impl PageLog {
    pub fn say(&self, what: std::fmt::Arguments) {
        log::debug!("page {}: {what}", self.number);
    }
}

/// One line image's reading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recognized {
    pub text: String,
    /// Mean character probability, 0-1.
    pub mean: f32,
    /// Lowest character probability, 0-1.
    pub min: f32,
    /// The text with each simplified-only character replaced by its
    /// traditional form where the recogniser gave that form at least
    /// PP-OCR's TRADITIONAL_ODDS of the chosen one's probability; `None` when no
    /// character had such a rival. The two forms often differ by a few strokes,
    /// so on a page printed in traditional script the traditional rival is the
    /// likelier reading, and a simplified character read with certainty (one
    /// really printed so) stays.
    pub traditional: Option<String>,
}
