//! Isolation and parallelism: each worker is a child process (`certscan
//! __worker`) with its own OCR engine, fed one document at a time over its
//! stdin and answering on its stdout. A panic, a crash or a hang in one
//! document costs only that document: the supervisor turns it into an error or
//! timeout line, restarts the worker, and the run goes on.
//!
//! Children get `OMP_THREAD_LIMIT=1` in their environment before
//! libtesseract loads (OpenMP makes Tesseract 2-2.5x slower on 2 cores).

use crate::discover::{read_bytes, InputRef};
use crate::error::{DocError, ErrorCode};
use crate::model::Record;
use crate::pipeline::{sha256_hex, Settings, Worker};
use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// A message from a worker to the supervisor.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Msg {
    /// The worker is up (its engine may start lazily).
    Ready,
    /// A page of the current document is done.
    Progress { done: u32, total: u32 },
    /// The document is finished.
    Done { records: Vec<Record> },
}

/// Runs the worker loop of a child process: read jobs (one JSON `InputRef` per
/// line) from stdin, answer on stdout.
pub fn child_main(settings: Settings) -> anyhow::Result<()> {
    // A panic message on stderr is enough; the document's error line says the rest.
    let mut worker = Worker::new(settings).map_err(anyhow::Error::msg)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let send = |m: &Msg| {
        let mut out = stdout.lock();
        let _ = serde_json::to_writer(&mut out, m);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    };
    send(&Msg::Ready);
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let input: InputRef = serde_json::from_str(&line)?;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fault_injection(&input.display);
            worker.process(&input, &mut |done, total| {
                send(&Msg::Progress { done, total })
            })
        }));
        let records = match result {
            Ok(r) => r,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".into());
                let sha = read_bytes(&input).ok().map(|b| sha256_hex(&b));
                vec![Record::error(
                    &input.display,
                    sha,
                    DocError::new(
                        ErrorCode::Crashed,
                        format!("the reader failed on this document: {what}"),
                    ),
                )]
            }
        };
        send(&Msg::Done { records });
    }
    Ok(())
}

/// Test hook: `CERTSCAN_FAULT=panic:<text>` panics, `abort:<text>` aborts the
/// worker process and `hang:<text>` hangs, on inputs whose name contains
/// `<text>`. The integration tests use it to prove that one bad document
/// cannot take down a run.
fn fault_injection(display: &str) {
    let Ok(spec) = std::env::var("CERTSCAN_FAULT") else {
        return;
    };
    for item in spec.split(',') {
        if let Some((kind, pat)) = item.split_once(':') {
            if !pat.is_empty() && display.contains(pat) {
                match kind {
                    "panic" => panic!("injected fault on {display}"),
                    "abort" => std::process::abort(),
                    "hang" => std::thread::sleep(Duration::from_secs(3600)),
                    _ => {}
                }
            }
        }
    }
}

/// Time limits enforced by the supervisor.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest time without progress (one page).
    pub page_timeout: Duration,
    /// Longest time for a whole document.
    pub doc_timeout: Duration,
}

/// What the supervisor reports to the writer.
pub enum Event {
    /// A page of some document is done.
    Page,
    /// A document is finished with its records.
    Done {
        input: InputRef,
        records: Vec<Record>,
        pages: u32,
    },
}

struct Child_ {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Option<Msg>>,
}

fn spawn(exe: &PathBuf, settings_json: &str) -> std::io::Result<Child_> {
    let mut child = Command::new(exe)
        .arg("__worker")
        .arg(settings_json)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = unbounded();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => match serde_json::from_str::<Msg>(&l) {
                    Ok(m) => {
                        if tx.send(Some(m)).is_err() {
                            return;
                        }
                    }
                    Err(_) => continue, // stray output: ignore
                },
                Err(_) => break,
            }
        }
        let _ = tx.send(None); // end of stream: the child exited
    });
    Ok(Child_ { child, stdin, rx })
}

fn kill(mut c: Child_) {
    let _ = c.child.kill();
    let _ = c.child.wait();
}

