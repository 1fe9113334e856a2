//! Writing a report: to stdout, or to a file atomically (a temporary file in the same
//! directory, renamed over the target) so a failed or interrupted run never leaves a
//! half-written report or clobbers the previous one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically, with the mode a new file (or the file replaced)
/// has.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let what = |io: std::io::Error| WriteError {
        path: path.to_path_buf(),
        io,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".crmdesk-audit-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(what)?;
    tmp.write_all(bytes).map_err(what)?;
    // The temporary file is private (0600); a report is as readable as any file the user
    // creates, or keeps the mode of the report it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(what)?;
    }
    tmp.as_file().sync_all().map_err(what)?;
    tmp.persist(path).map_err(|e| what(e.error))?;
    Ok(())
}

/// A report that could not be written; the previous file, if any, is untouched.
#[derive(Debug)]
pub struct WriteError {
    /// The report's path.
    pub path: PathBuf,
    /// The system's error (creating, writing, syncing or renaming the temporary file).
    pub io: std::io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: cannot write the report: {}",
            self.path.display(),
            self.io
        )
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.io)
    }
}

#[cfg(test)]
mod tests {
    use super::write_atomically;

    #[test]
    fn the_report_replaces_the_previous_one_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("report.json");
        std::fs::write(&target, "old").expect("write");
        write_atomically(&target, b"new").expect("atomic write");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_report_is_world_readable_and_a_replaced_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh = dir.path().join("new.json");
        write_atomically(&fresh, b"x").expect("write");
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&fresh), 0o644);
        let kept = dir.path().join("kept.json");
        std::fs::write(&kept, "old").expect("write");
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomically(&kept, b"new").expect("write");
        assert_eq!(mode(&kept), 0o640);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_file() {
        let err = write_atomically(std::path::Path::new("/nonexistent-dir/r.json"), b"x")
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("/nonexistent-dir/r.json"), "{err}");
    }
}
