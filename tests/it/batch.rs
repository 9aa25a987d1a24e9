//! Archive scale (issue 16): shards and their merge, clean stops on signals,
//! one writer per output, progress for logs and programs, exit codes a
//! scheduler can act on, inputs named one way whatever way they are typed.
//! Real binary, real generated certificates.

use crate::common;
use common::*;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const AS_OF: &str = "2025-11-20";

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("certscan-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// certscan in `dir` with `args` (the as-of date fixed).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .args(["--as-of", AS_OF])
        .output()
        .expect("certscan runs")
}

fn merge_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .arg("merge")
        .args(args)
        .output()
        .expect("certscan runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn inputs_of(path: &Path) -> Vec<String> {
    lines(path)
        .iter()
        .map(|l| l["input"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shards_merge_into_what_one_run_writes() {
    let dir = tmp("shards");
    batch_corpus(&dir, 44, 3);
    let one = run_in(&dir, &["scan", "c", "-o", "one.jsonl", "-j", "2", "-q"]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    let all: HashSet<String> = inputs_of(&dir.join("one.jsonl")).into_iter().collect();
    assert_eq!(all.len(), 50);

    // Every input in exactly one shard; the duplicate pairs straddle shards.
    let mut listed: Vec<String> = Vec::new();
    let mut shard_of_pair = Vec::new();
    for i in 0..8 {
        let o = run_in(&dir, &["scan", "c", "--shard", &format!("{i}/8"), "--list"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let names: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        for n in &names {
            if n.contains("dup甲0") || n.contains("dup乙0") {
                shard_of_pair.push(i);
            }
        }
        listed.extend(names);
    }
    assert_eq!(listed.len(), 50, "every input listed once");
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), all);
    assert_eq!(shard_of_pair.len(), 2);
    assert_ne!(
        shard_of_pair[0], shard_of_pair[1],
        "the test's pair must straddle two shards"
    );

    for i in 0..8 {
        let o = run_in(
            &dir,
            &[
                "scan",
                "c",
                "--shard",
                &format!("{i}/8"),
                "-o",
                "sh/",
                "-j",
                "1",
                "-q",
            ],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let f = dir.join(format!("sh/shard-{i:04}-of-0008.jsonl"));
        let marker: Value =
            serde_json::from_slice(&std::fs::read(f.with_extension("jsonl.done")).unwrap())
                .unwrap();
        assert_eq!(marker["shard"], i);
        assert_eq!(marker["lines"], lines(&f).len());
    }
    // A line of another shard's input left in shard 0's file (a run with
    // another plan): resuming shard 0 keeps it, the merge drops it.
    let foreign = std::fs::read_to_string(dir.join("sh/shard-0001-of-0008.jsonl")).unwrap();
    let foreign = foreign.lines().next().unwrap();
    let s0 = dir.join("sh/shard-0000-of-0008.jsonl");
    let mut text = std::fs::read_to_string(&s0).unwrap();
    text.push_str(foreign);
    text.push('\n');
    std::fs::write(&s0, text).unwrap();
    let o = run_in(
        &dir,
        &["scan", "c", "--shard", "0/8", "-o", "sh/", "-j", "1", "-q"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let m = merge_in(&dir, &["-o", "merged.jsonl", "sh"]);
    assert_eq!(code(&m), 0, "{}", stderr(&m));
    assert!(
        stderr(&m).contains("1 line(s) of inputs of other shards"),
        "{}",
        stderr(&m)
    );
    assert_eq!(
        sorted_lines(&dir.join("merged.jsonl")),
        sorted_lines(&dir.join("one.jsonl")),
        "the merged shards differ from one run"
    );
    let dups = lines(&dir.join("merged.jsonl"))
        .iter()
        .filter(|l| {
            l["validation"]["findings"].as_array().is_some_and(|f| {
                f.iter()
                    .any(|f| f["code"] == "DUPLICATE_CERTIFICATE_NUMBER")
            })
        })
        .count();
    assert_eq!(dups, 6, "three pairs, each line flagged");
    // Merging again gives the same bytes.
    let m2 = merge_in(&dir, &["-q", "-o", "merged2.jsonl", "sh"]);
    assert_eq!(code(&m2), 0);
    assert_eq!(
        std::fs::read(dir.join("merged.jsonl")).unwrap(),
        std::fs::read(dir.join("merged2.jsonl")).unwrap()
    );

    // An unfinished shard (no marker) or a missing one: refused, unless --partial.
    std::fs::remove_file(dir.join("sh/shard-0003-of-0008.jsonl.done")).unwrap();
    std::fs::rename(
        dir.join("sh/shard-0005-of-0008.jsonl"),
        dir.join("shard5.moved"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("sh/shard-0005-of-0008.jsonl.done")).unwrap();
    let refused = merge_in(&dir, &["-o", "merged.jsonl", "sh"]);
    assert_eq!(code(&refused), 2);
    let why = stderr(&refused);
    assert!(why.contains("1 of 8 shards missing (5)"), "{why}");
    assert!(why.contains("shard 3 not finished"), "{why}");
    assert_eq!(
        std::fs::read(dir.join("merged.jsonl")).unwrap(),
        std::fs::read(dir.join("merged2.jsonl")).unwrap(),
        "a refused merge leaves the output alone"
    );
    let partial = merge_in(&dir, &["-o", "partial.jsonl", "--partial", "sh"]);
    assert_eq!(code(&partial), 3, "{}", stderr(&partial));
    let moved = lines(&dir.join("shard5.moved")).len();
    assert_eq!(lines(&dir.join("partial.jsonl")).len(), 50 - moved);
}

fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = after.split(' ').nth(1).unwrap().parse().unwrap();
        if ppid == pid {
            out.push(p);
        }
    }
    out
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s[s.rfind(')').unwrap() + 2..].starts_with('Z'))
        .unwrap_or(false)
}

#[test]
fn sigterm_stops_cleanly_a_second_writer_waits_and_resumes() {
    let dir = tmp("sigterm");
    let inputs = samples();
    let n_inputs = std::fs::read_dir(&inputs).unwrap().count();
    let out = dir.join("r.jsonl");
    let events = dir.join("events.jsonl");
    let first = bin()
        .args([
            "scan",
            inputs.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["-j", "2", "--progress-interval", "1", "--progress-json"])
        .arg(&events)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its workers are up and reading.
    let t0 = Instant::now();
    let mut workers = Vec::new();
    while workers.len() < 2 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
        workers = children_of(first.id());
    }
    assert_eq!(workers.len(), 2, "two worker processes");
    // A second run on the same output waits for the first.
    let second = bin()
        .args([
            "scan",
            inputs.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["-j", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        children_of(second.id()).is_empty(),
        "the second run reads nothing while it waits"
    );
    let first_pid = first.id();
    let killed = Command::new("kill")
        .args(["-TERM", &first_pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let first = first.wait_with_output().unwrap();
    let err = stderr(&first);
    assert_eq!(first.status.code(), Some(143), "{err}");
    assert!(err.contains("stopped by SIGTERM"), "{err}");
    assert!(
        err.contains("pages/s, ETA"),
        "progress lines on a non-terminal stderr: {err}"
    );
    std::thread::sleep(Duration::from_millis(300));
    for w in &workers {
        assert!(!alive(*w), "worker {w} outlived its stopped parent");
    }
    // Every line whole.
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(text.is_empty() || text.ends_with('\n'));
    let after_stop = lines(&out).len();
    assert!(after_stop < n_inputs, "the run was stopped before its end");

    let second = second.wait_with_output().unwrap();
    let err2 = stderr(&second);
    assert_eq!(second.status.code(), Some(0), "{err2}");
    assert_eq!(first_pid_of(&err2), first_pid.to_string(), "{err2}");
    let got = inputs_of(&out);
    assert_eq!(got.len(), n_inputs, "every input once after the resume");
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), n_inputs);

    // The events of the stopped run.
    let ev: Vec<Value> = lines(&events);
    let kinds: Vec<&str> = ev.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"run_started"));
    assert!(kinds.contains(&"document_started"));
    assert!(kinds.contains(&"progress"));
    let last = ev.last().unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!(last["stopped_by"], "SIGTERM");
    assert_eq!(last["exit_code"], 143);
    let finished = kinds.iter().filter(|k| **k == "document_finished").count();
    assert_eq!(finished, after_stop, "one event per document written");
}

/// The pid the waiting run names ("another certscan (pid N) is writing").
fn first_pid_of(err: &str) -> String {
    err.split("(pid ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or("?")
        .to_string()
}

#[test]
fn exit_codes_inputs_named_one_way_and_retried_errors() {
    let dir = tmp("exits");
    batch_corpus(&dir, 4, 0);
    std::fs::write(dir.join("c/box1/broken.pdf"), b"%PDF-1.7\n1 0 obj <<").unwrap();

    // Errors in inputs are lines; the run exits 0 unless --fail-on-error.
    let o = run_in(&dir, &["scan", "./c", "-o", "r.jsonl", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = inputs_of(&dir.join("r.jsonl"));
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|i| i.starts_with("c/box")), "{got:?}");
    // `c` is `./c`: nothing read twice.
    let again = run_in(&dir, &["scan", "c", "-o", "r.jsonl"]);
    assert_eq!(code(&again), 0);
    assert!(
        stderr(&again).contains("5 already recorded, skipped"),
        "{}",
        stderr(&again)
    );
    assert_eq!(lines(&dir.join("r.jsonl")).len(), 5);

    let fail = run_in(&dir, &["scan", "c", "--fail-on-error", "-q"]);
    assert_eq!(code(&fail), 4);
    // A mistyped path: its error line, the others read, exit 3.
    let missing = run_in(&dir, &["scan", "c/box0", "c/nosuch.pdf", "-q"]);
    assert_eq!(code(&missing), 3, "{}", stderr(&missing));
    let l = stdout_lines(&missing);
    assert!(l
        .iter()
        .any(|l| l["input"] == "c/nosuch.pdf" && l["status"] == "error"));
    assert!(l.iter().any(|l| l["status"] == "certificate"));
    // A run that cannot run: 2.
    let bad = run_in(&dir, &["scan", "c", "--shard", "8/8"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("numbered from 0 to 7"),
        "{}",
        stderr(&bad)
    );

    // --retry-errors: the input that was an error is read again, its line replaced.
    std::fs::copy(dir.join("c/box0/c000.pdf"), dir.join("c/box1/broken.pdf")).unwrap();
    let retry = run_in(&dir, &["scan", "c", "-o", "r.jsonl", "--retry-errors"]);
    assert_eq!(code(&retry), 0, "{}", stderr(&retry));
    let all = lines(&dir.join("r.jsonl"));
    assert_eq!(all.len(), 5);
    let fixed: Vec<&Value> = all
        .iter()
        .filter(|l| l["input"] == "c/box1/broken.pdf")
        .collect();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["status"], "certificate");

    // An archive member as the output prints it is an input.
    let pdf = std::fs::read(dir.join("c/box2/c002.pdf")).unwrap();
    std::fs::write(
        dir.join("pkg.zip"),
        docx::zip_bytes(&[("资质/a.pdf", pdf.clone()), ("资质/b.pdf", pdf)]),
    )
    .unwrap();
    let whole = run_in(&dir, &["scan", "pkg.zip", "-q"]);
    let members: Vec<String> = stdout_lines(&whole)
        .iter()
        .map(|l| l["input"].as_str().unwrap().to_string())
        .collect();
    let member = "pkg.zip!资质/b.pdf".to_string();
    assert!(members.contains(&member), "{members:?}");
    let one = run_in(&dir, &["scan", &member, "-q"]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    let l = stdout_lines(&one);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["input"], member.as_str());
    assert_eq!(l[0]["status"], "certificate");
    let nosuch = run_in(&dir, &["scan", "pkg.zip!资质/c.pdf", "-q"]);
    let l = stdout_lines(&nosuch);
    assert_eq!(l[0]["status"], "error");
    assert!(l[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no member named 资质/c.pdf"));
}
