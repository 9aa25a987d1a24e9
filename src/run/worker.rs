//! Isolation and parallelism: each worker is a child process (`certscan
//! __worker`) with its own OCR engine, fed one document at a time over its
//! stdin and answering on its stdout. A panic, a crash or a hang in one
//! document costs only that document: the supervisor turns it into an error or
//! timeout line, restarts the worker, and the run goes on.
//!
//! Children get `OMP_THREAD_LIMIT=1` in their environment before
//! libtesseract loads (OpenMP makes Tesseract 2-2.5x slower on 2 cores).

use crate::discover::InputRef;
use crate::error::{DocError, ErrorCode};
use crate::model::Record;
use crate::page::PageText;
use crate::pipeline::{add_skipped_pages, Processed, Settings, Step, Worker};
use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};
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
    /// The current document's bytes are read: their SHA-256.
    Hashed { sha256: String },
    /// Page `index` (0-based, in the document) is being read.
    Page { index: usize },
    /// A page of the current document is done.
    Progress { done: u32, total: u32 },
    /// The document is finished.
    Done { records: Vec<Record> },
    /// The document has `pages` pages: it is to be read in chunks.
    Split { pages: usize, sha256: String },
    /// The pages of a chunk are read.
    PagesDone { pages: Vec<PageText> },
    /// The pages of a chunk could not be read.
    PagesFailed { error: DocError },
    /// An allocation of `bytes` failed: the worker is at its memory ceiling
    /// (written by the allocator itself, see [`crate::memory`]).
    OutOfMemory { bytes: u64 },
}

/// A unit of work for a worker: a whole document, or some pages of a large one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub input: InputRef,
    /// 0-based page indices; `None`: the whole document.
    pub pages: Option<Vec<usize>>,
    /// Pages (0-based) not to read, with the reason: they ran past the page
    /// time limit in an earlier attempt.
    #[serde(default)]
    pub skipped: Vec<(usize, String)>,
    /// For a whole document: the number of workers it may be split across
    /// (a document of more than [`crate::pipeline::SPLIT_ABOVE_PAGES`] pages is then answered
    /// with `Split`).
    #[serde(default)]
    pub split: usize,
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
    // The memory ceiling (issue 19, 5): an input that would take the worker
    // past it (a decompression bomb) fails an allocation; the allocator tells
    // the supervisor (an `out_of_memory` line on stdout), which writes a
    // `too_large` line and restarts the worker.
    crate::run::stop::ignore_in_worker();
    crate::memory::set_ceiling(settings.memory_ceiling_mb);
    crate::memory::report_allocation_failures_on_stdout();
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
        let mut step = |s: Step| match s {
            Step::Start(index) => {
                send(&Msg::Page { index });
                page_fault_injection(&input.display, index);
            }
            Step::Done(done, total) => send(&Msg::Progress { done, total }),
        };
        if let Some(indices) = job.pages {
            let indices: Vec<usize> = indices
                .into_iter()
                .filter(|i| !job.skipped.iter().any(|(s, _)| s == i))
                .collect();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                fault_injection(&input.display);
                worker.process_pages(&input, &indices, &mut step)
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
        let mut sha = None;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fault_injection(&input.display);
            worker.process_job(
                &input,
                &job.skipped,
                job.split,
                &mut |h| {
                    sha = Some(h.to_string());
                    send(&Msg::Hashed {
                        sha256: h.to_string(),
                    })
                },
                &mut step,
            )
        }));
        let msg = match result {
            Ok(Processed::Records(records)) => Msg::Done { records },
            Ok(Processed::Split { pages, sha256 }) => Msg::Split { pages, sha256 },
            Err(panic) => {
                let what = panic_text(&panic);
                Msg::Done {
                    records: vec![Record::error(
                        &input.display,
                        sha,
                        DocError::new(
                            ErrorCode::Crashed,
                            format!("the reader failed on this document: {what}"),
                        ),
                    )],
                }
            }
        };
        send(&msg);
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
/// worker process, `hang:<text>` blocks (no CPU used) and `spin:<text>` loops
/// (CPU used), on inputs whose name contains `<text>`. The integration tests
/// use it to prove that one bad document cannot take down a run.
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
                    "spin" => spin(Duration::from_secs(3600)),
                    _ => {}
                }
            }
        }
    }
}

