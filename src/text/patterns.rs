//! Regular expressions as OCR's text needs them: Chinese characters in
//! either script, English words through OCR's letter-digit confusions. Takes
//! a pattern as the lexicon or a rule writes it; hands on the pattern that
//! matches what OCR reads.

use super::is_cjk;

/// A pattern as OCR's text needs it: Chinese characters in either script
/// ([`both_scripts`]), English words through the letter-digit confusions
/// ([`ocr_letters`]).
pub fn ocr_pattern(pat: &str) -> String {
    rewrite_pattern(pat, true, true)
}

/// A pattern whose Chinese characters also match their other-script forms
/// (审核组长 matches 審核組長 and OCR's mix 審核组長): every CJK character
/// outside a class becomes a class of its forms, and one inside a class gets
/// its forms added (not at either end of a range).
pub fn both_scripts(pat: &str) -> String {
    rewrite_pattern(pat, true, false)
}

/// A pattern whose English words also match OCR's confusions of i, l, 1, |
/// and of o, 0 (Initlal, Explry, 0rganization): in every run of three ASCII
/// letters or more outside a class, i and l become `[iIlL1|]` and o becomes
/// `[oO0]`; a space between words becomes optional (`\s+` → `\s*`: OCR
/// reads "IssueDate"). Other escapes, classes, flag groups (`(?i)`,
/// `(?-u:`) and short runs (codes such as `N`, `RF`) are left alone.
pub fn ocr_letters(pat: &str) -> String {
    rewrite_pattern(pat, false, true)
}

/// One pass over a pattern's literals for [`both_scripts`] (`scripts`) and
/// [`ocr_letters`] (`letters`).
fn rewrite_pattern(pat: &str, scripts: bool, letters: bool) -> String {
    let chars: Vec<char> = pat.chars().collect();
    let mut out = String::with_capacity(pat.len() * 2);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            // OCR drops the space between English words ("IssueDate").
            '\\' if letters
                && !in_class
                && chars.get(i + 1) == Some(&'s')
                && chars.get(i + 2) == Some(&'+') =>
            {
                out.push_str("\\s*");
                i += 3;
                continue;
            }
            '\\' => {
                out.push(c);
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
                continue;
            }
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                // A group's flags, up to its ':' or ')', are no literals.
                while i < chars.len() {
                    out.push(chars[i]);
                    i += 1;
                    if matches!(chars[i - 1], ':' | ')') {
                        break;
                    }
                }
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            _ => {}
        }
        if letters && !in_class && c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            let run = &chars[start..i];
            for &l in run {
                match l {
                    'i' | 'I' | 'l' | 'L' if run.len() >= 3 => out.push_str("[iIlL1|]"),
                    'o' | 'O' if run.len() >= 3 => out.push_str("[oO0]"),
                    l => out.push(l),
                }
            }
            continue;
        }
        let forms = if scripts && is_cjk(c) {
            super::script_variants(c)
        } else {
            vec![c]
        };
        let in_range = i > 0 && chars[i - 1] == '-' || chars.get(i + 1) == Some(&'-');
        if forms.len() == 1 || (in_class && in_range) {
            out.push(c);
        } else if in_class {
            out.extend(forms);
        } else {
            out.push('[');
            out.extend(forms);
            out.push(']');
        }
        i += 1;
    }
    out
}

/// A word as [`ocr_letters`] reads it: lower case, with l, 1 and | as i and
/// 0 as o, for comparing OCR's text with a known word.
pub fn letter_skeleton(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_ascii_lowercase() {
            'l' | '1' | '|' => 'i',
            '0' => 'o',
            c => c,
        })
        .collect()
}
