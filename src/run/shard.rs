//! Shares of the inputs for job arrays (Slurm, Kubernetes Indexed Jobs, Ray):
//! shard `I/N` holds the inputs whose name hashes to `I` modulo `N`. The name
//! is the input as printed (`input` in the output, already tidied: `rs/a.pdf`
//! whether given as `rs` or `./rs`), so every node, every run and every retry
//! agrees on the share without talking to the others; many more shards than
//! nodes even out their sizes. Each shard writes its own file
//! (`shard-0007-of-0064.jsonl`) and, once every input it holds has its lines,
//! a completion marker beside it that `certscan merge` checks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One share of the inputs: `index` from 0 to `count - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// `I/N`, or `auto`: from the scheduler's environment
    /// (`SLURM_ARRAY_TASK_ID` - `SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT`; Kubernetes' `JOB_COMPLETION_INDEX`, or
    /// `CERTSCAN_SHARD_INDEX`, of `CERTSCAN_SHARD_COUNT`).
    pub fn parse(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
        if s.trim() == "auto" {
            return Self::from_env(env);
        }
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("--shard {s}: expected I/N (e.g. 3/64) or auto"))?;
        let num = |x: &str, what: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("--shard {s}: {what} '{x}' is not a number"))
        };
        Self::new(num(i, "index")?, num(n, "count")?)
    }

    fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err("--shard: the count of shards must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "--shard {index}/{count}: shards are numbered from 0 to {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let num = |k: &str| -> Result<Option<u32>, String> {
            match env(k) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| format!("--shard auto: {k}='{v}' is not a number")),
            }
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = num("SLURM_ARRAY_TASK_COUNT")?.or(num("CERTSCAN_SHARD_COUNT")?);
            let count = count
                .ok_or("--shard auto: SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT")?;
            return Self::new(id.saturating_sub(min), count);
        }
        let index = num("JOB_COMPLETION_INDEX")?.or(num("CERTSCAN_SHARD_INDEX")?);
        match (index, num("CERTSCAN_SHARD_COUNT")?) {
            (Some(i), Some(n)) => Self::new(i, n),
            (Some(_), None) => Err(
                "--shard auto: the shard's index is set but not CERTSCAN_SHARD_COUNT \
                 (set it to the Job's completions)"
                    .into(),
            ),
            _ => Err(
                "--shard auto: not in a Slurm job array or a Kubernetes Indexed Job \
                 (no SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or CERTSCAN_SHARD_INDEX)"
                    .into(),
            ),
        }
    }

    /// Whether this shard holds the input printed as `input`.
    pub fn holds(&self, input: &str) -> bool {
        shard_of(input, self.count) == self.index
    }

    /// `shard-0007-of-0064.jsonl`.
    pub fn file_name(&self) -> String {
        format!("shard-{:04}-of-{:04}.jsonl", self.index, self.count)
    }

    /// The shard's output: `out` itself when it names a file, else the
    /// shard's file in the folder `out` (a folder that exists, or a path
    /// ending in `/`).
    pub fn output_in(&self, out: &Path) -> PathBuf {
        let as_dir = out.is_dir() || out.as_os_str().to_string_lossy().ends_with('/');
        if as_dir {
            out.join(self.file_name())
        } else {
            out.to_path_buf()
        }
    }
}

/// The shard (of `count`) an input belongs to: the first 8 bytes of the
/// SHA-256 of its printed name, modulo `count` (stable everywhere).
pub fn shard_of(input: &str, count: u32) -> u32 {
    let h = Sha256::digest(input.as_bytes());
    let v = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    (v % count.max(1) as u64) as u32
}

/// `shard-0007-of-0064.jsonl` → 7/64.
pub fn parse_file_name(name: &str) -> Option<Shard> {
    let rest = name.strip_prefix("shard-")?.strip_suffix(".jsonl")?;
    let (i, n) = rest.split_once("-of-")?;
    Shard::new(i.parse().ok()?, n.parse().ok()?).ok()
}

/// The completion marker written beside a finished shard file
/// (`shard-0007-of-0064.jsonl.done`): which shard, and the file's line count
/// and SHA-256 when it was finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub shard: u32,
    pub of: u32,
    pub lines: u64,
    pub sha256: String,
    pub certscan: String,
}

pub fn marker_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".done");
    PathBuf::from(s)
}

/// Line count and SHA-256 of a file, streamed.
pub fn count_and_hash(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut lines = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        h.update(&buf[..n]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((lines, hex))
}

/// Writes the completion marker of `out` atomically.
pub fn write_marker(out: &Path, shard: Shard) -> std::io::Result<Marker> {
    let (lines, sha256) = count_and_hash(out)?;
    let m = Marker {
        shard: shard.index,
        of: shard.count,
        lines,
        sha256,
        certscan: env!("CARGO_PKG_VERSION").into(),
    };
    let mut bytes = serde_json::to_vec(&m).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    crate::output::write_atomically(&marker_path(out), &bytes)?;
    Ok(m)
}

/// Removes the marker of a file about to change (no error if there is none).
pub fn remove_marker(out: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(marker_path(out)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Reads a marker, if there is one.
pub fn read_marker(out: &Path) -> Option<Marker> {
    let bytes = std::fs::read(marker_path(out)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn parses_index_and_count() {
        let none = env_of(&[]);
        assert_eq!(
            Shard::parse("3/64", &none).unwrap(),
            Shard {
                index: 3,
                count: 64
            }
        );
        assert!(Shard::parse("64/64", &none).is_err());
        assert!(Shard::parse("1/0", &none).is_err());
        assert!(Shard::parse("x/2", &none).is_err());
        assert!(Shard::parse("auto", &none).is_err());
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes() {
        let slurm = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "12"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Shard::parse("auto", &slurm).unwrap(),
            Shard { index: 2, count: 8 }
        );
        let k8s = env_of(&[
            ("JOB_COMPLETION_INDEX", "5"),
            ("CERTSCAN_SHARD_COUNT", "16"),
        ]);
        assert_eq!(
            Shard::parse("auto", &k8s).unwrap(),
            Shard {
                index: 5,
                count: 16
            }
        );
        let half = env_of(&[("JOB_COMPLETION_INDEX", "5")]);
        assert!(Shard::parse("auto", &half).is_err());
    }

    #[test]
    fn every_input_is_in_exactly_one_shard_and_names_round_trip() {
        let n = 8;
        let mut sizes = vec![0; n as usize];
        for k in 0..4000 {
            let name = format!("archive/box{}/doc{k}.pdf", k % 13);
            let holders: Vec<u32> = (0..n)
                .filter(|&i| Shard { index: i, count: n }.holds(&name))
                .collect();
            assert_eq!(holders.len(), 1);
            sizes[holders[0] as usize] += 1;
        }
        // A hash spreads them: no shard holds twice its share.
        assert!(sizes.iter().all(|&s| s > 250 && s < 1000), "{sizes:?}");
        let s = Shard {
            index: 7,
            count: 64,
        };
        assert_eq!(s.file_name(), "shard-0007-of-0064.jsonl");
        assert_eq!(parse_file_name(&s.file_name()), Some(s));
        assert_eq!(parse_file_name("results.jsonl"), None);
    }
}
