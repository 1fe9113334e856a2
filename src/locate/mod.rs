//! Evidence pointers -> places in the export's files, for SARIF and GitHub annotations.
//!
//! Findings name their evidence as JSON Pointers into the *loaded document*
//! (`/crm/users/3/status`). A `Locator` maps such a pointer back to the file of the export
//! that holds the value and the 1-based line and column (in characters) of it there,
//! following the same file table, page order and envelope rules as `load`
//! (export-format.md): `/crm/users/N` is element N of the `users` (or `data`) array of
//! `crm/users.json`, or of the page of `crm/users/` that holds it, or of `crm.users` in a
//! single-file export.
//!
//! Files are scanned by a small byte-level JSON walker, not parsed: it skips values it
//! does not need without allocating, never recurses (deep nesting is only a counter), and
//! on malformed or truncated text stops with the deepest place it did reach.

mod scanner;
#[cfg(test)]
mod tests;

use crate::doc::Provenance;
use crate::load::json_stem;
use crate::load::raw::{ENVELOPES, PAGINATION, PartId};
use crate::load::{ExportKind, ExportSource};
use scanner::{Cursor, Mark, follow, key_eq};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in a file of the export: 1-based line and column, the column counted in
/// characters (Unicode scalar values), as editors and GitHub annotations count it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// Maps evidence pointers of one export to places in its files. Reads files lazily and
/// caches them (and per-page element counts), so locating many pointers of one export is
/// cheap.
///
/// What a pointer maps to:
/// - a member of an object: the member's key (the line a person wants to see);
/// - an element of an array: the element's first character;
/// - a whole part (`/crm/users`): the start of its (first) file in a bundle, or its key in
///   a single-file export;
/// - `/desk/organization/...`: inside the element of `desk.organizations` the loader
///   chose (`Document::provenance`), or the start of that file when it chose none;
/// - anything not found: the deepest ancestor that exists in the part's file, else line 1
///   column 1 of that file.
///
/// `None` when no file holds the place: the part was not exported, the pointer is not a
/// valid JSON Pointer, or (bundle only) it names something that is no single file
/// (`""`, `/crm`, `/crm/fields`, `/meta/...`). In a single-file export those map into
/// the one file (`/meta/...` to where its top-level value starts).
pub struct Locator {
    kind: ExportKind,
    root: PathBuf,
    /// File contents by path; `None` when the file cannot be read.
    files: HashMap<PathBuf, Option<Arc<Vec<u8>>>>,
    /// Where each part's data sits; `None` when the part was not exported.
    parts: HashMap<PartId, Option<Arc<PartLoc>>>,
    /// What the loader decided: which organization it chose, which records it dropped.
    provenance: Provenance,
}

impl Locator {
    /// A locator for an export loaded with no repeated records and no Desk organization
    /// chosen (tests; see `with_provenance`).
    pub fn new(source: &ExportSource) -> Locator {
        Locator::with_provenance(source, Provenance::default())
    }

    /// A locator for the export `source`, as the loader read it (`Document::provenance`).
    pub fn with_provenance(source: &ExportSource, provenance: Provenance) -> Locator {
        Locator {
            kind: source.kind,
            root: source.path.clone(),
            files: HashMap::new(),
            parts: HashMap::new(),
            provenance,
        }
    }

    /// The file and 1-based line/column of the value at `pointer`; when the exact value
    /// cannot be found (e.g. the key is absent, the pointer names a whole part,
    /// `/desk/organization` which is chosen among organizations, `/meta/...`), the best
    /// enclosing place: the start of the deepest existing ancestor in the right file, else
    /// line 1 column 1 of the part's file; None when no file holds it (part not exported).
    pub fn locate(&mut self, pointer: &str) -> Option<Location> {
        let tokens = parse_pointer(pointer)?;
        match route(&tokens) {
            Route::Part(part, skip) => self.in_part(&part, &tokens[skip..]),
            Route::DeskOrganization => self.in_desk_organization(&tokens[2..]),
            Route::Elsewhere => match self.kind {
                ExportKind::Bundle => None,
                ExportKind::SingleFile => self.in_single_file(&tokens),
            },
        }
    }

