//! The tender answer (issue 15): bidders in a folder, a ZIP and a Word
//! document, with a missing certificate, another organisation's certificate,
//! an expired one and a shared number; scan + report as xlsx (read back with
//! calamine), csv (BOM, columns) and html (rendered in headless chromium, a
//! screenshot kept); stdout and `-o` judged alike; `revalidate` without pages.

use crate::common;
use calamine::{open_workbook, Data, Reader, Xlsx};
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const AS_OF: &str = "2025-11-20";
const SHARED: &str = "CQC001202500ITS88";

/// Generates the bidders' documents into `dir` (relative paths as a clerk
/// would give them) and writes the bidders file.
fn build_bids(dir: &Path) {
    let spec = serde_json::json!([
        {"file": "bids/a/iso20000.pdf", "kind": "pdf_text",
         "fields": {"organization_name": "甲方科技有限公司", "standard": "ISO/IEC 20000-1:2018", "issue_date": "2025-02-10"}},
        {"file": "bids/a/iso27001.pdf", "kind": "pdf_text",
         "fields": {"organization_name": "甲方科技有限公司", "standard": "ISO/IEC 27001:2022", "issue_date": "2025-02-10"}},
        {"file": "parts/b/iso20000.pdf", "kind": "pdf_text",
         "fields": {"organization_name": "乙方信息技术有限公司", "standard": "ISO/IEC 20000-1:2018",
                    "certificate_number": SHARED, "issue_date": "2025-03-10"}},
        {"file": "parts/c/iso27001.png", "kind": "png", "dpi": 150,
         "fields": {"organization_name": "丙方数据服务有限公司", "standard": "ISO/IEC 27001:2022",
                    "issue_date": "2022-06-01", "expiry_date": "2025-05-31"}},
        {"file": "bids/d/cert.pdf", "kind": "pdf_text",
         "fields": {"organization_name": "某某集团有限公司", "standard": "ISO/IEC 20000-1:2018",
                    "certificate_number": SHARED, "issue_date": "2025-03-10"}}
    ]);
    let spec_path = dir.join("spec.json");
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    let st = Command::new("python3")
        .arg(root().join("scripts/gen_certs.py"))
        .args(["--out", dir.to_str().unwrap(), "--spec"])
        .arg(&spec_path)
        .status()
        .unwrap();
    assert!(st.success());
    // Bidder B: a ZIP; bidder C: a Word document with the scan pasted in.
    let b = std::fs::read(dir.join("parts/b/iso20000.pdf")).unwrap();
    std::fs::write(
        dir.join("bids/b.zip"),
        docx::zip_bytes(&[("资质/iso20000.pdf", b)]),
    )
    .unwrap();
    let c = std::fs::read(dir.join("parts/c/iso27001.png")).unwrap();
    std::fs::write(
        dir.join("bids/c.docx"),
        docx::docx("投标文件 第三章 资格证明文件", &[c]),
    )
    .unwrap();
    std::fs::write(
        dir.join("bidders.csv"),
        "path_prefix,bidder,organization_name\n\
         bids/a/,投标人A,甲方科技有限公司\n\
         bids/b.zip,投标人B,乙方信息技术有限公司\n\
         bids/c.docx,投标人C,丙方数据服务有限公司\n\
         bids/d/,投标人D,丁方网络有限公司\n",
    )
    .unwrap();
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let o = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("certscan runs");
    assert!(
        o.status.success(),
        "certscan {args:?}: {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn verdicts(lines: &[Value]) -> BTreeMap<String, (String, Vec<String>)> {
    lines
        .iter()
        .map(|l| {
            let v = &l["validation"];
            let codes = v["findings"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|x| x["code"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            (
                l["input"].as_str().unwrap().to_string(),
                (v["verdict"].as_str().unwrap_or("").to_string(), codes),
            )
        })
        .collect()
}

fn out_dir() -> PathBuf {
    let d = root().join("target/test-output/report");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn tender_answer_per_bidder_in_excel_csv_and_html() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    build_bids(dir);
    let scan = [
        "scan",
        "bids",
        "--bidders",
        "bidders.csv",
        "--as-of",
        AS_OF,
        "-j",
        "2",
        "-q",
    ];
    // The same run written to a file and to stdout: the same verdicts,
    // the run-level duplicate rule included.
    let mut with_o = scan.to_vec();
    with_o.extend(["-o", "results.jsonl"]);
    run_in(dir, &with_o);
    let file_lines = lines(&dir.join("results.jsonl"));
    let stdout_lines = stdout_lines(&run_in(dir, &scan));
    let (vf, vs) = (verdicts(&file_lines), verdicts(&stdout_lines));
    assert_eq!(vf, vs, "stdout and -o judge differently");
    assert_eq!(vf.len(), 5, "{vf:?}");
    for input in ["bids/b.zip!资质/iso20000.pdf", "bids/d/cert.pdf"] {
        let (v, codes) = &vf[input];
        assert_eq!(v, "suspected_forgery", "{input}: {codes:?}");
        assert!(
            codes.contains(&"DUPLICATE_CERTIFICATE_NUMBER".to_string()),
            "{input}: {codes:?}"
        );
    }
    assert!(
        vf["bids/c.docx"].1.contains(&"EXPIRED".to_string()),
        "{:?}",
        vf["bids/c.docx"]
    );
    assert!(vf["bids/d/cert.pdf"]
        .1
        .contains(&"ORGANIZATION_MISMATCH".to_string()));
    // Every line is reproducible and speaks Chinese; findings name fields;
    // boxes have their page size.
    for l in &file_lines {
        let run = &l["run"];
        assert_eq!(run["as_of"], AS_OF, "{l}");
        assert_eq!(run["rulebook"], "bundled");
        assert_eq!(run["rulebook_sha256"].as_str().unwrap().len(), 64);
        assert_eq!(run["registry_sha256"].as_str().unwrap().len(), 64);
        assert!(run["manifest_sha256"].is_string());
        assert!(!run["certscan"].as_str().unwrap().is_empty());
        let v = &l["validation"];
        assert!(!v["verdict_zh"].as_str().unwrap().is_empty(), "{l}");
        for f in v["findings"].as_array().unwrap() {
            assert!(!f["message_zh"].as_str().unwrap().is_empty(), "{f}");
            assert!(!f["fields"].as_array().unwrap().is_empty(), "{f}");
        }
        let sizes = l["page_sizes"].as_array().unwrap();
        assert_eq!(sizes.len(), l["pages"].as_array().unwrap().len(), "{l}");
        for s in sizes {
            assert_eq!(s["unit"], "px");
            assert!(s["width"].as_u64().unwrap() > 100);
        }
    }

    let report = |format: &str, out: &str, extra: &[&str]| {
        let mut a = vec![
            "report",
            "results.jsonl",
            "--format",
            format,
            "-o",
            out,
            "--bidders",
            "bidders.csv",
            "--require",
            "ISO/IEC 20000-1,ISO/IEC 27001",
        ];
        a.extend(extra);
        run_in(dir, &a);
    };

    // xlsx, read back with a reader crate.
    report("xlsx", "report.xlsx", &[]);
    let mut wb: Xlsx<_> = open_workbook(dir.join("report.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), vec!["投标人", "证书", "问题"]);
    let bidders = wb.worksheet_range("投标人").unwrap();
    let rows: Vec<Vec<String>> = bidders
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[0][0], "投标人");
    assert_eq!(rows.len(), 1 + 4 * 2, "{rows:?}");
    let cell = |bidder: &str, std: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r[0] == bidder && r[2] == std)
            .unwrap_or_else(|| panic!("no row {bidder} {std}: {rows:?}"))
            .clone()
    };
    let a20 = cell("投标人A", "ISO/IEC 20000-1");
    assert!(
        a20[3] == "有效" || a20[3] == "有限适用",
        "A's 20000-1: {a20:?}"
    );
    assert_eq!(cell("投标人A", "ISO/IEC 27001")[3], "有效");
    assert_eq!(a20[10], "是", "A is dual certified: {a20:?}");
    assert_eq!(cell("投标人B", "ISO/IEC 27001")[3], "未提交");
    assert_eq!(cell("投标人B", "ISO/IEC 20000-1")[3], "疑似伪造");
    assert_eq!(cell("投标人C", "ISO/IEC 27001")[3], "无效");
    let d = cell("投标人D", "ISO/IEC 20000-1");
    assert!(d[9].contains("证书上的组织不是该投标人"), "{d:?}");
    assert_eq!(d[5], "某某集团有限公司");
    let certs = wb.worksheet_range("证书").unwrap();
    assert_eq!(certs.rows().count(), 1 + 5);
    let findings = wb.worksheet_range("问题").unwrap();
    assert!(findings.rows().any(|r| r
        .iter()
        .any(|c| matches!(c, Data::String(s) if s == "DUPLICATE_CERTIFICATE_NUMBER"))));
    std::fs::copy(dir.join("report.xlsx"), out_dir().join("report.xlsx")).unwrap();

    // csv: UTF-8 with BOM, the bidder table's columns.
    report("csv", "report.csv", &[]);
    let csv = std::fs::read(dir.join("report.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("投标人,组织名称,要求的标准,结论,证书编号"),
        "{header}"
    );
    assert!(text.contains("未提交"));
    report(
        "csv",
        "report-en.csv",
        &["--lang", "en", "--table", "certificates"],
    );
    let en = std::fs::read_to_string(dir.join("report-en.csv")).unwrap();
    assert!(en.contains("suspected forgery"), "{en}");

    // html, rendered by a real browser.
    report("html", "report.html", &[]);
    let html_path = dir.join("report.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "network reference"
    );
    assert_eq!(html.matches("<div class=\"cert\"").count(), 5);
    let chromium = chromium();
    let url = format!("file://{}", html_path.display());
    let dom = Command::new(&chromium)
        .args(BROWSER_FLAGS)
        .args(["--virtual-time-budget=10000", "--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    let attr = |name: &str| -> usize {
        let k = format!("{name}=\"");
        let i = dom
            .find(&k)
            .unwrap_or_else(|| panic!("{name} not set: the page script did not run"));
        dom[i + k.len()..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let total = attr("data-images-total");
    assert!(total >= 5, "{total} pictures");
    assert_eq!(
        attr("data-images-loaded"),
        total,
        "pictures that did not show"
    );
    // Every certificate shows its page with boxes; findings' fields in red.
    for part in dom.split("<div class=\"cert\"").skip(1) {
        assert!(part.contains("<img"), "a certificate without its page");
        assert!(part.contains("<rect class=\"box"), "a page without boxes");
    }
    assert!(dom.contains("class=\"box hit\""));
    let shot = out_dir().join("report.png");
    let _ = std::fs::remove_file(&shot);
    let st = Command::new(&chromium)
        .args(BROWSER_FLAGS)
        .args([
            "--hide-scrollbars",
            "--window-size=1280,2400",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    assert!(st.status.success());
    let png = image::open(&shot).expect("a screenshot");
    assert_eq!(png.width(), 1280);
    // Not a blank page: many colours (pictures, verdict badges).
    let colours: std::collections::HashSet<[u8; 3]> = png
        .to_rgb8()
        .pixels()
        .map(|p| p.0)
        .take(2_000_000)
        .collect();
    assert!(colours.len() > 200, "{} colours", colours.len());
    std::fs::copy(&html_path, out_dir().join("report.html")).unwrap();

    // revalidate: a later as-of date makes certificates EXPIRED from the
    // fields alone; the inputs are gone, so no page can have been read.
    std::fs::rename(dir.join("bids"), dir.join("bids.moved")).unwrap();
    let started = std::time::Instant::now();
    run_in(
        dir,
        &[
            "revalidate",
            "results.jsonl",
            "--as-of",
            "2030-01-01",
            "--bidders",
            "bidders.csv",
            "-o",
            "later.jsonl",
        ],
    );
    eprintln!("revalidate of 5 lines: {:?}", started.elapsed());
    let later = lines(&dir.join("later.jsonl"));
    assert_eq!(later.len(), 5);
    for l in &later {
        let codes = &verdicts(std::slice::from_ref(l))[l["input"].as_str().unwrap()].1;
        assert!(codes.contains(&"EXPIRED".to_string()), "{l}");
        assert_eq!(l["run"]["as_of"], "2030-01-01");
        assert_eq!(l["run"]["engine"], file_lines[0]["run"]["engine"]);
    }
    // The run-level rule still holds after re-judging.
    assert!(verdicts(&later)["bids/d/cert.pdf"]
        .1
        .contains(&"DUPLICATE_CERTIFICATE_NUMBER".to_string()));
    // The same as-of date gives the same verdicts back.
    run_in(
        dir,
        &[
            "revalidate",
            "results.jsonl",
            "--as-of",
            AS_OF,
            "--bidders",
            "bidders.csv",
            "-o",
            "same.jsonl",
        ],
    );
    assert_eq!(verdicts(&lines(&dir.join("same.jsonl"))), vf);
}

const BROWSER_FLAGS: [&str; 4] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
];

fn chromium() -> String {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(c).arg("--version").output().is_ok() {
            return c.to_string();
        }
    }
    panic!("no chromium: scripts/setup installs Debian's chromium");
}

#[test]
fn rules_in_chinese_and_as_json() {
    let o = bin().args(["rules", "--lang", "zh"]).output().unwrap();
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    for w in [
        "疑似伪造",
        "需人工复核",
        "未提交",
        "证书编号重复",
        "有效期超过三年",
    ] {
        assert!(s.contains(w), "{w} missing from rules --lang zh");
    }
    let o = bin().args(["rules", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).expect("rules --json is JSON");
    assert_eq!(v["codes"].as_array().unwrap().len(), 16);
    assert!(v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["name_zh"].as_str().unwrap().is_empty()));
    assert!(v["profiles"].as_array().unwrap().len() >= 3);
}