/// Test hook: `CERTSCAN_FAULT=hangpage<N>:<text>` blocks, `spinpage<N>:<text>`
/// loops and `stallpage<N>:<text>` waits 3 s without using CPU (as a page
/// does on a node too busy to run it), when page N (1-based) of an input whose
/// name contains `<text>` is started.
fn page_fault_injection(display: &str, index: usize) {
    let Ok(spec) = std::env::var("CERTSCAN_FAULT") else {
        return;
    };
    for item in spec.split(',') {
        let Some((kind, pat)) = item.split_once(':') else {
            continue;
        };
        if pat.is_empty() || !display.contains(pat) {
            continue;
        }
        let digits = kind.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        if digits.parse::<usize>().ok() != Some(index + 1) {
            continue;
        }
        match &kind[..kind.len() - digits.len()] {
            "hangpage" => std::thread::sleep(Duration::from_secs(3600)),
            "spinpage" => spin(Duration::from_secs(3600)),
            "stallpage" => std::thread::sleep(Duration::from_secs(3)),
            _ => {}
        }
    }
}

/// Uses the CPU for `d` of wall time (a test hook's endless page).
fn spin(d: Duration) {
    let end = Instant::now() + d;
    let mut x = 0u64;
    while Instant::now() < end {
        for i in 0..100_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
        }
        std::hint::black_box(x);
    }
}

/// Time limits enforced by the supervisor, counted in the worker's CPU time:
/// on a busy node (a niced run beside others) a page's wall time is the
/// machine's load, not the page (issue 19: 62 `timeout` lines of a run at
/// load 5-7 were pages that read alone in 5-9 s). The wall clock is only a
/// backstop, at [`WALL_BACKSTOP`] times each limit, for a worker that is
/// blocked without using CPU.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest CPU time without progress (one page).
    pub page_timeout: Duration,
    /// Longest CPU time for a whole document (its workers' CPU time, every
    /// attempt's).
    pub doc_timeout: Duration,
}

/// The wall-clock backstop of the time limits, as a multiple of each: a worker
/// that has not used its CPU time in this many times the limit is stuck, not
/// slow.
pub const WALL_BACKSTOP: u32 = 10;

/// Which time limit ran out, and on which clock.
#[derive(Debug, Clone, Copy)]
enum Expired {
    Page { wall: bool },
    Doc { wall: bool },
}

/// The clocks of one attempt at a job: the worker's CPU time and the wall
/// time since the job (or the current page) began.
struct Clocks {
    pid: u32,
    /// The worker's CPU time when this attempt began and when its current
    /// page began (or the last progress).
    attempt_cpu: f64,
    page_cpu: f64,
    page_wall: Instant,
}

impl Clocks {
    fn start(pid: u32) -> Clocks {
        let now = crate::clock::cpu_seconds_of(pid).unwrap_or(0.0);
        Clocks {
            pid,
            attempt_cpu: now,
            page_cpu: now,
            page_wall: Instant::now(),
        }
    }

    /// The worker's CPU time now; its last known when it cannot be read.
    fn cpu(&self) -> f64 {
        crate::clock::cpu_seconds_of(self.pid).unwrap_or(self.page_cpu)
    }

    /// A page began, or the document made progress: the page clock restarts.
    fn progress(&mut self) {
        self.page_cpu = self.cpu();
        self.page_wall = Instant::now();
    }

    /// The CPU time this attempt has used.
    fn used(&self) -> f64 {
        (self.cpu() - self.attempt_cpu).max(0.0)
    }

    /// The limit that has run out, if any: the document's first (its CPU time
    /// over every attempt, `before` the earlier ones').
    fn expired(&self, limits: Limits, before: f64, started: Instant) -> Option<Expired> {
        let cpu = self.cpu();
        let wall = |limit: Duration| limit.saturating_mul(WALL_BACKSTOP);
        if before + (cpu - self.attempt_cpu) >= limits.doc_timeout.as_secs_f64() {
            Some(Expired::Doc { wall: false })
        } else if started.elapsed() >= wall(limits.doc_timeout) {
            Some(Expired::Doc { wall: true })
        } else if cpu - self.page_cpu >= limits.page_timeout.as_secs_f64() {
            Some(Expired::Page { wall: false })
        } else if self.page_wall.elapsed() >= wall(limits.page_timeout) {
            Some(Expired::Page { wall: true })
        } else {
            None
        }
    }
}

