//! Extract stage. Takes the pages of one certificate ([`PageText`], OCR or
//! text layer); hands on its fields ([`Certificate`]) with the evidence of
//! where each was read. Labels are matched in simplified and
//! traditional Chinese and English; values are normalised by [`crate::text`].

use crate::labels::{label, Lexicon};
use crate::model::{Auditor, Certificate, Evidence};
use crate::page::{is_cjk, BBox, Line, PageText};
use crate::registry::KnownBody;
use crate::repair::digits_of;
use crate::text::patterns::{letter_skeleton, ocr_pattern};
use crate::text::{
    all_standards, find_dates, name_key, squeeze_cjk_spaces, to_half_width, to_simplified,
};
use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A vocabulary: canonical name → spellings.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    pub entries: Vec<(String, Vec<String>)>,
}

impl Vocab {
    /// Canonical names whose spelling occurs in `text`, in order of appearance.
    pub fn find_in(&self, text: &str) -> Vec<String> {
        let hay: String = to_simplified(text)
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut found: Vec<(usize, &String)> = self
            .entries
            .iter()
            .filter_map(|(canon, spellings)| {
                spellings
                    .iter()
                    .filter_map(|s| {
                        let k: String = s
                            .to_lowercase()
                            .chars()
                            .filter(|c| !c.is_whitespace())
                            .collect();
                        hay.find(&k)
                    })
                    .min()
                    .map(|pos| (pos, canon))
            })
            .collect();
        found.sort_by_key(|f| f.0);
        found.into_iter().map(|(_, c)| c.clone()).collect()
    }
}

impl Vocab {
    /// Puts back the enumeration comma OCR drops between two names of a list
    /// ("变更管理问题管理" → "变更管理、问题管理"): two Chinese names that touch
    /// are never right. Names are matched longest first, on the simplified text.
    pub fn separate_adjacent(&self, text: &str) -> String {
        let orig: Vec<char> = text.chars().collect();
        let Some(simp) = simplified_chars(text) else {
            return text.to_string();
        };
        let names: Vec<Vec<char>> = self
            .entries
            .iter()
            .flat_map(|(_, spellings)| spellings.iter())
            .filter(|s| s.chars().all(is_cjk))
            .map(|s| s.chars().collect())
            .collect();
        let longest_at = |i: usize| {
            names
                .iter()
                .filter(|n| simp[i..].starts_with(n))
                .map(|n| n.len())
                .max()
        };
        let mut out = String::with_capacity(text.len() + 6);
        let mut i = 0;
        while i < orig.len() {
            match longest_at(i) {
                Some(len) => {
                    out.extend(&orig[i..i + len]);
                    i += len;
                    if i < orig.len() && longest_at(i).is_some() {
                        out.push('、');
                    }
                }
                None => {
                    out.push(orig[i]);
                    i += 1;
                }
            }
        }
        out
    }
}

/// Vocabularies used by extraction (from `models/vocab.toml`).
#[derive(Debug, Clone, Default)]
pub struct Vocabularies {
    pub scope_processes: Vocab,
    pub supplementary_modules: Vocab,
    /// English words of scopes, lowercase (to put back spaces OCR drops).
    pub english_words: std::collections::HashSet<String>,
    /// Words of addresses (an unlabelled address under the name).
    pub address: AddressWords,
}

/// Words that tell an address line from a clause (`[address_words]`).
#[derive(Debug, Clone, Default)]
pub struct AddressWords {
    /// Latin words of addresses, lowercase.
    pub latin: std::collections::HashSet<String>,
    /// Chinese characters of an address's area (省, 市, 区…).
    pub cjk_area: String,
    /// Chinese characters of an address's street and number (路, 号…).
    pub cjk_street: String,
    /// Latin words of clauses and labels, lowercase.
    pub not_latin: std::collections::HashSet<String>,
    /// Chinese words of clauses, simplified.
    pub not_cjk: Vec<String>,
}

impl Vocabularies {
    /// Parses the vocabulary file.
    pub fn from_toml(src: &str) -> Result<Vocabularies, String> {
        let v: toml::Table = src.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let section = |name: &str| -> Result<Vocab, String> {
            let t = v
                .get(name)
                .and_then(|x| x.as_table())
                .ok_or_else(|| format!("missing table [{name}]"))?;
            let mut entries = Vec::new();
            for (k, val) in t {
                let arr = val
                    .as_array()
                    .ok_or_else(|| format!("[{name}] {k}: expected a list of spellings"))?;
                let sp = arr
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("[{name}] {k}: spellings must be strings"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                entries.push((k.clone(), sp));
            }
            Ok(Vocab { entries })
        };
        let words = |table: &str, key: &str| -> Result<std::collections::HashSet<String>, String> {
            Ok(v.get(table)
                .and_then(|t| t.get(key))
                .and_then(|w| w.as_str())
                .ok_or_else(|| format!("missing [{table}] {key} = \"\"\"...\"\"\""))?
                .split_whitespace()
                .map(str::to_lowercase)
                .collect())
        };
        let aw = v
            .get("address_words")
            .ok_or("missing table [address_words]")?;
        let chars = |key: &str| -> Result<String, String> {
            Ok(aw
                .get(key)
                .and_then(|w| w.as_str())
                .ok_or_else(|| format!("missing [address_words] {key} = \"...\""))?
                .to_string())
        };
        let address = AddressWords {
            latin: words("address_words", "latin")?,
            cjk_area: chars("cjk_area")?,
            cjk_street: chars("cjk_street")?,
            not_latin: words("address_words", "not_latin")?,
            not_cjk: aw
                .get("not_cjk")
                .and_then(|w| w.as_array())
                .ok_or("missing [address_words] not_cjk = [...]")?
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(to_simplified)
                        .ok_or_else(|| "[address_words] not_cjk: words must be strings".to_string())
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Vocabularies {
            scope_processes: section("scope_processes")?,
            supplementary_modules: section("supplementary_modules")?,
            english_words: words("english_words", "words")?,
            address,
        })
    }

    /// The vocabularies bundled in `models/vocab.toml`.
    pub fn bundled() -> Vocabularies {
        Vocabularies::from_toml(include_str!("../models/vocab.toml"))
            .expect("bundled vocabulary parses")
    }
}

/// What extraction knows besides the text.
pub struct ExtractContext<'a> {
    pub vocab: &'a Vocabularies,
    /// Known certification-body names (from the registry), to find an unlabelled body.
    pub body_names: &'a [String],
    /// Other names, short names and web domains of bodies (models/bodies.csv).
    pub known_bodies: &'a [KnownBody],
    /// Number of leading characters of the certificate number that form the body code.
    pub body_code_len: usize,
    /// Anchored patterns a certificate number may follow; a number that fits
    /// none is repaired towards them (OCR confusions such as I/1, O/0).
    pub number_patterns: &'a [Regex],
}

/// Certificate-number patterns known from real certificates (SPEC §2): 3-digit
/// body code, 2-digit year, scheme letters, serial, R + count, size letter,
/// optional branch suffix and sub-certificate number.
pub fn default_number_patterns() -> Vec<Regex> {
    vec![Regex::new(r"^\d{5}[A-Z]{1,4}\d{3,6}R\d[SML](/\d{4})?(-\d+)?$").expect("valid pattern")]
}

/// A certificate's fields and, per field, where it was read.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub certificate: Certificate,
    pub evidence: BTreeMap<String, Evidence>,
    /// Registered-looking English organisation name, when printed.
    pub organization_name_en: Option<String>,
}

/// One line with its page: a row as read, or one column's part of a row
/// (see [`read_by_column`]).
struct L<'a> {
    page: u32,
    line: Cow<'a, Line>,
    /// The line's text as read.
    text: String,
}

fn rx(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&ocr_pattern(pat)).expect("valid regex"))
}

/// Labels that end a running value (a scope or address spilling over lines).
fn any_label() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    rx(
        &R,
        &[
            "certificate_number",
            "unified_social_credit_code",
            "address",
            "certification_body",
            "issue_date",
            "expiry_date",
            "initial_issue_date",
            "decision_date",
            "auditor",
        ]
        .iter()
        .map(|f| format!("(?i)({})", Lexicon::bundled().field(f).entries.join("|")))
        .chain([r"(年度监督审核记录|年度監督審核記錄|监督审核记录|監督審核記錄|Surveillance\s+Audit\s+Record|认证标准|認證標準|认证依据|認證依據|审核依据|審核依據|管理体系符合|符合标准|符合\s*[:：]|認證標準|Which\s+is\s+in\s+conformity|conforms?\s+to|is\s+in\s+compliance|标准|標準|Standard)".to_string()])
        .collect::<Vec<_>>()
        .join("|"),
    )
}

/// Strips separators and an English label (from a bilingual pair) from the
/// front of a value.
fn strip_lead(s: &str) -> &str {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = rx(
        &R,
        r"^[\s:：;；,，.。·|]*(?:(?i:[A-Za-z][A-Za-z .'/()]{0,40}?)\s*[:：]\s*)?",
    );
    let s2 = r.find(s).map(|m| &s[m.end()..]).unwrap_or(s);
    let s2 = s2.trim_start_matches(|c: char| c.is_whitespace() || ":：;；,，.。|".contains(c));
    // The English half of a bilingual label printed without a colon:
    // "证书编号Certificate No. CN…", "审核组长Lead Auditor王伟".
    static EN: OnceLock<Regex> = OnceLock::new();
    let en = rx(
        &EN,
        r"^(?i)(?:certificate\s*(?:no|number|registration\s*no)\.?|registration\s*(?:no|number)\.?|cert\.?\s*no\.?|lead\s+auditor|auditor|qualification\s*(?:no|number)\.?|organi[sz]ation(?:\s*name)?|name\s+of\s+(?:the\s+)?organi[sz]ation|company\s*name|(?:registered\s+|registration\s+)?address|date\s+of\s+issue|issue\s+date|expiry\s+date|valid\s+until|validity|decision\s+date|initial\s+(?:certification|issue)\s+date|scope|certification\s+body|standard)(?-u:\b)\s*[:：.]?\s*",
    );
    match en.find(s2) {
        Some(m) => &s2[m.end()..],
        None => s2,
    }
}

fn trim_value(s: &str) -> String {
    // A leading bracket group without a Chinese character is a misread mark: "（@）中林…".
    let s = s.trim_start();
    let s = match s
        .strip_prefix(['（', '('])
        .and_then(|r| r.split_once(['）', ')']))
    {
        Some((inner, rest))
            if !inner.chars().any(is_cjk)
                && inner.chars().count() <= 4
                && rest.starts_with(is_cjk) =>
        {
            rest
        }
        _ => s,
    };
    let t = s
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || ":：;；,，。|_\"'“”‘’`「」*·-—".contains(c));
    strip_english_label(t).to_string()
}

/// Drops an English label glued to a Chinese value ("Organization上海…").
fn strip_english_label(s: &str) -> &str {
    let latin: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || " .-—:|01".contains(*c))
        .collect();
    let rest = s[latin.len()..].trim_start();
    let words = [
        "organization",
        "organisation",
        "name",
        "company",
        "address",
        "scope",
        "registration",
        "no",
        "number",
    ];
    // Compared through OCR's confusions of i, l and 1 (Organlzation).
    let words: Vec<String> = words.iter().map(|w| letter_skeleton(w)).collect();
    let lw: String = letter_skeleton(&latin)
        .chars()
        .map(|c| if c.is_ascii_alphabetic() { c } else { ' ' })
        .collect();
    if !lw.trim().is_empty()
        && rest.starts_with(|c: char| is_cjk(c))
        && lw.split_whitespace().all(|w| words.iter().any(|k| k == w))
    {
        rest
    } else {
        s
    }
}

struct Doc<'a> {
    lines: Vec<L<'a>>,
}

