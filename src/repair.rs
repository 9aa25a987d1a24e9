//! Format-aware repair of OCR confusions (I/1, O/0, S/5, B/8, Z/2, G/6) in
//! codes whose format is known: certificate numbers (by position against the
//! profile's patterns), unified social credit codes (by the check character),
//! CNAS codes and CNCA approval numbers.

use crate::text::{uscc_check_ok, USCC_ALPHABET};
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Characters OCR mistakes for one another, both ways.
const CONFUSIONS: [(char, &[char]); 14] = [
    ('0', &['O', 'D', 'Q']),
    ('O', &['0', 'D', 'Q']),
    ('D', &['0', 'O']),
    ('Q', &['0', 'O']),
    ('1', &['I', 'L', 'T']),
    ('I', &['1', 'L', 'T']),
    ('L', &['1', 'I']),
    ('T', &['1', 'I', '7']),
    ('5', &['S']),
    ('S', &['5']),
    ('8', &['B']),
    ('B', &['8']),
    ('2', &['Z']),
    ('Z', &['2']),
];

fn alternatives(c: char) -> &'static [char] {
    match c {
        '6' => &['G'],
        'G' => &['6'],
        '7' => &['T'],
        _ => CONFUSIONS
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, v)| *v)
            .unwrap_or(&[]),
    }
}

/// Repairs `token` so that it matches one of `patterns` (anchored regexes),
/// changing as few confusable characters as possible (at most 3). Returns the
/// token unchanged when it already matches or no repair makes it match, with
/// the number of characters changed.
pub fn repair_to_pattern(token: &str, patterns: &[Regex]) -> (String, usize) {
    // Specific patterns first: a loose one ("any 17 characters") would accept
    // the misreading itself.
    let (specific, loose): (Vec<&Regex>, Vec<&Regex>) = patterns.iter().partition(|p| !is_loose(p));
    for group in [specific, loose] {
        let (v, k) = repair_among(token, &group);
        if group.iter().any(|p| p.is_match(&v)) {
            return (v, k);
        }
    }
    (token.to_string(), 0)
}

/// A pattern is loose when it accepts a run of one repeated letter or digit.
pub fn is_loose(p: &Regex) -> bool {
    (6..=24).any(|n| p.is_match(&"A".repeat(n))) && (6..=24).any(|n| p.is_match(&"0".repeat(n)))
}

fn repair_among(token: &str, patterns: &[&Regex]) -> (String, usize) {
    let matches = |s: &str| patterns.iter().any(|p| p.is_match(s));
    if patterns.is_empty() || matches(token) {
        return (token.to_string(), 0);
    }
    let chars: Vec<char> = token.chars().collect();
    // A stray character OCR added ("R1LS" for "R1S"): one deletion that makes
    // the token fit, if there is exactly one such.
    let mut deletions: Vec<String> = Vec::new();
    for i in 0..chars.len() {
        let d: String = chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| *c)
            .collect();
        if matches(&d) && !deletions.contains(&d) {
            deletions.push(d);
        }
    }
    let ambiguous: Vec<usize> = (0..chars.len())
        .filter(|&i| !alternatives(chars[i]).is_empty())
        .collect();
    for k in 1..=3usize.min(ambiguous.len()) {
        // Cost of a candidate: the ranks of the alternatives taken (the first
        // alternative of a character is the likeliest confusion).
        let mut best: Vec<(usize, String)> = Vec::new();
        for_combinations(&ambiguous, k, &mut |positions| {
            for_substitutions(&chars, positions, &mut |cand, cost| {
                let s: String = cand.iter().collect();
                if matches(&s) && !best.iter().any(|(_, b)| b == &s) {
                    best.push((cost, s));
                }
            });
        });
        if best.is_empty() {
            if k == 1 && deletions.len() == 1 {
                return (deletions.swap_remove(0), 1);
            }
            continue;
        }
        best.sort();
        // Take a repair only when no other repair is as likely.
        if best.len() == 1 || best[0].0 < best[1].0 {
            return (best.swap_remove(0).1, k);
        }
        break;
    }
    (token.to_string(), 0)
}

fn for_combinations(items: &[usize], k: usize, f: &mut dyn FnMut(&[usize])) {
    fn rec(
        items: &[usize],
        k: usize,
        start: usize,
        cur: &mut Vec<usize>,
        f: &mut dyn FnMut(&[usize]),
    ) {
        if cur.len() == k {
            f(cur);
            return;
        }
        for i in start..items.len() {
            cur.push(items[i]);
            rec(items, k, i + 1, cur, f);
            cur.pop();
        }
    }
    rec(items, k, 0, &mut Vec::new(), f);
}

