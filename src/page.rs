//! Page text: the typed hand-off between the loaders / OCR and field
//! extraction (a leaf: it imports no stage).
//!
//! Both a PDF text layer and an OCR engine produce the same structure: lines of
//! text with a bounding box in page pixels and a confidence, so that extraction
//! does not care where the text came from.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a page's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    TextLayer,
    Ocr,
}

/// A page's lines as an OCR engine read them.
#[derive(Debug, Clone, Default)]
pub struct LinesRead {
    pub lines: Vec<Line>,
    /// The mean confidence (0-100) over every box read.
    pub mean_conf: Option<f32>,
    /// The page was found upside down: its boxes are in the frame of the
    /// image turned by 180 degrees.
    pub flipped: bool,
}

/// Axis-aligned box in page pixels: x, y of the top-left corner, width, height.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct BBox {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl BBox {
    pub fn new(x: u32, y: u32, w: u32, h: u32) -> Self {
        BBox { x, y, w, h }
    }

    /// Smallest box holding both.
    pub fn union(&self, o: &BBox) -> BBox {
        if self.w == 0 && self.h == 0 {
            return *o;
        }
        if o.w == 0 && o.h == 0 {
            return *self;
        }
        let x0 = self.x.min(o.x);
        let y0 = self.y.min(o.y);
        let x1 = (self.x + self.w).max(o.x + o.w);
        let y1 = (self.y + self.h).max(o.y + o.h);
        BBox::new(x0, y0, x1 - x0, y1 - y0)
    }

    /// Area the two boxes share, in square pixels.
    pub fn overlap_area(&self, o: &BBox) -> u64 {
        let x0 = self.x.max(o.x);
        let y0 = self.y.max(o.y);
        let x1 = (self.x + self.w).min(o.x + o.w);
        let y1 = (self.y + self.h).min(o.y + o.h);
        u64::from(x1.saturating_sub(x0)) * u64::from(y1.saturating_sub(y0))
    }

    pub fn area(&self) -> u64 {
        u64::from(self.w) * u64::from(self.h)
    }

    pub fn to_array(self) -> [u32; 4] {
        [self.x, self.y, self.w, self.h]
    }
}

/// One recognised word (for CJK text often a run of characters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
    /// 0-100; 100 for a text layer.
    pub conf: f32,
    /// The reading with traditional forms of simplified-only characters that
    /// the recogniser gave weight to (PP-OCR only); used when the page turns
    /// out to be printed in traditional script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traditional: Option<String>,
}

/// One line of text, words joined (no spaces between CJK characters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub bbox: BBox,
    /// Mean confidence of the line's words, 0-100.
    pub conf: f32,
    pub words: Vec<Word>,
}

impl Line {
    /// Builds a line from words, joining them with a space only where neither
    /// side is a CJK character.
    pub fn from_words(words: Vec<Word>) -> Line {
        let mut text = String::new();
        let mut bbox = BBox::default();
        let mut conf_sum = 0.0;
        for w in &words {
            if let (Some(prev), Some(next)) = (text.chars().last(), w.text.chars().next()) {
                if !is_cjk(prev) && !is_cjk(next) || needs_space_between(prev, next) {
                    text.push(' ');
                }
            }
            text.push_str(&w.text);
            bbox = bbox.union(&w.bbox);
            conf_sum += w.conf;
        }
        let conf = if words.is_empty() {
            0.0
        } else {
            conf_sum / words.len() as f32
        };
        Line {
            text,
            bbox,
            conf,
            words,
        }
    }
}

fn needs_space_between(_prev: char, _next: char) -> bool {
    false
}

pub use crate::text::is_cjk;

/// The text of one page with its layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageText {
    /// 1-based page number within the input.
    pub number: u32,
    /// Page size in pixels (text-layer pages: at 300 dpi).
    pub width: u32,
    pub height: u32,
    pub source: TextSource,
    /// Lines in reading order (top to bottom, left to right).
    pub lines: Vec<Line>,
    /// Mean word confidence (OCR only).
    pub mean_conf: Option<f32>,
    /// Degrees the page as loaded was turned clockwise into the frame of the
    /// boxes (OCR of a scan lying on its side or upside down).
    #[serde(default)]
    pub rotated: u32,
    /// Why the page could not be read (a damaged image, a page past its time
    /// limit); such a page has no lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::error::DocError>,
}

impl PageText {
    /// A page that could not be read, for the reason `error`.
    pub fn failed(number: u32, error: crate::error::DocError) -> PageText {
        PageText {
            number,
            width: 0,
            height: 0,
            source: TextSource::Ocr,
            lines: vec![],
            mean_conf: None,
            rotated: 0,
            error: Some(error),
        }
    }
}

impl PageText {
    /// All lines joined with newlines.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

/// A text-layer page of `lines`, one word each, stacked 60 px apart (tests).
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

#[cfg(test)]
pub(crate) fn text_page(lines: &[&str]) -> PageText {
    PageText {
        number: 1,
        width: 2480,
        height: 3508,
        source: TextSource::TextLayer,
        error: None,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Line::from_words(vec![Word {
                    text: t.to_string(),
                    bbox: BBox::new(100, 100 + 60 * i as u32, 1000, 40),
                    conf: 100.0,
                    ..Default::default()
                }])
            })
            .collect(),
        mean_conf: None,
        rotated: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str, x: u32) -> Word {
        Word {
            text: t.into(),
            bbox: BBox::new(x, 10, 20, 10),
            conf: 90.0,
            ..Default::default()
        }
    }

    #[test]
    fn joins_cjk_without_spaces_and_latin_with() {
        let l = Line::from_words(vec![
            w("证书", 0),
            w("编号", 30),
            w("Certificate", 60),
            w("No.", 90),
        ]);
        assert_eq!(l.text, "证书编号Certificate No.");
        assert_eq!(l.bbox, BBox::new(0, 10, 110, 10));
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
}