impl<'a> Doc<'a> {
    /// The pages' lines in reading order: two columns printed side by side
    /// are read one after the other ([`read_by_column`]).
    fn new(pages: &'a [PageText]) -> Doc<'a> {
        Doc::from_lines(pages, read_by_column)
    }

    /// The pages' rows as read, columns not separated (a table read across).
    fn rows(pages: &'a [PageText]) -> Doc<'a> {
        Doc::from_lines(pages, |p| p.lines.iter().map(Cow::Borrowed).collect())
    }

    fn from_lines(pages: &'a [PageText], order: fn(&PageText) -> Vec<Cow<'_, Line>>) -> Doc<'a> {
        let mut lines = Vec::new();
        for p in pages {
            for line in order(p) {
                lines.push(L {
                    page: p.number,
                    text: line.text.clone(),
                    line,
                });
            }
        }
        Doc { lines }
    }

    fn evidence(&self, i: usize, value: &str) -> Evidence {
        let l = &self.lines[i];
        let key: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        let mut bbox = BBox::default();
        let mut conf = f32::MAX;
        for w in &l.line.words {
            let wt: String = to_half_width(&w.text)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if !wt.is_empty() && (key.contains(&wt) || wt.contains(&key)) {
                bbox = bbox.union(&w.bbox);
                conf = conf.min(w.conf);
            }
        }
        if conf == f32::MAX {
            bbox = l.line.bbox;
            conf = l.line.conf;
        }
        Evidence {
            page: l.page,
            bbox: bbox.to_array(),
            confidence: conf,
        }
    }

    /// Finds `label` and returns the first value accepted by `accept`, looking
    /// after the label on its line and then on the next two lines.
    fn labeled<F>(&self, label: &Regex, accept: F) -> Option<(String, Evidence)>
    where
        F: FnMut(&str) -> Option<String>,
    {
        self.labeled_opt(label, true, &[], &[], accept)
    }

    /// As [`Doc::labeled`]; with `strict` a label counts only where a separator,
    /// a space or the end of the line follows it (so "获证组织按规定…" in prose
    /// is no label).
    fn labeled_opt<F>(
        &self,
        label: &Regex,
        strict: bool,
        not_after: &[&str],
        not_before: &[String],
        mut accept: F,
    ) -> Option<(String, Evidence)>
    where
        F: FnMut(&str) -> Option<String>,
    {
        for (i, l) in self.lines.iter().enumerate() {
            for m in label.find_iter(&l.text) {
                let before = &l.text[..m.start()];
                if strict && !is_label_at(before, &l.text[m.end()..]) {
                    continue;
                }
                // The word just before the label: "初次" ends it, "initial"
                // (or OCR's "Initia1") begins it.
                // Compared through OCR's letter confusions (Initlal).
                let before_l = letter_skeleton(before);
                let tail = before_l.trim_end();
                // The word just before: after the last space, digit or mark
                // ("…24日本次发证日期" is no initial date's label).
                // A Latin word keeps its digits (OCR's "Initia1"); a Chinese
                // one ends at a digit ("24日本次").
                let token = before
                    .trim_end()
                    .rsplit(|c: char| c.is_whitespace() || ":：;；,，.。/|年月日".contains(c))
                    .next()
                    .unwrap_or("");
                let token = if token.chars().any(is_cjk) {
                    token
                        .rsplit(|c: char| c.is_ascii_digit())
                        .next()
                        .unwrap_or("")
                } else {
                    token
                };
                let last_word = letter_skeleton(token);
                // A Chinese word anywhere before the label with no value in
                // between: "初次发证日期 Inital Issue Date" is the initial date's
                // bilingual label, whatever OCR did to its English.
                let no_value_before = !before.chars().any(|c| c.is_ascii_digit());
                if not_after.iter().any(|p| {
                    let p = letter_skeleton(p);
                    tail.ends_with(&p)
                        || last_word.starts_with(&p)
                        || (no_value_before && p.chars().any(is_cjk) && tail.contains(&p))
                }) {
                    continue;
                }
                // "Expiry date of previous cycle": the words after the label
                // make it another's (compared as letter skeletons).
                let after = letter_skeleton(l.text[m.end()..].trim_start());
                if not_before.iter().any(|w| after.starts_with(w.as_str())) {
                    continue;
                }
                let rest = strip_lead(&l.text[m.end()..]);
                if let Some(v) = accept(rest) {
                    return Some((v.clone(), self.evidence(i, &v)));
                }
                // Label alone (or with only an English label) at the start of its
                // line: the value is below (a column layout).
                // "Issue Date 签发日期" over its value: the rest of a bilingual
                // label is no value.
                let bare = any_label().replace_all(rest, "");
                let bare = label.replace_all(&bare, "");
                let label_only = bare
                    .chars()
                    .filter(|c| is_cjk(*c) || c.is_ascii_digit())
                    .count()
                    < 2;
                if label_only && starts_line(before) {
                    for j in i + 1..(i + 4).min(self.lines.len()) {
                        if let Some(v) = accept(strip_lead(&self.lines[j].text)) {
                            return Some((v.clone(), self.evidence(j, &v)));
                        }
                    }
                }
            }
        }
        None
    }
}

/// True when what comes before a label on its line is at most a stray mark or
/// a cell separator.
fn starts_line(before: &str) -> bool {
    let lead = before.trim();
    lead.chars().filter(|c| c.is_alphanumeric()).count() <= 2
        || lead.ends_with(|c: char| ":：|".contains(c))
}

/// True when a label match is a label and not a word in prose: it starts its
/// line (or cell), or a separator or a digit follows it ("本次发证日期2025…"),
/// so that "在证书有效期内获证组织按规定…" or "The validity of this certificate"
/// are no labels.
fn is_label_at(before: &str, rest: &str) -> bool {
    let starts_line = starts_line(before);
    let r = rest.trim_start();
    // A colon, or the semicolon OCR reads for one.
    let sep_follows = r.starts_with(|c: char| ":：;；".contains(c))
        || rest.starts_with(|c: char| c.is_ascii_digit())
        || (rest.starts_with(char::is_whitespace) && r.starts_with(|c: char| c.is_ascii_digit()));
    starts_line || sep_follows
}

/// Cuts a value at the next label printed on the same line.
fn cut_at_label(s: &str) -> &str {
    match any_label().find(s) {
        Some(m) if m.start() > 0 => &s[..m.start()],
        _ => s,
    }
}

/// The certificate-number token at the start of `s`: uppercase letters,
/// digits, '-' and '/', possibly split by OCR into several tokens.
pub fn code_token(s: &str) -> Option<String> {
    let mut out = String::new();
    // A certificate number has digits: leading words of letters only (an
    // English label such as "CERTIFICATE NUMBER") are not part of it.
    let toks: Vec<&str> = s.split_whitespace().collect();
    let skip = toks
        .iter()
        .take_while(|t| {
            let t = t.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            t.len() >= 4 && t.chars().all(|c| c.is_ascii_alphabetic()) || t.is_empty()
        })
        .count();
    for tok in toks.into_iter().skip(skip) {
        let t = tok.trim_matches(|c: char| ",;，；。".contains(c));
        // A word after the code is the sentence going on ("342864 con un
        // periodo", "IND20.2401/SM Version: 1", "16.940.180, revize"), not
        // more of the code.
        let word = t.trim_end_matches(|c: char| ":：.".contains(c));
        if out.chars().any(|c| c.is_ascii_digit())
            && word.len() >= 3
            && word.chars().all(|c| c.is_ascii_alphabetic())
        {
            break;
        }
        let t = t.trim_end_matches('.');
        let ok = !t.is_empty()
            && t.chars().all(|c| {
                c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '/' || c == '.'
            })
            && (t.len() > 1 || out.is_empty());
        if !ok {
            // A token with a trailing label or CJK: keep its code-like head.
            let head: String = t
                .chars()
                .take_while(|c| {
                    c.is_ascii_uppercase()
                        || c.is_ascii_digit()
                        || *c == '-'
                        || *c == '/'
                        || *c == '.'
                })
                .collect();
            out.push_str(&head);
            break;
        }
        out.push_str(t);
        if out.len() >= 14 && out.chars().filter(|c| c.is_ascii_digit()).count() >= 4 {
            // Long enough: do not glue a following unrelated code.
            break;
        }
    }
    let out = out
        .trim_matches(|c| c == '-' || c == '/' || c == '.')
        .to_string();
    let digits = out.chars().filter(|c| c.is_ascii_digit()).count();
    (out.len() >= 6 && digits >= 3).then_some(out)
}

/// A name value: up to the next label, CJK spaces removed, ASCII brackets in
/// Chinese names made full-width.
fn name_value(s: &str) -> Option<String> {
    let v = trim_value(cut_at_label(s));
    let v = squeeze_cjk_spaces(&fullwidth_brackets(&v));
    if v.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return None;
    }
    Some(v)
}

/// An organisation's name: a name value that is no other field's label or
/// code ("机构代码：9112…", "Code: 9132…") and no clause ("应于证书有效日期前…").
fn org_value(s: &str) -> Option<String> {
    let v = name_value(s)?;
    if any_label().find(&v).is_some_and(|m| m.start() == 0) {
        return None;
    }
    let alnum = v.chars().filter(|c| c.is_alphanumeric()).count();
    let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
    if digits * 10 > alnum * 4 || is_clause(&v) {
        return None;
    }
    Some(v)
}

/// Prose, not a name: a Chinese clause (应, 须, 按规定, 证书, a full stop or a
/// comma) or an English sentence.
fn is_clause(v: &str) -> bool {
    let t = to_simplified(v);
    if has_cjk(&t) {
        return [
            "应于",
            "须",
            "按规定",
            "证书",
            "。",
            "，",
            "监督",
            "认证范围",
            "符合",
        ]
        .iter()
        .any(|w| t.contains(w));
    }
    static PROSE: OnceLock<Regex> = OnceLock::new();
    rx(
        &PROSE,
        r"(?i)(?-u:\b)(this|certificate|arrangements?|activities|requirements|management\s+system|has\s+been|is\s+in)(?-u:\b)",
    )
    .is_match(v)
}

/// An English company name's legal form (Co., Ltd., LLP, GmbH, s.r.o., S.L.).
fn legal_form(v: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    rx(
        &R,
        r"(?i)(?-u:\b)(co|corp|corporation|company|ltd|limited|llp|llc|inc|plc|gmbh|ag|s\.?a|s\.?l|s\.?r\.?o|a\.s|pvt|pte|bv|b\.v|nv|srl|spa|oy|ab|kft|sp\.\s*z\s*o\.o)(?-u:\b)\.?",
    )
    .is_match(v)
}

/// A value printed in English and Chinese on one line, split: (Chinese,
/// English). Only when each half is a name of its own (three Latin letters or
/// more, two Chinese characters or more).
fn split_bilingual(v: &str) -> (Option<String>, Option<String>) {
    let Some(first_cjk) = v.char_indices().find(|(_, c)| is_cjk(*c)).map(|x| x.0) else {
        return (None, None);
    };
    let (head, tail) = v.split_at(first_cjk);
    let latin = head.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let tail_latin = tail.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if latin >= 3 && tail.chars().filter(|c| is_cjk(*c)).count() >= 2 && tail_latin <= 2 {
        return (Some(tail.trim().to_string()), Some(head.trim().to_string()));
    }
    (None, None)
}

/// Chinese text prints full-width punctuation; OCR often gives the ASCII
/// forms (or look-alikes such as 〈 for （). In a value with Chinese
/// characters they are made full-width; in English values they stay.
fn fullwidth_brackets(s: &str) -> String {
    if !s.chars().any(is_cjk) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let cjk_near = prev.map(is_cjk).unwrap_or(false) || next.map(is_cjk).unwrap_or(false);
        // Keep "V2.9", "1:2018" and the like: a separator between ASCII
        // characters is ASCII.
        let ascii_both = prev.map(|p| p.is_ascii_alphanumeric()).unwrap_or(false)
            && next.map(|n| n.is_ascii_alphanumeric()).unwrap_or(false);
        out.push(match c {
            '(' | '〈' => '（',
            ')' | '〉' => '）',
            ',' if cjk_near && !ascii_both => '，',
            ':' if cjk_near && !ascii_both => '：',
            ';' if cjk_near && !ascii_both => '；',
            c => c,
        });
    }
    // "版本: V2.9" read with a space after an ASCII colon.
    out.replace("： ", "：")
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

/// Chinese organisation-name endings.
fn looks_like_org(s: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    rx(
        &R,
        r"(公司|集團|集团|研究院|研究所|设计院|設計院|中心|大学|大學|学院|學院|医院|醫院|银行|銀行|局|厂|廠|合作社|事务所|事務所|协会|協會)[)）]?$",
    )
    .is_match(s.trim())
}

fn looks_like_body(s: &str) -> bool {
    let k = to_simplified(s);
    (k.contains("认证")
        || k.contains("验证")
        || k.contains("检验")
        || k.contains("审核中心")
        || k.contains("质量"))
        && looks_like_org(s)
}

/// An English value that reads as a body's name: a few words, no prose,
/// with a word bodies' names have ("Certification", "Registrar", "Ltd").
fn english_body_like(v: &str) -> bool {
    static WORD: OnceLock<Regex> = OnceLock::new();
    static PROSE: OnceLock<Regex> = OnceLock::new();
    let word = rx(
        &WORD,
        r"(?i)(?-u:\b)(certification|certifications|registrar|registrars|assurance|veritas|quality|standards?|institute|bureau|services?|cent(?:re|er)|ltd|limited|inc|gmbh|sas|s\.r\.o|a\.s|llc|plc|b\.v|t[uü]v|bsi|sgs|dnv|lrqa|nqa|afnor)(?-u:\b)",
    );
    let prose = rx(
        &PROSE,
        r"(?i)(?-u:\b)(this|these|certificate|remains|property|issued|electronically|above|validity|must|shall|please|conditions?|director|manager|president|head|signed|auditor)(?-u:\b)",
    );
    v.split_whitespace().count() <= 10 && word.is_match(v) && !prose.is_match(v)
}

/// A body's name by its words alone (Certification, Registrar, Assurance):
/// a company's legal form does not count here.
fn english_body_like_strict(v: &str) -> bool {
    static W: OnceLock<Regex> = OnceLock::new();
    rx(
        &W,
        r"(?i)(?-u:\b)(certification|registrar|assurance|veritas|standards?\s+institut\w*|t[uü]v)(?-u:\b)",
    )
    .is_match(v)
}

/// A known body (models/bodies.csv) one of whose spellings the text holds,
/// with the length of that spelling. Latin spellings match whole words,
/// case-insensitively ("bsi." is BSI; "BSIX" is not); Chinese ones match
/// through both scripts. Spellings under three characters are not looked for.
fn known_body_in<'c>(text: &str, ctx: &'c ExtractContext) -> Option<(&'c KnownBody, usize)> {
    let key = name_key(text);
    let lower = to_half_width(text).to_lowercase();
    let mut best: Option<(&KnownBody, usize)> = None;
    for b in ctx.known_bodies {
        for s in b.spellings() {
            let n = s.chars().count();
            if n < 3 || best.is_some_and(|x| x.1 >= n) {
                continue;
            }
            let hit = if has_cjk(s) {
                let k = name_key(s);
                !k.is_empty() && key.contains(&k)
            } else {
                let sl = s.to_lowercase();
                lower.match_indices(&sl).any(|(at, _)| {
                    let before = lower[..at].chars().next_back();
                    let after = lower[at + sl.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric())
                        && !after.is_some_and(|c| c.is_alphanumeric())
                })
            };
            if hit {
                best = Some((b, n));
            }
        }
    }
    best
}

fn without_note_str(s: &str) -> String {
    crate::registry::without_note(s).to_string()
}

