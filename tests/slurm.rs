//! Real Slurm (issue 16): a cluster of one slurmctld and two slurmd started by
//! the test itself (tests/common/slurm.rs). Skipped only when the Slurm or
//! munge programs are not installed (`scripts/setup` installs them), and not
//! even then under `CERTSCAN_REQUIRE_SLURM=1` (set by `.ci/run`).

mod common;
use common::slurm::{self, Cluster};
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

#[test]
fn array_requeues_on_node_death() {
    let Some(dir) = cluster_dir("requeue") else {
        return;
    };
    let t0 = Instant::now();
    let mut c = Cluster::start(&dir).unwrap_or_else(|e| panic!("cluster start: {e}"));
    eprintln!("cluster up in {:.2?} (ports {:?})", c.start_time, c.ports());
    let d = dir.display();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let task = format!(
        "#!/bin/bash
set -eu
echo \"$SLURM_ARRAY_TASK_ID $SLURMD_NODENAME $(date +%s.%N)\" >> {d}/starts
sleep 4
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
echo \"$(wc -l < {d}/done) $(date +%s.%N)\" > {d}/merged
"
    );
    let dep = format!("--dependency=afterok:{array}");
    let merge_id = c
        .sbatch(&[&dep, &format!("--output={d}/out/merge.out")], &merge)
        .unwrap();

    // Wait for a task to be running on n1 (its script started), then kill n1.
    let wait0 = Instant::now();
    let victim = loop {
        if let Some(e) = events(&dir.join("starts")).iter().find(|e| e.node == "n1") {
            break e.task;
        }
        assert!(
            wait0.elapsed() < Duration::from_secs(60),
            "no task started on n1 within 60 s\n{}",
            c.logs_tail(20)
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        c.node_of_task(array, victim).unwrap().as_deref(),
        Some("n1"),
        "scontrol and the task's own line disagree on where task {victim} runs"
    );
    let stepds = c.stepds("n1");
    assert!(!stepds.is_empty(), "no slurmstepd found for n1");
    let killed_at = now();
    let kill_t = Instant::now();
    let killed = c.kill_node("n1").unwrap();
    eprintln!("killed n1 while it ran task {victim}: pids {killed:?} (slurmstepd {stepds:?})");
    assert!(c.stepds("n1").is_empty(), "a slurmstepd of n1 survived");

    let tasks = c
        .wait_job(array, Duration::from_secs(240))
        .unwrap_or_else(|e| panic!("{e}"));
    let requeued = kill_t.elapsed();
    let merged_jobs = c
        .wait_job(merge_id, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}"));

    // Slurm's view: eight tasks, all completed with exit code 0; the victim
    // restarted once and last ran on n2; the merge job completed.
    let by_task: BTreeMap<u32, &slurm::Job> = tasks
        .iter()
        .filter_map(|j| Some((j.array_task()?, j)))
        .collect();
    let summaries: Vec<String> = tasks.iter().map(|j| j.summary()).collect();
    assert_eq!(
        by_task.keys().copied().collect::<Vec<_>>(),
        (0..8).collect::<Vec<_>>(),
        "{summaries:#?}"
    );
    for (t, j) in &by_task {
        assert_eq!(j.state(), "COMPLETED", "task {t}: {}", j.summary());
        assert_eq!(j.get("ExitCode"), Some("0:0"), "task {t}: {}", j.summary());
    }
    let v = by_task[&victim];
    assert!(
        v.restarts() >= 1,
        "task {victim} was not requeued: {}",
        v.summary()
    );
    assert_eq!(v.batch_host(), Some("n2"), "{}", v.summary());
    assert_eq!(
        c.node_of_task(array, victim).unwrap().as_deref(),
        Some("n2")
    );
    assert_eq!(merged_jobs.len(), 1);
    assert_eq!(
        merged_jobs[0].state(),
        "COMPLETED",
        "{}",
        merged_jobs[0].summary()
    );

    // The tasks' own view: each finished exactly once, none on n1 after the
    // kill; the victim started on n1, was cut off, and ran again on n2.
    let starts = events(&dir.join("starts"));
    let done = events(&dir.join("done"));
    for t in 0..8 {
        let n = done.iter().filter(|e| e.task == t).count();
        assert_eq!(n, 1, "task {t} finished {n} times: {done:?}");
    }
    for e in done.iter().filter(|e| e.node == "n1") {
        assert!(
            e.at < killed_at,
            "task {} finished on n1 after the kill",
            e.task
        );
    }
    let victim_starts: Vec<&Event> = starts.iter().filter(|e| e.task == victim).collect();
    assert_eq!(
        victim_starts
            .iter()
            .map(|e| e.node.as_str())
            .collect::<Vec<_>>(),
        ["n1", "n2"],
        "task {victim}'s starts: {starts:?}"
    );
    let victim_done = done.iter().find(|e| e.task == victim).unwrap();
    assert_eq!(victim_done.node, "n2");
    let rerun_after = victim_starts[1].at - killed_at;

    // The dependent job ran after every task had finished.
    let merged = std::fs::read_to_string(dir.join("merged")).expect("the merge job wrote");
    let f: Vec<&str> = merged.split_whitespace().collect();
    assert_eq!(f[0], "8", "the merge job saw {} finished tasks", f[0]);
    let merged_at: f64 = f[1].parse().unwrap();
    let last_done = done.iter().map(|e| e.at).fold(0.0, f64::max);
    assert!(
        merged_at >= last_done,
        "merge ran before the last task finished"
    );

    assert!(c.node_state("n1").unwrap().starts_with("down"));
    let daemons = c.daemon_pids();
    drop(c);
    for (name, pid) in daemons {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "{name} ({pid}) still runs after the cluster was dropped"
        );
    }
    for n in slurm::NODES {
        assert!(
            slurm::stepds_of(&dir, n).is_empty(),
            "a slurmstepd of {n} survived"
        );
    }
    eprintln!(
        "task {victim} re-ran on n2 {rerun_after:.1} s after n1 was killed; array done \
         {requeued:.1?} after the kill; whole test {:.1?}",
        t0.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
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
