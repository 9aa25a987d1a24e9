//! Triage of the scanned pages of multi-page documents by PP-OCR. Takes a
//! page image; hands on its large print, the reason to read it in full (or
//! none) and whether it is an annex ([`Triaged`]): a page's kind decided
//! from what is cheap and telling, its large print. Detection
//! runs on a small copy of the page ([`Paddle::detect_triage`]); only the tallest lines
//! (titles: 认证证书, CERTIFICATE, 营业执照, 通知书, 附件) are cut from the page
//! and recognised, tallest first, until one holds a title word of
//! `models/triage.toml`. A page is read in full for a stated reason: a title,
//! a hint of certification in its large print, or large print that could not
//! be read; a page of prose (many lines of one size under a short heading)
//! costs a small detection and one or two short recognitions.

use crate::clock::process_cpu_seconds;
use crate::error::DocError;
use crate::ocr::paddle::{crop_line, quarter_turn, Paddle, Quad, END_PAD};
use crate::page::{Line, PageText, TextSource, Word};
use image::{imageops, DynamicImage, GrayImage};
use serde::Deserialize;
use std::sync::OnceLock;

/// A line counts as large print from this multiple of the page's median
/// line height.
const LARGE: f32 = 1.25;
/// The tallest lines recognised on every page, large print or not: where
/// framed table cells or a seal detect as tall as the title, height alone
/// does not single it out (a notice's title under its body's name, a
/// certificate of framed cells).
const MIN_READ: usize = 3;
/// A line of ordinary height longer than this many heights is body print
/// across a column (34-45 ems of Chinese: 23-27 heights in PP-OCRv4 mobile's
/// boxes at 800 px), not a title (the longest, "Information Security
/// Management System Certificate", is 20 heights; at 16, it was skipped).
const BODY_LINE_HEIGHTS: f32 = 21.0;
/// Most large lines recognised on one page.
const MAX_READ: usize = 6;
/// A line is recognised up to this many line heights from its start (a
/// title is shorter; a paragraph detected as one block is cut).
const MAX_LEN_HEIGHTS: f32 = 24.0;
/// Mean character probability under which the large print counts as unread.
const POOR: f32 = 0.75;
/// Pages with at most this many detected lines are laid out like a
/// certificate (one framed page of few lines) rather than prose.
const FEW_LINES: usize = 40;

/// What a page's title says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleKind {
    Certificate,
    Licence,
    Notice,
    Annex,
}

#[derive(Debug, Deserialize)]
struct Titles {
    certificate: Vec<String>,
    licence: Vec<String>,
    notice: Vec<String>,
    annex: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Hints {
    words: Vec<String>,
}

/// The vocabulary of `models/triage.toml`.
#[derive(Debug, Deserialize)]
pub struct TitleWords {
    titles: Titles,
    hints: Hints,
}

impl TitleWords {
    /// Parses the vocabulary (entries compacted as the text they match is).
    pub fn parse(src: &str) -> Result<TitleWords, String> {
        let mut w: TitleWords = toml::from_str(src).map_err(|e| e.to_string())?;
        for list in [
            &mut w.titles.certificate,
            &mut w.titles.licence,
            &mut w.titles.notice,
            &mut w.titles.annex,
            &mut w.hints.words,
        ] {
            for e in list.iter_mut() {
                *e = compact(e);
            }
            list.retain(|e| !e.is_empty());
        }
        Ok(w)
    }

    /// The bundled vocabulary.
    pub fn bundled() -> &'static TitleWords {
        static W: OnceLock<TitleWords> = OnceLock::new();
        W.get_or_init(|| {
            TitleWords::parse(include_str!("../models/triage.toml"))
                .expect("models/triage.toml parses")
        })
    }

    /// The kind a line of large print names, and the word that says so; the
    /// specific kinds go first (证书附件 is an annex, 年度监督审核记录 a record
    /// page that continues its certificate, not a notice).
    pub fn title(&self, text: &str) -> Option<(TitleKind, &str)> {
        let c = compact(text);
        let t = &self.titles;
        [
            (TitleKind::Annex, &t.annex),
            (TitleKind::Notice, &t.notice),
            (TitleKind::Licence, &t.licence),
            (TitleKind::Certificate, &t.certificate),
        ]
        .into_iter()
        .find_map(|(k, words)| {
            words
                .iter()
                .find(|w| c.contains(w.as_str()))
                .map(|w| (k, w.as_str()))
        })
    }

