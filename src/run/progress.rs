//! What an operator watches during a run. On a terminal, a bar that counts
//! pages (a document's page count is known once a worker opens it; until
//! then each unopened document counts as the mean of those opened) and names
//! the file being read. When stderr is not a terminal (nohup, cron, a
//! scheduler's log), a progress line every `every` seconds instead. With
//! `--progress-json FILE`, one JSON event per line for programs: run started,
//! document started, its page count, document finished (pages, lines,
//! certificates, error code), periodic progress, run finished.

use crate::model::{Record, Status};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A bar on the terminal.
    pub bar: bool,
    /// A line on stderr this often (when stderr is not a terminal).
    pub every: Option<Duration>,
    /// Events as JSON lines to this file.
    pub json: Option<std::path::PathBuf>,
}

pub struct Progress {
    bar: indicatif::ProgressBar,
    every: Option<Duration>,
    json: Option<std::io::BufWriter<std::fs::File>>,
    started: Instant,
    last_line: Instant,
    docs_total: usize,
    docs_done: usize,
    docs_opened: usize,
    pages_known: u64,
    pages_done: u64,
    errors: usize,
    certificates: usize,
    /// Documents being read, in the order they were started.
    current: Vec<String>,
}

fn hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

impl Progress {
    /// `docs_total`: documents this run reads (those already recorded are not counted).
    pub fn new(opts: &Options, docs_total: usize, fields: Value) -> std::io::Result<Progress> {
        let bar = if opts.bar {
            let b = indicatif::ProgressBar::new(docs_total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} pages  {msg}  {elapsed_precise} ETA {eta}",
                )
                .expect("template"),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let json = match &opts.json {
            Some(p) => Some(std::io::BufWriter::new(open_append(p)?)),
            None => None,
        };
        let now = Instant::now();
        let mut p = Progress {
            bar,
            every: opts.every.filter(|d| !d.is_zero()),
            json,
            started: now,
            last_line: now,
            docs_total,
            docs_done: 0,
            docs_opened: 0,
            pages_known: 0,
            pages_done: 0,
            errors: 0,
            certificates: 0,
            current: Vec::new(),
        };
        let mut ev = json!({"documents": docs_total});
        merge(&mut ev, fields);
        p.event("run_started", ev);
        p.redraw();
        Ok(p)
    }

    fn event(&mut self, name: &str, fields: Value) {
        let Some(w) = self.json.as_mut() else { return };
        let mut v = json!({
            "event": name,
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "elapsed": (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        });
        merge(&mut v, fields);
        // A progress file that cannot be written does not stop the run.
        if serde_json::to_writer(&mut *w, &v).is_ok() {
            let _ = w.write_all(b"\n");
            let _ = w.flush();
        }
    }

    /// Pages expected in all: those counted, and the mean for each document
    /// not yet opened.
    fn pages_expected(&self) -> u64 {
        let unopened = self.docs_total.saturating_sub(self.docs_opened) as u64;
        let mean = if self.docs_opened > 0 {
            self.pages_known as f64 / self.docs_opened as f64
        } else {
            1.0
        };
        (self.pages_known + (unopened as f64 * mean).round() as u64).max(self.pages_done)
    }

    fn redraw(&mut self) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.set_length(self.pages_expected());
        self.bar.set_position(self.pages_done);
        let now = self
            .current
            .last()
            .map(|c| format!(" · {c}"))
            .unwrap_or_default();
        self.bar.set_message(format!(
            "{}/{} documents{now}",
            self.docs_done, self.docs_total
        ));
    }

    pub fn started(&mut self, input: &str) {
        self.current.push(input.to_string());
        self.event("document_started", json!({ "input": input }));
        self.redraw();
    }

    /// A document's page count is known.
    pub fn pages(&mut self, input: &str, pages: u32) {
        self.docs_opened += 1;
        self.pages_known += pages as u64;
        self.event("document_pages", json!({ "input": input, "pages": pages }));
        self.redraw();
    }

    pub fn page_done(&mut self) {
        self.pages_done += 1;
        self.redraw();
    }

    pub fn finished(&mut self, input: &str, records: &[Record], pages: u32) {
        self.current.retain(|c| c != input);
        self.docs_done += 1;
        let certificates = records
            .iter()
            .filter(|r| r.status == Status::Certificate)
            .count();
        let error = records.iter().find_map(|r| r.error.as_ref());
        self.certificates += certificates;
        self.errors += error.is_some() as usize;
        let status = records
            .first()
            .map(|r| match r.status {
                Status::Certificate => "certificate",
                Status::NotCertificate => "not_certificate",
                Status::Error => "error",
            })
            .unwrap_or("none");
        self.event(
            "document_finished",
            json!({
                "input": input,
                "pages": pages,
                "lines": records.len(),
                "certificates": certificates,
                "status": status,
                "error": error.map(|e| e.code.as_str()),
            }),
        );
        self.redraw();
    }

    /// A progress line (and event) when one is due.
    pub fn tick(&mut self) {
        let Some(every) = self.every else { return };
        if self.last_line.elapsed() < every {
            return;
        }
        self.last_line = Instant::now();
        eprintln!("certscan: {}", self.line());
        let v = self.counts();
        self.event("progress", v);
    }

    fn counts(&self) -> Value {
        json!({
            "documents_done": self.docs_done,
            "documents": self.docs_total,
            "pages_done": self.pages_done,
            "pages_expected": self.pages_expected(),
            "certificates": self.certificates,
            "errors": self.errors,
            "reading": self.current,
        })
    }

    /// "0:12:30 1234/10000 documents, 5678/~40210 pages (14 %), 3.21 pages/s, ETA 3:20:00, 12 certificates, 3 errors; reading pkg/a.pdf"
    pub fn line(&self) -> String {
        let el = self.started.elapsed();
        let expected = self.pages_expected().max(1);
        let rate = self.pages_done as f64 / el.as_secs_f64().max(0.001);
        let eta = if rate > 0.0 {
            hms(Duration::from_secs_f64(
                (expected.saturating_sub(self.pages_done)) as f64 / rate,
            ))
        } else {
            "?".into()
        };
        let mut s = format!(
            "{} {}/{} documents, {}/~{} pages ({} %), {:.2} pages/s, ETA {}, {} certificates, {} errors",
            hms(el),
            self.docs_done,
            self.docs_total,
            self.pages_done,
            expected,
            self.pages_done * 100 / expected,
            rate,
            eta,
            self.certificates,
            self.errors
        );
        if let Some(c) = self.current.last() {
            s.push_str(&format!("; reading {c}"));
        }
        s
    }

    /// The run ended (`stopped_by`: the signal that stopped it).
    pub fn end(&mut self, stopped_by: Option<String>, exit_code: i32) {
        self.bar.finish_and_clear();
        let mut v = self.counts();
        merge(
            &mut v,
            json!({ "stopped_by": stopped_by, "exit_code": exit_code }),
        );
        self.event("run_finished", v);
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

fn open_append(p: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pages_before_every_document_is_opened() {
        let mut p = Progress::new(&Options::default(), 4, json!({})).unwrap();
        p.started("a.pdf");
        p.pages("a.pdf", 300);
        for _ in 0..30 {
            p.page_done();
        }
        // 300 counted, three documents not opened, each taken as 300.
        assert_eq!(p.pages_expected(), 1200);
        let line = p.line();
        assert!(line.contains("30/~1200 pages (2 %)"), "{line}");
        assert!(line.contains("reading a.pdf"), "{line}");
        p.finished("a.pdf", &[], 300);
        assert!(!p.line().contains("reading"));
    }
}
