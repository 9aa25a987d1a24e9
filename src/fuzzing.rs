//! The bodies of the fuzz targets (fuzz/fuzz_targets, run by scripts/fuzz),
//! here so that tests/it/fuzz_regressions.rs runs the inputs the fuzzer found
//! through exactly the same calls. Each takes the fuzzer's bytes and never
//! fails (a panic is the finding). Not an API.

use crate::discover::{discover, read_bytes, sha256_of};
use crate::load::docx::{looks_like_docx, DocxDocument};
use crate::load::image::{jpeg_damage, ImageDocument};
use crate::load::pdf::PdfDocument;
use crate::load::{sniff, Format};
use lopdf::{Dictionary, Document, Object, Stream};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The names of the targets, as in fuzz/Cargo.toml.
pub const TARGETS: &[&str] = &[
    "pdf_text", "cmap", "font", "image", "zip", "docx", "loaders",
];

/// Runs target `name` on `data` (`tmp`: a folder for the ZIP target's file).
pub fn run(name: &str, data: &[u8], tmp: &Path) {
    match name {
        "pdf_text" => pdf_text(data),
        "cmap" => cmap(data),
        "font" => font(data),
        "image" => image(data),
        "zip" => zip(data, tmp),
        "docx" => docx(data),
        "loaders" => loaders(data),
        _ => panic!("no fuzz target {name}"),
    }
}

/// The PDF parser and the text-layer extractor (fonts, CMaps, content
/// streams, layout), and a page's image checks and scanned-page image
/// (everything `PdfDocument::page` does but render).
pub fn pdf_text(data: &[u8]) {
    if let Ok(doc) = PdfDocument::open(data) {
        for i in 0..doc.page_count().min(4) {
            let _ = doc.page_unrendered(i);
        }
    }
}

/// The CMap parser (ToUnicode and embedded CMaps): a program, a NUL, then
/// codes to look up.
pub fn cmap(data: &[u8]) {
    crate::load::pdf::fuzzing::cmap(data);
}

const SUBTYPES: &[&str] = &["Type0", "Type1", "TrueType", "Type3", "MMType1"];
const BASE_FONTS: &[&str] = &[
    "SimSun",
    "STSong-Light",
    "ABCDEF+SimSun",
    "MSung-Light",
    "MingLiU",
    "Helvetica",
    "Times-Roman,Bold",
    "KaiTi_GB2312",
    "HeiseiMin-W3",
    "Symbol",
];
const ENCODINGS: &[&str] = &[
    "Identity-H",
    "Identity-V",
    "UniGB-UCS2-H",
    "UniGB-UTF16-H",
    "GBK-EUC-H",
    "GB-EUC-H",
    "GBK2K-H",
    "B5pc-H",
    "ETen-B5-H",
    "UniCNS-UCS2-H",
    "UniJIS-UCS2-H",
    "KSC-EUC-H",
    "WinAnsiEncoding",
    "MacRomanEncoding",
    "StandardEncoding",
    "NoSuchEncoding",
];
const ORDERINGS: &[&str] = &["GB1", "CNS1", "Japan1", "Korea1", "Identity", "UCS"];

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

