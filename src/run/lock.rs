//! One writer per output file. A run holds an exclusive lock on a hidden
//! file beside its output (`.results.jsonl.lock`; the output itself is
//! renamed over when it is amended, so it cannot carry the lock) for as long
//! as it writes. A second run on the same output — a retried array task
//! while the straggler it replaces still runs — waits for the first to
//! finish, then resumes from what it wrote: the two never write the same file
//! at once. (`flock`; on NFS, Linux maps it onto NFS byte-range locks.)

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// A held lock; released when dropped (or when the process ends, however).
pub struct OutputLock {
    _file: File,
    pub path: PathBuf,
}

pub fn lock_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.lock"))
}

fn flock(f: &File, op: libc::c_int) -> std::io::Result<()> {
    loop {
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(f.as_raw_fd(), op) } == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Takes the lock of `out`, waiting (and saying so through `waiting`, with
/// the holder's pid when known) while another process holds it.
pub fn lock_output(
    out: &Path,
    waiting: &mut dyn FnMut(Option<u32>),
) -> std::io::Result<OutputLock> {
    let path = lock_path(out);
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    if flock(&f, libc::LOCK_EX | libc::LOCK_NB).is_err() {
        let mut s = String::new();
        let _ = f.read_to_string(&mut s);
        waiting(s.trim().parse().ok());
        // Polled, so that a stop request (SIGINT, SIGTERM) is seen while waiting.
        loop {
            match flock(&f, libc::LOCK_EX | libc::LOCK_NB) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if crate::run::stop::requested().is_some() {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::Interrupted,
                            "stopped while waiting for the output's lock",
                        ));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(e) => return Err(e),
            }
        }
    }
    f.set_len(0)?;
    f.seek(SeekFrom::Start(0))?;
    writeln!(f, "{}", std::process::id())?;
    f.flush()?;
    Ok(OutputLock { _file: f, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.jsonl");
        let first = lock_output(&out, &mut |_| panic!("nobody holds it yet")).unwrap();
        assert_eq!(first.path, dir.path().join(".r.jsonl.lock"));
        let out2 = out.clone();
        let t = std::thread::spawn(move || {
            let mut waited = None;
            let l = lock_output(&out2, &mut |pid| waited = Some(pid)).unwrap();
            drop(l);
            waited
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        drop(first);
        let waited = t.join().unwrap();
        assert_eq!(waited, Some(Some(std::process::id())));
    }
}
