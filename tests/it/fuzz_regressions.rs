//! Inputs from the fuzzer (scripts/fuzz, docs/fuzzing-2026-12-05.md), kept
//! small under tests/fixtures/fuzz/TARGET/: any crash it finds (`crash-*`,
//! none in the run of 2026-12-05) and a few inputs of each target's corpus
//! (`corpus-*`: damaged inputs that reached new code). Each goes through its
//! target's reader calls (certscan::fuzzing, the code the fuzz target runs)
//! without a panic, also one the pipeline would contain with catch_unwind (a
//! panic hook counts them); the document inputs also through the real
//! binary: lines for each (ZIP members: one each), none a crash.

use crate::common;
use common::*;
use std::sync::atomic::{AtomicUsize, Ordering};

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn fixtures(target: &str) -> Vec<std::path::PathBuf> {
    let dir = root().join("tests/fixtures/fuzz").join(target);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file());
    v.sort();
    v
}

#[test]
fn fuzz_findings_do_not_panic_and_each_document_gets_its_lines() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        prev(info);
    }));
    let tmp = tempfile::tempdir().unwrap();
    let mut failed = Vec::new();
    for target in certscan::fuzzing::TARGETS {
        for f in fixtures(target) {
            let data = std::fs::read(&f).unwrap();
            let before = PANICS.load(Ordering::SeqCst);
            let r = std::panic::catch_unwind(|| certscan::fuzzing::run(target, &data, tmp.path()));
            if r.is_err() || PANICS.load(Ordering::SeqCst) != before {
                failed.push(f.display().to_string());
            }
        }
    }
    let _ = std::panic::take_hook();
    assert!(failed.is_empty(), "panicked on {failed:?}");

    // The documents through the binary: one line each, none a crash.
    let docs = tempfile::tempdir().unwrap();
    let mut n = 0;
    for target in ["pdf_text", "image", "zip", "docx"] {
        for f in fixtures(target) {
            let name = format!("{target}_{}", f.file_name().unwrap().to_string_lossy());
            std::fs::copy(&f, docs.path().join(name)).unwrap();
            n += 1;
        }
    }
    if n == 0 {
        return;
    }
    let o = bin()
        .arg("scan")
        .arg(docs.path())
        .args(["--as-of", "2026-06-01", "-j", "2", "--page-timeout", "120"])
        .output()
        .expect("certscan runs");
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = stdout_lines(&o);
    let mut per: std::collections::BTreeMap<String, usize> = Default::default();
    for l in &lines {
        assert_line_shape(l);
        let input = l["input"].as_str().unwrap();
        let file = input
            .strip_prefix(&format!("{}/", docs.path().display()))
            .unwrap_or(input);
        let file = file.split('!').next().unwrap().to_string();
        *per.entry(file).or_default() += 1;
        let msg = l["error"]["message"].as_str().unwrap_or("");
        assert!(!msg.contains("crashed"), "{l}");
    }
    for e in std::fs::read_dir(docs.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(per.contains_key(&name), "{name} got no line: {per:?}");
    }
}
