//! Targeted re-reading (OCR stage, after extraction). Takes a page's reading
//! and its image; hands on the reading with a doubtful field a rule depends
//! on read again from its region of the page with a seal taken off (the
//! better reading kept).
//!
//! - [`unmix_seal`]: a colour region as grey with a red seal's ink divided out
//!   (the text under the seal stays dark, the seal's strokes turn to paper);
//! - [`region`]: a word's box cut from the colour page, turned upright.

use crate::error::DocError;
use crate::extract::{cnca_number, extract, ExtractContext};
use crate::ocr::paddle::Paddle;
use crate::ocr::Reading;
use crate::page::{BBox, Line, Word};
use crate::registry::{approval_key, without_note, Registry};
use image::{DynamicImage, GrayImage, Luma, RgbImage};
use regex::Regex;
use std::sync::OnceLock;

/// What re-reading changed on a page (for the debug log and tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Reread {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// How well a reading of the CNCA approval number holds: 2 when it is the
/// number the registry gives the body read on the page, 1 when it is a
/// well-formed number, 0 when there is none.
fn approval_score(value: Option<&str>, expected: Option<&str>) -> u8 {
    match (value, expected) {
        (Some(v), Some(e)) if approval_key(v) == approval_key(e) => 2,
        (Some(_), _) => 1,
        (None, _) => 0,
    }
}

/// Words that hold (or label) a CNCA approval number: the website
/// `www.cnca.gov.cn` printed in the verification clause is not one.
fn approval_word(text: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| {
        Regex::new(&crate::text::both_scripts(
            r"(?i)批准号|N\s?C\s?[A4]\s*[-—–_~/]\s*[RBPK]",
        ))
        .expect("valid pattern")
    });
    !text.to_lowercase().contains("gov") && (r.is_match(text) || cnca_number(text).is_some())
}

/// Targeted re-reading of the CNCA approval number (issue 3, point 4): when
/// the page's reading has none, or one other than the registry's number for
/// the body named on the page, the words that hold it are cut from the
/// colour page and read again by PP-OCR twice (red channel; seal unmixed,
/// [`unmix_seal`]), and the best-holding reading replaces the word's text.
/// A reading only wins by holding better than the first one (well-formed
/// over nothing, the registry's number over another), so a wrong number that
/// is really printed (a forgery signal) stays: every reading of it gives it
/// again. The registry's number is never written in; only a reading of the
/// page can give it.
pub fn reread_approval_number(
    p: &Paddle,
    img: &DynamicImage,
    reading: &mut Reading,
    ctx: &ExtractContext,
    registry: &Registry,
) -> Result<Vec<Reread>, DocError> {
    let ext = extract(std::slice::from_ref(&reading.page), ctx);
    let cb = &ext.certificate.certification_body;
    let expected: Option<String> = cb
        .name
        .as_deref()
        .and_then(|n| registry.by_name(n))
        .map(|b| without_note(&b.cnca_approval_number).to_string())
        .filter(|n| !n.is_empty());
    let current = cb.cnca_approval_number.clone();
    if approval_score(current.as_deref(), expected.as_deref()) == 2
        || (current.is_some() && expected.is_none())
    {
        return Ok(Vec::new());
    }
    let mut changes = Vec::new();
    let targets: Vec<(usize, usize)> = reading
        .page
        .lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.words
                .iter()
                .enumerate()
                .filter(|(_, w)| approval_word(&w.text))
                .map(move |(j, _)| (i, j))
        })
        .take(MAX_TARGETS)
        .collect();
    for (i, j) in targets {
        let word = &reading.page.lines[i].words[j];
        let own = approval_score(cnca_number(&word.text).as_deref(), expected.as_deref());
        let mut best: Option<(u8, String)> = None;
        for text in region_readings(p, img, reading.turned, word.bbox)? {
            let v = cnca_number(&text);
            let score = approval_score(v.as_deref(), expected.as_deref());
            if score > own && best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, text));
            }
        }
        if let Some((_, text)) = best {
            changes.push(Reread {
                field: "certification_body.cnca_approval_number",
                before: word.text.clone(),
                after: text.clone(),
            });
            let line = &mut reading.page.lines[i];
            let mut words: Vec<Word> = line.words.clone();
            words[j].text = text;
            *line = Line::from_words(words);
        }
    }
    Ok(changes)
}

/// Words re-read per field at most (a page prints its approval number once
/// or twice: Chinese and English).
const MAX_TARGETS: usize = 3;