/// How a time limit is told in a `timeout` line.
fn limit_words(limit: Duration, wall: bool) -> String {
    if wall {
        format!(
            "{} s without progress ({WALL_BACKSTOP} times its {} s of CPU time: the reader was stuck)",
            limit.as_secs() * WALL_BACKSTOP as u64,
            limit.as_secs()
        )
    } else {
        format!("{} s of CPU time", limit.as_secs())
    }
}

/// What the supervisor reports to the writer.
pub enum Event {
    /// A document is sent to a worker.
    Started { input: String },
    /// A document (read whole) has `pages` pages.
    Pages { input: String, pages: u32 },
    /// A page of a document is done.
    Page { input: String },
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
        pages: usize,
    },
    /// One chunk of a split document is read; `skipped` are its pages that
    /// ran past the page time limit (not read).
    Chunk {
        doc: usize,
        index: usize,
        result: Result<Vec<PageText>, DocError>,
        skipped: Vec<(usize, String)>,
    },
}

/// A job as queued: which document (and chunk) it belongs to.
struct Queued {
    job: Job,
    /// For a chunk: the document's id and the chunk's index.
    chunk: Option<(usize, usize)>,
}

/// How often a supervisor thread waiting on its worker looks for a stop request.
const STOP_POLL: Duration = Duration::from_millis(200);

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
        .env(crate::logging::ENV, crate::logging::level_for_workers())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = unbounded();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if let Ok(m) = serde_json::from_slice::<Msg>(line.trim_ascii()) {
                        if tx.send(Some(m)).is_err() {
                            return;
                        }
                    } // stray output: ignored
                }
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

/// An error line for an input the worker could not finish; its SHA-256 as
/// the worker reported it, else computed here by streaming (the supervisor
/// never holds an input in memory: issue 19, 11).
fn error_records(input: &InputRef, sha: Option<String>, err: DocError) -> Vec<Record> {
    let sha = sha.or_else(|| crate::discover::sha256_of(input));
    vec![Record::error(&input.display, sha, err)]
}

/// The work queue shared by the supervisor threads: chunks of split
/// documents first (they hold a document open in the assembler), then whole
/// documents in the order given. Page counting happens in the workers (a
/// document is sent whole; a worker answers `Split` for a large one and its
/// chunks are queued here), never in the supervisor (issue 19, 11).
struct Queue {
    state: std::sync::Mutex<QueueState>,
    cv: std::sync::Condvar,
}

struct QueueState {
    chunks: std::collections::VecDeque<Queued>,
    docs: std::collections::VecDeque<InputRef>,
    /// Jobs taken and not finished (a whole document may still be split).
    busy: usize,
    stop: bool,
    next_doc: usize,
    split: usize,
}

impl Queue {
    fn next(&self) -> Option<Queued> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if s.stop || crate::run::stop::requested().is_some() {
                return None;
            }
            if let Some(c) = s.chunks.pop_front() {
                s.busy += 1;
                return Some(c);
            }
            if let Some(input) = s.docs.pop_front() {
                s.busy += 1;
                let split = s.split;
                return Some(Queued {
                    job: Job {
                        input,
                        pages: None,
                        skipped: vec![],
                        split,
                    },
                    chunk: None,
                });
            }
            if s.busy == 0 {
                self.cv.notify_all();
                return None;
            }
            s = self.cv.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A job is finished; `more` are the chunks it was split into.
    fn finish(&self, more: Vec<Queued>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.chunks.extend(more);
        s.busy -= 1;
        self.cv.notify_all();
    }

    fn stop(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.stop = true;
        self.cv.notify_all();
    }

    fn new_doc(&self) -> usize {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.next_doc += 1;
        s.next_doc - 1
    }
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
    let jobs = jobs.max(1);
    let queue = std::sync::Arc::new(Queue {
        state: std::sync::Mutex::new(QueueState {
            chunks: Default::default(),
            docs: inputs.into(),
            busy: 0,
            stop: false,
            next_doc: 0,
            split: if jobs > 1 { jobs } else { 0 },
        }),
        cv: std::sync::Condvar::new(),
    });
    let ceiling = settings.memory_ceiling_mb;
    let mut handles = Vec::new();
    for _ in 0..jobs {
        let queue = queue.clone();
        let events = events.clone();
        let exe = exe.clone();
        let sj = settings_json.clone();
        handles.push(std::thread::spawn(move || {
            let r = supervise(&exe, &sj, &queue, events, limits, ceiling);
            if r.is_err() {
                queue.stop();
            }
            r
        }));
    }
    let mut result = Ok(());
    for h in handles {
        let r = h
            .join()
            .map_err(|_| anyhow::anyhow!("a supervisor thread panicked"))
            .and_then(|r| r);
        if result.is_ok() {
            result = r;
        }
    }
    result
}