fn for_substitutions(chars: &[char], positions: &[usize], f: &mut dyn FnMut(&[char], usize)) {
    fn rec(
        cur: &mut Vec<char>,
        positions: &[usize],
        cost: usize,
        f: &mut dyn FnMut(&[char], usize),
    ) {
        match positions.split_first() {
            None => f(cur, cost),
            Some((&p, rest)) => {
                let orig = cur[p];
                for (rank, &a) in alternatives(orig).iter().enumerate() {
                    cur[p] = a;
                    rec(cur, rest, cost + rank, f);
                }
                cur[p] = orig;
            }
        }
    }
    let mut cur = chars.to_vec();
    rec(&mut cur, positions, 0, f);
}

/// Repairs a unified social credit code read by OCR: letters outside the
/// alphabet (I, O, S, V, Z) become the digits they resemble, then, if the check
/// character fails, the one single confusable change that makes it pass is
/// taken. Returns None when no 18-character reading passes.
pub fn repair_uscc(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .map(|c| match c {
            'I' => '1',
            'O' => '0',
            'S' => '5',
            'Z' => '2',
            'V' => 'U',
            c => c,
        })
        .collect();
    if s.chars().count() != 18 || !s.chars().all(|c| USCC_ALPHABET.contains(c)) {
        return None;
    }
    if uscc_check_ok(&s) {
        return Some(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut passing = Vec::new();
    for i in 0..18 {
        for &a in alternatives(chars[i])
            .iter()
            .chain(extra_uscc_alternatives(chars[i]))
        {
            if !USCC_ALPHABET.contains(a) {
                continue;
            }
            let mut c = chars.clone();
            c[i] = a;
            let cand: String = c.iter().collect();
            if uscc_check_ok(&cand) && !passing.contains(&cand) {
                passing.push(cand);
            }
        }
    }
    (passing.len() == 1).then(|| passing.remove(0))
}

fn extra_uscc_alternatives(c: char) -> &'static [char] {
    match c {
        '0' => &['8', '6', '9'],
        '8' => &['0', '3', '6', '9'],
        '3' => &['8'],
        '6' => &['8', '0', 'G'],
        '9' => &['0', '8'],
        '1' => &['7', '4'],
        '7' => &['1'],
        '4' => &['1'],
        'M' => &['N', 'H'],
        'N' => &['M', 'H'],
        'H' => &['M', 'N'],
        'U' => &['W'],
        'W' => &['U'],
        _ => &[],
    }
}

/// A key under which two OCR readings of one code compare equal although
/// confusable characters differ ("CN0112…" and "CNO112…").
pub fn confusion_key(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' | 'D' | 'Q' => '0',
            'I' | 'L' | '|' => '1',
            'S' => '5',
            'B' => '8',
            'Z' => '2',
            'G' => '6',
            c => c,
        })
        .collect()
}

/// Digits read as letters inside a numeric field.
pub fn digits_of(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'O' | 'o' | 'D' | 'Q' => '0',
            'I' | 'l' | '|' | 'L' => '1',
            'S' | 's' => '5',
            'B' => '8',
            'Z' | 'z' => '2',
            'G' => '6',
            c => c,
        })
        .collect()
}

/// Letters read as digits put back (for the letter part of a code).
pub fn letters_of(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0' => 'O',
            '1' | '|' => 'I',
            '5' => 'S',
            '8' => 'B',
            '2' => 'Z',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// A CCAA auditor qualification number (`2017-N1ITSMS-1212511`: year, N and
/// level, scheme letters, serial) in a value, read through OCR's confusions
/// (the scheme's I read as 1, the serial's 1 as I or l).
pub fn qualification_number(s: &str) -> Option<String> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| {
        Regex::new(
            r"(?i)((?:19|20)[0-9OIl]{2})\s*[-—–_]\s*N\s*([0-9Il|])\s*([A-Z0-9|]{2,6}?)\s*[-—–_]\s*([0-9OIl|]{5,8})(?-u:\b)",
        )
        .expect("valid pattern")
    });
    let c = r.captures(s)?;
    Some(format!(
        "{}-N{}{}-{}",
        digits_of(&c[1]),
        digits_of(&c[2]),
        letters_of(&c[3]),
        digits_of(&c[4])
    ))
}

