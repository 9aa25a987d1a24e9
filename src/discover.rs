//! Discover stage: turn the command line's paths (files, folders, ZIP archives,
//! list files) into a flat list of inputs, each with the name it is reported under.

use crate::error::{DocError, ErrorCode};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest input read into memory (a 300-page scanned package is ~300 MB).
pub const MAX_INPUT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Where an input's bytes live.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    File(PathBuf),
    /// Member `index` of a ZIP archive.
    ZipMember {
        archive: PathBuf,
        index: usize,
    },
}

/// One input document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputRef {
    /// The path as given; archive members as "pkg.zip!dir/file.pdf".
    pub display: String,
    pub source: Source,
}

/// A path that could not be expanded (unreadable folder, corrupt archive): it is
/// reported as an error line under its own name, so nothing is lost.
#[derive(Debug, Clone)]
pub struct DiscoverError {
    pub display: String,
    pub error: DocError,
}

/// Expands paths into inputs, in a stable order (folders sorted by name).
/// `exclude` (the output file) is skipped.
pub fn discover(paths: &[PathBuf], exclude: Option<&Path>) -> (Vec<InputRef>, Vec<DiscoverError>) {
    let exclude = exclude.and_then(|p| fs::canonicalize(p).ok());
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        walk(p, exclude.as_deref(), &mut inputs, &mut errors);
    }
    (inputs, errors)
}

fn walk(p: &Path, exclude: Option<&Path>, out: &mut Vec<InputRef>, errs: &mut Vec<DiscoverError>) {
    let display = p.to_string_lossy().into_owned();
    let meta = match fs::metadata(p) {
        Ok(m) => m,
        Err(e) => {
            errs.push(DiscoverError {
                display,
                error: DocError::new(ErrorCode::Io, format!("cannot read {}: {e}", p.display())),
            });
            return;
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                errs.push(DiscoverError {
                    display,
                    error: DocError::new(ErrorCode::Io, format!("cannot list folder: {e}")),
                });
                return;
            }
        };
        entries.sort();
        for e in entries {
            let hidden = e
                .file_name()
                .map(|n| n.to_string_lossy().starts_with('.'))
                .unwrap_or(false);
            if !hidden {
                walk(&e, exclude, out, errs);
            }
        }
        return;
    }
    if let Some(ex) = exclude {
        if fs::canonicalize(p).ok().as_deref() == Some(ex) {
            return;
        }
    }
    if is_zip(p) {
        match zip_members(p) {
            Ok(members) => {
                for (index, name) in members {
                    out.push(InputRef {
                        display: format!("{display}!{name}"),
                        source: Source::ZipMember {
                            archive: p.to_path_buf(),
                            index,
                        },
                    });
                }
            }
            Err(error) => errs.push(DiscoverError { display, error }),
        }
        return;
    }
    out.push(InputRef {
        display,
        source: Source::File(p.to_path_buf()),
    });
}

/// Sniffs the ZIP signature (the name is not trusted).
fn is_zip(p: &Path) -> bool {
    let mut head = [0u8; 4];
    match fs::File::open(p).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head == b"PK\x03\x04" || &head == b"PK\x05\x06",
        Err(_) => false,
    }
}

/// Member names of an archive (files only), decoded: UTF-8 when valid, else GBK
/// (Chinese Windows tools write GBK names without the UTF-8 flag), else CP437.
fn zip_members(p: &Path) -> Result<Vec<(usize, String)>, DocError> {
    let f = fs::File::open(p).map_err(|e| DocError::new(ErrorCode::Io, e.to_string()))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| {
        DocError::new(
            ErrorCode::Corrupt,
            format!("ZIP archive cannot be read: {e}"),
        )
    })?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let m = z.by_index_raw(i).map_err(|e| {
            DocError::new(
                ErrorCode::Corrupt,
                format!("ZIP member {i} cannot be read: {e}"),
            )
        })?;
        if m.is_dir() {
            continue;
        }
        let fallback = m.name().map(|c| c.into_owned()).unwrap_or_default();
        out.push((i, decode_member_name(m.name_raw(), &fallback)));
    }
    Ok(out)
}

