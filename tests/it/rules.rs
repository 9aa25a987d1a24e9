//! End-to-end tests of the rulebook (SPEC §4, issue 4): every rule code fires on a
//! certificate generated to trigger it and stays silent on a near miss generated
//! not to, through the real binary.
//!
//! The certificates come from `scripts/gen_certs.py --spec` (each one described
//! field by field, everything else the generator's seeded random values). Most
//! are text-layer PDFs with an embedded TrueType font, so the tests assert the
//! rules, not OCR luck; two PNGs go through OCR (LOW_CONFIDENCE, and a scan and a
//! PDF of one certificate that are no duplicate). The whole corpus is generated
//! once and scanned with ONE run of the binary (`--registry` and `--manifest`
//! files written here); the other tests run the binary on a few of its files
//! with another rulebook, date, registry or output.
//!
//! Profiles (`certscan rules`): real-style numbers like `04625IT15304R1M` select
//! `cn_real_practice`; the seed's 17-character numbers (`CN00012025IT12345`)
//! fall to the standard's profile (`iso20000_seed`, `iso27001`). Each case says
//! which one it targets (`seed(..)` / `real(..)`).
//!
//! The last tests hold extraction cases found while writing these tests
//! (dates under the surveillance table, bilingual labels without a colon).

use crate::common;
use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

const AS_OF: &str = "2026-06-01";
const MODULES: [&str; 4] = ["组织环境", "服务组合管理", "数字化运维看板", "知识管理"];
const DATE_STYLES: [&str; 6] = ["cn", "iso", "dot", "cnnum", "slash", "cn0"];

/// Every code of SPEC §4.
const CODES: [&str; 16] = [
    "VALIDITY_OVER_3_YEARS",
    "NO_SURVEILLANCE_SECTION",
    "BODY_NOT_REGISTERED",
    "BODY_CODE_MISMATCH",
    "DUPLICATE_CERTIFICATE_NUMBER",
    "SCOPE_VAGUE",
    "EXPIRED",
    "STANDARD_TRANSITION_EXPIRED",
    "BODY_WITHDRAWN",
    "ORGANIZATION_MISMATCH",
    "MISSING_FIELD",
    "CERTIFICATE_NUMBER_FORMAT",
    "USCC_CHECKSUM",
    "SURVEILLANCE_OVERDUE",
    "LOW_CONFIDENCE",
    "SUPPLEMENTARY_MODULES_MISSING",
];

/// The fields LOW_CONFIDENCE looks at (models/rules.toml `[profile.low_confidence]`).
const RULE_FIELDS: [&str; 7] = [
    "certificate_number",
    "organization_name",
    "expiry_date",
    "decision_date",
    "issue_date",
    "certification_body.name",
    "certification_body.cnca_approval_number",
];

fn severity_rank(s: &str) -> u8 {
    match s {
        "valid" => 0,
        "limited" => 1,
        "needs_review" => 2,
        "invalid" => 3,
        "suspected_forgery" => 4,
        other => panic!("unknown severity {other}"),
    }
}

// ---------------------------------------------------------------------------
// Certificates described for the generator
// ---------------------------------------------------------------------------

/// One item of the generator's `--spec` list.
#[derive(Clone)]
struct Spec(Value);

impl Spec {
    /// A seed-profile ISO/IEC 20000-1:2018 certificate that passes every rule on
    /// 2026-06-01: 17-character number of body 001 (中国质量认证中心), decided
    /// and issued 2025-09-01 (under 12 months old: no surveillance audit due yet),
    /// valid 3 years - 1 day, the four modules, an (empty) surveillance record
    /// section, approval number, CNAS mark and code, auditor, no transition notice
    /// (no longer required after 2025-12-31).
    fn seed(file: &str) -> Spec {
        Spec(json!({
            "file": file,
            "number_style": "seed",
            "body_code": "001",
            "fields": {
                "standard": "ISO/IEC 20000-1:2018",
                "decision_date": "2025-09-01",
                "issue_date": "2025-09-01",
                "expiry_date": "2028-08-31",
                "supplementary_modules": MODULES,
                "surveillance_section": true,
                "surveillance_audits": [],
                "cnca_approval_number": "CNCA-R-2002-001",
                "cnas_code": "CNAS C001-M",
                "auditor_name": "王伟",
                "auditor_qualification_number": "2019-N1ITSMS-1012345",
                "transition_notice": false
            },
            "print": {}
        }))
    }

    /// A real-practice certificate (`cn_real_practice`, selected by its number,
    /// e.g. 04625IT67131R0L) of body 046 (北京海德国际认证有限公司) that passes
    /// every rule on 2026-06-01: no record section (the printed surveillance
    /// clause counts), no supplementary modules, auditor and approval number as
    /// the generator draws them (this profile requires neither).
    fn real(file: &str) -> Spec {
        Spec(json!({
            "file": file,
            "number_style": "real",
            "body_code": "046",
            "fields": {
                "standard": "ISO/IEC 20000-1:2018",
                "decision_date": "2025-09-01",
                "issue_date": "2025-09-01",
                "expiry_date": "2028-08-31",
                "supplementary_modules": [],
                "surveillance_section": false,
                "transition_notice": false
            },
            "print": {}
        }))
    }

    /// Sets a truth field (null: not printed).
    fn f(mut self, k: &str, v: Value) -> Spec {
        self.0["fields"][k] = v;
        self
    }

    /// Decided and issued on `decided`, valid until `expiry`.
    fn dates(self, decided: &str, expiry: &str) -> Spec {
        self.f("decision_date", json!(decided))
            .f("issue_date", json!(decided))
            .f("expiry_date", json!(expiry))
    }

    /// Sets a top-level key (body_code, kind, layout, tag, dpi, degrade...).
    fn set(mut self, k: &str, v: Value) -> Spec {
        self.0[k] = v;
        self
    }

    fn print(mut self, k: &str, v: Value) -> Spec {
        self.0["print"][k] = v;
        self
    }

    fn file(&self) -> &str {
        self.0["file"].as_str().unwrap()
    }
}

/// What a case expects of its line.
enum Expect {
    /// Exactly these codes (a multiset, any order) and this verdict.
    Exactly(&'static [&'static str], &'static str),
    /// At least these codes (OCR: other misreadings may add findings).
    Has(&'static [&'static str]),
    /// None of these codes (OCR near misses).
    Lacks(&'static [&'static str]),
}

struct Case {
    spec: Spec,
    expect: Expect,
    /// Codes this case is a near miss for (built close to firing them, but not).
    near_miss_for: &'static [&'static str],
    /// (code, text): a finding of that code whose message contains the text.
    messages: &'static [(&'static str, &'static str)],
}

fn case(spec: Spec, expect: Expect) -> Case {
    Case {
        spec,
        expect,
        near_miss_for: &[],
        messages: &[],
    }
}

impl Case {
    fn near(mut self, codes: &'static [&'static str]) -> Case {
        self.near_miss_for = codes;
        self
    }
    fn msg(mut self, m: &'static [(&'static str, &'static str)]) -> Case {
        self.messages = m;
        self
    }
}

use Expect::*;

const NONE: &[&str] = &[];

