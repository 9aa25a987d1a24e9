//! End-to-end tests of `certscan scan`: the real binary, real Tesseract, real
//! generated PDFs and images.

use crate::common;
use common::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

fn scan_to(dir: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let o = bin()
        .args([
            "scan",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2026-06-01",
            "-j",
            "2",
        ])
        .args(extra)
        .output()
        .expect("certscan runs");
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn by_input(lines: &[Value]) -> HashMap<String, Vec<Value>> {
    let mut m: HashMap<String, Vec<Value>> = HashMap::new();
    for l in lines {
        m.entry(l["input"].as_str().unwrap().to_string())
            .or_default()
            .push(l.clone());
    }
    m
}

fn rel(dir: &Path, input: &str) -> String {
    input
        .strip_prefix(&format!("{}/", dir.display()))
        .unwrap_or(input)
        .to_string()
}

/// The six fields issue 2 asks to be right on clean samples.
const SIX: [(&str, &str); 6] = [
    ("certificate_number", "/certificate_number"),
    ("organization_name", "/organization_name"),
    ("standard", "/standard"),
    ("issue_date", "/issue_date"),
    ("expiry_date", "/expiry_date"),
    ("certification_body_name", "/certification_body/name"),
];

#[test]
fn mixed_folder_every_input_accounted_for() {
    let dir = generated("mixed");
    let truth = truth(&dir);
    let out = dir.with_extension("jsonl");
    let _ = std::fs::remove_file(&out);
    scan_to(&dir, &out, &[]);
    let lines = lines(&out);
    for l in &lines {
        assert_line_shape(l);
    }
    let got = by_input(&lines);
    // Nothing lost: every file in truth (zip members are their own inputs).
    let mut checked = 0;
    let mut six_ok = 0;
    let mut six_total = 0;
    let mut wrong = Vec::new();
    for t in &truth {
        let file = t["file"].as_str().unwrap();
        if t["kind"] == "zip" {
            let n = got
                .keys()
                .filter(|k| rel(&dir, k).starts_with(&format!("{file}!")))
                .count();
            assert!(n >= 1, "no line for any member of {file}");
            continue;
        }
        let key = format!("{}/{}", dir.display(), file);
        let recs = got
            .get(&key)
            .unwrap_or_else(|| panic!("no line for {file}"));
        checked += 1;
        let want = t["expect_status"].as_str().unwrap();
        let statuses: Vec<&str> = recs.iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert!(
            statuses.contains(&want),
            "{file}: expected {want}, got {statuses:?}: {recs:?}"
        );
        if want == "error" {
            if let Some(code) = t["expect_error_code"].as_str() {
                assert_eq!(recs[0]["error"]["code"], code, "{file}: {}", recs[0]);
            }
            continue;
        }
        if want == "certificate" {
            let certs = t["certificates"].as_array().unwrap();
            assert_eq!(
                recs.len(),
                certs.len(),
                "{file}: one line per certificate: {recs:?}"
            );
            if t["degraded"].as_bool().unwrap_or(false) {
                continue;
            }
            for (r, c) in recs.iter().zip(certs) {
                for (k, ptr) in SIX {
                    let w = &c["fields"][k];
                    if w.is_null() {
                        continue;
                    }
                    six_total += 1;
                    let g = r["certificate"]
                        .pointer(ptr)
                        .cloned()
                        .unwrap_or(Value::Null);
                    if &g == w {
                        six_ok += 1;
                    } else {
                        wrong.push(format!("{file} {k}: want {w} got {g}"));
                    }
                }
            }
        }
    }
    assert!(checked >= 10, "the mixed set holds every input kind");
    eprintln!("six fields on clean certificates: {six_ok}/{six_total}");
    for w in &wrong {
        eprintln!("  {w}");
    }
    // Issue 2: the six fields right on every clean sample, with the default
    // engine (PP-OCR, installed by scripts/setup).
    assert!(
        six_ok == six_total && six_total >= 40,
        "six fields right on clean samples: {six_ok}/{six_total}\n{}",
        wrong.join("\n")
    );
}

#[test]
fn killed_run_resumes_without_duplicates() {
    let dir = generated("mixed");
    let out = std::env::temp_dir().join(format!("certscan-resume-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut child = bin()
        .args([
            "scan",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-j",
            "1",
            "--quiet",
        ])
        .spawn()
        .unwrap();
    // Wait for a few documents to be written, then kill -9.
    let t0 = Instant::now();
    while lines_count(&out) < 3 && t0.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.wait();
    // Simulate a line cut off mid-write.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
        f.write_all(b"{\"schema_version\":1,\"input\":\"half")
            .unwrap();
    }
    let before = lines_count(&out);
    assert!(before >= 3);
    let o = bin()
        .args([
            "scan",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-j",
            "2",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let all = lines(&out);
    let inputs: Vec<&str> = all.iter().map(|l| l["input"].as_str().unwrap()).collect();
    // No document appears in two separate runs: its lines are contiguous.
    let mut seen_done: HashSet<&str> = HashSet::new();
    let mut prev = "";
    for i in &inputs {
        if *i != prev {
            assert!(seen_done.insert(i), "{i} written twice");
            prev = i;
        }
    }
    // Complete: same set of inputs as a fresh run would give.
    let fresh = std::env::temp_dir().join(format!("certscan-fresh-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&fresh);
    let o = bin()
        .args([
            "scan",
            dir.to_str().unwrap(),
            "--out",
            fresh.to_str().unwrap(),
            "-j",
            "2",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let a: HashSet<String> = inputs.iter().map(|s| s.to_string()).collect();
    let b: HashSet<String> = lines(&fresh)
        .iter()
        .map(|l| l["input"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(a, b);
    assert_eq!(all.len(), lines(&fresh).len());
}

fn lines_count(p: &Path) -> usize {
    std::fs::read_to_string(p)
        .map(|s| s.matches('\n').count())
        .unwrap_or(0)
}

#[test]
fn panic_crash_and_hang_cost_only_their_document() {
    let dir = samples();
    let o = bin()
        .args([
            "scan",
            dir.to_str().unwrap(),
            "-j",
            "2",
            // CPU time: a real page takes 2-7 s of it, however loaded the
            // machine (in wall time a page of sample_scan.pdf once took over
            // 20 s beside three builds).
            "--page-timeout",
            "15",
            "--as-of",
            "2026-06-01",
        ])
        .env("CERTSCAN_FAULT", "panic:.png,abort:.webp,spin:.jpg")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines = stdout_lines(&o);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "truth.jsonl" && !n.starts_with('.'))
        .collect();
    for f in &files {
        let ls: Vec<&Value> = lines
            .iter()
            .filter(|l| l["input"].as_str().unwrap().ends_with(&format!("/{f}")))
            .collect();
        assert!(!ls.is_empty(), "no line for {f}");
        let code = ls[0]["error"]["code"].as_str().unwrap_or("");
        if f.ends_with(".png") || f.ends_with(".webp") {
            assert_eq!(code, "crashed", "{f}: {:?}", ls[0]);
        } else if f.ends_with(".jpg") {
            assert_eq!(code, "timeout", "{f}: {:?}", ls[0]);
        } else {
            assert_ne!(
                ls[0]["status"], "error",
                "{f} must be unaffected: {:?}",
                ls[0]
            );
        }
    }
}

#[test]
fn schema_is_current_and_output_validates() {
    let o = bin().arg("schema").output().unwrap();
    assert!(o.status.success());
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let kept: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("models/certscan.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        printed, kept,
        "models/certscan.schema.json is stale: run `certscan schema > models/certscan.schema.json`"
    );
    let validator = jsonschema::validator_for(&printed).unwrap();
    let dir = samples();
    let o = bin()
        .args(["scan", dir.to_str().unwrap(), "--quiet", "-j", "2"])
        .output()
        .unwrap();
    let lines = stdout_lines(&o);
    assert!(!lines.is_empty());
    for l in &lines {
        let errs: Vec<String> = validator.iter_errors(l).map(|e| e.to_string()).collect();
        assert!(errs.is_empty(), "{errs:?} in {l}");
    }
}

#[test]
fn bad_arguments_fail_and_bad_inputs_do_not() {
    let o = bin().args(["scan"]).output().unwrap();
    assert!(!o.status.success());
    let o = bin()
        .args(["scan", "/nonexistent/x.pdf", "--quiet"])
        .output()
        .unwrap();
    // A path that does not exist: its error line, and exit 3 (issue 16: a
    // mistyped input path must not look like a clean run).
    assert_eq!(o.status.code(), Some(3));
    let l = stdout_lines(&o);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["status"], "error");
    assert_eq!(l[0]["error"]["code"], "io");
    let o = bin()
        .args(["scan", "/tmp", "--registry", "/nonexistent.csv"])
        .output()
        .unwrap();
    assert!(!o.status.success());
}
