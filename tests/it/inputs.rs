//! Issue 19, "nothing lost, nothing hangs, nothing destroyed": awkward inputs
//! and outputs, each reproduced on real files in a temporary folder and run
//! through the real binary.

use crate::common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
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

/// Another text-layer certificate, with other bytes.
fn other_pdf() -> PathBuf {
    root().join("samples/inputs/sample_text_stsong.pdf")
}

/// Lines by input, relative to `dir`.
fn by_input(dir: &Path, lines: &[Value]) -> BTreeMap<String, Vec<Value>> {
    let mut m: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let prefix = format!("{}/", dir.display());
    for l in lines {
        assert_line_shape(l);
        let i = l["input"].as_str().unwrap();
        let i = i.strip_prefix(&prefix).unwrap_or(i).to_string();
        m.entry(i).or_default().push(l.clone());
    }
    m
}

fn keys(m: &BTreeMap<String, Vec<Value>>) -> Vec<&str> {
    m.keys().map(|s| s.as_str()).collect()
}

/// Issue 19, 1: a file name that is not UTF-8 (GBK) aborted the run with exit
/// 2 after the files before it, and every resume aborted there again.
#[test]
fn non_utf8_file_name_is_read_and_resume_goes_past_it() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(cert_pdf(), d.join("a.pdf")).unwrap();
    // "m_认证.pdf" in GBK.
    let gbk = std::ffi::OsStr::from_bytes(b"m_\xc8\xcf\xd6\xa4.pdf");
    std::fs::copy(cert_pdf(), d.join(gbk)).unwrap();
    std::fs::copy(cert_pdf(), d.join("z.pdf")).unwrap();
    let out = t.path().join("out.jsonl");
    let o = scan(&[os(&d), os("-o"), os(&out)]);
    ok(&o);
    let m = by_input(&d, &lines(&out));
    assert_eq!(keys(&m), ["a.pdf", "m_认证.pdf", "z.pdf"], "{m:?}");
    assert_eq!(m["m_认证.pdf"][0]["status"], "certificate");
    // Resume: a run that stopped before the last input goes on past the name.
    let text = std::fs::read_to_string(&out).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("z.pdf") && !l.contains("m_认证"))
        .collect();
    std::fs::write(&out, kept.join("\n") + "\n").unwrap();
    let o = scan(&[os(&d), os("-o"), os(&out)]);
    ok(&o);
    let all = lines(&out);
    assert_eq!(all.len(), 3, "{all:?}");
    let m = by_input(&d, &all);
    assert_eq!(keys(&m), ["a.pdf", "m_认证.pdf", "z.pdf"]);
    // A third run has nothing left to do.
    let o = scan(&[os(&d), os("-o"), os(&out)]);
    ok(&o);
    assert_eq!(lines(&out).len(), 3);
}

/// Issue 19, 2: a FIFO in an input folder hung discovery forever. Files that
/// are not regular (FIFO, socket, device, a link to /dev/zero) are not opened.
#[test]
fn fifo_socket_and_device_get_error_lines_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(cert_pdf(), d.join("a.pdf")).unwrap();
    let st = std::process::Command::new("mkfifo")
        .arg(d.join("b.pdf"))
        .status()
        .unwrap();
    assert!(st.success());
    let _sock = std::os::unix::net::UnixListener::bind(d.join("c.pdf")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("e.pdf")).unwrap();
    let o = scan(&[os(&d), os("/dev/null")]);
    ok(&o);
    let m = by_input(&d, &stdout_lines(&o));
    assert_eq!(
        keys(&m),
        ["/dev/null", "a.pdf", "b.pdf", "c.pdf", "e.pdf"],
        "{m:?}"
    );
    assert_eq!(m["a.pdf"][0]["status"], "certificate");
    for k in ["/dev/null", "b.pdf", "c.pdf", "e.pdf"] {
        let l = &m[k][0];
        assert_eq!(m[k].len(), 1);
        assert_eq!(l["status"], "error", "{l}");
        assert_eq!(l["error"]["code"], "unsupported_format", "{l}");
        let msg = l["error"]["message"].as_str().unwrap();
        assert!(msg.contains("not a regular file"), "{k}: {msg}");
    }
    assert!(m["b.pdf"][0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("FIFO"));
}

/// Issue 19, 3: a link to a parent folder gave the same certificate 41 times,
/// and two such links made discovery run forever.
#[test]
fn directory_links_do_not_loop_and_a_file_is_read_once() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    let sub = d.join("sub");
    let deeper = sub.join("deeper");
    std::fs::create_dir_all(&deeper).unwrap();
    std::fs::copy(cert_pdf(), d.join("a.pdf")).unwrap();
    std::fs::copy(other_pdf(), sub.join("b.pdf")).unwrap();
    std::os::unix::fs::symlink("..", sub.join("up")).unwrap();
    std::os::unix::fs::symlink("../..", deeper.join("up2")).unwrap();
    // The same file by another name.
    std::os::unix::fs::symlink("a.pdf", d.join("same.pdf")).unwrap();
    let o = scan(&[os(&d)]);
    ok(&o);
    let m = by_input(&d, &stdout_lines(&o));
    assert_eq!(keys(&m), ["a.pdf", "sub/b.pdf"], "{m:?}");
    assert_eq!(m["a.pdf"].len(), 1);
}