/// Decodes a ZIP member name from its raw bytes.
pub fn decode_member_name(raw: &[u8], fallback: &str) -> String {
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    let (s, _, had_errors) = encoding_rs::GBK.decode(raw);
    if !had_errors {
        return s.into_owned();
    }
    fallback.to_string()
}

/// Reads an input's bytes (archive members decompressed, size-limited).
pub fn read_bytes(input: &InputRef) -> Result<Vec<u8>, DocError> {
    let io = |e: std::io::Error| {
        DocError::new(ErrorCode::Io, format!("cannot read {}: {e}", input.display))
    };
    match &input.source {
        Source::File(p) => {
            let len = fs::metadata(p).map_err(io)?.len();
            if len > MAX_INPUT_BYTES {
                return Err(DocError::new(
                    ErrorCode::TooLarge,
                    format!("file is {len} bytes, beyond the limit of {MAX_INPUT_BYTES}"),
                ));
            }
            fs::read(p).map_err(io)
        }
        Source::ZipMember { archive, index } => {
            let f = fs::File::open(archive).map_err(io)?;
            let mut z = zip::ZipArchive::new(f).map_err(|e| {
                DocError::new(
                    ErrorCode::Corrupt,
                    format!("ZIP archive cannot be read: {e}"),
                )
            })?;
            let m = z.by_index(*index).map_err(|e| {
                DocError::new(
                    ErrorCode::Corrupt,
                    format!("ZIP member cannot be read: {e}"),
                )
            })?;
            if m.size() > MAX_INPUT_BYTES {
                return Err(DocError::new(
                    ErrorCode::TooLarge,
                    format!(
                        "archive member declares {} bytes, beyond the limit",
                        m.size()
                    ),
                ));
            }
            let mut buf = Vec::with_capacity(m.size().min(64 << 20) as usize);
            m.take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| {
                    DocError::new(
                        ErrorCode::Corrupt,
                        format!("ZIP member cannot be decompressed: {e}"),
                    )
                })?;
            if buf.len() as u64 > MAX_INPUT_BYTES {
                return Err(DocError::new(
                    ErrorCode::TooLarge,
                    "archive member inflates beyond the limit",
                ));
            }
            Ok(buf)
        }
    }
}

/// Reads a list file: one path per line, blank lines and `#` comments ignored.
pub fn read_list_file(p: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(fs::read_to_string(p)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_member_names_are_decoded() {
        let (raw, _, _) = encoding_rs::GBK.encode("证书/认证证书.pdf");
        assert_eq!(decode_member_name(&raw, "x"), "证书/认证证书.pdf");
        assert_eq!(decode_member_name("a/b.pdf".as_bytes(), "x"), "a/b.pdf");
    }

    #[test]
    fn folders_recurse_sorted_and_zip_members_are_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        fs::write(dir.path().join("b.png"), b"x").unwrap();
        fs::write(sub.join("a.pdf"), b"x").unwrap();
        let zpath = dir.path().join("pkg.bin");
        {
            let f = fs::File::create(&zpath).unwrap();
            let mut w = zip::ZipWriter::new(f);
            let o = zip::write::SimpleFileOptions::default();
            w.add_directory("d/", o).unwrap();
            w.start_file("d/c.jpg", o).unwrap();
            std::io::Write::write_all(&mut w, b"hello").unwrap();
            w.finish().unwrap();
        }
        let (inputs, errs) = discover(&[dir.path().to_path_buf()], None);
        assert!(errs.is_empty());
        let names: Vec<String> = inputs
            .iter()
            .map(|i| i.display.replace(&*dir.path().to_string_lossy(), ""))
            .collect();
        assert_eq!(names, vec!["/b.png", "/pkg.bin!d/c.jpg", "/sub/a.pdf"]);
        assert_eq!(read_bytes(&inputs[1]).unwrap(), b"hello");
    }
}
