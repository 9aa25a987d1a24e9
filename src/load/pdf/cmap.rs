//! A small, lenient parser for the CMaps found inside PDFs: `/ToUnicode` maps
//! (bfchar / bfrange, incl. the array form and multi-byte codes) and embedded
//! `/Encoding` CMaps (codespace ranges, cidchar / cidrange).
//!
//! It never panics on malformed input: unknown tokens are skipped, oversized
//! ranges are clamped.

use std::collections::HashMap;

/// Ranges larger than this are clamped (a crafted CMap must not make us
/// allocate or iterate without bound).
const MAX_RANGE: u32 = 0x1_0000;

/// One codespace range: codes of `len` bytes whose bytes lie, byte by byte,
/// between `lo` and `hi`.
#[derive(Debug, Clone)]
pub struct Codespace {
    pub lo: Vec<u8>,
    pub hi: Vec<u8>,
}

#[derive(Debug, Clone)]
struct BfRange {
    len: u8,
    lo: u32,
    hi: u32,
    /// Destination of `lo` as UTF-16 units; later codes increment the last unit.
    dst: Vec<u16>,
}

#[derive(Debug, Clone)]
struct CidRange {
    len: u8,
    lo: u32,
    hi: u32,
    cid: u32,
}

/// A parsed CMap.
#[derive(Debug, Clone, Default)]
pub struct CMap {
    pub codespaces: Vec<Codespace>,
    /// bfchar entries and expanded array-form bfranges, keyed by (len, code).
    chars: HashMap<(u8, u32), String>,
    ranges: Vec<BfRange>,
    cid_chars: HashMap<(u8, u32), u32>,
    cid_ranges: Vec<CidRange>,
    /// `/WMode 1`.
    pub vertical: bool,
    /// Name given to `usecmap` (a predefined CMap this one builds on).
    pub usecmap: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Str(Vec<u8>),
    Name(Vec<u8>),
    Num(f64),
    ArrOpen,
    ArrClose,
    Kw(Vec<u8>),
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    fn next_tok(&mut self) -> Option<Tok> {
        loop {
            while self.i < self.b.len() && is_ws(self.b[self.i]) {
                self.i += 1;
            }
            if self.i >= self.b.len() {
                return None;
            }
            let c = self.b[self.i];
            match c {
                b'%' => {
                    while self.i < self.b.len() && !matches!(self.b[self.i], b'\r' | b'\n') {
                        self.i += 1;
                    }
                }
                b'<' => {
                    if self.b.get(self.i + 1) == Some(&b'<') {
                        self.i += 2;
                        continue; // dictionaries are irrelevant here
                    }
                    self.i += 1;
                    let mut digits = Vec::new();
                    while self.i < self.b.len() && self.b[self.i] != b'>' {
                        if let Some(v) = hex_val(self.b[self.i]) {
                            digits.push(v);
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                    if digits.len() % 2 == 1 {
                        digits.push(0);
                    }
                    let bytes = digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
                    return Some(Tok::Hex(bytes));
                }
                b'>' => {
                    self.i += 1;
                }
                b'[' => {
                    self.i += 1;
                    return Some(Tok::ArrOpen);
                }
                b']' => {
                    self.i += 1;
                    return Some(Tok::ArrClose);
                }
                b'{' | b'}' | b')' => {
                    self.i += 1;
                }
                b'(' => {
                    self.i += 1;
                    let mut depth = 1;
                    let mut out = Vec::new();
                    while self.i < self.b.len() {
                        let ch = self.b[self.i];
                        self.i += 1;
                        match ch {
                            b'\\' => {
                                if let Some(&n) = self.b.get(self.i) {
                                    self.i += 1;
                                    out.push(match n {
                                        b'n' => b'\n',
                                        b'r' => b'\r',
                                        b't' => b'\t',
                                        other => other,
                                    });
                                }
                            }
                            b'(' => {
                                depth += 1;
                                out.push(ch);
                            }
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                                out.push(ch);
                            }
                            _ => out.push(ch),
                        }
                    }
                    return Some(Tok::Str(out));
                }
                b'/' => {
                    self.i += 1;
                    let s = self.i;
                    while self.i < self.b.len()
                        && !is_ws(self.b[self.i])
                        && !is_delim(self.b[self.i])
                    {
                        self.i += 1;
                    }
                    return Some(Tok::Name(self.b[s..self.i].to_vec()));
                }
                _ => {
                    let s = self.i;
                    while self.i < self.b.len()
                        && !is_ws(self.b[self.i])
                        && !is_delim(self.b[self.i])
                    {
                        self.i += 1;
                    }
                    if self.i == s {
                        self.i += 1;
                        continue;
                    }
                    let word = &self.b[s..self.i];
                    if let Some(n) = std::str::from_utf8(word)
                        .ok()
                        .and_then(|t| t.parse::<f64>().ok())
                    {
                        return Some(Tok::Num(n));
                    }
                    return Some(Tok::Kw(word.to_vec()));
                }
            }
        }
    }
}

fn be_u32(b: &[u8]) -> u32 {
    b.iter()
        .take(4)
        .fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
}

fn utf16_units(b: &[u8]) -> Vec<u16> {
    b.chunks(2)
        .map(|c| {
            if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from(c[0])
            }
        })
        .collect()
}