/// The CNCA approval number in a line of text (`CNCA-R-2002-001`,
/// `CNCA-RF-2018-051`), read through OCR's confusions: O/0, I/1, S/5, B/8 in
/// the digits, 4 or any other mark (or none) for A, B/P/K/F for R, any dash,
/// colon, slash or = between parts.
pub fn cnca_number(text: &str) -> Option<String> {
    static CNCA: OnceLock<Regex> = OnceLock::new();
    let cap = rx(&CNCA, r"(?i)[CSG]?\s?N\s?[CGO0]\s?(?:4|[^\s\d])?\s*[-—–_~:.：/=7]?\s*([RBPKF])\s*(F?)\s*[-—–_~:.：/=]?\s*([0-9OIlSZB]{4})\s*[-—–_~:.：/=]?\s*([0-9OIlSZB]{2,3})(?-u:\b)").captures(text)?;
    // The A may come out as any mark or not at all (a seal's ring over it).
    // The R is printed always: a lone F is OCR's reading of it.
    let f = if cap[2].is_empty() { "" } else { "F" };
    Some(format!(
        "CNCA-R{}-{}-{}",
        f,
        digits_of(&cap[3]),
        digits_of(&cap[4])
    ))
}

/// Extracts every field from a certificate's pages.
/// What every field reader sees: the document's lines, its whole text (as
/// read and in simplified script) and what extraction knows besides the text.
struct Reading<'a> {
    doc: Doc<'a>,
    /// The rows as read, columns not separated (tables read across).
    rows: Doc<'a>,
    full: String,
    full_s: String,
    ctx: &'a ExtractContext<'a>,
}

/// A field reader: reads its field(s) from the document into the result.
type FieldReader = fn(&Reading, &mut Extracted);

/// The field readers, one per field (or per group of fields printed
/// together), in the order they run. Each finds its values from the label
/// lexicon (`models/labels.toml`) and the value's type; none depends on
/// another's result but the address's, which looks under the organisation's
/// name when no label names it.
const READERS: &[(&str, FieldReader)] = &[
    ("certificate_number", read_number),
    ("organization_name", read_organization),
    ("unified_social_credit_code", read_uscc),
    ("address", read_address),
    ("scope", read_scope),
    ("standard", read_standard),
    ("certification_body", read_body),
    ("cnca / cnas / iaf", read_accreditation),
    ("auditor", read_auditor),
    ("dates", read_dates),
    ("surveillance", read_surveillance),
];

pub fn extract(pages: &[PageText], ctx: &ExtractContext) -> Extracted {
    let doc = Doc::new(pages);
    let rows = Doc::rows(pages);
    let full: String = rows
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let full_s = to_simplified(&full);
    let r = Reading {
        doc,
        rows,
        full,
        full_s,
        ctx,
    };
    let mut out = Extracted::default();
    for (_, read) in READERS {
        read(&r, &mut out);
    }
    out
}

/// Certificate number: labelled, else an unlabelled run of code characters
/// that fits a known number pattern.
fn read_number(r: &Reading, out: &mut Extracted) {
    let (doc, ctx) = (&r.doc, r.ctx);
    let no_fl = Lexicon::bundled().field("certificate_number");
    let no_not_after: Vec<&str> = no_fl.not_after.iter().map(String::as_str).collect();
    let no = doc
        .labeled_opt(&no_fl.any, true, &no_not_after, &[], |s| {
            code_token(&to_half_width(s).to_uppercase())
                // An auditor's qualification number is the auditor's.
                .filter(|v| crate::repair::qualification_number(v).is_none())
        })
        .or_else(|| unlabelled_number(doc, ctx));
    if let Some((v, mut e)) = no {
        let (v, changed) = crate::repair::repair_to_pattern(&v, ctx.number_patterns);
        if changed > 0 {
            // A repaired reading is less certain than a clean one.
            e.confidence = e.confidence.min(80.0);
        }
        let c = &mut out.certificate;
        c.body_code = Some(v.chars().take(ctx.body_code_len).collect());
        c.certificate_number = Some(v);
        out.evidence.insert("certificate_number".into(), e);
    }
}

/// Unlabelled (or the label misread): a run of code characters that fits a
/// known number pattern, once OCR confusions are repaired.
fn unlabelled_number(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    static BARE_NO: OnceLock<Regex> = OnceLock::new();
    let r = rx(&BARE_NO, r"[0-9A-Z/\-]{10,}");
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let compact: String = to_half_width(&l.text)
            .to_uppercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        r.find_iter(&compact).find_map(|m| {
            let run = m.as_str();
            // The run may start with a misread label: try its first few starts.
            (0..run.len().min(6))
                .filter(|&k| run.is_char_boundary(k))
                .find_map(|k| {
                    let (v, _) = crate::repair::repair_to_pattern(&run[k..], ctx.number_patterns);
                    // Only a specific pattern: "any 17 characters" would take
                    // a credit code or a phone number for the number.
                    ctx.number_patterns
                        .iter()
                        .any(|p| !crate::repair::is_loose(p) && p.is_match(&v))
                        .then(|| (v.clone(), doc.evidence(i, &v)))
                })
        })
    })
}

/// Organisation: labelled, else the line after "兹证明 / This is to certify
/// that", else a line shaped like a company's name. The Chinese name is the
/// name; an English one is its English form.
fn read_organization(r: &Reading, out: &mut Extracted) {
    let (doc, ctx) = (&r.doc, r.ctx);
    let mut org_cands: Vec<(String, Evidence)> = Vec::new();
    if let Some(x) = doc.labeled(label("organization_name"), org_value) {
        org_cands.push(x);
    }
    if let Some(x) = org_after_certify(doc) {
        org_cands.push(x);
    }
    // "Shan Loong Transportation Co. Limited山隆通運股份有限公司": the Chinese
    // name is the name, the English one its English form.
    let mut split_en: Option<String> = None;
    for cand in org_cands.iter_mut() {
        if let (Some(zh), Some(en)) = split_bilingual(&cand.0) {
            cand.0 = zh;
            split_en.get_or_insert(en);
        }
    }
    org_cands.extend(chinese_company_lines(doc, ctx));
    // No label, no "certify" line: an English line that ends like a company
    // name (LLP, PVT. LTD., GmbH) and is no body's name and no sentence.
    if org_cands.is_empty() {
        org_cands.extend(english_company_line(doc, ctx));
    }
    let c = &mut out.certificate;
    if let Some((v, e)) = org_cands.iter().find(|(v, _)| has_cjk(v)).cloned() {
        c.organization_name = Some(v);
        out.evidence.insert("organization_name".into(), e);
    }
    if let Some((v, _)) = org_cands.iter().find(|(v, _)| !has_cjk(v)) {
        out.organization_name_en = Some(v.clone());
    }
    if out.organization_name_en.is_none() {
        out.organization_name_en = split_en;
    }
    if c.organization_name.is_none() {
        if let Some((v, e)) = org_cands.first().cloned() {
            c.organization_name = Some(v);
            out.evidence.insert("organization_name".into(), e);
        }
    }
    c.organization_name_en = out.organization_name_en.clone();
}

/// After "兹证明 / This is to certify that / Awarded to": a Chinese company
/// name, or an English one with its legal form (Co., Ltd., LLP, s.r.o.) in
/// preference to a logo line or a trade name above it.
fn org_after_certify(doc: &Doc) -> Option<(String, Evidence)> {
    let certify = label("certify");
    doc.labeled_opt(certify, false, &[], &[], |s| {
        org_value(s).filter(|v| has_cjk(v) && looks_like_org(v) || !has_cjk(v) && legal_form(v))
    })
    .or_else(|| {
        doc.labeled_opt(certify, false, &[], &[], |s| {
            org_value(s).filter(|v| !has_cjk(v) && v.len() > 3)
        })
    })
}

/// Any Chinese line that is a company name and not the body (by its words,
/// or by name: a body such as 中国建筑科学研究院 has neither).
fn chinese_company_lines(doc: &Doc, ctx: &ExtractContext) -> Vec<(String, Evidence)> {
    let known_body = |t: &str| {
        let t = to_simplified(t);
        ctx.body_names.iter().any(|b| to_simplified(b) == t)
    };
    let mut out = Vec::new();
    for (i, l) in doc.lines.iter().enumerate() {
        let t = squeeze_cjk_spaces(&trim_value(&l.text));
        let t = without_mark_legend(t.trim());
        if has_cjk(t)
            && looks_like_org(t)
            && !looks_like_body(t)
            && !known_body(t)
            && t.chars().count() >= 4
            && t.chars().count() <= 40
            && !is_clause(t)
            && !any_label().is_match(t)
        {
            out.push((fullwidth_brackets(t), doc.evidence(i, t)));
        }
    }
    out
}

/// The first English line that ends like a company name and is no sentence,
/// no body and no label.
fn english_company_line(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    let (i, t) = doc.lines.iter().enumerate().find_map(|(i, l)| {
        let t = trim_value(&l.text);
        (!has_cjk(&t)
            && legal_form(&t)
            && t.split_whitespace().count() <= 10
            && !is_clause(&t)
            && !english_body_like_strict(&t)
            && known_body_in(&t, ctx).is_none()
            && any_label().find(&t).is_none())
        .then_some((i, t))
    })?;
    Some((t.clone(), doc.evidence(i, &t)))
}

/// Unified social credit code: labelled (repaired through OCR confusions),
/// else any 18-character token whose check character is right.
fn read_uscc(r: &Reading, out: &mut Extracted) {
    static USCC_T: OnceLock<Regex> = OnceLock::new();
    let doc = &r.doc;
    let uscc_tok = rx(
        &USCC_T,
        r"(?-u:\b)[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}(?-u:\b)",
    );
    let uscc = doc
        .labeled(label("unified_social_credit_code"), |s| {
            let s = to_half_width(s).to_uppercase().replace(' ', "");
            let raw: String = s
                .chars()
                .skip_while(|c| !c.is_ascii_alphanumeric())
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            crate::repair::repair_uscc(&raw)
                .or_else(|| uscc_tok.find(&s).map(|m| m.as_str().to_string()))
        })
        .or_else(|| {
            doc.lines.iter().enumerate().find_map(|(i, l)| {
                uscc_tok
                    .find_iter(&l.text)
                    .map(|m| m.as_str().to_string())
                    .find(|t| crate::text::uscc_check_ok(t))
                    .map(|t| (t.clone(), doc.evidence(i, &t)))
            })
        });
    if let Some((v, e)) = uscc {
        out.certificate.unified_social_credit_code = Some(v);
        out.evidence.insert("unified_social_credit_code".into(), e);
    }
}

/// Address (may run over two lines): the labelled one, the Chinese one where
/// both are printed; else the block printed without a label under the
/// organisation's name (so this reader runs after the organisation's: the
/// one reader that uses another's result). Never the body's own.
fn read_address(r: &Reading, out: &mut Extracted) {
    let doc = &r.doc;
    let not_body = |a: &(String, Evidence)| !is_body_address(doc, r.ctx, &a.0);
    let names = [
        out.certificate.organization_name.as_deref(),
        out.organization_name_en.as_deref(),
    ];
    let addr = labelled_address(doc)
        .map(|a| address_continued(doc, a))
        .filter(not_body)
        .or_else(|| {
            names
                .into_iter()
                .flatten()
                .find_map(|n| {
                    // Read across the columns first: an address printed in
                    // English and Chinese side by side gives its Chinese.
                    [&r.rows, doc]
                        .into_iter()
                        .find_map(|d| address_under_name(d, &r.ctx.vocab.address, n))
                })
                .filter(not_body)
        });
    if let Some((v, e)) = addr {
        out.certificate.address = Some(v);
        out.evidence.insert("address".into(), e);
    }
}

/// The address printed without a label in the lines under the organisation's
/// name ("6F / No. 20, Nanhai Road / Taipei City 100 / Taiwan"): the lines
/// that read as parts of an address (`[address_words]` of
/// `models/vocab.toml`), up to the first that does not. A code under its own
/// label (a credit code, a company number) may stand between the name and
/// the address; one after the address ends it. Lines printed in two columns,
/// English and Chinese, give the Chinese address. None unless the address
/// holds a digit (a house number, a postcode): null beats a clause.
fn address_under_name(doc: &Doc, words: &AddressWords, name: &str) -> Option<(String, Evidence)> {
    let key = name_key(name);
    if key.chars().count() < 3 {
        return None;
    }
    let at = doc
        .lines
        .iter()
        .position(|l| name_key(&l.text).contains(&key))?;
    let page = doc.lines[at].page;
    let (mut latin, mut cjk) = (Vec::<String>::new(), Vec::<String>::new());
    let (mut first, mut first_cjk) = (None, None);
    for j in at + 1..(at + 9).min(doc.lines.len()) {
        let t = doc.lines[j].text.trim();
        if doc.lines[j].page != page {
            break;
        }
        if is_labelled_code(t) {
            if first.is_none() && j <= at + 2 {
                continue;
            }
            break;
        }
        let Some((en, zh)) = address_line(t, words) else {
            break;
        };
        first.get_or_insert(j);
        if !en.is_empty() {
            latin.push(en);
        }
        if !zh.is_empty() {
            first_cjk.get_or_insert(j);
            cjk.push(zh);
        }
    }
    // A line that ends with a comma, or a long one with commas inside
    // (wrapped mid-part: "…Hefei City, Anhui" / "Province"), goes on; a
    // short one is a part of its own ("Zhongzheng District").
    let mut en = String::new();
    for (k, part) in latin.iter().enumerate() {
        if k > 0 {
            let prev = &latin[k - 1];
            let wrapped =
                prev.ends_with([',', '，']) || (prev.chars().count() > 40 && prev.contains(','));
            en.push_str(if wrapped { " " } else { ", " });
        }
        en.push_str(part);
    }
    let tidy = |v: &str| {
        v.trim_end_matches([',', '，', ';', '；'])
            .trim()
            .to_string()
    };
    let has_digit = |v: &String| v.chars().any(|c| c.is_ascii_digit());
    // A Chinese address names an area and a street: "…市…路88号".
    let zh = tidy(&fullwidth_brackets(&cjk.concat()));
    let whole_zh = zh.chars().any(|c| words.cjk_area.contains(c))
        && zh.chars().any(|c| words.cjk_street.contains(c));
    // The Chinese where both are printed, unless only its English is whole.
    let (v, i) = [(zh, first_cjk, whole_zh), (tidy(&en), first, true)]
        .into_iter()
        .find(|(v, _, whole)| *whole && has_digit(v))
        .map(|(v, i, _)| (v, i))?;
    let i = i?;
    let e = doc.evidence(i, doc.lines[i].text.trim());
    Some((v, e))
}

