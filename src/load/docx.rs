//! Word documents (.docx): one document whose pages are its body text (one
//! text-layer page, first, when there is any) and then the images it embeds,
//! in the order `word/document.xml` references them. A .docx is never taken
//! apart into its ZIP members.
//!
//! The XML is scanned, not parsed: `r:embed` / `r:id` attributes of
//! `<a:blip>` and `<v:imagedata>` give the images, `<w:t>` runs the text
//! (entities unescaped), `</w:p>` and `<w:br/>` end lines.

use super::image::ImageDocument;
use super::MAX_INPUT_BYTES;
use super::{sniff, Format};
use crate::error::{DocError, ErrorCode};
use crate::page::{BBox, Line, PageText, TextSource, Word};
use ::image::DynamicImage;
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// The main part every .docx holds.
pub const DOCUMENT_XML: &str = "word/document.xml";
const RELS_XML: &str = "word/_rels/document.xml.rels";
/// Largest XML part read (document.xml of a 300-page bid is a few MB).
const MAX_XML_BYTES: u64 = 256 << 20;

/// One page of a .docx.
enum DocxPage {
    Text(PageText),
    /// ZIP member name of an embedded image.
    Image(String, Format),
}

pub struct DocxDocument {
    bytes: Vec<u8>,
    pages: Vec<DocxPage>,
}

/// True when `bytes` are a ZIP archive holding `word/document.xml`.
pub fn is_docx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|z| z.index_for_name(DOCUMENT_XML).is_some())
        .unwrap_or(false)
}

/// True when ZIP `bytes` are meant as a Word document: they hold
/// `word/document.xml`, or (damaged) name it or the OOXML
/// `[Content_Types].xml` in their leading local headers.
pub fn looks_like_docx(bytes: &[u8]) -> bool {
    if is_docx(bytes) {
        return true;
    }
    let head = &bytes[..bytes.len().min(64 << 10)];
    let has = |n: &[u8]| head.windows(n.len()).any(|w| w == n);
    has(DOCUMENT_XML.as_bytes()) || has(b"[Content_Types].xml")
}

fn corrupt(msg: impl Into<String>) -> DocError {
    DocError::new(ErrorCode::Corrupt, msg)
}

/// Reads member `name` whole, refusing more than `limit` bytes.
fn read_member(
    z: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, DocError> {
    let m = match z.by_name(name) {
        Ok(m) => m,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(corrupt(format!(".docx part {name} cannot be read: {e}"))),
    };
    if m.size() > limit {
        return Err(DocError::new(
            ErrorCode::TooLarge,
            format!(
                ".docx part {name} declares {} bytes, beyond the limit",
                m.size()
            ),
        ));
    }
    let mut buf = Vec::with_capacity(m.size().min(64 << 20) as usize);
    m.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| corrupt(format!(".docx part {name} cannot be decompressed: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(DocError::new(
            ErrorCode::TooLarge,
            format!(".docx part {name} inflates beyond the limit"),
        ));
    }
    Ok(Some(buf))
}

/// The leading bytes of member `name` (for sniffing its format).
fn member_head(z: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let m = z.by_name(name).ok()?;
    let mut buf = Vec::new();
    m.take(1024).read_to_end(&mut buf).ok()?;
    Some(buf)
}