/// The main corpus: every code of SPEC §4 with a case that fires it and a near
/// miss that does not, in folder `main/`.
fn main_cases() -> Vec<Case> {
    let s = |f: &str| Spec::seed(&format!("main/{f}"));
    let r = |f: &str| Spec::real(&format!("main/{f}"));
    let unregistered = |sp: Spec| {
        sp.set("body_code", json!("999"))
            .f("certification_body_name", json!("某某未注册认证有限公司"))
            .f("cnca_approval_number", json!("CNCA-R-2099-999"))
    };
    // Registered in the test registry with the seed profile's 6-character code CN0777.
    let body777 = |sp: Spec| {
        sp.set("body_code", json!("777"))
            .f("certification_body_name", json!("某某测试认证有限公司"))
            .f("cnca_approval_number", json!("CNCA-R-2099-777"))
    };
    let same = |sp: Spec| {
        sp.set("tag", json!("same-certificate"))
            .f("certificate_number", json!("CN00012025IT66666"))
            .f("organization_name", json!("杭州汇智信息技术有限公司"))
            .f("unified_social_credit_code", json!("91371323760038087M"))
            .print("logo", json!(false))
            .print("date_style", json!("cn"))
    };
    vec![
        // Valid baselines, one per profile (and the seed one in a second layout).
        case(s("seed_valid.pdf"), Exactly(NONE, "valid")).near(&["BODY_WITHDRAWN"]),
        case(
            s("seed_valid_centred.pdf").set("layout", json!("centred")),
            Exactly(NONE, "valid"),
        ),
        case(r("real_valid.pdf"), Exactly(NONE, "valid")).near(&[
            "NO_SURVEILLANCE_SECTION",
            "SUPPLEMENTARY_MODULES_MISSING",
            "MISSING_FIELD",
        ]),
        // VALIDITY_OVER_3_YEARS: decision + 3 years exactly vs + 3 years 1 day.
        case(
            s("v3y_exact.pdf").f("expiry_date", json!("2028-09-01")),
            Exactly(NONE, "valid"),
        )
        .near(&["VALIDITY_OVER_3_YEARS"]),
        case(
            s("v3y_plus1.pdf").f("expiry_date", json!("2028-09-02")),
            Exactly(&["VALIDITY_OVER_3_YEARS"], "suspected_forgery"),
        )
        .msg(&[(
            "VALIDITY_OVER_3_YEARS",
            "3 years 1 day after the decision date 2025-09-01",
        )]),
        // No decision date printed: counted from the issue date.
        case(
            s("v3y_issue_plus1.pdf")
                .f("decision_date", Value::Null)
                .f("expiry_date", json!("2028-09-02")),
            Exactly(&["VALIDITY_OVER_3_YEARS"], "suspected_forgery"),
        )
        .msg(&[("VALIDITY_OVER_3_YEARS", "after the issue date 2025-09-01")]),
        case(
            r("v3y_real_plus1.pdf").f("expiry_date", json!("2028-09-02")),
            Exactly(&["VALIDITY_OVER_3_YEARS"], "suspected_forgery"),
        ),
        // NO_SURVEILLANCE_SECTION: the seed wants the record section, the clause
        // is not enough; real practice takes the clause (real_valid) but not nothing.
        case(
            s("nosurv_seed.pdf").f("surveillance_section", json!(false)),
            Exactly(&["NO_SURVEILLANCE_SECTION"], "suspected_forgery"),
        ),
        // Real practice: a certificate without a surveillance clause is
        // reviewed, not called a forgery (real clauses vary and some print
        // none; rulebook [profile.severity] of cn_real_practice).
        case(
            r("nosurv_real_noclause.pdf").print("clause", json!(false)),
            Exactly(&["NO_SURVEILLANCE_SECTION"], "needs_review"),
        ),
        // BODY_NOT_REGISTERED (by approval number, name and code: none known).
        case(
            unregistered(s("body_unreg.pdf")),
            Exactly(&["BODY_NOT_REGISTERED"], "suspected_forgery"),
        )
        .msg(&[("BODY_NOT_REGISTERED", "CNCA-R-2099-999")]),
        case(
            unregistered(r("body_unreg_real.pdf")),
            Exactly(&["BODY_NOT_REGISTERED"], "suspected_forgery"),
        )
        .msg(&[("BODY_NOT_REGISTERED", "body code 999")]),
        // BODY_CODE_MISMATCH: real practice (3-digit code) and the seed profile
        // (6-character code, against a registry listing CN0777).
        case(
            r("code_mismatch_real.pdf")
                .set("body_code", json!("001"))
                .f("certificate_number", json!("04625IT15304R1M")),
            Exactly(&["BODY_CODE_MISMATCH"], "suspected_forgery"),
        )
        .msg(&[("BODY_CODE_MISMATCH", "begins with body code 046")]),
        case(
            r("code_match_real.pdf")
                .set("body_code", json!("001"))
                .f("certificate_number", json!("00125IT15304R1M")),
            Exactly(NONE, "valid"),
        )
        .near(&["BODY_CODE_MISMATCH", "BODY_NOT_REGISTERED"]),
        case(
            body777(s("code_mismatch_seed.pdf"))
                .f("certificate_number", json!("CN07782025IT12345")),
            Exactly(&["BODY_CODE_MISMATCH"], "suspected_forgery"),
        )
        .msg(&[("BODY_CODE_MISMATCH", "the code CN0777")]),
        case(
            body777(s("code_match_seed.pdf")).f("certificate_number", json!("CN07772025IT12345")),
            Exactly(NONE, "valid"),
        )
        .near(&["BODY_CODE_MISMATCH", "BODY_NOT_REGISTERED"]),
        // DUPLICATE_CERTIFICATE_NUMBER: one number, two organisations...
        case(
            s("dup_a.pdf")
                .f("certificate_number", json!("CN00012025IT55555"))
                .f("organization_name", json!("北京星河数据科技有限公司")),
            Exactly(&["DUPLICATE_CERTIFICATE_NUMBER"], "suspected_forgery"),
        )
        .msg(&[("DUPLICATE_CERTIFICATE_NUMBER", "dup_b.pdf")]),
        case(
            s("dup_b.pdf")
                .f("certificate_number", json!("CN00012025IT55555"))
                .f("organization_name", json!("上海云帆软件股份有限公司")),
            Exactly(&["DUPLICATE_CERTIFICATE_NUMBER"], "suspected_forgery"),
        )
        .msg(&[("DUPLICATE_CERTIFICATE_NUMBER", "北京星河数据科技有限公司")]),
        // ... and a PDF and a 300-dpi scan of one certificate: no duplicate.
        case(same(s("same_pdf.pdf")), Exactly(NONE, "valid"))
            .near(&["DUPLICATE_CERTIFICATE_NUMBER"]),
        case(
            same(s("same_png.png")).set("kind", json!("png")),
            Lacks(&["DUPLICATE_CERTIFICATE_NUMBER", "LOW_CONFIDENCE"]),
        )
        .near(&["DUPLICATE_CERTIFICATE_NUMBER", "LOW_CONFIDENCE"]),
        // SCOPE_VAGUE.
        case(
            s("scope_vague.pdf").f("scope", json!("IT服务")),
            Exactly(&["SCOPE_VAGUE"], "invalid"),
        ),
        case(
            s("scope_vague_filler.pdf").f("scope", json!("为外部客户提供IT服务")),
            Exactly(&["SCOPE_VAGUE"], "invalid"),
        ),
        case(
            s("scope_process.pdf").f("scope", json!("为外部客户提供IT服务，涉及事件管理")),
            Exactly(NONE, "valid"),
        )
        .near(&["SCOPE_VAGUE"]),
        // A service but no process: vague for the seed (a process is required),
        // not for real practice (only a scope of vague phrases alone is).
        case(
            s("scope_noproc_seed.pdf").f("scope", json!("计算机信息系统集成的IT服务管理")),
            Exactly(&["SCOPE_VAGUE"], "invalid"),
        ),
        case(
            r("scope_noproc_real.pdf").f("scope", json!("计算机信息系统集成的IT服务管理")),
            Exactly(NONE, "valid"),
        )
        .near(&["SCOPE_VAGUE"]),
        case(
            r("scope_vague_real.pdf").f("scope", json!("IT服务")),
            Exactly(&["SCOPE_VAGUE"], "invalid"),
        ),
        // EXPIRED: expiry = as-of - 1 day vs expiry = as-of.
        case(
            s("exp_before.pdf").dates("2023-06-02", "2026-05-31"),
            Exactly(&["EXPIRED"], "invalid"),
        )
        .msg(&[("EXPIRED", "2026-05-31")]),
        case(
            s("exp_on.pdf")
                .dates("2023-06-01", "2026-06-01")
                .f("surveillance_audits", json!(["2024-05-20", "2025-06-10"])),
            Exactly(NONE, "valid"),
        )
        .near(&["EXPIRED", "VALIDITY_OVER_3_YEARS", "SURVEILLANCE_OVERDUE"]),
        // STANDARD_TRANSITION_EXPIRED, per profile: seed (2011 invalid from
        // 2026-01-01), real practice (from 2021-10-01), ISO/IEC 27001 (2013 from 2025-11-01).
        case(
            s("trans_2011.pdf")
                .f("standard", json!("ISO/IEC 20000-1:2011"))
                .f("supplementary_modules", json!([]))
                .f("transition_notice", json!(true)),
            Exactly(&["STANDARD_TRANSITION_EXPIRED"], "invalid"),
        )
        .near(&["SUPPLEMENTARY_MODULES_MISSING"])
        .msg(&[("STANDARD_TRANSITION_EXPIRED", "invalid from 2026-01-01")]),
        case(
            r("trans_2011_real.pdf").f("standard", json!("ISO/IEC 20000-1:2011")),
            Exactly(&["STANDARD_TRANSITION_EXPIRED"], "invalid"),
        )
        .msg(&[("STANDARD_TRANSITION_EXPIRED", "invalid from 2021-10-01")]),
        case(
            s("trans_27001_2013.pdf")
                .f("standard", json!("ISO/IEC 27001:2013"))
                .f("supplementary_modules", json!([])),
            Exactly(&["STANDARD_TRANSITION_EXPIRED"], "invalid"),
        )
        .msg(&[("STANDARD_TRANSITION_EXPIRED", "invalid from 2025-11-01")]),
        case(
            s("iso27001_2022.pdf")
                .f("standard", json!("ISO/IEC 27001:2022"))
                .f("supplementary_modules", json!([])),
            Exactly(NONE, "valid"),
        )
        .near(&[
            "STANDARD_TRANSITION_EXPIRED",
            "SUPPLEMENTARY_MODULES_MISSING",
        ]),
        // BODY_WITHDRAWN: the test registry lists 013 withdrawn and 015 suspended.
        case(
            s("withdrawn_seed.pdf")
                .set("body_code", json!("013"))
                .f("cnca_approval_number", json!("CNCA-R-2002-013"))
                .f("cnas_code", json!("CNAS C013-M")),
            Exactly(&["BODY_WITHDRAWN"], "invalid"),
        )
        .msg(&[("BODY_WITHDRAWN", "as withdrawn")]),
        case(
            r("suspended_real.pdf").set("body_code", json!("015")),
            Exactly(&["BODY_WITHDRAWN"], "invalid"),
        )
        .msg(&[("BODY_WITHDRAWN", "as suspended")]),
        // ORGANIZATION_MISMATCH: the manifest gives main/m/ to 杭州某某有限公司 and
        // main/m/ok/ (longer prefix, wins) to 上海云帆软件股份有限公司, spaced.
        case(
            s("m/org_other.pdf").f("organization_name", json!("北京星河数据科技有限公司")),
            Exactly(&["ORGANIZATION_MISMATCH"], "invalid"),
        )
        .msg(&[("ORGANIZATION_MISMATCH", "杭州某某有限公司")]),
        case(
            s("m/ok/org_same.pdf").f("organization_name", json!("上海云帆软件股份有限公司")),
            Exactly(NONE, "valid"),
        )
        .near(&["ORGANIZATION_MISMATCH"]),
        // MISSING_FIELD: one finding per field, the field named.
        case(
            s("miss_auditor.pdf")
                .f("auditor_name", Value::Null)
                .f("auditor_qualification_number", Value::Null),
            Exactly(&["MISSING_FIELD", "MISSING_FIELD"], "needs_review"),
        )
        .msg(&[
            ("MISSING_FIELD", "(field auditor.name)"),
            ("MISSING_FIELD", "(field auditor.qualification_number)"),
        ]),
        case(
            s("miss_cnca.pdf").f("cnca_approval_number", Value::Null),
            Exactly(&["MISSING_FIELD"], "needs_review"),
        )
        .msg(&[(
            "MISSING_FIELD",
            "(field certification_body.cnca_approval_number)",
        )]),
        case(
            s("miss_cnas.pdf").f("cnas_code", Value::Null),
            Exactly(&["MISSING_FIELD", "MISSING_FIELD"], "needs_review"),
        )
        .msg(&[
            ("MISSING_FIELD", "(field cnas.mark)"),
            ("MISSING_FIELD", "(field cnas.code)"),
        ]),
        case(
            s("miss_org.pdf").f("organization_name", Value::Null),
            Exactly(&["MISSING_FIELD"], "needs_review"),
        )
        .msg(&[("MISSING_FIELD", "(field organization_name)")]),
        case(
            s("miss_scope.pdf").f("scope", Value::Null),
            Exactly(&["MISSING_FIELD"], "needs_review"),
        )
        .msg(&[("MISSING_FIELD", "(field scope)")]),
        case(
            s("miss_dates.pdf")
                .f("decision_date", Value::Null)
                .f("issue_date", Value::Null)
                .f("expiry_date", Value::Null),
            Exactly(&["MISSING_FIELD", "MISSING_FIELD"], "needs_review"),
        )
        .msg(&[
            ("MISSING_FIELD", "(field expiry_date)"),
            ("MISSING_FIELD", "(field decision_or_issue_date)"),
        ]),
        // Near misses: the issue date stands in for the decision date; real
        // practice requires neither auditor, approval number nor CNAS code.
        case(
            s("miss_decision_ok.pdf").f("decision_date", Value::Null),
            Exactly(NONE, "valid"),
        )
        .near(&["MISSING_FIELD"]),
        case(
            r("miss_real_ok.pdf")
                .f("auditor_name", Value::Null)
                .f("auditor_qualification_number", Value::Null)
                .f("cnca_approval_number", Value::Null)
                .f("cnas_code", Value::Null),
            Exactly(NONE, "valid"),
        )
        .near(&["MISSING_FIELD"]),
        // CERTIFICATE_NUMBER_FORMAT: 16 and 18 characters vs 17 (every seed case).
        case(
            s("num16.pdf").f("certificate_number", json!("CN00012025IT1234")),
            Exactly(&["CERTIFICATE_NUMBER_FORMAT"], "needs_review"),
        )
        .msg(&[("CERTIFICATE_NUMBER_FORMAT", "16 characters")]),
        case(
            s("num18.pdf").f("certificate_number", json!("CN00012025IT123456")),
            Exactly(&["CERTIFICATE_NUMBER_FORMAT"], "needs_review"),
        )
        .msg(&[("CERTIFICATE_NUMBER_FORMAT", "18 characters")]),
        case(
            s("num17.pdf").f("certificate_number", json!("CN00012025IT12346")),
            Exactly(NONE, "valid"),
        )
        .near(&["CERTIFICATE_NUMBER_FORMAT"]),
        // USCC_CHECKSUM: 91371323760038087M is right (SPEC §2), ...N is not.
        case(
            s("uscc_bad.pdf").f("unified_social_credit_code", json!("91371323760038087N")),
            Exactly(&["USCC_CHECKSUM"], "needs_review"),
        )
        .msg(&[("USCC_CHECKSUM", "check character is 'M'")]),
        case(
            s("uscc_good.pdf").f("unified_social_credit_code", json!("91371323760038087M")),
            Exactly(NONE, "valid"),
        )
        .near(&["USCC_CHECKSUM"]),
        // SURVEILLANCE_OVERDUE: an audit needed in [2025-06-01, 2026-06-01].
        case(
            s("overdue_fire.pdf")
                .dates("2025-03-01", "2028-02-29")
                .f("surveillance_audits", json!(["2025-05-31"])),
            Exactly(&["SURVEILLANCE_OVERDUE"], "needs_review"),
        )
        .msg(&[("SURVEILLANCE_OVERDUE", "(2025-05-31) are outside it")]),
        case(
            s("overdue_window.pdf")
                .dates("2025-03-01", "2028-02-29")
                .f("surveillance_audits", json!(["2025-06-01"])),
            Exactly(NONE, "valid"),
        )
        .near(&["SURVEILLANCE_OVERDUE"]),
        // Age: exactly 12 months is not over; 12 months and a day is.
        case(
            s("overdue_12m.pdf").dates("2025-06-01", "2028-05-31"),
            Exactly(NONE, "valid"),
        )
        .near(&["SURVEILLANCE_OVERDUE"]),
        case(
            s("overdue_12m1d.pdf").dates("2025-05-31", "2028-05-30"),
            Exactly(&["SURVEILLANCE_OVERDUE"], "needs_review"),
        )
        .msg(&[("SURVEILLANCE_OVERDUE", "none is recorded")]),
        // Not raised with NO_SURVEILLANCE_SECTION (nor with EXPIRED: exp_before).
        case(
            s("overdue_nosection.pdf")
                .dates("2025-03-01", "2028-02-29")
                .f("surveillance_section", json!(false)),
            Exactly(&["NO_SURVEILLANCE_SECTION"], "suspected_forgery"),
        )
        .near(&["SURVEILLANCE_OVERDUE"]),
        // LOW_CONFIDENCE: a faint, noisy 200-dpi scan (OCR).
        case(
            s("lowconf.png")
                .set("kind", json!("png"))
                .set("dpi", json!(200))
                .set(
                    "degrade",
                    json!({"blur": 0.8, "noise": 18, "contrast": 0.6}),
                )
                .print("date_style", json!("cn"))
                .f("certificate_number", json!("CN00012025IT77777"))
                .f("unified_social_credit_code", json!("91371323760038087M")),
            // PP-OCR reads even this page confidently (its least certain
            // character over 0.6 in every rule field): the rule's firing is
            // checked with a stricter threshold in edited_rulebook_changes_the_verdict.
            Has(&[]),
        ),
        // SUPPLEMENTARY_MODULES_MISSING (ISO/IEC 20000-1:2018, seed profile only).
        case(
            s("mods_missing.pdf").f(
                "supplementary_modules",
                json!(["组织环境", "服务组合管理", "知识管理"]),
            ),
            Exactly(&["SUPPLEMENTARY_MODULES_MISSING"], "limited"),
        )
        .msg(&[(
            "SUPPLEMENTARY_MODULES_MISSING",
            "module 数字化运维看板 is not listed",
        )]),
        case(
            s("mods_none.pdf").f("supplementary_modules", json!([])),
            Exactly(&["SUPPLEMENTARY_MODULES_MISSING"], "limited"),
        ),
        // The verdict is the gravest severity.
        case(
            s("order_inv_nr.pdf")
                .dates("2023-06-02", "2026-05-31")
                .f("unified_social_credit_code", json!("91371323760038087N")),
            Exactly(&["EXPIRED", "USCC_CHECKSUM"], "invalid"),
        ),
        case(
            s("order_nr_lim.pdf")
                .f("supplementary_modules", json!([]))
                .f("unified_social_credit_code", json!("91371323760038087N")),
            Exactly(
                &["SUPPLEMENTARY_MODULES_MISSING", "USCC_CHECKSUM"],
                "needs_review",
            ),
        ),
        case(
            s("order_all.pdf")
                .f("expiry_date", json!("2028-09-02"))
                .f("scope", json!("IT服务"))
                .f("unified_social_credit_code", json!("91371323760038087N"))
                .f("supplementary_modules", json!(["组织环境"])),
            Exactly(
                &[
                    "VALIDITY_OVER_3_YEARS",
                    "SCOPE_VAGUE",
                    "USCC_CHECKSUM",
                    "SUPPLEMENTARY_MODULES_MISSING",
                ],
                "suspected_forgery",
            ),
        ),
    ]
}

