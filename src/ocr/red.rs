//! The red pass. Takes a colour page image; hands on its red print as dark
//! on white ([`red_mask`]), and merges the lines read from it into the
//! page's ([`merge_red_lines`]): red print (a transition notice, a seal's
//! ring text) is lost in the red channel the page is read from.

use crate::page::Line;
use image::{DynamicImage, GrayImage};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{BBox, Word};

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
}