/// Issue 19, 18: the same path given twice gave two lines.
#[test]
fn the_same_path_given_twice_gives_one_line() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a.pdf");
    std::fs::copy(cert_pdf(), &a).unwrap();
    let o = scan(&[os(&a), os(&a), os(t.path())]);
    ok(&o);
    let l = stdout_lines(&o);
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0]["input"], a.to_str().unwrap());
}

/// Issue 19, 19: an empty input folder gave 0 lines and no word.
#[test]
fn an_empty_folder_is_warned_about() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("empty");
    std::fs::create_dir(&d).unwrap();
    let o = scan(&[os(&d)]);
    ok(&o);
    assert!(stdout_lines(&o).is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning") && err.contains(&*d.to_string_lossy()),
        "{err}"
    );
}

/// A ZIP archive with the given (name, bytes) members, names taken as they are
/// (duplicates and folders allowed).
fn write_zip(path: &Path, members: &[(&str, &[u8])]) {
    // The writer refuses duplicate names: write distinct placeholders of the
    // same length, then put the names in (local and central headers).
    let f = std::fs::File::create(path).unwrap();
    let mut w = zip::ZipWriter::new(f);
    let o = zip::write::SimpleFileOptions::default();
    let mut renames = Vec::new();
    for (i, (name, bytes)) in members.iter().enumerate() {
        if name.ends_with('/') {
            w.add_directory(*name, o).unwrap();
        } else {
            assert!(i < 10 && name.len() >= 3);
            let tag = format!("{i:~>w$}", w = name.len());
            w.start_file(tag.as_str(), o).unwrap();
            std::io::Write::write_all(&mut w, bytes).unwrap();
            renames.push((tag, name.to_string()));
        }
    }
    w.finish().unwrap();
    let mut data = std::fs::read(path).unwrap();
    for (tag, name) in renames {
        let at: Vec<usize> = data
            .windows(tag.len())
            .enumerate()
            .filter(|(_, w)| *w == tag.as_bytes())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(at.len(), 2, "placeholder {tag} once per header");
        for i in at {
            data[i..i + name.len()].copy_from_slice(name.as_bytes());
        }
    }
    std::fs::write(path, data).unwrap();
}

/// Issue 19, 7: two members of one name: only the last was read.
#[test]
fn zip_members_of_one_name_each_get_a_line() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("pkg.zip");
    let a = std::fs::read(cert_pdf()).unwrap();
    let b = std::fs::read(other_pdf()).unwrap();
    write_zip(&z, &[("c/cert.pdf", &a), ("c/cert.pdf", &b)]);
    let o = scan(&[os(&z)]);
    ok(&o);
    let m = by_input(t.path(), &stdout_lines(&o));
    assert_eq!(
        keys(&m),
        ["pkg.zip!c/cert.pdf", "pkg.zip!c/cert.pdf#2"],
        "{m:?}"
    );
    let sha = |k: &str| m[k][0]["sha256"].as_str().unwrap().to_string();
    assert_ne!(sha("pkg.zip!c/cert.pdf"), sha("pkg.zip!c/cert.pdf#2"));
    for v in m.values() {
        assert_eq!(v[0]["status"], "certificate", "{v:?}");
    }
}

/// Issue 19, 8: an empty ZIP, or one with only folders, gave no line.
#[test]
fn zip_without_documents_gets_a_line() {
    let t = tempfile::tempdir().unwrap();
    let empty = t.path().join("empty.zip");
    let folders = t.path().join("folders.zip");
    write_zip(&empty, &[]);
    write_zip(&folders, &[("x/", b""), ("x/y/", b"")]);
    let o = scan(&[os(&empty), os(&folders)]);
    ok(&o);
    let m = by_input(t.path(), &stdout_lines(&o));
    assert_eq!(keys(&m), ["empty.zip", "folders.zip"], "{m:?}");
    for v in m.values() {
        assert_eq!(v.len(), 1);
        assert_eq!(v[0]["status"], "error", "{v:?}");
        assert_eq!(v[0]["error"]["code"], "empty", "{v:?}");
        let msg = v[0]["error"]["message"].as_str().unwrap();
        assert!(msg.contains("no documents"), "{msg}");
    }
}