/// Two certificates with one number for two organisations, in two folders
/// scanned by two runs into one output (resume).
fn resume_cases() -> Vec<Spec> {
    vec![
        Spec::seed("resA/res_a.pdf")
            .f("certificate_number", json!("CN00012025IT88888"))
            .f("organization_name", json!("南京博远软件有限公司")),
        Spec::seed("resB/res_b.pdf")
            .f("certificate_number", json!("CN00012025IT88888"))
            .f("organization_name", json!("成都天融信息系统股份有限公司")),
    ]
}

// ---------------------------------------------------------------------------
// Corpus, registry, manifest and the main run
// ---------------------------------------------------------------------------

struct Corpus {
    root: PathBuf,
    cases: Vec<Case>,
    /// truth.jsonl records by file.
    truth: HashMap<String, Value>,
    registry: PathBuf,
    manifest: PathBuf,
}

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("certscan-test-{}-rules", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let gen = root.join("gen");
        let mut cases = main_cases();
        // Date styles rotate over the cases (all of them read exactly from a text layer).
        for (i, c) in cases.iter_mut().enumerate() {
            if c.spec.0["print"].get("date_style").is_none() {
                c.spec.0["print"]["date_style"] = json!(DATE_STYLES[i % DATE_STYLES.len()]);
            }
        }
        let mut items: Vec<Value> = cases.iter().map(|c| c.spec.0.clone()).collect();
        items.extend(resume_cases().into_iter().map(|s| s.0));
        let truth = generate(&gen, &items);
        let registry = root.join("registry.csv");
        std::fs::write(&registry, test_registry()).unwrap();
        let manifest = root.join("manifest.csv");
        let m = gen.join("main/m");
        std::fs::write(
            &manifest,
            format!(
                "path_prefix,organization_name\n{}/,杭州某某有限公司\n{}/ok/,上海 云帆软件 股份有限公司\n",
                m.display(),
                m.display()
            ),
        )
        .unwrap();
        Corpus {
            root: gen,
            cases,
            truth,
            registry,
            manifest,
        }
    })
}

