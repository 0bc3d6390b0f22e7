//! What every command shares: the error that ends a run before a verdict (and its exit code),
//! bounded file reads, hashing the subject, and writing to the terminal.

use std::fmt;
use std::io::{IsTerminal, Read, Write};

/// An error that ends the run before a verdict: it maps to exit code 2 or 3.
#[derive(Debug)]
pub enum CliError {
    /// Bad flags or unreadable input (exit 2).
    Input(String),
    /// An evidence source could not be reached (exit 3).
    #[allow(dead_code)]
    Unreachable(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(m) | Self::Unreachable(m) => f.write_str(m),
        }
    }
}

impl CliError {
    /// 2 for bad input, 3 for an unreachable source.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Unreachable(_) => 3,
        }
    }
}

/// Read a file whole, refusing anything over `limit` bytes.
pub fn read_limited(path: &str, limit: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let file = open_regular(path)
        .map_err(|e| CliError::Input(format!("cannot read {what} {path}: {e}")))?;
    let mut buf = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::Input(format!("cannot read {what} {path}: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(CliError::Input(format!(
            "{what} {path} is larger than the {limit}-byte limit; is it the right file?"
        )));
    }
    Ok(buf)
}

/// Open `path` for reading if it is a regular file (symbolic links followed). A FIFO, socket
/// or device is refused before it is opened: opening a FIFO nobody writes to blocks forever,
/// and a device can be endless. A directory is refused too.
pub fn open_regular(path: impl AsRef<std::path::Path>) -> std::io::Result<std::fs::File> {
    let path = path.as_ref();
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(std::io::Error::other("a directory, not a file"));
    }
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, socket or device); write it to a file first",
        ));
    }
    std::fs::File::open(path)
}

/// The subject a command is about: the artifact `file` hashed as a stream with `algs`, or the
/// given `digest` (ALG:HEX); `None` when neither is given.
pub fn subject_of(
    file: Option<&str>,
    digest: Option<&str>,
    algs: &[provenant_model::DigestAlgorithm],
) -> Result<Option<provenant_model::Subject>, CliError> {
    use provenant_model::{Digest, Subject, SubjectKind};
    if let Some(d) = digest {
        let digest: Digest = d
            .parse()
            .map_err(|e| CliError::Input(format!("--digest: {e}")))?;
        return Ok(Some(Subject {
            kind: SubjectKind::Digest,
            name: None,
            digests: vec![digest],
            size: None,
        }));
    }
    let Some(f) = file else {
        return Ok(None);
    };
    if std::fs::metadata(f).is_ok_and(|m| m.is_dir()) {
        return Err(CliError::Input(format!(
            "artifact {f} is a directory; give a file or --digest"
        )));
    }
    let handle =
        open_regular(f).map_err(|e| CliError::Input(format!("cannot read artifact {f}: {e}")))?;
    let (digests, size) = provenant_verify::digest_reader(handle, algs)
        .map_err(|e| CliError::Input(format!("cannot read artifact {f}: {e}")))?;
    Ok(Some(Subject {
        kind: SubjectKind::File,
        name: Some(f.to_owned()),
        digests,
        size: Some(size),
    }))
}

/// Whether stdout should get colour.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Write bytes to stderr, ignoring a closed pipe.
pub fn emit_stderr(bytes: &[u8]) {
    let mut out = std::io::stderr().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// Write bytes to stdout, ignoring a closed pipe.
pub fn emit(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}
