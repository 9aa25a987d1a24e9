//! An engine that reads nothing. Takes a page image; hands back the lines it
//! was given for that page, so that triage, the grouping of pages into
//! certificates, the hybrid path and the steps of
//! [`super::read_page_upright`] can be tried without models.
//!
//! It tells pages apart by their shade: page `k` of a test document is
//! painted in [`FakeEngine::shade`]`(k)`, and the engine reads the mean grey
//! of what it is given (which scaling keeps) to know which page's lines to
//! hand back. A page turned by a quarter turn reads as noise until it is
//! turned back, which lets orientation be tried too.

use super::engine::{OcrEngine, PageLog, Recognized, Upright};
use crate::error::DocError;
use crate::page::{BBox, Line, LinesRead, Word};
use image::GrayImage;
use std::sync::{Arc, Mutex};

/// One page's reading as the fake gives it.
#[derive(Debug, Clone, Default)]
pub struct FakePage {
    /// The lines, each with its confidence (0-100), stacked down the page.
    pub lines: Vec<(String, f32)>,
    /// The lines of its red print, read by [`OcrEngine::read_inked`].
    pub red: Vec<(String, f32)>,
}

impl FakePage {
    /// A page whose lines all read with confidence `conf`.
    pub fn new(lines: &[&str], conf: f32) -> FakePage {
        FakePage {
            lines: lines.iter().map(|l| (l.to_string(), conf)).collect(),
            red: Vec::new(),
        }
    }
}

/// The fake engine: its pages, and what it reads line images as.
#[derive(Debug, Clone, Default)]
pub struct FakeEngine {
    pub pages: Vec<FakePage>,
    /// What [`OcrEngine::recognize_lines`] reads every crop as (text, mean
    /// and lowest probability 0-1); `None`: an empty reading.
    pub line_reading: Option<(String, f32, f32)>,
    /// The pages read so far (by `read`), in order: the page's index and the
    /// longest side of the image it was read from. Shared, so that a test
    /// can look after handing the engine over.
    pub reads: Arc<Mutex<Vec<(usize, u32)>>>,
}

impl FakeEngine {
    pub fn new(pages: Vec<FakePage>) -> FakeEngine {
        FakeEngine {
            pages,
            ..Default::default()
        }
    }

    /// The grey level page `k` is painted in.
    pub fn shade(k: usize) -> u8 {
        (40 + 24 * k).min(250) as u8
    }

    /// A page image of `k`'s shade, `w` × `h` pixels, with a dark band at
    /// its top edge (how the fake tells which way up a page is).
    pub fn page_image(k: usize, w: u32, h: u32) -> GrayImage {
        let band = (h / 20).max(2);
        let mut img = GrayImage::from_pixel(w, h, image::Luma([Self::shade(k)]));
        // The band's darkness is paid back below it so the mean stays the
        // page's shade.
        for y in 0..band.min(h) {
            for x in 0..w {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        let lift = (Self::shade(k) as u32 * band / (h - band).max(1)) as u8;
        for y in band..h {
            for x in 0..w {
                img.put_pixel(x, y, image::Luma([Self::shade(k).saturating_add(lift)]));
            }
        }
        img
    }

    /// The page `gray` shows, when it is upright.
    fn page_of(&self, gray: &GrayImage) -> Option<usize> {
        let (w, h) = gray.dimensions();
        if w == 0 || h == 0 {
            return None;
        }
        // Upright: the strip along the top edge is clearly the darkest.
        let (sw, sh) = ((w / 40).max(1), (h / 40).max(1));
        let strip = |x0: u32, y0: u32, sw: u32, sh: u32| {
            let mut sum = 0u64;
            for y in y0..y0 + sh {
                for x in x0..x0 + sw {
                    sum += gray.get_pixel(x, y)[0] as u64;
                }
            }
            sum / (sw as u64 * sh as u64)
        };
        let top = strip(0, 0, w, sh);
        let others = [
            strip(0, h - sh, w, sh),
            strip(0, 0, sw, h),
            strip(w - sw, 0, sw, h),
        ];
        if others.iter().any(|&o| top + 20 > o) {
            return None;
        }
        let mean = gray.pixels().map(|p| p[0] as u64).sum::<u64>() / (w as u64 * h as u64);
        (0..self.pages.len()).min_by_key(|&k| (Self::shade(k) as i64 - mean as i64).abs())
    }
}

/// Lines stacked down an image of height `h`, one per row of 60 px.
fn stacked(lines: &[(String, f32)], w: u32) -> Vec<Line> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (text, conf))| {
            Line::from_words(vec![Word {
                text: text.clone(),
                bbox: BBox::new(w / 10, 100 + 60 * i as u32, w / 2, 40),
                conf: *conf,
                ..Default::default()
            }])
        })
        .collect()
}

fn mean_conf(lines: &[(String, f32)]) -> Option<f32> {
    (!lines.is_empty()).then(|| lines.iter().map(|l| l.1).sum::<f32>() / lines.len() as f32)
}

/// What a page not upright reads as.
fn noise() -> LinesRead {
    LinesRead {
        lines: Vec::new(),
        mean_conf: Some(10.0),
        flipped: false,
    }
}

impl OcrEngine for FakeEngine {
    fn read(&mut self, gray: &GrayImage, _deadline_ms: u32) -> Result<LinesRead, DocError> {
        let Some(k) = self.page_of(gray) else {
            return Ok(noise());
        };
        let long = gray.width().max(gray.height());
        self.reads.lock().expect("reads").push((k, long));
        let page = &self.pages[k];
        Ok(LinesRead {
            lines: stacked(&page.lines, gray.width()),
            mean_conf: mean_conf(&page.lines),
            flipped: false,
        })
    }

    /// The red print of the page last read.
    fn read_inked(&mut self, gray: &GrayImage, _deadline_ms: u32) -> Result<LinesRead, DocError> {
        let last = self.reads.lock().expect("reads").last().map(|r| r.0);
        let red = last.map(|k| self.pages[k].red.clone()).unwrap_or_default();
        Ok(LinesRead {
            lines: stacked(&red, gray.width()),
            mean_conf: mean_conf(&red),
            flipped: false,
        })
    }

    /// Finds the turn that brings the dark band to the top.
    fn turn_upright(
        &mut self,
        page: &mut Upright,
        log: &PageLog,
    ) -> Result<Option<LinesRead>, DocError> {
        for deg in [0, 90, 180, 270] {
            let turned = crate::pixels::rotate_cw(&page.gray, deg);
            if self.page_of(&turned).is_some() {
                log.say(format_args!("fake: turned by {deg}"));
                if deg != 0 {
                    page.turn(deg);
                }
                break;
            }
        }
        Ok(None)
    }

    fn recognize_lines(&mut self, crops: &[GrayImage]) -> Result<Vec<Recognized>, DocError> {
        Ok(crops
            .iter()
            .map(|_| match &self.line_reading {
                Some((text, mean, min)) => Recognized {
                    text: text.clone(),
                    mean: *mean,
                    min: *min,
                    traditional: None,
                },
                None => Recognized::default(),
            })
            .collect())
    }
}