/// `path` with `suffix` appended to its name ("gen" -> "gen.spec.json").
fn beside(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Runs `gen_certs.py --spec` into `dir`; moves truth.jsonl out of it (so that a
/// scan of the folder sees certificates only) and returns its records by file.
fn generate(dir: &Path, items: &[Value]) -> HashMap<String, Value> {
    let spec = beside(dir, ".spec.json");
    std::fs::write(&spec, serde_json::to_string_pretty(items).unwrap()).unwrap();
    let o = std::process::Command::new("python3")
        .arg(root().join("scripts/gen_certs.py"))
        .args(["--out", dir.to_str().unwrap(), "--seed", "11", "--spec"])
        .arg(&spec)
        .output()
        .expect("python3 runs the generator");
    assert!(
        o.status.success(),
        "generator failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let truth_path = beside(dir, ".truth.jsonl");
    std::fs::rename(dir.join("truth.jsonl"), &truth_path).unwrap();
    std::fs::read_to_string(&truth_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["file"].as_str().unwrap().to_string(), v))
        .collect()
}

/// The bundled registry with 013 withdrawn, 015 suspended, and a body listed
/// under the seed profile's 6-character code (CN0777).
fn test_registry() -> String {
    let bundled = std::fs::read_to_string(root().join("models/registry.csv")).unwrap();
    let mut out = String::new();
    for line in bundled.lines() {
        let line = line.trim_end_matches('\r');
        let line = match line.split(',').next() {
            Some("013") => line.replace(",active", ",withdrawn"),
            Some("015") => line.replace(",active", ",suspended"),
            _ => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("CN0777,某某测试认证有限公司,,CNCA-R-2099-777,,active\n");
    assert!(
        out.contains(",CNCA-R-2002-013,,withdrawn\n")
            && out.contains(",CNCA-R-2002-015,,suspended\n"),
        "models/registry.csv no longer lists 013 and 015 as this test expects"
    );
    out
}

/// `certscan scan INPUTS --out OUT --as-of .. -j 2 --quiet EXTRA`; panics on failure.
fn scan(inputs: &[PathBuf], out: &Path, as_of: &str, extra: &[&str]) -> Output {
    let o = try_scan(inputs, out, as_of, extra);
    assert!(
        o.status.success(),
        "certscan exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn try_scan(inputs: &[PathBuf], out: &Path, as_of: &str, extra: &[&str]) -> Output {
    bin()
        .arg("scan")
        .args(inputs)
        .args([
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            as_of,
            "-j",
            "2",
            "--quiet",
        ])
        .args(extra)
        .output()
        .expect("certscan runs")
}

/// Output lines by file (relative to `base`).
fn by_file(out: &Path, base: &Path) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    for l in lines(out) {
        assert_line_shape(&l);
        let input = l["input"].as_str().unwrap();
        let rel = input
            .strip_prefix(&format!("{}/", base.display()))
            .unwrap_or(input)
            .to_string();
        assert!(
            m.insert(rel.clone(), l).is_none(),
            "two lines for {rel} in {}",
            out.display()
        );
    }
    m
}

fn codes(line: &Value) -> Vec<String> {
    let mut v: Vec<String> = line["validation"]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn verdict(line: &Value) -> &str {
    line["validation"]["verdict"].as_str().unwrap_or("(none)")
}

fn messages<'a>(line: &'a Value, code: &str) -> Vec<&'a str> {
    line["validation"]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["code"] == code)
                .map(|f| f["message"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// Findings of a line, one per row, for failure reports.
fn explain(line: &Value) -> String {
    let mut s = format!("verdict {}", verdict(line));
    for f in line["validation"]["findings"]
        .as_array()
        .into_iter()
        .flatten()
    {
        s.push_str(&format!(
            "\n        {} [{}] {}",
            f["code"].as_str().unwrap_or(""),
            f["severity"].as_str().unwrap_or(""),
            f["message"].as_str().unwrap_or("")
        ));
    }
    s
}

/// The ONE run of the binary over the whole main corpus.
fn main_run() -> &'static BTreeMap<String, Value> {
    static R: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    R.get_or_init(|| {
        let c = corpus();
        let out = beside(&c.root, ".main.jsonl");
        let _ = std::fs::remove_file(&out);
        scan(
            &[c.root.join("main")],
            &out,
            AS_OF,
            &[
                "--registry",
                c.registry.to_str().unwrap(),
                "--manifest",
                c.manifest.to_str().unwrap(),
            ],
        );
        by_file(&out, &c.root)
    })
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// Every code of SPEC §4 fires on the certificates built to trigger it, and on
/// nothing built not to: each line carries exactly the expected findings.
#[test]
fn every_code_fires_on_its_certificate_and_not_on_near_misses() {
    let c = corpus();
    let got = main_run();
    let mut bad = Vec::new();
    let mut table = Vec::new();
    for case in &c.cases {
        let file = case.spec.file();
        let Some(line) = got.get(file) else {
            bad.push(format!("{file}: no line in the output"));
            continue;
        };
        if line["status"] != "certificate" {
            bad.push(format!(
                "{file}: status {} {}",
                line["status"], line["error"]
            ));
            continue;
        }
        let have = codes(line);
        let ok = match &case.expect {
            Exactly(want, v) => {
                let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
                want.sort();
                have == want && verdict(line) == *v
            }
            Has(want) => want.iter().all(|w| have.iter().any(|h| h == w)),
            Lacks(not) => not.iter().all(|n| !have.iter().any(|h| h == n)),
        };
        let mut why = String::new();
        if !ok {
            why = match &case.expect {
                Exactly(w, v) => format!("expected exactly {w:?} ({v})"),
                Has(w) => format!("expected at least {w:?}"),
                Lacks(n) => format!("expected none of {n:?}"),
            };
        }
        for (code, text) in case.messages {
            if !messages(line, code).iter().any(|m| m.contains(text)) {
                why.push_str(&format!("; no {code} message containing {text:?}"));
            }
        }
        table.push(format!(
            "{:<4} {:<32} {:<18} {:?}",
            if why.is_empty() { "ok" } else { "FAIL" },
            file.trim_start_matches("main/"),
            verdict(line),
            have
        ));
        if !why.is_empty() {
            let t = &c.truth[file]["certificates"][0]["fields"];
            bad.push(format!(
                "{file}: {why}\n    got {}\n    generated: number {} organisation {} decision {} issue {} expiry {}",
                explain(line),
                t["certificate_number"],
                t["organization_name"],
                t["decision_date"],
                t["issue_date"],
                t["expiry_date"]
            ));
        }
    }
    eprintln!("rule cases (as of {AS_OF}):\n{}", table.join("\n"));
    // Coverage: every code has a case that fires it and a near miss.
    for code in CODES {
        let fires = c.cases.iter().any(|k| match &k.expect {
            Exactly(w, _) | Has(w) => w.contains(&code),
            Lacks(_) => false,
        });
        let near = c.cases.iter().any(|k| k.near_miss_for.contains(&code));
        // LOW_CONFIDENCE fires under a stricter threshold in
        // edited_rulebook_changes_the_verdict (PP-OCR reads the faint scan
        // confidently at the bundled one).
        let elsewhere = code == "LOW_CONFIDENCE";
        if !elsewhere && (!fires || !near) {
            bad.push(format!(
                "{code}: the corpus lacks a case that {}",
                if fires { "nearly fires it" } else { "fires it" }
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} problems:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The generator's truth matches what certscan read on the text-layer cases:
/// the rules above were given the values the cases were built with.
#[test]
fn text_layer_cases_are_read_as_built() {
    let c = corpus();
    let got = main_run();
    let mut bad = Vec::new();
    for case in &c.cases {
        let file = case.spec.file();
        if !file.ends_with(".pdf") {
            continue;
        }
        let (Some(line), Some(t)) = (got.get(file), c.truth.get(file)) else {
            continue;
        };
        let t = &t["certificates"][0]["fields"];
        let g = &line["certificate"];
        for (k, ptr) in [
            ("certificate_number", "/certificate_number"),
            ("organization_name", "/organization_name"),
            ("unified_social_credit_code", "/unified_social_credit_code"),
            ("standard", "/standard"),
            ("decision_date", "/decision_date"),
            ("issue_date", "/issue_date"),
            ("expiry_date", "/expiry_date"),
            ("surveillance_section", "/surveillance_section"),
            ("surveillance_audits", "/surveillance_audits"),
            ("supplementary_modules", "/supplementary_modules"),
            ("certification_body_name", "/certification_body/name"),
            ("auditor_name", "/auditor/name"),
        ] {
            // The centred layout prints dates below its surveillance section, the
            // table layout a transition notice with its deadline, which the extractor
            // takes for audits (bug_dates_after_the_surveillance_section_are_not_audits).
            if k == "surveillance_audits"
                && (case.spec.0["layout"] == "centred" || t["transition_notice"] == true)
            {
                continue;
            }
            let want = &t[k];
            let have = g.pointer(ptr).unwrap_or(&Value::Null);
            if want != have {
                bad.push(format!("{file} {k}: built {want}, read {have}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The verdict is the gravest severity of the findings on every line
/// (suspected_forgery > invalid > needs_review > limited > valid).
#[test]
fn verdict_is_the_gravest_severity() {
    let got = main_run();
    assert_eq!(verdict(&got["main/order_inv_nr.pdf"]), "invalid");
    assert_eq!(verdict(&got["main/order_nr_lim.pdf"]), "needs_review");
    assert_eq!(verdict(&got["main/order_all.pdf"]), "suspected_forgery");
    for (file, line) in got {
        let worst = line["validation"]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| severity_rank(f["severity"].as_str().unwrap()))
            .max()
            .unwrap_or(0);
        assert_eq!(
            severity_rank(verdict(line)),
            worst,
            "{file}: {}",
            explain(line)
        );
        // Findings are listed gravest first.
        let ranks: Vec<u8> = line["validation"]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| severity_rank(f["severity"].as_str().unwrap()))
            .collect();
        assert!(
            ranks.windows(2).all(|w| w[0] >= w[1]),
            "{file}: {}",
            explain(line)
        );
    }
}

/// A PDF and a 300-dpi scan of one certificate carry one number for one
/// organisation: no duplicate (and the scan was read right, so the check means
/// something).
#[test]
fn pdf_and_scan_of_one_certificate_are_no_duplicate() {
    let got = main_run();
    let pdf = &got["main/same_pdf.pdf"]["certificate"];
    let png = &got["main/same_png.png"];
    assert_eq!(png["text_source"], "ocr");
    assert_eq!(
        png["certificate"]["certificate_number"],
        pdf["certificate_number"]
    );
    assert_eq!(
        png["certificate"]["organization_name"],
        pdf["organization_name"]
    );
    for f in ["main/same_pdf.pdf", "main/same_png.png"] {
        assert!(
            !codes(&got[f]).contains(&"DUPLICATE_CERTIFICATE_NUMBER".to_string()),
            "{f}: {}",
            explain(&got[f])
        );
    }
    // LOW_CONFIDENCE names fields its rule depends on, on OCR text only.
    let low = &got["main/lowconf.png"];
    assert_eq!(low["text_source"], "ocr");
    for m in messages(low, "LOW_CONFIDENCE") {
        assert!(
            RULE_FIELDS.iter().any(|f| m.starts_with(f)),
            "LOW_CONFIDENCE on a field no rule depends on: {m}"
        );
    }
    for (file, line) in got {
        if line["text_source"] == "text_layer" {
            assert!(
                !codes(line).contains(&"LOW_CONFIDENCE".to_string()),
                "{file}"
            );
        }
    }
}

/// `--rules FILE`: an edited copy of models/rules.toml changes the verdict
/// without recompiling; `certscan rules --rules FILE` prints it.
#[test]
fn edited_rulebook_changes_the_verdict() {
    let c = corpus();
    let bundled = std::fs::read_to_string(root().join("models/rules.toml")).unwrap();
    let main = c.root.join("main");
    let run = |name: &str, src: String, files: &[&str]| {
        let rules = beside(&c.root, &format!(".{name}.toml"));
        std::fs::write(&rules, src).unwrap();
        let out = beside(&c.root, &format!(".{name}.jsonl"));
        let _ = std::fs::remove_file(&out);
        let inputs: Vec<PathBuf> = files.iter().map(|f| main.join(f)).collect();
        scan(
            &inputs,
            &out,
            AS_OF,
            &[
                "--rules",
                rules.to_str().unwrap(),
                "--registry",
                c.registry.to_str().unwrap(),
            ],
        );
        (rules, by_file(&out, &main))
    };

    // 1. SUPPLEMENTARY_MODULES_MISSING limited -> needs_review; and the select
    //    rule switched off: real numbers fall to the seed profile.
    let edited = bundled
        .replacen(
            "SUPPLEMENTARY_MODULES_MISSING = \"limited\"",
            "SUPPLEMENTARY_MODULES_MISSING = \"needs_review\"",
            1,
        )
        .replacen(
            "profile = \"cn_real_practice\"\nenabled = true",
            "profile = \"cn_real_practice\"\nenabled = false",
            1,
        );
    assert_ne!(edited, bundled);
    assert!(edited.contains("enabled = false"), "select rule not found");
    let (rules, got) = run(
        "rules-severity",
        edited,
        &["mods_missing.pdf", "real_valid.pdf", "seed_valid.pdf"],
    );
    let m = &got["mods_missing.pdf"];
    assert_eq!(
        codes(m),
        ["SUPPLEMENTARY_MODULES_MISSING"],
        "{}",
        explain(m)
    );
    assert_eq!(verdict(m), "needs_review", "{}", explain(m));
    assert_eq!(
        m["validation"]["findings"][0]["severity"],
        "needs_review",
        "{}",
        explain(m)
    );
    let r = &got["real_valid.pdf"];
    for code in [
        "CERTIFICATE_NUMBER_FORMAT",
        "NO_SURVEILLANCE_SECTION",
        "SUPPLEMENTARY_MODULES_MISSING",
    ] {
        assert!(
            codes(r).contains(&code.to_string()),
            "{code}: {}",
            explain(r)
        );
    }
    assert!(
        messages(r, "CERTIFICATE_NUMBER_FORMAT")[0].contains("iso20000_seed"),
        "{}",
        explain(r)
    );
    assert_eq!(verdict(&got["seed_valid.pdf"]), "valid");
    let o = bin()
        .args(["rules", "--rules", rules.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("SUPPLEMENTARY_MODULES_MISSING") && l.contains("needs_review")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("cn_real_practice when the number matches")
                && l.contains("(disabled)")),
        "{text}"
    );

    // 2. The seed profile's validity 3 -> 2 years: the valid seed certificate
    //    (2025-09-01 to 2028-08-31) is now too long; real practice keeps 3 years.
    let edited = bundled.replacen("max_years = 3", "max_years = 2", 1);
    let (_, got) = run(
        "rules-validity",
        edited,
        &["seed_valid.pdf", "real_valid.pdf"],
    );
    let s = &got["seed_valid.pdf"];
    assert_eq!(codes(s), ["VALIDITY_OVER_3_YEARS"], "{}", explain(s));
    assert_eq!(verdict(s), "suspected_forgery");
    assert!(messages(s, "VALIDITY_OVER_3_YEARS")[0].contains("2 years"));
    assert_eq!(verdict(&got["real_valid.pdf"]), "valid");

    // 3. LOW_CONFIDENCE under a stricter threshold: the faint noisy scan has
    //    rule fields read below 99.5, and the findings name only those fields.
    let edited = bundled.replace("below = 50", "below = 99.5");
    assert_ne!(edited, bundled, "LOW_CONFIDENCE threshold not found");
    let (_, got) = run("rules-lowconf", edited, &["lowconf.png", "seed_valid.pdf"]);
    let low = &got["lowconf.png"];
    assert!(
        codes(low).contains(&"LOW_CONFIDENCE".to_string()),
        "{}",
        explain(low)
    );
    for m in messages(low, "LOW_CONFIDENCE") {
        assert!(RULE_FIELDS.iter().any(|f| m.starts_with(f)), "{m}");
    }
    // A text layer is never of low confidence.
    assert!(!codes(&got["seed_valid.pdf"]).contains(&"LOW_CONFIDENCE".to_string()));
}

/// `certscan rules` prints the bundled rulebook: every code and the profile selection.
#[test]
fn rules_command_prints_profiles_and_codes() {
    let o = bin().arg("rules").output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for code in CODES {
        assert!(text.contains(code), "{code} missing from `certscan rules`");
    }
    for p in ["iso20000_seed", "iso27001", "cn_real_practice"] {
        assert!(text.contains(&format!("profile {p}")), "{p}: {text}");
    }
    assert!(text.contains("cn_real_practice when the number matches"));
}

/// `--as-of`: the time-dependent rules move with the date.
#[test]
fn as_of_date_moves_the_time_dependent_rules() {
    let c = corpus();
    let main = c.root.join("main");
    let out = beside(&c.root, ".asof.jsonl");
    let _ = std::fs::remove_file(&out);
    let inputs: Vec<PathBuf> = ["trans_2011.pdf", "exp_before.pdf", "overdue_fire.pdf"]
        .iter()
        .map(|f| main.join(f))
        .collect();
    scan(
        &inputs,
        &out,
        "2025-12-31",
        &["--registry", c.registry.to_str().unwrap()],
    );
    let got = by_file(&out, &main);
    // The 2011 version is still valid on its last day; its transition notice is printed.
    let t = &got["trans_2011.pdf"];
    assert_eq!(codes(t), Vec::<String>::new(), "{}", explain(t));
    // Not expired yet, so SURVEILLANCE_OVERDUE is no longer suppressed (decided
    // 2023-06-02, no audit recorded); the transition notice is still required.
    let e = &got["exp_before.pdf"];
    assert_eq!(
        codes(e),
        ["MISSING_FIELD", "SURVEILLANCE_OVERDUE"],
        "{}",
        explain(e)
    );
    assert!(messages(e, "MISSING_FIELD")[0].contains("transition_notice"));
    // Decided 2025-03-01: only 10 months old on 2025-12-31.
    let s = &got["overdue_fire.pdf"];
    assert_eq!(codes(s), ["MISSING_FIELD"], "{}", explain(s));
}

/// Without `--registry` the bundled snapshot applies (013 active there), and
/// without `--manifest` no organisation is expected.
#[test]
fn registry_and_manifest_files_change_the_verdict() {
    let c = corpus();
    let main = c.root.join("main");
    let out = beside(&c.root, ".bundled.jsonl");
    let _ = std::fs::remove_file(&out);
    let inputs: Vec<PathBuf> = [
        "withdrawn_seed.pdf",
        "m/org_other.pdf",
        "body_unreg.pdf",
        "code_match_seed.pdf",
    ]
    .iter()
    .map(|f| main.join(f))
    .collect();
    scan(&inputs, &out, AS_OF, &[]);
    let got = by_file(&out, &main);
    for f in ["withdrawn_seed.pdf", "m/org_other.pdf"] {
        assert_eq!(verdict(&got[f]), "valid", "{f}: {}", explain(&got[f]));
    }
    // The bundled snapshot does not know these bodies either.
    for f in ["body_unreg.pdf", "code_match_seed.pdf"] {
        assert_eq!(
            codes(&got[f]),
            ["BODY_NOT_REGISTERED"],
            "{f}: {}",
            explain(&got[f])
        );
    }
}

/// A broken rulebook, registry or manifest stops the run before any work, with
/// the file and line in the message.
#[test]
fn broken_data_files_are_refused_with_their_line() {
    let c = corpus();
    let input = [c.root.join("main/seed_valid.pdf")];
    let bundled = std::fs::read_to_string(root().join("models/rules.toml")).unwrap();
    let line_of = |text: &str, needle: &str| {
        text.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("{needle} not in the file"))
    };
    let dir = beside(&c.root, ".broken");
    std::fs::create_dir_all(&dir).unwrap();
    let mut cases: Vec<(&str, PathBuf, usize)> = Vec::new();
    // Rulebook: a number where a string is due, an unknown severity, a bad regex.
    for (name, from, to) in [
        ("type", "max_years = 3", "max_years = \"three\""),
        (
            "severity",
            "SCOPE_VAGUE = \"invalid\"",
            "SCOPE_VAGUE = \"severe\"",
        ),
        ("regex", "number_matches = '", "number_matches = '^(\\d{3}"),
    ] {
        let edited = if name == "regex" {
            let l = line_of(&bundled, "number_matches = ");
            bundled
                .lines()
                .enumerate()
                .map(|(i, s)| {
                    if i + 1 == l {
                        "number_matches = '^(\\d{3}'".to_string()
                    } else {
                        s.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            bundled.replacen(from, to, 1)
        };
        let p = dir.join(format!("rules-{name}.toml"));
        std::fs::write(&p, &edited).unwrap();
        cases.push(("--rules", p, line_of(&edited, to)));
    }
    // Registry: a status that is none of active / suspended / withdrawn on line 3.
    let p = dir.join("registry.csv");
    std::fs::write(
        &p,
        "body_code,name_zh,name_en,cnca_approval_number,cnas_code,status\n\
         001,中国质量认证中心,,CNCA-R-2002-001,,active\n\
         002,方圆标志认证集团有限公司,,CNCA-R-2002-002,,gone\n",
    )
    .unwrap();
    cases.push(("--registry", p, 3));
    // Manifest: three fields on line 3.
    let p = dir.join("manifest.csv");
    std::fs::write(
        &p,
        "path_prefix,organization_name\nbids/,甲公司\nbids/acme/,乙公司,多余\n",
    )
    .unwrap();
    cases.push(("--manifest", p, 3));
    for (opt, file, line) in cases {
        let out = dir.join("out.jsonl");
        let _ = std::fs::remove_file(&out);
        let o = try_scan(&input, &out, AS_OF, &[opt, file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{opt} {}: accepted", file.display());
        assert!(
            err.contains(&file.display().to_string()) && err.contains(&format!("line {line}")),
            "{opt} {}: stderr does not name the file and line {line}: {err}",
            file.display()
        );
        assert!(!out.exists(), "{opt}: output written despite the error");
    }
}

/// DUPLICATE_CERTIFICATE_NUMBER across a resumed run: folder A into OUT, then
/// folder B (the other organisation's certificate) into the same OUT; the end of
/// the second run adds the finding to both lines. A third run (nothing new)
/// changes nothing.
#[test]
fn duplicate_across_a_resumed_run() {
    let c = corpus();
    let out = beside(&c.root, ".resume.jsonl");
    let _ = std::fs::remove_file(&out);
    const DUP: &str = "DUPLICATE_CERTIFICATE_NUMBER";
    let extra = ["--registry", c.registry.to_str().unwrap()];
    scan(&[c.root.join("resA")], &out, AS_OF, &extra);
    let first = by_file(&out, &c.root);
    assert_eq!(first.len(), 1);
    assert_eq!(
        codes(&first["resA/res_a.pdf"]),
        Vec::<String>::new(),
        "{}",
        explain(&first["resA/res_a.pdf"])
    );
    scan(&[c.root.join("resB")], &out, AS_OF, &extra);
    let second = by_file(&out, &c.root);
    assert_eq!(second.len(), 2, "{second:?}");
    for (f, other) in [
        ("resA/res_a.pdf", "成都天融信息系统股份有限公司"),
        ("resB/res_b.pdf", "南京博远软件有限公司"),
    ] {
        let l = &second[f];
        assert_eq!(codes(l), [DUP], "{f}: {}", explain(l));
        assert_eq!(verdict(l), "suspected_forgery");
        assert!(messages(l, DUP)[0].contains(other), "{f}: {}", explain(l));
    }
    // Resumed again with both folders: nothing new, nothing lost, no line twice.
    scan(
        &[c.root.join("resA"), c.root.join("resB")],
        &out,
        AS_OF,
        &extra,
    );
    let third = by_file(&out, &c.root);
    assert_eq!(third, second);
}

// ---------------------------------------------------------------------------
// Extraction cases found while writing these tests (bugs, now fixed)
// ---------------------------------------------------------------------------

/// Scans a few extra specs (folder `name/`) and returns their lines by file.
fn scan_extra(name: &str, specs: Vec<Spec>) -> BTreeMap<String, Value> {
    let c = corpus();
    let dir = beside(&c.root, &format!("-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let items: Vec<Value> = specs.into_iter().map(|s| s.0).collect();
    generate(&dir, &items);
    let out = beside(&dir, ".jsonl");
    let _ = std::fs::remove_file(&out);
    scan(
        std::slice::from_ref(&dir),
        &out,
        AS_OF,
        &["--registry", c.registry.to_str().unwrap()],
    );
    by_file(&out, &dir)
}

/// BUG (src/extract.rs `surveillance_dates`): every date printed after the
/// "年度监督审核记录" heading counts as a surveillance audit — the transition
/// deadline (本证书须于2025年12月31日前完成标准转换) printed under the table,
/// and in the centred layout the issue / expiry dates printed below it. An
/// overdue certificate then looks audited and SURVEILLANCE_OVERDUE is not raised.
#[test]
fn dates_after_the_surveillance_section_are_not_audits() {
    let got = scan_extra(
        "bug-surveillance",
        vec![
            Spec::seed("notice.pdf")
                .dates("2025-03-01", "2028-02-29")
                .f("surveillance_audits", json!(["2025-05-31"]))
                .f("transition_notice", json!(true)),
            Spec::seed("centred.pdf")
                .set("layout", json!("centred"))
                .f("decision_date", json!("2025-03-01"))
                .f("issue_date", json!("2025-06-15"))
                .f("expiry_date", json!("2028-02-29"))
                .f("surveillance_audits", json!(["2025-05-31"])),
        ],
    );
    for f in ["notice.pdf", "centred.pdf"] {
        let l = &got[f];
        assert_eq!(
            l["certificate"]["surveillance_audits"],
            json!(["2025-05-31"]),
            "{f}"
        );
        assert_eq!(codes(l), ["SURVEILLANCE_OVERDUE"], "{f}: {}", explain(l));
    }
}

/// BUG (src/extract.rs, bilingual labels without a colon): the bilingual layout
/// prints "<中文><English><sep>" labels; with sep " " (no colon):
/// - "证书编号Certificate No. CN00012025IT1234" or "注册号Registration No. ..."
///   with a 16-character number: the number is not read (null: MISSING_FIELD
///   where CERTIFICATE_NUMBER_FORMAT is due; an earlier build took the last 17
///   characters of the USCC, 91440106928084133K -> 1440106928084133K, instead);
/// - "审核组长Lead Auditor王伟资格编号Qualification No.：...": the auditor's name
///   is read as "Lead Auditor王伟".
///
/// Eight bilingual certificates (the generator draws the label variants).
#[test]
fn bilingual_labels_without_colon() {
    let num16 = |file: &str, tag: &str| {
        Spec::seed(file)
            .set("layout", json!("bilingual"))
            .set("tag", json!(tag))
            .f("certificate_number", json!("CN00012025IT1234"))
    };
    let got = scan_extra(
        "bug-bilingual",
        (0..8)
            .map(|i| num16(&format!("b{i}.pdf"), &format!("bilingual-{i}")))
            .collect(),
    );
    let mut bad = Vec::new();
    for f in got.keys() {
        let c = &got[f]["certificate"];
        if c["certificate_number"] != "CN00012025IT1234" {
            bad.push(format!(
                "{f}: number {} (USCC {})",
                c["certificate_number"], c["unified_social_credit_code"]
            ));
        }
        if c["auditor"]["name"] != "王伟" {
            bad.push(format!("{f}: auditor name {}", c["auditor"]["name"]));
        }
        if !codes(&got[f]).contains(&"CERTIFICATE_NUMBER_FORMAT".to_string()) {
            bad.push(format!(
                "{f}: no CERTIFICATE_NUMBER_FORMAT: {}",
                explain(&got[f])
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// BUG (src/main.rs `scan`): with the default output (stdout, no `--out`) the
/// run-level rule never runs: two certificates with one number for two
/// organisations both come out `valid`, and the summary lists no number
/// claimed twice (issue 4: "The run's summary lists every number claimed by
/// more than one organisation").
/// Lines already printed on stdout cannot be amended (only an `--out` file is
/// rewritten at the end of the run): the summary names the numbers instead.
#[test]
fn duplicates_on_stdout_are_named_in_the_summary() {
    let c = corpus();
    let o = bin()
        .arg("scan")
        .arg(c.root.join("main/dup_a.pdf"))
        .arg(c.root.join("main/dup_b.pdf"))
        .args(["--as-of", AS_OF, "-j", "2"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stdout_lines(&o).len(), 2);
    assert!(stderr.contains("CN00012025IT55555"), "summary: {stderr}");
    assert!(
        stderr.contains("claimed by 2 organisations"),
        "summary: {stderr}"
    );
}