    /// A pointer that is no part, in the single file: as deep as the file goes.
    fn in_single_file(&mut self, tokens: &[String]) -> Option<Location> {
        let file = self.root.clone();
        let bytes = self.read(&file)?;
        let mut cur = Cursor::start(&bytes);
        cur.skip_ws();
        // `meta` is made by the loader, never read from the file.
        let path = if tokens.first().is_some_and(|t| t == "meta") {
            &[]
        } else {
            tokens
        };
        let (mark, _, _) = follow(cur, path);
        Some(location(file, mark))
    }

    fn in_part(&mut self, part: &PartId, rest: &[String]) -> Option<Location> {
        let loc = self.part(part)?;
        let first = loc.pages.first()?;
        let part_start = || Some(location(first.file.clone(), first.start));
        if !part.is_list() {
            // org and integration: one page, whose element 0 is the object.
            return match first.elements.first() {
                Some(&object) => self.within(&first.file, object, rest),
                None => part_start(),
            };
        }
        // Record n of the document, before the loader dropped repeated records.
        let Some(n) = rest
            .first()
            .and_then(|t| index(t))
            .and_then(|n| self.provenance.source_index(&part.name(), n))
        else {
            return part_start();
        };
        match loc.element(n) {
            Some((page, mark)) => self.within(&page.file, mark, &rest[1..]),
            None => part_start(),
        }
    }

    /// Inside the element of `desk.organizations` the loader chose; the start of the
    /// organizations file when it chose none.
    fn in_desk_organization(&mut self, rest: &[String]) -> Option<Location> {
        let part = PartId::DeskList("organizations");
        let orgs = self.part(&part)?;
        let chosen = self
            .provenance
            .desk_organization
            .and_then(|n| self.provenance.source_index(&part.name(), n))
            .and_then(|n| orgs.element(n));
        match chosen {
            Some((page, mark)) => {
                let file = page.file.clone();
                self.within(&file, mark, rest)
            }
            None => {
                let first = orgs.pages.first()?;
                Some(location(first.file.clone(), first.start))
            }
        }
    }

    /// The place of `path` inside the value that starts at `start` in `file`.
    fn within(&mut self, file: &Path, start: Mark, path: &[String]) -> Option<Location> {
        let bytes = self.read(file)?;
        let (mark, _, _) = follow(Cursor::at(&bytes, start), path);
        Some(location(file.to_path_buf(), mark))
    }

    fn read(&mut self, file: &Path) -> Option<Arc<Vec<u8>>> {
        self.files
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                let is_file = std::fs::metadata(file).is_ok_and(|m| !m.is_dir());
                is_file
                    .then(|| std::fs::read(file).ok().map(Arc::new))
                    .flatten()
            })
            .clone()
    }

    fn part(&mut self, part: &PartId) -> Option<Arc<PartLoc>> {
        if let Some(cached) = self.parts.get(part) {
            return cached.clone();
        }
        let found = match self.kind {
            ExportKind::Bundle => self.bundle_part(part),
            ExportKind::SingleFile => self.single_part(part),
        }
        .map(Arc::new);
        self.parts.insert(part.clone(), found.clone());
        found
    }

    /// A part of a bundle: its file, or the pages of its page directory (bundle.rs).
    fn bundle_part(&mut self, part: &PartId) -> Option<PartLoc> {
        let crm = self.root.join("crm");
        let desk = self.root.join("desk");
        let files = match part {
            PartId::CrmOrg => vec![crm.join("org.json")],
            PartId::Integration => vec![self.root.join("integration.json")],
            PartId::CrmList(key) => resource(&crm, key),
            PartId::DeskList(key) => resource(&desk, key),
            PartId::CrmFields(module) | PartId::CrmRelatedLists(module) => {
                if module.is_empty() || module.starts_with('.') {
                    return None;
                }
                let dir = crm.join(if matches!(part, PartId::CrmFields(_)) {
                    "fields"
                } else {
                    "related_lists"
                });
                resource(&dir, module)
            }
        };
        let files: Vec<PathBuf> = files.into_iter().filter(|f| f.exists()).collect();
        if files.is_empty() {
            return None;
        }
        let pages = files
            .into_iter()
            .map(|file| {
                let (start, elements) = match self.read(&file) {
                    Some(bytes) => {
                        let mut cur = Cursor::start(&bytes);
                        cur.skip_ws();
                        if cur.peek().is_none() {
                            (Mark::FILE_START, Vec::new())
                        } else {
                            (cur.mark(), part.elements(cur))
                        }
                    }
                    None => (Mark::FILE_START, Vec::new()),
                };
                PageLoc {
                    file,
                    start,
                    elements,
                }
            })
            .collect();
        Some(PartLoc::new(pages))
    }

    /// A part of a single-file export: the value under its key (single.rs); `null` or
    /// absent means not exported.
    fn single_part(&mut self, part: &PartId) -> Option<PartLoc> {
        let file = self.root.clone();
        let bytes = self.read(&file)?;
        let mut cur = Cursor::start(&bytes);
        cur.skip_ws();
        let path = part.single_path();
        let (start, value, matched) = follow(cur, &path);
        if matched < path.len() || matches!(value.peek(), None | Some(b'n')) {
            return None;
        }
        let elements = part.elements(value);
        Some(PartLoc::new(vec![PageLoc {
            file,
            start,
            elements,
        }]))
    }
}