/// OCR repairs of a scope's text, where what is printed is known well enough:
/// - the version of a statement of applicability keeps its colon and its
///   capital V ("适用性声明版本v2.2" → "适用性声明版本：V2.2"; OCR drops a
///   small full-width colon before Latin print and reads V small, and
///   certificates print both);
/// - a digit 1 or 0 between two letters of an English word is the l or o it
///   looks like, when that makes a word ("externa1" → "external");
/// - two English words read without the space between them are split again
///   ("andmaintenance" → "and maintenance"), when the token is no word of
///   `words` and exactly one split makes two words of three letters or more
///   of it.
pub fn repair_scope_text(v: &str, words: &HashSet<String>) -> String {
    static SOA: OnceLock<Regex> = OnceLock::new();
    let soa = SOA.get_or_init(|| {
        Regex::new(
            r"(适用性声明(?:书)?版本(?:号)?|適用性聲明(?:書)?版本(?:號)?)\s*[:：]?\s*([A-Za-z0-9])",
        )
        .expect("valid pattern")
    });
    // The version's V is a capital ("v2.0" is OCR's reading of "V2.0").
    let v = soa.replace_all(v, |c: &regex::Captures| {
        let first = if &c[2] == "v" { "V" } else { &c[2] };
        format!("{}：{}", &c[1], first)
    });
    if !v.chars().any(|c| c.is_ascii_alphabetic()) {
        return v.into_owned();
    }
    let mut out = String::with_capacity(v.len() + 8);
    for (k, token) in v.split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(&repair_english_token(token, words));
    }
    out
}

/// [`repair_scope_text`] on one space-separated token (its leading and
/// trailing punctuation kept as it is).
fn repair_english_token(token: &str, words: &HashSet<String>) -> String {
    let start = token
        .find(|c: char| c.is_ascii_alphanumeric())
        .unwrap_or(token.len());
    let end = token
        .rfind(|c: char| c.is_ascii_alphanumeric())
        .map_or(start, |i| i + 1);
    let core = &token[start..end];
    if core.len() < 4 || !core.chars().all(|c| c.is_ascii_alphanumeric()) {
        return token.to_string();
    }
    let known = |w: &str| words.contains(&w.to_ascii_lowercase());
    if known(core) || !core.chars().any(|c| c.is_ascii_alphabetic()) {
        return token.to_string();
    }
    // Digits inside a word (between letters, or ending or starting one)
    // read as the letters they look like; the result must be a word.
    let b = core.as_bytes();
    let alpha = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphabetic());
    let lettered: String = core
        .char_indices()
        .map(|(i, c)| {
            let before = i > 0 && alpha(i - 1);
            let after = alpha(i + 1);
            let in_word = (before && after)
                || (before && i + 1 == b.len() && i >= 3)
                || (after && i == 0 && b.len() >= 4);
            match c {
                '1' if in_word => 'l',
                '0' if in_word => 'o',
                c => c,
            }
        })
        .collect();
    let fixed = if known(&lettered) {
        lettered
    } else {
        match split_glued_words(&lettered, &known) {
            Some(v) => v,
            None => return token.to_string(),
        }
    };
    format!("{}{}{}", &token[..start], fixed, &token[end..])
}

/// Two-letter words a glued token may hold ("relatedto", "involvedin…").
const SHORT_WORDS: [&str; 8] = ["to", "of", "in", "on", "by", "at", "as", "or"];

