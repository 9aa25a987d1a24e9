//! Load stage. Takes a document's bytes; sniffs its format from them (never
//! from its name) and hands on its pages one at a time ([`LoadedPage`]):
//! text ([`PageText`], a usable PDF text layer or a Word body) or an image to
//! OCR.

pub mod docx;
pub mod image;
pub mod pdf;

use crate::error::{DocError, ErrorCode};
use crate::page::PageText;

/// Largest input read into memory (a 300-page scanned package is ~300 MB).
pub const MAX_INPUT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Formats certscan reads, as sniffed from the leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Bmp,
    WebP,
    Zip,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Tiff => "TIFF",
            Format::Bmp => "BMP",
            Format::WebP => "WebP",
            Format::Zip => "ZIP",
        }
    }
}

/// Tells the format from the bytes. `None` for anything certscan does not read.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else if head.starts_with(b"BM") && head.len() >= 26 {
        Some(Format::Bmp)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Format::Zip)
    } else if find(&bytes[..bytes.len().min(pdf::HEADER_SEARCH)], b"%PDF-").is_some() {
        Some(Format::Pdf)
    } else {
        None
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One page as loaded.
pub enum LoadedPage {
    /// Text from a usable PDF text layer: no OCR needed.
    Text(PageText),
    /// An image to OCR.
    Image(::image::DynamicImage),
}

/// An opened document whose pages are loaded on demand (a 300-page package is
/// never held in memory at once).
pub enum Document {
    Pdf(pdf::PdfDocument),
    Image(image::ImageDocument),
    Docx(docx::DocxDocument),
}

impl Document {
    /// Opens a document from its bytes.
    pub fn open(bytes: Vec<u8>) -> Result<Document, DocError> {
        if bytes.is_empty() {
            return Err(DocError::new(
                ErrorCode::Empty,
                "the file is empty (0 bytes)",
            ));
        }
        match sniff(&bytes) {
            Some(Format::Pdf) => Ok(Document::Pdf(pdf::PdfDocument::open_owned(bytes)?)),
            Some(Format::Zip) if docx::looks_like_docx(&bytes) => {
                Ok(Document::Docx(docx::DocxDocument::open(bytes)?))
            }
            Some(Format::Zip) => Err(DocError::new(
                ErrorCode::UnsupportedFormat,
                "a ZIP archive inside an archive is not read; unpack it first",
            )),
            Some(f) => Ok(Document::Image(image::ImageDocument::open(bytes, f)?)),
            None => Err(DocError::new(
                ErrorCode::UnsupportedFormat,
                format!(
                    "not a PDF, PNG, JPEG, TIFF, BMP, WebP, ZIP or .docx file (starts with {})",
                    hex_head(&bytes)
                ),
            )),
        }
    }

    pub fn page_count(&self) -> usize {
        match self {
            Document::Pdf(d) => d.page_count(),
            Document::Image(d) => d.page_count(),
            Document::Docx(d) => d.page_count(),
        }
    }

    /// Loads page `index` (0-based).
    pub fn page(&self, index: usize) -> Result<LoadedPage, DocError> {
        match self {
            Document::Pdf(d) => Ok(match d.page(index)? {
                pdf::PdfPage::Text(t) => LoadedPage::Text(t),
                pdf::PdfPage::Image(i) => LoadedPage::Image(i),
            }),
            Document::Image(d) => Ok(LoadedPage::Image(d.page(index)?)),
            Document::Docx(d) => Ok(match d.page(index)? {
                Ok(t) => LoadedPage::Text(t),
                Err(i) => LoadedPage::Image(i),
            }),
        }
    }

    /// Page `index` as a picture (for the report): `None` for a Word page of
    /// text, which has no picture.
    pub fn page_image(&self, index: usize) -> Result<Option<::image::DynamicImage>, DocError> {
        match self {
            Document::Pdf(d) => d.page_image(index).map(Some),
            Document::Image(d) => d.page(index).map(Some),
            Document::Docx(d) => Ok(d.page(index)?.err()),
        }
    }

    /// Text of a page from a text layer, without rendering (cheap; for triage).
    pub fn page_text(&self, index: usize) -> Option<PageText> {
        match self {
            Document::Pdf(d) => d.page_text(index),
            Document::Image(_) => None,
            Document::Docx(d) => d.page_text(index),
        }
    }
}

fn hex_head(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(Format::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(sniff(b"II*\0...."), Some(Format::Tiff));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::WebP));
        assert_eq!(sniff(b"PK\x03\x04"), Some(Format::Zip));
        assert_eq!(sniff(b"hello world"), None);
    }

    #[test]
    fn empty_and_unknown_bytes_are_errors() {
        assert_eq!(Document::open(vec![]).err().unwrap().code, ErrorCode::Empty);
        let e = Document::open(b"random bytes here".to_vec()).err().unwrap();
        assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    }
}