/// A line that reads as part of an address, split into its English and its
/// Chinese part (either may be empty); None for a clause, a label, a date, a
/// standard, a contact line, or a line no address word or digit is in.
fn address_line(t: &str, words: &AddressWords) -> Option<(String, String)> {
    if t.is_empty()
        || any_label().is_match(t)
        || !find_dates(t).is_empty()
        || !all_standards(t).is_empty()
    {
        return None;
    }
    // "No. 5, Example Road, Sec. 2臺灣": English and Chinese read across
    // two columns, split as a bilingual name is.
    let (en, zh) = match split_bilingual(t) {
        (Some(zh), Some(en)) => (en, zh),
        _ if !has_cjk(t) => (t.to_string(), String::new()),
        _ if t.chars().filter(|c| c.is_ascii_alphabetic()).count() <= 2 => {
            (String::new(), t.to_string())
        }
        _ => return None,
    };
    let (en, zh) = (en.as_str(), zh.as_str());
    let tokens: Vec<String> = en
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let zh_s = to_simplified(zh);
    if tokens.iter().any(|w| words.not_latin.contains(w))
        || words.not_cjk.iter().any(|w| zh_s.contains(w.as_str()))
    {
        return None;
    }
    let digit = |s: &str| s.chars().any(|c| c.is_ascii_digit());
    let en_ok = !en.is_empty() && (digit(en) || tokens.iter().any(|w| words.latin.contains(w)));
    let zh_ok = !zh.is_empty()
        && (digit(zh)
            || zh
                .chars()
                .any(|c| words.cjk_area.contains(c) || words.cjk_street.contains(c)));
    (en_ok || zh_ok).then(|| (en.to_string(), squeeze_cjk_spaces(zh)))
}

/// "Unified Social Credit Code: 91340100793583479C", "IČ:63494515": a short
/// label and a code of six characters or more, nothing else.
fn is_labelled_code(t: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^[\p{L}][\p{L}\s.]{0,29}?\s*[:：;；.。]\s*[0-9A-Z][0-9A-Z\-/.]{5,}$")
            .expect("valid regex")
    })
    .is_match(t)
}

/// The labelled address; an English one gives way to the Chinese address an
/// English-first page prints on the line under it.
fn labelled_address(doc: &Doc) -> Option<(String, Evidence)> {
    let addr_ok = |v: &str| {
        has_cjk(v)
            && v.chars()
                .any(|c| "省市区县路街号道镇村楼座室巷弄園园".contains(c))
    };
    let (v, e) = doc.labeled(label("address"), |s| {
        name_value(s).filter(|v| has_cjk(v) || v.len() > 8)
    })?;
    if has_cjk(&v) {
        return Some((v, e));
    }
    let i = doc
        .lines
        .iter()
        .position(|l| l.line.bbox.to_array() == e.bbox || l.text.contains(&v));
    let below = i.and_then(|i| {
        (i + 1..(i + 3).min(doc.lines.len())).find_map(|j| {
            let t = squeeze_cjk_spaces(doc.lines[j].text.trim());
            (addr_ok(&t) && !any_label().is_match(&t))
                .then(|| (fullwidth_brackets(&t), doc.evidence(j, &t)))
        })
    });
    Some(below.unwrap_or((v, e)))
}

/// "…No.88 Jinji Lake Avenue," goes on on the next line.
fn address_continued(doc: &Doc, (v, e): (String, Evidence)) -> (String, Evidence) {
    let Some(i) = doc.lines.iter().position(|l| l.text.contains(v.as_str())) else {
        return (v, e);
    };
    if !doc.lines[i].text.trim_end().ends_with([',', '，']) {
        return (v, e);
    }
    match doc.lines.get(i + 1).map(|l| l.text.trim()) {
        Some(n)
            if !n.is_empty()
                && !any_label().is_match(n)
                && find_dates(n).is_empty()
                && has_cjk(n) == has_cjk(&v) =>
        {
            // The comma that ended the line was trimmed off the value.
            let sep = if has_cjk(&v) || v.ends_with(',') {
                " "
            } else {
                ", "
            };
            (format!("{v}{sep}{n}"), e)
        }
        _ => (v, e),
    }
}

/// An address printed under the body's name (after its CNAS code, before its
/// contact line) is the body's; the organisation's is near its name.
fn is_body_address(doc: &Doc, ctx: &ExtractContext, v: &str) -> bool {
    let Some(i) = doc.lines.iter().position(|l| l.text.contains(v)) else {
        return false;
    };
    let before = &doc.lines[i].text[..doc.lines[i].text.find(v).unwrap_or(0)];
    let prev = i
        .checked_sub(1)
        .map(|j| doc.lines[j].text.as_str())
        .unwrap_or("");
    let body_line = |t: &str| {
        let t = trim_value(t);
        has_cjk(&t) && looks_like_body(&t)
            || known_body_in(&t, ctx).is_some()
            || ctx.body_names.iter().any(|b| name_key(b) == name_key(&t))
    };
    let cnas_before = (i.saturating_sub(2)..i).any(|j| doc.lines[j].text.contains("CNAS C"));
    let next = doc
        .lines
        .get(i + 1)
        .map(|l| to_simplified(&l.text).to_lowercase())
        .unwrap_or_default();
    let contact_after = ["电话", "tel", "网址", "查询"]
        .iter()
        .any(|w| next.contains(w));
    to_simplified(before).contains("认证机构") || body_line(prev) || cnas_before || contact_after
}

/// Scope: the labelled value and the lines that follow until the next label,
/// with the processes it names.
fn read_scope(r: &Reading, out: &mut Extracted) {
    let ctx = r.ctx;
    let Some((v, e, _)) = running_value(&r.doc, label("scope")) else {
        return;
    };
    let v = crate::repair::repair_scope_text(&v, &ctx.vocab.english_words);
    // The rest of an English scope heading whose words OCR misread ("This
    // certificate covers the fllowing scope of information security
    // management system"): the label matched at "scope" alone.
    static SCOPE_TAIL: OnceLock<Regex> = OnceLock::new();
    let tail = rx(
        &SCOPE_TAIL,
        r"(?i)^of\s+(?:the\s+)?[a-z ]{0,60}?management\s+systems?\s*[:：]?\s*",
    );
    let v = match tail.find(&v) {
        Some(m) if m.end() < v.len() => v[m.end()..].to_string(),
        _ => v,
    };
    let mut v = ctx.vocab.scope_processes.separate_adjacent(&v);
    // "（事件管理、…、容量管理" with its closing bracket lost at the line's end.
    if v.matches('（').count() > v.matches('）').count() && !v.ends_with('）') {
        v.push('）');
    }
    let c = &mut out.certificate;
    c.scope_processes = ctx.vocab.scope_processes.find_in(&v);
    c.scope = Some(v);
    out.evidence.insert("scope".into(), e);
}

/// Standard: ISO/IEC 20000-1 or 27001 where several are named; a list of
/// standards on one certificate is kept whole. Supplementary modules too.
fn read_standard(r: &Reading, out: &mut Extracted) {
    let doc = &r.doc;
    let c = &mut out.certificate;
    c.supplementary_modules = r.ctx.vocab.supplementary_modules.find_in(&r.full);
    let stds = all_standards(&r.full);
    let Some(s) = stds
        .iter()
        .find(|s| s.starts_with("ISO/IEC 20000") || s.starts_with("ISO/IEC 27001"))
        .or(stds.first())
    else {
        return;
    };
    c.standard = Some(s.clone());
    let Some(i) = doc
        .lines
        .iter()
        .position(|l| all_standards(&l.text).contains(s))
    else {
        return;
    };
    out.evidence.insert(
        "standard".into(),
        doc.evidence(i, s.split(':').next().unwrap_or(s)),
    );
    // One certificate of several standards lists them ("ISO 9001:2015,
    // ISO 14001:2015 & / ISO 45001:2018"): all of them, "; " between.
    // A national twin ("GB/T 19001-2016/ISO 9001:2015") is one standard.
    let mut text = doc.lines[i].text.clone();
    let t = text.trim_end();
    if t.ends_with(['&', ',', '、', '，']) || t.to_lowercase().ends_with(" and") {
        if let Some(next) = doc.lines.get(i + 1) {
            text.push(' ');
            text.push_str(&next.text);
        }
    }
    let listed =
        text.contains(['&', ',', '、', '，', '和', '及']) || text.to_lowercase().contains(" and ");
    let mut all: Vec<String> = Vec::new();
    for x in all_standards(&text) {
        if !all.contains(&x) {
            all.push(x);
        }
    }
    if listed && all.len() > 1 && all.contains(s) {
        c.standard = Some(all.join("; "));
    }
}

/// Body: the issuer that says it certifies, "on behalf of X", labelled, else
/// a registry name in the text, else another known name, short name or logo
/// text (models/bodies.csv), else a known web domain, else a Chinese line
/// shaped like a body's name.
fn read_body(r: &Reading, out: &mut Extracted) {
    let (doc, ctx) = (&r.doc, r.ctx);
    let body = body_certifies_that(doc, ctx)
        .or_else(|| body_on_behalf(doc, ctx))
        .or_else(|| body_labelled(doc, ctx))
        .or_else(|| body_registry_name(doc, ctx))
        .or_else(|| body_known_name(doc, ctx))
        .or_else(|| body_domain(doc, ctx))
        .or_else(|| body_shaped_line(doc));
    let Some((v, e)) = body else {
        return;
    };
    let v = registry_spelling(v, ctx);
    // The English name where the body is known by one.
    let key = name_key(&v);
    let c = &mut out.certificate;
    c.certification_body.name_en = ctx
        .known_bodies
        .iter()
        .find(|b| {
            b.spellings()
                .any(|s| name_key(s) == key || name_key(&without_note_str(s)) == key)
        })
        .or_else(|| known_body_in(&v, ctx).map(|x| x.0))
        .and_then(|b| b.name_en())
        .map(str::to_string);
    c.certification_body.name = Some(v);
    out.evidence.insert("certification_body.name".into(), e);
}

/// An English body name fit to be the issuer: no clause, shaped like a
/// body's name or a known one.
fn english_issuer(v: &str, ctx: &ExtractContext) -> bool {
    !has_cjk(v) && !is_clause(v) && (english_body_like(v) || known_body_in(v, ctx).is_some())
}

/// "Bureau Veritas Certification Holding SAS – UK Branch certifies that the
/// Management System …", "AFNOR ASIA certifies that …": the issuer says it.
fn body_certifies_that(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    static SAYS: OnceLock<Regex> = OnceLock::new();
    let says = rx(
        &SAYS,
        r"(?i)^(.{3,90}?)\s*(?:hereby\s+)?certif(?:y|ies)\s+that",
    );
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let cap = says.captures(&l.text)?;
        let v = trim_value(&cap[1]);
        english_issuer(&v, ctx).then(|| (v.clone(), doc.evidence(i, &v)))
    })
}

/// "For and on behalf of BSI Taiwan:" names the body before its colon.
fn body_on_behalf(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    static BEHALF: OnceLock<Regex> = OnceLock::new();
    let behalf = rx(
        &BEHALF,
        r"(?i)on\s+behalf\s+of\s+([^:：]{2,80}?)\s*[:：]?\s*$",
    );
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let v = trim_value(&behalf.captures(&l.text)?[1]);
        english_issuer(&v, ctx).then(|| (v.clone(), doc.evidence(i, &v)))
    })
}

/// The value of a certification-body label.
fn body_labelled(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    doc.labeled(label("certification_body"), |s| {
        name_value(s)
            .map(|v| without_mark_legend(&v).to_string())
            .filter(|v| {
                if has_cjk(v) {
                    looks_like_body(v) || looks_like_org(v) || known_body_in(v, ctx).is_some()
                } else {
                    english_issuer(v, ctx)
                }
            })
    })
}

/// A registry name in a line; the name as printed when the line is just the name.
fn body_registry_name(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    let keyed: Vec<(String, String)> = ctx
        .body_names
        .iter()
        .map(|n| (name_key(n), n.clone()))
        .filter(|(k, _)| k.chars().count() >= 4)
        .collect();
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let lk = name_key(&l.text);
        keyed
            .iter()
            .find(|(k, _)| lk.contains(k.as_str()))
            .map(|(_, n)| {
                let printed = fullwidth_brackets(&squeeze_cjk_spaces(&trim_value(&l.text)));
                let v = if name_key(&printed) == name_key(n) {
                    printed
                } else {
                    n.clone()
                };
                (v.clone(), doc.evidence(i, &v))
            })
    })
}

/// One known body named on the page: it. Several (an IQNet certificate lists
/// its partners): the only Chinese body among them, else none (null beats
/// wrong). The longest spelling of it wins ("BSI Taiwan" over "BSI").
fn body_known_name(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    let found: Vec<(usize, &KnownBody, usize)> = doc
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| known_body_in(&l.text, ctx).map(|(b, n)| (i, b, n)))
        .collect();
    let mut distinct: Vec<&KnownBody> = Vec::new();
    for (_, b, _) in &found {
        if !distinct.iter().any(|d| std::ptr::eq(*d, *b)) {
            distinct.push(b);
        }
    }
    let chosen = match distinct.len() {
        1 => Some(distinct[0]),
        _ => {
            let cn: Vec<&&KnownBody> = distinct.iter().filter(|b| !b.foreign).collect();
            (cn.len() == 1).then(|| *cn[0])
        }
    };
    let mut best: Option<(usize, String, usize)> = None;
    for &(i, b, len) in &found {
        if chosen.is_some_and(|c| std::ptr::eq(c, b)) && best.as_ref().is_none_or(|x| len > x.0) {
            let printed = trim_value(&doc.lines[i].text);
            let v = if b.spellings().any(|s| name_key(s) == name_key(&printed)) {
                printed
            } else {
                b.name.clone()
            };
            best = Some((len, v, i));
        }
    }
    best.map(|(_, v, i)| (v.clone(), doc.evidence(i, &v)))
}