/// Issue 19, 9: kill -9 of the parent alone must not leave its workers
/// running under PID 1. The workers are found by their parent's pid in /proc;
/// after the kill they must be gone within 3 s (they die with the parent; the
/// old workers went on with their document for many seconds, reading a page
/// takes several).
#[test]
fn workers_die_with_their_parent() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/inputs");
    // Enough work to keep two workers busy for a while.
    let mut n = 0;
    for e in std::fs::read_dir(&samples).unwrap().flatten() {
        let p = e.path();
        if p.is_file() {
            for k in 0..4 {
                let name = format!("{k}_{}", p.file_name().unwrap().to_string_lossy());
                std::fs::copy(&p, dir.path().join(name)).unwrap();
                n += 1;
            }
        }
    }
    assert!(n > 0, "no samples in {}", samples.display());
    let out = dir.path().join("out.jsonl");
    let mut parent = std::process::Command::new(env!("CARGO_BIN_EXE_certscan"))
        .args(["scan", "-q", "-j", "2", "-o"])
        .arg(&out)
        .arg(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ppid = parent.id();
    let children_of = |pid: u32| -> Vec<u32> {
        let mut v = Vec::new();
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: the comm may hold spaces, so split after ')'.
            let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
            let f: Vec<&str> = rest.split_whitespace().collect();
            if f.get(1).and_then(|x| x.parse::<u32>().ok()) == Some(pid) {
                v.push(p);
            }
        }
        v
    };
    let start = Instant::now();
    let mut workers = Vec::new();
    while start.elapsed() < Duration::from_secs(60) {
        workers = children_of(ppid);
        if !workers.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!workers.is_empty(), "no worker process appeared");
    unsafe {
        libc::kill(ppid as i32, libc::SIGKILL);
    }
    let _ = parent.wait();
    let alive = |p: u32| {
        std::path::Path::new(&format!("/proc/{p}")).exists() && {
            // A zombie that init has not reaped yet is dead.
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .map(|s| {
                    !s.rsplit_once(')')
                        .map(|x| x.1.trim_start().starts_with('Z'))
                        .unwrap_or(false)
                })
                .unwrap_or(false)
        }
    };
    let t = Instant::now();
    while workers.iter().any(|&p| alive(p)) && t.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left: Vec<u32> = workers.into_iter().filter(|&p| alive(p)).collect();
    assert!(
        left.is_empty(),
        "workers {left:?} outlived their killed parent"
    );
}