impl DocxDocument {
    pub fn open(bytes: Vec<u8>) -> Result<DocxDocument, DocError> {
        let pages = {
            let mut z = zip::ZipArchive::new(Cursor::new(&bytes[..])).map_err(|e| {
                // No end-of-central-directory record near the end: cut short.
                let tail = &bytes[bytes.len().saturating_sub((64 << 10) + 22)..];
                if !tail.windows(4).any(|w| w == b"PK\x05\x06") {
                    DocError::new(
                        ErrorCode::Truncated,
                        format!(".docx is truncated (its ZIP directory is missing): {e}"),
                    )
                } else {
                    corrupt(format!(".docx (ZIP container) cannot be read: {e}"))
                }
            })?;
            let doc = read_member(&mut z, DOCUMENT_XML, MAX_XML_BYTES)?.ok_or_else(|| {
                corrupt(format!(
                    "not a Word document: the .docx holds no {DOCUMENT_XML}"
                ))
            })?;
            let doc = xml_text(&doc, DOCUMENT_XML)?;
            if !doc.contains("<w:body") || !doc.trim_end().ends_with("</w:document>") {
                return Err(corrupt(format!(
                    "{DOCUMENT_XML} is not a complete Word document (no <w:body> or no closing </w:document>)"
                )));
            }
            let rels = match read_member(&mut z, RELS_XML, MAX_XML_BYTES)? {
                Some(r) => relationships(xml_text(&r, RELS_XML)?)?,
                None => HashMap::new(),
            };
            let mut pages = Vec::new();
            let paragraphs = body_text(doc)?;
            if !paragraphs.is_empty() {
                pages.push(DocxPage::Text(text_page(&paragraphs)));
            }
            let mut seen = std::collections::HashSet::new();
            for id in embed_ids(doc) {
                let Some(target) = rels.get(&id) else {
                    continue;
                };
                // The same image pasted twice is one page.
                if !seen.insert(target.clone()) {
                    continue;
                }
                // emf/wmf and anything else not read are skipped.
                if let Some(
                    f @ (Format::Png | Format::Jpeg | Format::Tiff | Format::Bmp | Format::WebP),
                ) = member_head(&mut z, target).and_then(|h| sniff(&h))
                {
                    pages.push(DocxPage::Image(target.clone(), f));
                }
            }
            if pages.is_empty() {
                return Err(DocError::new(
                    ErrorCode::Empty,
                    "the .docx holds no text and no image certscan reads (PNG, JPEG, TIFF, BMP, WebP)",
                ));
            }
            pages
        };
        Ok(DocxDocument { bytes, pages })
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The text page (cheap).
    pub fn page_text(&self, index: usize) -> Option<PageText> {
        match self.pages.get(index)? {
            DocxPage::Text(t) => Some(t.clone()),
            DocxPage::Image(..) => None,
        }
    }

    /// Page `index` (0-based): the text page, or an embedded image decoded
    /// with the image loader's limits.
    pub fn page(&self, index: usize) -> Result<Result<PageText, DynamicImage>, DocError> {
        match self.pages.get(index) {
            None => Err(corrupt(format!(
                "page {} of {} requested",
                index + 1,
                self.pages.len()
            ))),
            Some(DocxPage::Text(t)) => Ok(Ok(t.clone())),
            Some(DocxPage::Image(name, f)) => {
                let mut z = zip::ZipArchive::new(Cursor::new(&self.bytes[..]))
                    .map_err(|e| corrupt(format!(".docx cannot be read: {e}")))?;
                let bytes = read_member(&mut z, name, MAX_INPUT_BYTES)?
                    .ok_or_else(|| corrupt(format!(".docx image {name} is missing")))?;
                let img = ImageDocument::open(bytes, *f)
                    .and_then(|d| d.page(0))
                    .map_err(|e| DocError::new(e.code, format!("{name}: {}", e.message)))?;
                Ok(Err(img))
            }
        }
    }
}

fn xml_text<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, DocError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| corrupt(format!("{name} is not UTF-8 XML: {e}")))
}

/// Tags of `xml` in order: (name, the text inside `<...>`, byte offset after `>`).
fn tags(xml: &str) -> impl Iterator<Item = (&str, &str, usize)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let start = pos + xml[pos..].find('<')?;
        let end = start + xml[start..].find('>')?;
        pos = end + 1;
        let inner = &xml[start + 1..end];
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(inner.len());
        let name = if let Some(n) = inner.strip_prefix('/') {
            &inner[..1 + n.find(char::is_whitespace).unwrap_or(n.len())]
        } else {
            &inner[..name_end]
        };
        Some((name, inner, pos))
    })
}

/// Value of attribute `attr` in a tag's inner text.
fn attribute(inner: &str, attr: &str) -> Option<String> {
    let mut rest = inner;
    while let Some(i) = rest.find(attr) {
        let before_ok = i > 0 && rest[..i].ends_with(char::is_whitespace);
        let after = rest[i + attr.len()..].trim_start();
        if before_ok {
            if let Some(after) = after.strip_prefix('=') {
                let after = after.trim_start();
                let q = after.chars().next()?;
                if q == '"' || q == '\'' {
                    let v = &after[1..];
                    let end = v.find(q)?;
                    return unescape(&v[..end]).ok();
                }
            }
        }
        rest = &rest[i + attr.len()..];
    }
    None
}

/// Relationship id -> ZIP member name of its (internal) target.
fn relationships(xml: &str) -> Result<HashMap<String, String>, DocError> {
    let mut out = HashMap::new();
    for (name, inner, _) in tags(xml) {
        if name != "Relationship" {
            continue;
        }
        if attribute(inner, "TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External")) {
            continue;
        }
        let (Some(id), Some(target)) = (attribute(inner, "Id"), attribute(inner, "Target")) else {
            continue;
        };
        out.insert(id, resolve_target(&target));
    }
    Ok(out)
}