    /// A word of large print that hints at a certificate.
    pub fn hint(&self, text: &str) -> Option<&str> {
        let c = compact(text);
        self.hints
            .words
            .iter()
            .find(|w| c.contains(w.as_str()))
            .map(String::as_str)
    }
}

/// Text as titles are matched: simplified, lower case, no spaces.
pub fn compact(text: &str) -> String {
    crate::text::to_simplified(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The boxes worth recognising on a page, best first: the [`MIN_READ`]
/// tallest lines, then every other line of large print (at least [`LARGE`]
/// times the median line height), tallest first, at most [`MAX_READ`].
/// Specks and single characters (seals, logos, stamps) are no lines, nor are
/// lines of ordinary height running across a column (body print).
pub fn title_lines(quads: &[Quad]) -> Vec<usize> {
    // Lines across the page (after the quarter-turn check, the others are
    // specks, seals, or print running down a margin).
    let mut idx: Vec<usize> = (0..quads.len())
        .filter(|&i| quads[i].len >= 1.5 * quads[i].height)
        .collect();
    if idx.is_empty() {
        return idx;
    }
    let mut heights: Vec<f32> = idx.iter().map(|&i| quads[i].height).collect();
    heights.sort_by(f32::total_cmp);
    let median = heights[heights.len() / 2];
    idx.sort_by(|&a, &b| quads[b].height.total_cmp(&quads[a].height));
    let mut out = Vec::new();
    for (rank, &i) in idx.iter().enumerate() {
        let large = quads[i].height >= LARGE * median;
        if out.len() >= MAX_READ || (rank >= MIN_READ && !large) {
            break;
        }
        // A line of the page's body print running across its column: no
        // title (a page of prose has them among its tallest boxes).
        if !large && quads[i].len > BODY_LINE_HEIGHTS * quads[i].height {
            continue;
        }
        out.push(i);
    }
    out
}

/// Triage's verdict on one scanned page.
pub struct Triaged {
    /// The lines read (the large print), in the page's frame as loaded
    /// turned by `rotated`.
    pub page: PageText,
    /// Why the page must be read in full (`None`: its triage reading stands).
    pub full: Option<String>,
    /// The title said the page continues the certificate before it.
    pub annex: bool,
    /// Lines detected, and large lines recognised.
    pub detected: usize,
    pub read: usize,
    /// CPU seconds (this process) of the steps: grey copy, detection,
    /// recognition.
    pub cpu: [f64; 3],
}

/// A line recognised: its box's index, and what was read.
type Read = (usize, crate::ocr::Recognized);
/// A title found: its kind and the word that says so.
type Title = (TitleKind, String);

/// Punctuation that ends or joins the clauses of a sentence: a line holding
/// one is running text (a title, a name or a standard is not punctuated so).
const SENTENCE_MARKS: &[char] = &['。', '，', '；', '！', '？', ';'];

/// The longest title, in ems (a Chinese character is one, a Latin letter or
/// digit half): "ISO/IEC 27001信息安全管理体系认证证书" is 19,
/// "Information Security Management System Certificate" 23; a line of body
/// print across an A4 column is 35-45.
const TITLE_EMS: f32 = 30.0;

/// A line's length in ems (see [`TITLE_EMS`]).
fn ems(text: &str) -> f32 {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if crate::page::is_cjk(c) { 1.0 } else { 0.5 })
        .sum()
}

/// A line of running text, not a title: punctuated as a sentence, or longer
/// than any title. On a page of prose, the tallest lines are body lines;
/// their words (证书 in "相关证书复印件附后。", 管理体系 in a paragraph on the
/// bidder's certifications) say nothing of the page's kind.
pub fn running_text(text: &str) -> bool {
    text.contains(SENTENCE_MARKS) || ems(text) > TITLE_EMS
}

/// A line numbered as a list's item ("3. 营业执照", "（三）资质证书", "一、
/// 认证证书", "第三章") or a table of contents' entry (leader dots): it names a
/// section of a document, not the page it stands on. Detectors whose boxes
/// are as tall for body print as for headings put a table of contents'
/// entries among a page's tallest lines.
pub fn listed(text: &str) -> bool {
    const NUMERALS: &str = "一二三四五六七八九十";
    let t = text.trim_start();
    let numeral =
        |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c) || NUMERALS.contains(c);
    let leaders = ["...", "…", "···", "．．．", "。。。"];
    if leaders.iter().any(|l| t.contains(l)) {
        return true;
    }
    if let Some(rest) = t.strip_prefix('第') {
        let n = rest.chars().take_while(|&c| numeral(c)).count();
        return n > 0
            && rest
                .chars()
                .nth(n)
                .is_some_and(|c| "章节部分篇条".contains(c));
    }
    let (bracketed, rest) = match t.strip_prefix(['（', '(']) {
        Some(r) => (true, r.trim_start()),
        None => (false, t),
    };
    let n = rest.chars().take_while(|&c| numeral(c)).count();
    // One or two digits or numerals: "2019.01.01" is a date.
    if n == 0 || n > 2 {
        return false;
    }
    let after = rest.chars().skip(n).find(|c| !c.is_whitespace());
    match after {
        Some(c) if bracketed => c == '）' || c == ')',
        Some(c) => ".．、)）".contains(c),
        None => false,
    }
}