/// The readings of a word's region: PP-OCR on the red channel and on the
/// seal unmixed, each line that overlaps the word's middle row.
fn region_readings(
    p: &Paddle,
    img: &DynamicImage,
    turned: u32,
    bbox: BBox,
) -> Result<Vec<String>, DocError> {
    // A line height of margin at both ends (detection clips a line's last
    // character), half of one above and below.
    let (pad_x, pad_y) = (bbox.h, bbox.h / 2);
    let rgb = region(img, turned, bbox, pad_x, pad_y);
    // The seal unmixed only where the region holds one (else it is the red
    // channel again, and a second reading would repeat the first).
    let greys = std::iter::once(crate::pixels::red_channel(&rgb)).chain(unmix_seal(&rgb));
    let mid_y = (bbox.y + bbox.h / 2).saturating_sub(bbox.y.saturating_sub(pad_y));
    let mut out = Vec::new();
    for g in greys {
        for l in p.read_region(&g, bbox.h as f32)? {
            log::debug!("re-read region {bbox:?}: {:?} at {:?}", l.text, l.bbox);
            if l.bbox.y <= mid_y && mid_y <= l.bbox.y + l.bbox.h {
                out.push(l.text);
            }
        }
    }
    Ok(out)
}

/// Grey image of a colour region with a red seal's ink removed.
///
/// The red channel alone drops a seal's ink where it lies on paper, but where
/// it lies over print (ink laid over the text, or blended with it by a
/// scanner) the print shows only as a faint difference of red: digits under a
/// seal's ring read wrong (8 → 3). Over a seal the green channel still
/// carries the print: seal ink over paper has a green level `G0`, seal over
/// print a lower one, and `g × paper / G0` is the print as if the seal were
/// not there (stamp ink filters light: a multiplication, and a blend of ink
/// and paper works out the same when the ink has no green). Away from the
/// seal the red channel is kept; in between the two are mixed by how red a
/// pixel is. `None` when the region holds no seal ink.
pub fn unmix_seal(rgb: &RgbImage) -> Option<GrayImage> {
    let n = (rgb.width() * rgb.height()) as usize;
    if n == 0 {
        return None;
    }
    // Paper level per channel: a high percentile of the region.
    let mut chans: [Vec<u8>; 3] = [
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    ];
    for p in rgb.pixels() {
        for (c, v) in chans.iter_mut().enumerate() {
            v.push(p[c]);
        }
    }
    let paper: Vec<f32> = chans
        .iter_mut()
        .map(|v| percentile(v, 0.9).max(40) as f32)
        .collect();
    // How red a pixel is, against the paper's tint (0: not at all).
    let redness = |p: &image::Rgb<u8>| {
        let r = p[0] as f32 / paper[0];
        let g = p[1] as f32 / paper[1];
        let b = p[2] as f32 / paper[2];
        r - g.max(b)
    };
    // Green level of seal ink over paper: the light end of the red pixels'
    // green (the dark end is seal over print).
    let mut seal_green: Vec<u8> = rgb
        .pixels()
        .filter(|p| redness(p) > RED_FULL)
        .map(|p| p[1])
        .collect();
    if seal_green.len() < 20 {
        return None;
    }
    let g0 = (percentile(&mut seal_green, 0.75) as f32).max(8.0);
    Some(GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
        let p = rgb.get_pixel(x, y);
        let plain = 255.0 * p[0] as f32 / paper[0];
        let unmixed = 255.0 * p[1] as f32 / g0;
        let w = ((redness(p) - RED_NONE) / (RED_FULL - RED_NONE)).clamp(0.0, 1.0);
        let v = plain * (1.0 - w) + unmixed * w;
        Luma([v.round().clamp(0.0, 255.0) as u8])
    }))
}

/// Redness (red over the other channels, paper = 1) below which a pixel is
/// not seal ink at all, and above which it is seal ink for sure.
const RED_NONE: f32 = 0.12;
const RED_FULL: f32 = 0.3;

fn percentile(v: &mut [u8], q: f32) -> u8 {
    if v.is_empty() {
        return 0;
    }
    let k = ((v.len() - 1) as f32 * q).round() as usize;
    *v.select_nth_unstable(k).1
}

