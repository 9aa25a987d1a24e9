//! `certscan scan` from the options to the exit code: discovery (and this
//! shard's share of it), resuming the output under its lock, the worker pool
//! ([`crate::run::worker`]), writing each document's lines as it finishes, the
//! run-level duplicate rule, the completion marker of a shard, the summary.
//! A stop request (SIGINT, SIGTERM) ends it early with everything finished
//! kept ([`super::stop`]).

use super::progress::{self, Progress};
use super::shard::{self, Shard};
use super::stop;
use crate::discover::{discover, InputRef};
use crate::model::{Record, Status};
use crate::output::{open_output, Sink, Summary};
use crate::pipeline::{RunData, Settings};
use crate::run::worker::{self, Event, Limits};
use crate::texts::Lang;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Exit codes (README, "Exit codes").
pub mod exit {
    /// Every input has its lines (whatever the verdicts and error lines).
    pub const OK: i32 = 0;
    /// The run could not run: bad arguments, broken data files, an output
    /// that cannot be written.
    pub const CANNOT_RUN: i32 = 2;
    /// The run finished, but paths named on the command line (or in the list
    /// file) do not exist.
    pub const MISSING_INPUTS: i32 = 3;
    /// The run finished, but some inputs are error lines (only with `--fail-on-error`).
    pub const INPUT_ERRORS: i32 = 4;
    /// Stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM).
    pub const SIGNAL_BASE: i32 = 128;
}

/// Everything `scan` needs, from the command line.
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub out: Option<PathBuf>,
    pub settings: Settings,
    pub jobs: usize,
    pub limits: Limits,
    pub shard: Option<Shard>,
    pub retry_errors: bool,
    pub fail_on_error: bool,
    /// Print the inputs this run would read, one per line, and stop.
    pub list: bool,
    pub progress: progress::Options,
    pub quiet: bool,
    pub lang: Lang,
}

/// The output must not be one of the inputs named (the same file, by any
/// path): resuming into it would destroy it. An output inside a folder given
/// as input is fine (discovery skips it).
fn refuse_output_among_inputs(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(o) = std::fs::metadata(out) else {
        return Ok(()); // a new file
    };
    for p in inputs {
        if let Ok(m) = std::fs::metadata(p) {
            if m.is_file() && (m.dev(), m.ino()) == (o.dev(), o.ino()) {
                bail!(
                    "refusing to write to {}: it is one of the inputs ({}); it is left untouched",
                    out.display(),
                    p.display()
                );
            }
        }
    }
    Ok(())
}

/// Where the lines go, and what is recorded there already.
struct Output {
    sink: Sink,
    resume: crate::output::Resume,
    path: Option<PathBuf>,
    _lock: Option<super::lock::OutputLock>,
}

fn open(out: Option<&Path>, paths: &[PathBuf], o: &ScanOptions) -> Result<Output> {
    let Some(p) = out else {
        return Ok(Output {
            sink: Sink::Stdout(std::io::stdout()),
            resume: Default::default(),
            path: None,
            _lock: None,
        });
    };
    refuse_output_among_inputs(p, paths)?;
    if crate::output::is_stream(p) {
        let f = crate::output::open_stream(p)
            .with_context(|| format!("cannot open output {}", p.display()))?;
        return Ok(Output {
            sink: Sink::Stream(f),
            resume: Default::default(),
            path: None,
            _lock: None,
        });
    }
    let quiet = o.quiet;
    let lock = super::lock::lock_output(p, &mut |pid| {
        if !quiet {
            let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
            eprintln!(
                "certscan: another certscan{who} is writing {}: waiting for it to finish, then resuming",
                p.display()
            );
        }
    })
    .with_context(|| format!("cannot lock output {}", p.display()))?;
    // The file is about to change: it is no longer a finished shard.
    shard::remove_marker(p).with_context(|| format!("cannot update {}", p.display()))?;
    let (f, resume) = open_output(p, o.retry_errors)
        .with_context(|| format!("cannot open output {}", p.display()))?;
    Ok(Output {
        sink: Sink::File(f),
        resume,
        path: Some(p.to_path_buf()),
        _lock: Some(lock),
    })
}

