//! Helpers of the integration tests: run the real binary, generate real inputs
//! with the project's generator, read the JSONL.
#![allow(dead_code)]

pub mod docx;
pub mod slurm;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_certscan"));
    c.env_remove("CERTSCAN_FAULT");
    c
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed samples (inputs in `samples/inputs`, ground truth in
/// `samples/truth.jsonl`), copied to a fresh folder laid out like a generated one.
pub fn samples() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("certscan-test-{}-samples", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(root().join("samples/inputs")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        std::fs::copy(root().join("samples/truth.jsonl"), dir.join("truth.jsonl")).unwrap();
        dir
    })
    .clone()
}

/// Runs `scripts/gen_certs.py` once per preset per test binary; returns its folder.
pub fn generated(preset: &str) -> PathBuf {
    static DIRS: OnceLock<std::sync::Mutex<std::collections::HashMap<String, PathBuf>>> =
        OnceLock::new();
    let m = DIRS.get_or_init(Default::default);
    let mut m = m.lock().unwrap();
    if let Some(p) = m.get(preset) {
        return p.clone();
    }
    let dir = std::env::temp_dir().join(format!("certscan-test-{}-{preset}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let st = Command::new("python3")
        .arg(root().join("scripts/gen_certs.py"))
        .args([
            "--out",
            dir.to_str().unwrap(),
            "--preset",
            preset,
            "--seed",
            "7",
        ])
        .status()
        .expect("python3 runs the generator");
    assert!(st.success(), "generator failed for preset {preset}");
    m.insert(preset.to_string(), dir.clone());
    dir
}

pub fn truth(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("truth.jsonl"))
        .expect("truth.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("truth line parses"))
        .collect()
}

pub fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("invalid JSONL line {l:?}: {e}"))
        })
        .collect()
}

pub fn stdout_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("invalid JSONL line {l:?}: {e}"))
        })
        .collect()
}

/// The keys every line carries (SPEC §3).
pub const LINE_KEYS: [&str; 11] = [
    "schema_version",
    "input",
    "sha256",
    "pages",
    "status",
    "error",
    "text_source",
    "ocr_confidence",
    "certificate",
    "evidence",
    "validation",
];

pub fn assert_line_shape(v: &Value) {
    for k in LINE_KEYS {
        assert!(v.get(k).is_some(), "line lacks key {k}: {v}");
    }
}

/// A corpus for batch runs: `plain` text-layer certificates of distinct
/// organisations in four folders, and `dup_pairs` pairs of certificates of
/// two organisations that print the same number (the run-level duplicate
/// rule must find each pair, wherever its halves land). Generated into `dir`
/// (its `c/` folder, returned) with the project's generator.
pub fn batch_corpus(dir: &Path, plain: usize, dup_pairs: usize) -> PathBuf {
    let mut items = Vec::new();
    for i in 0..plain {
        items.push(serde_json::json!({
            "file": format!("box{}/c{i:03}.pdf", i % 4),
            "kind": "pdf_text",
            "fields": {"organization_name": format!("批量{i:03}科技有限公司"), "issue_date": "2025-01-10"}
        }));
    }
    for k in 0..dup_pairs {
        let number = format!("CQC00120250ITS{k:03}");
        for (side, folder) in [("甲", "box0"), ("乙", "box3")] {
            items.push(serde_json::json!({
                "file": format!("{folder}/dup{side}{k}.pdf"),
                "kind": "pdf_text",
                "fields": {"organization_name": format!("重号{side}{k}有限公司"),
                           "certificate_number": number, "issue_date": "2025-03-10"}
            }));
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    let spec = dir.join("spec.json");
    std::fs::write(&spec, serde_json::Value::Array(items).to_string()).unwrap();
    let out = dir.join("c");
    let st = Command::new("python3")
        .arg(root().join("scripts/gen_certs.py"))
        .args(["--out", out.to_str().unwrap(), "--spec"])
        .arg(&spec)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(st.success(), "generator failed");
    // The truth beside the documents, not among them.
    std::fs::rename(out.join("truth.jsonl"), dir.join("truth.jsonl")).unwrap();
    out
}

/// A results file's lines, sorted (runs write documents in the order they
/// finish; two runs agree when their sorted lines do).
pub fn sorted_lines(path: &Path) -> Vec<String> {
    let mut l: Vec<String> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    l.sort();
    l
}