/// `media/image1.png` (relative to `word/`) or `/word/media/image1.png`.
fn resolve_target(target: &str) -> String {
    let mut parts: Vec<&str> = if let Some(abs) = target.strip_prefix('/') {
        abs.split('/').collect()
    } else {
        std::iter::once("word").chain(target.split('/')).collect()
    };
    let mut out: Vec<&str> = Vec::new();
    for p in parts.drain(..) {
        match p {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

/// Relationship ids of embedded images in document order.
fn embed_ids(xml: &str) -> Vec<String> {
    tags(xml)
        .filter_map(|(name, inner, _)| match name {
            "a:blip" | "pic:blipFill" => attribute(inner, "r:embed"),
            "v:imagedata" => attribute(inner, "r:id"),
            _ => None,
        })
        .collect()
}

/// Paragraphs of body text (`w:t` runs), empty ones dropped.
fn body_text(xml: &str) -> Result<Vec<String>, DocError> {
    let mut paras = Vec::new();
    let mut cur = String::new();
    let mut text_from: Option<usize> = None;
    for (name, inner, after) in tags(xml) {
        match name {
            "w:t" if !inner.ends_with('/') => text_from = Some(after),
            "/w:t" => {
                if let Some(from) = text_from.take() {
                    let end = after - inner.len() - 2;
                    cur.push_str(&unescape(&xml[from..end])?);
                }
            }
            "w:tab" => cur.push(' '),
            "w:br" | "w:cr" | "/w:p" => {
                let t = cur.trim();
                if !t.is_empty() {
                    paras.push(t.to_string());
                }
                cur.clear();
            }
            _ => {}
        }
    }
    let t = cur.trim();
    if !t.is_empty() {
        paras.push(t.to_string());
    }
    Ok(paras)
}

/// Unescapes the XML entities of text or an attribute value.
fn unescape(s: &str) -> Result<String, DocError> {
    if !s.contains('&') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let end = tail.find(';').filter(|&e| e <= 10).ok_or_else(|| {
            corrupt(format!(
                "bad XML entity near {:?}",
                &rest[i..rest.len().min(i + 12)]
            ))
        })?;
        let ent = &tail[..end];
        let c = match ent {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| ent.strip_prefix('#').map(|d| d.parse::<u32>()))
                .and_then(|r| r.ok())
                .and_then(char::from_u32),
        };
        out.push(c.ok_or_else(|| corrupt(format!("bad XML entity &{ent};")))?);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// One text-layer page of the paragraphs, a line each, stacked as on an A4
/// page at 300 dpi (taller when there are many).
fn text_page(paragraphs: &[String]) -> PageText {
    let lines: Vec<Line> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Line::from_words(vec![Word {
                text: t.clone(),
                bbox: BBox::new(150, 150 + 60 * i as u32, 2180, 40),
                conf: 100.0,
                ..Default::default()
            }])
        })
        .collect();
    PageText {
        number: 1,
        width: 2480,
        height: 3508.max(300 + 60 * lines.len() as u32),
        source: TextSource::TextLayer,
        lines,
        mean_conf: None,
        rotated: 0,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_text_images_and_entities_are_scanned() {
        let xml = r#"<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>A &amp; B</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">&#x4E2D;&lt;x&gt;</w:t></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId5"/></w:drawing></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;
        assert_eq!(body_text(xml).unwrap(), vec!["A & B 中<x>", "cell"]);
        assert_eq!(embed_ids(xml), vec!["rId5"]);
        let rels = r#"<Relationships><Relationship Id="rId5" Type="x/image" Target="media/image1.png"/><Relationship Id="rId6" Target="http://x/y.png" TargetMode="External"/><Relationship Id="rId7" Target="/word/media/b.jpeg"/></Relationships>"#;
        let r = relationships(rels).unwrap();
        assert_eq!(r["rId5"], "word/media/image1.png");
        assert_eq!(r["rId7"], "word/media/b.jpeg");
        assert!(!r.contains_key("rId6"));
        assert!(unescape("a &bogus b").is_err());
    }
}

#[cfg(test)]
mod open_tests {
    use super::*;
    use std::io::Write;

    fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (n, b) in parts {
            w.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn text_page_first_then_images_in_order_emf_skipped() {
        let mut png = Vec::new();
        DynamicImage::new_rgb8(40, 30)
            .write_to(&mut Cursor::new(&mut png), ::image::ImageFormat::Png)
            .unwrap();
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>证书</w:t></w:r></w:p><a:blip r:embed="rId2"/><a:blip r:embed="rId1"/><a:blip r:embed="rId3"/><a:blip r:embed="rId1"/></w:body></w:document>"#;
        let rels = r#"<Relationships><Relationship Id="rId1" Target="media/a.png"/><Relationship Id="rId2" Target="media/b.emf"/><Relationship Id="rId3" Target="media/c.png"/></Relationships>"#;
        let emf = [1u8, 0, 0, 0, 0x6C, 0, 0, 0, b' ', b'E', b'M', b'F'];
        let bytes = docx(&[
            ("word/document.xml", xml.as_bytes()),
            ("word/_rels/document.xml.rels", rels.as_bytes()),
            ("word/media/a.png", &png),
            ("word/media/b.emf", &emf),
            ("word/media/c.png", &png),
        ]);
        assert!(is_docx(&bytes));
        let d = DocxDocument::open(bytes).unwrap();
        assert_eq!(d.page_count(), 3);
        assert_eq!(d.page_text(0).unwrap().text(), "证书\n");
        assert!(matches!(&d.pages[1], DocxPage::Image(n, _) if n == "word/media/a.png"));
        assert!(matches!(&d.pages[2], DocxPage::Image(n, _) if n == "word/media/c.png"));
        let img = d.page(2).unwrap().err().unwrap();
        assert_eq!((img.width(), img.height()), (40, 30));
        // No document.xml: a damaged Word document, not a ZIP to unpack.
        let e = DocxDocument::open(docx(&[("word/media/a.png", &png)]))
            .err()
            .unwrap();
        assert_eq!(e.code, ErrorCode::Corrupt);
    }
}