/// Runs a scan; returns the exit code.
pub fn scan(o: ScanOptions) -> Result<i32> {
    let started = Instant::now();
    stop::install();
    let settings = &o.settings;
    // Refuse broken data files before any work (file, line and reason).
    let data = RunData::load(settings)?;
    let stamp = data.stamp(settings);
    let out_path = output_path(&o)?;
    let mut found = discover(&o.paths, out_path.as_deref());
    if let Some(s) = o.shard {
        found.inputs.retain(|i| s.holds(&i.display));
        found.errors.retain(|e| s.holds(&e.display));
    }
    if o.list {
        for e in &found.errors {
            println!("{}", e.display);
        }
        for i in &found.inputs {
            println!("{}", i.display);
        }
        return Ok(exit::OK);
    }
    warn_about(&found, &o);
    let out = open(out_path.as_deref(), &o.paths, &o)?;
    if out.resume.retried > 0 && !o.quiet {
        eprintln!(
            "certscan: {} input(s) recorded as errors are read again (--retry-errors)",
            out.resume.retried
        );
    }
    let mut lines = Lines {
        // On stdout (or another stream that cannot be rewritten), lines are
        // held until the run ends: the run-level duplicate rule can then
        // judge them as it judges a file (same verdicts either way).
        hold: !matches!(out.sink, Sink::File(_)),
        out,
        held: Vec::new(),
        last: Vec::new(),
        stamp,
        summary: Summary::default(),
        errors: 0,
    };
    // Paths that could not be expanded are lines of their own.
    for e in std::mem::take(&mut found.errors) {
        if lines.out.resume.has(&e.display) {
            lines.summary.skipped += 1;
            continue;
        }
        lines.write(vec![Record::error(&e.display, e.sha256, e.error)], 0)?;
    }
    let total = found.inputs.len();
    let todo: Vec<InputRef> = std::mem::take(&mut found.inputs)
        .into_iter()
        .filter(|i| !lines.out.resume.has(&i.display))
        .collect();
    lines.summary.skipped += total - todo.len();

    let mut progress = Progress::new(
        &o.progress,
        todo.len(),
        serde_json::json!({
            "skipped": lines.summary.skipped,
            "shard": o.shard.map(|s| s.to_string()),
            "output": out_path.as_ref().map(|p| p.display().to_string()),
        }),
    )
    .context("cannot open the progress file")?;

    read_all(todo, &o, &mut lines, &mut progress)?;
    let stopped = stop::requested();

    let Lines {
        out,
        held,
        summary,
        errors: errors_this_run,
        ..
    } = lines;
    // The output stays locked until the run ends.
    let Output {
        sink,
        path: out_file,
        _lock,
        ..
    } = out;
    let duplicates = run_level_duplicates(sink, out_file.as_deref(), held, stopped, &data)?;
    if let (Some(s), Some(p), None) = (o.shard, out_file.as_ref(), stopped) {
        shard::write_marker(p, s)
            .with_context(|| format!("cannot write the completion marker of {}", p.display()))?;
    }
    let code = match stopped {
        Some(sig) => exit::SIGNAL_BASE + sig,
        None if !found.missing.is_empty() => exit::MISSING_INPUTS,
        None if o.fail_on_error && errors_this_run > 0 => exit::INPUT_ERRORS,
        None => exit::OK,
    };
    progress.end(stopped.map(stop::name), code);
    if !o.quiet {
        print_summary(&o, &summary, started.elapsed(), stopped, &duplicates);
    }
    Ok(code)
}

/// Reads the inputs in worker processes, writing each one's lines as it
/// ends, until all are read or a stop is requested.
fn read_all(
    todo: Vec<InputRef>,
    o: &ScanOptions,
    lines: &mut Lines,
    progress: &mut Progress,
) -> Result<()> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let settings2 = o.settings.clone();
    let (jobs, limits) = (o.jobs, o.limits);
    let mut assembler = worker::Assembler::new(o.settings.clone()).map_err(anyhow::Error::msg)?;
    let runner = std::thread::spawn(move || worker::run(todo, jobs, &settings2, limits, tx));
    loop {
        let ev = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(ev) => ev,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                progress.tick();
                continue;
            }
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        };
        match ev {
            Event::Started { input } => progress.started(&input),
            Event::Pages { input, pages } => progress.pages(&input, pages),
            Event::Page { .. } => progress.page_done(),
            other => {
                if let Event::Split { input, pages, .. } = &other {
                    progress.pages(&input.display, *pages as u32);
                }
                if let Some((input, records, pages)) = assembler.take(other) {
                    match lines.write(records, pages) {
                        Ok(records) => progress.finished(&input.display, records, pages),
                        Err(e) => {
                            // No output, no point reading on: stop the workers.
                            stop::request(libc::SIGTERM);
                            let _ = runner.join();
                            return Err(e);
                        }
                    }
                }
            }
        }
        progress.tick();
    }
    runner
        .join()
        .map_err(|_| anyhow::anyhow!("the worker pool panicked"))??;
    Ok(())
}

