//! Real Slurm (issue 16): a cluster of one slurmctld and two slurmd started by
//! the test itself (tests/it/common/slurm.rs). Skipped only when the Slurm or
//! munge programs are not installed (`scripts/setup` installs them), and not
//! even then under `CERTSCAN_REQUIRE_SLURM=1` (set by `.ci/run`).

use crate::common;
use common::slurm::{self, Cluster};
use common::{batch_corpus, lines, root, sorted_lines};

const AS_OF: &str = "2025-11-20";
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// A fresh folder for one cluster (kept when the test fails, for its logs).
fn cluster_dir(name: &str) -> Option<PathBuf> {
    if let Some(m) = slurm::missing_programs() {
        assert!(
            std::env::var_os("CERTSCAN_REQUIRE_SLURM").is_none(),
            "CERTSCAN_REQUIRE_SLURM is set but these are not installed: {m} (scripts/setup installs them)"
        );
        eprintln!("skipped: not installed: {m} (scripts/setup installs them)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("certscan-slurm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// One line a task wrote: `start|done TASK NODE EPOCH`.
#[derive(Debug, Clone)]
struct Event {
    task: u32,
    node: String,
    at: f64,
}

fn events(path: &Path) -> Vec<Event> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 3, "bad line {l:?} in {}", path.display());
            Event {
                task: f[0].parse().unwrap(),
                node: f[1].to_string(),
                at: f[2].parse().unwrap(),
            }
        })
        .collect()
}

