//! `certscan merge`: the files of a sharded run (`shard-0007-of-0064.jsonl`,
//! see [`crate::run::shard`]) into one results file.
//! - Every shard of the count must be there and finished (its completion
//!   marker matches its lines and hash), else the merge refuses, naming
//!   them, unless told `partial` (then the lines there are merged).
//! - Every input once: a line whose input belongs to another shard (left by
//!   a run with another plan) is dropped, and so is a second group of lines
//!   for an input already seen in the shard (a writer that raced without the
//!   lock). Memory holds one shard's input names at a time.
//! - DUPLICATE_CERTIFICATE_NUMBER judged across all shards in bounded memory
//!   ([`crate::output::duplicates`]).
//! - Shards in index order, lines in file order: merging twice gives the
//!   same bytes; the output is written atomically.

use super::shard::{self, Shard};
use crate::output::duplicates::{self, for_each_line};
use crate::rules::Rulebook;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What a merge did.
#[derive(Debug, Default)]
pub struct Merged {
    pub count: u32,
    pub shards: usize,
    pub lines_in: u64,
    pub lines_out: u64,
    /// Lines of inputs that belong to another shard.
    pub dropped_elsewhere: u64,
    /// Lines of an input already merged from its shard.
    pub dropped_repeats: u64,
    /// Shards not found (only with `partial`).
    pub missing: Vec<u32>,
    /// Shards not finished, with why (only with `partial`).
    pub unfinished: Vec<(u32, String)>,
    pub claimed: Vec<(String, Vec<String>)>,
}

#[derive(Deserialize)]
struct PeekInput {
    input: String,
}

/// The shard files named by `args` (files, or folders holding them).
fn shard_files(args: &[PathBuf]) -> Result<BTreeMap<u32, (Shard, PathBuf)>, String> {
    let mut files = Vec::new();
    for a in args {
        if a.is_dir() {
            let rd =
                std::fs::read_dir(a).map_err(|e| format!("cannot list {}: {e}", a.display()))?;
            let mut found: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| shard::parse_file_name(n).is_some())
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!(
                    "{} holds no shard files (shard-IIII-of-NNNN.jsonl)",
                    a.display()
                ));
            }
            files.extend(found);
        } else {
            files.push(a.clone());
        }
    }
    let mut by_index: BTreeMap<u32, (Shard, PathBuf)> = BTreeMap::new();
    let mut count: Option<(u32, PathBuf)> = None;
    for f in files {
        let s = match shard::read_marker(&f) {
            Some(m) => Shard {
                index: m.shard,
                count: m.of,
            },
            None => f
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(shard::parse_file_name)
                .ok_or_else(|| {
                    format!(
                        "{} is not a shard's file: no completion marker beside it and not named shard-IIII-of-NNNN.jsonl",
                        f.display()
                    )
                })?,
        };
        match &count {
            Some((n, first)) if *n != s.count => {
                return Err(format!(
                    "{} is a shard of {} but {} is a shard of {n}: shards of different runs cannot be merged",
                    f.display(),
                    s.count,
                    first.display()
                ))
            }
            None => count = Some((s.count, f.clone())),
            _ => {}
        }
        if let Some((_, other)) = by_index.get(&s.index) {
            if std::fs::canonicalize(other).ok() != std::fs::canonicalize(&f).ok() {
                return Err(format!(
                    "{} and {} are both shard {}",
                    other.display(),
                    f.display(),
                    s
                ));
            }
            continue;
        }
        by_index.insert(s.index, (s, f));
    }
    Ok(by_index)
}

/// Why a shard's file is not finished, if it is not.
fn unfinished(s: Shard, f: &Path) -> Option<String> {
    let Some(m) = shard::read_marker(f) else {
        return Some("no completion marker: its run has not finished".into());
    };
    if (m.shard, m.of) != (s.index, s.count) {
        return Some(format!("its marker names shard {}/{}", m.shard, m.of));
    }
    match shard::count_and_hash(f) {
        Err(e) => Some(format!("cannot be read: {e}")),
        Ok((lines, sha)) if lines != m.lines || sha != m.sha256 => Some(format!(
            "it changed after it was finished ({lines} lines now, {} in its marker)",
            m.lines
        )),
        Ok(_) => None,
    }
}

/// Merges the shard files named by `args` into `out`.
pub fn merge(
    args: &[PathBuf],
    out: &Path,
    partial: bool,
    rulebook: &Rulebook,
) -> Result<Merged, String> {
    let files = shard_files(args)?;
    let Some((_, (first, _))) = files.iter().next() else {
        return Err("no shard files given".into());
    };
    let count = first.count;
    let mut m = Merged {
        count,
        shards: files.len(),
        missing: (0..count).filter(|i| !files.contains_key(i)).collect(),
        ..Default::default()
    };
    for (i, (s, f)) in &files {
        if let Some(why) = unfinished(*s, f) {
            m.unfinished.push((*i, format!("{}: {why}", f.display())));
        }
        if std::fs::canonicalize(f).ok() == std::fs::canonicalize(out).ok() {
            return Err(format!("the output {} is one of the shards", out.display()));
        }
    }
    if !partial && (!m.missing.is_empty() || !m.unfinished.is_empty()) {
        let mut why = Vec::new();
        if !m.missing.is_empty() {
            let list: Vec<String> = m.missing.iter().map(|i| i.to_string()).collect();
            why.push(format!(
                "{} of {count} shards missing ({})",
                m.missing.len(),
                list.join(", ")
            ));
        }
        for (i, w) in &m.unfinished {
            why.push(format!("shard {i} not finished: {w}"));
        }
        return Err(format!(
            "refusing to merge: {}; run the missing shards (or resume the unfinished ones), or merge with --partial",
            why.join("; ")
        ));
    }
    let body = out.with_file_name(format!(
        ".{}.merge{}",
        out.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let r = (|| -> io::Result<Merged> {
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&body)?);
        for (s, f) in files.values() {
            let mut seen: HashSet<String> = HashSet::new();
            let mut prev: Option<String> = None;
            let mut keep = true;
            for_each_line(f, |n, line| {
                m.lines_in += 1;
                let p: PeekInput = serde_json::from_slice(line).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} line {}: not a certscan line ({e})", f.display(), n + 1),
                    )
                })?;
                if !s.holds(&p.input) {
                    m.dropped_elsewhere += 1;
                    return Ok(());
                }
                if prev.as_deref() != Some(p.input.as_str()) {
                    keep = seen.insert(p.input.clone());
                    prev = Some(p.input);
                }
                if !keep {
                    m.dropped_repeats += 1;
                    return Ok(());
                }
                m.lines_out += 1;
                w.write_all(line)?;
                w.write_all(b"\n")
            })?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        let j = duplicates::judge(&body, rulebook)?;
        duplicates::rewrite(&body, out, &j.changed)?;
        m.claimed = j.claimed;
        Ok(std::mem::take(&mut m))
    })();
    let _ = std::fs::remove_file(&body);
    r.map_err(|e| format!("cannot merge into {}: {e}", out.display()))
}
