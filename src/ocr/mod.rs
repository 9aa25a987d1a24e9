//! OCR stage. Takes a page image; hands on its text ([`PageText`]): lines of
//! words with boxes and confidences, the same structure a PDF text layer
//! gives. One short [`read_page_upright`] calls an [`OcrEngine`] in named
//! steps: the page is prepared ([`prepare`]: the red channel as grey, so red
//! seals vanish; small scans upscaled), turned upright, read, looked at again
//! when the reading is poor, its red print read ([`red`]), its traditional
//! script put back.
//!
//! The engines: [`Tesseract`] ([`tesseract`]), PP-OCR ([`paddle`], split by
//! stage) and a fake that hands back given lines ([`fake`], for tests of the
//! stages after OCR without models).

pub mod engine;
pub mod fake;
pub mod paddle;
pub mod red;
pub mod tesseract;

pub use engine::{OcrEngine, PageLog, Recognized, Upright};
pub use red::{merge_red_lines, red_mask, RED_SHARE};
pub use tesseract::{Engine, LazyEngine, Psm, Tesseract, DEFAULT_LANGS, TRADITIONAL_LANGS};

use crate::error::DocError;
use crate::page::{BBox, Line, LinesRead, PageText, TextSource};
use crate::pixels::{red_channel, resize_gray, rotate_cw};
use image::{DynamicImage, GrayImage};

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