/// A known body's web domain printed on the page.
fn body_domain(doc: &Doc, ctx: &ExtractContext) -> Option<(String, Evidence)> {
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let t: String = l
            .text
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{ad}')
            .collect();
        ctx.known_bodies
            .iter()
            .find(|b| b.domains.iter().any(|d| t.contains(&d.to_lowercase())))
            .map(|b| (b.name.clone(), doc.evidence(i, &l.text)))
    })
}

/// The words of accreditation marks (their legends, "中国认可 管理体系",
/// "IAF MLA") that a line read across the marks puts before a name beside
/// them: "中国认可管理体系北京…认证中心", "MLA东北认证有限公司".
fn without_mark_legend(t: &str) -> &str {
    const LEGENDS: [&str; 11] = [
        "中国认可",
        "國際互認",
        "国际互认",
        "管理体系",
        "管理體系",
        "CNAS",
        "IAF",
        "MLA",
        "TAF",
        "UKAS",
        "IQNet",
    ];
    let mut rest = t;
    while let Some(r) = LEGENDS
        .iter()
        .find_map(|w| rest.strip_prefix(w))
        .map(|r| r.trim_start_matches(|c: char| c.is_whitespace() || ":：|".contains(c)))
    {
        rest = r;
    }
    // Only in front of a Chinese name that stays a name.
    if rest.len() < t.len() && rest.starts_with(is_cjk) && rest.chars().count() >= 4 {
        rest
    } else {
        t
    }
}

/// A Chinese line shaped like a body's name.
fn body_shaped_line(doc: &Doc) -> Option<(String, Evidence)> {
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let t = fullwidth_brackets(&squeeze_cjk_spaces(without_mark_legend(&trim_value(
            &l.text,
        ))));
        (has_cjk(&t) && looks_like_body(&t) && t.chars().count() <= 30)
            .then(|| (t.clone(), doc.evidence(i, &t)))
    })
}

/// A name read in simplified characters that is a registry name up to
/// bracket width and spacing takes the registry's spelling (OCR cannot tell
/// （ from ( ); a traditional print keeps its own characters and takes only
/// the registry's bracket width.
fn registry_spelling(v: String, ctx: &ExtractContext) -> String {
    let Some(n) = ctx.body_names.iter().find(|n| name_key(n) == name_key(&v)) else {
        return v;
    };
    if crate::text::to_simplified(&v) == v {
        n.clone()
    } else if n.chars().count() == v.chars().count() {
        let bracket = |c: char| "()（）".contains(c);
        v.chars()
            .zip(n.chars())
            .map(|(o, r)| if bracket(o) && bracket(r) { r } else { o })
            .collect()
    } else {
        v
    }
}

/// CNCA approval number, CNAS code and mark, IAF mark.
fn read_accreditation(r: &Reading, out: &mut Extracted) {
    static CNAS: OnceLock<Regex> = OnceLock::new();
    static IAF: OnceLock<Regex> = OnceLock::new();
    let doc = &r.doc;
    let c = &mut out.certificate;
    let ev = &mut out.evidence;
    if let Some((i, v)) = doc
        .lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| cnca_number(&l.text).map(|v| (i, v)))
    {
        ev.insert(
            "certification_body.cnca_approval_number".into(),
            doc.evidence(i, &v),
        );
        c.certification_body.cnca_approval_number = Some(v);
    }
    let cnas = rx(
        &CNAS,
        r"(?i)C[NH][AR]S\s*[:：]?\s*([CG])\s*([0-9OIlSZB]{3})\s*[-—–_~]\s*([A-Z0-9])(?-u:\b)",
    );
    if let Some((i, cap)) = doc
        .lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| cnas.captures(&l.text).map(|c| (i, c)))
    {
        let kind = match &cap[3] {
            "0" => "O".to_string(),
            "1" => "I".to_string(),
            "5" => "S".to_string(),
            "8" => "B".to_string(),
            k => k.to_uppercase(),
        };
        let v = format!("CNAS C{}-{}", digits_of(&cap[2]), kind);
        ev.insert("cnas.code".into(), doc.evidence(i, &v));
        c.cnas.code = Some(v);
    }
    c.cnas.mark = c.cnas.code.is_some()
        || r.full.contains("CNAS")
        || r.full_s.contains("中国合格评定国家认可委员会");
    // The IAF mark's letters, F read as P by OCR now and then.
    c.iaf_mark =
        rx(&IAF, r"IAF|(?-u:\b)IAP(?-u:\b)").is_match(&r.full) || r.full_s.contains("国际认可论坛");
}

/// Auditor's name and qualification number.
fn read_auditor(r: &Reading, out: &mut Extracted) {
    let doc = &r.doc;
    let auditor_name = doc.labeled(label("auditor"), auditor_name_value);
    let qual = doc.labeled(label("auditor_qualification"), |s| {
        let s = to_half_width(s);
        crate::repair::qualification_number(&s).or_else(|| code_token(&s.to_uppercase()))
    });
    if auditor_name.is_none() && qual.is_none() {
        return;
    }
    if let Some((_, e)) = &auditor_name {
        out.evidence.insert("auditor.name".into(), e.clone());
    }
    if let Some((_, e)) = &qual {
        out.evidence
            .insert("auditor.qualification_number".into(), e.clone());
    }
    out.certificate.auditor = Some(Auditor {
        name: auditor_name.map(|x| x.0),
        qualification_number: qual.map(|x| x.0),
    });
}

/// The auditor's name after its label: up to the qualification label, with
/// the second half of a bilingual label, marks, digits and a label's
/// garbled start dropped.
fn auditor_name_value(s: &str) -> Option<String> {
    let qual_label = label("auditor_qualification");
    let auditor_label = label("auditor");
    // Bilingual labels: "Lead Auditor 审核组长: 宋浩然" - the second label goes too.
    let s = match auditor_label.find(s) {
        Some(m) if s[..m.start()].trim().is_empty() => {
            s[m.end()..].trim_start_matches(|c: char| c.is_whitespace() || ":：/|".contains(c))
        }
        _ => s,
    };
    let s = match qual_label.find(s) {
        Some(m) => &s[..m.start()],
        None => s,
    };
    let v = trim_value(cut_at_label(s));
    // Quotes and marks OCR leaves between the name and the next label.
    let v: String = v
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '·' || *c == '.')
        .collect();
    let v: String = v
        .split(|c: char| c.is_ascii_digit() || c == '(' || c == '（')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let v = strip_label_start(
        &squeeze_cjk_spaces(&v),
        &["资格编号", "资格证书", "注册编号"],
    );
    // A Chinese name with one Latin letter glued on ("何海燕Q Qualification
    // No."): the letter is OCR's echo of the next label.
    let v = match v.char_indices().last() {
        Some((i, c))
            if c.is_ascii_alphabetic()
                && v[..i].chars().last().is_some_and(is_cjk)
                && v[..i].chars().all(|c| is_cjk(c) || c == '·') =>
        {
            v[..i].to_string()
        }
        _ => v,
    };
    (v.chars().count() >= 2 && v.chars().count() <= 30).then_some(v)
}

/// The four dates of a certificate, in the order their fields are set.
const DATE_FIELDS: [&str; 4] = [
    "initial_issue_date",
    "decision_date",
    "issue_date",
    "expiry_date",
];

/// Dates: per field, the lexicon's labels in order of preference (the first
/// that yields a date wins); a value runs to the next label on its line. A
/// validity range ("有效期：2024年1月1日至2027年1月1日", "valid from ... until
/// ...") gives its end to the expiry; a row of labels over a row of dates (a
/// table) gives each date to the label above it. Dates that contradict each
/// other are dropped.
fn read_dates(r: &Reading, out: &mut Extracted) {
    let doc = &r.doc;
    let table = date_table(&r.rows);
    for key in DATE_FIELDS {
        // A table row under its labels first: a label over a row of several
        // dates would otherwise take the row's first.
        let found = table
            .iter()
            .find(|t| t.0 == key)
            .map(|t| (t.1.clone(), t.2.clone()))
            .or_else(|| labelled_date(doc, key));
        if let Some((v, e)) = found {
            out.evidence.insert(key.into(), e);
            *date_slot(&mut out.certificate, key) = Some(v);
        }
    }
    // A validity range on one line ("valid from 5 March 2024 until 4 March
    // 2027", "Period of validity: 2024-03-05 to 2027-03-04", "有效期限：自…起至…止"):
    // its end is the expiry and its start the issue date, where no label gave them.
    if let Some((start, end)) = validity_range(&r.rows) {
        for (key, (v, e)) in [("expiry_date", end), ("issue_date", start)] {
            let slot = date_slot(&mut out.certificate, key);
            if slot.is_none() {
                *slot = Some(v);
                out.evidence.insert(key.into(), e);
            }
        }
    }
    // "有效期：2025-03-01 至 2028-02-29": the first date of a range is the issue date.
    if out.certificate.issue_date.is_none() {
        if let Some((v, e)) = doc.labeled(label("expiry_date"), |s| {
            let d = find_dates(s);
            (d.len() >= 2).then(|| d[0].2.format("%Y-%m-%d").to_string())
        }) {
            out.certificate.issue_date = Some(v);
            out.evidence.insert("issue_date".into(), e);
        }
    }
    drop_contradicting_dates(out);
}

/// The first line that names a validity (models/labels.toml, `validity_range`)
/// and prints two dates joined by a range word or dash ("A to B", "A until
/// B", "A - B", "A至B", "自A起至B止"), the first before the second: the
/// range's start and end.
#[allow(clippy::type_complexity)]
fn validity_range(doc: &Doc) -> Option<((String, Evidence), (String, Evidence))> {
    static JOIN: OnceLock<Regex> = OnceLock::new();
    let join = JOIN.get_or_init(|| {
        Regex::new(r"(?i)^\s*(?:to|until|till|through|thru|[-–—~～]|起?至|到)\s*$")
            .expect("valid regex")
    });
    let words = label("validity_range");
    doc.lines.iter().enumerate().find_map(|(i, l)| {
        let m = words.find(&l.text)?;
        let half = to_half_width(&l.text[m.end()..]);
        let d = find_dates(&half);
        let (a, b) = (d.first()?, d.get(1)?);
        (d.len() == 2 && join.is_match(&half[a.1..b.0]) && a.2 < b.2).then(|| {
            let (s, e) = (a.2.format("%Y-%m-%d"), b.2.format("%Y-%m-%d"));
            (
                (s.to_string(), doc.evidence(i, &half[a.0..a.1])),
                (e.to_string(), doc.evidence(i, &half[b.0..b.1])),
            )
        })
    })
}

/// The field of a certificate that holds the date named `key`.
fn date_slot<'c>(c: &'c mut Certificate, key: &str) -> &'c mut Option<String> {
    match key {
        "initial_issue_date" => &mut c.initial_issue_date,
        "decision_date" => &mut c.decision_date,
        "issue_date" => &mut c.issue_date,
        _ => &mut c.expiry_date,
    }
}

/// A date after one of the field's labels, tried in the lexicon's order; the
/// expiry takes the last date of a range, the others the first.
fn labelled_date(doc: &Doc, key: &str) -> Option<(String, Evidence)> {
    let fl = Lexicon::bundled().field(key);
    let not_after: Vec<&str> = fl.not_after.iter().map(String::as_str).collect();
    let not_before: Vec<String> = fl.not_before.iter().map(|w| letter_skeleton(w)).collect();
    let last = key == "expiry_date";
    fl.each.iter().find_map(|re| {
        doc.labeled_opt(re, true, &not_after, &not_before, |s| {
            let d = find_dates(cut_at_label(s));
            let d = if last { d.last() } else { d.first() };
            d.map(|d| d.2.format("%Y-%m-%d").to_string())
        })
    })
}

/// Dates that contradict each other are not both right, and which one is
/// wrong cannot be told: null beats wrong.
fn drop_contradicting_dates(out: &mut Extracted) {
    let c = &mut out.certificate;
    let ev = &mut out.evidence;
    if let (Some(i), Some(x)) = (&c.issue_date, &c.expiry_date) {
        if i >= x {
            c.issue_date = None;
            c.expiry_date = None;
            ev.remove("issue_date");
            ev.remove("expiry_date");
        }
    }
    if let (Some(d), Some(x)) = (&c.decision_date, &c.expiry_date) {
        if d >= x {
            c.decision_date = None;
            ev.remove("decision_date");
        }
    }
    if let (Some(f), Some(i)) = (&c.initial_issue_date, &c.issue_date) {
        if f > i {
            c.initial_issue_date = None;
            ev.remove("initial_issue_date");
        }
    }
}

/// Surveillance record section, surveillance clause, transition notice.
/// Both surveillance wordings are data (models/labels.toml).
fn read_surveillance(r: &Reading, out: &mut Extracted) {
    let lex = Lexicon::bundled();
    let c = &mut out.certificate;
    c.surveillance_section = lex.field("surveillance_section").any.is_match(&r.full);
    if c.surveillance_section {
        c.surveillance_audits = surveillance_dates(&r.doc);
    }
    c.surveillance_clause = lex.field("surveillance_clause").any.is_match(&r.full);
    // A transition notice: a line about the transition (to the 2018 edition,
    // the 2022 edition...) with its deadline (a year, 截止, "before").
    c.transition_notice = r
        .doc
        .lines
        .iter()
        .any(|l| is_transition_notice(&l.line.text));
}

