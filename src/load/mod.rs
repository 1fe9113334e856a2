//! Load: files on disk -> `Document` (export-format.md). Nothing here prints.

// Owned by the loader work: see the public API below.

use crate::doc::Document;
use std::path::PathBuf;

/// Settings that shape the loaded document but are not part of the export.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// RFC 3339 time the audit treats as "now" (`meta.audit_time`).
    pub audit_time: String,
}

/// The two forms of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    Bundle,
    SingleFile,
}

/// One export found on the command line or inside a batch directory.
#[derive(Clone, Debug)]
pub struct ExportSource {
    pub path: PathBuf,
    /// The path as the user would write it (`meta.source`, report `path`).
    pub display: String,
    pub kind: ExportKind,
}

/// Why an export (or a file in it) could not be read. `Display` gives
/// `file:line:column: message` (line and column when known), then what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// Finds the exports named by `inputs` (bundle dirs, `.json` files, or dirs holding
/// many exports), in path order. An input that cannot be used is an `Err` in place.
pub fn discover(_inputs: &[PathBuf]) -> Vec<Result<ExportSource, LoadError>> {
    todo!("loader")
}

/// Loads one export.
pub fn load(_source: &ExportSource, _opts: &LoadOptions) -> Result<Document, LoadError> {
    todo!("loader")
}