/// The outcome of one job.
enum Outcome {
    Records(Vec<Record>),
    Pages(Vec<PageText>),
    Failed(DocError),
    Split(usize, String),
}

fn supervise(
    exe: &PathBuf,
    settings_json: &str,
    queue: &Queue,
    events: Sender<Event>,
    limits: Limits,
    ceiling_mb: u64,
) -> anyhow::Result<()> {
    let mut worker: Option<Child_> = None;
    while let Some(queued) = queue.next() {
        let mut more = Vec::new();
        let r = run_job(
            exe,
            settings_json,
            &mut worker,
            queued,
            &events,
            limits,
            ceiling_mb,
            queue,
            &mut more,
        );
        queue.finish(more);
        match r {
            Ok(true) => {}
            Ok(false) => {
                queue.stop();
                break;
            }
            Err(e) => {
                if let Some(w) = worker.take() {
                    kill(w);
                }
                return Err(e);
            }
        }
    }
    if let Some(w) = worker.take() {
        drop(w.stdin);
        let mut c = w.child;
        let _ = c.wait();
    }
    Ok(())
}

/// Sends a job to the worker (started or restarted as needed).
fn send_job(
    exe: &PathBuf,
    settings_json: &str,
    worker: &mut Option<Child_>,
    job: &Job,
) -> anyhow::Result<()> {
    if worker.is_none() {
        *worker = Some(spawn(exe, settings_json)?);
    }
    let mut line = serde_json::to_string(job)?;
    line.push('\n');
    let w = worker.as_mut().expect("worker running");
    let sent = w
        .stdin
        .write_all(line.as_bytes())
        .and_then(|_| w.stdin.flush());
    if sent.is_err() {
        // The worker died between documents: restart it and retry once.
        kill(worker.take().expect("worker"));
        *worker = Some(spawn(exe, settings_json)?);
        let w = worker.as_mut().expect("worker running");
        w.stdin.write_all(line.as_bytes())?;
        w.stdin.flush()?;
    }
    Ok(())
}

/// Runs one queued job to its end: a page that runs past the page time limit
/// costs that page only (issue 19, 6): the worker is restarted and the job
/// sent again without it, until the document's own time limit. Returns
/// whether the writer still listens.
#[allow(clippy::too_many_arguments)]
fn run_job(
    exe: &PathBuf,
    settings_json: &str,
    worker: &mut Option<Child_>,
    queued: Queued,
    events: &Sender<Event>,
    limits: Limits,
    ceiling_mb: u64,
    queue: &Queue,
    more: &mut Vec<Queued>,
) -> anyhow::Result<bool> {
    let mut job = queued.job;
    let input = job.input.clone();
    let mut watch = Watch {
        input: input.display.clone(),
        whole: queued.chunk.is_none(),
        events,
        start: Instant::now(),
        cpu: 0.0,
        sha: None,
        pages: 0,
        told_pages: false,
    };
    if watch.whole
        && events
            .send(Event::Started {
                input: input.display.clone(),
            })
            .is_err()
    {
        return Ok(false);
    }
    let outcome = loop {
        send_job(exe, settings_json, worker, &job)?;
        match attempt(worker, &mut job, &mut watch, limits, ceiling_mb) {
            Attempt::Ended(o) => break o,
            Attempt::Again => continue,
            Attempt::Stopped => return Ok(false),
        }
    };
    let (sha, pages) = (watch.sha, watch.pages);
    let event = match (queued.chunk, outcome) {
        (Some((doc, index)), outcome) => Event::Chunk {
            doc,
            index,
            result: match outcome {
                Outcome::Pages(p) => Ok(p),
                Outcome::Failed(e) => Err(e),
                Outcome::Records(_) | Outcome::Split(..) => Err(DocError::new(
                    ErrorCode::Crashed,
                    "the reader answered a page job with a document",
                )),
            },
            skipped: job.skipped,
        },
        (None, Outcome::Split(n, sha256)) => {
            let parts = chunks(n, job.split.max(1));
            let doc = queue.new_doc();
            let ev = Event::Split {
                doc,
                input: input.clone(),
                sha256,
                chunks: parts.len(),
                pages: n,
            };
            if events.send(ev).is_err() {
                return Ok(false);
            }
            for (index, pages) in parts.into_iter().enumerate() {
                more.push(Queued {
                    job: Job {
                        input: input.clone(),
                        pages: Some(pages),
                        skipped: vec![],
                        split: 0,
                    },
                    chunk: Some((doc, index)),
                });
            }
            return Ok(true);
        }
        (None, Outcome::Records(records)) => Event::Done {
            input,
            records,
            pages,
        },
        (None, Outcome::Failed(e)) => Event::Done {
            records: error_records(&input, sha, e),
            input,
            pages,
        },
        (None, Outcome::Pages(_)) => Event::Done {
            records: error_records(
                &input,
                sha,
                DocError::new(
                    ErrorCode::Crashed,
                    "the reader answered a document job with pages",
                ),
            ),
            input,
            pages,
        },
    };
    Ok(events.send(event).is_ok())
}

