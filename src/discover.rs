//! Discover stage. Takes the command line's paths (files, folders, ZIP
//! archives, list files); hands on a flat list of inputs ([`InputRef`]), each
//! with the name it is reported under, and error lines for paths that cannot
//! be read.

use crate::error::{DocError, ErrorCode};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use zip::read::OwnedZipFileEntry;
use zip::unstable::read::ZipIterable;

pub use crate::load::MAX_INPUT_BYTES;

/// Where an input's bytes live.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    File(#[serde(with = "path_bytes")] PathBuf),
    /// Member `index` of a ZIP archive: its position in the central directory
    /// (members of one name are distinct).
    ZipMember {
        #[serde(with = "path_bytes")]
        archive: PathBuf,
        index: usize,
    },
}

/// Paths travel to workers as their bytes: a file name need not be UTF-8.
mod path_bytes {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::ffi::OsString;
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::path::{Path, PathBuf};

    pub fn serialize<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(p.as_os_str().as_bytes())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        Ok(PathBuf::from(OsString::from_vec(Vec::<u8>::deserialize(
            d,
        )?)))
    }
}

/// One input document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputRef {
    /// The path as given (see [`display_path`]); archive members as
    /// "pkg.zip!dir/file.pdf", the second member of one name as "...file.pdf#2".
    pub display: String,
    pub source: Source,
}

/// A path that could not be expanded (unreadable folder, corrupt archive): it is
/// reported as an error line under its own name, so nothing is lost.
#[derive(Debug, Clone)]
pub struct DiscoverError {
    pub display: String,
    /// Of the file's bytes, when they were read.
    pub sha256: Option<String>,
    pub error: DocError,
}

/// What the command line's paths expand to.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<InputRef>,
    pub errors: Vec<DiscoverError>,
    /// For stderr: folders that hold nothing to read.
    pub warnings: Vec<String>,
    /// Paths named on the command line (or in a list file) that do not exist.
    pub missing: Vec<String>,
}

/// A file's or folder's identity: the same file reached by two paths (a link,
/// a path given twice) is one input, and a folder is entered once.
type FileId = (u64, u64);