/// A run's lines on their way out: stamped with the run, written (or held
/// for a stream), counted.
struct Lines {
    out: Output,
    hold: bool,
    held: Vec<Record>,
    /// The lines of the last input written.
    last: Vec<Record>,
    stamp: crate::model::RunStamp,
    summary: Summary,
    /// Error lines written by this run.
    errors: usize,
}

impl Lines {
    /// Writes the lines of one input (`pages` read); hands them on.
    fn write(&mut self, mut records: Vec<Record>, pages: u32) -> Result<&[Record]> {
        for r in &mut records {
            r.run = Some(self.stamp.clone());
        }
        if !self.hold {
            self.out
                .sink
                .write_records(&records)
                .context("cannot write output")?;
        }
        self.errors += records.iter().filter(|r| r.status == Status::Error).count();
        self.summary.add(&records, pages);
        if self.hold {
            self.held.extend(records.iter().cloned());
        }
        self.last = records;
        Ok(&self.last)
    }
}

/// Where the lines go: `-o`'s file, or a shard's own file in `-o`'s folder.
fn output_path(o: &ScanOptions) -> Result<Option<PathBuf>> {
    Ok(match (&o.out, o.shard) {
        (Some(p), Some(s)) => {
            let f = s.output_in(p);
            if let Some(dir) = f.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            Some(f)
        }
        (None, Some(_)) if !o.list => {
            bail!("--shard needs -o FILE or -o FOLDER/ (each shard writes its own file)")
        }
        (p, _) => p.clone(),
    })
}

/// Warnings of discovery on stderr: paths skipped, inputs missing, nothing
/// to read.
fn warn_about(found: &crate::discover::Discovered, o: &ScanOptions) {
    for w in &found.warnings {
        eprintln!("certscan: warning: {w}");
    }
    for m in &found.missing {
        eprintln!("certscan: warning: {m} does not exist (an error line records it)");
    }
    if found.inputs.is_empty()
        && found.errors.is_empty()
        && found.warnings.is_empty()
        && o.shard.is_none()
    {
        eprintln!("certscan: warning: nothing to read in the inputs given: no line written");
    }
}

/// Run-level rule: the same number claimed by different organisations,
/// across this run and the lines of the runs it resumes (an output file is
/// amended in place; lines held for a stream are judged, then written). A
/// stopped run leaves it to the run that finishes (it judges every line).
fn run_level_duplicates(
    sink: Sink,
    path: Option<&Path>,
    mut held: Vec<Record>,
    stopped: Option<i32>,
    data: &RunData,
) -> Result<Vec<(String, Vec<String>)>> {
    Ok(match (path, sink) {
        (Some(p), Sink::File(f)) => {
            drop(f);
            if stopped.is_none() {
                crate::output::duplicates::amend(p, &data.rulebook)
                    .context("cannot amend the output")?
            } else {
                vec![]
            }
        }
        (_, mut sink) => {
            let d = crate::validate::mark_duplicates(&mut held, &data.rulebook);
            sink.write_records(&held).context("cannot write output")?;
            d
        }
    })
}

fn print_summary(
    o: &ScanOptions,
    summary: &Summary,
    elapsed: Duration,
    stopped: Option<i32>,
    duplicates: &[(String, Vec<String>)],
) {
    eprintln!("{}", summary.render_in(elapsed, o.lang));
    if let Some(sig) = stopped {
        match o.lang {
            Lang::En => eprintln!(
                "  stopped by {}: the {} document(s) above are finished and written; \
                 run the same command again to read the rest",
                stop::name(sig),
                summary.documents
            ),
            Lang::Zh => eprintln!(
                "  收到 {} 已停止：以上 {} 个文件已完成并写入；再次运行同一命令即可继续其余文件",
                stop::name(sig),
                summary.documents
            ),
        }
    }
    for (number, orgs) in duplicates {
        match o.lang {
            Lang::En => eprintln!(
                "  certificate number {number} is claimed by {} organisations: {}",
                orgs.len(),
                orgs.join("; ")
            ),
            Lang::Zh => eprintln!(
                "  证书编号 {number} 被 {} 个组织使用：{}",
                orgs.len(),
                orgs.join("；")
            ),
        }
    }
}