fn units_to_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

impl CMap {
    /// Parses a CMap program. Never fails: what cannot be read is left out.
    pub fn parse(data: &[u8]) -> CMap {
        let mut cm = CMap::default();
        let mut lx = Lexer { b: data, i: 0 };
        let mut prev: Vec<Tok> = Vec::new();
        while let Some(t) = lx.next_tok() {
            match &t {
                Tok::Kw(k) if k == b"begincodespacerange" => cm.read_codespaces(&mut lx),
                Tok::Kw(k) if k == b"beginbfchar" => cm.read_bfchar(&mut lx),
                Tok::Kw(k) if k == b"beginbfrange" => cm.read_bfrange(&mut lx),
                Tok::Kw(k) if k == b"begincidchar" || k == b"beginnotdefchar" => {
                    let notdef = k == b"beginnotdefchar";
                    cm.read_cidchar(&mut lx, notdef)
                }
                Tok::Kw(k) if k == b"begincidrange" || k == b"beginnotdefrange" => {
                    let notdef = k == b"beginnotdefrange";
                    cm.read_cidrange(&mut lx, notdef)
                }
                Tok::Kw(k) if k == b"usecmap" => {
                    if let Some(Tok::Name(n)) = prev.last() {
                        cm.usecmap = Some(n.clone());
                    }
                }
                Tok::Kw(k) if k == b"def" => {
                    if let [.., Tok::Name(n), Tok::Num(v)] = prev.as_slice() {
                        if n == b"WMode" && *v == 1.0 {
                            cm.vertical = true;
                        }
                    }
                }
                _ => {}
            }
            prev.push(t);
            if prev.len() > 2 {
                prev.remove(0);
            }
        }
        cm.ranges.sort_by_key(|r| (r.lo, r.len));
        cm.cid_ranges.sort_by_key(|r| (r.lo, r.len));
        cm
    }

    fn read_codespaces(&mut self, lx: &mut Lexer) {
        let mut pending: Option<Vec<u8>> = None;
        while let Some(t) = lx.next_tok() {
            match t {
                Tok::Kw(k) if k.starts_with(b"end") => return,
                Tok::Hex(h) => match pending.take() {
                    None => pending = Some(h),
                    Some(lo) => {
                        if !lo.is_empty() && lo.len() <= 4 && lo.len() == h.len() {
                            self.codespaces.push(Codespace { lo, hi: h });
                        }
                    }
                },
                _ => pending = None,
            }
        }
    }

    fn read_bfchar(&mut self, lx: &mut Lexer) {
        let mut src: Option<Vec<u8>> = None;
        while let Some(t) = lx.next_tok() {
            match t {
                Tok::Kw(k) if k.starts_with(b"end") => return,
                Tok::Hex(h) => match src.take() {
                    None => src = Some(h),
                    Some(s) => {
                        if !s.is_empty() && s.len() <= 4 {
                            let text = units_to_string(&utf16_units(&h));
                            self.chars.insert((s.len() as u8, be_u32(&s)), text);
                        }
                    }
                },
                Tok::Name(n) => {
                    // `<01> /space`: a glyph name as the destination.
                    if let Some(s) = src.take() {
                        if let Some(text) = super::font::glyph_name_to_unicode(&n) {
                            if !s.is_empty() && s.len() <= 4 {
                                self.chars.insert((s.len() as u8, be_u32(&s)), text);
                            }
                        }
                    }
                }
                _ => src = None,
            }
        }
    }

