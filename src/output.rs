//! Write stage: JSONL lines, each document's lines written and flushed
//! together as it finishes; resume from an existing output; the run summary.

use crate::model::{Record, Severity, Status};
use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
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
    /// Inputs already recorded (skipped by this run).
    pub done: HashSet<String>,
    /// Lines already in the file.
    pub lines: usize,
    /// Bytes of an unfinished last line that were cut off.
    pub truncated_bytes: u64,
}

/// How every line certscan writes begins (`schema_version` is the first key).
const LINE_START: &[u8] = br#"{"schema_version""#;

/// Whether `buf`, an existing output file's bytes, is certscan's JSONL: every
/// complete line a JSON object with `schema_version`, and an unfinished last
/// line (a run killed mid-write) the start of one. Else the reason.
fn check_certscan_jsonl(buf: &[u8], keep: usize) -> Result<(), String> {
    for (n, line) in buf[..keep].split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let ok = serde_json::from_slice::<serde_json::Value>(line)
            .ok()
            .is_some_and(|v| v.get("schema_version").is_some());
        if !ok {
            return Err(format!(
                "line {} is not a JSON object with schema_version",
                n + 1
            ));
        }
    }
    let tail = &buf[keep..];
    if !(tail.starts_with(LINE_START) || LINE_START.starts_with(tail)) {
        return Err("its last line is not the start of a certscan line".into());
    }
    Ok(())
}

/// Opens the output for appending. An existing file's complete lines are kept
/// and their inputs reported as done; an unfinished last line (a run killed
/// mid-write) is cut off. A file that is not empty and not certscan's JSONL
/// (a photo, an input named by mistake) is refused and left untouched.
pub fn open_output(path: &Path) -> io::Result<(File, Resume)> {
    let mut f = OpenOptions::new()
        .read(true)
        .append(false)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    let keep = buf
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    check_certscan_jsonl(&buf, keep).map_err(|why| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "refusing to write to it: it is not certscan's JSONL output ({why}), \
                 and it is left untouched; name a new file or certscan's own output"
            ),
        )
    })?;
    let mut resume = Resume {
        truncated_bytes: (buf.len() - keep) as u64,
        ..Default::default()
    };
    for line in buf[..keep].split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
            if let Some(i) = v.get("input").and_then(|x| x.as_str()) {
                resume.done.insert(i.to_string());
                resume.lines += 1;
            }
        }
    }
    f.set_len(keep as u64)?;
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

/// Applies the run-level duplicate rule to every line of the output file and,
/// when a line changes, rewrites the file atomically (a temporary file renamed
/// over it). Returns the numbers claimed by more than one organisation.
pub fn amend_duplicates(
    path: &Path,
    rulebook: &crate::rules::Rulebook,
) -> io::Result<Vec<(String, Vec<String>)>> {
    let text = std::fs::read_to_string(path)?;
    let mut records: Vec<Record> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Record>(line) {
            Ok(r) => records.push(r),
            // A line certscan cannot read back (another version?): leave the file alone.
            Err(_) => return Ok(vec![]),
        }
    }
    let before = records.clone();
    let dups = crate::validate::mark_duplicates(&mut records, rulebook);
    if records != before {
        let tmp = path.with_extension("jsonl.tmp");
        {
            let mut f = File::create(&tmp)?;
            let mut buf = Vec::new();
            for r in &records {
                serde_json::to_writer(&mut buf, r).map_err(io::Error::other)?;
                buf.push(b'\n');
            }
            f.write_all(&buf)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
    }
    Ok(dups)
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
        s.push_str(&format!("\n  状态：{}", status.join("，")));
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
        s.push_str(&format!("\n  status: {}", join(&self.by_status)));
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
