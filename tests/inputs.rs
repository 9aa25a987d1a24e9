//! Issue 19, "nothing lost, nothing hangs, nothing destroyed": awkward inputs
//! and outputs, each reproduced on real files in a temporary folder and run
//! through the real binary.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Output;

/// A text-layer certificate (read without OCR: fast).
fn cert_pdf() -> PathBuf {
    root().join("samples/inputs/sample_text_embedded.pdf")
}

fn scan(args: &[&std::ffi::OsStr]) -> Output {
    bin()
        .arg("scan")
        .args(args)
        .args(["--as-of", "2026-06-01", "-j", "2"])
        .output()
        .expect("certscan runs")
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Issue 19, 4: `-o` naming a file that is not certscan's output (a photo, an
/// input) cut it to its last newline and appended to it.
#[test]
fn output_that_is_not_certscan_jsonl_or_is_an_input_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(cert_pdf(), d.join("a.pdf")).unwrap();
    std::fs::copy(
        root().join("samples/inputs/sample_centred.jpg"),
        d.join("photo.jpg"),
    )
    .unwrap();
    std::fs::write(d.join("notes.jsonl"), "{\"a\":1}\n{\"b\":2}\n").unwrap();
    for target in ["photo.jpg", "a.pdf", "notes.jsonl"] {
        let p = d.join(target);
        let before = std::fs::read(&p).unwrap();
        let o = scan(&[os(&d.join("a.pdf")), os("-o"), os(&p)]);
        assert_eq!(o.status.code(), Some(2), "{target}: {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(target) && err.contains("refus"), "{err}");
        assert_eq!(std::fs::read(&p).unwrap(), before, "{target} was changed");
    }
    // certscan's own output, given as an input too.
    let out = d.join("out.jsonl");
    ok(&scan(&[os(&d.join("a.pdf")), os("-o"), os(&out)]));
    let before = std::fs::read(&out).unwrap();
    let o = scan(&[os(&d.join("a.pdf")), os(&out), os("-o"), os(&out)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("one of the inputs"));
    assert_eq!(std::fs::read(&out).unwrap(), before);
    // A run killed before its first line was complete is still resumed.
    let cut = d.join("cut.jsonl");
    std::fs::write(&cut, "{\"schema_version\":1,\"input\":\"half").unwrap();
    ok(&scan(&[os(&d.join("a.pdf")), os("-o"), os(&cut)]));
    assert_eq!(lines(&cut).len(), 1);
}