/// A line that cannot be the page's title: running text or a listed item.
fn no_title(text: &str) -> bool {
    running_text(text) || listed(text)
}

/// The crops recognised in order until one that is no running text holds a
/// title word: the lines read, and the title's kind and word.
fn read_until_title(
    p: &Paddle,
    words: &TitleWords,
    crops: &[(usize, GrayImage)],
) -> Result<(Vec<Read>, Option<Title>), DocError> {
    let mut read = Vec::new();
    for (i, c) in crops {
        let r = p
            .recognize(std::slice::from_ref(c))?
            .pop()
            .unwrap_or_default();
        let title = (!no_title(&r.text))
            .then(|| words.title(&r.text))
            .flatten()
            .map(|(k, w)| (k, w.to_string()));
        read.push((*i, r));
        if title.is_some() {
            return Ok((read, title));
        }
    }
    Ok((read, None))
}

/// The mean confidence of the lines read.
fn mean(read: &[Read]) -> f32 {
    read.iter().map(|(_, r)| r.mean).sum::<f32>() / read.len().max(1) as f32
}

/// A hint of certification in a line that is no running text or list.
fn hint<'w>(words: &'w TitleWords, read: &[Read]) -> Option<&'w str> {
    read.iter()
        .filter(|(_, r)| !no_title(&r.text))
        .find_map(|(_, r)| words.hint(&r.text))
}

/// One pass of triage at one detection side: the boxes detected, the large
/// print read, the title found, and whether the print read better turned
/// by 180 degrees.
struct Pass {
    quads: Vec<Quad>,
    read: Vec<Read>,
    found: Option<Title>,
    flipped: bool,
}

impl Pass {
    /// The pass says what the page is: a title, a hint, nothing large to
    /// read, or large print read well enough to trust that it holds neither.
    fn has_verdict(&self, words: &TitleWords) -> bool {
        self.found.is_some()
            || self.read.is_empty()
            || mean(&self.read) >= POOR
            || hint(words, &self.read).is_some()
    }
}

/// Detects the page's lines at `side` px (on the first pass, a page whose
/// lines run down it is turned a quarter first) and reads its large print
/// until a title; print read poorly is read again turned by 180 degrees.
/// Adds the CPU seconds of detection and recognition to `cpu`.
#[allow(clippy::too_many_arguments)]
fn triage_pass(
    p: &Paddle,
    words: &TitleWords,
    gray: &mut GrayImage,
    turned: &mut u32,
    first: bool,
    side: u32,
    number: u32,
    cpu: &mut [f64; 2],
) -> Result<Pass, DocError> {
    let d0 = process_cpu_seconds();
    let (mut quads, detector) = p.detect_triage(gray, side)?;
    if first && quarter_turn(&quads) == Some(true) {
        *gray = imageops::rotate90(gray);
        *turned = 90;
        quads = p.detect_triage(gray, side)?.0;
    }
    let d1 = process_cpu_seconds();
    cpu[0] += d1 - d0;
    let picked = title_lines(&quads);
    if log::log_enabled!(log::Level::Debug) {
        let mut h: Vec<(f32, f32)> = quads.iter().map(|q| (q.height, q.len)).collect();
        h.sort_by(|a, b| b.0.total_cmp(&a.0));
        log::debug!(
            "page {number}: triage boxes by {detector} at {side} px (height, length), tallest first: {:?}",
            &h[..h.len().min(10)]
        );
    }
    let mut crops: Vec<(usize, GrayImage)> = picked
        .iter()
        .map(|&i| {
            let q = Quad {
                len: quads[i].len.min(MAX_LEN_HEIGHTS * quads[i].height),
                ..quads[i]
            };
            (i, crop_line(gray, &q.lengthened(END_PAD * q.height)))
        })
        .collect();
    let (mut read, mut found) = read_until_title(p, words, &crops)?;
    let mut flipped = false;
    // Large print read poorly: the page may be upside down (its lines read
    // turned; the better reading kept).
    if found.is_none() && !read.is_empty() && mean(&read) < POOR {
        for (_, c) in crops.iter_mut() {
            *c = imageops::rotate180(c);
        }
        let again;
        (again, found) = read_until_title(p, words, &crops)?;
        if found.is_some() || mean(&again) > mean(&read) + 0.1 {
            read = again;
            flipped = true;
        }
    }
    cpu[1] += process_cpu_seconds() - d1;
    Ok(Pass {
        quads,
        read,
        found,
        flipped,
    })
}