/// What a supervisor thread knows of the job its worker is on.
struct Watch<'a> {
    input: String,
    /// A whole document (not a chunk of one): its page count and pages are
    /// told to the progress display.
    whole: bool,
    events: &'a Sender<Event>,
    start: Instant,
    /// CPU seconds the job's earlier attempts used (their workers were killed).
    cpu: f64,
    sha: Option<String>,
    /// Pages read so far.
    pages: u32,
    told_pages: bool,
}

impl Watch<'_> {
    fn progress(&mut self, done: u32, total: u32) {
        let more = done > self.pages;
        self.pages = self.pages.max(done);
        if self.whole && !self.told_pages {
            self.told_pages = true;
            let _ = self.events.send(Event::Pages {
                input: self.input.clone(),
                pages: total,
            });
        }
        if more {
            let _ = self.events.send(Event::Page {
                input: self.input.clone(),
            });
        }
    }
}

/// How one attempt at a job ended.
enum Attempt {
    Ended(Outcome),
    /// A page ran past its time limit: it is skipped and the job sent again.
    Again,
    /// A stop was requested: the job is abandoned without a line.
    Stopped,
}

/// Waits for the worker's answer to the job just sent, within the page and
/// document time limits; a worker that dies, runs out of time or is stopped
/// is killed (the next job starts a new one).
fn attempt(
    worker: &mut Option<Child_>,
    job: &mut Job,
    watch: &mut Watch,
    limits: Limits,
    ceiling_mb: u64,
) -> Attempt {
    let mut clocks = Clocks::start(worker.as_ref().expect("worker running").child.id());
    let mut current: Option<usize> = None;
    let mut oom: Option<u64> = None;
    loop {
        let w = worker.as_mut().expect("worker running");
        // Polled, so that a stop request (SIGINT, SIGTERM) is seen at once
        // (the document is abandoned without a line: a resumed run reads it
        // again) and the worker's CPU time is looked at.
        let got = w.rx.recv_timeout(STOP_POLL);
        if crate::run::stop::requested().is_some() {
            kill(worker.take().expect("worker"));
            return Attempt::Stopped;
        }
        let end = match got {
            Ok(Some(Msg::Ready)) => continue,
            Ok(Some(Msg::Hashed { sha256 })) => {
                watch.sha = Some(sha256);
                continue;
            }
            Ok(Some(Msg::Page { index })) => {
                current = Some(index);
                clocks.progress();
                continue;
            }
            Ok(Some(Msg::Progress { done, total })) => {
                watch.progress(done, total);
                clocks.progress();
                continue;
            }
            Ok(Some(Msg::OutOfMemory { bytes })) => {
                oom = Some(bytes);
                continue;
            }
            // An allocation failed and was survived (a fallible
            // reservation): a document with no certificate read is then
            // reported as too large, not as blank.
            Ok(Some(Msg::Done { records })) => match oom {
                Some(bytes)
                    if !records
                        .iter()
                        .any(|r| r.status == crate::model::Status::Certificate) =>
                {
                    Outcome::Failed(too_large(ceiling_mb, bytes, current))
                }
                _ => Outcome::Records(records),
            },
            Ok(Some(Msg::Split { pages, sha256 })) => Outcome::Split(pages, sha256),
            Ok(Some(Msg::PagesDone { pages })) => Outcome::Pages(pages),
            Ok(Some(Msg::PagesFailed { error })) => Outcome::Failed(error),
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                Outcome::Failed(died(worker, oom, current, watch.pages, ceiling_mb))
            }
            Err(RecvTimeoutError::Timeout) => {
                let Some(expired) = clocks.expired(limits, watch.cpu, watch.start) else {
                    continue;
                };
                watch.cpu += clocks.used();
                kill(worker.take().expect("worker"));
                return timed_out(expired, current, job, limits);
            }
        };
        watch.cpu += clocks.used();
        return Attempt::Ended(end);
    }
}

