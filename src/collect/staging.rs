//! The staging directory: everything is downloaded into a private directory beside
//! `--out` and renamed to `--out` only when the bundle is whole, so an error, a panic or
//! Ctrl-C never leaves a half-done bundle under the name the user asked for. Every file
//! is checked for credentials before it is written, and its sha256, size and HTTP
//! status are recorded for the manifest.

use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The staging directory of the run in progress, for the Ctrl-C handler (which runs on
/// another thread and removes it before the process exits).
static CURRENT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Removes the staging directory of the run in progress, if any. Called by the Ctrl-C
/// handler; files being written at that moment fail, since the directory is never
/// created again.
pub fn remove_current() {
    let taken = CURRENT.lock().ok().and_then(|mut c| c.take());
    if let Some(dir) = taken {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// What was saved: recorded in the manifest's `files`.
#[derive(Clone, Debug)]
pub(crate) struct Saved {
    /// The file's path in the bundle, with `/` (`crm/contacts/page-0001.json`).
    pub rel: String,
    /// SHA-256 of the bytes written (after redaction), in lower-case hex.
    pub sha256: String,
    /// The size written, in bytes.
    pub bytes: u64,
    /// The HTTP status of the response saved; `None` for a file `collect` made itself.
    pub status: Option<u16>,
    /// A credential was found in the response and replaced.
    pub redacted: bool,
}

#[derive(Debug)]
pub(crate) struct Staging {
    root: PathBuf,
    out: PathBuf,
    done: bool,
}

/// What a response is replaced with where it held a credential.
const REDACTED: &str = "[REDACTED]";

impl Staging {
    /// Checks `out` (absent, or an empty directory) and creates the staging directory
    /// beside it, readable only by the user.
    pub(crate) fn create(out: &Path) -> Result<Staging, StagingError> {
        if out.exists() {
            let empty = std::fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !out.is_dir() || !empty {
                return Err(StagingError::OutNotEmpty(out.to_path_buf()));
            }
        }
        let name = out
            .file_name()
            .ok_or_else(|| StagingError::OutHasNoName(out.to_path_buf()))?
            .to_string_lossy()
            .into_owned();
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(StagingError::NoParent {
                out: out.to_path_buf(),
                parent,
            });
        }
        let root = tempfile::Builder::new()
            .prefix(&format!(".{name}.collect-"))
            .tempdir_in(&parent)
            .map_err(|io| StagingError::CreateStaging {
                parent: parent.clone(),
                io,
            })?
            // Kept by hand: `Drop` below removes it unless it was renamed.
            .keep();
        if let Ok(mut c) = CURRENT.lock() {
            *c = Some(root.clone());
        }
        Ok(Staging {
            root,
            out: out.to_path_buf(),
            done: false,
        })
    }

    /// Writes `bytes` as `rel` (e.g. `crm/contacts/page-0001.json`), after replacing any
    /// of `secrets` it holds.
    pub(crate) fn write(
        &self,
        rel: &str,
        bytes: &[u8],
        status: Option<u16>,
        secrets: &[&str],
    ) -> Result<Saved, StagingError> {
        let (bytes, redacted) = redact(bytes, secrets);
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            self.make_dirs(dir)?;
        }
        std::fs::write(&path, &bytes).map_err(|io| StagingError::Write {
            rel: rel.to_owned(),
            io,
        })?;
        Ok(Saved {
            rel: rel.to_string(),
            sha256: hex(&Sha256::digest(&bytes)),
            bytes: bytes.len() as u64,
            status,
            redacted,
        })
    }

    /// Creates the directories between the staging root and `dir`, never the root
    /// itself: after Ctrl-C removed it, writing fails instead of bringing it back.
    fn make_dirs(&self, dir: &Path) -> Result<(), StagingError> {
        let Ok(rel) = dir.strip_prefix(&self.root) else {
            return Err(StagingError::Outside(dir.to_path_buf()));
        };
        let mut at = self.root.clone();
        for c in rel.components() {
            at.push(c);
            match std::fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(io) => return Err(StagingError::CreateDir { dir: at, io }),
            }
        }
        Ok(())
    }

    /// Renames the staging directory to `--out`, with the permissions a new directory
    /// would have.
    pub(crate) fn finish(mut self) -> Result<PathBuf, StagingError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o755));
        }
        // An empty `--out` (allowed) is replaced by the rename.
        if self.out.is_dir() {
            let _ = std::fs::remove_dir(&self.out);
        }
        std::fs::rename(&self.root, &self.out).map_err(|io| StagingError::Rename {
            out: self.out.clone(),
            io,
        })?;
        self.done = true;
        if let Ok(mut c) = CURRENT.lock() {
            *c = None;
        }
        Ok(self.out.clone())
    }
}

