//! Lenient accessors for lopdf objects: every lookup follows references and
//! returns None instead of an error when the object is missing or of another
//! type.

use lopdf::{Dictionary, Document, Object, Stream};

/// Limit on what one auxiliary stream (CMap, form content, font data) may
/// decompress to.
pub const AUX_STREAM_LIMIT: usize = 32 << 20;

pub fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match doc.dereference(o) {
        Ok((_, obj)) => obj,
        Err(_) => &Object::Null,
    }
}

pub fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let o = deref(doc, d.get(key).ok()?);
    if matches!(o, Object::Null) {
        None
    } else {
        Some(o)
    }
}

pub fn get_dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, d, key)? {
        Object::Dictionary(x) => Some(x),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub fn get_stream<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Stream> {
    match get(doc, d, key)? {
        Object::Stream(s) => Some(s),
        _ => None,
    }
}

pub fn get_array<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    match get(doc, d, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

pub fn get_name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, d, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

pub fn num_d(doc: &Document, o: &Object) -> Option<f32> {
    num(deref(doc, o))
}

pub fn get_num(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<f32> {
    num(get(doc, d, key)?)
}

/// Numbers of an array (references followed); None if any element is not a number.
pub fn nums(doc: &Document, a: &[Object]) -> Option<Vec<f32>> {
    a.iter().map(|o| num_d(doc, o)).collect()
}

/// Decoded content of a stream, bounded.
pub fn stream_data(s: &Stream, limit: usize) -> Option<Vec<u8>> {
    s.get_plain_content_with_limit(limit).ok()
}
