//! Output stage. Takes each document's records; hands on JSONL lines, a
//! document's lines written and flushed together as it finishes, and the
//! run summary; resumes from an existing output. [`duplicates`] applies the
//! run-level rule over a whole file.

pub mod duplicates;

use crate::model::{Record, Severity, Status};
use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// Where lines go.
pub enum Sink {
    Stdout(io::Stdout),
    File(File),
    /// An output that is not a regular file (`/dev/stdout` piped on,
    /// `/dev/null`, a FIFO): written to like stdout, never read back, never
    /// truncated or rewritten (issue 19, 13).
    Stream(File),
}

/// Whether `path` names something that exists and is not a regular file
/// (a device, a FIFO, a pipe or terminal reached through /dev/stdout).
pub fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Opens a non-regular output for writing only: nothing is read from it
/// (reading /dev/stdout piped to another program hangs, /dev/full reads
/// zeros without end) and nothing is resumed.
pub fn open_stream(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).open(path)
}

/// What an existing output already holds.
#[derive(Debug, Default)]
pub struct Resume {
    /// Inputs already recorded (skipped by this run), by [`input_key`].
    done: HashSet<u128>,
    /// Lines in the file (after any retried inputs' lines were taken out).
    pub lines: usize,
    /// Bytes of an unfinished last line that were cut off.
    pub truncated_bytes: u64,
    /// Inputs whose error lines were taken out to be read again (`--retry-errors`).
    pub retried: usize,
}

impl Resume {
    /// Whether the input printed as `input` is recorded.
    pub fn has(&self, input: &str) -> bool {
        self.done.contains(&input_key(input))
    }
}

/// An input's key for resuming: 128 bits of the SHA-256 of its tidied name
/// (a name recorded as `./rs/a.pdf` by an older version is `rs/a.pdf`); 16
/// bytes an input, whatever the length of its name.
pub fn input_key(input: &str) -> u128 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(crate::discover::tidy_path(input).as_bytes());
    u128::from_be_bytes(h[..16].try_into().expect("16 bytes"))
}

/// How every line certscan writes begins (`schema_version` is the first key).
const LINE_START: &[u8] = br#"{"schema_version""#;

/// The fields resuming reads of a line.
#[derive(serde::Deserialize)]
struct PeekLine {
    #[allow(dead_code)]
    schema_version: u32,
    #[serde(default)]
    input: Option<String>,
    status: Status,
}

fn refuse(why: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "refusing to write to it: it is not certscan's JSONL output ({why}), \
             and it is left untouched; name a new file or certscan's own output"
        ),
    )
}

/// Opens the output for appending, streaming through what it holds (memory
/// grows with the inputs recorded, 16 bytes each, not with the file). An
/// existing file's complete lines are kept and their inputs reported as
/// done; an unfinished last line (a run killed mid-write) is cut off. With
/// `retry_errors`, the lines of inputs that ended as errors are taken out
/// (the file is rewritten atomically) so that this run reads them again. A
/// file that is not empty and not certscan's JSONL (a photo, an input named
/// by mistake) is refused and left untouched.
pub fn open_output(path: &Path, retry_errors: bool) -> io::Result<(File, Resume)> {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let mut resume = Resume::default();
    let mut errored: HashSet<u128> = HashSet::new();
    let mut keep = 0u64;
    {
        let mut r = io::BufReader::with_capacity(1 << 20, &f);
        let mut line = Vec::new();
        let mut n = 0usize;
        loop {
            line.clear();
            let got = io::BufRead::read_until(&mut r, b'\n', &mut line)?;
            if got == 0 {
                break;
            }
            if line.last() != Some(&b'\n') {
                if !(line.starts_with(LINE_START) || LINE_START.starts_with(&line)) {
                    return Err(refuse(
                        "its last line is not the start of a certscan line".into(),
                    ));
                }
                resume.truncated_bytes = got as u64;
                break;
            }
            n += 1;
            keep += got as u64;
            let body = line.trim_ascii();
            if body.is_empty() {
                continue;
            }
            let p: PeekLine = serde_json::from_slice(body).map_err(|_| {
                refuse(format!("line {n} is not a JSON object with schema_version"))
            })?;
            if let Some(i) = p.input {
                let k = input_key(&i);
                resume.done.insert(k);
                resume.lines += 1;
                if p.status == Status::Error {
                    errored.insert(k);
                }
            }
        }
    }
    if retry_errors && !errored.is_empty() {
        // The file without those inputs' lines, in place of the old one.
        let mut lines = 0usize;
        keep = 0;
        duplicates::rewrite_lines(path, path, |_, line, w| {
            let retried = serde_json::from_slice::<PeekLine>(line.trim_ascii())
                .ok()
                .and_then(|p| p.input)
                .is_some_and(|i| errored.contains(&input_key(&i)));
            if !retried {
                w.write_all(line)?;
                w.write_all(b"\n")?;
                keep += line.len() as u64 + 1;
                lines += !line.trim_ascii().is_empty() as usize;
            }
            Ok(())
        })?;
        f = OpenOptions::new().read(true).write(true).open(path)?;
        resume.done.retain(|k| !errored.contains(k));
        resume.retried = errored.len();
        resume.lines = lines;
    }
    f.set_len(keep)?;
    f.seek(SeekFrom::End(0))?;
    Ok((f, resume))
}