/// A page's lines in reading order. Where a page prints two columns side by
/// side (a right-hand column whose parts start with a label, at one x, on two
/// rows or more: "获证组织：      证书号：…", "This is to certify that   Issue Date
/// 签发日期"), every row is cut at the wide gap before that column, and a run
/// of such rows is read left column first, then right column, so that a value
/// under its label is the next line of its column. A line across the gap ends
/// the run. Other pages keep their rows.
fn read_by_column(p: &PageText) -> Vec<Cow<'_, Line>> {
    let rows = || p.lines.iter().map(Cow::Borrowed).collect();
    let Some(gutter) = right_column_x(p) else {
        return rows();
    };
    let tol = (p.width as f32 * 0.03).max(4.0) as i64;
    let mut out: Vec<Cow<Line>> = Vec::new();
    // The current run: (right column?, part) in row order, and whether a row was cut.
    let mut run: Vec<(bool, Cow<Line>)> = Vec::new();
    let mut cut_rows = 0;
    fn flush<'a>(run: &mut Vec<(bool, Cow<'a, Line>)>, out: &mut Vec<Cow<'a, Line>>, cut: usize) {
        if cut == 0 {
            // No row cut: the rows keep their order.
            out.extend(run.drain(..).map(|x| x.1));
        } else {
            let (left, right): (Vec<_>, Vec<_>) = run.drain(..).partition(|x| !x.0);
            out.extend(left.into_iter().map(|x| x.1));
            out.extend(right.into_iter().map(|x| x.1));
        }
    }
    for l in &p.lines {
        let start = i64::from(l.bbox.x);
        let end = start + i64::from(l.bbox.w);
        if let Some(k) = wide_gaps(l).find(|&k| {
            // The part after the gap starts at the column's x.
            let x = i64::from(l.words[k].bbox.x);
            let prev = &l.words[k - 1].bbox;
            (gutter - tol..=gutter + 2 * tol).contains(&x)
                && i64::from(prev.x + prev.w) <= gutter + tol
        }) {
            run.push((false, Cow::Owned(Line::from_words(l.words[..k].to_vec()))));
            run.push((true, Cow::Owned(Line::from_words(l.words[k..].to_vec()))));
            cut_rows += 1;
        } else if start >= gutter - tol {
            run.push((true, Cow::Borrowed(l)));
        } else if end <= gutter {
            run.push((false, Cow::Borrowed(l)));
        } else {
            flush(&mut run, &mut out, cut_rows);
            cut_rows = 0;
            out.push(Cow::Borrowed(l));
        }
    }
    flush(&mut run, &mut out, cut_rows);
    out
}

/// Word indices of a line that follow a wide gap (more than twice the
/// words' height): where one column's text ends and another's begins.
fn wide_gaps(l: &Line) -> impl Iterator<Item = usize> + '_ {
    let mut hs: Vec<u32> = l.words.iter().map(|w| w.bbox.h).collect();
    hs.sort_unstable();
    let h = i64::from(hs.get(hs.len() / 2).copied().unwrap_or(0)).max(1);
    (1..l.words.len()).filter(move |&k| {
        let prev = &l.words[k - 1].bbox;
        i64::from(l.words[k].bbox.x) - i64::from(prev.x + prev.w) > 2 * h
    })
}

/// The x where a right-hand column starts: the start, after a wide gap, of
/// parts of two rows or more that begin with a label, at one x (within 3 % of
/// the page's width) in the page's right two thirds.
fn right_column_x(p: &PageText) -> Option<i64> {
    let tol = (p.width as f32 * 0.03).max(4.0) as i64;
    let mut xs: Vec<i64> = Vec::new();
    for l in &p.lines {
        // A line's start too: a row of the right column alone.
        for k in std::iter::once(0).chain(wide_gaps(l)) {
            let Some(w) = l.words.get(k) else {
                continue;
            };
            let part: String = l.words[k..].iter().map(|w| w.text.as_str()).collect();
            let part = part.trim_start();
            let x = i64::from(w.bbox.x);
            // The label at the part's start (two characters of a longer
            // label before it at most: "认证证书号").
            let labelled = any_label()
                .find(part)
                .is_some_and(|m| part[..m.start()].chars().count() <= 2);
            if x * 3 >= i64::from(p.width) && labelled {
                xs.push(x);
            }
        }
    }
    xs.sort_unstable();
    // The largest group of starts within the tolerance of each other.
    let (mut best, mut at) = (0, 0);
    for (i, &x) in xs.iter().enumerate() {
        let n = xs[i..].iter().take_while(|&&y| y - x <= tol).count();
        if n > best {
            (best, at) = (n, x);
        }
    }
    (best >= 2).then_some(at)
}

/// A Chinese name followed by the start of a label OCR garbled past
/// recognition ("陈洋资" from "陈洋 资格编号"): the label's start goes, if a
/// name of two characters or more remains.
fn strip_label_start(v: &str, labels: &[&str]) -> String {
    let chars: Vec<char> = v.chars().collect();
    let Some(simp) = simplified_chars(v) else {
        return v.to_string();
    };
    for label in labels {
        let l: Vec<char> = label.chars().collect();
        for k in (1..=l.len()).rev() {
            if chars.len() >= k + 2 && simp.ends_with(&l[..k]) {
                return chars[..chars.len() - k].iter().collect();
            }
        }
    }
    v.to_string()
}

/// Cuts a line of a running value where the surveillance record begins
/// ("年度監督審核記錄", however its last characters were read).
fn cut_at_surveillance(t: &str) -> &str {
    let key: Vec<char> = "年度监督".chars().collect();
    let at = simplified_chars(t).and_then(|simp| simp.windows(key.len()).position(|w| w == key));
    let t = match at {
        Some(n) => &t[..t.char_indices().nth(n).map_or(t.len(), |x| x.0)],
        None => t,
    };
    // The surveillance boxes ("第一次监审贴标处", "First S.A. Labelling") and
    // clause that follow a scope on real certificates.
    let lex = Lexicon::bundled();
    let cut = ["surveillance_section", "surveillance_clause"]
        .iter()
        .filter_map(|f| lex.field(f).any.find(t).map(|m| m.start()))
        .min();
    match cut {
        Some(k) => &t[..k],
        None => t,
    }
}

/// The characters of `text` in simplified script, one for one with the
/// original's (None in the rare case conversion changes the length), so that
/// a position found in the simplified text is a position in the original.
fn simplified_chars(text: &str) -> Option<Vec<char>> {
    let simp: Vec<char> = to_simplified(text).chars().collect();
    (simp.len() == text.chars().count()).then_some(simp)
}

/// A line about the transition to a new edition with its deadline (a date,
/// 截止, "before"), or a deadline to move to one ("须于…前完成向…").
fn is_transition_notice(line: &str) -> bool {
    let t = to_simplified(line).to_lowercase();
    (t.contains("转换") || t.contains("过渡") || t.contains("transition"))
        && (t.contains("截止")
            || t.contains("deadline")
            || t.contains("before")
            || t.contains("前完成")
            || !find_dates(line).is_empty())
        // "须于2025年10月31日前完成向ISO/IEC 27001:2022的标准转损": the
        // deadline and the new edition say it when 转换 is misread.
        || (t.contains("前完成向") && !find_dates(line).is_empty())
}

/// The x position (page pixels) of a byte offset in a line, from its words'
/// boxes (interpolated inside a word).
fn x_at(line: &Line, offset: usize) -> f32 {
    let mut cursor = 0;
    for w in &line.words {
        let Some(at) = line.text[cursor..].find(&w.text).map(|k| k + cursor) else {
            continue;
        };
        let end = at + w.text.len();
        if offset < end || std::ptr::eq(w, line.words.last().unwrap_or(w)) {
            let n = w.text.chars().count().max(1) as f32;
            let k = line.text[at..offset.clamp(at, end)].chars().count() as f32;
            return w.bbox.x as f32 + w.bbox.w as f32 * (k / n);
        }
        cursor = end;
    }
    let n = line.text.chars().count().max(1) as f32;
    let k = line.text[..offset.min(line.text.len())].chars().count() as f32;
    line.bbox.x as f32 + line.bbox.w as f32 * (k / n)
}

/// Dates printed in a row under a row of their labels (a table: "DATE OF
/// ISSUE   DATE OF EXPIRY" over "26-JUL-2018   25-JUL-2021"): each date goes
/// to the label whose centre is nearest above it; a label claimed by two
/// dates gives neither. Labels are looked for on the three lines above the
/// dates, on the same page.
fn date_table(doc: &Doc) -> Vec<(&'static str, String, Evidence)> {
    const FIELDS: [&str; 4] = [
        "initial_issue_date",
        "decision_date",
        "issue_date",
        "expiry_date",
    ];
    let lex = Lexicon::bundled();
    let mut out = Vec::new();
    for (j, l) in doc.lines.iter().enumerate() {
        let dates = find_dates(&l.text);
        if dates.len() < 2 || FIELDS.iter().any(|f| lex.field(f).any.is_match(&l.text)) {
            continue;
        }
        // (field, x centre, byte span, line) of every label above.
        let mut labels: Vec<(&'static str, f32, (usize, usize), usize)> = Vec::new();
        for k in j.saturating_sub(3)..j {
            let h = &doc.lines[k];
            if h.page != l.page || !find_dates(&h.text).is_empty() {
                continue;
            }
            for f in FIELDS {
                for m in lex.field(f).any.find_iter(&h.text) {
                    let overlaps = labels
                        .iter()
                        .any(|x| x.3 == k && m.start() < x.2 .1 && x.2 .0 < m.end());
                    if !overlaps {
                        let cx = (x_at(&h.line, m.start()) + x_at(&h.line, m.end())) / 2.0;
                        labels.push((f, cx, (m.start(), m.end()), k));
                    }
                }
            }
        }
        if labels.len() < 2 {
            continue;
        }
        // find_dates gives offsets in the half-width text: back to the line's.
        let half = to_half_width(&l.text);
        let orig = |off: usize| {
            let k = half[..off.min(half.len())].chars().count();
            l.text
                .char_indices()
                .nth(k)
                .map_or(l.text.len(), |(b, _)| b)
        };
        let dates: Vec<(usize, usize, chrono::NaiveDate)> =
            dates.iter().map(|d| (orig(d.0), orig(d.1), d.2)).collect();
        let picks: Vec<(usize, &'static str)> = dates
            .iter()
            .enumerate()
            .filter_map(|(n, d)| {
                let cx = (x_at(&l.line, d.0) + x_at(&l.line, d.1)) / 2.0;
                labels
                    .iter()
                    .min_by(|a, b| (a.1 - cx).abs().total_cmp(&(b.1 - cx).abs()))
                    .map(|x| (n, x.0))
            })
            .collect();
        for &(n, f) in &picks {
            if picks.iter().filter(|p| p.1 == f).count() == 1 {
                let v = dates[n].2.format("%Y-%m-%d").to_string();
                let e = doc.evidence(j, &l.text[dates[n].0..dates[n].1]);
                out.push((f, v, e));
            }
        }
    }
    out
}

/// A value that starts after its label and continues on the following lines
/// until a line that carries another label.
fn running_value<'a>(doc: &Doc<'a>, label: &Regex) -> Option<(String, Evidence, usize)> {
    for (i, l) in doc.lines.iter().enumerate() {
        let Some(m) = label.find(&l.text) else {
            continue;
        };
        let mut parts: Vec<String> = Vec::new();
        let mut first = strip_lead(&l.text[m.end()..]);
        // The other half of a bilingual heading ("Scope of Certification 认证范围").
        while let Some(n) = label.find(first).filter(|n| n.start() == 0 && n.end() > 0) {
            first = strip_lead(&first[n.end()..]);
        }
        let first = cut_at_surveillance(cut_at_label(first));
        if !first.trim().is_empty() {
            parts.push(first.trim().to_string());
        }
        let mut last = i;
        for j in i + 1..(i + 8).min(doc.lines.len()) {
            let t = doc.lines[j].text.trim();
            if t.is_empty()
                || any_label()
                    .find(t)
                    .map(|m| t[..m.start()].chars().count() < 4)
                    .unwrap_or(false)
            {
                break;
            }
            if doc.lines[j].page != l.page {
                break;
            }
            // A Chinese value is followed by its English version: stop there.
            if parts.iter().any(|p| has_cjk(p))
                && !has_cjk(t)
                && t.chars().filter(|c| c.is_ascii_alphabetic()).count() > 3
            {
                break;
            }
            // Stop at prose that is not part of a scope (the surveillance clause etc.).
            let ts = to_simplified(t);
            let tl = ts.to_lowercase();
            // A new sentence about the certificate or the audit ("This is in
            // accordance with the Statement of Applicability", "El certificado
            // ha sido publicado", "Na základě vykonaného auditu").
            let opener = [
                "only when",
                "this ",
                "the certificate",
                "el certificado",
                "la fecha",
                "na základě",
                "tento certifik",
                "for the validity",
                "further clarification",
                "subject to",
            ]
            .iter()
            .any(|o| tl.starts_with(o));
            if ts.contains("本证书")
                || ts.contains("证书有效期内")
                // The surveillance clause ("获证组织必须定期接受监督审核…"),
                // printed under a column that it does not belong to.
                || crate::labels::label("surveillance_clause").is_match(t)
                || opener
                || is_transition_notice(t)
                // A running value (scope, address) prints no date: a line
                // with one is a notice or a date line whose label OCR garbled.
                || !find_dates(t).is_empty()
            {
                break;
            }
            let cut = cut_at_surveillance(cut_at_label(t)).trim();
            if cut.is_empty() {
                break;
            }
            // An English value followed by its Chinese version: "English / 中文".
            if !parts.is_empty() && parts.iter().all(|p| !has_cjk(p)) && has_cjk(cut) {
                if let Some(p) = parts.last_mut() {
                    p.push_str(" /");
                }
            }
            parts.push(cut.to_string());
            last = j;
            if cut.len() < t.len() {
                break;
            }
        }
        if parts.is_empty() {
            continue;
        }
        let v = squeeze_cjk_spaces(&fullwidth_brackets(&parts.join(" ")));
        let v = trim_value(&v);
        if v.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            continue;
        }
        let mut e = doc.evidence(i, &v);
        if last > i {
            let b = (i..=last).fold(BBox::default(), |b, k| b.union(&doc.lines[k].line.bbox));
            e.bbox = b.to_array();
        }
        return Some((v, e, last));
    }
    None
}

