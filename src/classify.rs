//! Classify stage. Takes a page's text; hands on its kind ([`PageKind`]),
//! which groups pages into certificates. A certificate page starts a
//! certificate; annex pages (scope continuation, surveillance record) join the
//! certificate before them; surveillance notices and business licences are
//! recognised so that they are not mistaken for certificates.

use crate::text::to_simplified;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Certificate,
    /// Continuation of the certificate before it (scope annex, record page).
    Annex,
    /// 保持认证注册资格通知书: the yearly proof of surveillance.
    SurveillanceNotice,
    /// 营业执照.
    BusinessLicence,
    Other,
}

fn count(hay: &str, needles: &[&str]) -> usize {
    needles.iter().filter(|n| hay.contains(*n)).count()
}

/// Titles of the yearly surveillance notice.
const NOTICE_TITLES: &[&str] = &[
    "保持认证注册资格通知书",
    "保持认证资格通知书",
    "监督审核通知书",
];
/// Labels a business licence prints.
const LICENCE_LABELS: &[&str] = &[
    "法定代表人",
    "注册资本",
    "成立日期",
    "经营范围",
    "登记机关",
    "营业期限",
];
/// Management-system standards (a page naming one with an accreditation
/// standard is a certificate, not an accreditation).
const SYSTEM_STANDARDS: &[&str] = &["9001", "14001", "45001", "20000-1", "27001"];
/// Signals of a certificate page, Chinese (in the page without spaces) and
/// English (lower case, without spaces).
const NUMBER_LABELS: (&[&str], &[&str]) = (
    &[
        "证书编号",
        "证书号",
        "证书号码",
        "注册号",
        "注册编号",
        "证书注册号",
    ],
    &[
        "certificateno",
        "certificatenumber",
        "registrationno",
        "cert.no",
        "certno",
    ],
);
const TITLES: (&[&str], &[&str]) = (
    &["认证证书", "验证证书", "体系证书", "注册证书"],
    &[
        "certificateof",
        "systemcertificate",
        "certificateofregistration",
        "certificateofapproval",
    ],
);
const DATE_LABELS: (&[&str], &[&str]) = (
    &["发证日期", "颁证日期", "签发日期", "有效期", "到期日期"],
    &[
        "issuedate",
        "dateofissue",
        "validuntil",
        "expirydate",
        "validity",
        "expirationdate",
    ],
);
const CERTIFY: (&[&str], &[&str]) = (
    &["兹证明", "特此证明"],
    &["thisistocertify", "herebycertif", "thiscertifiesthat"],
);
const ORG_LABELS: (&[&str], &[&str]) = (
    &["组织名称", "获证组织", "企业名称", "单位名称"],
    &[
        "organizationname",
        "nameoforganization",
        "certifiedorganization",
    ],
);
/// Marks of a letter (a bidder's commitment), which counts against.
const LETTER: &[&str] = &[
    "承诺函",
    "此致",
    "投标人：",
    "投标人:",
    "致：",
    "致:",
    "承诺如下",
    "特此承诺",
];
/// A management-system standard named: ISO (OCR's "IS0" too), a national
/// twin, "管理体系" or Taiwan's "管理系统" (lower case), or a standard's number.
const STANDARD_WORDS: &[&str] = &[
    "iso",
    "is0",
    "gb/t",
    "管理体系",
    "管理系统",
    "ohsas",
    "managementsystem",
    "sistemadegesti",
    "managementu",
];
const STANDARD_NUMBERS: &[&str] = &[
    "9001", "14001", "45001", "20000-1", "27001", "22000", "50001", "18001",
];
const ANNEX_WORDS: (&[&str], &[&str]) = (
    &[
        "附件",
        "附页",
        "续页",
        "证书附件",
        "监督审核记录",
        "年度监督",
    ],
    &[
        "annex",
        "appendix",
        "continuation",
        "surveillanceauditrecord",
        "schedule",
    ],
);

/// A page's text three ways: simplified, without spaces, and that in lower
/// case.
struct PageWords {
    simplified: String,
    compact: String,
    lower: String,
}

impl PageWords {
    fn new(text: &str) -> PageWords {
        let simplified = to_simplified(text);
        let compact: String = simplified.chars().filter(|c| !c.is_whitespace()).collect();
        let lower = compact.to_lowercase();
        PageWords {
            simplified,
            compact,
            lower,
        }
    }

    /// Whether any of the Chinese words or the English ones is printed.
    fn any(&self, (zh, en): (&[&str], &[&str])) -> bool {
        count(&self.compact, zh) + count(&self.lower, en) > 0
    }
}

