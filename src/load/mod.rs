//! Load: files on disk -> `Document` (export-format.md). Nothing here prints.
//!
//! `discover` finds exports; `load` reads one: `bundle` or `single` read files into
//! `raw` parts (parsed by `json`, which normalises ids and redacts `secrets`), and
//! `parts` interprets them and assembles the document.

mod bundle;
mod discover;
mod error;
pub mod ids;
mod json;
mod manifest;
mod note;
mod parts;
pub(crate) mod raw;
pub mod secrets;
mod single;
#[cfg(test)]
mod testutil;
pub mod values;

pub use error::{Failure, LoadError, LoadErrorKind};
pub use note::{Note, PortalNamedBy};
pub use parts::api_error::is_error_body;
pub use raw::Origin;
pub use secrets::is_secret_key;

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
    /// A directory of saved API responses (`crm/`, `desk/`, `integration.json`, ...).
    Bundle,
    /// One `.json` file holding `{crm, desk, integration}`.
    SingleFile,
}

/// One export found on the command line or inside a batch directory.
#[derive(Clone, Debug)]
pub struct ExportSource {
    /// Where the export is, as a path to open (the bundle directory or the `.json` file).
    pub path: PathBuf,
    /// The path as the user would write it (`meta.source`, report `path`).
    pub display: String,
    /// Which form the export has (decided from the path alone: a `.json` file or a bundle).
    pub kind: ExportKind,
}

/// Finds the exports named by `inputs` (bundle dirs, `.json` files, or dirs holding
/// many exports), in path order. An input that cannot be used is an `Err` in place.
pub fn discover(inputs: &[PathBuf]) -> Vec<Result<ExportSource, LoadError>> {
    discover::discover(inputs)
}

/// Loads one export.
pub fn load(source: &ExportSource, opts: &LoadOptions) -> Result<Document, LoadError> {
    let raw = match source.kind {
        ExportKind::Bundle => bundle::read(source)?,
        ExportKind::SingleFile => single::read(source)?,
    };
    Ok(parts::assemble(source, raw, opts))
}

/// Parses JSON text the way the loader does (ids as strings, secrets redacted); `file`
/// names it in errors. A blank text is `null`. For tests and tools that build documents.
pub fn parse_json(bytes: &[u8], file: &str) -> Result<crate::doc::Value, LoadError> {
    Ok(match json::parse(bytes, file)? {
        json::Parsed::Blank => crate::doc::Value::NULL,
        json::Parsed::Value(v) => v,
    })
}