/// Why the staging directory cannot be made, written to or renamed.
#[derive(Debug)]
pub enum StagingError {
    /// `--out` exists and is not an empty directory.
    OutNotEmpty(PathBuf),
    /// `--out` ends in no name (`/`, `..`).
    OutHasNoName(PathBuf),
    /// The directory `--out` would be made in does not exist.
    NoParent { out: PathBuf, parent: PathBuf },
    /// The staging directory cannot be created in `parent`.
    CreateStaging { parent: PathBuf, io: std::io::Error },
    /// A file of the download cannot be written.
    Write { rel: String, io: std::io::Error },
    /// A file would be written outside the staging directory.
    Outside(PathBuf),
    /// A directory of the download cannot be created.
    CreateDir { dir: PathBuf, io: std::io::Error },
    /// The download cannot be renamed to `--out`.
    Rename { out: PathBuf, io: std::io::Error },
}

impl fmt::Display for StagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StagingError::OutNotEmpty(out) => write!(
                f,
                "{}: already exists and is not an empty directory; choose a new --out",
                out.display()
            ),
            StagingError::OutHasNoName(out) => {
                write!(f, "{}: --out needs a directory name", out.display())
            }
            StagingError::NoParent { out, parent } => write!(
                f,
                "{}: the directory {} does not exist",
                out.display(),
                parent.display()
            ),
            StagingError::CreateStaging { parent, io } => write!(
                f,
                "{}: cannot create a staging directory: {io}",
                parent.display()
            ),
            StagingError::Write { rel, io } => write!(f, "cannot write {rel}: {io}"),
            StagingError::Outside(dir) => {
                write!(f, "{} is outside the staging directory", dir.display())
            }
            StagingError::CreateDir { dir, io } => {
                write!(f, "cannot create {}: {io}", dir.display())
            }
            StagingError::Rename { out, io } => {
                write!(f, "cannot rename the download to {}: {io}", out.display())
            }
        }
    }
}

impl std::error::Error for StagingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StagingError::CreateStaging { io, .. }
            | StagingError::Write { io, .. }
            | StagingError::CreateDir { io, .. }
            | StagingError::Rename { io, .. } => Some(io),
            StagingError::OutNotEmpty(_)
            | StagingError::OutHasNoName(_)
            | StagingError::NoParent { .. }
            | StagingError::Outside(_) => None,
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.root);
            if let Ok(mut c) = CURRENT.lock()
                && c.as_deref() == Some(self.root.as_path())
            {
                *c = None;
            }
        }
    }
}

/// `bytes` with every occurrence of each secret replaced.
fn redact(bytes: &[u8], secrets: &[&str]) -> (Vec<u8>, bool) {
    let mut out = bytes.to_vec();
    let mut changed = false;
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        let needle = s.as_bytes();
        if !out.windows(needle.len()).any(|w| w == needle) {
            continue;
        }
        changed = true;
        let mut next = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(needle) {
                next.extend_from_slice(REDACTED.as_bytes());
                i += needle.len();
            } else {
                next.push(out[i]);
                i += 1;
            }
        }
        out = next;
    }
    (out, changed)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_a_response_is_replaced_before_it_is_written() {
        let (out, changed) = redact(
            br#"{"t":"1000.abc.def","u":"x1000.abc.defx"}"#,
            &["1000.abc.def"],
        );
        assert!(changed);
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            r#"{"t":"[REDACTED]","u":"x[REDACTED]x"}"#
        );
        let (same, changed) = redact(b"{}", &["1000.abc.def"]);
        assert!(!changed);
        assert_eq!(same, b"{}");
    }

    #[test]
    fn an_unfinished_staging_directory_is_removed_and_out_never_appears() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("bundle");
        let s = Staging::create(&out).expect("staging");
        s.write("crm/users/page-0001.json", b"{}", Some(200), &[])
            .expect("write");
        drop(s);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }

    #[test]
    fn a_finished_staging_directory_becomes_out_with_its_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("bundle");
        std::fs::create_dir(&out).expect("an empty --out is allowed");
        let s = Staging::create(&out).expect("staging");
        let saved = s
            .write("crm/org.json", b"abc", Some(200), &[])
            .expect("write");
        assert_eq!(
            saved.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        s.finish().expect("finish");
        assert_eq!(
            std::fs::read(out.join("crm/org.json")).expect("read"),
            b"abc"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn an_out_that_holds_files_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("x"), "").expect("write");
        let err = Staging::create(dir.path()).expect_err("not empty");
        assert!(matches!(err, StagingError::OutNotEmpty(_)), "{err}");
        assert!(err.to_string().contains("not an empty directory"), "{err}");
    }
}