fn file_id(m: &fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

/// Expands paths into inputs, in a stable order (folders sorted by name).
/// `exclude` (the output file) is skipped. Links are followed, but a folder is
/// entered once (a link to a parent is no loop) and a file reached by several
/// paths is one input, under the first path it was reached by.
pub fn discover(paths: &[PathBuf], exclude: Option<&Path>) -> Discovered {
    let mut w = Walker {
        exclude: exclude
            .and_then(|p| fs::metadata(p).ok())
            .map(|m| file_id(&m)),
        ..Default::default()
    };
    for p in paths {
        w.walk(p, true);
    }
    w.found
}

#[derive(Default)]
struct Walker {
    exclude: Option<FileId>,
    dirs: HashSet<FileId>,
    files: HashSet<FileId>,
    /// Files met so far, read or not (a folder holding only files already met
    /// is not empty).
    met: usize,
    found: Discovered,
}

impl Walker {
    fn error(&mut self, display: String, code: ErrorCode, message: String) {
        self.found.errors.push(DiscoverError {
            display,
            sha256: None,
            error: DocError::new(code, message),
        });
    }

    fn walk(&mut self, p: &Path, top: bool) {
        let display = display_path(p);
        let meta = match fs::metadata(p) {
            Ok(m) => m,
            Err(e) => return self.unreadable(p, display, top, e),
        };
        if meta.is_dir() {
            return self.folder(p, display, top, &meta);
        }
        self.met += 1;
        let id = file_id(&meta);
        if self.exclude == Some(id) {
            return;
        }
        if !meta.is_file() {
            use std::os::unix::fs::FileTypeExt;
            let t = meta.file_type();
            let kind = if t.is_fifo() {
                "a FIFO (named pipe)"
            } else if t.is_socket() {
                "a socket"
            } else if t.is_char_device() {
                "a character device"
            } else if t.is_block_device() {
                "a block device"
            } else {
                "of an unknown kind"
            };
            self.error(
                display,
                ErrorCode::UnsupportedFormat,
                format!("not a regular file: {kind}, not opened"),
            );
            return;
        }
        if !self.files.insert(id) {
            return; // the same file by another path
        }
        if is_zip(p) && !is_docx_file(p) {
            return self.archive(p, display);
        }
        self.found.inputs.push(InputRef {
            display,
            source: Source::File(p.to_path_buf()),
        });
    }

    /// A path that cannot be read: an error line, or, given at the top, an
    /// archive member as the output prints it ("pkg.zip!dir/a.pdf").
    fn unreadable(&mut self, p: &Path, display: String, top: bool, e: std::io::Error) {
        self.met += 1;
        if top && e.kind() == std::io::ErrorKind::NotFound {
            if let Some(r) = member_input(p) {
                match r {
                    Ok(input) => {
                        if !self.found.inputs.iter().any(|i| i.display == input.display) {
                            self.found.inputs.push(input);
                        }
                    }
                    Err(error) => self.found.errors.push(DiscoverError {
                        display,
                        sha256: None,
                        error,
                    }),
                }
                return;
            }
            self.found.missing.push(display.clone());
        }
        self.error(
            display,
            ErrorCode::Io,
            format!("cannot read {}: {e}", p.display()),
        );
    }

    /// A folder: its entries in name order, hidden ones skipped, each folder
    /// entered once (links to it or to a parent are not followed again).
    fn folder(&mut self, p: &Path, display: String, top: bool, meta: &fs::Metadata) {
        if !self.dirs.insert(file_id(meta)) {
            return; // entered already (a link to it, or a link to a parent)
        }
        let mut entries: Vec<PathBuf> = match fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                self.met += 1;
                self.error(display, ErrorCode::Io, format!("cannot list folder: {e}"));
                return;
            }
        };
        entries.sort();
        let met = self.met;
        for e in entries {
            let hidden = e
                .file_name()
                .map(|n| n.as_bytes().starts_with(b"."))
                .unwrap_or(false);
            if !hidden {
                self.walk(&e, false);
            }
        }
        if top && self.met == met {
            self.found.warnings.push(format!(
                "folder {display} holds no files to read (hidden files are skipped)"
            ));
        }
    }

    /// A ZIP archive: an input per member, or an error line.
    fn archive(&mut self, p: &Path, display: String) {
        match zip_members(p) {
            Ok(members) if members.is_empty() => {
                let sha256 = fs::read(p).ok().map(|b| crate::digest::sha256_hex(&b));
                self.found.errors.push(DiscoverError {
                    display,
                    sha256,
                    error: DocError::new(
                        ErrorCode::Empty,
                        "the ZIP archive holds no documents (no files, at most folders)",
                    ),
                });
            }
            Ok(members) => {
                for (index, name) in members {
                    self.found.inputs.push(InputRef {
                        display: format!("{display}!{name}"),
                        source: Source::ZipMember {
                            archive: p.to_path_buf(),
                            index,
                        },
                    });
                }
            }
            Err(error) => self.found.errors.push(DiscoverError {
                display,
                sha256: None,
                error,
            }),
        }
    }
}

/// A path written the one way the output prints it: `./rs//a/./b.pdf` is
/// `rs/a/b.pdf` (so `rs` and `./rs` are one input to resume, to shards and
/// to manifests); `..` is kept (links make it more than a step back); a
/// trailing `/` is kept; a relative path that tidies to nothing is "".
pub fn tidy_path(s: &str) -> String {
    let parts: Vec<&str> = s
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut out = parts.join("/");
    if s.starts_with('/') {
        out.insert(0, '/');
    }
    if s.ends_with('/') && !out.is_empty() && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// An archive member named as the output prints it (`pkg.zip!dir/a.pdf`,
/// `pkg.zip!a.pdf#2`): the archive is the longest part before a `!` that is
/// a file. `None` when no such archive exists.
fn member_input(p: &Path) -> Option<Result<InputRef, DocError>> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = p.as_os_str().as_bytes();
    for (i, _) in bytes.iter().enumerate().rev().filter(|(_, &b)| b == b'!') {
        let archive = Path::new(std::ffi::OsStr::from_bytes(&bytes[..i]));
        if !archive.is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&bytes[i + 1..]).into_owned();
        return Some(zip_members(archive).and_then(|members| {
            members
                .into_iter()
                .find(|(_, n)| *n == name)
                .map(|(index, n)| InputRef {
                    display: format!("{}!{n}", display_path(archive)),
                    source: Source::ZipMember {
                        archive: archive.to_path_buf(),
                        index,
                    },
                })
                .ok_or_else(|| {
                    DocError::new(
                        ErrorCode::Io,
                        format!(
                            "the archive {} holds no member named {name}",
                            archive.display()
                        ),
                    )
                })
        }));
    }
    None
}