/// The region `bbox` (pixels of the upright page, as OCR's boxes are) of a
/// page image `img` as loaded, which OCR turned clockwise by `turned`
/// degrees to read it upright; `pad_x` pixels are added left and right,
/// `pad_y` above and below. The region comes out upright, in colour.
pub fn region(img: &DynamicImage, turned: u32, bbox: BBox, pad_x: u32, pad_y: u32) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    // Size of the upright page.
    let (uw, uh) = if turned % 180 == 90 { (h, w) } else { (w, h) };
    let x0 = bbox.x.saturating_sub(pad_x).min(uw.saturating_sub(1));
    let y0 = bbox.y.saturating_sub(pad_y).min(uh.saturating_sub(1));
    let x1 = (bbox.x + bbox.w + pad_x).min(uw).max(x0 + 1);
    let y1 = (bbox.y + bbox.h + pad_y).min(uh).max(y0 + 1);
    // The same rectangle in the page as loaded (turning clockwise by 90 maps
    // a loaded pixel (x, y) to (h - 1 - y, x)).
    let (sx, sy, sw, sh) = match turned {
        90 => (y0, h - x1, y1 - y0, x1 - x0),
        180 => (w - x1, h - y1, x1 - x0, y1 - y0),
        270 => (w - y1, x0, y1 - y0, x1 - x0),
        _ => (x0, y0, x1 - x0, y1 - y0),
    };
    let cut = img.crop_imm(sx, sy, sw, sh).to_rgb8();
    match turned {
        90 => image::imageops::rotate90(&cut),
        180 => image::imageops::rotate180(&cut),
        270 => image::imageops::rotate270(&cut),
        _ => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    /// A page of paper with a dark bar of print, a seal's ring laid over part
    /// of it (ink blended at 0.72 as the corpus generator does).
    fn sealed() -> RgbImage {
        let paper = Rgb([235u8, 232, 220]);
        let ink = Rgb([200u8, 30, 30]);
        let mut img = RgbImage::from_pixel(60, 30, paper);
        for y in 10..20 {
            for x in 5..55 {
                img.put_pixel(x, y, Rgb([30, 30, 40]));
            }
        }
        let blend = |a: u8, b: u8| (0.72 * a as f32 + 0.28 * b as f32) as u8;
        for y in 0..30 {
            for x in 30..40 {
                let p = *img.get_pixel(x, y);
                img.put_pixel(
                    x,
                    y,
                    Rgb([
                        blend(ink[0], p[0]),
                        blend(ink[1], p[1]),
                        blend(ink[2], p[2]),
                    ]),
                );
            }
        }
        img
    }

    #[test]
    fn seal_ink_turns_to_paper_and_print_under_it_stays_dark() {
        let g = unmix_seal(&sealed()).expect("seal ink in the region");
        // Seal over paper: light.
        assert!(g.get_pixel(35, 3)[0] > 200, "{}", g.get_pixel(35, 3)[0]);
        // Print under the seal: dark, as print away from it.
        assert!(g.get_pixel(35, 15)[0] < 110, "{}", g.get_pixel(35, 15)[0]);
        assert!(g.get_pixel(10, 15)[0] < 60);
        // In the red channel alone the print under the seal is faint.
        let red = sealed().get_pixel(35, 15)[0];
        assert!(red > 140, "{red}");
        // No seal, nothing to unmix.
        assert!(unmix_seal(&RgbImage::from_pixel(60, 30, Rgb([235, 232, 220]))).is_none());
    }

    #[test]
    fn region_of_a_turned_page_is_cut_upright() {
        // A loaded page 40 wide, 20 high, with a mark at (30, 5). Turned
        // clockwise by 90 (upright page 20 wide, 40 high) the mark is at
        // (20 - 1 - 5, 30) = (14, 30).
        let mut loaded = RgbImage::from_pixel(40, 20, Rgb([255, 255, 255]));
        loaded.put_pixel(30, 5, Rgb([0, 0, 0]));
        let img = DynamicImage::ImageRgb8(loaded);
        let cut = region(&img, 90, BBox::new(12, 28, 5, 5), 0, 0);
        assert_eq!(cut.dimensions(), (5, 5));
        assert_eq!(cut.get_pixel(2, 2)[0], 0);
        for turned in [180, 270] {
            let upright = match turned {
                180 => image::imageops::rotate180(img.as_rgb8().unwrap()),
                _ => image::imageops::rotate270(img.as_rgb8().unwrap()),
            };
            let (mx, my) = upright
                .enumerate_pixels()
                .find(|p| p.2[0] == 0)
                .map(|p| (p.0, p.1))
                .unwrap();
            let cut = region(&img, turned, BBox::new(mx - 1, my - 1, 3, 3), 0, 0);
            assert_eq!(cut.get_pixel(1, 1)[0], 0, "turned {turned}");
        }
    }
}
