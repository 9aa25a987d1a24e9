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
use crate::load::Document;
use crate::model::Record;
use crate::page::PageText;
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
    /// The pages of a chunk are read.
    PagesDone { pages: Vec<PageText> },
    /// The pages of a chunk could not be read.
    PagesFailed { error: DocError },
}

/// A unit of work for a worker: a whole document, or some pages of a large one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub input: InputRef,
    /// 0-based page indices; `None`: the whole document.
    pub pages: Option<Vec<usize>>,
}

/// Runs the worker loop of a child process: read jobs (one JSON `InputRef` per
/// line) from stdin, answer on stdout.
pub fn child_main(settings: Settings) -> anyhow::Result<()> {
    // A worker dies with the supervisor thread that started it: a killed
    // parent (kill -9, an OOM kill) leaves no worker running under PID 1
    // (issue 19, 9). If the parent is already gone, stop at once.
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
        unsafe {
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            );
        }
        if std::os::unix::process::parent_id() == 1 {
            std::process::exit(1);
        }
    }
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
        let job: Job = serde_json::from_str(&line)?;
        let input = job.input;
        if let Some(indices) = job.pages {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                fault_injection(&input.display);
                worker.process_pages(&input, &indices, &mut |done, total| {
                    send(&Msg::Progress { done, total })
                })
            }));
            send(&match result {
                Ok(Ok(pages)) => Msg::PagesDone { pages },
                Ok(Err(error)) => Msg::PagesFailed { error },
                Err(panic) => Msg::PagesFailed {
                    error: DocError::new(
                        ErrorCode::Crashed,
                        format!("the reader failed on this document: {}", panic_text(&panic)),
                    ),
                },
            });
            continue;
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fault_injection(&input.display);
            worker.process(&input, &mut |done, total| {
                send(&Msg::Progress { done, total })
            })
        }));
        let records = match result {
            Ok(r) => r,
            Err(panic) => {
                let what = panic_text(&panic);
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

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
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
    /// A large document was split into `chunks` jobs (sent before any of them).
    Split {
        doc: usize,
        input: InputRef,
        sha256: String,
        chunks: usize,
    },
    /// One chunk of a split document is read.
    Chunk {
        doc: usize,
        index: usize,
        result: Result<Vec<PageText>, DocError>,
    },
}

/// A job as queued: which document (and chunk) it belongs to.
struct Queued {
    job: Job,
    /// For a chunk: the document's id and the chunk's index.
    chunk: Option<(usize, usize)>,
}

/// Documents with more pages than this are split across workers.
pub const SPLIT_ABOVE_PAGES: usize = 6;

/// How to split `n` pages across `jobs` workers: chunks of consecutive pages,
/// about four per worker (load balance: certificate pages cost more), at
/// least 2 pages each.
pub fn chunks(n: usize, jobs: usize) -> Vec<Vec<usize>> {
    let size = n.div_ceil((jobs * 4).max(1)).max(2);
    (0..n)
        .collect::<Vec<_>>()
        .chunks(size)
        .map(|c| c.to_vec())
        .collect()
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
        .env("RTEN_NUM_THREADS", "1")
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
    let (job_tx, job_rx) = bounded::<Queued>(jobs * 2);
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
    let mut next_doc = 0usize;
    'feed: for input in inputs {
        // Split a large document so that its pages are read by every worker.
        let split = if jobs > 1 { page_count(&input) } else { None };
        match split {
            Some((n, sha256)) if n > SPLIT_ABOVE_PAGES => {
                let parts = chunks(n, jobs);
                let doc = next_doc;
                next_doc += 1;
                let _ = events.send(Event::Split {
                    doc,
                    input: input.clone(),
                    sha256,
                    chunks: parts.len(),
                });
                for (index, pages) in parts.into_iter().enumerate() {
                    let q = Queued {
                        job: Job {
                            input: input.clone(),
                            pages: Some(pages),
                        },
                        chunk: Some((doc, index)),
                    };
                    if job_tx.send(q).is_err() {
                        break 'feed;
                    }
                }
            }
            _ => {
                if job_tx
                    .send(Queued {
                        job: Job { input, pages: None },
                        chunk: None,
                    })
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(job_tx);
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a supervisor thread panicked"))??;
    }
    Ok(())
}

/// Page count and SHA-256 of a document that opens (None otherwise: it is then
/// processed whole and its error reported by the worker).
fn page_count(input: &InputRef) -> Option<(usize, String)> {
    let bytes = read_bytes(input).ok()?;
    let sha = sha256_hex(&bytes);
    let n = std::panic::catch_unwind(|| Document::open(bytes).map(|d| d.page_count()))
        .ok()?
        .ok()?;
    Some((n, sha))
}

/// The outcome of one job.
enum Outcome {
    Records(Vec<Record>),
    Pages(Vec<PageText>),
    Failed(DocError),
}

fn supervise(
    exe: &PathBuf,
    settings_json: &str,
    jobs: Receiver<Queued>,
    events: Sender<Event>,
    limits: Limits,
) -> anyhow::Result<()> {
    let mut worker: Option<Child_> = None;
    for queued in jobs.iter() {
        let input = queued.job.input.clone();
        if worker.is_none() {
            worker = Some(spawn(exe, settings_json)?);
        }
        let w = worker.as_mut().expect("worker running");
        let mut line = serde_json::to_string(&queued.job)?;
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
        let outcome: Outcome =
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
                    Ok(Some(Msg::Done { records })) => break Outcome::Records(records),
                    Ok(Some(Msg::PagesDone { pages })) => break Outcome::Pages(pages),
                    Ok(Some(Msg::PagesFailed { error })) => break Outcome::Failed(error),
                    Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                        let status = w.child.wait().ok();
                        kill(worker.take().expect("worker"));
                        break Outcome::Failed(DocError::new(
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
                        break Outcome::Failed(DocError::new(ErrorCode::Timeout, msg));
                    }
                }
            };
        let event = match (queued.chunk, outcome) {
            (Some((doc, index)), Outcome::Pages(p)) => Event::Chunk {
                doc,
                index,
                result: Ok(p),
            },
            (Some((doc, index)), Outcome::Failed(e)) => Event::Chunk {
                doc,
                index,
                result: Err(e),
            },
            (Some((doc, index)), Outcome::Records(_)) => Event::Chunk {
                doc,
                index,
                result: Err(DocError::new(
                    ErrorCode::Crashed,
                    "the reader answered a page job with a document",
                )),
            },
            (None, Outcome::Records(records)) => Event::Done {
                input,
                records,
                pages,
            },
            (None, Outcome::Failed(e)) => Event::Done {
                records: error_records(&input, e),
                input,
                pages,
            },
            (None, Outcome::Pages(_)) => Event::Done {
                records: error_records(
                    &input,
                    DocError::new(
                        ErrorCode::Crashed,
                        "the reader answered a document job with pages",
                    ),
                ),
                input,
                pages,
            },
        };
        if events.send(event).is_err() {
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

/// Gathers the chunks of split documents; when a document's last chunk is in,
/// its records are built (page texts to certificates, in this process).
pub struct Assembler {
    builder: Worker,
    pending: std::collections::HashMap<usize, Pending>,
}

struct Pending {
    input: InputRef,
    sha256: String,
    parts: Vec<Option<Vec<PageText>>>,
    error: Option<DocError>,
}

impl Assembler {
    pub fn new(settings: Settings) -> Result<Assembler, String> {
        Ok(Assembler {
            builder: Worker::new(settings)?,
            pending: Default::default(),
        })
    }

    /// Takes a `Split` or `Chunk` event; returns a finished document's input,
    /// records and page count.
    pub fn take(&mut self, ev: Event) -> Option<(InputRef, Vec<Record>, u32)> {
        match ev {
            Event::Split {
                doc,
                input,
                sha256,
                chunks,
            } => {
                self.pending.insert(
                    doc,
                    Pending {
                        input,
                        sha256,
                        parts: vec![None; chunks],
                        error: None,
                    },
                );
                None
            }
            Event::Chunk { doc, index, result } => {
                let p = self.pending.get_mut(&doc)?;
                match result {
                    Ok(pages) => p.parts[index] = Some(pages),
                    Err(e) => {
                        p.error.get_or_insert(e);
                        p.parts[index] = Some(vec![]);
                    }
                }
                if p.parts.iter().any(|x| x.is_none()) {
                    return None;
                }
                let p = self.pending.remove(&doc)?;
                let pages: Vec<PageText> = p.parts.into_iter().flatten().flatten().collect();
                let n = pages.len() as u32;
                let records = match p.error {
                    Some(e) => vec![Record::error(&p.input.display, Some(p.sha256), e)],
                    None => self
                        .builder
                        .records_for(&p.input.display, &p.sha256, &pages),
                };
                Some((p.input, records, n))
            }
            Event::Done {
                input,
                records,
                pages,
            } => Some((input, records, pages)),
            Event::Page => None,
        }
    }
}