impl Sink {
    /// Writes a document's lines in one write and flushes.
    pub fn write_records(&mut self, records: &[Record]) -> io::Result<()> {
        let mut buf = Vec::new();
        for r in records {
            serde_json::to_writer(&mut buf, r).map_err(io::Error::other)?;
            buf.push(b'\n');
        }
        match self {
            Sink::Stdout(s) => {
                let mut l = s.lock();
                l.write_all(&buf)?;
                l.flush()
            }
            Sink::File(f) | Sink::Stream(f) => {
                f.write_all(&buf)?;
                f.flush()
            }
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced,
/// then renamed over it (a reader never sees half a file).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let r = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// Counts for the run's summary.
#[derive(Debug, Default)]
pub struct Summary {
    pub documents: usize,
    pub skipped: usize,
    pub pages: u64,
    pub lines: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_verdict: BTreeMap<&'static str, usize>,
    pub errors: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn add(&mut self, records: &[Record], pages: u32) {
        self.documents += 1;
        self.pages += pages as u64;
        for r in records {
            self.lines += 1;
            let s = match r.status {
                Status::Certificate => "certificate",
                Status::NotCertificate => "not_certificate",
                Status::Error => "error",
            };
            *self.by_status.entry(s).or_default() += 1;
            if let Some(v) = &r.validation {
                *self.by_verdict.entry(v.verdict.as_str()).or_default() += 1;
            }
            if let Some(e) = &r.error {
                *self.errors.entry(e.code.as_str()).or_default() += 1;
            }
        }
    }

    fn pages_per_second(&self, secs: f64) -> f64 {
        if secs > 0.0 {
            self.pages as f64 / secs
        } else {
            0.0
        }
    }

    /// The summary in `lang` (the English one is [`Summary::render`]).
    pub fn render_in(&self, elapsed: Duration, lang: crate::texts::Lang) -> String {
        use crate::texts::{Lang, Texts};
        if lang == Lang::En {
            return self.render(elapsed);
        }
        let t = Texts::bundled();
        let secs = elapsed.as_secs_f64();
        let mut s = format!(
            "certscan：{} 个文件，{} 页，{} 行，用时 {:.1} 秒（每秒 {:.2} 页）",
            self.documents,
            self.pages,
            self.lines,
            secs,
            self.pages_per_second(secs)
        );
        if self.skipped > 0 {
            s.push_str(&format!("；{} 个已记录，跳过", self.skipped));
        }
        let status: Vec<String> = self
            .by_status
            .iter()
            .map(|(k, v)| format!("{} {v}", t.status(k, Lang::Zh)))
            .collect();
        if !status.is_empty() {
            s.push_str(&format!("\n  状态：{}", status.join("，")));
        }
        if !self.by_verdict.is_empty() {
            let v: Vec<String> = Severity::ALL
                .iter()
                .filter_map(|sev| {
                    self.by_verdict
                        .get(sev.as_str())
                        .map(|n| format!("{} {n}", t.verdict(*sev, Lang::Zh)))
                })
                .collect();
            s.push_str(&format!("\n  结论：{}", v.join("，")));
        }
        if !self.errors.is_empty() {
            let e: Vec<String> = self
                .errors
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            s.push_str(&format!("\n  错误：{}", e.join("，")));
        }
        s
    }

    pub fn render(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64();
        let mut s = format!(
            "certscan: {} document(s), {} page(s), {} line(s) in {:.1} s ({:.2} pages/s)",
            self.documents,
            self.pages,
            self.lines,
            secs,
            self.pages_per_second(secs)
        );
        if self.skipped > 0 {
            s.push_str(&format!("; {} already recorded, skipped", self.skipped));
        }
        let join = |m: &BTreeMap<&str, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.by_status.is_empty() {
            s.push_str(&format!("\n  status: {}", join(&self.by_status)));
        }
        if !self.by_verdict.is_empty() {
            let order = Severity::ALL;
            let v: Vec<String> = order
                .iter()
                .filter_map(|sev| {
                    self.by_verdict
                        .get(sev.as_str())
                        .map(|n| format!("{} {n}", sev.as_str()))
                })
                .collect();
            s.push_str(&format!("\n  verdicts: {}", v.join(", ")));
        }
        if !self.errors.is_empty() {
            s.push_str(&format!("\n  errors: {}", join(&self.errors)));
        }
        s
    }
}