/// Runs the binary with `args` (scan, as-of fixed); `env` adds variables,
/// `data_limit_mb` caps the whole process tree's data segment (RLIMIT_DATA,
/// inherited by the workers).
fn scan_with(args: &[&std::ffi::OsStr], env: &[(&str, &str)], data_limit_mb: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = bin();
    c.arg("scan")
        .args(args)
        .args(["--as-of", "2026-06-01", "-q"]);
    for (k, v) in env {
        c.env(k, v);
    }
    if data_limit_mb > 0 {
        let bytes = data_limit_mb << 20;
        // SAFETY: setrlimit only, between fork and exec.
        unsafe {
            c.pre_exec(move || {
                let lim = libc::rlimit {
                    rlim_cur: bytes as libc::rlim_t,
                    rlim_max: bytes as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_DATA, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    c.output().expect("certscan runs")
}

/// A PDF: page 1 of `first` followed by `more` pages of plain text in a
/// standard font (a text layer: read without OCR, in milliseconds).
fn pdf_with_text_pages(first: &Path, more: usize) -> Vec<u8> {
    use lopdf::{dictionary, Object, Stream};
    let mut doc = lopdf::Document::load(first).unwrap();
    let pages_id = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    for k in 0..more {
        let mut text = String::from("BT /F1 12 Tf 72 700 Td 14 TL\n");
        for line in 0..5 {
            text.push_str(&format!(
                "(Tender document, section {}: terms of delivery and payment, line {line}.) '\n",
                k + 2
            ));
        }
        text.push_str("ET\n");
        let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            "Contents" => content,
        });
        let pages = doc.get_object_mut(pages_id).unwrap().as_dict_mut().unwrap();
        pages
            .get_mut(b"Kids")
            .unwrap()
            .as_array_mut()
            .unwrap()
            .push(Object::Reference(page));
        let n = pages.get(b"Count").unwrap().as_i64().unwrap();
        pages.set("Count", n + 1);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Issue 19, 6: a page over `--page-timeout` turned the whole package into
/// one `timeout` line (the certificate on page 1 was lost), and at -j2 the
/// message named the wrong page (counted within its chunk). Page 6 of an
/// 8-page package (text layers) never ends (the test hook `spinpage6`: it
/// uses the CPU); at -j1 (read whole) and -j2 (read in chunks) the
/// certificate of page 1 is kept and the timeout line names page 6.
#[test]
fn a_page_past_its_time_limit_costs_that_page_only() {
    let t = tempfile::tempdir().unwrap();
    let pkg = t.path().join("pkg.pdf");
    std::fs::write(&pkg, pdf_with_text_pages(&cert_pdf(), 7)).unwrap();
    for jobs in ["1", "2"] {
        let o = scan_with(
            &[os(&pkg), os("-j"), os(jobs), os("--page-timeout"), os("5")],
            &[("CERTSCAN_FAULT", "spinpage6:pkg")],
            0,
        );
        ok(&o);
        let v = stdout_lines(&o);
        assert_eq!(v.len(), 2, "-j{jobs}: {v:?}");
        let cert = v.iter().find(|l| l["status"] == "certificate");
        let cert = cert.unwrap_or_else(|| panic!("-j{jobs}: certificate lost: {v:?}"));
        assert_eq!(cert["pages"], serde_json::json!([1]), "-j{jobs}");
        let to = v.iter().find(|l| l["status"] == "error").unwrap();
        assert_eq!(to["error"]["code"], "timeout", "-j{jobs}: {to}");
        assert_eq!(to["pages"], serde_json::json!([6]), "-j{jobs}: {to}");
        let msg = to["error"]["message"].as_str().unwrap();
        assert!(msg.contains("page 6 "), "-j{jobs}: {msg}");
    }
}

/// Issue 19 (the 10,000-file run): the page limit counted wall time, so a
/// page of a niced run on a busy node became a `timeout` line (62 of them;
/// five read alone in 5-9 s). Now it counts the worker's CPU time: a page
/// that waits 3 s without using CPU (`stallpage2`, as on a machine too busy
/// to run it) under a 2 s limit is read; a page blocked for good
/// (`hangpage2`, no CPU either) is still stopped, by the wall-clock backstop
/// (ten times the limit), and named.
#[test]
fn the_page_limit_counts_the_page_s_work_not_the_machine_s_load() {
    let t = tempfile::tempdir().unwrap();
    let slow = t.path().join("slow.pdf");
    let stuck = t.path().join("stuck.pdf");
    std::fs::write(&slow, pdf_with_text_pages(&cert_pdf(), 2)).unwrap();
    std::fs::write(&stuck, pdf_with_text_pages(&cert_pdf(), 2)).unwrap();
    let o = scan_with(
        &[
            os(t.path()),
            os("-j"),
            os("2"),
            os("--page-timeout"),
            os("2"),
        ],
        &[("CERTSCAN_FAULT", "stallpage2:slow,hangpage2:stuck")],
        0,
    );
    ok(&o);
    let v = stdout_lines(&o);
    let of = |name: &str| -> Vec<&serde_json::Value> {
        v.iter()
            .filter(|l| l["input"].as_str().unwrap().ends_with(name))
            .collect()
    };
    let slow_lines = of("slow.pdf");
    assert!(
        slow_lines.iter().all(|l| l["status"] != "error"),
        "a page slowed by the machine is not a timeout: {slow_lines:?}"
    );
    assert!(slow_lines.iter().any(|l| l["status"] == "certificate"));
    let stuck_lines = of("stuck.pdf");
    let to = stuck_lines
        .iter()
        .find(|l| l["status"] == "error")
        .unwrap_or_else(|| panic!("a blocked page must be stopped: {stuck_lines:?}"));
    assert_eq!(to["error"]["code"], "timeout", "{to}");
    assert_eq!(to["pages"], serde_json::json!([2]), "{to}");
    let msg = to["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("page 2 ") && msg.contains("without progress"),
        "{msg}"
    );
    assert!(stuck_lines.iter().any(|l| l["status"] == "certificate"));
}

/// A zlib stream of `head` then spaces, `mib` MiB in all, made without
/// compressing them all: one MiB compressed with a sync flush repeats byte
/// for byte once the window holds only spaces; an empty final block and the
/// Adler-32 of the whole (the spaces in closed form) end it.
fn zlib_of_spaces(head: &[u8], mib: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut first_chunk = head.to_vec();
    first_chunk.resize(1 << 20, b' ');
    let chunk = vec![b' '; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let one = |c: &mut Compress, data: &[u8]| {
        let mut out = Vec::with_capacity(1 << 16);
        let before = c.total_in();
        while c.total_in() - before < data.len() as u64 {
            let at = (c.total_in() - before) as usize;
            out.reserve(1 << 16);
            c.compress_vec(&data[at..], &mut out, FlushCompress::None)
                .unwrap();
        }
        loop {
            out.reserve(1 << 16);
            let n = out.len();
            c.compress_vec(&[], &mut out, FlushCompress::Sync).unwrap();
            if out.len() == n || out.capacity() > out.len() {
                break;
            }
        }
        out
    };
    let first = one(&mut c, &first_chunk);
    let steady = one(&mut c, &chunk);
    assert_eq!(
        one(&mut c, &chunk),
        steady,
        "the repeated block is not stable"
    );
    let mut z = first;
    for _ in 1..mib {
        z.extend_from_slice(&steady);
    }
    z.extend_from_slice(&[0x01, 0x00, 0x00, 0xFF, 0xFF]); // final empty stored block
    let (mut a, mut b) = (1u128, 0u128);
    for &x in &first_chunk {
        a = (a + x as u128) % 65521;
        b = (b + a) % 65521;
    }
    let n = ((mib as u128) - 1) << 20;
    let a2 = (a + 32 * n) % 65521;
    let b2 = (b + n * a + 32 * (n * (n + 1) / 2)) % 65521;
    z.extend_from_slice(&(((b2 << 16) | a2) as u32).to_be_bytes());
    z
}

/// A PDF of numbered objects (1 is the catalog) after `out`'s header, with
/// its xref table and trailer.
fn pdf_of_objects(mut out: Vec<u8>, objs: &[Vec<u8>]) -> Vec<u8> {
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A one-page PDF whose content stream is `zlib` (FlateDecode).
fn pdf_with_content(zlib: &[u8]) -> Vec<u8> {
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        [
            format!(
                "<< /Length {} /Filter /FlateDecode >>\nstream\n",
                zlib.len()
            )
            .into_bytes(),
            zlib.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    pdf_of_objects(b"%PDF-1.4\n".to_vec(), &objs)
}

/// Issue 19, 5 and "memory bounded by design": a 4.6 MB PDF whose content
/// stream inflates to 4 GiB took 8 GiB RSS and ended as `not_certificate`.
/// With the workers' memory ceiling it is `too_large`, and the run goes on
/// (the certificate given with it is read). Run under an RLIMIT_DATA of
/// 3 GiB for each process of the run: a worker without its own ceiling would
/// die of it (`crashed`), not report it.
#[test]
fn a_decompression_bomb_is_too_large_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let bomb = t.path().join("bomb.pdf");
    std::fs::write(&bomb, pdf_with_content(&zlib_of_spaces(b"", 4096))).unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 8 << 20);
    let cert = t.path().join("cert.pdf");
    std::fs::copy(cert_pdf(), &cert).unwrap();
    for (limit, extra) in [("default", None), ("512", Some("512"))] {
        let mut args = vec![os(&bomb), os(&cert), os("-j"), os("2")];
        if let Some(mb) = extra {
            args.extend([os("--memory-limit"), os(mb)]);
        }
        let o = scan_with(&args, &[], 3072);
        ok(&o);
        let v = stdout_lines(&o);
        assert_eq!(v.len(), 2, "{limit}: {v:?}");
        let b = v
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with("bomb.pdf"));
        let b = b.unwrap();
        assert_eq!(b["status"], "error", "{limit}: {b}");
        assert_eq!(b["error"]["code"], "too_large", "{limit}: {b}");
        assert!(b["sha256"].is_string(), "{b}");
        let msg = b["error"]["message"].as_str().unwrap();
        assert!(msg.contains("MiB"), "{msg}");
        let c = v
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with("cert.pdf"));
        assert_eq!(c.unwrap()["status"], "certificate", "{limit}: {v:?}");
    }
}

/// Issue 19, 11: at -j2 the supervisor itself inflated and parsed every input
/// to count its pages (1 GiB RSS on a ZIP bomb), outside the workers'
/// isolation. Under an RLIMIT_DATA of 768 MiB for each process, a ZIP
/// whose member inflates to 1.5 GiB gets its `too_large` line from a worker
/// (whose ceiling follows the inherited limit); the supervisor never holds it.
#[test]
fn the_supervisor_does_not_inflate_inputs() {
    let t = tempfile::tempdir().unwrap();
    let zip = t.path().join("pkg.zip");
    {
        // A deflated member built from the zlib stream above: the
        // raw deflate data is the zlib stream without its 2-byte header and
        // 4-byte checksum.
        let head = b"%PDF-1.4\n";
        let z = zlib_of_spaces(head, 1536);
        let deflate = &z[2..z.len() - 4];
        let size: u64 = 1536 << 20;
        let crc = crc32_of(head, size);
        write_raw_zip(&zip, "bomb.pdf", deflate, size, crc);
    }
    let cert = t.path().join("cert.pdf");
    std::fs::copy(cert_pdf(), &cert).unwrap();
    let o = scan_with(&[os(&zip), os(&cert), os("-j"), os("2")], &[], 768);
    ok(&o);
    let v = stdout_lines(&o);
    assert_eq!(v.len(), 2, "{v:?}");
    let b = v
        .iter()
        .find(|l| l["input"].as_str().unwrap().ends_with("pkg.zip!bomb.pdf"))
        .unwrap();
    assert_eq!(b["status"], "error", "{b}");
    assert!(
        ["too_large", "unsupported_format"].contains(&b["error"]["code"].as_str().unwrap()),
        "{b}"
    );
    let c = v
        .iter()
        .find(|l| l["input"].as_str().unwrap().ends_with("cert.pdf"))
        .unwrap();
    assert_eq!(c["status"], "certificate");
}

/// CRC-32 of `head` then spaces, `n` bytes in all.
fn crc32_of(head: &[u8], n: u64) -> u32 {
    let mut table = [0u32; 256];
    for (i, e) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *e = c;
    }
    let mut crc = !0u32;
    for k in 0..n {
        let x = head.get(k as usize).copied().unwrap_or(b' ');
        crc = table[((crc ^ x as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// A ZIP of one deflated member, written by hand (sizes and CRC as given).
fn write_raw_zip(path: &Path, name: &str, deflate: &[u8], size: u64, crc: u32) {
    write_raw_zip_flags(path, name, deflate, size, crc, 0)
}

/// The same with general-purpose `flags` (bit 0: encrypted).
fn write_raw_zip_flags(path: &Path, name: &str, deflate: &[u8], size: u64, crc: u32, flags: u16) {
    let mut out = Vec::new();
    let local = |out: &mut Vec<u8>| {
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes()); // deflate
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(deflate.len() as u32).to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    };
    local(&mut out);
    out.extend_from_slice(deflate);
    let cd = out.len();
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes()); // made by
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0x21, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(deflate.len() as u32).to_le_bytes());
    out.extend_from_slice(&(size as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0; 12]); // extra, comment, disk, int attr, ext attr (part)
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let cd_len = out.len() - cd;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(cd_len as u32).to_le_bytes());
    out.extend_from_slice(&(cd as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

/// A one-page PDF painting one grey image of `w`x`h` over the page, its data
/// `data` under `filter` (with `parms` as its DecodeParms, if any).
fn pdf_with_image(filter: &str, data: &[u8], w: u32, h: u32, bpc: u32, parms: &str) -> Vec<u8> {
    let content = b"q 595 0 0 842 0 0 cm /Im1 Do Q";
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        [format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(), content.to_vec(), b"\nendstream".to_vec()].concat(),
        [
            format!(
                "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray \
                 /BitsPerComponent {bpc} /Filter /{filter} {parms} /Length {} >>\nstream\n",
                data.len()
            )
            .into_bytes(),
            data.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    pdf_of_objects(b"%PDF-1.4\n".to_vec(), &objs)
}

/// Issue 19, 10: damaged JBIG2 / JPEG 2000 data in a PDF, a JPEG cut to 10 %
/// (alone or as a PDF's page image) became a blank page and
/// `not_certificate`. Each is now an error line naming the damage; in a
/// package, the damaged page costs that page only (the certificate of page
/// 1 is kept and the error line names page 2).
#[test]
fn damaged_image_data_is_an_error_naming_the_damage() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // Deterministic junk.
    let mut x = 0x2545_F491_u32;
    let junk: Vec<u8> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let jpg = std::fs::read(root().join("samples/inputs/sample_centred.jpg")).unwrap();
    let cut = &jpg[..jpg.len() / 10];
    std::fs::write(d.join("cut.jpg"), cut).unwrap();
    std::fs::write(
        d.join("jbig2.pdf"),
        pdf_with_image("JBIG2Decode", &junk, 1000, 1400, 1, ""),
    )
    .unwrap();
    let jpx = [&b"\0\0\0\x0cjP  \r\n\x87\n"[..], &junk].concat();
    std::fs::write(
        d.join("jpx.pdf"),
        pdf_with_image("JPXDecode", &jpx, 1000, 1400, 8, ""),
    )
    .unwrap();
    std::fs::write(
        d.join("jpegcut.pdf"),
        pdf_with_image("DCTDecode", cut, 1240, 1754, 8, ""),
    )
    .unwrap();
    let o = scan_with(&[os(d), os("-j"), os("2")], &[], 0);
    ok(&o);
    let v = stdout_lines(&o);
    let m = by_input(d, &v);
    let expect = [
        ("cut.jpg", "truncated", "cut short"),
        ("jbig2.pdf", "corrupt", "JBIG2"),
        ("jpx.pdf", "corrupt", "JPEG 2000"),
        (
            "jpegcut.pdf",
            "truncated",
            "JPEG image on page 1 is cut short",
        ),
    ];
    for (name, code, words) in expect {
        let l = &m[name];
        assert_eq!(l.len(), 1, "{name}: {l:?}");
        assert_eq!(l[0]["status"], "error", "{name}: {}", l[0]);
        assert_eq!(l[0]["error"]["code"], code, "{name}: {}", l[0]);
        let msg = l[0]["error"]["message"].as_str().unwrap();
        assert!(msg.contains(words), "{name}: {msg}");
    }
    // A package: page 1 a certificate, page 2 a damaged JBIG2 scan.
    let pkg = d.join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let both = join_pdfs(&[
        std::fs::read(cert_pdf()).unwrap(),
        pdf_with_image("JBIG2Decode", &junk, 1000, 1400, 1, ""),
    ]);
    std::fs::write(pkg.join("pkg.pdf"), both).unwrap();
    let o = scan_with(&[os(&pkg), os("-j"), os("1")], &[], 0);
    ok(&o);
    let v = stdout_lines(&o);
    assert_eq!(v.len(), 2, "{v:?}");
    let cert = v
        .iter()
        .find(|l| l["status"] == "certificate")
        .expect("certificate kept");
    assert_eq!(cert["pages"], serde_json::json!([1]));
    let e = v.iter().find(|l| l["status"] == "error").unwrap();
    assert_eq!(e["error"]["code"], "corrupt", "{e}");
    assert_eq!(e["pages"], serde_json::json!([2]), "{e}");
}

/// Issue 19, 10, the rest: damaged CCITT fax data in a PDF (junk, or the
/// data cut to 30 %) became a mostly white page and `not_certificate` (or a
/// certificate read from its top rows): the renderer keeps the rows decoded
/// before the damage without a word. Each is now an error naming the damage;
/// the same image whole is read. `cert_g4.ccitt` is sample_centred.jpg as a
/// 1240x1754 CCITT Group 4 image (PIL/libtiff, MinIsBlack: /BlackIs1 true).
#[test]
fn damaged_ccitt_data_is_an_error_naming_the_damage() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let g4 = std::fs::read(root().join("tests/fixtures/cert_g4.ccitt")).unwrap();
    let mut x = 0x9E37_79B9_u32;
    let junk: Vec<u8> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let parms = "/DecodeParms << /K -1 /Columns 1240 /Rows 1754 /BlackIs1 true >>";
    let pdf = |data: &[u8]| pdf_with_image("CCITTFaxDecode", data, 1240, 1754, 1, parms);
    std::fs::write(d.join("whole.pdf"), pdf(&g4)).unwrap();
    std::fs::write(d.join("cut.pdf"), pdf(&g4[..g4.len() * 3 / 10])).unwrap();
    std::fs::write(d.join("junk.pdf"), pdf(&junk)).unwrap();
    let o = scan_with(&[os(d), os("-j"), os("2")], &[], 0);
    ok(&o);
    let m = by_input(d, &stdout_lines(&o));
    assert_eq!(keys(&m), ["cut.pdf", "junk.pdf", "whole.pdf"], "{m:?}");
    let whole = &m["whole.pdf"];
    assert_eq!(whole.len(), 1, "{whole:?}");
    assert_eq!(whole[0]["status"], "certificate", "{}", whole[0]);
    for (name, code, words) in [
        (
            "cut.pdf",
            "truncated",
            "CCITT fax image on page 1 is cut short",
        ),
        (
            "junk.pdf",
            "corrupt",
            "CCITT fax image on page 1 is damaged",
        ),
    ] {
        let l = &m[name];
        assert_eq!(l.len(), 1, "{name}: {l:?}");
        assert_eq!(l[0]["status"], "error", "{name}: {}", l[0]);
        assert_eq!(l[0]["error"]["code"], code, "{name}: {}", l[0]);
        let msg = l[0]["error"]["message"].as_str().unwrap();
        assert!(msg.contains(words), "{name}: {msg}");
    }
}

/// Issue 19, 15: a ZIP of N members cost O(N²) (every member's read walked
/// the archive's directory from its start; 10,000 members took 83 s). Here
/// 10,000 members, documents and not, some of one name: each gets exactly
/// one line. (The count of directory entries parsed is checked in
/// src/discover.rs; the time is in docs/fuzzing-2026-12-05.md.)
#[test]
fn a_zip_of_ten_thousand_members_gives_each_one_line() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("big.zip");
    let cert = std::fs::read(cert_pdf()).unwrap();
    let n = 10_000;
    let mut names = Vec::new();
    {
        let f = std::fs::File::create(&z).unwrap();
        let mut w = zip::ZipWriter::new(std::io::BufWriter::new(f));
        let o = zip::write::SimpleFileOptions::default();
        for i in 0..n {
            let (name, bytes) = if i % 2500 == 7 {
                (format!("p/{i:05}.pdf"), cert.clone())
            } else {
                (format!("p/{i:05}.txt"), format!("note {i}\n").into_bytes())
            };
            w.start_file(name.as_str(), o).unwrap();
            std::io::Write::write_all(&mut w, &bytes).unwrap();
            names.push(format!("big.zip!{name}"));
        }
        w.finish().unwrap();
    }
    let o = scan(&[os(&z)]);
    ok(&o);
    let v = stdout_lines(&o);
    assert_eq!(v.len(), n, "one line per member");
    let m = by_input(t.path(), &v);
    names.sort();
    assert_eq!(
        keys(&m),
        names.iter().map(|s| s.as_str()).collect::<Vec<_>>()
    );
    for (name, l) in &m {
        assert_eq!(l.len(), 1, "{name}: {l:?}");
        let want = if name.ends_with(".pdf") {
            "certificate"
        } else {
            "error"
        };
        assert_eq!(l[0]["status"], want, "{name}: {}", l[0]);
    }
}

/// The pages of several PDFs, one after another, in one PDF (lopdf).
fn join_pdfs(files: &[Vec<u8>]) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, ObjectId};
    let mut max_id = 1;
    let mut pages: Vec<(ObjectId, Object)> = Vec::new();
    let mut objects = std::collections::BTreeMap::new();
    for bytes in files {
        let mut doc = Document::load_mem(bytes).unwrap();
        doc.renumber_objects_with(max_id);
        max_id = doc.max_id + 1;
        for (_, id) in doc.get_pages() {
            pages.push((id, doc.get_object(id).unwrap().clone()));
        }
        objects.extend(doc.objects);
    }
    let mut out = Document::with_version("1.5");
    let pages_id: ObjectId = (max_id, 0);
    let catalog_id: ObjectId = (max_id + 1, 0);
    for (id, o) in objects {
        match o.type_name().unwrap_or(b"") {
            b"Catalog" | b"Pages" => {}
            _ => {
                out.objects.insert(id, o);
            }
        }
    }
    for (id, o) in &pages {
        let mut d = o.as_dict().unwrap().clone();
        d.set("Parent", pages_id);
        out.objects.insert(*id, Object::Dictionary(d));
    }
    let kids: Vec<Object> = pages.iter().map(|(id, _)| Object::Reference(*id)).collect();
    out.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => pages.len() as i64,
        }),
    );
    out.objects.insert(
        catalog_id,
        Object::Dictionary(dictionary! { "Type" => "Catalog", "Pages" => pages_id }),
    );
    out.trailer.set("Root", catalog_id);
    out.max_id = max_id + 1;
    let mut buf = Vec::new();
    out.save_to(&mut buf).unwrap();
    buf
}

