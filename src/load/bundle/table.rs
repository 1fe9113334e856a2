//! The file table of export-format.md: which file or page directory of `crm/` and
//! `desk/` holds which part, the order of the pages, and notes about files not read.

use super::super::raw::{CRM_LISTS, DESK_LISTS, Origin, Page, PartId, Raw, RawPart};
use super::super::{LoadError, Note};
use super::{Entry, Listing, Pending, list_dir};
use std::collections::BTreeSet;
use std::ffi::OsStr;

pub(super) fn read_crm(dir: &Entry, raw: &mut Raw, pending: &mut Pending) -> Result<(), LoadError> {
    let mut rest = list_dir(&dir.path, &dir.display, dir.linked)?;
    // The org response is one object, never paged.
    if let Some(e) = rest.remove(OsStr::new("org.json")) {
        raw.parts.push(RawPart {
            id: PartId::CrmOrg,
            pages: vec![read_page(e, pending)],
        });
    }
    for (stem, _) in CRM_LISTS {
        read_resource(&mut rest, stem, PartId::CrmList(stem), raw, pending)?;
    }
    if let Some(e) = take_dir(&mut rest, "fields") {
        read_module_dir(&e, PartId::CrmFields, raw, pending)?;
    }
    if let Some(e) = take_dir(&mut rest, "related_lists") {
        read_module_dir(&e, PartId::CrmRelatedLists, raw, pending)?;
    }
    note_unknown(rest, raw);
    Ok(())
}

pub(super) fn read_desk(
    dir: &Entry,
    raw: &mut Raw,
    pending: &mut Pending,
) -> Result<(), LoadError> {
    let mut rest = list_dir(&dir.path, &dir.display, dir.linked)?;
    for stem in DESK_LISTS {
        read_resource(&mut rest, stem, PartId::DeskList(stem), raw, pending)?;
    }
    note_unknown(rest, raw);
    Ok(())
}

/// `crm/fields/` or `crm/related_lists/`: one `<Module>.json` or `<Module>/` per module.
fn read_module_dir(
    dir: &Entry,
    part: fn(String) -> PartId,
    raw: &mut Raw,
    pending: &mut Pending,
) -> Result<(), LoadError> {
    let mut rest = list_dir(&dir.path, &dir.display, dir.linked)?;
    let modules: BTreeSet<String> = rest
        .values()
        .filter_map(|e| {
            let name = e.name.to_str()?;
            // A directory named `X.json` counts as the file `X.json`, so reading it reports
            // "is a directory" as it would anywhere else.
            let module = match json_stem(name) {
                Some(stem) => stem,
                None if e.is_dir => name,
                None => return None,
            };
            (!module.is_empty() && !module.starts_with('.')).then(|| module.to_string())
        })
        .collect();
    for module in modules {
        read_resource(&mut rest, &module, part(module.clone()), raw, pending)?;
    }
    note_unknown(rest, raw);
    Ok(())
}

/// A list resource: `<stem>.json`, or else the page directory `<stem>/`. Takes what it
/// reads out of `rest`, so what remains there is unknown.
fn read_resource(
    rest: &mut Listing,
    stem: &str,
    id: PartId,
    raw: &mut Raw,
    pending: &mut Pending,
) -> Result<(), LoadError> {
    let file = take_json_file(rest, stem);
    let dir = take_dir(rest, stem);
    let pages = match (file, dir) {
        (Some(file), dir) => {
            if let Some(dir) = dir {
                raw.notes.push(Note::ShadowedPageDir {
                    file: file.display.clone(),
                    dir: dir.dir_display(),
                });
            }
            vec![read_page(file, pending)]
        }
        (None, Some(dir)) => {
            let pages = read_page_dir(&dir, raw, pending)?;
            if pages.is_empty() {
                raw.notes.push(Note::EmptyPageDir {
                    dir: dir.dir_display(),
                    part: id.name(),
                });
                return Ok(());
            }
            pages
        }
        (None, None) => return Ok(()),
    };
    raw.parts.push(RawPart { id, pages });
    Ok(())
}

/// Every `*.json` file of a page directory, in byte order of the names (so
/// `page-010.json` follows `page-009.json`, and `page-10.json` would precede `page-9.json`).
fn read_page_dir(
    dir: &Entry,
    raw: &mut Raw,
    pending: &mut Pending,
) -> Result<Vec<Page>, LoadError> {
    let mut pages = Vec::new();
    for e in list_dir(&dir.path, &dir.display, dir.linked)?.into_values() {
        if e.name
            .to_str()
            .and_then(json_stem)
            .is_some_and(is_glob_name)
        {
            pages.push(read_page(e, pending));
        } else {
            raw.notes.push(Note::NotAPageFile {
                file: if e.is_dir { e.dir_display() } else { e.display },
            });
        }
    }
    Ok(pages)
}

/// `*` in a shell glob matches neither an empty name nor a leading dot; skipping dot
/// files also keeps macOS `._page-001.json` resource forks out of the data.
fn is_glob_name(stem: &str) -> bool {
    !stem.is_empty() && !stem.starts_with('.')
}

/// `Accounts` for `Accounts.json` (the extension in any case, as Windows users write it).
fn json_stem(name: &str) -> Option<&str> {
    let split = name.len().checked_sub(".json".len())?;
    let (stem, ext) = (name.get(..split)?, name.get(split..)?);
    ext.eq_ignore_ascii_case(".json").then_some(stem)
}

/// The page of file `e`, its content to be parsed later (see `read`).
pub(super) fn read_page(e: Entry, pending: &mut Pending) -> Page {
    let page = Page {
        origin: Origin::file(&e.display),
        file: e.path.clone(),
        at: Vec::new(),
        content: None,
    };
    pending.push(e);
    page
}

/// Takes `<stem>.json` (extension in any case) out of the listing; a directory of that
/// name is taken too, and reading it then reports "is a directory".
fn take_json_file(rest: &mut Listing, stem: &str) -> Option<Entry> {
    let name = rest
        .keys()
        .find(|n| n.to_str().and_then(json_stem) == Some(stem))?
        .clone();
    rest.remove(&name)
}

/// Takes the directory `name` out of the listing (a file of that name stays: unknown).
pub(super) fn take_dir(rest: &mut Listing, name: &str) -> Option<Entry> {
    match rest.get(OsStr::new(name)) {
        Some(e) if e.is_dir => rest.remove(OsStr::new(name)),
        _ => None,
    }
}

pub(super) fn note_unknown(rest: Listing, raw: &mut Raw) {
    for e in rest.into_values() {
        let shown = if e.is_dir { e.dir_display() } else { e.display };
        raw.notes.push(Note::UnknownFile { file: shown });
    }
}