    fn read_bfrange(&mut self, lx: &mut Lexer) {
        let mut lo: Option<Vec<u8>> = None;
        let mut hi: Option<Vec<u8>> = None;
        while let Some(t) = lx.next_tok() {
            match t {
                Tok::Kw(k) if k.starts_with(b"end") => return,
                Tok::Hex(h) => {
                    if lo.is_none() {
                        lo = Some(h);
                    } else if hi.is_none() {
                        hi = Some(h);
                    } else {
                        let (l, hh) =
                            (lo.take().unwrap_or_default(), hi.take().unwrap_or_default());
                        if l.is_empty() || l.len() > 4 {
                            continue;
                        }
                        let (a, b) = (be_u32(&l), be_u32(&hh));
                        if b < a {
                            continue;
                        }
                        let b = b.min(a.saturating_add(MAX_RANGE - 1));
                        self.ranges.push(BfRange {
                            len: l.len() as u8,
                            lo: a,
                            hi: b,
                            dst: utf16_units(&h),
                        });
                    }
                }
                Tok::ArrOpen => {
                    let (l, hh) = (lo.take(), hi.take());
                    let mut dsts = Vec::new();
                    while let Some(t2) = lx.next_tok() {
                        match t2 {
                            Tok::Hex(h) => dsts.push(units_to_string(&utf16_units(&h))),
                            Tok::ArrClose => break,
                            Tok::Kw(_) => break,
                            _ => {}
                        }
                    }
                    if let (Some(l), Some(hh)) = (l, hh) {
                        if l.is_empty() || l.len() > 4 {
                            continue;
                        }
                        let (a, b) = (be_u32(&l), be_u32(&hh));
                        for (i, d) in dsts.into_iter().enumerate() {
                            let code = a.saturating_add(i as u32);
                            if code > b || i as u32 >= MAX_RANGE {
                                break;
                            }
                            self.chars.insert((l.len() as u8, code), d);
                        }
                    }
                }
                _ => {
                    lo = None;
                    hi = None;
                }
            }
        }
    }

    fn read_cidchar(&mut self, lx: &mut Lexer, notdef: bool) {
        let mut src: Option<Vec<u8>> = None;
        while let Some(t) = lx.next_tok() {
            match t {
                Tok::Kw(k) if k.starts_with(b"end") => return,
                Tok::Hex(h) => src = Some(h),
                Tok::Num(n) => {
                    if let Some(s) = src.take() {
                        if !notdef && !s.is_empty() && s.len() <= 4 && n >= 0.0 {
                            self.cid_chars.insert((s.len() as u8, be_u32(&s)), n as u32);
                        }
                    }
                }
                _ => src = None,
            }
        }
    }

    fn read_cidrange(&mut self, lx: &mut Lexer, notdef: bool) {
        let mut lo: Option<Vec<u8>> = None;
        let mut hi: Option<Vec<u8>> = None;
        while let Some(t) = lx.next_tok() {
            match t {
                Tok::Kw(k) if k.starts_with(b"end") => return,
                Tok::Hex(h) => {
                    if lo.is_none() {
                        lo = Some(h);
                    } else {
                        hi = Some(h);
                    }
                }
                Tok::Num(n) => {
                    if let (Some(l), Some(hh)) = (lo.take(), hi.take()) {
                        if notdef || l.is_empty() || l.len() > 4 || n < 0.0 {
                            continue;
                        }
                        let (a, b) = (be_u32(&l), be_u32(&hh));
                        if b >= a {
                            self.cid_ranges.push(CidRange {
                                len: l.len() as u8,
                                lo: a,
                                hi: b,
                                cid: n as u32,
                            });
                        }
                    }
                }
                _ => {
                    lo = None;
                    hi = None;
                }
            }
        }
    }

    /// True when the map holds any code → Unicode entry.
    pub fn has_unicode(&self) -> bool {
        !self.chars.is_empty() || !self.ranges.is_empty()
    }

    /// True when the map holds any code → CID entry.
    pub fn has_cids(&self) -> bool {
        !self.cid_chars.is_empty() || !self.cid_ranges.is_empty()
    }

    /// Unicode text of a code of `len` bytes. Falls back to an entry of
    /// another length with the same value (producers are sloppy about that).
    pub fn lookup(&self, code: u32, len: u8) -> Option<String> {
        if let Some(s) = self.chars.get(&(len, code)) {
            return Some(s.clone());
        }
        if let Some(s) = self.range_lookup(code, Some(len)) {
            return Some(s);
        }
        for l in 1..=4u8 {
            if l != len {
                if let Some(s) = self.chars.get(&(l, code)) {
                    return Some(s.clone());
                }
            }
        }
        self.range_lookup(code, None)
    }