/// Classifies a page from its text (any script, any OCR quality).
pub fn classify(text: &str) -> PageKind {
    let w = PageWords::new(text);
    if NOTICE_TITLES.iter().any(|t| w.compact.contains(t)) {
        return PageKind::SurveillanceNotice;
    }
    if is_licence(&w) {
        return PageKind::BusinessLicence;
    }
    if is_accreditation(&w) {
        return PageKind::Other;
    }
    // Two signals with a standard: a garbled title or label must not lose a
    // certificate (triage errs towards reading).
    if certificate_signals(&w) >= 2 && names_a_standard(&w) {
        return PageKind::Certificate;
    }
    let c = &w.compact;
    if w.any(ANNEX_WORDS)
        && (c.contains("证书")
            || w.lower.contains("certificate")
            || c.contains("范围")
            || w.lower.contains("scope"))
    {
        return PageKind::Annex;
    }
    PageKind::Other
}

/// A licence by its title and a label, or by its labels alone: the title is
/// printed in red, which the red channel read for OCR drops.
fn is_licence(w: &PageWords) -> bool {
    let labels = count(&w.compact, LICENCE_LABELS);
    (w.compact.contains("营业执照") && (w.compact.contains("统一社会信用代码") || labels > 0))
        || labels >= 3
}

/// An accreditation (a laboratory's or a body's, ISO/IEC 17025, 17021,
/// 17020: 认可证书, CNAS L1234) is no management-system certificate.
fn is_accreditation(w: &PageWords) -> bool {
    let c = &w.compact;
    c.contains("认可证书")
        || c.contains("实验室认可")
        || ["17025", "17020", "17065"].iter().any(|k| c.contains(k))
            && !SYSTEM_STANDARDS.iter().any(|k| c.contains(k))
}

/// Signals of a certificate page, each counted once: a number label counts
/// double, a letter's marks count against. The label lexicon
/// (models/labels.toml) says the same in more wordings and languages
/// ("Holds Certificate No", "No. de registro", "CERTIFIKÁT").
fn certificate_signals(w: &PageWords) -> i32 {
    let lex = crate::labels::Lexicon::bundled();
    let has = |field: &str| lex.field(field).any.is_match(&w.simplified);
    let number_label = w.any(NUMBER_LABELS) || has("certificate_number");
    let title = w.any(TITLES) || has("certificate_title");
    let date_label =
        w.any(DATE_LABELS) || has("issue_date") || has("expiry_date") || has("initial_issue_date");
    let certify = w.any(CERTIFY) || has("certify");
    let org_label = w.any(ORG_LABELS);
    let letter = count(&w.compact, LETTER) > 0;
    2 * number_label as i32 + title as i32 + date_label as i32 + certify as i32 + org_label as i32
        - 2 * letter as i32
}

fn names_a_standard(w: &PageWords) -> bool {
    STANDARD_WORDS.iter().any(|k| w.lower.contains(k))
        || STANDARD_NUMBERS.iter().any(|k| w.compact.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            classify("信息技术服务管理体系认证证书\n证书编号：X\nISO/IEC 20000-1:2018"),
            PageKind::Certificate
        );
        assert_eq!(
            classify("資訊安全管理系統驗證證書\n證書編號：X\nISO/IEC 27001:2022"),
            PageKind::Certificate
        );
        // Taiwan's wording with the standard misread by OCR ("IS0").
        assert_eq!(
            classify("資訊技術服務管理系統驗證證書\n證書編號：X\n茲證明\nIS0/IEC20000-1:2018"),
            PageKind::Certificate
        );
        assert_eq!(classify("Management System Certificate\nCertificate No.: X\nThis is to certify that ISO 9001:2015"), PageKind::Certificate);
        // A licence whose red title the red channel dropped.
        assert_eq!(
            classify("统一社会信用代码 91370102MA3C\n名称 济南天融网络科技有限公司\n法定代表人 袁海燕\n注册资本 1000万元整\n成立日期 2018年4月26日\n经营范围 技术开发"),
            PageKind::BusinessLicence
        );
        assert_eq!(
            classify("保持认证注册资格通知书\n编号为X的证书继续有效"),
            PageKind::SurveillanceNotice
        );
        assert_eq!(
            classify("营业执照\n统一社会信用代码 91371323760038087M"),
            PageKind::BusinessLicence
        );
        assert_eq!(classify("证书附件\n认证范围：事件管理"), PageKind::Annex);
        assert_eq!(classify("投标函\n致：采购人"), PageKind::Other);
        // A letter that mentions certificates is no certificate.
        assert_eq!(
            classify("售后服务承诺函\n致:某省人民医院\n已取得ISO/IEC 20000-1:2018信息技术服务管理体系认证和ISO/IEC 27001:2022信息安全管理体系认证，证书均在有效期内。"),
            PageKind::Other
        );
    }
}
