//! Image documents: PNG, JPEG, TIFF (every page), BMP, WebP through the `image`
//! crate, EXIF orientation honoured, decompression bombs refused by their
//! declared size before any pixel is decoded.

use super::Format;
use crate::error::{DocError, ErrorCode};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// Largest page certscan decodes: 120 megapixels (A0 at 300 dpi is ~140 MP of
/// which no certificate needs; A4 at 600 dpi is 35 MP).
pub const MAX_PIXELS: u64 = 120_000_000;
/// Largest side in pixels.
pub const MAX_SIDE: u32 = 30_000;

/// An image file with one page or, for TIFF, several.
pub struct ImageDocument {
    bytes: Vec<u8>,
    format: Format,
    pages: usize,
}

impl ImageDocument {
    pub fn open(bytes: Vec<u8>, format: Format) -> Result<ImageDocument, DocError> {
        let pages = if format == Format::Tiff {
            tiff_page_count(&bytes)?
        } else {
            1
        };
        let doc = ImageDocument {
            bytes,
            format,
            pages,
        };
        // Check the declared size now so a bomb is refused before decoding.
        doc.check_dimensions()?;
        // The JPEG decoder fills a cut-off image with grey without a word:
        // a JPEG cut short is refused here (issue 19, 10).
        if format == Format::Jpeg {
            if let Some(damage) = jpeg_damage(&doc.bytes) {
                return Err(DocError::new(
                    ErrorCode::Truncated,
                    format!("JPEG image {damage}"),
                ));
            }
        }
        Ok(doc)
    }

    pub fn page_count(&self) -> usize {
        self.pages
    }

    fn reader(&self) -> Result<ImageReader<Cursor<&[u8]>>, DocError> {
        let fmt = match self.format {
            Format::Png => image::ImageFormat::Png,
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Tiff => image::ImageFormat::Tiff,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::WebP => image::ImageFormat::WebP,
            _ => unreachable!("not an image format"),
        };
        let mut r = ImageReader::with_format(Cursor::new(&self.bytes[..]), fmt);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_PIXELS * 4);
        r.limits(limits);
        Ok(r)
    }

    fn check_dimensions(&self) -> Result<(), DocError> {
        let (w, h) = self
            .reader()?
            .into_dimensions()
            .map_err(|e| self.decode_error(e))?;
        check_size(w, h)
    }

    /// Decodes page `index` (0-based), turned upright as its EXIF tag says.
    pub fn page(&self, index: usize) -> Result<DynamicImage, DocError> {
        if index >= self.pages {
            return Err(DocError::new(
                ErrorCode::Corrupt,
                format!("page {} of {} requested", index + 1, self.pages),
            ));
        }
        if self.format == Format::Tiff && index > 0 {
            return tiff_page(&self.bytes, index);
        }
        let mut decoder = self
            .reader()?
            .into_decoder()
            .map_err(|e| self.decode_error(e))?;
        let orientation = decoder.orientation().ok();
        // The declared size passed the check in `open`: a limit hit now means the
        // data claims more bytes than the image needs (a damaged file).
        let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
            image::ImageError::Limits(l) => DocError::new(
                ErrorCode::Corrupt,
                format!(
                    "{} data is damaged: it claims more memory than its {} size needs ({l})",
                    self.format.name(),
                    "declared"
                ),
            ),
            e => self.decode_error(e),
        })?;
        if let Some(o) = orientation {
            img.apply_orientation(o);
        }
        Ok(img)
    }

    fn decode_error(&self, e: image::ImageError) -> DocError {
        let name = self.format.name();
        match e {
            image::ImageError::Limits(l) => DocError::new(
                ErrorCode::TooLarge,
                format!("{name} image is beyond the size limits ({l}); refused before decoding"),
            ),
            image::ImageError::IoError(ref io)
                if io.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                DocError::new(ErrorCode::Truncated, format!("{name} data ends early: {e}"))
            }
            other => DocError::new(
                ErrorCode::Corrupt,
                format!("{name} image cannot be decoded: {other}"),
            ),
        }
    }
}