/// The name a path is reported under (tidied, see [`tidy_path`]): the path as given when it is UTF-8;
/// a name that is not (a Chinese Windows tool writes GBK) is decoded from GBK
/// when it is valid GBK, else its stray bytes are written `\xNN`. Each name
/// in the path is decoded on its own.
pub fn display_path(p: &Path) -> String {
    let s = tidy_path(&raw_display(p));
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

fn raw_display(p: &Path) -> String {
    let bytes = p.as_os_str().as_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, part) in bytes.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if let Ok(s) = std::str::from_utf8(part) {
            out.push_str(s);
            continue;
        }
        let (s, _, had_errors) = encoding_rs::GBK.decode(part);
        if !had_errors {
            out.push_str(&s);
            continue;
        }
        for chunk in part.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out
}

/// Sniffs the ZIP signature (the name is not trusted).
fn is_zip(p: &Path) -> bool {
    let mut head = [0u8; 4];
    match fs::File::open(p).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head == b"PK\x03\x04" || &head == b"PK\x05\x06",
        Err(_) => false,
    }
}

/// A Word document (.docx) is one input, never expanded into its members: a
/// ZIP holding `word/document.xml`, or named .docx / .docm (a damaged one is
/// then reported by the loader as a damaged Word document).
fn is_docx_file(p: &Path) -> bool {
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "docx" || ext == "docm" {
        return true;
    }
    match zip_members(p) {
        Ok(members) => members
            .iter()
            .any(|(_, n)| n == crate::load::docx::DOCUMENT_XML),
        Err(_) => {
            let mut head = Vec::new();
            let _ = fs::File::open(p).and_then(|f| f.take(64 << 10).read_to_end(&mut head));
            crate::load::docx::looks_like_docx(&head)
        }
    }
}

fn open_zip(p: &Path) -> Result<ZipIterable<fs::File>, DocError> {
    let f = fs::File::open(p).map_err(|e| DocError::new(ErrorCode::Io, e.to_string()))?;
    ZipIterable::try_new(f, zip::read::Config::default()).map_err(|e| {
        DocError::new(
            ErrorCode::Corrupt,
            format!("ZIP archive cannot be read: {e}"),
        )
    })
}

/// An archive's central directory, read once: its entries in order (folders
/// too: a member is known by its position) and, when an entry could not be
/// read, its position and why (the entries after it are unknown).
pub struct ZipIndex {
    pub entries: Vec<OwnedZipFileEntry>,
    pub failed: Option<(usize, String)>,
}

/// What identifies an archive's bytes: the same path rewritten since is read
/// again.
type FileStamp = (u64, u64, u64, i64, i64);

fn file_stamp(m: &fs::Metadata) -> FileStamp {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino(), m.len(), m.mtime(), m.mtime_nsec())
}

/// The indexes of the archives read last (a worker reads the members of one
/// archive one after another). Finding member `index` by walking the central
/// directory from its start, for every member and again for its hash, made
/// an archive of N members cost O(N²) (issue 19, 15: 10,000 members took
/// 83 s); now each process walks an archive's directory once. An entry takes
/// about 200 bytes of memory, and an entry needs at least 46 bytes of the
/// archive's directory.
static ZIP_INDEXES: std::sync::Mutex<Vec<(PathBuf, FileStamp, Arc<ZipIndex>)>> =
    std::sync::Mutex::new(Vec::new());
const ZIP_INDEXES_KEPT: usize = 2;

/// Central-directory entries parsed by this process (a count of the work
/// reading archives costs, for tests).
pub static ZIP_ENTRIES_PARSED: AtomicU64 = AtomicU64::new(0);

