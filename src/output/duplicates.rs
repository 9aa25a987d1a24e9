//! The run-level rule DUPLICATE_CERTIFICATE_NUMBER over a whole results file,
//! in bounded memory: a scan's output at its end and `certscan merge`'s
//! output of many shards (10 million lines must not be 10 million records in
//! memory). Three streaming passes over the file:
//! 1. each certificate's number and line number go to one of [`BUCKETS`]
//!    scratch files by a hash of the number (lines already flagged are noted);
//! 2. bucket by bucket, the numbers printed for more than one organisation
//!    give the candidate lines (the same certificate read many times, by one
//!    organisation, is no candidate: memory stays flat);
//! 3. only the candidate lines are read as records and judged together by
//!    [`crate::validate::mark_duplicates`] (a group is judged whole: every
//!    line of a number is a candidate), which gives the same findings as
//!    judging every line at once.
//!
//! The changed lines are returned by line number; [`rewrite`] writes the
//! file anew with them, atomically.

use crate::model::{Record, Status};
use crate::rules::Rulebook;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Scratch files of pass 1: 10 million lines make about 40 000 entries each.
pub const BUCKETS: usize = 256;

/// The few fields pass 1 reads of a line.
#[derive(Deserialize)]
struct Peek {
    status: Status,
    #[serde(default)]
    certificate: Option<PeekCertificate>,
    #[serde(default)]
    validation: Option<PeekValidation>,
}

#[derive(Deserialize)]
struct PeekCertificate {
    #[serde(default)]
    certificate_number: Option<String>,
    #[serde(default)]
    organization_name: Option<String>,
}

#[derive(Deserialize)]
struct PeekValidation {
    #[serde(default)]
    findings: Vec<PeekFinding>,
}

#[derive(Deserialize)]
struct PeekFinding {
    code: String,
}

/// What the rule changed: new line bytes (without the newline) by line
/// number (0-based), and the numbers claimed by more than one organisation.
#[derive(Debug, Default)]
pub struct Judged {
    pub changed: BTreeMap<u64, Vec<u8>>,
    pub claimed: Vec<(String, Vec<String>)>,
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch_beside(file: &Path, what: &str) -> io::Result<Scratch> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let dir = file.with_file_name(format!(".{name}.{what}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(Scratch(dir))
}

/// Calls `f` with each complete line (without its newline) and its number.
pub fn for_each_line(
    path: &Path,
    mut f: impl FnMut(u64, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') {
            return Ok(()); // an unfinished last line is no line
        }
        line.pop();
        f(n, &line)?;
        n += 1;
    }
}

fn bucket_of(number: &str) -> usize {
    let h = Sha256::digest(number.as_bytes());
    u16::from_be_bytes([h[0], h[1]]) as usize % BUCKETS
}

/// Judges the rule over every line of `path` (see the module's comment).
pub fn judge(path: &Path, rulebook: &Rulebook) -> io::Result<Judged> {
    let scratch = scratch_beside(path, "dups")?;
    let mut buckets: Vec<Option<BufWriter<File>>> = (0..BUCKETS).map(|_| None).collect();
    let mut candidates: Vec<u64> = Vec::new();
    for_each_line(path, |n, line| {
        let Ok(p) = serde_json::from_slice::<Peek>(line) else {
            return Ok(()); // not a line certscan reads back: left as it is
        };
        let flagged = p.validation.is_some_and(|v| {
            v.findings
                .iter()
                .any(|f| f.code == crate::validate::DUPLICATE.as_str())
        });
        if flagged {
            candidates.push(n);
        }
        if p.status != Status::Certificate {
            return Ok(());
        }
        let Some(c) = p.certificate else {
            return Ok(());
        };
        let Some(number) = c
            .certificate_number
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        else {
            return Ok(());
        };
        let org = c
            .organization_name
            .map(|o| crate::text::name_key(&o))
            .unwrap_or_default();
        let b = bucket_of(&number);
        if buckets[b].is_none() {
            buckets[b] = Some(BufWriter::new(File::create(
                scratch.0.join(format!("{b:03}")),
            )?));
        }
        let w = buckets[b].as_mut().expect("bucket open");
        serde_json::to_writer(&mut *w, &(number, n, org)).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })?;
    for (b, w) in buckets.into_iter().enumerate() {
        let Some(mut w) = w else { continue };
        w.flush()?;
        drop(w);
        // number -> its lines, and the organisations (name keys) printing it.
        let mut groups: HashMap<String, (Vec<u64>, HashSet<String>)> = HashMap::new();
        for_each_line(&scratch.0.join(format!("{b:03}")), |_, l| {
            let (number, n, org): (String, u64, String) =
                serde_json::from_slice(l).map_err(io::Error::other)?;
            let g = groups.entry(number).or_default();
            g.0.push(n);
            if !org.is_empty() {
                g.1.insert(org);
            }
            Ok(())
        })?;
        for (_, (ns, orgs)) in groups {
            // Two organisations at least: the rule may flag them (it
            // decides); one organisation alone is never a duplicate.
            if orgs.len() > 1 {
                candidates.extend(ns);
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    if candidates.is_empty() {
        return Ok(Judged::default());
    }
    let mut records: Vec<Record> = Vec::with_capacity(candidates.len());
    let mut at: Vec<u64> = Vec::with_capacity(candidates.len());
    let mut next = candidates.iter().peekable();
    for_each_line(path, |n, line| {
        if next.peek() == Some(&&n) {
            next.next();
            if let Ok(r) = serde_json::from_slice::<Record>(line) {
                records.push(r);
                at.push(n);
            }
        }
        Ok(())
    })?;
    let before = records.clone();
    let claimed = crate::validate::mark_duplicates(&mut records, rulebook);
    let mut changed = BTreeMap::new();
    for ((r, old), n) in records.iter().zip(&before).zip(&at) {
        if r != old {
            changed.insert(*n, serde_json::to_vec(r).map_err(io::Error::other)?);
        }
    }
    Ok(Judged { changed, claimed })
}

/// Writes `to` atomically (a temporary file beside it, synced, renamed)
/// from `from`'s complete lines: `keep` is given each line (without its
/// newline) and writes what stays of it.
pub fn rewrite_lines(
    from: &Path,
    to: &Path,
    mut keep: impl FnMut(u64, &[u8], &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = to.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let r = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        for_each_line(from, |n, line| keep(n, line, &mut w))?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, to)
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// Writes `from`'s lines to `to` atomically, with the lines of `changed` replaced.
pub fn rewrite(from: &Path, to: &Path, changed: &BTreeMap<u64, Vec<u8>>) -> io::Result<()> {
    rewrite_lines(from, to, |n, line, w| {
        w.write_all(changed.get(&n).map(Vec::as_slice).unwrap_or(line))?;
        w.write_all(b"\n")
    })
}

/// Applies the rule to a results file in place: rewritten (atomically) only
/// when a line changes. Returns the numbers claimed by more than one
/// organisation.
pub fn amend(path: &Path, rulebook: &Rulebook) -> io::Result<Vec<(String, Vec<String>)>> {
    let j = judge(path, rulebook)?;
    if !j.changed.is_empty() {
        rewrite(path, path, &j.changed)?;
    }
    Ok(j.claimed)
}