/// Reads one page image. Boxes in the result are in pixels of the upright page
/// at the resolution it was loaded.
pub fn read_page(
    engine: &mut dyn OcrEngine,
    img: &DynamicImage,
    number: u32,
    opts: &OcrOptions,
) -> Result<PageText, DocError> {
    read_page_upright(engine, img, number, opts).map(|r| r.page)
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

/// [`read_page`], keeping the upright image (for re-reading regions). Its
/// steps: prepare the grey image, turn it upright and read it
/// ([`OcrEngine::turn_upright`], [`OcrEngine::read`]), look again at a poor
/// reading ([`OcrEngine::retry_poor`]), read the red print
/// ([`read_red_print`]), put back the traditional script
/// ([`restore_traditional`]), scale the boxes to the page as loaded.
pub fn read_page_upright(
    engine: &mut dyn OcrEngine,
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
    let orient = opts.detect_orientation;
    let read_on_the_way = if orient {
        engine.turn_upright(&mut page, &log)?
    } else {
        None
    };
    let mut read = match read_on_the_way {
        Some(read) => read,
        None => engine.read(&page.gray, opts.page_deadline_ms)?,
    };
    if orient {
        engine.retry_poor(&mut page, &mut read, opts.page_deadline_ms, &log)?;
    }
    // PP-OCR found the page upside down: its boxes are in the frame of `gray`
    // turned by 180 degrees.
    if read.flipped {
        page.turned = (page.turned + 180) % 360;
    }
    let mut lines = read.lines;
    if opts.read_red && !img.color().has_alpha() && img.color().channel_count() >= 3 {
        read_red_print(engine, img, &page, scale, &mut lines, opts, &log);
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

/// Longest side of the red mask's copy that is read, as a share of the
/// page's reading size.
const RED_READ_SHARE: f32 = 0.6;

/// Red print (a transition notice, the seal's ring text), lost in the red
/// channel: read from a red mask and added after the page's lines (boxes in
/// the scale of the upright grey image, as the page's lines are).
fn read_red_print(
    engine: &mut dyn OcrEngine,
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
        let f = (opts.long_side as f32 * RED_READ_SHARE
            / mask.width().max(mask.height()).max(1) as f32)
            .min(1.0);
        let small = resize_gray(
            &mask,
            ((mask.width() as f32 * f) as u32).max(1),
            ((mask.height() as f32 * f) as u32).max(1),
        );
        let small = rotate_cw(&small, page.turned);
        if let Ok(LinesRead {
            lines: mut red_lines,
            ..
        }) = engine.read_inked(&small, opts.page_deadline_ms)
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

fn unscale(b: BBox, s: f32) -> BBox {
    let f = |v: u32| (v as f32 / s).round() as u32;
    BBox::new(f(b.x), f(b.y), f(b.w), f(b.h))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    use super::fake::{FakeEngine, FakePage};

    fn opts(orient: bool) -> OcrOptions {
        OcrOptions {
            page_deadline_ms: 0,
            detect_orientation: orient,
            long_side: DEFAULT_LONG_SIDE,
            read_red: true,
        }
    }

    #[test]
    fn a_turned_page_is_read_upright_and_its_boxes_scaled_to_the_page_as_loaded() {
        let mut fake = FakeEngine::new(vec![
            FakePage::new(&["blank"], 90.0),
            FakePage::new(&["质量管理体系认证证书", "证书编号：Q-1"], 95.0),
        ]);
        // Page 1 of 1000 x 1400 pixels, scanned a quarter turn clockwise.
        let upright = FakeEngine::page_image(1, 1000, 1400);
        let scanned = DynamicImage::ImageLuma8(image::imageops::rotate90(&upright));
        // Without orientation the page reads as noise.
        let r = read_page(&mut fake, &scanned, 7, &opts(false)).unwrap();
        assert!(r.lines.is_empty());
        assert_eq!(r.mean_conf, Some(10.0));
        let r = read_page_upright(&mut fake, &scanned, 7, &opts(true)).unwrap();
        assert_eq!(r.turned, 270, "turned back a quarter turn anticlockwise");
        assert_eq!(r.page.rotated, 270);
        assert_eq!((r.page.width, r.page.height), (1000, 1400));
        assert_eq!(r.page.number, 7);
        assert_eq!(r.page.source, TextSource::Ocr);
        let texts: Vec<&str> = r.page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["质量管理体系认证证书", "证书编号：Q-1"]);
        // Read at 2.5 times the page (1400 px scaled to 3508): the boxes are
        // in the page's own pixels again.
        assert!((r.scale - 3508.0 / 1400.0).abs() < 0.001, "{}", r.scale);
        assert_eq!(r.gray.height(), 3508);
        let b = r.page.lines[1].bbox;
        assert_eq!((b.x, b.y, b.w, b.h), (100, 64, 500, 16));
        assert_eq!(*fake.reads.lock().unwrap(), [(1, 3508)]);
    }

    #[test]
    fn red_print_is_read_apart_and_traditional_script_put_back() {
        // A traditional page whose recogniser put the simplified 内 and 户.
        let mut page = FakePage::new(
            &[
                "資訊安全管理系統驗證證書",
                "範圍：內部軟體開發與維護之資訊安全管理活動",
                "客户服務",
            ],
            96.0,
        );
        page.red = vec![
            ("本證書須於2021年9月30日前完成轉換".to_string(), 92.0),
            ("章".to_string(), 30.0),
        ];
        let mut fake = FakeEngine::new(vec![FakePage::default(), page]);
        let gray = FakeEngine::page_image(1, 1000, 1400);
        let mut rgb = DynamicImage::ImageLuma8(gray).to_rgb8();
        for y in 600..640 {
            for x in 100..700 {
                rgb.put_pixel(x, y, image::Rgb([220, 30, 30]));
            }
        }
        let img = DynamicImage::ImageRgb8(rgb);
        let r = read_page(&mut fake, &img, 1, &opts(false)).unwrap();
        let texts: Vec<&str> = r.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "資訊安全管理系統驗證證書",
                "範圍：內部軟體開發與維護之資訊安全管理活動",
                "客戶服務",
                "本證書須於2021年9月30日前完成轉換"
            ],
            "the red line added after the page's, the seal fragment dropped"
        );
        // Without the red pass, no red line.
        let no_red = OcrOptions {
            read_red: false,
            ..opts(false)
        };
        assert_eq!(
            read_page(&mut fake, &img, 1, &no_red).unwrap().lines.len(),
            3
        );
    }
}
