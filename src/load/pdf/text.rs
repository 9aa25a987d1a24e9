//! The content-stream walker: follows the graphics and text state of a page
//! (and of the Form XObjects and annotation appearances it draws), decodes the
//! strings of Tj / TJ / ' / " into positioned glyphs, and records the images it
//! paints. Then groups glyphs into words and lines in reading order.

use super::font::{load_font, Font, Glyph};
use super::obj::{
    deref, get, get_array, get_dict, get_name, get_num, nums, stream_data, AUX_STREAM_LIMIT,
};
use crate::page::{BBox, Line, Word};
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An affine matrix `[a b c d e f]` in PDF's row-vector convention.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mat {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Mat {
    pub const ID: Mat = Mat {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };

    pub fn new(v: [f64; 6]) -> Mat {
        Mat {
            a: v[0],
            b: v[1],
            c: v[2],
            d: v[3],
            e: v[4],
            f: v[5],
        }
    }

    fn from_nums(v: &[f32]) -> Option<Mat> {
        if v.len() < 6 {
            return None;
        }
        let m = Mat::new([
            f64::from(v[0]),
            f64::from(v[1]),
            f64::from(v[2]),
            f64::from(v[3]),
            f64::from(v[4]),
            f64::from(v[5]),
        ]);
        m.is_finite().then_some(m)
    }

    fn is_finite(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.f]
            .iter()
            .all(|v| v.is_finite())
    }

    pub fn translate(tx: f64, ty: f64) -> Mat {
        Mat::new([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// `self` applied first, then `o`.
    pub fn then(&self, o: &Mat) -> Mat {
        Mat {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.e * o.a + self.f * o.c + o.e,
            f: self.e * o.b + self.f * o.d + o.f,
        }
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.a * x + self.c * y + self.e,
            self.b * x + self.d * y + self.f,
        )
    }

    pub fn apply_vec(&self, x: f64, y: f64) -> (f64, f64) {
        (self.a * x + self.c * y, self.b * x + self.d * y)
    }
}

/// A glyph placed on the page, in display pixels (300 dpi, y down).
#[derive(Debug, Clone)]
pub struct PlacedGlyph {
    pub text: String,
    /// Start and end of the glyph's advance on its baseline.
    pub p0: (f64, f64),
    pub p1: (f64, f64),
    /// Direction of the baseline when the glyph has no width.
    pub dir: (f64, f64),
    /// Font size in pixels.
    pub size: f64,
    pub ascent: f64,
    pub descent: f64,
    /// Render mode 3 / 7: invisible (e.g. an OCR layer over a scan).
    pub invisible: bool,
    /// The text-showing operation (Tj, TJ, ', ") that drew the glyph.
    pub run: u32,
}

/// An image painted on the page: the unit square maps to display pixels by `m`.
#[derive(Debug, Clone)]
pub struct ImageDraw {
    pub m: Mat,
    /// The image XObject (None for inline images).
    pub id: Option<ObjectId>,
}

/// Everything the walker saw on one page.
#[derive(Debug, Default)]
pub struct PageScan {
    pub glyphs: Vec<PlacedGlyph>,
    pub images: Vec<ImageDraw>,
    /// Path painting and shading operators.
    pub paint_ops: usize,
    /// Page size in display pixels.
    pub width: f64,
    pub height: f64,
}

pub type FontCache = Mutex<HashMap<ObjectId, Arc<Font>>>;

const MAX_GLYPHS: usize = 200_000;
const MAX_OPS: usize = 2_000_000;
const MAX_DEPTH: usize = 6;
const MAX_STACK: usize = 512;

#[derive(Clone)]
struct GState {
    ctm: Mat,
    font: Option<Arc<Font>>,
    size: f64,
    tc: f64,
    tw: f64,
    th: f64,
    tl: f64,
    rise: f64,
    mode: i64,
}

struct Walker<'a> {
    doc: &'a Document,
    fonts: &'a FontCache,
    scan: PageScan,
    ops: usize,
    buf: Vec<Glyph>,
    form_stack: Vec<ObjectId>,
    runs: u32,
}

fn opf(op: &Operation, i: usize) -> f64 {
    op.operands
        .get(i)
        .and_then(super::obj::num)
        .map(f64::from)
        .unwrap_or(0.0)
}

