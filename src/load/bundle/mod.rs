//! Form 1, a bundle directory of saved API responses -> `Raw`.
//!
//! Owns the file table of export-format.md: which file or page directory holds which
//! part, the order pages are read in, and notes about files it does not read. What a
//! file's content means (envelopes, errors, types) is `parts`' job.
//!
//! Reading is two steps: walking the directories decides which file is which page (and
//! notes the rest), then every page file is parsed, in parallel on the rayon pool the
//! caller runs in (a large export is thousands of page files). The outcome, errors
//! included, is the same as reading the files one by one in walk order.
//!
//! Here: the walk and the parallel parse of what it found. `table` holds the file table
//! proper, `verify` the reading of `manifest.json` and the check of the files' sha256.

mod table;
#[cfg(test)]
mod tests;
mod verify;

use super::json::{self, Parsed};
use super::raw::{PartId, Raw, RawPart};
use super::{ExportSource, LoadError, LoadErrorKind};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use table::{note_unknown, read_crm, read_desk, read_page, take_dir};
use verify::{read_manifest, verify_files};

/// One directory entry, with symlinks resolved (a broken link counts as a file, so
/// reading it gives a proper error).
#[derive(Debug)]
struct Entry {
    name: OsString,
    path: PathBuf,
    /// How messages name it: the export's path as given, joined with the entry's.
    display: String,
    is_dir: bool,
    /// It is a symbolic link, or lies in a directory reached through one: only such an
    /// entry can lead out of the export, so only its real path is looked up.
    linked: bool,
}

impl Entry {
    /// The display name of a directory, with a trailing `/` so people see it is one.
    fn dir_display(&self) -> String {
        format!("{}/", self.display)
    }
}

/// Entries of a directory, keyed (and so sorted) by name in plain byte order.
type Listing = BTreeMap<OsString, Entry>;

/// Page files found by the walk, in walk order, waiting to be parsed. Every `Page` the
/// walk puts in `Raw` is one of these, in the same order.
type Pending = Vec<Entry>;

/// Reads every part of the bundle at `source`.
pub(crate) fn read(source: &ExportSource) -> Result<Raw, LoadError> {
    let mut raw = Raw::default();
    let mut pending = Pending::new();
    let walked = walk(source, &mut raw, &mut pending);
    let root = std::fs::canonicalize(&source.path).ok();
    let mut parsed = pending
        .par_iter()
        .map(|e| read_entry(root.as_deref(), e))
        .collect::<Vec<_>>()
        .into_iter();
    // The first failure in walk order, as reading one file after the other would give.
    walked?;
    for page in raw.parts.iter_mut().flat_map(|p| p.pages.iter_mut()) {
        page.content = match parsed.next() {
            Some(Ok(Parsed::Value(v))) => Some(v),
            Some(Ok(Parsed::Blank)) | None => None,
            Some(Err(e)) => return Err(e),
        };
    }
    Ok(raw)
}

/// Finds the parts and their page files; the pages' content is filled in by `read`.
/// When a directory cannot be listed, the pages found before it are still parsed (one
/// of them failing is the error to report, as it came first).
fn walk(source: &ExportSource, raw: &mut Raw, pending: &mut Pending) -> Result<(), LoadError> {
    let real_root = std::fs::canonicalize(&source.path).ok();
    let real_root = real_root.as_deref();
    let mut root =
        list_dir(&source.path, &source.display, false).map_err(|e| stop(pending, e, real_root))?;
    if let Some(e) = take_dir(&mut root, "crm") {
        read_crm(&e, raw, pending).map_err(|e| stop(pending, e, real_root))?;
    }
    if let Some(e) = take_dir(&mut root, "desk") {
        read_desk(&e, raw, pending).map_err(|e| stop(pending, e, real_root))?;
    }
    if let Some(e) = root.remove(OsStr::new("integration.json")) {
        raw.parts.push(RawPart {
            id: PartId::Integration,
            pages: vec![read_page(e, pending)],
        });
    }
    if let Some(e) = root.remove(OsStr::new("manifest.json")) {
        raw.manifest = read_manifest(&e, &mut raw.notes);
        verify_files(&source.path, &source.display, &raw.manifest, &mut raw.notes);
    }
    note_unknown(root, raw);
    Ok(())
}

/// Reads one file of the bundle, refusing a link that leads out of the export: an
/// export must not be able to pull some other file of this machine into a report.
fn read_entry(root: Option<&Path>, e: &Entry) -> Result<Parsed, LoadError> {
    if e.linked
        && let (Some(root), Ok(real)) = (root, std::fs::canonicalize(&e.path))
        && !real.starts_with(root)
    {
        return Err(LoadError::new(
            &e.display,
            LoadErrorKind::LinkOutsideExport {
                target: real.display().to_string(),
            },
        ));
    }
    json::read_file(&e.path, &e.display)
}

/// The error a walk stopped at, unless a page found before it fails to parse.
fn stop(pending: &mut Pending, walk_error: LoadError, root: Option<&Path>) -> LoadError {
    let first = pending
        .par_iter()
        .map(|e| read_entry(root, e).err())
        .find_first(Option::is_some)
        .flatten();
    pending.clear();
    first.unwrap_or(walk_error)
}

/// `linked`: the directory was reached through a symbolic link (see `Entry::linked`).
fn list_dir(path: &Path, display: &str, linked: bool) -> Result<Listing, LoadError> {
    let error = |e: std::io::Error| {
        LoadError::new(display, LoadErrorKind::CannotReadDir { io: e.to_string() })
    };
    let mut out = Listing::new();
    for entry in std::fs::read_dir(path).map_err(error)? {
        let entry = entry.map_err(error)?;
        let name = entry.file_name();
        let path = entry.path();
        // The listing tells the type without a look at the file; a link's is its target's.
        let file_type = entry.file_type().map_err(error)?;
        let is_link = file_type.is_symlink();
        let is_dir = if is_link {
            std::fs::metadata(&path).is_ok_and(|m| m.is_dir())
        } else {
            file_type.is_dir()
        };
        out.insert(
            name.clone(),
            Entry {
                display: Path::new(display).join(&name).display().to_string(),
                name,
                path,
                is_dir,
                linked: linked || is_link,
            },
        );
    }
    Ok(out)
}