/// What is wrong with a JPEG's structure, if anything: cut short (its data
/// ends before the end-of-image marker, within a scan or between segments)
/// or a segment running past the end. Bytes after the end-of-image marker
/// are allowed (cameras append data there).
pub fn jpeg_damage(b: &[u8]) -> Option<String> {
    let n = b.len();
    if n < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return Some("does not start with a JPEG start-of-image marker".into());
    }
    let cut = |inside: &str| {
        Some(format!(
            "is cut short: its {n} bytes end {inside}, before the end-of-image marker"
        ))
    };
    let mut i = 2;
    loop {
        // Markers may be padded with 0xFF bytes.
        while i < n && b[i] == 0xFF && i + 1 < n && b[i + 1] == 0xFF {
            i += 1;
        }
        if i + 1 >= n {
            return cut("between its segments");
        }
        if b[i] != 0xFF {
            return Some(format!("is damaged: no segment marker at byte {i}"));
        }
        let m = b[i + 1];
        i += 2;
        match m {
            0xD9 => return None, // end of image
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        if i + 2 > n {
            return cut("in a segment header");
        }
        let len = usize::from(u16::from_be_bytes([b[i], b[i + 1]]));
        if len < 2 {
            return Some(format!("is damaged: a segment of length {len} at byte {i}"));
        }
        if i + len > n {
            return cut("in a segment");
        }
        i += len;
        if m == 0xDA {
            // Entropy-coded data: up to the next marker that is not a
            // stuffed 0x00 or a restart marker.
            loop {
                match b[i..].iter().position(|&x| x == 0xFF) {
                    None => return cut("in its compressed image data"),
                    Some(p) => {
                        i += p;
                        if i + 1 >= n {
                            return cut("in its compressed image data");
                        }
                        match b[i + 1] {
                            0x00 | 0xD0..=0xD7 | 0xFF => i += 1,
                            _ => break,
                        }
                    }
                }
            }
        }
    }
}

fn check_size(w: u32, h: u32) -> Result<(), DocError> {
    if w == 0 || h == 0 {
        return Err(DocError::new(
            ErrorCode::Corrupt,
            "image has zero width or height",
        ));
    }
    if w > MAX_SIDE || h > MAX_SIDE || (w as u64) * (h as u64) > MAX_PIXELS {
        return Err(DocError::new(
            ErrorCode::TooLarge,
            format!(
                "image declares {w}x{h} pixels, beyond the limit of {MAX_PIXELS} pixels \
                 (decompression bomb?); refused before decoding"
            ),
        ));
    }
    Ok(())
}

fn tiff_decoder(bytes: &[u8]) -> Result<tiff::decoder::Decoder<Cursor<&[u8]>>, DocError> {
    tiff::decoder::Decoder::new(Cursor::new(bytes)).map_err(tiff_error)
}

fn tiff_error(e: tiff::TiffError) -> DocError {
    match e {
        tiff::TiffError::LimitsExceeded => DocError::new(
            ErrorCode::TooLarge,
            "TIFF image is beyond the size limits; refused before decoding",
        ),
        tiff::TiffError::IoError(ref io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            DocError::new(ErrorCode::Truncated, format!("TIFF data ends early: {e}"))
        }
        other => DocError::new(
            ErrorCode::Corrupt,
            format!("TIFF cannot be decoded: {other}"),
        ),
    }
}

fn tiff_page_count(bytes: &[u8]) -> Result<usize, DocError> {
    let mut d = tiff_decoder(bytes)?;
    let mut n = 1;
    while d.more_images() {
        d.next_image().map_err(tiff_error)?;
        n += 1;
        if n > 10_000 {
            return Err(DocError::new(
                ErrorCode::Corrupt,
                "TIFF claims more than 10000 pages",
            ));
        }
    }
    Ok(n)
}