    fn range_lookup(&self, code: u32, len: Option<u8>) -> Option<String> {
        // Ranges are sorted by `lo`; look at those starting at or before `code`.
        let end = self.ranges.partition_point(|r| r.lo <= code);
        for r in self.ranges[..end].iter().rev().take(64) {
            if code <= r.hi && len.is_none_or(|l| l == r.len) {
                let mut units = r.dst.clone();
                let off = code - r.lo;
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add(off as u16);
                } else {
                    return None;
                }
                return Some(units_to_string(&units));
            }
        }
        None
    }

    /// CID of a code of `len` bytes (embedded encoding CMaps).
    pub fn cid(&self, code: u32, len: u8) -> Option<u32> {
        if let Some(c) = self.cid_chars.get(&(len, code)) {
            return Some(*c);
        }
        let end = self.cid_ranges.partition_point(|r| r.lo <= code);
        for r in self.cid_ranges[..end].iter().rev().take(64) {
            if code <= r.hi && r.len == len {
                return Some(r.cid + (code - r.lo));
            }
        }
        None
    }

    /// Length in bytes of the code starting at `bytes[0]` according to the
    /// codespace ranges, or None when there are none.
    pub fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        if self.codespaces.is_empty() || bytes.is_empty() {
            return None;
        }
        for n in 1..=4usize {
            if bytes.len() < n {
                break;
            }
            let hit = self.codespaces.iter().any(|cs| {
                cs.lo.len() == n && (0..n).all(|i| bytes[i] >= cs.lo[i] && bytes[i] <= cs.hi[i])
            });
            if hit {
                return Some(n);
            }
        }
        // No range matches: consume as many bytes as the shortest range whose
        // first byte matches, else the shortest range.
        let by_first = self
            .codespaces
            .iter()
            .filter(|cs| bytes[0] >= cs.lo[0] && bytes[0] <= cs.hi[0])
            .map(|cs| cs.lo.len())
            .min();
        let n = by_first
            .or_else(|| self.codespaces.iter().map(|cs| cs.lo.len()).min())
            .unwrap_or(1);
        Some(n.min(bytes.len()).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bfchar_bfrange_and_arrays() {
        let src = br#"/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfchar
<0003> <0020>
<0010> <8BC1>
endbfchar
2 beginbfrange
<0020> <0022> <0041>
<0030> <0031> [<4E2D> <D840DC00>]
endbfrange
endcmap"#;
        let cm = CMap::parse(src);
        assert_eq!(cm.lookup(0x0003, 2).as_deref(), Some(" "));
        assert_eq!(cm.lookup(0x0010, 2).as_deref(), Some("证"));
        assert_eq!(cm.lookup(0x0021, 2).as_deref(), Some("B"));
        assert_eq!(cm.lookup(0x0022, 2).as_deref(), Some("C"));
        assert_eq!(cm.lookup(0x0023, 2), None);
        assert_eq!(cm.lookup(0x0030, 2).as_deref(), Some("中"));
        assert_eq!(cm.lookup(0x0031, 2).as_deref(), Some("\u{20000}"));
        assert_eq!(cm.code_len(&[0x00, 0x10]), Some(2));
    }

    #[test]
    fn mixed_codespaces_and_cids() {
        let src = br#"begincmap /WMode 1 def
2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
1 begincidrange <20> <7e> 1 endcidrange
1 begincidchar <8140> 633 endcidchar
/GBK-EUC-H usecmap
endcmap"#;
        let cm = CMap::parse(src);
        assert!(cm.vertical);
        assert_eq!(cm.usecmap.as_deref(), Some(&b"GBK-EUC-H"[..]));
        assert_eq!(cm.code_len(&[0x41, 0x81]), Some(1));
        assert_eq!(cm.code_len(&[0x81, 0x40]), Some(2));
        assert_eq!(cm.cid(0x41, 1), Some(0x41 - 0x20 + 1));
        assert_eq!(cm.cid(0x8140, 2), Some(633));
    }

    #[test]
    fn garbage_does_not_panic() {
        let junk: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let _ = CMap::parse(&junk);
        let _ = CMap::parse(b"beginbfrange <00> <FFFFFFFF> <0000> endbfrange <");
        let _ = CMap::parse(b"begincodespacerange <> <> endcodespacerange");
    }
}
