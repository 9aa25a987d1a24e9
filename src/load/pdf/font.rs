//! PDF fonts, as far as text extraction needs them: how a shown string splits
//! into character codes, what Unicode text each code stands for, and how far
//! each glyph advances.
//!
//! Composite (Type0) fonts: `/ToUnicode` first, then the predefined CMap by
//! name (UCS2/UTF16 → UTF-16BE, GB*/GBK* → GBK/GB18030, Big5 → Big5, ...),
//! then, for a non-embedded font of an Adobe character collection, its
//! CID → Unicode table. `Identity-H` with no ToUnicode and an embedded font
//! stays unmapped (U+FFFD), which makes the page fall back to OCR.
//! Simple fonts: `/ToUnicode`, else `/Encoding` (base encoding + Differences).

use super::cmap::CMap;
use super::obj::{
    deref, get, get_array, get_dict, get_name, get_num, get_stream, num_d, nums, stream_data,
    AUX_STREAM_LIMIT,
};
use hayro::hayro_interpret::hayro_cmap::{self, CMapName};
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// One decoded character code.
#[derive(Debug, Clone)]
pub struct Glyph {
    /// Unicode text; None when the code maps to nothing known.
    pub text: Option<String>,
    /// Advance in 1/1000 of the font size.
    pub width: f32,
    /// Single-byte code 32: word spacing (Tw) applies.
    pub word_space: bool,
}

#[derive(Debug)]
pub struct Font {
    kind: Kind,
    /// Ascent and descent as fractions of the font size (both positive).
    pub ascent: f32,
    pub descent: f32,
    /// Vertical writing mode (`-V` CMaps, WMode 1).
    pub vertical: bool,
}

#[derive(Debug)]
enum Kind {
    Simple {
        codes: Vec<Option<String>>,
        widths: Vec<f32>,
    },
    Composite(Box<Composite>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CEnc {
    Identity,
    Utf16,
    Utf32,
    Utf8,
    Gbk,
    Big5,
    Sjis,
    EucJp,
    EucKr,
    /// Embedded CMap stream.
    Embedded,
    /// Another predefined CMap (via hayro's embedded CMap files).
    Predefined,
}

#[derive(Debug)]
struct Composite {
    enc: CEnc,
    to_unicode: Option<CMap>,
    embedded: Option<CMap>,
    /// Code → CID for a predefined CMap (the encoding, or what an embedded one uses).
    predefined: Option<Arc<hayro_cmap::CMap>>,
    /// CID → Unicode of the font's Adobe character collection, used only when
    /// the CIDs are real collection CIDs (font not embedded, or a predefined CMap).
    ucs2: Option<Arc<hayro_cmap::CMap>>,
    /// Adobe collection (GB1, CNS1, Japan1, Korea1): CIDs 1..95 are ASCII.
    adobe_collection: bool,
    dw: f32,
    w_single: HashMap<u32, f32>,
    w_ranges: Vec<(u32, u32, f32)>,
}

// ---------------------------------------------------------------------------
// Glyph names and simple encodings (lopdf holds the tables; we query them).

fn lopdf_table(encoding: &Object) -> Vec<Option<String>> {
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", encoding.clone());
    let doc = Document::new();
    let mut out = vec![None; 256];
    if let Ok(enc) = font.get_font_encoding(&doc) {
        for (b, slot) in out.iter_mut().enumerate() {
            if let Ok(s) = enc.bytes_to_string(&[b as u8]) {
                if !s.is_empty() {
                    *slot = Some(s);
                }
            }
        }
    }
    out
}

fn base_table(name: &[u8]) -> Arc<Vec<Option<String>>> {
    type Tables = Mutex<HashMap<Vec<u8>, Arc<Vec<Option<String>>>>>;
    static TABLES: OnceLock<Tables> = OnceLock::new();
    let known: &[u8] = match name {
        b"WinAnsiEncoding" | b"MacRomanEncoding" | b"MacExpertEncoding" | b"StandardEncoding" => {
            name
        }
        _ => b"StandardEncoding",
    };
    let m = TABLES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
    g.entry(known.to_vec())
        .or_insert_with(|| Arc::new(lopdf_table(&Object::Name(known.to_vec()))))
        .clone()
}

/// Unicode for a glyph name: `uniXXXX`, `uXXXX[XX]`, Adobe Glyph List names
/// (via lopdf's table), ligatures `f_i`, suffixes `a.sc`.
pub fn glyph_name_to_unicode(name: &[u8]) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Option<String>>>> = OnceLock::new();
    let m = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = m.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return v.clone();
    }
    let v = glyph_name_uncached(name);
    let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
    if g.len() < 20_000 {
        g.insert(name.to_vec(), v.clone());
    }
    v
}