fn error_records(input: &InputRef, err: DocError) -> Vec<Record> {
    let sha = read_bytes(input).ok().map(|b| sha256_hex(&b));
    vec![Record::error(&input.display, sha, err)]
}

/// Runs `jobs` worker processes over `inputs`, sending events to `events`.
pub fn run(
    inputs: Vec<InputRef>,
    jobs: usize,
    settings: &Settings,
    limits: Limits,
    events: Sender<Event>,
) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let settings_json = serde_json::to_string(settings)?;
    let (job_tx, job_rx) = bounded::<InputRef>(jobs * 2);
    let mut handles = Vec::new();
    for _ in 0..jobs.max(1) {
        let job_rx = job_rx.clone();
        let events = events.clone();
        let exe = exe.clone();
        let sj = settings_json.clone();
        handles.push(std::thread::spawn(move || {
            supervise(&exe, &sj, job_rx, events, limits)
        }));
    }
    drop(job_rx);
    for i in inputs {
        if job_tx.send(i).is_err() {
            break;
        }
    }
    drop(job_tx);
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a supervisor thread panicked"))??;
    }
    Ok(())
}

fn supervise(
    exe: &PathBuf,
    settings_json: &str,
    jobs: Receiver<InputRef>,
    events: Sender<Event>,
    limits: Limits,
) -> anyhow::Result<()> {
    let mut worker: Option<Child_> = None;
    for input in jobs.iter() {
        if worker.is_none() {
            worker = Some(spawn(exe, settings_json)?);
        }
        let w = worker.as_mut().expect("worker running");
        let mut line = serde_json::to_string(&input)?;
        line.push('\n');
        let sent = w
            .stdin
            .write_all(line.as_bytes())
            .and_then(|_| w.stdin.flush());
        if sent.is_err() {
            // The worker died between documents: restart it and retry once.
            kill(worker.take().expect("worker"));
            worker = Some(spawn(exe, settings_json)?);
            let w = worker.as_mut().expect("worker running");
            w.stdin.write_all(line.as_bytes())?;
            w.stdin.flush()?;
        }
        let start = Instant::now();
        let mut last = Instant::now();
        let mut pages = 0u32;
        let outcome: Result<Vec<Record>, DocError> =
            loop {
                let w = worker.as_mut().expect("worker running");
                let page_left = limits.page_timeout.saturating_sub(last.elapsed());
                let doc_left = limits.doc_timeout.saturating_sub(start.elapsed());
                let wait = page_left.min(doc_left);
                match w.rx.recv_timeout(wait) {
                    Ok(Some(Msg::Ready)) => {}
                    Ok(Some(Msg::Progress { done, .. })) => {
                        pages = done;
                        last = Instant::now();
                        let _ = events.send(Event::Page);
                    }
                    Ok(Some(Msg::Done { records })) => break Ok(records),
                    Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                        let status = w.child.wait().ok();
                        kill(worker.take().expect("worker"));
                        break Err(DocError::new(
                            ErrorCode::Crashed,
                            format!(
                            "the reader process died on this document ({}) after {pages} page(s)",
                            status.map(|s| s.to_string()).unwrap_or_else(|| "unknown status".into())
                        ),
                        ));
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        kill(worker.take().expect("worker"));
                        let msg = if doc_left <= page_left {
                            format!(
                                "the document ran past its time limit of {} s",
                                limits.doc_timeout.as_secs()
                            )
                        } else {
                            format!(
                                "page {} ran past the page time limit of {} s",
                                pages + 1,
                                limits.page_timeout.as_secs()
                            )
                        };
                        break Err(DocError::new(ErrorCode::Timeout, msg));
                    }
                }
            };
        let records = outcome.unwrap_or_else(|e| error_records(&input, e));
        if events
            .send(Event::Done {
                input,
                records,
                pages,
            })
            .is_err()
        {
            break;
        }
    }
    if let Some(w) = worker.take() {
        drop(w.stdin);
        let mut c = w.child;
        let _ = c.wait();
    }
    Ok(())
}