/// Issue 19, 12 and 16: a ZIP member was inflated in full (up to 2 GiB)
/// before its format was checked, and an encrypted member got `corrupt`.
/// Under an RLIMIT_DATA of 512 MiB per process, a member of 1 GiB of text is
/// refused as `unsupported_format` from its first bytes; an encrypted member
/// is `encrypted`.
#[test]
fn zip_members_are_sniffed_before_inflating_and_encryption_is_named() {
    let t = tempfile::tempdir().unwrap();
    let big = t.path().join("big.zip");
    let z = zlib_of_spaces(b"just notes, not a document", 1024);
    write_raw_zip(
        &big,
        "notes.txt",
        &z[2..z.len() - 4],
        1 << 30,
        crc32_of(b"just notes, not a document", 1 << 30),
    );
    let enc = t.path().join("enc.zip");
    let z = zlib_of_spaces(b"%PDF-1.4\n", 1);
    write_raw_zip_flags(
        &enc,
        "secret.pdf",
        &z[2..z.len() - 4],
        1 << 20,
        crc32_of(b"%PDF-1.4\n", 1 << 20),
        1,
    );
    let started = std::time::Instant::now();
    let o = scan_with(&[os(&big), os(&enc), os("-j"), os("1")], &[], 512);
    ok(&o);
    let v = stdout_lines(&o);
    assert_eq!(v.len(), 2, "{v:?}");
    let b = v
        .iter()
        .find(|l| l["input"].as_str().unwrap().ends_with("big.zip!notes.txt"))
        .unwrap();
    assert_eq!(b["error"]["code"], "unsupported_format", "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not inflated"),
        "{b}"
    );
    let e = v
        .iter()
        .find(|l| l["input"].as_str().unwrap().ends_with("enc.zip!secret.pdf"))
        .unwrap();
    assert_eq!(e["error"]["code"], "encrypted", "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

/// Issue 19, 13: `-o /dev/stdout | cat` hung (the output was read back to
/// resume), `-o /dev/full` read zeros without limit, `-o /dev/null` was
/// refused. Outputs that are not regular files are written, never read.
#[test]
fn outputs_that_are_not_regular_files() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let pdf = cert_pdf();
    let run = |out: &str, stdout: Stdio| {
        let mut c = bin();
        c.args(["scan", "-q", "--as-of", "2026-06-01", "-j", "1", "-o", out])
            .arg(&pdf)
            .stdout(stdout)
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let t = Instant::now();
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                return (st, child);
            }
            if t.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("-o {out} hangs");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // /dev/null: accepted, exit 0.
    let (st, _) = run("/dev/null", Stdio::null());
    assert!(st.success(), "/dev/null: {st:?}");
    // /dev/stdout into a pipe: the line comes out of the pipe.
    let (st, mut child) = run("/dev/stdout", Stdio::piped());
    assert!(st.success(), "/dev/stdout: {st:?}");
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    let v: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["status"], "certificate");
    // /dev/full: cannot be written, exit 2 at once, no endless read.
    let (st, mut child) = run("/dev/full", Stdio::null());
    assert_eq!(st.code(), Some(2), "/dev/full: {st:?}");
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(err.contains("cannot write output"), "{err}");
}