fn glyph_name_uncached(name: &[u8]) -> Option<String> {
    let base = name.split(|&c| c == b'.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    if base.contains(&b'_') {
        let parts: Option<Vec<String>> = base
            .split(|&c| c == b'_')
            .map(glyph_name_uncached)
            .collect();
        return parts.map(|p| p.concat());
    }
    let s = std::str::from_utf8(base).ok()?;
    if let Some(hex) = s.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            let units: Vec<u16> = (0..hex.len() / 4)
                .filter_map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
                .collect();
            return String::from_utf16(&units).ok();
        }
    }
    if let Some(hex) = s.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from);
        }
    }
    // Adobe Glyph List through lopdf: code 0x80 is undefined in
    // StandardEncoding, so an unknown name (which lopdf replaces by the
    // standard encoding) yields nothing.
    let mut enc = Dictionary::new();
    enc.set("Type", Object::Name(b"Encoding".to_vec()));
    enc.set(
        "Differences",
        Object::Array(vec![Object::Integer(0x80), Object::Name(base.to_vec())]),
    );
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", Object::Dictionary(enc));
    let doc = Document::new();
    let out = font
        .get_font_encoding(&doc)
        .ok()
        .and_then(|e| e.bytes_to_string(&[0x80]).ok())
        .filter(|s| !s.is_empty());
    if out.is_some() {
        return out;
    }
    if base.len() == 1 && base[0].is_ascii_graphic() {
        return Some((base[0] as char).to_string());
    }
    None
}

// ---------------------------------------------------------------------------
// Standard 14 font widths (ASCII 32..=126), for simple fonts without /Widths.

const HELVETICA_W: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

const TIMES_W: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];

fn standard_widths(base_font: &[u8]) -> Option<Vec<f32>> {
    let name = strip_subset(base_font);
    let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
    let table: Option<&[u16; 95]> = if lower.starts_with("helvetica") || lower.starts_with("arial")
    {
        Some(&HELVETICA_W)
    } else if lower.starts_with("times") {
        Some(&TIMES_W)
    } else {
        None
    };
    if lower.starts_with("courier") {
        return Some(vec![600.0; 256]);
    }
    let t = table?;
    let mut w = vec![
        if std::ptr::eq(t, &HELVETICA_W) {
            556.0
        } else {
            500.0
        };
        256
    ];
    for (i, v) in t.iter().enumerate() {
        w[32 + i] = f32::from(*v);
    }
    Some(w)
}

fn strip_subset(name: &[u8]) -> &[u8] {
    if name.len() > 7 && name[6] == b'+' && name[..6].iter().all(|c| c.is_ascii_uppercase()) {
        &name[7..]
    } else {
        name
    }
}

// ---------------------------------------------------------------------------
// Predefined CMaps (hayro embeds the binary CMap files).

fn predefined_cmap(name: &[u8]) -> Option<Arc<hayro_cmap::CMap>> {
    type Cache = Mutex<HashMap<Vec<u8>, Option<Arc<hayro_cmap::CMap>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let m = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = m.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return v.clone();
    }
    let parsed = std::panic::catch_unwind(|| {
        let data = hayro_cmap::load_embedded(CMapName::from_bytes(name))?;
        hayro_cmap::CMap::parse(data, hayro_cmap::load_embedded).map(Arc::new)
    })
    .ok()
    .flatten();
    m.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_vec(), parsed.clone());
    parsed
}

fn ucs2_for_ordering(ordering: &[u8]) -> Option<Arc<hayro_cmap::CMap>> {
    let name: &[u8] = match ordering {
        b"GB1" => b"Adobe-GB1-UCS2",
        b"CNS1" => b"Adobe-CNS1-UCS2",
        b"Japan1" => b"Adobe-Japan1-UCS2",
        b"Korea1" => b"Adobe-Korea1-UCS2",
        _ => return None,
    };
    predefined_cmap(name)
}