/// The font code: a font dictionary chosen by the first 6 bytes (subtype,
/// base font, encoding or predefined CMap, which streams it has), the next
/// bytes its ToUnicode / embedded CMap / font program, the rest a string
/// decoded with it.
pub fn font(data: &[u8]) {
    if data.len() < 6 {
        return;
    }
    let (sel, rest) = data.split_at(6);
    let n = usize::from(u16::from_le_bytes([sel[4], sel[5]])) % (rest.len() + 1);
    let (program, text) = rest.split_at(n);
    let flags = sel[3];
    let mut doc = Document::with_version("1.7");
    let stream =
        |doc: &mut Document| doc.add_object(Stream::new(Dictionary::new(), program.to_vec()));
    let subtype = SUBTYPES[usize::from(sel[0]) % SUBTYPES.len()];
    let base = BASE_FONTS[usize::from(sel[1]) % BASE_FONTS.len()];
    let encoding = ENCODINGS[usize::from(sel[2]) % ENCODINGS.len()];
    let mut font = Dictionary::new();
    font.set("Type", name("Font"));
    font.set("Subtype", name(subtype));
    font.set("BaseFont", name(base));
    if flags & 1 != 0 {
        let id = stream(&mut doc);
        font.set("ToUnicode", Object::Reference(id));
    }
    // Widths from the text bytes (numbers, possibly odd).
    let nums: Vec<Object> = text
        .chunks(2)
        .take(16)
        .map(|c| Object::Integer(i64::from(c[0]) * 8 - 200))
        .collect();
    let mut fd = Dictionary::new();
    fd.set("Type", name("FontDescriptor"));
    fd.set("FontName", name(base));
    fd.set("Flags", Object::Integer(i64::from(sel[1])));
    if flags & 4 != 0 {
        let id = stream(&mut doc);
        fd.set(
            ["FontFile", "FontFile2", "FontFile3"][usize::from(sel[0] >> 4) % 3],
            Object::Reference(id),
        );
    }
    if subtype == "Type0" {
        if flags & 2 != 0 {
            let id = stream(&mut doc);
            font.set("Encoding", Object::Reference(id));
        } else {
            font.set("Encoding", name(encoding));
        }
        let mut cid = Dictionary::new();
        cid.set("Type", name("Font"));
        cid.set(
            "Subtype",
            name(if flags & 8 != 0 {
                "CIDFontType2"
            } else {
                "CIDFontType0"
            }),
        );
        cid.set("BaseFont", name(base));
        if flags & 16 != 0 {
            let mut info = Dictionary::new();
            info.set("Registry", Object::string_literal("Adobe"));
            info.set(
                "Ordering",
                Object::string_literal(ORDERINGS[usize::from(sel[2] >> 4) % ORDERINGS.len()]),
            );
            info.set("Supplement", Object::Integer(i64::from(sel[5] % 8)));
            cid.set("CIDSystemInfo", Object::Dictionary(info));
        }
        if flags & 32 != 0 {
            cid.set(
                "W",
                Object::Array(vec![Object::Integer(1), Object::Array(nums)]),
            );
            cid.set("DW", Object::Integer(i64::from(sel[4]) * 4));
        }
        cid.set("FontDescriptor", Object::Dictionary(fd));
        font.set(
            "DescendantFonts",
            Object::Array(vec![Object::Dictionary(cid)]),
        );
    } else {
        if flags & 2 != 0 {
            let mut enc = Dictionary::new();
            enc.set("BaseEncoding", name(encoding));
            let mut diff = vec![Object::Integer(i64::from(sel[4]))];
            for w in program.split(|&b| b == b' ').take(32) {
                diff.push(Object::Name(w.to_vec()));
            }
            enc.set("Differences", Object::Array(diff));
            font.set("Encoding", Object::Dictionary(enc));
        } else if flags & 64 != 0 {
            font.set("Encoding", name(encoding));
        }
        if flags & 32 != 0 {
            font.set("FirstChar", Object::Integer(i64::from(sel[4]) - 8));
            font.set("Widths", Object::Array(nums));
        }
        if subtype == "Type3" {
            font.set(
                "FontMatrix",
                Object::Array(vec![
                    Object::Real(0.001),
                    Object::Integer(0),
                    Object::Integer(0),
                    Object::Real(f32::from(sel[5]) / 100.0),
                    Object::Integer(0),
                    Object::Integer(0),
                ]),
            );
        }
        font.set("FontDescriptor", Object::Dictionary(fd));
    }
    crate::load::pdf::fuzzing::font(&doc, &font, text);
}

/// The image readers behind certscan's limits: format sniffing, the size
/// check before decoding, the JPEG damage check, decoding (PNG, JPEG, TIFF
/// with its pages, BMP, WebP).
pub fn image(data: &[u8]) {
    let _ = jpeg_damage(data);
    let Some(f) = sniff(data) else {
        return;
    };
    if matches!(f, Format::Pdf | Format::Zip) {
        return;
    }
    if let Ok(doc) = ImageDocument::open(data.to_vec(), f) {
        for i in 0..doc.page_count().min(3) {
            let _ = doc.page(i);
        }
    }
}

static ZIP_FILES: AtomicU64 = AtomicU64::new(0);

/// The ZIP reader: an archive (written to a file in `tmp`, as discovery
/// reads files) listed into inputs, each member read (sniffed, inflated
/// within the limit) and hashed.
pub fn zip(data: &[u8], tmp: &Path) {
    // A new name for every input: an archive's index is cached per file.
    let p = tmp.join(format!(
        "certscan-fuzz-{}-{}.zip",
        std::process::id(),
        ZIP_FILES.fetch_add(1, Ordering::Relaxed)
    ));
    if std::fs::write(&p, data).is_err() {
        return;
    }
    let found = discover(std::slice::from_ref(&p), None);
    for input in found.inputs.iter().take(64) {
        let _ = read_bytes(input);
        let _ = sha256_of(input);
    }
    let _ = std::fs::remove_file(&p);
}

/// The Word (.docx) reader: its ZIP, document.xml and relationships, the
/// pages (body text, then the embedded images decoded).
pub fn docx(data: &[u8]) {
    let _ = looks_like_docx(data);
    if let Ok(doc) = DocxDocument::open(data.to_vec()) {
        for i in 0..doc.page_count().min(4) {
            let _ = doc.page_text(i);
            let _ = doc.page(i);
        }
    }
}

/// The CSV and TOML loaders a user can hand certscan: the registry
/// (--registry), the bodies' other names, the rulebook (--rules), the
/// manifest / bidders file (--manifest, --bidders), the label lexicon. The
/// first byte picks the loader.
pub fn loaders(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let src = String::from_utf8_lossy(rest);
    match which % 5 {
        0 => {
            if let Ok(r) = crate::registry::Registry::parse(&src, "fuzz") {
                let _ = r.names();
                let _ = r.by_code("001");
                let _ = r.by_approval("CNCA-R-2002-001");
            }
        }
        1 => {
            let _ = crate::registry::parse_known(&src, "fuzz");
        }
        2 => {
            if let Ok(r) = crate::rules::Rulebook::parse(&src, "fuzz") {
                let _ = r.to_json();
                let _ = r.describe();
            }
        }
        3 => {
            if let Ok(m) = crate::manifest::Manifest::parse(&src, "fuzz") {
                let _ = m.organization_for("pkg/a.pdf");
            }
        }
        _ => {
            if let Ok(l) = crate::labels::Lexicon::from_toml(&src) {
                let _ = l.describe();
            }
        }
    }
}