/// The archive on a cluster, as docs/batch.md tells operators to run it: an
/// array of 8 shards (`scan --shard auto`) with `--requeue`, the merge as a
/// job `--dependency=afterok` on the array. One node is killed (its slurmd,
/// its slurmstepd and the task's processes) while its certscan reads; Slurm
/// runs the task again on the other node, where it resumes the shard's file.
/// The merged file equals a one-process run of the same inputs: every input
/// once, the duplicate number whose two halves are in different shards found.
#[test]
fn sharded_scan_survives_a_node_death_and_merges_into_one_run() {
    let Some(dir) = cluster_dir("certscan") else {
        return;
    };
    let t0 = Instant::now();
    let corpus = dir.join("corpus");
    batch_corpus(&corpus, 40, 3);
    // Scans that take OCR time, so that the kill lands while a shard reads.
    for (i, name) in ["sample_centred.jpg", "sample_table.png", "sample_scan.pdf"]
        .iter()
        .cycle()
        .take(12)
        .enumerate()
    {
        let ext = name.rsplit('.').next().unwrap();
        std::fs::copy(
            root().join("samples/inputs").join(name),
            corpus.join(format!("c/box{}/scan{i}.{ext}", i % 4)),
        )
        .unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_certscan");
    let one = bin_in(&corpus)
        .args([
            "scan",
            "c",
            "-o",
            "one.jsonl",
            "-j",
            "2",
            "-q",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let n_inputs = std::fs::read_to_string(corpus.join("one.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert!(n_inputs >= 58, "{n_inputs} lines");

    let mut c = Cluster::start(&dir).unwrap_or_else(|e| panic!("cluster start: {e}"));
    let (d, cd) = (dir.display(), corpus.display());
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let task = format!(
        "#!/bin/bash
set -eu
cd {cd}
echo \"$SLURM_ARRAY_TASK_ID $SLURMD_NODENAME $(date +%s.%N)\" >> {d}/starts
{bin} scan c --shard auto -o shards/ -j 1 -q --as-of {AS_OF}
echo \"$SLURM_ARRAY_TASK_ID $SLURMD_NODENAME $(date +%s.%N)\" >> {d}/done
"
    );
    let out = format!("--output={d}/out/%A_%a.out");
    let array = c
        .sbatch(&["--array=0-7", "--requeue", &out], &task)
        .unwrap();
    let merge = format!(
        "#!/bin/bash
set -eu
cd {cd}
{bin} merge -o merged.jsonl shards/
"
    );
    let dep = format!("--dependency=afterok:{array}");
    let merge_id = c
        .sbatch(&[&dep, &format!("--output={d}/out/merge.out")], &merge)
        .unwrap();

    // A task reading on n1: kill the node under it. Shards holding a scan
    // take seconds of OCR; the kill lands once such a shard's certscan has
    // opened its file, before it finishes.
    let shard_inputs: Vec<Vec<String>> = (0..8).map(|i| shard_list(i, &corpus)).collect();
    let shard_file = |t: u32| corpus.join(format!("shards/shard-{t:04}-of-0008.jsonl"));
    let wait0 = Instant::now();
    let victim = loop {
        let done: Vec<u32> = events(&dir.join("done")).iter().map(|e| e.task).collect();
        let reading = events(&dir.join("starts")).into_iter().find(|e| {
            e.node == "n1"
                && !done.contains(&e.task)
                && shard_inputs[e.task as usize]
                    .iter()
                    .any(|n| n.contains("/scan"))
                && shard_file(e.task).exists()
        });
        if let Some(e) = reading {
            break e.task;
        }
        assert!(
            wait0.elapsed() < Duration::from_secs(300),
            "no shard with a scan ran on n1 within 300 s\n{}",
            c.logs_tail(20)
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let killed_at = now();
    let killed = c.kill_node("n1").unwrap();
    let lines_at_kill = std::fs::read_to_string(shard_file(victim))
        .map(|s| s.lines().count())
        .unwrap_or(0);
    let in_shard = shard_inputs[victim as usize].len();
    eprintln!(
        "killed n1 while it ran shard {victim} ({lines_at_kill} of {in_shard} line(s) written): pids {killed:?}"
    );
    assert!(
        lines_at_kill < in_shard,
        "shard {victim} had finished before the kill"
    );

    let tasks = c
        .wait_job(array, Duration::from_secs(600))
        .unwrap_or_else(|e| panic!("{e}"));
    let merged_jobs = c
        .wait_job(merge_id, Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("{e}"));
    let by_task: BTreeMap<u32, &slurm::Job> = tasks
        .iter()
        .filter_map(|j| Some((j.array_task()?, j)))
        .collect();
    assert_eq!(
        by_task.len(),
        8,
        "{:#?}",
        tasks.iter().map(|j| j.summary()).collect::<Vec<_>>()
    );
    for (t, j) in &by_task {
        assert_eq!(j.state(), "COMPLETED", "task {t}: {}", j.summary());
    }
    let v = by_task[&victim];
    assert!(
        v.restarts() >= 1,
        "shard {victim} was not requeued: {}",
        v.summary()
    );
    assert_eq!(v.batch_host(), Some("n2"), "{}", v.summary());
    assert_eq!(
        merged_jobs[0].state(),
        "COMPLETED",
        "{}",
        merged_jobs[0].summary()
    );
    let starts: Vec<String> = events(&dir.join("starts"))
        .iter()
        .filter(|e| e.task == victim)
        .map(|e| e.node.clone())
        .collect();
    assert_eq!(starts, ["n1", "n2"], "shard {victim}'s starts");
    for e in events(&dir.join("done")) {
        assert!(
            e.node != "n1" || e.at < killed_at,
            "shard {} finished on a dead node",
            e.task
        );
    }

    // The merged file is the one-process run's, line for line.
    let merged = corpus.join("merged.jsonl");
    assert_eq!(
        sorted_lines(&merged),
        sorted_lines(&corpus.join("one.jsonl"))
    );
    let inputs: Vec<String> = lines(&merged)
        .iter()
        .map(|l| l["input"].as_str().unwrap().to_string())
        .collect();
    let distinct: std::collections::HashSet<&String> = inputs.iter().collect();
    assert_eq!(inputs.len(), n_inputs);
    assert_eq!(distinct.len(), n_inputs, "an input twice");
    let dup_shards: std::collections::HashSet<u32> = lines(&merged)
        .iter()
        .filter(|l| {
            l["validation"]["findings"].as_array().is_some_and(|f| {
                f.iter()
                    .any(|f| f["code"] == "DUPLICATE_CERTIFICATE_NUMBER")
            })
        })
        .map(|l| certscan_shard_of(l["input"].as_str().unwrap(), &corpus))
        .collect();
    assert!(
        dup_shards.len() >= 2,
        "the duplicates straddle shards: {dup_shards:?}"
    );
    drop(c);
    eprintln!(
        "shard {victim} requeued onto n2; {n_inputs} inputs merged equal to one run; whole test {:.1?}",
        t0.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The inputs of shard `i` of 8 (asked of the binary, as an operator would).
fn shard_list(i: u32, corpus: &Path) -> Vec<String> {
    let o = bin_in(corpus)
        .args(["scan", "c", "--shard", &format!("{i}/8"), "--list"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The shard certscan puts an input in.
fn certscan_shard_of(input: &str, corpus: &Path) -> u32 {
    (0..8)
        .find(|&i| shard_list(i, corpus).iter().any(|l| l == input))
        .unwrap_or_else(|| panic!("{input} is in no shard"))
}

fn bin_in(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_certscan"));
    c.current_dir(dir);
    c
}

/// A test that fails with a cluster up leaves nothing running: `Drop` stops
/// the daemons, and the stepds of a job still running, while unwinding. Run
/// beside the other test, it also starts a second cluster on other ports.
#[test]
fn failing_test_leaves_nothing_running() {
    let Some(dir) = cluster_dir("panic") else {
        return;
    };
    let (daemons, ports) = std::panic::catch_unwind(|| {
        let c = Cluster::start(&dir).unwrap_or_else(|e| panic!("cluster start: {e}"));
        let id = c
            .sbatch(&["--output=/dev/null"], "#!/bin/bash\nsleep 300\n")
            .unwrap();
        let t0 = Instant::now();
        while slurm::NODES.iter().all(|n| c.stepds(n).is_empty()) {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "job {id} never started"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let found = (c.daemon_pids(), c.ports());
        // Hand the pids out through the panic payload.
        std::panic::panic_any(found)
    })
    .expect_err("the closure panics")
    .downcast::<(Vec<(String, i32)>, [u16; 3])>()
    .map(|b| *b)
    .unwrap_or_else(|e| panic!("failed before the deliberate panic: {e:?}"));
    assert_eq!(daemons.len(), 4, "{daemons:?}");
    for (name, pid) in daemons {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "{name} ({pid}) still runs after a panic"
        );
    }
    for n in slurm::NODES {
        assert!(
            slurm::stepds_of(&dir, n).is_empty(),
            "a slurmstepd of {n} survived a panic"
        );
    }
    for p in ports {
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", p)).is_ok(),
            "port {p} still taken"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