fn ordering_of_cmap_name(name: &[u8]) -> Option<&'static [u8]> {
    let s = String::from_utf8_lossy(name);
    if s.starts_with("UniGB") || s.starts_with("GB") {
        Some(b"GB1")
    } else if s.starts_with("UniCNS")
        || s.starts_with("B5")
        || s.starts_with("ETen")
        || s.starts_with("HKscs")
        || s.starts_with("CNS")
    {
        Some(b"CNS1")
    } else if s.starts_with("UniJIS")
        || s.contains("RKSJ")
        || s.starts_with("EUC")
        || s == "H"
        || s == "V"
    {
        Some(b"Japan1")
    } else if s.starts_with("UniKS") || s.starts_with("KSC") {
        Some(b"Korea1")
    } else {
        None
    }
}

fn cenc_for_name(name: &[u8]) -> CEnc {
    let s = String::from_utf8_lossy(name);
    if s.starts_with("Identity") {
        CEnc::Identity
    } else if s.starts_with("Uni") && (s.contains("UCS2") || s.contains("UTF16")) {
        CEnc::Utf16
    } else if s.starts_with("Uni") && s.contains("UTF32") {
        CEnc::Utf32
    } else if s.starts_with("Uni") && s.contains("UTF8") {
        CEnc::Utf8
    } else if s.starts_with("GB") {
        // GB-EUC, GBpc-EUC, GBK-EUC, GBKp-EUC, GBK2K, GBT-EUC
        CEnc::Gbk
    } else if s.starts_with("B5") || s.starts_with("ETen") || s.starts_with("HKscs") {
        CEnc::Big5
    } else if s.contains("RKSJ") {
        CEnc::Sjis
    } else if s == "EUC-H" || s == "EUC-V" {
        CEnc::EucJp
    } else if s.starts_with("KSC") && s.contains("EUC") {
        CEnc::EucKr
    } else {
        CEnc::Predefined
    }
}

// ---------------------------------------------------------------------------
// Loading.

fn descriptor_metrics(doc: &Document, fd: Option<&Dictionary>) -> (f32, f32) {
    let mut ascent = 0.8;
    let mut descent = 0.2;
    if let Some(fd) = fd {
        if let Some(a) = get_num(doc, fd, b"Ascent") {
            if a > 300.0 && a < 1300.0 {
                ascent = a / 1000.0;
            }
        }
        if let Some(d) = get_num(doc, fd, b"Descent") {
            let d = -d;
            if d > 20.0 && d < 600.0 {
                descent = d / 1000.0;
            }
        }
    }
    (ascent, descent)
}

fn read_to_unicode(doc: &Document, font: &Dictionary) -> Option<CMap> {
    let s = get_stream(doc, font, b"ToUnicode")?;
    let data = stream_data(s, AUX_STREAM_LIMIT)?;
    let cm = CMap::parse(&data);
    cm.has_unicode().then_some(cm)
}

pub fn load_font(doc: &Document, font: &Dictionary) -> Font {
    let subtype = get_name(doc, font, b"Subtype").unwrap_or(b"Type1");
    if subtype == b"Type0" {
        load_composite(doc, font)
    } else {
        load_simple(doc, font, subtype == b"Type3")
    }
}