/// The end of an attempt whose time ran out: past the page limit, the page
/// is skipped and the job sent again without it (once per page); past the
/// document's, or with no page begun, a `timeout` line.
fn timed_out(expired: Expired, current: Option<usize>, job: &mut Job, limits: Limits) -> Attempt {
    let page_limit = |wall| limit_words(limits.page_timeout, wall);
    let error = match (expired, current) {
        (Expired::Doc { wall }, _) => format!(
            "the document ran past its time limit of {}",
            limit_words(limits.doc_timeout, wall)
        ),
        (Expired::Page { wall }, Some(i)) if !job.skipped.iter().any(|(s, _)| *s == i) => {
            // Skip that page; read the others again.
            job.skipped.push((
                i,
                format!(
                    "page {} ran past the page time limit of {} and was not read",
                    i + 1,
                    page_limit(wall)
                ),
            ));
            return Attempt::Again;
        }
        (Expired::Page { wall }, _) => format!(
            "the document could not be opened within the page time limit of {}",
            page_limit(wall)
        ),
    };
    Attempt::Ended(Outcome::Failed(DocError::new(ErrorCode::Timeout, error)))
}

/// The error of a document whose worker ended without answering: too large
/// when it reported reaching its memory ceiling, else crashed.
fn died(
    worker: &mut Option<Child_>,
    mut oom: Option<u64>,
    current: Option<usize>,
    pages: u32,
    ceiling_mb: u64,
) -> DocError {
    let w = worker.as_mut().expect("worker running");
    let status = w.child.wait().ok();
    // Messages sent just before the end are still queued.
    while let Ok(Some(m)) = w.rx.try_recv() {
        if let Msg::OutOfMemory { bytes } = m {
            oom = Some(bytes);
        }
    }
    kill(worker.take().expect("worker"));
    if let Some(bytes) = oom {
        return too_large(ceiling_mb, bytes, current);
    }
    let at = match current {
        Some(i) => format!("on page {}", i + 1),
        None => format!("after {pages} page(s)"),
    };
    DocError::new(
        ErrorCode::Crashed,
        format!(
            "the reader process died on this document ({}) {at}",
            status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "unknown status".into())
        ),
    )
}

/// The `too_large` error of a document that took a worker to its memory ceiling.
fn too_large(ceiling_mb: u64, bytes: u64, page: Option<usize>) -> DocError {
    let at = page
        .map(|i| format!(" on page {}", i + 1))
        .unwrap_or_default();
    DocError::new(
        ErrorCode::TooLarge,
        format!(
            "reading this document{at} needs more memory than the worker's ceiling of {ceiling_mb} MiB \
             (an allocation of {bytes} bytes failed): a decompression bomb or an oversized image"
        ),
    )
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
    /// Pages that ran past the page time limit (not read).
    skipped: Vec<(usize, String)>,
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
                ..
            } => {
                self.pending.insert(
                    doc,
                    Pending {
                        input,
                        sha256,
                        parts: vec![None; chunks],
                        error: None,
                        skipped: vec![],
                    },
                );
                None
            }
            Event::Chunk {
                doc,
                index,
                result,
                skipped,
            } => {
                let p = self.pending.get_mut(&doc)?;
                p.skipped.extend(skipped);
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
                let mut pages = pages;
                add_skipped_pages(&mut pages, &p.skipped);
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
            Event::Started { .. } | Event::Pages { .. } | Event::Page { .. } => None,
        }
    }
}