/// The central directory of an archive, from the cache when the archive is
/// unchanged since it was read.
pub fn zip_index(p: &Path) -> Result<Arc<ZipIndex>, DocError> {
    let meta = fs::metadata(p)
        .map_err(|e| DocError::new(ErrorCode::Io, format!("cannot read {}: {e}", p.display())))?;
    let stamp = file_stamp(&meta);
    let mut cache = ZIP_INDEXES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = cache.iter().position(|(q, s, _)| q == p && *s == stamp) {
        let hit = cache.remove(i);
        let index = hit.2.clone();
        cache.push(hit);
        return Ok(index);
    }
    cache.retain(|(q, _, _)| q != p);
    if cache.len() >= ZIP_INDEXES_KEPT {
        cache.remove(0);
    }
    drop(cache);
    let mut z = open_zip(p)?;
    let mut entries = Vec::with_capacity(z.len().min(1 << 16));
    let mut failed = None;
    let files = z.files().map_err(|e| {
        DocError::new(
            ErrorCode::Corrupt,
            format!("ZIP archive cannot be read: {e}"),
        )
    })?;
    for (i, m) in files.enumerate() {
        ZIP_ENTRIES_PARSED.fetch_add(1, Ordering::Relaxed);
        match m {
            Ok(m) => entries.push(OwnedZipFileEntry::from(m)),
            Err(e) => {
                failed = Some((i, e.to_string()));
                break;
            }
        }
    }
    let index = Arc::new(ZipIndex { entries, failed });
    let mut cache = ZIP_INDEXES.lock().unwrap_or_else(|e| e.into_inner());
    cache.push((p.to_path_buf(), stamp, index.clone()));
    Ok(index)
}

/// Member `index` of an archive's central directory.
fn zip_entry(index: &ZipIndex, i: usize) -> Result<&OwnedZipFileEntry, DocError> {
    if let Some(e) = index.entries.get(i) {
        return Ok(e);
    }
    Err(match &index.failed {
        Some((_, e)) => DocError::new(
            ErrorCode::Corrupt,
            format!("ZIP member cannot be read: {e}"),
        ),
        None => DocError::new(ErrorCode::Corrupt, "ZIP member is missing"),
    })
}

