//! Page images: a scanned page's single embedded image handed out directly
//! (JPEG via the `image` crate, raw Flate pixels unpacked here), else the page
//! rasterised with hayro.

use super::obj::{deref, get, get_array, get_num, nums};
use super::text::{Mat, PageScan};
use crate::error::{DocError, ErrorCode};
use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};
use lopdf::{Document, Object, Stream};
use std::sync::{Arc, OnceLock};

/// Largest image (in pixels) decoded from a PDF: beyond it the page is a
/// decompression bomb rather than a certificate.
pub const MAX_IMAGE_PIXELS: u64 = 150_000_000;
/// Longest side of a rasterised page.
pub const MAX_RASTER_SIDE: f64 = 5000.0;
pub const RASTER_DPI: f64 = 300.0;

/// The image operations that turn an image, as stored, upright on the display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orient {
    Identity,
    FlipH,
    FlipV,
    Rot180,
    Rot90,
    Rot270,
    Transpose,
    AntiTranspose,
}

fn axis(v: (f64, f64)) -> Option<(char, i8)> {
    let (x, y) = v;
    let n = x.hypot(y);
    if n < 1e-9 {
        return None;
    }
    if y.abs() <= 0.01 * n {
        Some(('x', if x > 0.0 { 1 } else { -1 }))
    } else if x.abs() <= 0.01 * n {
        Some(('y', if y > 0.0 { 1 } else { -1 }))
    } else {
        None
    }
}

/// Orientation of an image drawn with `m` (unit square → display, y down),
/// None when it is not axis-aligned.
pub fn orientation(m: &Mat) -> Option<Orient> {
    let du = axis(m.apply_vec(1.0, 0.0))?; // image x (columns)
    let dv = axis(m.apply_vec(0.0, -1.0))?; // image rows go down = -y in the unit square
    Some(match (du, dv) {
        (('x', 1), ('y', 1)) => Orient::Identity,
        (('x', -1), ('y', 1)) => Orient::FlipH,
        (('x', 1), ('y', -1)) => Orient::FlipV,
        (('x', -1), ('y', -1)) => Orient::Rot180,
        (('y', 1), ('x', -1)) => Orient::Rot90,
        (('y', -1), ('x', 1)) => Orient::Rot270,
        (('y', 1), ('x', 1)) => Orient::Transpose,
        (('y', -1), ('x', -1)) => Orient::AntiTranspose,
        _ => return None,
    })
}

pub fn apply_orientation(img: DynamicImage, o: Orient) -> DynamicImage {
    match o {
        Orient::Identity => img,
        Orient::FlipH => img.fliph(),
        Orient::FlipV => img.flipv(),
        Orient::Rot180 => img.rotate180(),
        Orient::Rot90 => img.rotate90(),
        Orient::Rot270 => img.rotate270(),
        Orient::Transpose => img.rotate90().fliph(),
        Orient::AntiTranspose => img.rotate90().flipv(),
    }
}

/// Outcome of trying the direct path.
pub enum Direct {
    Image(DynamicImage),
    /// Not a simple scanned page (or an encoding we leave to hayro).
    NotApplicable,
}

/// A page is a scanned page when it paints one image over most of the page and
/// nothing visible besides (at most a background fill).
pub fn direct_image(doc: &Document, scan: &PageScan) -> Result<Direct, DocError> {
    if scan.images.len() != 1 || scan.paint_ops > 2 {
        return Ok(Direct::NotApplicable);
    }
    if scan.glyphs.iter().any(|g| !g.invisible) {
        return Ok(Direct::NotApplicable);
    }
    let draw = &scan.images[0];
    let Some(id) = draw.id else {
        return Ok(Direct::NotApplicable);
    };
    if super::text::image_coverage(scan) < 0.5 {
        return Ok(Direct::NotApplicable);
    }
    let Some(orient) = orientation(&draw.m) else {
        return Ok(Direct::NotApplicable);
    };
    let Ok(Object::Stream(stream)) = doc.get_object(id) else {
        return Ok(Direct::NotApplicable);
    };
    match decode_image(doc, stream)? {
        Some(img) => Ok(Direct::Image(apply_orientation(img, orient))),
        None => Ok(Direct::NotApplicable),
    }
}