/// Decodes page `index` of a multi-page TIFF (the `image` crate reads only the first).
fn tiff_page(bytes: &[u8], index: usize) -> Result<DynamicImage, DocError> {
    use tiff::decoder::DecodingResult;
    use tiff::ColorType;
    let mut d = tiff_decoder(bytes)?;
    d.seek_to_image(index).map_err(tiff_error)?;
    let (w, h) = d.dimensions().map_err(tiff_error)?;
    check_size(w, h)?;
    let ct = d.colortype().map_err(tiff_error)?;
    let data = d.read_image().map_err(tiff_error)?;
    let bad = || {
        DocError::new(
            ErrorCode::Corrupt,
            format!("TIFF page {} has an unexpected pixel layout", index + 1),
        )
    };
    let img = match (ct, data) {
        (ColorType::Gray(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, v).ok_or_else(bad)?)
        }
        (ColorType::Gray(1), DecodingResult::U8(v)) => {
            let stride = w.div_ceil(8) as usize;
            DynamicImage::ImageLuma8(image::GrayImage::from_fn(w, h, |x, y| {
                let byte = v
                    .get(y as usize * stride + x as usize / 8)
                    .copied()
                    .unwrap_or(0xFF);
                let bit = (byte >> (7 - (x % 8))) & 1;
                image::Luma([if bit == 1 { 255 } else { 0 }])
            }))
        }
        (ColorType::Gray(16), DecodingResult::U16(v)) => {
            let v8 = v.iter().map(|p| (p >> 8) as u8).collect();
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, v8).ok_or_else(bad)?)
        }
        (ColorType::RGB(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, v).ok_or_else(bad)?)
        }
        (ColorType::RGBA(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, v).ok_or_else(bad)?)
        }
        (ct, _) => {
            return Err(DocError::new(
                ErrorCode::UnsupportedFormat,
                format!(
                    "TIFF page {} uses colour type {ct:?}, which certscan does not read",
                    index + 1
                ),
            ))
        }
    };
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jpeg_cut_short_is_told_from_a_whole_one() {
        let jpg = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("samples/inputs/sample_centred.jpg"),
        )
        .unwrap();
        assert_eq!(jpeg_damage(&jpg), None);
        let mut trailer = jpg.clone();
        trailer.extend_from_slice(b"camera trailer");
        assert_eq!(jpeg_damage(&trailer), None, "data after the end is allowed");
        for frac in [1, 10, 50, 90, 99] {
            let cut = &jpg[..jpg.len() * frac / 100];
            let d = jpeg_damage(cut).unwrap_or_else(|| panic!("{frac}% not caught"));
            assert!(d.contains("cut short"), "{d}");
        }
        assert!(
            jpeg_damage(&jpg[..jpg.len() - 2]).is_some(),
            "no end marker"
        );
    }

    fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn decodes_png() {
        let d = ImageDocument::open(png_bytes(40, 30), Format::Png).unwrap();
        assert_eq!(d.page_count(), 1);
        let p = d.page(0).unwrap();
        assert_eq!((p.width(), p.height()), (40, 30));
    }

    #[test]
    fn refuses_declared_bomb_before_decoding() {
        // A PNG header that declares 100000 x 100000 pixels.
        let mut b = png_bytes(1, 1);
        b[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        b[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&b[12..29]);
        b[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = ImageDocument::open(b, Format::Png)
            .err()
            .expect("bomb refused");
        assert_eq!(e.code, ErrorCode::TooLarge, "{e}");
    }

    #[test]
    fn truncated_png_is_an_error_not_a_panic() {
        let b = png_bytes(300, 300);
        let cut = b[..b.len() / 2].to_vec();
        let r = ImageDocument::open(cut, Format::Png).and_then(|d| d.page(0));
        assert!(r.is_err());
    }
}