/// Member names of an archive (files only) with their positions in the
/// central directory, decoded: UTF-8 when valid, else GBK (Chinese Windows
/// tools write GBK names without the UTF-8 flag), else CP437. Every member is
/// listed, also several of one name (the crate's `ZipArchive` keeps only the
/// last of them): the second is named "name#2", the third "name#3".
fn zip_members(p: &Path) -> Result<Vec<(usize, String)>, DocError> {
    let index = zip_index(p)?;
    if let Some((i, e)) = &index.failed {
        return Err(DocError::new(
            ErrorCode::Corrupt,
            format!("ZIP member {i} cannot be read: {e}"),
        ));
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, m) in index.entries.iter().enumerate() {
        if m.is_dir() {
            continue;
        }
        let fallback = m.name().map(|c| c.into_owned()).unwrap_or_default();
        let name = decode_member_name(m.name_raw(), &fallback);
        let n = seen.entry(name.clone()).or_default();
        *n += 1;
        let name = if *n == 1 { name } else { format!("{name}#{n}") };
        out.push((i, name));
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
            let meta = fs::metadata(p).map_err(io)?;
            if !meta.is_file() {
                // Checked at discovery; a FIFO put in its place since is not opened either.
                return Err(DocError::new(
                    ErrorCode::UnsupportedFormat,
                    "not a regular file, not opened",
                ));
            }
            let len = meta.len();
            if len > MAX_INPUT_BYTES {
                return Err(DocError::new(
                    ErrorCode::TooLarge,
                    format!("file is {len} bytes, beyond the limit of {MAX_INPUT_BYTES}"),
                ));
            }
            fs::read(p).map_err(io)
        }
        Source::ZipMember { archive, index } => {
            let member_error = |e: zip::result::ZipError| {
                DocError::new(
                    ErrorCode::Corrupt,
                    format!("ZIP member cannot be read: {e}"),
                )
            };
            let zindex = zip_index(archive)?;
            let entry = zip_entry(&zindex, *index)?;
            if entry.encrypted() {
                // Issue 19, 16: was `corrupt`.
                return Err(DocError::new(
                    ErrorCode::Encrypted,
                    "the ZIP member is encrypted (it needs a password to read)",
                ));
            }
            let mut body = fs::File::open(archive).map_err(io)?;
            let m = entry
                .as_ref()
                .with_reader(&mut body, zip::ZipReadOptions::new())
                .map_err(member_error)?;
            if m.size() > MAX_INPUT_BYTES {
                return Err(DocError::new(
                    ErrorCode::TooLarge,
                    format!(
                        "archive member declares {} bytes, beyond the limit",
                        m.size()
                    ),
                ));
            }
            // Issue 19, 12: the first KiB tells the format; a member that is
            // no document certscan reads is refused before the rest is
            // inflated.
            let mut m = m.take(MAX_INPUT_BYTES + 1);
            let mut head = Vec::with_capacity(1024);
            (&mut m).take(1024).read_to_end(&mut head).map_err(|e| {
                DocError::new(
                    ErrorCode::Corrupt,
                    format!("ZIP member cannot be decompressed: {e}"),
                )
            })?;
            if !head.is_empty() && crate::load::sniff(&head).is_none() {
                return Err(DocError::new(
                    ErrorCode::UnsupportedFormat,
                    format!(
                        "not a PDF, PNG, JPEG, TIFF, BMP, WebP or .docx file (starts with {}); \
                         not inflated further",
                        head.iter()
                            .take(8)
                            .map(|b| format!("{b:02x}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                ));
            }
            let mut buf = Vec::with_capacity(m.get_ref().size().min(64 << 20) as usize);
            buf.extend_from_slice(&head);
            m.read_to_end(&mut buf).map_err(|e| {
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

/// SHA-256 of an input's bytes, streamed (bounded memory: never the whole
/// input held at once); `None` when it cannot be read.
pub fn sha256_of(input: &InputRef) -> Option<String> {
    use sha2::{Digest, Sha256};
    struct H(Sha256);
    impl std::io::Write for H {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.update(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = H(Sha256::new());
    match &input.source {
        Source::File(p) => {
            if !fs::metadata(p).ok()?.is_file() {
                return None;
            }
            let f = fs::File::open(p).ok()?;
            std::io::copy(&mut f.take(MAX_INPUT_BYTES + 1), &mut h).ok()?;
        }
        Source::ZipMember { archive, index } => {
            let zindex = zip_index(archive).ok()?;
            let entry = zip_entry(&zindex, *index).ok()?;
            let mut body = fs::File::open(archive).ok()?;
            let m = entry
                .as_ref()
                .with_reader(&mut body, zip::ZipReadOptions::new())
                .ok()?;
            std::io::copy(&mut m.take(MAX_INPUT_BYTES + 1), &mut h).ok()?;
        }
    }
    Some(h.0.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads a list file: one path per line, blank lines and `#` comments ignored.
/// A path need not be UTF-8 (its bytes are the file's name).
pub fn read_list_file(p: &Path) -> std::io::Result<Vec<PathBuf>> {
    use std::os::unix::ffi::OsStringExt;
    Ok(fs::read(p)?
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
        .map(|l| PathBuf::from(std::ffi::OsString::from_vec(l.to_vec())))
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
            std::io::Write::write_all(&mut w, b"%PDF-hello").unwrap();
            w.finish().unwrap();
        }
        let found = discover(&[dir.path().to_path_buf()], None);
        assert!(found.errors.is_empty());
        let inputs = found.inputs;
        let names: Vec<String> = inputs
            .iter()
            .map(|i| i.display.replace(&*dir.path().to_string_lossy(), ""))
            .collect();
        assert_eq!(names, vec!["/b.png", "/pkg.bin!d/c.jpg", "/sub/a.pdf"]);
        assert_eq!(read_bytes(&inputs[1]).unwrap(), b"%PDF-hello");
    }

    /// Issue 19, 15: reading every member of an archive of N members walked
    /// the central directory from its start for each member (and again for
    /// its hash): N²/2 entries parsed. Now the directory is read once per
    /// archive (discovery and all reads share it).
    #[test]
    fn reading_every_zip_member_parses_the_directory_once() {
        let dir = tempfile::tempdir().unwrap();
        let zpath = dir.path().join("many.zip");
        let n = 10_000;
        {
            let f = fs::File::create(&zpath).unwrap();
            let mut w = zip::ZipWriter::new(std::io::BufWriter::new(f));
            let o = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            for i in 0..n {
                w.start_file(format!("m/{i:05}.pdf"), o).unwrap();
                std::io::Write::write_all(&mut w, format!("%PDF-{i}").as_bytes()).unwrap();
            }
            w.finish().unwrap();
        }
        let before = ZIP_ENTRIES_PARSED.load(Ordering::Relaxed);
        let found = discover(std::slice::from_ref(&zpath), None);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(found.inputs.len(), n);
        for (i, input) in found.inputs.iter().enumerate() {
            assert_eq!(read_bytes(input).unwrap(), format!("%PDF-{i}").as_bytes());
            assert!(sha256_of(input).is_some());
        }
        let parsed = ZIP_ENTRIES_PARSED.load(Ordering::Relaxed) - before;
        // Once for discovery and the reads; other tests of this process may
        // evict the index once. Walking from the start for each read: 10⁸.
        assert!(
            parsed <= 3 * n as u64,
            "{parsed} entries parsed for {n} members"
        );
    }
}
