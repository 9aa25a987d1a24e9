//! Text: a shared leaf (it imports no stage). Takes printed text; hands on
//! its normal forms — dates to ISO, codes to uppercase ASCII, full-width to
//! half-width, standards to their ISO names, traditional to simplified for
//! comparisons, names to comparison keys — and patterns as OCR's text needs
//! them ([`patterns`]).

pub mod patterns;

pub use patterns::{both_scripts, letter_skeleton, ocr_letters, ocr_pattern};

use chrono::NaiveDate;
use regex::Regex;
use std::sync::OnceLock;

/// True for characters of the CJK scripts and their full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F |
        0x31A0..=0x31BF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 |
        0xFF5B..=0xFF65 | 0x20000..=0x2FA1F)
}

/// Full-width ASCII (U+FF01-FF5E) and the ideographic space to half-width.
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .collect()
}

/// Removes whitespace between two CJK characters (and around full-width brackets).
pub fn squeeze_cjk_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if let (Some(p), Some(&n)) = (prev, next) {
                if is_cjk(p) || is_cjk(n) {
                    continue;
                }
            }
            if prev.map(|p| p == ' ').unwrap_or(true) {
                continue;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Traditional to simplified Chinese (OpenCC t2s), for vocabulary matching and
/// comparisons; printed values keep their script.
pub fn to_simplified(s: &str) -> String {
    static CONV: OnceLock<Option<ferrous_opencc::OpenCC>> = OnceLock::new();
    opencc(&CONV, ferrous_opencc::config::BuiltinConfig::T2s, s)
}

/// Simplified to traditional Chinese (OpenCC s2t), to find a character's
/// other-script forms.
pub fn to_traditional(s: &str) -> String {
    static CONV: OnceLock<Option<ferrous_opencc::OpenCC>> = OnceLock::new();
    opencc(&CONV, ferrous_opencc::config::BuiltinConfig::S2t, s)
}

/// `s` converted by the OpenCC converter in `cell` (built from `config` on
/// first use; without it, `s` as it is).
fn opencc(
    cell: &OnceLock<Option<ferrous_opencc::OpenCC>>,
    config: ferrous_opencc::config::BuiltinConfig,
    s: &str,
) -> String {
    match cell.get_or_init(|| ferrous_opencc::OpenCC::from_config(config).ok()) {
        Some(c) => c.convert(s),
        None => s.to_string(),
    }
}

/// A character with its other-script forms (证 → 证, 證): what a label
/// printed in either script, or read in a mix of both, may show.
pub fn script_variants(c: char) -> Vec<char> {
    let mut v = vec![c];
    let mut buf = [0u8; 4];
    let one = c.encode_utf8(&mut buf);
    for s in [to_simplified(one), to_traditional(one)] {
        let mut it = s.chars();
        if let (Some(o), None) = (it.next(), it.next()) {
            if !v.contains(&o) {
                v.push(o);
            }
        }
    }
    v
}

/// A key for comparing names: simplified script, half-width, no spaces or
/// punctuation, brackets unified, lowercase.
pub fn name_key(s: &str) -> String {
    to_simplified(&to_half_width(s))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

fn re(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pat).expect("valid regex"))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month of an English month name, read through OCR's confusions of
/// letters with digits ("Ju1" is July, "0ct" October).
fn month_of(name: &str) -> Option<u32> {
    let n: String = name
        .chars()
        .map(|c| match c {
            '1' | 'I' | '|' => 'l',
            '0' => 'o',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    MONTHS
        .iter()
        .position(|m| n.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '○' | '◯' | '零' | 'О' | 'o' | 'O' | '0' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Value of a Chinese numeral of day or month: 十, 十二, 二十, 二十一, 三十一.
fn cn_small_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + cn_digit(*u)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', u] => Some(cn_digit(*t)? * 10 + cn_digit(*u)?),
        [u] => cn_digit(*u),
        _ => None,
    }
}

/// A date form: its pattern, the date its match says, and whether it counts
/// only where no earlier form matched (numbers in either order).
struct DateForm {
    pattern: &'static str,
    date: fn(&regex::Captures) -> Option<NaiveDate>,
    only_where_free: bool,
}

/// The date forms, in the order they are looked for.
const DATE_FORMS: [DateForm; 7] = [
    // 2025年3月1日, 2025-03-01, 2025.03.01, 2025/03/01, 2025 年 3 月 1 日
    DateForm {
        pattern: r"((?:19|20)\d{2})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})\s*(?:日|号)?",
        date: |c| ymd(&c[1], &c[2], &c[3]),
        only_where_free: false,
    },
    // 二〇二五年三月一日
    DateForm {
        pattern: r"([〇○◯零一二三四五六七八九0Oo]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日",
        date: |c| {
            let y = c[1]
                .chars()
                .map(cn_digit)
                .try_fold(0u32, |acc, d| d.map(|d| acc * 10 + d))?;
            NaiveDate::from_ymd_opt(y as i32, cn_small_number(&c[2])?, cn_small_number(&c[3])?)
        },
        only_where_free: false,
    },
    // 中華民國114年3月1日 (Taiwan's Republic-of-China years: + 1911)
    DateForm {
        pattern: r"(?:中華民國|中华民国|民國|民国)\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日",
        date: |c| {
            let y: i32 = c[1].parse().ok()?;
            NaiveDate::from_ymd_opt(y + 1911, c[2].parse().ok()?, c[3].parse().ok()?)
        },
        only_where_free: false,
    },
    // March 1, 2025 / Mar. 1st 2025
    DateForm {
        pattern: r"(?i)(?-u:\b)(jan|feb|mar|apr|may|jun|ju[l1I|]|aug|sep|sept|[o0]ct|nov|dec)(?:[a-z]*|[a-z]*[1|][a-z]*[.\s])\.?\s*(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*((?:19|20)\d{2})",
        date: |c| NaiveDate::from_ymd_opt(c[3].parse().ok()?, month_of(&c[1])?, c[2].parse().ok()?),
        only_where_free: false,
    },
    // 1 March 2025 / 1st of March, 2025 / 01-Mar-2025
    DateForm {
        pattern: r"(?i)(?-u:\b)(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?[-\s]?(jan|feb|mar|apr|may|jun|ju[l1I|]|aug|sep|sept|[o0]ct|nov|dec)(?:[a-z]*|[a-z]*[1|][a-z]*[.\s])\.?[-\s,]*((?:19|20)\d{2})",
        date: |c| NaiveDate::from_ymd_opt(c[3].parse().ok()?, month_of(&c[2])?, c[1].parse().ok()?),
        only_where_free: false,
    },
    // 27/03/2015, 06.01.2025, 04-12-2014: day first (as printed everywhere
    // but the United States); month first only when the second number
    // cannot be a month.
    DateForm {
        pattern: r"(?-u:\b)(\d{1,2})\s?([./-])\s?(\d{1,2})\s?([./-])\s?((?:19|20)\d{2})(?-u:\b)",
        date: |c| {
            if c[2] != c[4] {
                return None;
            }
            let (a, b): (u32, u32) = (c[1].parse().ok()?, c[3].parse().ok()?);
            let (d, mo) = if b > 12 && a <= 12 { (b, a) } else { (a, b) };
            NaiveDate::from_ymd_opt(c[5].parse().ok()?, mo, d)
        },
        only_where_free: true,
    },
    // 23 de julio de 2024 (Spanish)
    DateForm {
        pattern: r"(?i)(?-u:\b)(\d{1,2})\s+de\s+(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\s+(?:de\s+|del\s+)?((?:19|20)\d{2})",
        date: |c| {
            const MONTHS: [&str; 12] = [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ];
            let name = c[2].to_lowercase().replace("setiembre", "septiembre");
            let mo = MONTHS.iter().position(|x| *x == name)? as u32 + 1;
            NaiveDate::from_ymd_opt(c[3].parse().ok()?, mo, c[1].parse().ok()?)
        },
        only_where_free: false,
    },
];

/// All dates found in `text`, in order, with their byte ranges.
pub fn find_dates(text: &str) -> Vec<(usize, usize, NaiveDate)> {
    static RES: OnceLock<Vec<Regex>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        DATE_FORMS
            .iter()
            .map(|f| Regex::new(f.pattern).expect("valid regex"))
            .collect()
    });
    let t = digit_confusions(&to_half_width(text));
    let mut out: Vec<(usize, usize, NaiveDate)> = Vec::new();
    for (form, re) in DATE_FORMS.iter().zip(res) {
        for c in re.captures_iter(&t) {
            let m = c.get(0).unwrap();
            if form.only_where_free && out.iter().any(|o| o.0 < m.end() && m.start() < o.1) {
                continue;
            }
            if let Some(d) = (form.date)(&c) {
                out.push((m.start(), m.end(), d));
            }
        }
    }
    out.sort_by_key(|x| x.0);
    // Drop matches contained in an earlier one.
    let mut kept: Vec<(usize, usize, NaiveDate)> = Vec::new();
    for d in out {
        if kept.last().map(|k| d.0 < k.1).unwrap_or(false) {
            continue;
        }
        kept.push(d);
    }
    kept
}

/// O/o read for 0 and I/l/| read for 1 next to digits (dates only; keeps byte offsets).
fn digit_confusions(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let datey = |c: char| c.is_ascii_digit() || matches!(c, '年' | '月' | '日');
        let near_digit =
            (i > 0 && datey(chars[i - 1])) || chars.get(i + 1).map(|&n| datey(n)).unwrap_or(false);
        out.push(match c {
            'O' | 'o' if near_digit => '0',
            'I' | 'l' | '|' if near_digit => '1',
            c => c,
        });
    }
    out
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The first date in `text`, as ISO `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<String> {
    find_dates(text)
        .first()
        .map(|d| d.2.format("%Y-%m-%d").to_string())
}

/// A standard as printed → its normalised ISO name; national twins map to the
/// ISO standard they adopt.
pub fn normalize_standard(text: &str) -> Option<String> {
    all_standards(text).into_iter().next()
}

/// Every management-system standard named in `text`, normalised, in order of
/// appearance, without repeats.
pub fn all_standards(text: &str) -> Vec<String> {
    static ISO: OnceLock<Regex> = OnceLock::new();
    static GB: OnceLock<Regex> = OnceLock::new();
    let t = to_half_width(text).replace(['—', '–', '－'], "-");
    let iso = re(
        &ISO,
        r"(?i)[I1lT]S[O0]\s*(?:/\s*[I1lT][EF]C\s*)?(\d{4,5})\s*(?:-\s*(\d{1,2}))?\s*[:：;]\s*((?:19|20)\d{2})",
    );
    let gb = re(
        &GB,
        r"(?i)GB\s*/\s*T\s*(\d{5})(?:\.(\d))?\s*-\s*((?:19|20)\d{2})",
    );
    let mut found: Vec<(usize, String)> = Vec::new();
    for c in iso.captures_iter(&t) {
        let num = &c[1];
        let part = c.get(2).map(|m| m.as_str());
        let year = &c[3];
        let name = match (num, part) {
            ("20000", Some(p)) => format!("ISO/IEC 20000-{p}:{year}"),
            ("27001", _) | ("27701", _) | ("27017", _) | ("27018", _) => {
                format!("ISO/IEC {num}:{year}")
            }
            (n, Some(p)) => format!("ISO {n}-{p}:{year}"),
            (n, None) => format!("ISO {n}:{year}"),
        };
        let start = c.get(0).unwrap().start();
        let name = if european_adoption(&t[..start]) {
            iso_edition(&name).unwrap_or(name)
        } else {
            name
        };
        found.push((start, name));
    }
    static OHSAS: OnceLock<Regex> = OnceLock::new();
    let ohsas = re(
        &OHSAS,
        r"(?i)OHSAS\s*(1800[12])\s*[:：;]\s*((?:19|20)\d{2})",
    );
    for c in ohsas.captures_iter(&t) {
        found.push((
            c.get(0).unwrap().start(),
            format!("OHSAS {}:{}", &c[1], &c[2]),
        ));
    }
    for c in gb.captures_iter(&t) {
        let key = match c.get(2) {
            Some(part) => format!("GB/T {}.{}-{}", &c[1], part.as_str(), &c[3]),
            None => format!("GB/T {}-{}", &c[1], &c[3]),
        };
        let twin = standards_data()
            .twins
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v);
        if let Some(s) = twin {
            found.push((c.get(0).unwrap().start(), s.to_string()));
        }
    }
    found.sort_by_key(|f| f.0);
    let mut out: Vec<String> = Vec::new();
    for (_, s) in found {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `models/editions.toml`: ISO editions by standard, GB/T twins.
struct StandardsData {
    editions: Vec<(String, Vec<i64>)>,
    twins: Vec<(String, String)>,
}

fn standards_data() -> &'static StandardsData {
    static DATA: OnceLock<StandardsData> = OnceLock::new();
    DATA.get_or_init(|| {
        let t: toml::Table = include_str!("../../models/editions.toml")
            .parse()
            .expect("bundled editions parse");
        let table = |k: &str| {
            t.get(k)
                .and_then(|v| v.as_table())
                .cloned()
                .unwrap_or_default()
        };
        StandardsData {
            editions: table("editions")
                .into_iter()
                .map(|(k, v)| {
                    let years = v
                        .as_array()
                        .map(|a| a.iter().filter_map(|y| y.as_integer()).collect())
                        .unwrap_or_default();
                    (k, years)
                })
                .collect(),
            twins: table("twins")
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect(),
        }
    })
}

/// "ČSN EN ISO", "PN-EN ISO", "DIN EN ISO": the text before a standard ends
/// with a European adoption's "EN".
fn european_adoption(before: &str) -> bool {
    let b = before.trim_end().trim_end_matches('-');
    let mut words = b.rsplit(|c: char| c.is_whitespace() || c == '-');
    words.next() == Some("EN")
}

/// The ISO edition a national adoption's "ISO 14001:2016" adopts: the latest
/// of `models/editions.toml` published in or before its year; None for a
/// standard not listed or a year before its first edition.
fn iso_edition(name: &str) -> Option<String> {
    let editions = &standards_data().editions;
    let (std, year) = name.rsplit_once(':')?;
    let year: i64 = year.parse().ok()?;
    let (_, years) = editions.iter().find(|(k, _)| k == std)?;
    let ed = years.iter().filter(|y| **y <= year).max()?;
    Some(format!("{std}:{ed}"))
}

/// Alphabet of the unified social credit code (GB 32100-2015): no I, O, S, V, Z.
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character a unified social credit code's first 17 characters call for.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += USCC_ALPHABET.find(c)? as u32 * w;
    }
    let v = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(v as usize)
}

/// True when an 18-character code's last character is its check character.
pub fn uscc_check_ok(code: &str) -> bool {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let head: String = chars[..17].iter().collect();
    uscc_check_char(&head) == Some(chars[17])
}

#[cfg(test)]
mod tests {
    #[test]
    fn uscc_check_character() {
        assert!(uscc_check_ok("91371323760038087M"));
        assert!(!uscc_check_ok("91371323760038087N"));
        assert!(!uscc_check_ok("9137132376003808"));
    }

    use super::*;

    #[test]
    fn a_european_adoption_reads_as_the_iso_edition_it_adopts() {
        assert_eq!(all_standards("ČSN EN ISO 14001:2016"), ["ISO 14001:2015"]);
        assert_eq!(all_standards("DIN EN ISO 9001:2015-11"), ["ISO 9001:2015"]);
        assert_eq!(
            all_standards("PN-EN ISO/IEC 27001:2017-06"),
            ["ISO/IEC 27001:2013"]
        );
        // Not an adoption: the year as printed, an edition or not.
        assert_eq!(all_standards("OPEN ISO 14001:2016"), ["ISO 14001:2016"]);
        assert_eq!(all_standards("ISO 9001:2016"), ["ISO 9001:2016"]);
        // An adoption of a standard the table lacks, or older than its first edition.
        assert_eq!(all_standards("EN ISO 3834-2:2021"), ["ISO 3834-2:2021"]);
        assert_eq!(all_standards("EN ISO 9001:1985"), ["ISO 9001:1985"]);
    }

    #[test]
    fn dates_in_every_printed_form() {
        for s in [
            "2025年3月1日",
            "2025 年 03 月 01 日",
            "2025-03-01",
            "2025.03.01",
            "2025/3/1",
            "二〇二五年三月一日",
            "March 1, 2025",
            "Mar. 1st 2025",
            "1 March 2025",
            "01-Mar-2025",
            "２０２５－０３－０１",
        ] {
            assert_eq!(parse_date(s).as_deref(), Some("2025-03-01"), "{s}");
        }
        assert_eq!(
            parse_date("二〇二八年十二月三十一日").as_deref(),
            Some("2028-12-31")
        );
        // OCR gives the white circle ○ for 〇.
        assert_eq!(
            parse_date("二○二八年十二月三十一日").as_deref(),
            Some("2028-12-31")
        );
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("2O25年3月l日").as_deref(), Some("2025-03-01"));
        // Month names with a letter read as a digit.
        assert_eq!(parse_date("29 Ju1. 2021").as_deref(), Some("2021-07-29"));
        assert_eq!(parse_date("0ct 7, 2024").as_deref(), Some("2024-10-07"));
        assert_eq!(parse_date("Apri1 21, 2025").as_deref(), Some("2025-04-21"));
        assert_eq!(parse_date("21 Apri1 2025").as_deref(), Some("2025-04-21"));
        assert_eq!(parse_date("Jan12, 2025").as_deref(), Some("2025-01-12"));
        assert_eq!(parse_date("June 3, 2024").as_deref(), Some("2024-06-03"));
    }

    #[test]
    fn standards_and_national_twins() {
        assert_eq!(
            normalize_standard("GB/T 24405.1-2019/ISO/IEC 20000-1:2018").as_deref(),
            Some("ISO/IEC 20000-1:2018")
        );
        assert_eq!(
            normalize_standard("GB/T 22080-2025/ISO/IEC 27001:2022").as_deref(),
            Some("ISO/IEC 27001:2022")
        );
        assert_eq!(
            normalize_standard("ISO/IEC20000-1：2011").as_deref(),
            Some("ISO/IEC 20000-1:2011")
        );
        assert_eq!(
            normalize_standard("GB/T 19001-2016").as_deref(),
            Some("ISO 9001:2015")
        );
    }

    #[test]
    fn widths_spaces_and_scripts() {
        assert_eq!(to_half_width("ＡＢ１２３"), "AB123");
        assert_eq!(
            squeeze_cjk_spaces("北京 某某 科技 有限公司"),
            "北京某某科技有限公司"
        );
        assert_eq!(squeeze_cjk_spaces("Acme  Co. Ltd"), "Acme Co. Ltd");
        assert_eq!(to_simplified("證書編號"), "证书编号");
        assert_eq!(name_key("中國質量認證中心"), name_key("中国质量认证中心"));
    }
}