/// Issue 19, 17: stricter than poppler. A PDF missing only its `%%EOF`
/// (`truncated`), one with 2 KB of junk before its header and one with
/// 1,000-deep nesting in a key nothing uses (`corrupt`) are read; so are
/// catalogs with other values lopdf cannot take in a key nothing uses
/// (found by the PDFium comparison, docs/pdfium-2026-12-05.md).
#[test]
fn pdfs_poppler_reads_are_read() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let pdf = std::fs::read(cert_pdf()).unwrap();
    let eof = pdf.windows(5).rposition(|w| w == b"%%EOF").unwrap();
    std::fs::write(d.join("no_eof.pdf"), &pdf[..eof]).unwrap();
    let mut junk = vec![b'J'; 2048];
    junk.push(b'\n');
    junk.extend_from_slice(&pdf);
    std::fs::write(d.join("junk_first.pdf"), &junk).unwrap();
    // An incremental update rewrites the catalog with a key nothing uses
    // holding a value lopdf cannot take: 1,000 arrays deep, 1,000
    // dictionaries deep, a dictionary whose key has no value (PDFium reads
    // all of them; the catalog is dropped and its pages must be found by the
    // page tree's root).
    let damages = [
        (
            "deep.pdf",
            format!("{}{}", "[".repeat(1000), "]".repeat(1000)),
        ),
        (
            "deep_dicts.pdf",
            format!("{}{}", "<< /A ".repeat(1000), ">> ".repeat(1000)),
        ),
        ("no_value.pdf", "<< /A >>".to_string()),
    ];
    for (name, unused) in &damages {
        std::fs::write(d.join(name), catalog_with(&pdf, unused)).unwrap();
    }
    let o = scan_with(&[os(d), os("-j"), os("2")], &[], 0);
    ok(&o);
    let v = stdout_lines(&o);
    let m = by_input(d, &v);
    for name in ["no_eof.pdf", "junk_first.pdf"]
        .into_iter()
        .chain(damages.iter().map(|d| d.0))
    {
        let l = &m[name];
        assert_eq!(l.len(), 1, "{name}: {l:?}");
        assert_eq!(l[0]["status"], "certificate", "{name}: {}", l[0]);
    }
}

/// `pdf` saved again with the key `/Unused` in its catalog holding `unused`
/// (PDF syntax): the catalog's only version (a string of the same length is
/// written in its place, then replaced byte for byte, so that the offsets
/// hold).
fn catalog_with(pdf: &[u8], unused: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(pdf).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let holder = format!("({})", "x".repeat(unused.len() - 2));
    doc.get_object_mut(root)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set(
            "Unused",
            lopdf::Object::String(vec![b'x'; unused.len() - 2], lopdf::StringFormat::Literal),
        );
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    let at = out
        .windows(holder.len())
        .position(|w| w == holder.as_bytes())
        .expect("the placeholder is written as it is");
    out[at..at + holder.len()].copy_from_slice(unused.as_bytes());
    out
}