/// Dates printed in the surveillance record section (after its heading).
fn surveillance_dates(doc: &Doc) -> Vec<String> {
    static LABELS: OnceLock<Vec<Regex>> = OnceLock::new();
    let labels = LABELS.get_or_init(|| {
        [
            "issue_date",
            "expiry_date",
            "initial_issue_date",
            "decision_date",
        ]
        .iter()
        .map(|f| label(f).clone())
        .collect()
    });
    let mut out = Vec::new();
    let mut inside = false;
    for l in &doc.lines {
        let t = to_simplified(&l.text).to_lowercase();
        if t.contains("监督审核记录")
            || t.contains("年度监督记录")
            || t.contains("监督审核栏")
            || t.contains("surveillance audit record")
            || t.contains("surveillance record")
        {
            inside = true;
            continue;
        }
        let other_date_label = labels.iter().any(|r| r.is_match(&l.text));
        // A deadline printed under the record table is no audit.
        let deadline = [
            "转换",
            "过渡",
            "transition",
            "截止",
            "须于",
            "本证书",
            "this certificate",
        ]
        .iter()
        .any(|w| t.contains(w));
        if inside && !other_date_label && !deadline {
            for d in find_dates(&l.text) {
                let s = d.2.format("%Y-%m-%d").to_string();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{both_scripts, ocr_letters};

    /// Pages as `certscan pages` prints them: "=== page N ..." starts a page,
    /// each line is "[conf] text" (the confidence is optional).
    fn pages_of(src: &str) -> Vec<PageText> {
        let mut pages: Vec<Vec<String>> = Vec::new();
        for l in src.lines() {
            if l.starts_with("=== page") {
                pages.push(Vec::new());
                continue;
            }
            if l.trim().is_empty() || l.starts_with('#') {
                continue;
            }
            let t = match l.trim_start().strip_prefix('[') {
                Some(r) if r.contains(']') => r.split_once(']').map(|x| x.1).unwrap_or(r),
                _ => l,
            };
            if pages.is_empty() {
                pages.push(Vec::new());
            }
            pages.last_mut().unwrap().push(t.trim().to_string());
        }
        pages
            .iter()
            .enumerate()
            .map(|(n, lines)| {
                let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                let mut p = page(&refs);
                p.number = n as u32 + 1;
                // On a page printed in columns, a line without "||" spans the page.
                let columns = p.lines.iter().any(|l| l.text.contains("||"));
                for l in p.lines.iter_mut().filter(|_| columns) {
                    *l = if l.text.contains("||") {
                        columns_line(&l.text, l.bbox.y)
                    } else {
                        let mut w = l.words[0].clone();
                        w.bbox.w = 2200;
                        Line::from_words(vec![w])
                    };
                }
                p
            })
            .collect()
    }

    /// A line printed in columns: "left || right" puts each part's words in
    /// its own column (x 100 and 1300 of a 2480-pixel page, a wide gap
    /// between), "|| right" only the right one; within a part, words are
    /// split at spaces, 20 pixels a character.
    fn columns_line(text: &str, y: u32) -> Line {
        let mut words = Vec::new();
        for (k, part) in text.split("||").enumerate() {
            let mut x = 100 + 1200 * k as u32;
            for w in part.split_whitespace() {
                let n = w.chars().count() as u32;
                words.push(crate::page::Word {
                    text: w.to_string(),
                    bbox: BBox::new(x, y, 20 * n, 40),
                    conf: 100.0,
                    ..Default::default()
                });
                x += 20 * n + 10;
            }
        }
        Line::from_words(words)
    }

    fn field_of(c: &Certificate, f: &str) -> Option<String> {
        match f {
            "certificate_number" => c.certificate_number.clone(),
            "organization_name" => c.organization_name.clone(),
            "organization_name_en" => c.organization_name_en.clone(),
            "unified_social_credit_code" => c.unified_social_credit_code.clone(),
            "address" => c.address.clone(),
            "scope" => c.scope.clone(),
            "standard" => c.standard.clone(),
            "certification_body" => c.certification_body.name.clone(),
            "certification_body_en" => c.certification_body.name_en.clone(),
            "initial_issue_date" => c.initial_issue_date.clone(),
            "decision_date" => c.decision_date.clone(),
            "issue_date" => c.issue_date.clone(),
            "expiry_date" => c.expiry_date.clone(),
            "surveillance_clause" => Some(c.surveillance_clause.to_string()),
            "surveillance_section" => Some(c.surveillance_section.to_string()),
            other => panic!("unknown field {other} in an .expect.toml"),
        }
    }

    /// Extraction cases as data (tests/extract/<case>.lines.txt and
    /// <case>.expect.toml): a new layout or wording is a new pair of files.
    /// `[fields]` gives expected values; `nulls` lists fields that must come
    /// out null (null beats wrong).
    #[test]
    fn extraction_cases_from_data_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/extract");
        let reg = crate::registry::Registry::bundled();
        let names = reg.names();
        let v = Vocabularies::bundled();
        let pats = default_number_patterns();
        let ctx = ExtractContext {
            vocab: &v,
            body_names: &names,
            known_bodies: &reg.known,
            body_code_len: 6,
            number_patterns: &pats,
        };
        let mut failures = Vec::new();
        let mut cases = 0;
        let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let path = e.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Some(case) = name.strip_suffix(".lines.txt") else {
                continue;
            };
            cases += 1;
            let pages = pages_of(&std::fs::read_to_string(&path).unwrap());
            let expect: toml::Table =
                std::fs::read_to_string(dir.join(format!("{case}.expect.toml")))
                    .unwrap_or_else(|_| panic!("{case}: no .expect.toml"))
                    .parse()
                    .unwrap_or_else(|e| panic!("{case}.expect.toml: {e}"));
            let c = extract(&pages, &ctx).certificate;
            if let Some(fields) = expect.get("fields").and_then(|f| f.as_table()) {
                for (f, want) in fields {
                    let want = want
                        .as_str()
                        .unwrap_or_else(|| panic!("{case}: {f} must be a string"));
                    let got = field_of(&c, f);
                    if got.as_deref() != Some(want) {
                        failures.push(format!("{case}: {f} = {got:?}, expected {want:?}"));
                    }
                }
            }
            for f in expect
                .get("nulls")
                .and_then(|n| n.as_array())
                .into_iter()
                .flatten()
            {
                let f = f.as_str().unwrap();
                if let Some(got) = field_of(&c, f) {
                    failures.push(format!("{case}: {f} = {got:?}, expected null"));
                }
            }
        }
        assert!(
            cases >= 5,
            "only {cases} extraction cases found in {}",
            dir.display()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    use crate::page::text_page as page;

    fn ctx_extract(lines: &[&str]) -> Certificate {
        ctx_extract_pages(&[page(lines)])
    }

    fn ctx_extract_pages(pages: &[PageText]) -> Certificate {
        let v = Vocabularies::bundled();
        let names = vec![
            "中国质量认证中心".to_string(),
            "中国建筑科学研究院".to_string(),
        ];
        let pats = default_number_patterns();
        let ctx = ExtractContext {
            vocab: &v,
            body_names: &names,
            known_bodies: &[],
            body_code_len: 6,
            number_patterns: &pats,
        };
        extract(pages, &ctx).certificate
    }

    /// From PP-OCR readings of the generated samples, 2026-11-27 (6f49d88): enumeration commas lost between vocabulary names.
    #[test]
    fn list_commas_dropped_by_ocr_are_put_back() {
        let v = Vocabularies::bundled();
        let sp = &v.scope_processes;
        assert_eq!(
            sp.separate_adjacent("涉及事件管理、变更管理问题管理、发布与部署管理"),
            "涉及事件管理、变更管理、问题管理、发布与部署管理"
        );
        assert_eq!(
            sp.separate_adjacent("涉及的變更管理問題管理和容量管理"),
            "涉及的變更管理、問題管理和容量管理"
        );
        // Names inside a longer name, and names joined by a word, stay as they are.
        for ok in [
            "云服务管理和服务连续性和可用性管理",
            "服务请求管理",
            "事件管理和问题管理",
        ] {
            assert_eq!(sp.separate_adjacent(ok), ok);
        }
    }

    /// From the generated accuracy corpus read by PP-OCR, 2026-11-28 (6e8069f): Initlal, Explry, Organlzation.
    #[test]
    fn english_label_glued_to_a_chinese_value_is_dropped_through_misreadings() {
        for v in [
            "Organization北京安信信息技术有限公司",
            "Organlzation北京安信信息技术有限公司",
            "0rganization:北京安信信息技术有限公司",
        ] {
            assert_eq!(trim_value(v), "北京安信信息技术有限公司", "{v}");
        }
        // A Latin word that is no label stays.
        assert_eq!(trim_value("Apple北京有限公司"), "Apple北京有限公司");
    }

    /// From the generated accuracy corpus read by PP-OCR, 2026-11-28 (6e8069f).
    #[test]
    fn english_labels_match_through_letter_confusions() {
        assert_eq!(
            ocr_letters(r"(?i)Explry\s+Date(?-u:\b)[a-z]No"),
            r"(?i)Exp[iIlL1|]ry\s*Date(?-u:\b)[a-z]No"
        );
        let c = ctx_extract(&[
            "证书编号 Certificate No. CN00572021IT64105",
            "初次发证日期 Initlal Issue Date 2018.01.29",
            "Certification Decision Date: 06Jun.2020",
            "IssueDate: 07 Feb. 2021",
            "有效期至 Explry Date 2024.02.06",
        ]);
        assert_eq!(c.decision_date.as_deref(), Some("2020-06-06"));
        assert_eq!(c.initial_issue_date.as_deref(), Some("2018-01-29"));
        assert_eq!(c.issue_date.as_deref(), Some("2021-02-07"));
        assert_eq!(c.expiry_date.as_deref(), Some("2024-02-06"));
    }

    /// From the generated accuracy corpus, 2026-11-28 (4f38c55): QualificationNo.
    #[test]
    fn qualification_label_run_together_by_ocr() {
        let c = ctx_extract(&[
            "Certificate No.: 04625IT15304R1M",
            "Lead Auditor 审核组长：林涛QualificationNo.: 2015-N1ISMS-1256249",
        ]);
        let a = c.auditor.expect("auditor");
        assert_eq!(a.name.as_deref(), Some("林涛"));
        assert_eq!(
            a.qualification_number.as_deref(),
            Some("2015-N1ISMS-1256249")
        );
        for (line, want) in [
            // The Q of the next label read twice.
            (
                "Lead Auditor 审核组长：何海燕Q Qualification No.: 2016-N1ITSMS-1041307",
                "何海燕",
            ),
            // A Latin name stays whole.
            ("Lead Auditor: John Q", "John Q"),
        ] {
            let c = ctx_extract(&["Certificate No.: 04625IT15304R1M", line]);
            assert_eq!(c.auditor.expect("auditor").name.as_deref(), Some(want));
        }
    }

    /// From PP-OCR readings of the generated samples, 2026-11-27 (6f49d88): Validunti1.
    #[test]
    fn expiry_label_run_together_by_ocr() {
        for label in ["Valid until", "Validunti1", "Valid unti|"] {
            let c = ctx_extract(&[
                "Certificate No.: 04625IT15304R1M",
                "Date of Issue: 2025/01/05",
                &format!("{label}: 2028/01/04"),
            ]);
            assert_eq!(c.expiry_date.as_deref(), Some("2028-01-04"), "{label}");
        }
    }

    /// From the first accuracy run over generated certificates, 2026-11-27 (e8fd254).
    #[test]
    fn label_remnants_and_the_surveillance_record_stay_out_of_values() {
        assert_eq!(strip_label_start("陈洋资", &["资格编号"]), "陈洋");
        assert_eq!(strip_label_start("宋俊傑資格编号", &["资格编号"]), "宋俊傑");
        assert_eq!(strip_label_start("王资", &["资格编号"]), "王资");
        let c = ctx_extract(&[
            "证书编号：04625IT15304R1M",
            "认证范围：数据中心运维服务（事件管理、变更管理、容量管理",
            "年度監督審核記缘",
            "审核员：陈洋资",
        ]);
        assert_eq!(
            c.scope.as_deref(),
            Some("数据中心运维服务（事件管理、变更管理、容量管理）")
        );
        assert_eq!(
            cut_at_surveillance("容量管理）年度監督審核記缘"),
            "容量管理）"
        );
    }

    /// From a fresh generated corpus (seed 23), 2026-11-28 (e299787): 審核组長.
    #[test]
    fn labels_match_in_either_script_and_in_a_mix() {
        assert_eq!(both_scripts("审核"), "[审審]核");
        let class = Regex::new(&both_scripts(r"[资資]格\s*[:：]|[一-龥]")).unwrap();
        assert!(class.is_match("資格:") && class.is_match("资格 ："));
        for (line, name, number) in [
            (
                "審核组長：何濤資格编號：2016-N1ITSMS-1054157",
                "何濤",
                "2016-N1ITSMS-1054157",
            ),
            (
                "主導稽核員：宋俊傑資格编號：2023-N1ISMS-1277818",
                "宋俊傑",
                "2023-N1ISMS-1277818",
            ),
            // Bilingual label, OCR's semicolon for the colon, 1 for l.
            (
                "审核组长 Lead Auditor宋娜资格编号 Qualification No.;2017-N1ITSMS-1212511",
                "宋娜",
                "2017-N1ITSMS-1212511",
            ),
            (
                "审核组长 Lead Auditor宋娜 资格编号 Qua1ification No.：2017-N1ITSMS-1212511",
                "宋娜",
                "2017-N1ITSMS-1212511",
            ),
        ] {
            let c = ctx_extract(&["證書編號：04625IT15304R1M", line]);
            let a = c.auditor.expect("auditor read");
            assert_eq!(a.name.as_deref(), Some(name), "{line}");
            assert_eq!(a.qualification_number.as_deref(), Some(number), "{line}");
        }
    }

    /// From a fresh generated corpus (seed 23), 2026-11-28 (e299787): 覆盖范圈.
    #[test]
    fn scope_label_misread_on_the_certificate_wins_over_the_annex() {
        let mut annex = page(&[
            "证书附件",
            "认证覆盖的范围及过程：",
            "1.变更管理：按服务级别协议实施的变更管理活动",
        ]);
        annex.number = 2;
        let pages = [
            page(&[
                "证书编号00121ITS64503R2M",
                "覆盖范圈为内部及外部客户提供的信息系统运维服务，涉及变更管理、服务级别",
                "管理、云服务管理",
                "发证日期2021/10/04",
            ]),
            annex,
        ];
        let c = ctx_extract_pages(&pages);
        assert_eq!(
            c.scope.as_deref(),
            Some("为内部及外部客户提供的信息系统运维服务，涉及变更管理、服务级别管理、云服务管理")
        );
    }

    /// From a fresh generated corpus (seed 23), 2026-11-28 (e299787).
    #[test]
    fn scope_stops_at_a_garbled_notice_with_a_date() {
        let c = ctx_extract(&[
            "證書編號：06423ITS78695R2S",
            "驗證範圍：",
            "為內部及外部客戶提供的資料中心運維服務，涉及變更管理、配置管理、服務級別",
            "管理、雲端服務管理",
            "本經客須於2025年12月31日前完成綜早特換",
            "發證日期：二〇二三年四月一日",
        ]);
        assert_eq!(
            c.scope.as_deref(),
            Some("為內部及外部客戶提供的資料中心運維服務，涉及變更管理、配置管理、服務級別管理、雲端服務管理")
        );
    }

    /// From a fresh generated corpus (seed 23), 2026-11-28 (e299787): CHAS/IAP.
    #[test]
    fn accreditation_marks_through_ocr_confusions() {
        let c = ctx_extract(&[
            "Certificate No.: 04625IT15304R1M",
            "CNAS IAP北京东方纵横认证中心",
            "CHAS C031-M",
        ]);
        assert_eq!(c.cnas.code.as_deref(), Some("CNAS C031-M"));
        assert!(c.iaf_mark && c.cnas.mark);
        let c = ctx_extract(&["Certificate No.: 04625IT15304R1M", "IAPMO listed"]);
        assert!(!c.iaf_mark);
    }

    /// From a fresh generated corpus (seed 23), 2026-11-28 (e299787).
    #[test]
    fn traditional_body_name_takes_the_registry_bracket_width() {
        let v = Vocabularies::bundled();
        let names = vec!["长城(天津)质量保证中心".to_string()];
        let pats = default_number_patterns();
        let ctx = ExtractContext {
            vocab: &v,
            body_names: &names,
            known_bodies: &[],
            body_code_len: 6,
            number_patterns: &pats,
        };
        let c = extract(
            &[page(&[
                "證書編號：06423ITS78695R2S",
                "驗證機構：長城（天津）質量保證中心",
            ])],
            &ctx,
        )
        .certificate;
        assert_eq!(
            c.certification_body.name.as_deref(),
            Some("長城(天津)質量保證中心")
        );
    }

    /// From a fresh generated corpus (seed 23), 2026-11-28 (e299787): lssue.
    #[test]
    fn issue_label_read_with_a_lowercase_l() {
        let c = ctx_extract(&[
            "Certificate No.: CN00142024IT27869",
            "Certification Decision Date: 03 Apr. 2024",
            "lssue Date: 03 Apr. 2024",
            "Validity: 02 Apr. 2027",
        ]);
        assert_eq!(c.issue_date.as_deref(), Some("2024-04-03"));
        assert_eq!(c.expiry_date.as_deref(), Some("2027-04-02"));
    }

    /// From a generated English certificate, 2026-11-27 (28cfd1a): "Initial Issue Date" taken as the issue date.
    #[test]
    fn initial_issue_date_is_not_the_issue_date() {
        for initial in [
            "Initial Issue Date",
            "Initia1 Issue Date",
            "lnitial Issue Date",
            "Inital Issue Date",
            "初次发证日期",
            "初次发证日期 Inital Issue Date",
        ] {
            let c = ctx_extract(&[
                "Certificate No.: 04625IT15304R1M",
                &format!("{initial}: 7 October 2021"),
                "Date of Issue: 7 October 2024",
                "Expiry Date: 6 October 2027",
            ]);
            assert_eq!(c.issue_date.as_deref(), Some("2024-10-07"), "{initial}");
            assert_eq!(
                c.initial_issue_date.as_deref(),
                Some("2021-10-07"),
                "{initial}"
            );
        }
    }

    /// From the generated accuracy corpus, 2026-11-28 (d1a05e3).
    #[test]
    fn english_scope_heading_misread_stays_out_of_the_scope() {
        for heading in [
            "This certificate covers the fllowing scope of information security management system",
            "This certificate covers the following scope of information security management system",
            "Scope of information security management system:",
        ] {
            let c = ctx_extract(&[
                "Registration No.: 08925ISMS22282R1L",
                heading,
                "Information security management activities related to data centre operation",
                "andmaintenance services",
                "Date of Issue: 2025-01-19",
            ]);
            assert_eq!(
                c.scope.as_deref(),
                Some("Information security management activities related to data centre operation and maintenance services"),
                "{heading}"
            );
        }
    }

    /// From the generated accuracy corpus, 2026-11-28 (d1a05e3): 4 for A, B/P/K for R.
    #[test]
    fn cnca_number_through_ocr_confusions() {
        for (read, want) in [
            ("认证机构批准号：CNCA-R-2002-001", Some("CNCA-R-2002-001")),
            ("批准号:CNCA-B/2002-031", Some("CNCA-R-2002-031")),
            ("批准号:CNC4R-2006-143", Some("CNCA-R-2006-143")),
            ("认证机构批准号：CNCA7R-2002-007", Some("CNCA-R-2002-007")),
            ("认证机构批准号：CNCA-F-2002-087", Some("CNCA-R-2002-087")),
            ("CNCA-R F-2018-051", Some("CNCA-RF-2018-051")),
            ("批准号: cncA-R-2006-143", Some("CNCA-R-2006-143")),
            ("CNCA-RF-2018-O51", Some("CNCA-RF-2018-051")),
            // A seal's ring over the A and a dash (PP-OCR, seal unmixed).
            ("批准号：CNCλ-R2002=026", Some("CNCA-R-2002-026")),
            ("NCA批准号:CNCx-R-2002-019", Some("CNCA-R-2002-019")),
            ("NCA批准号:CNCR-2002-019", Some("CNCA-R-2002-019")),
            ("批准号：CNCA-R-20602-107", None),
            ("官方网站(www.cnca.gov.cn)上查询", None),
        ] {
            assert_eq!(cnca_number(read).as_deref(), want, "{read}");
        }
    }

    /// From the generated accuracy corpus, 2026-11-28 (bb3a010): 本证书须于… under the table.
    #[test]
    fn surveillance_record_dates_leave_out_a_deadline_under_the_table() {
        let c = ctx_extract(&[
            "信息安全管理体系认证证书",
            "注册号16520IS16980R0L",
            "年度监督审核记录",
            "审核次数审核日期审核结论",
            "第一次监督2022年5月9日保持认证注册",
            "第二次监督 2023.04.22 保持认证注册",
            // The red notice read twice, the second time with 转换 garbled.
            "本证书须于2025年10月31日前完成向ISO/IEC 27001:2022的标准转换",
            "本证书须于2025年10月31日前完成向IS0/IEC27001:2022的标准转损",
            "This certificate shall be moved to ISO/IEC 27001:2022 by 31 October 2025",
        ]);
        assert_eq!(c.surveillance_audits, ["2022-05-09", "2023-04-22"]);
        assert!(is_transition_notice(
            "本证书须于2025年10月31日前完成向IS0/IEC27001:2022的标准转损"
        ));
        assert!(!is_transition_notice("第一次监督2022年5月9日保持认证注册"));
    }

    /// From the layouts certscan was first built for, 2026-11-27 (c7dec47).
    #[test]
    fn table_layout_bilingual_labels() {
        let c = ctx_extract(&[
            "信息技术服务管理体系认证证书",
            "证书编号 Certificate No.: 04625IT15304R1M",
            "组织名称 Organization: 北京星河数据科技有限公司",
            "统一社会信用代码：91371323760038087M",
            "注册地址：北京市海淀区中关村大街1号",
            "认证范围：向外部客户提供信息系统运维服务所涉及的事件管理、变更管理、",
            "配置管理和云服务管理",
            "认证标准：GB/T 24405.1-2019/ISO/IEC 20000-1:2018",
            "发证日期 Issue Date：2025年3月1日",
            "有效期至 Valid until：2028年2月29日",
            "认证机构：中国质量认证中心  CNCA-R-2002-001",
            "CNAS C001-M",
        ]);
        assert_eq!(c.certificate_number.as_deref(), Some("04625IT15304R1M"));
        assert_eq!(c.body_code.as_deref(), Some("04625I"));
        assert_eq!(
            c.organization_name.as_deref(),
            Some("北京星河数据科技有限公司")
        );
        assert_eq!(
            c.unified_social_credit_code.as_deref(),
            Some("91371323760038087M")
        );
        assert_eq!(c.standard.as_deref(), Some("ISO/IEC 20000-1:2018"));
        assert_eq!(c.issue_date.as_deref(), Some("2025-03-01"));
        assert_eq!(c.expiry_date.as_deref(), Some("2028-02-29"));
        assert_eq!(
            c.certification_body.name.as_deref(),
            Some("中国质量认证中心")
        );
        assert_eq!(
            c.certification_body.cnca_approval_number.as_deref(),
            Some("CNCA-R-2002-001")
        );
        assert_eq!(c.cnas.code.as_deref(), Some("CNAS C001-M"));
        assert_eq!(
            c.scope_processes,
            vec!["事件管理", "变更管理", "配置管理", "云服务管理"]
        );
        assert!(c
            .scope
            .as_deref()
            .unwrap()
            .ends_with("配置管理和云服务管理"));
    }

    /// From the layouts certscan was first built for, 2026-11-27 (c7dec47).
    #[test]
    fn centred_prose_layout_real_template() {
        let c = ctx_extract(&[
            "ISO/IEC 20000-1 管理体系认证证书",
            "证书号：00125IT0088R0S",
            "兹证明",
            "上海 云帆 信息 技术（集团）有限公司",
            "注册地址： 上海市浦东新区张江路 100 号",
            "信息技术服务管理体系符合",
            "ISO/IEC 20000-1:2018",
            "在证书有效期内获证组织按规定接受年度监督，本证书与(保持注册通知书)一并使用方可有效",
            "发证日期：2024.06.15",
            "有 效 期：2027.06.14",
        ]);
        assert_eq!(c.certificate_number.as_deref(), Some("00125IT0088R0S"));
        assert_eq!(
            c.organization_name.as_deref(),
            Some("上海云帆信息技术（集团）有限公司")
        );
        assert_eq!(c.issue_date.as_deref(), Some("2024-06-15"));
        assert_eq!(c.expiry_date.as_deref(), Some("2027-06-14"));
        assert!(c.surveillance_clause);
        assert!(!c.surveillance_section);
    }

    /// From the layouts certscan was first built for, 2026-11-27 (c7dec47).
    #[test]
    fn traditional_and_english_first() {
        let c = ctx_extract(&[
            "Information Security Management System Certificate",
            "Certificate Number: TW23ISMS0042R1M",
            "This is to certify that",
            "Formosa Cloud Services Co., Ltd.",
            "台灣雲端服務股份有限公司",
            "conforms to ISO/IEC 27001:2022",
            "Issue Date: March 1, 2025",
            "Expiry Date: 28 February 2028",
            "驗證機構：台灣檢驗科技股份有限公司",
        ]);
        assert_eq!(c.certificate_number.as_deref(), Some("TW23ISMS0042R1M"));
        assert_eq!(
            c.organization_name.as_deref(),
            Some("台灣雲端服務股份有限公司")
        );
        assert_eq!(
            c.organization_name_en.as_deref(),
            Some("Formosa Cloud Services Co., Ltd.")
        );
        assert_eq!(c.standard.as_deref(), Some("ISO/IEC 27001:2022"));
        assert_eq!(c.issue_date.as_deref(), Some("2025-03-01"));
        assert_eq!(c.expiry_date.as_deref(), Some("2028-02-28"));
        assert_eq!(
            c.certification_body.name.as_deref(),
            Some("台灣檢驗科技股份有限公司")
        );
    }

    /// From accuracy corpus certificate acc_0184, 2026-11-28 (6cc95c1): 中国建筑科学研究院 above "This is to certify that the".
    #[test]
    fn a_body_named_like_a_company_above_certify_that_the() {
        // acc_0184: the body's name (no 认证 in it) heads the page, and the
        // certify line ends in "the".
        let c = ctx_extract(&[
            "中国建筑科学研究院",
            "Information Technology Service Management System Certificate",
            "Registration No.: 14822ITS71035R1L/5607",
            "This is to certify that the",
            "Beijing Zhongke Computer System Co., Ltd.",
            "北京中科计算机系统有限公司",
            "Which is in conformity with",
            "ISO/IEC20000-1:2018",
        ]);
        assert_eq!(
            c.organization_name.as_deref(),
            Some("北京中科计算机系统有限公司")
        );
        assert_eq!(
            c.organization_name_en.as_deref(),
            Some("Beijing Zhongke Computer System Co., Ltd.")
        );
    }
}