/// English words read without the spaces between them, split again: the
/// split into the fewest known words, when there is exactly one such split.
/// Parts are words of three letters at least ("another" is not "an other"),
/// or a two-letter preposition beside a word of four or more ("relatedto" →
/// "related to", "involvedinproviding" → "involved in providing").
fn split_glued_words(s: &str, known: &dyn Fn(&str) -> bool) -> Option<String> {
    let n = s.len();
    if !s.is_ascii() || n > 64 {
        return None;
    }
    let piece_ok = |a: usize, b: usize| {
        let w = &s[a..b];
        known(w) && (w.len() >= 3 || SHORT_WORDS.contains(&w.to_ascii_lowercase().as_str()))
    };
    // best[i]: (fewest pieces for s[..i], how many splits reach it, where the
    // last piece starts).
    let mut best: Vec<Option<(usize, usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 1, 0));
    for b in 2..=n {
        for a in 0..=b - 2 {
            let Some((pieces, ways, _)) = best[a] else {
                continue;
            };
            if !piece_ok(a, b) {
                continue;
            }
            let cand = pieces + 1;
            best[b] = match best[b] {
                Some((p, w, at)) if p == cand => Some((p, w + ways, at)),
                Some((p, w, at)) if p < cand => Some((p, w, at)),
                _ => Some((cand, ways, a)),
            };
        }
    }
    let (pieces, ways, _) = best[n]?;
    if ways != 1 || pieces < 2 {
        return None;
    }
    let mut cuts = vec![n];
    let mut i = n;
    while i > 0 {
        i = best[i]?.2;
        cuts.push(i);
    }
    cuts.reverse();
    let words: Vec<&str> = cuts.windows(2).map(|w| &s[w[0]..w[1]]).collect();
    // A two-letter word needs a word of four letters or more beside it.
    let short_ok = (0..words.len()).all(|k| {
        words[k].len() >= 3
            || [k.checked_sub(1), Some(k + 1)]
                .into_iter()
                .flatten()
                .any(|j| words.get(j).is_some_and(|w| w.len() >= 4))
    });
    short_ok.then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real() -> Vec<Regex> {
        vec![Regex::new(r"^\d{5}[A-Z]{1,4}\d{3,6}R\d[SML](/\d{4})?(-\d+)?$").unwrap()]
    }

    #[test]
    fn certificate_number_repaired_by_position() {
        assert_eq!(
            repair_to_pattern("046251T15304R1M", &real()),
            ("04625IT15304R1M".into(), 1)
        );
        assert_eq!(
            repair_to_pattern("0O216Q10097R1S", &real()),
            ("00216Q10097R1S".into(), 1)
        );
        assert_eq!(
            repair_to_pattern("00114E22766R2L/35O2", &real()),
            ("00114E22766R2L/3502".into(), 1)
        );
        assert_eq!(
            repair_to_pattern("04625Q15304RIM", &real()),
            ("04625Q15304R1M".into(), 1)
        );
        // A loose pattern (the seed's "17 characters") does not hide a repair
        // towards a specific one.
        let mut both = real();
        both.push(Regex::new(r"^[A-Z0-9]{17}$").unwrap());
        assert_eq!(
            repair_to_pattern("04322ISMS44223ROM", &both),
            ("04322ISMS44223R0M".into(), 1)
        );
        assert_eq!(
            repair_to_pattern("CN00342025IT65761", &both),
            ("CN00342025IT65761".into(), 0)
        );
        // Already right: untouched. Unrepairable: untouched.
        assert_eq!(repair_to_pattern("04625IT15304R1M", &real()).1, 0);
        assert_eq!(
            repair_to_pattern("HELLO-WORLD", &real()),
            ("HELLO-WORLD".into(), 0)
        );
    }

    #[test]
    fn uscc_repaired_through_check_character() {
        assert_eq!(
            repair_uscc("91371323760038087M").as_deref(),
            Some("91371323760038087M")
        );
        // O for 0 (outside the alphabet): mapped.
        assert_eq!(
            repair_uscc("9137132376OO38087M").as_deref(),
            Some("91371323760038087M")
        );
        // B for 8 is inside the alphabet: only the check character can tell.
        assert_eq!(
            repair_uscc("913713237600380B7M").as_deref(),
            Some("91371323760038087M")
        );
        assert_eq!(repair_uscc("12345"), None);
    }

    #[test]
    fn scope_text_gets_back_what_ocr_drops() {
        let words = crate::extract::Vocabularies::bundled().english_words;
        let fix = |s: &str| repair_scope_text(s, &words);
        assert_eq!(
            fix("与运维服务相关的信息安全管理活动（适用性声明版本V2.2）"),
            "与运维服务相关的信息安全管理活动（适用性声明版本：V2.2）"
        );
        assert_eq!(fix("适用性声明版本：V1.0"), "适用性声明版本：V1.0");
        assert_eq!(fix("（适用性声明版本：v2.0）"), "（适用性声明版本：V2.0）");
        assert_eq!(
            fix("data centre operation andmaintenance services to externa1customers."),
            "data centre operation and maintenance services to external customers."
        );
        assert_eq!(
            fix("activities relatedto network security operationservices"),
            "activities related to network security operation services"
        );
        assert_eq!(
            fix("capacity management involvedinprovidingnetwork security"),
            "capacity management involved in providing network security"
        );
        assert_eq!(
            fix("service leve1 management, 1evel, 0peration"),
            "service level management, level, operation"
        );
        // Words it does not know, codes and numbers stay as read.
        assert_eq!(
            fix("Zhongguancun outsourcingbpo ISO/IEC 20000-1:2018 V2.2 A1B2"),
            "Zhongguancun outsourcingbpo ISO/IEC 20000-1:2018 V2.2 A1B2"
        );
        // Ambiguous splits stay joined.
        let mut w: HashSet<String> = ["in", "for", "mation", "form", "ation"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        w.insert("information".into());
        assert_eq!(repair_scope_text("information", &w), "information");
        w.insert("an".into());
        w.insert("other".into());
        assert_eq!(repair_scope_text("another", &w), "another");
        assert_eq!(repair_scope_text("formation", &w), "formation");
    }

    #[test]
    fn qualification_number_through_ocr_confusions() {
        for (read, want) in [
            (
                "Qualification No.;2017-N1ITSMS-1212511",
                "2017-N1ITSMS-1212511",
            ),
            (
                "Qua1ification No.：2012-N1ITSMS-1051754",
                "2012-N1ITSMS-1051754",
            ),
            ("2016-N11TSMS-1054157", "2016-N1ITSMS-1054157"),
            ("2023-N1ISMS-12778I8", "2023-N1ISMS-1277818"),
        ] {
            assert_eq!(qualification_number(read).as_deref(), Some(want), "{read}");
        }
        assert_eq!(qualification_number("CNCA-R-2002-001"), None);
    }
}