fn filters(doc: &Document, s: &Stream) -> Vec<Vec<u8>> {
    match s.dict.get(b"Filter").ok().map(|o| deref(doc, o)) {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match deref(doc, o) {
                Object::Name(n) => Some(n.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[derive(Debug)]
enum Cs {
    Gray,
    Rgb,
    Cmyk,
    /// Base colour space components and the palette.
    Indexed(Box<Cs>, Vec<u8>, u32),
}

impl Cs {
    fn comps(&self) -> usize {
        match self {
            Cs::Gray | Cs::Indexed(..) => 1,
            Cs::Rgb => 3,
            Cs::Cmyk => 4,
        }
    }
}

fn colour_space(doc: &Document, o: &Object, depth: usize) -> Option<Cs> {
    if depth > 4 {
        return None;
    }
    match deref(doc, o) {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => Some(Cs::Gray),
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(Cs::Rgb),
            b"DeviceCMYK" | b"CMYK" => Some(Cs::Cmyk),
            _ => None,
        },
        Object::Array(a) => {
            let Some(Object::Name(kind)) = a.first().map(|o| deref(doc, o)) else {
                return None;
            };
            match kind.as_slice() {
                b"CalGray" => Some(Cs::Gray),
                b"CalRGB" => Some(Cs::Rgb),
                b"ICCBased" => {
                    let Object::Stream(s) = deref(doc, a.get(1)?) else {
                        return None;
                    };
                    match get_num(doc, &s.dict, b"N").map(|n| n as i64) {
                        Some(1) => Some(Cs::Gray),
                        Some(3) => Some(Cs::Rgb),
                        Some(4) => Some(Cs::Cmyk),
                        _ => s
                            .dict
                            .get(b"Alternate")
                            .ok()
                            .and_then(|alt| colour_space(doc, alt, depth + 1)),
                    }
                }
                b"Indexed" | b"I" => {
                    let base = colour_space(doc, a.get(1)?, depth + 1)?;
                    if matches!(base, Cs::Indexed(..)) {
                        return None;
                    }
                    let hival = super::obj::num_d(doc, a.get(2)?)?.max(0.0) as u32;
                    let lookup = match deref(doc, a.get(3)?) {
                        Object::String(s, _) => s.clone(),
                        Object::Stream(s) => s.get_plain_content_with_limit(1 << 20).ok()?,
                        _ => return None,
                    };
                    Some(Cs::Indexed(Box::new(base), lookup, hival.min(255)))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Refuses pages that paint an image too large to decode (decompression bombs)
/// before anything decodes it.
pub fn check_image_sizes(doc: &Document, scan: &PageScan) -> Result<(), DocError> {
    for im in &scan.images {
        let Some(id) = im.id else {
            continue;
        };
        let Ok(Object::Stream(s)) = doc.get_object(id) else {
            continue;
        };
        let w = get_num(doc, &s.dict, b"Width").unwrap_or(0.0).max(0.0) as u64;
        let h = get_num(doc, &s.dict, b"Height").unwrap_or(0.0).max(0.0) as u64;
        if w.saturating_mul(h) > MAX_IMAGE_PIXELS {
            return Err(DocError::new(
                ErrorCode::TooLarge,
                format!("page paints a {w}x{h} pixel image, beyond the limit"),
            ));
        }
    }
    Ok(())
}

/// The encoded bytes of a DCTDecode (JPEG) or CCITTFaxDecode image stream:
/// its content with the filters before the image filter (`pre`, e.g.
/// ASCII85Decode) undone; None if they fail.
fn encoded_bytes<'a>(s: &'a Stream, pre: &[Vec<u8>]) -> Option<std::borrow::Cow<'a, [u8]>> {
    if pre.is_empty() {
        return Some(std::borrow::Cow::Borrowed(&s.content));
    }
    let mut dict = lopdf::Dictionary::new();
    let names = pre.iter().map(|n| Object::Name(n.clone())).collect();
    dict.set("Filter", Object::Array(names));
    let tmp = Stream::new(dict, s.content.clone());
    tmp.decompressed_content_with_limit(MAX_IMAGE_PIXELS as usize)
        .ok()
        .map(std::borrow::Cow::Owned)
}

/// Refuses a page whose JPEG (DCTDecode) image data is cut short or damaged:
/// the decoders fill what is missing with grey without a word, and the page
/// would be read as blank (issue 19, 10).
pub fn check_jpeg_data(doc: &Document, scan: &PageScan, index: usize) -> Result<(), DocError> {
    for im in &scan.images {
        let Some(id) = im.id else {
            continue;
        };
        let Ok(Object::Stream(s)) = doc.get_object(id) else {
            continue;
        };
        let f = filters(doc, s);
        if !matches!(f.last().map(|x| x.as_slice()), Some(b"DCTDecode" | b"DCT")) {
            continue;
        }
        let pre = &f[..f.len() - 1];
        if !pre.iter().all(|x| plain_filter(x)) {
            continue;
        }
        let Some(jpeg) = encoded_bytes(s, pre) else {
            continue;
        };
        if let Some(damage) = crate::load::image::jpeg_damage(&jpeg) {
            return Err(DocError::new(
                ErrorCode::Truncated,
                format!("the JPEG image on page {} {damage}", index + 1),
            ));
        }
    }
    Ok(())
}

/// Widest CCITT fax image decoded (its /Columns; as for any page image).
const MAX_CCITT_COLUMNS: u64 = 65_535;

/// Refuses a page whose CCITT fax image data is damaged or cut short: the
/// renderer keeps the rows decoded before the damage and leaves the rest
/// white without a word (a junk stream decodes to a few rows), and the page
/// would be read as blank (issue 19, 10; as for JBIG2, JPEG 2000 and JPEG).
/// The data is decoded here with the renderer's own decoder and settings
/// (hayro-ccitt, lenient), counting rows: an error before 99 % of the
/// image's rows is damage.
pub fn check_ccitt_data(doc: &Document, scan: &PageScan, index: usize) -> Result<(), DocError> {
    for im in &scan.images {
        let Some(id) = im.id else {
            continue;
        };
        let Ok(Object::Stream(s)) = doc.get_object(id) else {
            continue;
        };
        let f = filters(doc, s);
        if !matches!(
            f.last().map(|x| x.as_slice()),
            Some(b"CCITTFaxDecode" | b"CCF")
        ) {
            continue;
        }
        let pre = &f[..f.len() - 1];
        if !pre.iter().all(|x| plain_filter(x)) {
            continue;
        }
        let Some(data) = encoded_bytes(s, pre) else {
            continue;
        };
        let parms = ccitt_parms(doc, s);
        let num = |k: &[u8]| parms.and_then(|p| get_num(doc, p, k));
        let flag = |k: &[u8], default: bool| match parms.and_then(|p| get(doc, p, k)) {
            Some(Object::Boolean(b)) => *b,
            _ => default,
        };
        let height = get_num(doc, &s.dict, b"Height").unwrap_or(0.0);
        let rows = if height >= 1.0 {
            height
        } else {
            num(b"Rows").unwrap_or(0.0)
        };
        let columns = num(b"Columns").unwrap_or(1728.0);
        if columns.is_nan()
            || columns < 1.0
            || columns > MAX_CCITT_COLUMNS as f32
            || rows > 65_535.0
        {
            return Err(DocError::new(
                ErrorCode::TooLarge,
                format!(
                    "the CCITT fax image on page {} is {columns} columns by {rows} rows, \
                     beyond the limit",
                    index + 1
                ),
            ));
        }
        let k = num(b"K").unwrap_or(0.0);
        let settings = hayro_ccitt::DecodeSettings {
            columns: columns as u32,
            rows: rows.max(0.0) as u32,
            end_of_block: flag(b"EndOfBlock", true),
            end_of_line: flag(b"EndOfLine", false),
            rows_are_byte_aligned: flag(b"EncodedByteAlign", false),
            encoding: if k < 0.0 {
                hayro_ccitt::EncodingMode::Group4
            } else if k == 0.0 {
                hayro_ccitt::EncodingMode::Group3_1D
            } else {
                hayro_ccitt::EncodingMode::Group3_2D
            },
            strict: false,
        };
        if let Some((code, damage)) = ccitt_damage(&data, settings) {
            return Err(DocError::new(
                code,
                format!("the CCITT fax image on page {} {damage}", index + 1),
            ));
        }
    }
    Ok(())
}

/// The DecodeParms of a stream's last filter.
fn ccitt_parms<'a>(doc: &'a Document, s: &'a Stream) -> Option<&'a lopdf::Dictionary> {
    let p = s
        .dict
        .get(b"DecodeParms")
        .or_else(|_| s.dict.get(b"DP"))
        .ok()
        .map(|o| deref(doc, o))?;
    match p {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => match a.last().map(|o| deref(doc, o)) {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        },
        _ => None,
    }
}

/// Why CCITT fax data cannot give the image `settings` describe: its decoding
/// fails before 99 % of the rows (or gives none), with the error code for it.
pub fn ccitt_damage(
    data: &[u8],
    settings: hayro_ccitt::DecodeSettings,
) -> Option<(ErrorCode, String)> {
    struct Rows(u32);
    impl hayro_ccitt::Decoder for Rows {
        fn push_row(&mut self, _: &[u32]) {
            self.0 += 1;
        }
    }
    let mut rows = Rows(0);
    let mut ctx = hayro_ccitt::DecoderContext::new(settings);
    let want = settings.rows;
    let result = hayro_ccitt::decode(data, &mut rows, &mut ctx);
    let got = rows.0;
    match result {
        Err(e) if u64::from(got) * 100 < u64::from(want) * 99 || got == 0 => {
            let code = if e == hayro_ccitt::DecodeError::UnexpectedEof {
                ErrorCode::Truncated
            } else {
                ErrorCode::Corrupt
            };
            let what = if code == ErrorCode::Truncated {
                "is cut short"
            } else {
                "is damaged"
            };
            let of = if want > 0 {
                format!(" of {want}")
            } else {
                String::new()
            };
            Some((
                code,
                format!("{what}: its data fails ({e}) after {got} row(s){of}"),
            ))
        }
        Ok(_) if got == 0 && want > 0 => Some((
            ErrorCode::Corrupt,
            format!("is damaged: its data gives none of its {want} rows"),
        )),
        _ => None,
    }
}

/// Filters lopdf decodes itself.
fn plain_filter(name: &[u8]) -> bool {
    matches!(
        name,
        b"FlateDecode"
            | b"Fl"
            | b"LZWDecode"
            | b"LZW"
            | b"ASCII85Decode"
            | b"A85"
            | b"ASCIIHexDecode"
            | b"AHx"
            | b"RunLengthDecode"
            | b"RL"
    )
}

fn cmyk_to_rgb(c: f32, m: f32, y: f32, k: f32) -> [u8; 3] {
    let f = |v: f32| (255.0 * (1.0 - v) * (1.0 - k)).round().clamp(0.0, 255.0) as u8;
    [f(c), f(m), f(y)]
}

/// Decodes an image XObject, None when it is an encoding left to hayro.
fn decode_image(doc: &Document, s: &Stream) -> Result<Option<DynamicImage>, DocError> {
    let d = &s.dict;
    let w = get_num(doc, d, b"Width").unwrap_or(0.0);
    let h = get_num(doc, d, b"Height").unwrap_or(0.0);
    if !(w >= 1.0 && h >= 1.0) {
        return Ok(None);
    }
    let (w, h) = (w as u64, h as u64);
    if w * h > MAX_IMAGE_PIXELS || w > 65_535 || h > 65_535 {
        return Err(DocError::new(
            ErrorCode::TooLarge,
            format!("embedded page image is {w}x{h} pixels, beyond the limit"),
        ));
    }
    if d.has(b"SMask") || d.has(b"Mask") {
        return Ok(None); // needs compositing: let hayro do it
    }
    let image_mask = matches!(get(doc, d, b"ImageMask"), Some(Object::Boolean(true)));
    let decode = get_array(doc, d, b"Decode").and_then(|a| nums(doc, a));
    let f = filters(doc, s);
    let cs = if image_mask {
        Some(Cs::Gray)
    } else {
        d.get(b"ColorSpace")
            .ok()
            .and_then(|o| colour_space(doc, o, 0))
    };

    if matches!(f.last().map(|x| x.as_slice()), Some(b"DCTDecode" | b"DCT")) {
        let pre = &f[..f.len() - 1];
        if !pre.iter().all(|x| plain_filter(x)) {
            return Ok(None);
        }
        // CMYK JPEGs (often Adobe-inverted) are left to hayro.
        if matches!(cs, Some(Cs::Cmyk) | Some(Cs::Indexed(..))) {
            return Ok(None);
        }
        // Undo the filters before DCTDecode (reportlab writes [/ASCII85Decode /DCTDecode]).
        let Some(jpeg) = encoded_bytes(s, pre) else {
            return Ok(None);
        };
        let mut reader =
            image::ImageReader::with_format(std::io::Cursor::new(&*jpeg), ImageFormat::Jpeg);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4);
        limits.max_image_width = Some(65_535);
        limits.max_image_height = Some(65_535);
        reader.limits(limits);
        let Ok(mut img) = reader.decode() else {
            return Ok(None);
        };
        if let Some(dec) = &decode {
            if dec.len() >= 2 && dec[0] > dec[1] {
                img.invert();
            }
        }
        return Ok(Some(img));
    }
    if !f.iter().all(|x| plain_filter(x)) {
        return Ok(None); // JPX, CCITT, JBIG2, ...: hayro
    }
    let Some(cs) = cs else {
        return Ok(None);
    };
    let bpc = if image_mask {
        1
    } else {
        get_num(doc, d, b"BitsPerComponent").unwrap_or(8.0) as u32
    };
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Ok(None);
    }
    let n = cs.comps();
    let stride = (w as usize * n * bpc as usize).div_ceil(8);
    let need = stride * h as usize;
    let data = match s.decompressed_content_with_limit(need + need / 4 + 4096) {
        Ok(v) => v,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(DocError::new(
                ErrorCode::TooLarge,
                "embedded page image decompresses beyond its declared size",
            ))
        }
        Err(_) if f.is_empty() => s.content.clone(),
        Err(_) => return Ok(None),
    };
    Ok(Some(unpack(
        &data,
        w as usize,
        h as usize,
        bpc,
        &cs,
        decode.as_deref(),
    )))
}

/// An image's samples as a PDF image stream holds them: `w`×`h` of
/// `bpc`-bit components of colour space `cs`, mapped by `decode`.
#[derive(Clone, Copy)]
struct RawImage<'a> {
    data: &'a [u8],
    w: usize,
    h: usize,
    bpc: u32,
    cs: &'a Cs,
    decode: Option<&'a [f32]>,
}

fn unpack(
    data: &[u8],
    w: usize,
    h: usize,
    bpc: u32,
    cs: &Cs,
    decode: Option<&[f32]>,
) -> DynamicImage {
    let r = RawImage {
        data,
        w,
        h,
        bpc,
        cs,
        decode,
    };
    if let Some(img) = unpack_8bit(r) {
        return img;
    }
    let s = Samples::new(data, w, bpc, cs, decode);
    let byte = |v: f32| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    match cs {
        Cs::Gray => {
            let mut out = GrayImage::new(w as u32, h as u32);
            for y in 0..h {
                let row = s.row(y);
                for x in 0..w {
                    let v = s.value(row, x, 0);
                    out.put_pixel(x as u32, y as u32, image::Luma([byte(v)]));
                }
            }
            DynamicImage::ImageLuma8(out)
        }
        _ => {
            let mut out = RgbImage::new(w as u32, h as u32);
            for y in 0..h {
                let row = s.row(y);
                for x in 0..w {
                    let px = match cs {
                        Cs::Rgb => {
                            let f = |c: usize| byte(s.value(row, x * 3 + c, c));
                            [f(0), f(1), f(2)]
                        }
                        Cs::Cmyk => {
                            let f = |c: usize| s.value(row, x * 4 + c, c).clamp(0.0, 1.0);
                            cmyk_to_rgb(f(0), f(1), f(2), f(3))
                        }
                        Cs::Indexed(base, lut, hival) => {
                            let idx =
                                (s.value(row, x, 0).round().max(0.0) as u32).min(*hival) as usize;
                            indexed_rgb(base, lut, idx)
                        }
                        Cs::Gray => [0, 0, 0],
                    };
                    out.put_pixel(x as u32, y as u32, image::Rgb(px));
                }
            }
            DynamicImage::ImageRgb8(out)
        }
    }
}

/// Fast path: 8-bit gray or RGB with the default decode (most scans).
fn unpack_8bit(r: RawImage) -> Option<DynamicImage> {
    let RawImage {
        data,
        w,
        h,
        bpc,
        cs,
        decode,
    } = r;
    let default_decode = decode.is_none_or(|d| {
        d.chunks(2)
            .all(|p| p.len() == 2 && p[0] == 0.0 && p[1] == 1.0)
    });
    if bpc != 8 || !default_decode || !matches!(cs, Cs::Gray | Cs::Rgb) {
        return None;
    }
    let need = w * h * cs.comps();
    let mut buf = data[..need.min(data.len())].to_vec();
    buf.resize(need, 0xFF);
    match cs {
        Cs::Gray => GrayImage::from_raw(w as u32, h as u32, buf).map(DynamicImage::ImageLuma8),
        _ => RgbImage::from_raw(w as u32, h as u32, buf).map(DynamicImage::ImageRgb8),
    }
}

/// An image's samples: rows of `bpc`-bit values (missing bytes read as
/// 0xFF), each component mapped through its decode range.
struct Samples<'a> {
    data: &'a [u8],
    stride: usize,
    bpc: u32,
    maxv: f32,
    ranges: Vec<(f32, f32)>,
}

impl<'a> Samples<'a> {
    fn new(data: &'a [u8], w: usize, bpc: u32, cs: &Cs, decode: Option<&[f32]>) -> Samples<'a> {
        let n = cs.comps();
        let maxv = ((1u32 << bpc) - 1) as f32;
        // Decode ranges per component (an index of an indexed space ranges
        // over the table).
        let ranges = (0..n)
            .map(|c| match decode {
                Some(dv) if dv.len() >= 2 * (c + 1) => (dv[2 * c], dv[2 * c + 1]),
                _ => match cs {
                    Cs::Indexed(..) => (0.0, maxv),
                    _ => (0.0, 1.0),
                },
            })
            .collect();
        Samples {
            data,
            stride: (w * n * bpc as usize).div_ceil(8),
            bpc,
            maxv,
            ranges,
        }
    }

    fn row(&self, y: usize) -> &'a [u8] {
        self.data.get(y * self.stride..).unwrap_or(&[])
    }

    /// Sample `i` of a row, raw.
    fn raw(&self, row: &[u8], i: usize) -> u32 {
        match self.bpc {
            8 => u32::from(*row.get(i).unwrap_or(&0xFF)),
            16 => {
                let hi = *row.get(2 * i).unwrap_or(&0xFF);
                let lo = *row.get(2 * i + 1).unwrap_or(&0xFF);
                u32::from(u16::from_be_bytes([hi, lo]))
            }
            bpc => {
                let bit = i * bpc as usize;
                let byte = *row.get(bit / 8).unwrap_or(&0xFF);
                let shift = 8 - bpc as usize - (bit % 8);
                (u32::from(byte) >> shift) & ((1 << bpc) - 1)
            }
        }
    }

    /// Sample `i` of a row as a value of component `c`.
    fn value(&self, row: &[u8], i: usize, c: usize) -> f32 {
        let (a, b) = self.ranges[c];
        a + self.raw(row, i) as f32 * (b - a) / self.maxv
    }
}

/// The colour of entry `idx` of an indexed colour space's table.
fn indexed_rgb(base: &Cs, lut: &[u8], idx: usize) -> [u8; 3] {
    let bn = base.comps();
    let get = |c: usize| *lut.get(idx * bn + c).unwrap_or(&0);
    match base {
        Cs::Gray => [get(0); 3],
        Cs::Rgb => [get(0), get(1), get(2)],
        Cs::Cmyk => cmyk_to_rgb(
            f32::from(get(0)) / 255.0,
            f32::from(get(1)) / 255.0,
            f32::from(get(2)) / 255.0,
            f32::from(get(3)) / 255.0,
        ),
        Cs::Indexed(..) => [0, 0, 0],
    }
}

// ---------------------------------------------------------------------------
// hayro.

/// A CJK font for non-embedded CJK fonts: (data, index in the collection).
fn cjk_font(traditional: bool) -> Option<(hayro::hayro_interpret::font::FontData, u32)> {
    type Loaded = Option<Arc<Vec<u8>>>;
    static NOTO: OnceLock<Loaded> = OnceLock::new();
    static WQY: OnceLock<Loaded> = OnceLock::new();
    let load = |p: &str| std::fs::read(p).ok().map(Arc::new);
    if let Some(d) =
        NOTO.get_or_init(|| load("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"))
    {
        // NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK.
        let data: hayro::hayro_interpret::font::FontData = d.clone();
        return Some((data, if traditional { 3 } else { 2 }));
    }
    if let Some(d) = WQY.get_or_init(|| {
        load("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
            .or_else(|| load("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
    }) {
        let data: hayro::hayro_interpret::font::FontData = d.clone();
        return Some((data, 0));
    }
    None
}

fn looks_cjk_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    !name.is_ascii()
        || [
            "song", "hei", "kai", "ming", "fang", "yuan", "sim", "stsong", "msung", "mhei",
            "gothic", "mincho", "batang", "gulim", "dotum", "cjk", "yahei", "pmingliu", "dfkai",
            "hysm", "hygo", "kozmin", "kozgo", "heisei", "zenhei",
        ]
        .iter()
        .any(|k| l.contains(k))
}

fn interpreter_settings() -> hayro::hayro_interpret::InterpreterSettings {
    use hayro::hayro_interpret::font::FontQuery;
    use hayro::hayro_interpret::hayro_cmap::CidFamily;
    hayro::hayro_interpret::InterpreterSettings {
        font_resolver: Arc::new(|query: &FontQuery| match query {
            FontQuery::Standard(s) => Some(s.get_font_data()),
            FontQuery::Fallback(f) => {
                let cjk = match f.character_collection.as_ref().map(|c| &c.family) {
                    Some(CidFamily::AdobeGB1)
                    | Some(CidFamily::AdobeJapan1)
                    | Some(CidFamily::AdobeKorea1) => Some(false),
                    Some(CidFamily::AdobeCNS1) => Some(true),
                    _ => {
                        let name = f
                            .post_script_name
                            .clone()
                            .or_else(|| f.font_name.clone())
                            .unwrap_or_default();
                        looks_cjk_name(&name).then_some(false)
                    }
                };
                if let Some(trad) = cjk {
                    if let Some(font) = cjk_font(trad) {
                        return Some(font);
                    }
                }
                Some(f.pick_standard_font().get_font_data())
            }
        }),
        ..Default::default()
    }
}

/// Rasterises page `index` with hayro at 300 dpi (longest side capped).
pub fn rasterise(bytes: &Arc<Vec<u8>>, index: usize) -> Result<DynamicImage, DocError> {
    use hayro::hayro_syntax::Pdf;
    let pdf = Pdf::new(bytes.clone()).map_err(|e| {
        DocError::new(
            ErrorCode::Corrupt,
            format!("the PDF renderer cannot read this file ({e:?})"),
        )
    })?;
    let pages = pdf.pages();
    let Some(page) = pages.get(index) else {
        return Err(DocError::new(
            ErrorCode::Corrupt,
            format!(
                "the PDF renderer finds no page {} (it sees {} pages)",
                index + 1,
                pages.len()
            ),
        ));
    };
    let (w, h) = page.render_dimensions();
    let (w, h) = (f64::from(w), f64::from(h));
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return Err(DocError::new(ErrorCode::Corrupt, "page has no usable size"));
    }
    let scale = (RASTER_DPI / 72.0).min(MAX_RASTER_SIDE / w.max(h));
    // hayro truncates the pixel size; aim a hair above the rounded size so that
    // the image has the same size as a text-layer page (rounded).
    let (tw, th) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let (x_scale, y_scale) = (((tw + 0.01) / w) as f32, ((th + 0.01) / h) as f32);
    let cache = hayro::RenderCache::new();
    // An image the renderer cannot decode (damaged JBIG2, JPEG 2000, CCITT
    // or JPEG data) would leave its place blank: the page is an error
    // naming the damage instead (issue 19, 10).
    let failed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut settings = interpreter_settings();
    let f2 = failed.clone();
    settings.warning_sink = Arc::new(move |w| {
        if matches!(
            w,
            hayro::hayro_interpret::InterpreterWarning::ImageDecodeFailure
        ) {
            f2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let pixmap = hayro::render(
        page,
        &cache,
        &settings,
        &hayro::RenderSettings::default(),
        &hayro::PixmapSettings {
            x_scale,
            y_scale,
            bg_color: hayro::vello_cpu::color::palette::css::WHITE,
        },
    );
    let n_failed = failed.load(std::sync::atomic::Ordering::Relaxed);
    if n_failed > 0 {
        let kinds = image_filters_of_page(bytes, index);
        return Err(DocError::new(
            ErrorCode::Corrupt,
            format!(
                "{n_failed} image(s) on page {} cannot be decoded: damaged {} data",
                index + 1,
                if kinds.is_empty() {
                    "image".to_string()
                } else {
                    kinds.join("/")
                }
            ),
        ));
    }
    let (pw, ph) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    if pw == 0 || ph == 0 {
        return Err(DocError::new(
            ErrorCode::Corrupt,
            "page rendered to an empty image",
        ));
    }
    let rgba = pixmap.data_as_u8_slice();
    let mut rgb = Vec::with_capacity((pw * ph * 3) as usize);
    for px in rgba.chunks_exact(4) {
        // Premultiplied over an opaque white background: alpha is 255.
        rgb.extend_from_slice(&px[..3]);
    }
    RgbImage::from_raw(pw, ph, rgb)
        .map(DynamicImage::ImageRgb8)
        .ok_or_else(|| DocError::new(ErrorCode::Corrupt, "rendered image has an unexpected size"))
}

/// The encodings (JBIG2, JPEG 2000, CCITT, JPEG, ...) of the images page
/// `index` paints, for messages.
fn image_filters_of_page(bytes: &[u8], index: usize) -> Vec<String> {
    let Ok(doc) = Document::load_mem(bytes) else {
        return vec![];
    };
    let Some((_, &id)) = doc.get_pages().iter().nth(index) else {
        return vec![];
    };
    let mut out: Vec<String> = Vec::new();
    let Ok((Some(res), _)) = doc.get_page_resources(id) else {
        return out;
    };
    let Some(xobjects) = get(&doc, res, b"XObject").and_then(|o| o.as_dict().ok()) else {
        return out;
    };
    for (_, o) in xobjects.iter() {
        if let Object::Stream(s) = deref(&doc, o) {
            for f in filters(&doc, s) {
                let name = match f.as_slice() {
                    b"JBIG2Decode" => "JBIG2",
                    b"JPXDecode" => "JPEG 2000",
                    b"CCITTFaxDecode" | b"CCF" => "CCITT fax",
                    b"DCTDecode" | b"DCT" => "JPEG",
                    _ => continue,
                };
                if !out.iter().any(|x| x == name) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_of_image_matrices() {
        // Page-space matrices composed with a y-flipping display matrix.
        let flip = Mat::new([1.0, 0.0, 0.0, -1.0, 0.0, 100.0]);
        let o = |m: [f64; 6]| orientation(&Mat::new(m).then(&flip));
        assert_eq!(o([50.0, 0.0, 0.0, 30.0, 0.0, 0.0]), Some(Orient::Identity));
        assert_eq!(o([-50.0, 0.0, 0.0, 30.0, 50.0, 0.0]), Some(Orient::FlipH));
        assert_eq!(o([50.0, 0.0, 0.0, -30.0, 0.0, 30.0]), Some(Orient::FlipV));
        assert_eq!(
            o([-50.0, 0.0, 0.0, -30.0, 50.0, 30.0]),
            Some(Orient::Rot180)
        );
        // Drawn rotated 90° counter-clockwise on the page: what the page shows
        // is the stored image turned counter-clockwise (= 270° clockwise).
        assert_eq!(o([0.0, 50.0, -30.0, 0.0, 30.0, 0.0]), Some(Orient::Rot270));
        assert_eq!(o([0.0, -50.0, 30.0, 0.0, 0.0, 50.0]), Some(Orient::Rot90));
        assert_eq!(
            o([35.0, 35.0, -20.0, 20.0, 0.0, 0.0]),
            None,
            "45° is not axis-aligned"
        );
    }

    #[test]
    fn orientation_ops_move_pixels() {
        // 2x1 image: left black, right white.
        let img = DynamicImage::ImageLuma8(GrayImage::from_raw(2, 1, vec![0, 255]).unwrap());
        let r = apply_orientation(img.clone(), Orient::Rot90).to_luma8();
        assert_eq!((r.width(), r.height()), (1, 2));
        assert_eq!(r.as_raw(), &vec![0, 255], "left goes to the top");
        let t = apply_orientation(img, Orient::Transpose).to_luma8();
        assert_eq!(t.as_raw(), &vec![0, 255]);
    }

    #[test]
    fn unpack_bit_depths_decode_and_palettes() {
        // 1-bit gray 0 = black, with /Decode [1 0] inverted.
        let g = unpack(&[0b1010_0000], 3, 1, 1, &Cs::Gray, None).to_luma8();
        assert_eq!(g.as_raw(), &vec![255, 0, 255]);
        let g = unpack(&[0b1010_0000], 3, 1, 1, &Cs::Gray, Some(&[1.0, 0.0])).to_luma8();
        assert_eq!(g.as_raw(), &vec![0, 255, 0]);
        // 4-bit gray.
        let g = unpack(&[0xF0], 2, 1, 4, &Cs::Gray, None).to_luma8();
        assert_eq!(g.as_raw(), &vec![255, 0]);
        // 16-bit RGB.
        let g = unpack(&[0xFF, 0xFF, 0, 0, 0x80, 0], 1, 1, 16, &Cs::Rgb, None).to_rgb8();
        assert_eq!(g.as_raw(), &vec![255, 0, 128]);
        // CMYK: pure cyan, black.
        let c = unpack(&[255, 0, 0, 0, 0, 0, 0, 255], 2, 1, 8, &Cs::Cmyk, None).to_rgb8();
        assert_eq!(c.as_raw(), &vec![0, 255, 255, 0, 0, 0]);
        // Indexed over RGB, 2-bit indices.
        let pal = Cs::Indexed(Box::new(Cs::Rgb), vec![255, 0, 0, 0, 255, 0, 0, 0, 255], 2);
        let i = unpack(&[0b0001_1000], 3, 1, 2, &pal, None).to_rgb8();
        assert_eq!(i.as_raw(), &vec![255, 0, 0, 0, 255, 0, 0, 0, 255]);
        // Short data: missing rows come out white.
        let g = unpack(&[0, 0], 2, 2, 8, &Cs::Gray, None).to_luma8();
        assert_eq!(g.as_raw(), &vec![0, 0, 255, 255]);
    }
}