fn load_simple(doc: &Document, font: &Dictionary, type3: bool) -> Font {
    let to_unicode = read_to_unicode(doc, font);
    let subtype = get_name(doc, font, b"Subtype").unwrap_or(b"Type1");
    let fd = get_dict(doc, font, b"FontDescriptor");

    // Base encoding + Differences.
    let mut table: Vec<Option<String>>;
    let default_base: &[u8] = if subtype == b"TrueType" {
        b"WinAnsiEncoding"
    } else {
        b"StandardEncoding"
    };
    match get(doc, font, b"Encoding") {
        Some(Object::Name(n)) => table = (*base_table(n)).clone(),
        Some(Object::Dictionary(d)) => {
            let base = get_name(doc, d, b"BaseEncoding").unwrap_or(default_base);
            table = (*base_table(base)).clone();
            if let Some(diff) = get_array(doc, d, b"Differences") {
                let mut code: i64 = 0;
                for o in diff {
                    match deref(doc, o) {
                        Object::Integer(i) => code = *i,
                        Object::Name(n) => {
                            if (0..256).contains(&code) {
                                table[code as usize] = glyph_name_to_unicode(n);
                            }
                            code += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
        _ => table = (*base_table(default_base)).clone(),
    }
    if let Some(tu) = &to_unicode {
        for (b, slot) in table.iter_mut().enumerate() {
            if let Some(s) = tu.lookup(b as u32, 1) {
                *slot = Some(s);
            }
        }
    }

    // Widths.
    let missing = fd
        .and_then(|fd| get_num(doc, fd, b"MissingWidth"))
        .unwrap_or(0.0);
    let mut widths: Vec<f32> = Vec::new();
    if let Some(ws) = get_array(doc, font, b"Widths") {
        let first = get_num(doc, font, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
        widths = vec![missing; 256];
        for (i, w) in ws.iter().enumerate() {
            if let (Some(slot), Some(v)) = (widths.get_mut(first + i), num_d(doc, w)) {
                *slot = v;
            }
        }
    }
    if widths.is_empty() {
        let bf = get_name(doc, font, b"BaseFont").unwrap_or(b"");
        widths = standard_widths(bf)
            .unwrap_or_else(|| vec![if missing > 0.0 { missing } else { 500.0 }; 256]);
    }
    if type3 {
        let scale = get_array(doc, font, b"FontMatrix")
            .and_then(|a| nums(doc, a))
            .and_then(|m| m.first().copied())
            .map(|a| a * 1000.0)
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(1.0);
        for w in &mut widths {
            *w *= scale;
        }
    }
    let (ascent, descent) = descriptor_metrics(doc, fd);
    Font {
        kind: Kind::Simple {
            codes: table,
            widths,
        },
        ascent,
        descent,
        vertical: false,
    }
}

fn load_composite(doc: &Document, font: &Dictionary) -> Font {
    let to_unicode = read_to_unicode(doc, font);
    let desc: Option<&Dictionary> = get_array(doc, font, b"DescendantFonts")
        .and_then(|a| a.first())
        .and_then(|o| match deref(doc, o) {
            Object::Dictionary(d) => Some(d),
            _ => None,
        });
    let fd = desc.and_then(|d| get_dict(doc, d, b"FontDescriptor"));
    let embedded_program =
        fd.is_some_and(|fd| fd.has(b"FontFile") || fd.has(b"FontFile2") || fd.has(b"FontFile3"));
    let ordering: Option<Vec<u8>> = desc
        .and_then(|d| get_dict(doc, d, b"CIDSystemInfo"))
        .and_then(|csi| match get(doc, csi, b"Ordering") {
            Some(Object::String(s, _)) => Some(s.clone()),
            Some(Object::Name(n)) => Some(n.clone()),
            _ => None,
        });

    let mut enc = CEnc::Identity;
    let mut embedded = None;
    let mut predefined = None;
    let mut vertical = false;
    let mut enc_name: Option<Vec<u8>> = None;
    match get(doc, font, b"Encoding") {
        Some(Object::Name(n)) => {
            enc = cenc_for_name(n);
            vertical = n.ends_with(b"-V");
            enc_name = Some(n.clone());
            if !matches!(enc, CEnc::Identity) {
                predefined = predefined_cmap(n);
            }
        }
        Some(Object::Stream(s)) => {
            let cm = stream_data(s, AUX_STREAM_LIMIT)
                .map(|d| CMap::parse(&d))
                .unwrap_or_default();
            vertical = cm.vertical;
            if let Some(base) = &cm.usecmap {
                predefined = predefined_cmap(base);
                enc_name = Some(base.clone());
            }
            if let Some(Object::Name(n)) = s.dict.get(b"CMapName").ok().map(|o| deref(doc, o)) {
                if predefined.is_none() && cenc_for_name(n) != CEnc::Predefined {
                    // An embedded copy of a predefined CMap: decode by its name.
                    enc_name = Some(n.clone());
                }
            }
            enc = match &enc_name {
                Some(n) if !cm.has_cids() => cenc_for_name(n),
                _ => CEnc::Embedded,
            };
            embedded = Some(cm);
        }
        _ => {}
    }

    let collection_ordering: Option<Vec<u8>> =
        ordering.clone().filter(|o| o != b"Identity").or_else(|| {
            enc_name
                .as_deref()
                .and_then(ordering_of_cmap_name)
                .map(|o| o.to_vec())
        });
    // CIDs are genuine collection CIDs when they come from a predefined CMap
    // or when the font is not embedded (the viewer must supply a collection font).
    let genuine_cids = !matches!(enc, CEnc::Identity) || !embedded_program;
    let ucs2 = if genuine_cids {
        collection_ordering.as_deref().and_then(ucs2_for_ordering)
    } else {
        None
    };
    let adobe_collection = collection_ordering
        .as_deref()
        .is_some_and(|o| matches!(o, b"GB1" | b"CNS1" | b"Japan1" | b"Korea1"));

    let dw = desc.and_then(|d| get_num(doc, d, b"DW")).unwrap_or(1000.0);
    let (w_single, w_ranges) = desc
        .and_then(|d| get_array(doc, d, b"W"))
        .map(|w| cid_widths(doc, w, dw))
        .unwrap_or_default();
    let (ascent, descent) = descriptor_metrics(doc, fd);
    Font {
        kind: Kind::Composite(Box::new(Composite {
            enc,
            to_unicode,
            embedded,
            predefined,
            ucs2,
            adobe_collection,
            dw,
            w_single,
            w_ranges,
        })),
        ascent,
        descent,
        vertical,
    }
}

/// A CIDFont's W array: widths of single CIDs (`c [w1 w2 …]`) and of
/// ranges (`c_first c_last w`).
#[allow(clippy::type_complexity)]
fn cid_widths(doc: &Document, w: &[Object], dw: f32) -> (HashMap<u32, f32>, Vec<(u32, u32, f32)>) {
    let mut w_single = HashMap::new();
    let mut w_ranges = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let Some(first) = num_d(doc, &w[i]) else {
            break;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(arr)) => {
                for (k, o) in arr.iter().enumerate().take(70_000) {
                    if let Some(v) = num_d(doc, o) {
                        w_single.insert(first + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = super::obj::num(o).unwrap_or(0.0).max(0.0) as u32;
                let v = w.get(i + 2).and_then(|o| num_d(doc, o)).unwrap_or(dw);
                w_ranges.push((first, last, v));
                i += 3;
            }
            None => break,
        }
    }
    (w_single, w_ranges)
}

// ---------------------------------------------------------------------------
// Decoding.

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b))
}

impl Composite {
    fn code_len(&self, b: &[u8]) -> usize {
        let n = match self.enc {
            CEnc::Embedded => self
                .embedded
                .as_ref()
                .and_then(|c| c.code_len(b))
                .or_else(|| self.predefined_len(b))
                .unwrap_or(2),
            CEnc::Identity => 2,
            CEnc::Utf16 => {
                if b.len() >= 4 && (0xD8..=0xDB).contains(&b[0]) {
                    4
                } else {
                    2
                }
            }
            CEnc::Utf32 => 4,
            CEnc::Utf8 => match b[0] {
                0xF0..=0xF7 => 4,
                0xE0..=0xEF => 3,
                0xC0..=0xDF => 2,
                _ => 1,
            },
            CEnc::Gbk => match b {
                [0x81..=0xFE, 0x30..=0x39, ..] => 4,
                [0x81..=0xFE, ..] => 2,
                _ => 1,
            },
            CEnc::Big5 => match b[0] {
                0x81..=0xFE => 2,
                _ => 1,
            },
            CEnc::Sjis => match b[0] {
                0x81..=0x9F | 0xE0..=0xFC => 2,
                _ => 1,
            },
            CEnc::EucJp => match b[0] {
                0x8F => 3,
                0x8E | 0xA1..=0xFE => 2,
                _ => 1,
            },
            CEnc::EucKr => match b[0] {
                0xA1..=0xFE => 2,
                _ => 1,
            },
            CEnc::Predefined => self
                .predefined_len(b)
                .or_else(|| self.to_unicode.as_ref().and_then(|c| c.code_len(b)))
                .unwrap_or(2),
        };
        n.clamp(1, b.len().max(1))
    }

    fn predefined_len(&self, b: &[u8]) -> Option<usize> {
        let p = self.predefined.as_ref()?;
        (1..=4usize.min(b.len())).find(|&n| p.lookup_cid_code(be(&b[..n]), n as u8).is_some())
    }

    fn cid(&self, code: u32, len: u8, text: Option<&str>) -> Option<u32> {
        match self.enc {
            CEnc::Identity => Some(code),
            CEnc::Embedded => self
                .embedded
                .as_ref()
                .and_then(|c| c.cid(code, len))
                .or_else(|| self.predefined.as_ref()?.lookup_cid_code(code, len)),
            _ => self
                .predefined
                .as_ref()
                .and_then(|p| p.lookup_cid_code(code, len))
                .or_else(|| {
                    // Adobe collections put ASCII 0x20..0x7E at CIDs 1..95.
                    let c = text?.chars().next()?;
                    (self.adobe_collection && (' '..='~').contains(&c)).then(|| c as u32 - 0x1F)
                }),
        }
    }

    fn width(&self, cid: Option<u32>) -> f32 {
        let Some(cid) = cid else {
            return self.dw;
        };
        if let Some(w) = self.w_single.get(&cid) {
            return *w;
        }
        for &(a, b, w) in &self.w_ranges {
            if cid >= a && cid <= b {
                return w;
            }
        }
        self.dw
    }

    fn text(&self, bytes: &[u8], code: u32, len: u8) -> Option<String> {
        if let Some(tu) = &self.to_unicode {
            if let Some(s) = tu.lookup(code, len) {
                if !s.is_empty() {
                    return Some(s);
                }
            }
        }
        let decoded = match self.enc {
            CEnc::Utf16 => {
                let units: Vec<u16> = bytes
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                String::from_utf16(&units).ok()
            }
            CEnc::Utf32 => char::from_u32(code).map(String::from),
            CEnc::Utf8 => std::str::from_utf8(bytes).ok().map(String::from),
            CEnc::Gbk => Some(if len == 4 {
                encoding_rs::GB18030
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned()
            } else {
                encoding_rs::GBK
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned()
            }),
            CEnc::Big5 => Some(
                encoding_rs::BIG5
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
            ),
            CEnc::Sjis => Some(
                encoding_rs::SHIFT_JIS
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
            ),
            CEnc::EucJp => Some(
                encoding_rs::EUC_JP
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
            ),
            CEnc::EucKr => Some(
                encoding_rs::EUC_KR
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
            ),
            CEnc::Identity | CEnc::Embedded | CEnc::Predefined => None,
        };
        if let Some(s) = decoded.filter(|s| !s.is_empty() && !s.contains('\u{FFFD}')) {
            return Some(s);
        }
        // CID → Unicode through the collection's UCS2 table.
        let ucs2 = self.ucs2.as_ref()?;
        let cid = self.cid(code, len, None)?;
        match ucs2.lookup_bf_string(cid)? {
            hayro_cmap::BfString::Char(c) => Some(c.to_string()),
            hayro_cmap::BfString::String(s) => Some(s),
        }
    }
}

impl Font {
    /// Splits a shown string into glyphs.
    pub fn decode(&self, bytes: &[u8], out: &mut Vec<Glyph>) {
        out.clear();
        match &self.kind {
            Kind::Simple { codes, widths } => {
                for &b in bytes {
                    out.push(Glyph {
                        text: codes[b as usize].clone(),
                        width: widths[b as usize],
                        word_space: b == 32,
                    });
                }
            }
            Kind::Composite(c) => {
                let mut i = 0;
                while i < bytes.len() {
                    let n = c.code_len(&bytes[i..]).min(bytes.len() - i);
                    let code_bytes = &bytes[i..i + n];
                    let code = be(code_bytes);
                    let text = c.text(code_bytes, code, n as u8);
                    let cid = c.cid(code, n as u8, text.as_deref());
                    out.push(Glyph {
                        width: c.width(cid),
                        text,
                        word_space: n == 1 && code == 32,
                    });
                    i += n;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_name_to_unicode(b"uni4E2D").as_deref(), Some("中"));
        assert_eq!(glyph_name_to_unicode(b"uni00410042").as_deref(), Some("AB"));
        assert_eq!(glyph_name_to_unicode(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_name_to_unicode(b"space").as_deref(), Some(" "));
        assert_eq!(glyph_name_to_unicode(b"A").as_deref(), Some("A"));
        assert_eq!(glyph_name_to_unicode(b"eacute").as_deref(), Some("é"));
        assert_eq!(glyph_name_to_unicode(b"f_i").as_deref(), Some("fi"));
        assert_eq!(glyph_name_to_unicode(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_unicode(b"g123"), None);
    }

    #[test]
    fn base_encodings() {
        let w = base_table(b"WinAnsiEncoding");
        assert_eq!(w[b'A' as usize].as_deref(), Some("A"));
        assert_eq!(w[0x80].as_deref(), Some("€"));
        let s = base_table(b"StandardEncoding");
        assert_eq!(s[0x80], None);
    }

    #[test]
    fn predefined_cmaps_load() {
        let p = predefined_cmap(b"UniGB-UCS2-H").expect("UniGB-UCS2-H embedded in hayro");
        // U+4E2D 中 → some CID; 'A' → CID 34 in Adobe-GB1.
        assert_eq!(p.lookup_cid_code(0x0041, 2), Some(34));
        assert!(ucs2_for_ordering(b"GB1").is_some());
    }
}