/// Triage of one scanned page (see the module's description).
pub fn triage_page(p: &Paddle, img: &DynamicImage, number: u32) -> Result<Triaged, DocError> {
    let words = TitleWords::bundled();
    let c0 = process_cpu_seconds();
    // Grey, not the red channel: a licence's red title stays dark.
    let mut gray: GrayImage = img.to_luma8();
    let c1 = process_cpu_seconds();
    let mut turned = 0u32;
    let sides = p.triage_sides();
    let mut cpu = [0.0f64; 2];
    let mut pass = 0;
    let Pass {
        quads,
        read,
        found,
        flipped,
    } = loop {
        let this = triage_pass(
            p,
            words,
            &mut gray,
            &mut turned,
            pass == 0,
            sides[pass],
            number,
            &mut cpu,
        )?;
        pass += 1;
        if this.has_verdict(words) || pass == sides.len() {
            break this;
        }
    };
    if flipped {
        turned = (turned + 180) % 360;
    }
    let detected = quads.len();
    let text: Vec<&str> = read.iter().map(|(_, r)| r.text.as_str()).collect();
    let full = if let Some((kind, w)) = &found {
        Some(format!(
            "title {kind:?} ({w:?} in {:?})",
            text.last().unwrap_or(&"")
        ))
    } else if let Some(w) = hint(words, &read) {
        Some(format!("hint ({w:?} in large print {text:?})"))
    } else if !read.is_empty() && mean(&read) < POOR && detected <= FEW_LINES {
        Some(format!(
            "large print unread (confidence {:.2}, {detected} lines)",
            mean(&read)
        ))
    } else {
        None
    };
    let (w, h) = gray.dimensions();
    let lines: Vec<Line> = read
        .iter()
        .filter(|(_, r)| !r.text.trim().is_empty())
        .map(|(i, r)| {
            Line::from_words(vec![Word {
                text: r.text.trim().to_string(),
                bbox: quads[*i].bbox(w, h),
                conf: r.min * 100.0,
                ..Default::default()
            }])
        })
        .collect();
    let mut lines = lines;
    crate::page::sort_reading_order(&mut lines);
    Ok(Triaged {
        page: PageText {
            number,
            width: w,
            height: h,
            source: TextSource::Ocr,
            lines,
            mean_conf: (!read.is_empty()).then(|| mean(&read) * 100.0),
            rotated: turned,
            error: None,
        },
        full,
        annex: matches!(found, Some((TitleKind::Annex, _))),
        detected,
        read: read.len(),
        cpu: [c1 - c0, cpu[0], cpu[1]],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(len: f32, height: f32) -> Quad {
        Quad {
            origin: (0.0, 0.0),
            along: (1.0, 0.0),
            len,
            height,
            score: 0.9,
        }
    }

    #[test]
    fn the_vocabulary_names_titles_by_kind() {
        let w = TitleWords::bundled();
        let kind = |t: &str| w.title(t).map(|(k, _)| k);
        assert_eq!(
            kind("信息技术服务管理体系认证证书"),
            Some(TitleKind::Certificate)
        );
        assert_eq!(
            kind("資訊安全管理系統驗證證書"),
            Some(TitleKind::Certificate)
        );
        assert_eq!(kind("C E R T I F I C A T E"), Some(TitleKind::Certificate));
        assert_eq!(kind("Certificado"), Some(TitleKind::Certificate));
        assert_eq!(kind("CERTIFIKÁT"), Some(TitleKind::Certificate));
        assert_eq!(kind("营业执照"), Some(TitleKind::Licence));
        assert_eq!(kind("保持认证注册资格通知书"), Some(TitleKind::Notice));
        assert_eq!(
            kind("证书附件 Annex to Certificate"),
            Some(TitleKind::Annex)
        );
        assert_eq!(kind("技术方案"), None);
        assert_eq!(kind("售后服务承诺"), None);
        assert_eq!(w.hint("ISO 9001:2015"), Some("iso"));
        assert_eq!(w.hint("项目实施方案"), None);
        assert!(TitleWords::parse("[titles]\ncertificate = []").is_err());
    }

    #[test]
    fn the_tallest_line_and_large_print_are_read() {
        // Prose.
        let mut prose = vec![q(300.0, 40.0)];
        prose.extend(std::iter::repeat_n(q(900.0, 20.0), 30));
        // A heading over lines of one size: the heading alone (the three
        // tallest are read, but not lines of body print across the column).
        assert_eq!(title_lines(&prose), vec![0]);
        // The title of a page of framed cells, as tall as the cells: read
        // among the three tallest.
        let mut framed = vec![q(400.0, 50.0), q(500.0, 51.0), q(150.0, 50.5)];
        framed.extend(std::iter::repeat_n(q(200.0, 50.0), 12));
        assert_eq!(title_lines(&framed), vec![1, 2, 0]);
        // A certificate: title, name and standard in large print over
        // lines of body print, tallest first; a seal (a square) is no line.
        let mut cert = vec![
            q(400.0, 20.0),
            q(600.0, 50.0),
            q(500.0, 32.0),
            q(120.0, 118.0),
            q(400.0, 20.0),
            q(380.0, 20.0),
            q(300.0, 36.0),
        ];
        cert.extend(std::iter::repeat_n(q(500.0, 20.0), 8));
        assert_eq!(title_lines(&cert), vec![1, 6, 2]);
        // At most MAX_READ, and nothing on a page without lines.
        let mut many: Vec<Quad> = (0..8).map(|i| q(500.0, 50.0 + i as f32)).collect();
        many.extend(std::iter::repeat_n(q(500.0, 20.0), 14));
        assert_eq!(title_lines(&many).len(), MAX_READ);
        assert!(title_lines(&[q(50.0, 50.0)]).is_empty());
    }

    #[test]
    fn running_text_is_no_title() {
        let w = TitleWords::bundled();
        // Cases from bid packages' prose pages (tests/it/triage.rs, CI of
        // 65989c8): the last line of a paragraph, a whole line of one; an
        // English certificate's opening sentence.
        assert!(running_text("证，相关证书复印件附后。"));
        assert!(running_text(
            "投标人已获得ISO/IEC 20000-1信息技术服务管理体系认证及ISO/IEC 27001信息安全管理体系认"
        ));
        assert!(running_text("We hereby certify; the scope"));
        assert!(running_text(
            "This is to certify that the management system of the organization named below has been assessed"
        ));
        // Titles, names and standards, whatever their language.
        for t in [
            "信息技术服务管理体系认证证书",
            "质量、环境和职业健康安全管理体系认证证书",
            "CERTIFICATE OF REGISTRATION",
            "Beijing Example Co., Ltd.",
            "证书编号：00123Q45678R0M",
            "ISO 9001:2015",
            "ISO/IEC 27001信息安全管理体系认证证书",
            "Information Security Management System Certificate",
            "2019年度监督审核通知书",
            "9001质量管理体系认证证书",
            "第三方认证证书",
        ] {
            assert!(!running_text(t) && !listed(t), "{t}");
            assert!(w.title(t).is_some() || w.hint(t).is_some() || t.contains("Co."));
        }
    }

    #[test]
    fn a_listed_item_is_no_title() {
        // A table of contents' entries and a document's section headings
        // (the bench's packages, PP-OCRv4 mobile's boxes at 800 px).
        for t in [
            "3. 营业执照",
            "4. 信息技术服务管理体系认证证书",
            "4．信息技术服务管理体系认证证书",
            "（三）资质证书",
            "(3) ISO 9001 certificate",
            "一、认证证书",
            "十二、营业执照复印件",
            "第三章 资格证明文件",
            "营业执照 .......... 12",
            "认证证书……………15",
            "３、认证证书",
        ] {
            assert!(listed(t), "{t}");
        }
        for t in [
            "2019.01.01",
            "第三方认证证书",
            "ISO 9001",
            "3C认证证书",
            "一级资质证书",
        ] {
            assert!(!listed(t), "{t}");
        }
    }
}