impl<'a> Walker<'a> {
    fn font(&self, res: &[&'a Dictionary], name: &[u8]) -> Option<Arc<Font>> {
        for r in res.iter().rev() {
            let Some(fonts) = get_dict(self.doc, r, b"Font") else {
                continue;
            };
            let Ok(entry) = fonts.get(name) else {
                continue;
            };
            if let Object::Reference(id) = entry {
                if let Some(f) = self.fonts.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
                    return Some(f.clone());
                }
                let Object::Dictionary(d) = deref(self.doc, entry) else {
                    return None;
                };
                let f = Arc::new(load_font(self.doc, d));
                self.fonts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(*id, f.clone());
                return Some(f);
            }
            if let Object::Dictionary(d) = entry {
                return Some(Arc::new(load_font(self.doc, d)));
            }
            return None;
        }
        None
    }

    fn xobject(
        &self,
        res: &[&'a Dictionary],
        name: &[u8],
    ) -> Option<(Option<ObjectId>, &'a lopdf::Stream)> {
        for r in res.iter().rev() {
            let Some(xs) = get_dict(self.doc, r, b"XObject") else {
                continue;
            };
            let Ok(entry) = xs.get(name) else {
                continue;
            };
            let id = entry.as_reference().ok();
            return match deref(self.doc, entry) {
                Object::Stream(s) => Some((id, s)),
                _ => None,
            };
        }
        None
    }

    fn show(&mut self, gs: &GState, tm: &mut Mat, bytes: &[u8]) {
        let Some(font) = gs.font.clone() else {
            return;
        };
        let mut glyphs = std::mem::take(&mut self.buf);
        font.decode(bytes, &mut glyphs);
        let invisible = gs.mode == 3 || gs.mode == 7;
        for g in &glyphs {
            let trm = tm.then(&gs.ctm);
            let w = f64::from(g.width) / 1000.0;
            let tw = if g.word_space { gs.tw } else { 0.0 };
            let (p0, p1, dir, size);
            if font.vertical {
                p0 = trm.apply(0.0, gs.rise);
                p1 = trm.apply(0.0, gs.rise - gs.size);
                dir = trm.apply_vec(0.0, -1.0);
                let v = trm.apply_vec(gs.size, 0.0);
                size = v.0.hypot(v.1);
                let ty = -gs.size + gs.tc + tw;
                *tm = Mat::translate(0.0, ty).then(tm);
            } else {
                p0 = trm.apply(0.0, gs.rise);
                p1 = trm.apply(w * gs.size * gs.th, gs.rise);
                dir = trm.apply_vec(1.0, 0.0);
                let v = trm.apply_vec(0.0, gs.size);
                size = v.0.hypot(v.1);
                let tx = (w * gs.size + gs.tc + tw) * gs.th;
                *tm = Mat::translate(tx, 0.0).then(tm);
            }
            let finite = [p0.0, p0.1, p1.0, p1.1, dir.0, dir.1]
                .iter()
                .all(|v| v.is_finite());
            if self.scan.glyphs.len() >= MAX_GLYPHS || !finite || !size.is_finite() || size < 0.5 {
                continue;
            }
            // Drop glyphs placed off the page.
            let (wd, ht) = (self.scan.width, self.scan.height);
            let mx = 0.02 * wd.max(ht);
            if p0.0 < -mx || p0.1 < -mx || p0.0 > wd + mx || p0.1 > ht + mx {
                continue;
            }
            let text = g.text.clone().unwrap_or_else(|| "\u{FFFD}".to_string());
            self.scan.glyphs.push(PlacedGlyph {
                text,
                p0,
                p1,
                dir,
                size,
                ascent: f64::from(font.ascent),
                descent: f64::from(font.descent),
                invisible,
                run: self.runs,
            });
        }
        self.buf = glyphs;
    }

    fn run(&mut self, data: &[u8], res: &mut Vec<&'a Dictionary>, base: GState, depth: usize) {
        let mut gs = base;
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Mat::ID;
        let mut tlm = Mat::ID;
        for op in Content::decode_iter(data) {
            let Ok(op) = op else {
                break; // keep what was read before the damage
            };
            self.ops += 1;
            if self.ops > MAX_OPS {
                break;
            }
            match op.operator.as_str() {
                "q" if stack.len() < MAX_STACK => stack.push(gs.clone()),
                "Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                "cm" => {
                    let v: Vec<f32> = op.operands.iter().filter_map(super::obj::num).collect();
                    if let Some(m) = Mat::from_nums(&v) {
                        gs.ctm = m.then(&gs.ctm);
                    }
                }
                "BT" => {
                    tm = Mat::ID;
                    tlm = Mat::ID;
                }
                "Tf" => {
                    if let Some(Object::Name(n)) = op.operands.first() {
                        gs.font = self.font(res, n);
                    }
                    gs.size = opf(&op, 1);
                }
                "Tc" => gs.tc = opf(&op, 0),
                "Tw" => gs.tw = opf(&op, 0),
                "Tz" => gs.th = opf(&op, 0) / 100.0,
                "TL" => gs.tl = opf(&op, 0),
                "Ts" => gs.rise = opf(&op, 0),
                "Tr" => gs.mode = opf(&op, 0) as i64,
                "Td" | "TD" => {
                    let (tx, ty) = (opf(&op, 0), opf(&op, 1));
                    if op.operator == "TD" {
                        gs.tl = -ty;
                    }
                    tlm = Mat::translate(tx, ty).then(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    let v: Vec<f32> = op.operands.iter().filter_map(super::obj::num).collect();
                    if let Some(m) = Mat::from_nums(&v) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = Mat::translate(0.0, -gs.tl).then(&tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator == "\"" {
                        gs.tw = opf(&op, 0);
                        gs.tc = opf(&op, 1);
                    }
                    if op.operator != "Tj" {
                        tlm = Mat::translate(0.0, -gs.tl).then(&tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(s, _)) = op.operands.last() {
                        self.runs = self.runs.wrapping_add(1);
                        self.show(&gs, &mut tm, s);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        self.runs = self.runs.wrapping_add(1);
                        for it in items {
                            match it {
                                Object::String(s, _) => self.show(&gs, &mut tm, s),
                                other => {
                                    if let Some(n) = super::obj::num(other) {
                                        let adj = -f64::from(n) / 1000.0 * gs.size;
                                        let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                        tm = if vertical {
                                            Mat::translate(0.0, adj).then(&tm)
                                        } else {
                                            Mat::translate(adj * gs.th, 0.0).then(&tm)
                                        };
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(Object::Name(n)) = op.operands.first() {
                        self.do_xobject(res, n, &gs, depth);
                    }
                }
                "BI" => self.scan.images.push(ImageDraw {
                    m: gs.ctm,
                    id: None,
                }),
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "sh" => {
                    self.scan.paint_ops += 1;
                }
                _ => {}
            }
        }
    }

    fn do_xobject(
        &mut self,
        res: &mut Vec<&'a Dictionary>,
        name: &[u8],
        gs: &GState,
        depth: usize,
    ) {
        let Some((id, stream)) = self.xobject(res, name) else {
            return;
        };
        let subtype = get_name(self.doc, &stream.dict, b"Subtype").unwrap_or(b"");
        if subtype == b"Image" {
            self.scan.images.push(ImageDraw { m: gs.ctm, id });
        } else if subtype == b"Form" {
            self.run_form(res, id, stream, gs.ctm, gs, depth);
        }
    }

    fn run_form(
        &mut self,
        res: &mut Vec<&'a Dictionary>,
        id: Option<ObjectId>,
        stream: &'a lopdf::Stream,
        ctm: Mat,
        gs: &GState,
        depth: usize,
    ) {
        if depth >= MAX_DEPTH {
            return;
        }
        if let Some(id) = id {
            if self.form_stack.contains(&id) {
                return;
            }
            self.form_stack.push(id);
        }
        let m = get_array(self.doc, &stream.dict, b"Matrix")
            .and_then(|a| nums(self.doc, a))
            .and_then(|v| Mat::from_nums(&v))
            .unwrap_or(Mat::ID);
        let mut inner = gs.clone();
        inner.ctm = m.then(&ctm);
        let own = get_dict(self.doc, &stream.dict, b"Resources");
        if let Some(r) = own {
            res.push(r);
        }
        if let Some(data) = stream_data(stream, AUX_STREAM_LIMIT) {
            self.run(&data, res, inner, depth + 1);
        }
        if own.is_some() {
            res.pop();
        }
        if id.is_some() {
            self.form_stack.pop();
        }
    }

    /// Visible annotations with a normal appearance (filled form fields, stamps).
    fn annotations(&mut self, page: &'a Dictionary, res: &mut Vec<&'a Dictionary>, base: &GState) {
        let Some(annots) = get_array(self.doc, page, b"Annots") else {
            return;
        };
        for a in annots.iter().take(500) {
            let Object::Dictionary(ad) = deref(self.doc, a) else {
                continue;
            };
            let sub = get_name(self.doc, ad, b"Subtype").unwrap_or(b"");
            if matches!(sub, b"Link" | b"Popup") {
                continue;
            }
            let flags = get_num(self.doc, ad, b"F").unwrap_or(0.0) as i64;
            if flags & (2 | 32) != 0 {
                continue; // Hidden / NoView
            }
            let Some(ap) = get_dict(self.doc, ad, b"AP") else {
                continue;
            };
            let Some(nobj) = ap.get(b"N").ok() else {
                continue;
            };
            let (id, stream) = match deref(self.doc, nobj) {
                Object::Stream(s) => (nobj.as_reference().ok(), s),
                Object::Dictionary(states) => {
                    let Some(state) = get_name(self.doc, ad, b"AS") else {
                        continue;
                    };
                    let Ok(o) = states.get(state) else {
                        continue;
                    };
                    match deref(self.doc, o) {
                        Object::Stream(s) => (o.as_reference().ok(), s),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let rect = get_array(self.doc, ad, b"Rect").and_then(|r| nums(self.doc, r));
            let bbox = get_array(self.doc, &stream.dict, b"BBox").and_then(|r| nums(self.doc, r));
            let (Some(rect), Some(bbox)) = (rect, bbox) else {
                continue;
            };
            if rect.len() < 4 || bbox.len() < 4 {
                continue;
            }
            let m = get_array(self.doc, &stream.dict, b"Matrix")
                .and_then(|v| nums(self.doc, v))
                .and_then(|v| Mat::from_nums(&v))
                .unwrap_or(Mat::ID);
            // Transformed bbox → Rect.
            let pts = [
                m.apply(f64::from(bbox[0]), f64::from(bbox[1])),
                m.apply(f64::from(bbox[2]), f64::from(bbox[1])),
                m.apply(f64::from(bbox[0]), f64::from(bbox[3])),
                m.apply(f64::from(bbox[2]), f64::from(bbox[3])),
            ];
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for (x, y) in pts {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
            let (rx0, ry0) = (
                f64::from(rect[0].min(rect[2])),
                f64::from(rect[1].min(rect[3])),
            );
            let (rx1, ry1) = (
                f64::from(rect[0].max(rect[2])),
                f64::from(rect[1].max(rect[3])),
            );
            if x1 - x0 < 1e-6 || y1 - y0 < 1e-6 {
                continue;
            }
            let sx = (rx1 - rx0) / (x1 - x0);
            let sy = (ry1 - ry0) / (y1 - y0);
            let fit = Mat::new([sx, 0.0, 0.0, sy, rx0 - x0 * sx, ry0 - y0 * sy]);
            // run_form applies /Matrix itself: CTM = Matrix × fit × page.
            let ctm = fit.then(&base.ctm);
            let gs = base.clone();
            self.run_form(res, id, stream, ctm, &gs, 0);
        }
    }
}

/// Geometry of a page: its display size and the matrix from user space to
/// display pixels (300 dpi, y down, /Rotate applied).
#[derive(Debug, Clone, Copy)]
pub struct PageGeom {
    pub width: f64,
    pub height: f64,
    pub to_display: Mat,
}

fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut d = page;
    for _ in 0..32 {
        if let Some(o) = get(doc, d, key) {
            return Some(o);
        }
        d = get_dict(doc, d, b"Parent")?;
    }
    None
}

fn rect_of(doc: &Document, o: Option<&Object>) -> Option<[f64; 4]> {
    let Object::Array(a) = o? else {
        return None;
    };
    let v = nums(doc, a)?;
    if v.len() < 4 {
        return None;
    }
    let (x0, x1) = (v[0].min(v[2]), v[0].max(v[2]));
    let (y0, y1) = (v[1].min(v[3]), v[1].max(v[3]));
    (x1 - x0 >= 1.0 && y1 - y0 >= 1.0 && x1 - x0 < 1e5 && y1 - y0 < 1e5)
        .then(|| [f64::from(x0), f64::from(y0), f64::from(x1), f64::from(y1)])
}

pub fn page_geom(doc: &Document, page: &Dictionary, dpi: f64) -> PageGeom {
    let media = rect_of(doc, inherited(doc, page, b"MediaBox")).unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let crop = rect_of(doc, inherited(doc, page, b"CropBox"))
        .map(|c| {
            [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ]
        })
        .filter(|c| c[2] - c[0] >= 1.0 && c[3] - c[1] >= 1.0)
        .unwrap_or(media);
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(super::obj::num)
        .map(|r| ((r as i64 % 360) + 360) % 360)
        .map(|r| (r + 45) / 90 * 90 % 360)
        .unwrap_or(0);
    let s = dpi / 72.0;
    let w0 = (crop[2] - crop[0]) * s;
    let h0 = (crop[3] - crop[1]) * s;
    let unrot = Mat::new([s, 0.0, 0.0, -s, -s * crop[0], s * crop[3]]);
    let (rot, width, height) = match rotate {
        90 => (Mat::new([0.0, 1.0, -1.0, 0.0, h0, 0.0]), h0, w0),
        180 => (Mat::new([-1.0, 0.0, 0.0, -1.0, w0, h0]), w0, h0),
        270 => (Mat::new([0.0, -1.0, 1.0, 0.0, 0.0, w0]), h0, w0),
        _ => (Mat::ID, w0, h0),
    };
    PageGeom {
        width,
        height,
        to_display: unrot.then(&rot),
    }
}

/// Walks a page's content (and forms and annotation appearances).
pub fn scan_page(
    doc: &Document,
    page_id: ObjectId,
    fonts: &FontCache,
    geom: &PageGeom,
    content_limit: usize,
) -> PageScan {
    let mut w = Walker {
        doc,
        fonts,
        scan: PageScan {
            width: geom.width,
            height: geom.height,
            ..Default::default()
        },
        ops: 0,
        buf: Vec::new(),
        form_stack: Vec::new(),
        runs: 0,
    };
    let Ok(page) = doc.get_dictionary(page_id) else {
        return w.scan;
    };
    let mut res: Vec<&Dictionary> = Vec::new();
    if let Some(Object::Dictionary(d)) = inherited(doc, page, b"Resources") {
        res.push(d);
    }
    let base = GState {
        ctm: geom.to_display,
        font: None,
        size: 0.0,
        tc: 0.0,
        tw: 0.0,
        th: 1.0,
        tl: 0.0,
        rise: 0.0,
        mode: 0,
    };
    let data = doc
        .get_page_content_with_limit(page_id, content_limit)
        .unwrap_or_default();
    w.run(&data, &mut res, base.clone(), 0);
    w.annotations(page, &mut res, &base);
    w.scan
}

// ---------------------------------------------------------------------------
// Layout: glyphs → words → lines.

/// Character statistics of a page's text.
#[derive(Debug, Default, Clone, Copy)]
pub struct TextStats {
    pub nonspace: usize,
    pub garbled: usize,
}

pub fn is_garbled(c: char) -> bool {
    let u = c as u32;
    c == '\u{FFFD}'
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
        || (u < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7F..=0x9F).contains(&u)
}

pub fn stats(glyphs: &[PlacedGlyph]) -> TextStats {
    let mut s = TextStats::default();
    for g in glyphs {
        for c in g.text.chars() {
            if c.is_whitespace() {
                continue;
            }
            s.nonspace += 1;
            if is_garbled(c) {
                s.garbled += 1;
            }
        }
    }
    s
}

struct LG {
    text: String,
    space: bool,
    rx0: f64,
    rx1: f64,
    ry: f64,
    size: f64,
    top: f64,
    bottom: f64,
    run: u32,
    seq: usize,
}

fn to_frame(k: u8, x: f64, y: f64) -> (f64, f64) {
    match k {
        1 => (y, -x),
        2 => (-x, -y),
        3 => (-y, x),
        _ => (x, y),
    }
}

fn from_frame(k: u8, x: f64, y: f64) -> (f64, f64) {
    match k {
        1 => (-y, x),
        2 => (-x, -y),
        3 => (y, -x),
        _ => (x, y),
    }
}

fn class_of(g: &PlacedGlyph) -> u8 {
    let (mut dx, mut dy) = (g.p1.0 - g.p0.0, g.p1.1 - g.p0.1);
    if dx.hypot(dy) < 1e-3 {
        dx = g.dir.0;
        dy = g.dir.1;
    }
    if dx.abs() >= dy.abs() {
        if dx >= 0.0 {
            0
        } else {
            2
        }
    } else if dy > 0.0 {
        1
    } else {
        3
    }
}

fn frame_box(k: u8, x0: f64, x1: f64, top: f64, bottom: f64, w: f64, h: f64) -> BBox {
    let pts = [
        from_frame(k, x0, top),
        from_frame(k, x1, top),
        from_frame(k, x0, bottom),
        from_frame(k, x1, bottom),
    ];
    let (mut a, mut b, mut c, mut d) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in pts {
        a = a.min(x);
        b = b.min(y);
        c = c.max(x);
        d = d.max(y);
    }
    let a = a.clamp(0.0, w).floor();
    let b = b.clamp(0.0, h).floor();
    let c = c.clamp(0.0, w).ceil();
    let d = d.clamp(0.0, h).ceil();
    BBox::new(
        a as u32,
        b as u32,
        (c - a).max(1.0) as u32,
        (d - b).max(1.0) as u32,
    )
}

/// Groups glyphs into lines (by baseline) and words (by gaps and spaces).
pub fn layout(glyphs: &[PlacedGlyph], width: f64, height: f64) -> Vec<Line> {
    let mut by_class: [Vec<LG>; 4] = Default::default();
    for g in glyphs {
        let k = class_of(g);
        let a = to_frame(k, g.p0.0, g.p0.1);
        let b = to_frame(k, g.p1.0, g.p1.1);
        let ry = (a.1 + b.1) / 2.0;
        let space = g.text.chars().all(char::is_whitespace);
        by_class[k as usize].push(LG {
            run: g.run,
            seq: by_class[k as usize].len(),
            text: g.text.clone(),
            space,
            rx0: a.0.min(b.0),
            rx1: a.0.max(b.0),
            ry,
            size: g.size,
            top: ry - g.ascent * g.size,
            bottom: ry + g.descent * g.size,
        });
    }
    // Dominant orientation first.
    let mut order: Vec<usize> = (0..4).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(by_class[k].len()));
    let mut out = Vec::new();
    for k in order {
        let mut gs = std::mem::take(&mut by_class[k]);
        if gs.is_empty() {
            continue;
        }
        gs.sort_by(|a, b| a.ry.total_cmp(&b.ry));
        // Sweep into lines: a glyph joins the current line when its baseline
        // is within ~half a font size of the line's first baseline.
        let mut lines: Vec<Vec<LG>> = Vec::new();
        let mut anchor = (f64::NAN, 0.0);
        for g in gs {
            let tol = 0.45 * g.size.min(anchor.1);
            if !lines.is_empty() && (g.ry - anchor.0).abs() <= tol {
                if let Some(l) = lines.last_mut() {
                    l.push(g);
                }
            } else {
                anchor = (g.ry, g.size);
                lines.push(vec![g]);
            }
        }
        for mut l in lines {
            l.sort_by(|a, b| a.rx0.total_cmp(&b.rx0));
            if let Some(line) = build_line(k as u8, l, width, height) {
                out.push(line);
            }
        }
    }
    out
}

/// A piece of one text-showing operation between spaces and gaps: the unit
/// that is put in left-to-right order (keeping the operation's own glyph
/// order inside, which survives stretched or overlapping words such as
/// Tesseract's invisible text layers).
struct Chunk {
    text: String,
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
    size: f64,
    /// A space glyph ends / starts it.
    space_after: bool,
    space_before: bool,
}

fn build_line(k: u8, mut glyphs: Vec<LG>, w: f64, h: f64) -> Option<Line> {
    glyphs.sort_by_key(|g| (g.run, g.seq));
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut cur: Option<Chunk> = None;
    let mut prev: Option<(u32, f64, f64)> = None; // run, rx0, rx1 of the last glyph
    let mut pending_space = false;
    for g in glyphs {
        let new_run = prev.is_none_or(|p| p.0 != g.run);
        if new_run {
            if let Some(c) = cur.take() {
                chunks.push(c);
            }
            pending_space = false;
        }
        if g.space {
            if let Some(mut c) = cur.take() {
                c.space_after = true;
                chunks.push(c);
            }
            pending_space = true;
            prev = Some((g.run, g.rx0, g.rx1));
            continue;
        }
        if let (Some(c), Some((_, px0, px1))) = (&cur, prev) {
            let em = c.size.max(g.size);
            // A gap, or a jump backwards, inside one operation ends the chunk.
            if g.rx0 - px1 > 0.25 * em || g.rx0 < px0 - 0.5 * em {
                if let Some(c) = cur.take() {
                    chunks.push(c);
                }
            }
        }
        match &mut cur {
            Some(c) => {
                c.text.push_str(&g.text);
                c.x0 = c.x0.min(g.rx0);
                c.x1 = c.x1.max(g.rx1);
                c.top = c.top.min(g.top);
                c.bottom = c.bottom.max(g.bottom);
                c.size = c.size.max(g.size);
            }
            None => {
                cur = Some(Chunk {
                    text: g.text.clone(),
                    x0: g.rx0,
                    x1: g.rx1,
                    top: g.top,
                    bottom: g.bottom,
                    size: g.size,
                    space_after: false,
                    space_before: pending_space,
                });
                pending_space = false;
            }
        }
        prev = Some((g.run, g.rx0, g.rx1));
    }
    if let Some(c) = cur.take() {
        chunks.push(c);
    }
    chunks.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    // Fake bold / shadow: the same text drawn again almost on top.
    let mut kept: Vec<Chunk> = Vec::with_capacity(chunks.len());
    for c in chunks {
        if let Some(p) = kept.iter().rev().take(4).find(|p| p.text == c.text) {
            if (c.x0 - p.x0).abs() < 0.3 * p.size.max(c.size).max(1.0) {
                continue;
            }
        }
        kept.push(c);
    }
    // A chunk spilling over the next one (stretched OCR words) ends where it starts.
    for i in 0..kept.len().saturating_sub(1) {
        let next = kept[i + 1].x0;
        if kept[i].x1 > next {
            kept[i].x1 = next.max(kept[i].x0 + 1.0);
        }
    }
    // Chunks → words: adjacent chunks with no space between them join.
    let mut words: Vec<Word> = Vec::new();
    let mut acc: Option<Chunk> = None;
    let push = |acc: Chunk, words: &mut Vec<Word>| {
        words.push(Word {
            text: acc.text,
            bbox: frame_box(k, acc.x0, acc.x1, acc.top, acc.bottom, w, h),
            conf: 100.0,
            ..Default::default()
        });
    };
    for c in kept {
        match acc.take() {
            None => acc = Some(c),
            Some(mut a) => {
                let em = a.size.max(c.size);
                let joined = !a.space_after && !c.space_before && c.x0 - a.x1 <= 0.25 * em;
                if joined {
                    a.text.push_str(&c.text);
                    a.x1 = a.x1.max(c.x1);
                    a.top = a.top.min(c.top);
                    a.bottom = a.bottom.max(c.bottom);
                    a.size = em;
                    a.space_after = c.space_after;
                    acc = Some(a);
                } else {
                    push(a, &mut words);
                    acc = Some(c);
                }
            }
        }
    }
    if let Some(a) = acc {
        push(a, &mut words);
    }
    if words.is_empty() {
        return None;
    }
    Some(Line::from_words(words))
}

/// Fraction of the page covered by images (sum of their clipped areas, at most 1).
pub fn image_coverage(scan: &PageScan) -> f64 {
    let area = scan.width * scan.height;
    if area <= 0.0 {
        return 0.0;
    }
    let mut sum = 0.0;
    for im in &scan.images {
        let (x0, y0, x1, y1) = unit_square_bbox(&im.m);
        let cx0 = x0.max(0.0);
        let cy0 = y0.max(0.0);
        let cx1 = x1.min(scan.width);
        let cy1 = y1.min(scan.height);
        if cx1 > cx0 && cy1 > cy0 {
            sum += (cx1 - cx0) * (cy1 - cy0);
        }
    }
    (sum / area).min(1.0)
}

pub fn unit_square_bbox(m: &Mat) -> (f64, f64, f64, f64) {
    let pts = [
        m.apply(0.0, 0.0),
        m.apply(1.0, 0.0),
        m.apply(0.0, 1.0),
        m.apply(1.0, 1.0),
    ];
    let (mut a, mut b, mut c, mut d) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in pts {
        a = a.min(x);
        b = b.min(y);
        c = c.max(x);
        d = d.max(y);
    }
    (a, b, c, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(text: &str, x: f64, y: f64, w: f64, size: f64) -> PlacedGlyph {
        PlacedGlyph {
            text: text.into(),
            p0: (x, y),
            p1: (x + w, y),
            dir: (1.0, 0.0),
            size,
            ascent: 0.8,
            descent: 0.2,
            invisible: false,
            run: (x * 10.0) as u32,
        }
    }

    #[test]
    fn lines_words_and_order() {
        let glyphs = vec![
            g("B", 100.0, 200.0, 10.0, 20.0),
            g("y", 112.0, 201.0, 10.0, 20.0),
            g("e", 122.0, 200.0, 10.0, 20.0),
            g("H", 100.0, 100.0, 10.0, 20.0),
            g("i", 110.0, 100.0, 5.0, 20.0),
            g("x", 150.0, 100.0, 10.0, 20.0), // gap 35 px > 0.25 em: new word
            g("中", 300.0, 100.0, 20.0, 20.0),
            g("文", 330.0, 100.0, 20.0, 20.0),
        ];
        let lines = layout(&glyphs, 1000.0, 1000.0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Hi x中文");
        assert_eq!(lines[1].text, "Bye");
        assert_eq!(lines[0].words.len(), 4);
        let b = lines[1].bbox;
        assert_eq!((b.x, b.y), (100, 184));
        assert!(b.w >= 31 && b.w <= 33, "{b:?}");
    }

    #[test]
    fn fake_bold_is_deduplicated() {
        let glyphs = vec![
            g("证", 100.0, 100.0, 20.0, 20.0),
            g("证", 100.5, 100.0, 20.0, 20.0),
            g("书", 120.0, 100.0, 20.0, 20.0),
            g("书", 120.5, 100.0, 20.0, 20.0),
        ];
        let lines = layout(&glyphs, 1000.0, 1000.0);
        assert_eq!(lines[0].text, "证书");
    }

    fn run_of(text: &str, x: f64, adv: f64, run: u32) -> Vec<PlacedGlyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                let mut gl = g(&c.to_string(), x + i as f64 * adv, 100.0, adv, 20.0);
                gl.run = run;
                gl
            })
            .collect()
    }

    #[test]
    fn stretched_overlapping_words_keep_their_order() {
        // Tesseract's layer: each word one operation, horizontally stretched so
        // that its glyphs run past the start of the next word.
        let mut glyphs = run_of("信息 ", 100.0, 60.0, 1);
        glyphs.extend(run_of("技术 ", 180.0, 30.0, 2));
        glyphs.extend(run_of("服务", 260.0, 20.0, 3));
        let lines = layout(&glyphs, 1000.0, 1000.0);
        assert_eq!(lines[0].text, "信息技术服务");
        let w = &lines[0].words;
        assert_eq!(w.len(), 3);
        assert!(w[0].bbox.x + w[0].bbox.w <= w[1].bbox.x, "{w:?}");
    }

    #[test]
    fn value_drawn_into_a_gap_of_a_label_run() {
        // "Name:          Date:" drawn as one operation, the values as others.
        let mut glyphs = run_of("Name:", 100.0, 10.0, 1);
        glyphs.extend(run_of("Date:", 400.0, 10.0, 1));
        glyphs.extend(run_of("ACME", 200.0, 10.0, 2));
        glyphs.extend(run_of("2025", 500.0, 10.0, 3));
        let lines = layout(&glyphs, 1000.0, 1000.0);
        assert_eq!(lines[0].text, "Name: ACME Date: 2025");
    }

    #[test]
    fn rotated_frames_round_trip() {
        for k in 0..4u8 {
            let (x, y) = to_frame(k, 12.0, -7.0);
            assert_eq!(from_frame(k, x, y), (12.0, -7.0));
        }
    }
}