fn location(file: PathBuf, mark: Mark) -> Location {
    Location {
        file,
        line: mark.line,
        column: mark.col,
    }
}

// ---------------------------------------------------------------------------------------
// Pointers and parts
// ---------------------------------------------------------------------------------------

/// What the locator needs to know of a part beyond what the loader's `PartId` says.
trait PartPlace {
    fn is_list(&self) -> bool;
    fn single_path(&self) -> Vec<String>;
    fn elements(&self, value: Cursor<'_>) -> Vec<Mark>;
}

impl PartPlace for PartId {
    fn is_list(&self) -> bool {
        !matches!(self, PartId::CrmOrg | PartId::Integration)
    }

    /// Where the part's value sits in a single-file export.
    fn single_path(&self) -> Vec<String> {
        let p = |s: &[&str]| s.iter().map(|t| t.to_string()).collect();
        match self {
            PartId::CrmOrg => p(&["crm", "org"]),
            PartId::CrmList(key) => p(&["crm", key]),
            PartId::CrmFields(m) => p(&["crm", "fields", m]),
            PartId::CrmRelatedLists(m) => p(&["crm", "related_lists", m]),
            PartId::DeskList(key) => p(&["desk", key]),
            PartId::Integration => p(&["integration"]),
        }
    }

    /// The starts of the part's elements in one page whose value is at `value`: for a
    /// list, its records; for org and integration, the one object (if any).
    fn elements(&self, value: Cursor<'_>) -> Vec<Mark> {
        match self {
            PartId::CrmOrg => org_object(value)
                .map(|mut c| c.mark())
                .into_iter()
                .collect(),
            PartId::Integration => match value.peek() {
                Some(b'{') => vec![{ value }.mark()],
                _ => Vec::new(),
            },
            _ => list_elements(value, self.envelope()),
        }
    }
}

enum Route {
    /// A part, and how many pointer tokens name it.
    Part(PartId, usize),
    DeskOrganization,
    /// No part: `""`, `/crm`, `/crm/fields`, `/meta/...`, unknown keys.
    Elsewhere,
}

fn route(tokens: &[String]) -> Route {
    let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    match t.as_slice() {
        ["crm", "org", ..] => Route::Part(PartId::CrmOrg, 2),
        ["crm", "fields", module, ..] => Route::Part(PartId::CrmFields(module.to_string()), 3),
        ["crm", "related_lists", module, ..] => {
            Route::Part(PartId::CrmRelatedLists(module.to_string()), 3)
        }
        ["crm", key, ..] => PartId::crm_list(key).map_or(Route::Elsewhere, |p| Route::Part(p, 2)),
        ["desk", "organization", ..] => Route::DeskOrganization,
        ["desk", key, ..] => PartId::desk_list(key).map_or(Route::Elsewhere, |p| Route::Part(p, 2)),
        ["integration", ..] => Route::Part(PartId::Integration, 1),
        _ => Route::Elsewhere,
    }
}

/// RFC 6901: `""` is the root, else `/`-separated tokens with `~1` -> `/`, `~0` -> `~`.
fn parse_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// An array index token: `0` or digits without a leading zero.
pub(super) fn index(token: &str) -> Option<usize> {
    let digits = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if !digits || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

/// The files of a list resource in `dir`: `<stem>.json` (the extension in any case; the
/// first such name in byte order), else the `*.json` pages of the directory `<stem>/` in
/// byte order of their names, hidden files skipped.
fn resource(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let names = sorted_names(dir);
    if let Some(name) = names
        .iter()
        .find(|n| n.to_str().and_then(json_stem) == Some(stem))
    {
        return vec![dir.join(name)];
    }
    let pages = dir.join(stem);
    if !std::fs::metadata(&pages).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    sorted_names(&pages)
        .into_iter()
        .filter(|n| {
            n.to_str()
                .and_then(json_stem)
                .is_some_and(|s| !s.is_empty() && !s.starts_with('.'))
        })
        .map(|n| pages.join(n))
        .collect()
}

fn sorted_names(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Where a part's data sits: its pages with the start of every element.
struct PartLoc {
    pages: Vec<PageLoc>,
}

struct PageLoc {
    file: PathBuf,
    /// The part's start in this file: its value (bundle) or its key (single file).
    start: Mark,
    elements: Vec<Mark>,
}

impl PartLoc {
    fn new(pages: Vec<PageLoc>) -> PartLoc {
        PartLoc { pages }
    }

    /// Element `n` of the concatenated pages: the page where the running count covers
    /// `n`, at `n` minus the elements of the pages before it.
    fn element(&self, n: usize) -> Option<(&PageLoc, Mark)> {
        let mut offset = 0;
        for page in &self.pages {
            if let Some(&mark) = page.elements.get(n - offset) {
                return Some((page, mark));
            }
            offset += page.elements.len();
        }
        None
    }
}

/// The org object of an org response (parts.rs `org`): the first element of a bare array
/// or of `org`, an object under `org`, or a bare object.
fn org_object(value: Cursor<'_>) -> Option<Cursor<'_>> {
    fn first(c: Cursor<'_>) -> Option<Cursor<'_>> {
        let mut probe = c;
        let mut hit = None;
        probe.elements(|_, e| {
            hit = Some(*e);
            false
        });
        hit
    }
    match value.peek()? {
        b'[' => first(value),
        b'{' => {
            let mut probe = value;
            let mut org = None;
            probe.members(|_, key, v| {
                if key_eq(key, "org") {
                    org = Some(*v);
                }
                true
            });
            match org {
                None => Some(value),
                Some(v) => match v.peek()? {
                    b'[' => first(v),
                    b'{' => Some(v),
                    _ => None,
                },
            }
        }
        _ => None,
    }
}

/// The element starts of one list page (parts.rs `list_page`): a bare array; the array
/// under the part's own envelope key, else under `data`; an object of only pagination
/// keys or another endpoint's envelope has none; any other object is one record.
fn list_elements(value: Cursor<'_>, envelope: &str) -> Vec<Mark> {
    let array = match value.peek() {
        Some(b'[') => Some(value),
        Some(b'{') => {
            let (mut own, mut data) = (None, None);
            let (mut any_envelope, mut only_pagination) = (false, true);
            let mut probe = value;
            probe.members(|_, key, v| {
                if key_eq(key, envelope) {
                    own = Some(*v);
                } else if key_eq(key, "data") {
                    data = Some(*v);
                }
                any_envelope |= ENVELOPES.iter().any(|e| key_eq(key, e));
                only_pagination &= PAGINATION.iter().any(|p| key_eq(key, p));
                true
            });
            match own.or(data) {
                Some(v) => (v.peek() == Some(b'[')).then_some(v),
                None if any_envelope || only_pagination => None,
                None => return vec![{ value }.mark()],
            }
        }
        _ => None,
    };
    let mut marks = Vec::new();
    if let Some(mut array) = array {
        array.elements(|_, e| {
            marks.push(e.mark());
            true
        });
    }
    marks
}
