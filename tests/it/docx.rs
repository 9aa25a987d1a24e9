//! Word documents (.docx, SPEC §1): one input whose pages are its body text
//! and the images it embeds, never taken apart as a ZIP; real .docx files are
//! written here and read by the real binary.

use crate::common;
use common::docx::{self, document_xml, zip_bytes, CONTENT_TYPES};
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(root().join("samples/inputs").join(name)).unwrap()
}

/// A bid document: a paragraph of text, then the samples' images in order.
fn bid_docx(text: &str, images: &[&str]) -> Vec<u8> {
    let imgs: Vec<Vec<u8>> = images.iter().map(|i| sample(i)).collect();
    docx::docx(text, &imgs)
}

fn scan(args: &[&Path]) -> Output {
    let o = bin()
        .arg("scan")
        .args(args)
        .args(["--as-of", "2026-06-01", "-j", "2"])
        .output()
        .expect("certscan runs");
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "exit {:?}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn under<'a>(lines: &'a [Value], input: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["input"] == input).collect()
}

#[test]
fn docx_is_one_input_whose_embedded_certificate_is_found() {
    let t = tempfile::tempdir().unwrap();
    let docx = t.path().join("bid.docx");
    std::fs::write(
        &docx,
        bid_docx(
            "投标文件 第三章 资格证明文件 &amp; 附件",
            &["sample_not_certificate.png", "sample_table.png"],
        ),
    )
    .unwrap();
    let o = scan(&[&docx]);
    let lines = stdout_lines(&o);
    let name = docx.to_string_lossy().to_string();
    assert!(!lines.is_empty());
    for l in &lines {
        assert_line_shape(l);
        assert_eq!(l["input"], name.as_str(), "a line not under the .docx: {l}");
        assert!(!l["input"].as_str().unwrap().contains('!'), "{l}");
    }
    // Pages: 1 the text, 2 the first image, 3 the certificate.
    let certs: Vec<&Value> = lines
        .iter()
        .filter(|l| l["status"] == "certificate")
        .collect();
    assert_eq!(certs.len(), 1, "{lines:?}");
    assert_eq!(certs[0]["pages"], serde_json::json!([3]), "{}", certs[0]);
    assert_eq!(
        certs[0]["certificate"]["certificate_number"], "03125ISMS38706R1M",
        "{}",
        certs[0]
    );
}

#[test]
fn docx_inside_a_zip_package_is_one_member_input() {
    let t = tempfile::tempdir().unwrap();
    let docx = bid_docx("资格证明文件", &["sample_table.png"]);
    let pkg = t.path().join("pkg.zip");
    std::fs::write(&pkg, zip_bytes(&[("标书/bid.docx", docx)])).unwrap();
    let o = scan(&[&pkg]);
    let lines = stdout_lines(&o);
    let name = format!("{}!标书/bid.docx", pkg.to_string_lossy());
    assert!(!lines.is_empty());
    for l in &lines {
        assert_eq!(l["input"], name.as_str(), "{l}");
    }
    let cert = lines
        .iter()
        .find(|l| l["status"] == "certificate")
        .unwrap_or_else(|| panic!("no certificate: {lines:?}"));
    assert_eq!(cert["pages"], serde_json::json!([2]), "{cert}");
}

#[test]
fn damaged_docx_give_one_error_line_each_and_the_batch_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("in");
    std::fs::create_dir(&d).unwrap();
    let good = bid_docx("只有文字的投标文件", &[]);
    // Cut short: no ZIP directory.
    std::fs::write(d.join("a_truncated.docx"), &good[..good.len() / 2]).unwrap();
    // No word/document.xml.
    std::fs::write(
        d.join("b_nodoc.docx"),
        zip_bytes(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
            ("word/media/image1.png", sample("sample_table.png")),
        ]),
    )
    .unwrap();
    // document.xml cut off mid-element.
    let xml = document_xml("文字", &[]);
    std::fs::write(
        d.join("c_badxml.docx"),
        zip_bytes(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
            (
                "word/document.xml",
                xml.as_bytes()[..xml.len() - 30].to_vec(),
            ),
        ]),
    )
    .unwrap();
    // A sound text-only .docx under a name that does not say so: recognised
    // by its content, read as one document (no member lines).
    std::fs::write(d.join("d_text_only.bin"), &good).unwrap();
    std::fs::copy(
        root().join("samples/inputs/sample_text_embedded.pdf"),
        d.join("e_cert.pdf"),
    )
    .unwrap();
    let o = scan(&[&d]);
    let lines = stdout_lines(&o);
    let p = |n: &str| d.join(n).to_string_lossy().to_string();
    for (n, code) in [
        ("a_truncated.docx", "truncated"),
        ("b_nodoc.docx", "corrupt"),
        ("c_badxml.docx", "corrupt"),
    ] {
        let l = under(&lines, &p(n));
        assert_eq!(l.len(), 1, "{n}: {lines:?}");
        assert_eq!(l[0]["status"], "error", "{n}: {}", l[0]);
        assert_eq!(l[0]["error"]["code"], code, "{n}: {}", l[0]);
        assert!(
            l[0]["error"]["message"].as_str().unwrap().contains(".docx")
                || l[0]["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("document.xml"),
            "{n}: {}",
            l[0]
        );
    }
    let text_only = under(&lines, &p("d_text_only.bin"));
    assert_eq!(text_only.len(), 1, "{lines:?}");
    assert_ne!(text_only[0]["status"], "error", "{}", text_only[0]);
    assert_eq!(
        text_only[0]["text_source"], "text_layer",
        "{}",
        text_only[0]
    );
    assert!(
        lines
            .iter()
            .all(|l| !l["input"].as_str().unwrap().contains('!')),
        "{lines:?}"
    );
    let cert = under(&lines, &p("e_cert.pdf"));
    assert_eq!(cert.len(), 1);
    assert_eq!(cert[0]["status"], "certificate", "{}", cert[0]);
}
