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

use crate::doc::Provenance;
use crate::load::raw::{ENVELOPES, PAGINATION, PartId};
use crate::load::{ExportKind, ExportSource};
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
fn index(token: &str) -> Option<usize> {
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

/// `Accounts` for `Accounts.json` (the extension in any case).
fn json_stem(name: &str) -> Option<&str> {
    let split = name.len().checked_sub(".json".len())?;
    let (stem, ext) = (name.get(..split)?, name.get(split..)?);
    ext.eq_ignore_ascii_case(".json").then_some(stem)
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

// ---------------------------------------------------------------------------------------
// The scanner
// ---------------------------------------------------------------------------------------

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A place in a file: byte offset, 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mark {
    off: usize,
    line: usize,
    col: usize,
}

impl Mark {
    const FILE_START: Mark = Mark {
        off: 0,
        line: 1,
        col: 1,
    };
}

/// A position in JSON text. Lines are counted as the scanner passes `\n`; the column is
/// computed only when asked (`mark`), by counting characters from an anchor whose column
/// is known (the last line start or the last mark), so marking places in increasing order
/// costs one pass even on a 100 MB single-line file.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
    line: usize,
    anchor: usize,
    anchor_col: usize,
}

impl<'a> Cursor<'a> {
    /// The start of a file, after a UTF-8 BOM.
    fn start(b: &'a [u8]) -> Cursor<'a> {
        let i = if b.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        Cursor {
            b,
            i,
            line: 1,
            anchor: i,
            anchor_col: 1,
        }
    }

    /// A place marked before in the same text.
    fn at(b: &'a [u8], m: Mark) -> Cursor<'a> {
        let i = m.off.min(b.len());
        Cursor {
            b,
            i,
            line: m.line,
            anchor: i,
            anchor_col: m.col,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Line and column of the current byte (and it becomes the anchor).
    fn mark(&mut self) -> Mark {
        let passed = self.b.get(self.anchor..self.i).map_or(0, count_chars);
        self.anchor_col += passed;
        self.anchor = self.i;
        Mark {
            off: self.i,
            line: self.line,
            col: self.anchor_col,
        }
    }

    /// Takes over `earlier`'s anchor when it is the later one (a mark made on the way
    /// here), so columns are not counted again from further back.
    fn catch_up(&mut self, earlier: &Cursor<'a>) {
        if earlier.anchor > self.anchor && earlier.anchor <= self.i {
            self.anchor = earlier.anchor;
            self.anchor_col = earlier.anchor_col;
        }
    }

    /// Notes the `\n` at byte `at`.
    fn newline(&mut self, at: usize) {
        self.line += 1;
        self.anchor = at + 1;
        self.anchor_col = 1;
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.newline(self.i);
                    self.i += 1;
                }
                _ => break,
            }
        }
    }

    /// At `"`: moves past the closing quote and returns the range of the raw content;
    /// `None` when the text ends first (the cursor is then at the end).
    fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.i + 1;
        let mut i = start;
        loop {
            let rest = self.b.get(i..).unwrap_or_default();
            let Some(k) = rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c == b'\n')
            else {
                self.i = self.b.len();
                return None;
            };
            i += k;
            match self.b[i] {
                b'"' => {
                    self.i = i + 1;
                    return Some((start, i));
                }
                b'\\' => {
                    // Skip the escaped byte, unless it is a line break (so lines stay right).
                    i += 1;
                    if self.b.get(i).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                }
                _ => {
                    self.newline(i);
                    i += 1;
                }
            }
        }
    }

    /// Moves past a number or literal (or any run of stray bytes); false if none.
    fn skip_scalar(&mut self) -> bool {
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b'"' | b'[' | b']' | b'{' | b'}'
            ) {
                break;
            }
            self.i += 1;
        }
        self.i > start
    }

    /// Moves past the value at the cursor (white space already skipped); false when the
    /// text is malformed there or ends first. Containers are skipped by counting
    /// brackets, so nesting depth costs nothing.
    fn skip_value(&mut self) -> bool {
        match self.peek() {
            None | Some(b'}' | b']' | b',' | b':') => false,
            Some(b'"') => self.string().is_some(),
            Some(b'{' | b'[') => self.skip_container(),
            Some(_) => self.skip_scalar(),
        }
    }

    fn skip_container(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            let rest = self.b.get(self.i..).unwrap_or_default();
            let Some(k) = rest
                .iter()
                .position(|&c| matches!(c, b'"' | b'{' | b'[' | b'}' | b']' | b'\n'))
            else {
                self.i = self.b.len();
                return false;
            };
            self.i += k;
            match self.b[self.i] {
                b'"' => {
                    if self.string().is_none() {
                        return false;
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.i += 1;
                    if depth == 0 {
                        return true;
                    }
                }
                _ => {
                    self.newline(self.i);
                    self.i += 1;
                }
            }
        }
    }

    /// At `{`: calls `f(key cursor, raw key, value cursor)` for each member, in order,
    /// until `f` returns false or the object ends; false when it is malformed or cut short.
    fn members(&mut self, mut f: impl FnMut(&Cursor<'a>, &'a [u8], &Cursor<'a>) -> bool) -> bool {
        self.i += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    return true;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(b'"') => {}
                _ => return false,
            }
            let key_at = *self;
            let Some((s, e)) = self.string() else {
                return false;
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                return false;
            }
            self.i += 1;
            self.skip_ws();
            let key = self.b.get(s..e).unwrap_or_default();
            if !f(&key_at, key, self) {
                return true;
            }
            if !self.skip_value() {
                return false;
            }
        }
    }

    /// At `[`: calls `f(index, cursor at the element)` for each element until `f` returns
    /// false or the array ends; false when it is malformed or cut short. `f` may `mark`
    /// the cursor (which keeps later marks cheap) but must not move it.
    fn elements(&mut self, mut f: impl FnMut(usize, &mut Cursor<'a>) -> bool) -> bool {
        self.i += 1;
        let mut n = 0;
        loop {
            self.skip_ws();
            if self.peek() == Some(b']') {
                self.i += 1;
                return true;
            }
            if !f(n, self) {
                return true;
            }
            if !self.skip_value() {
                return false;
            }
            n += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }
}

/// Characters in UTF-8 bytes: every byte that is not a continuation byte.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&c| (c & 0xC0) != 0x80).count()
}

/// Follows `path` from the value at `start` (white space skipped). Returns the mark of
/// the deepest place reached (an object member's key, an array element's start, else
/// `start`), the cursor at the value reached and how many tokens matched. Of duplicate
/// keys the last one counts, as in the loader.
fn follow<'a>(start: Cursor<'a>, path: &[String]) -> (Mark, Cursor<'a>, usize) {
    let mut cur = start;
    let mut best = cur.mark();
    for (depth, token) in path.iter().enumerate() {
        let mut probe = cur;
        let mut hit: Option<(Cursor<'a>, Cursor<'a>)> = None;
        match cur.peek() {
            Some(b'{') => {
                probe.members(|key_at, key, value| {
                    if key_eq(key, token) {
                        hit = Some((*key_at, *value));
                    }
                    true
                });
            }
            Some(b'[') => {
                if let Some(n) = index(token) {
                    probe.elements(|i, e| {
                        if i == n {
                            hit = Some((*e, *e));
                        }
                        i < n
                    });
                }
            }
            _ => {}
        }
        let Some((mut at, mut value)) = hit else {
            return (best, cur, depth);
        };
        best = at.mark();
        value.catch_up(&at);
        cur = value;
    }
    (best, cur, path.len())
}

/// Whether the raw (still escaped) key equals `name`.
fn key_eq(raw: &[u8], name: &str) -> bool {
    if raw.contains(&b'\\') {
        unescape(raw) == name
    } else {
        raw == name.as_bytes()
    }
}

/// The text of a JSON string's raw content; bad escapes become U+FFFD.
fn unescape(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = raw.get(i) else { break };
        i += 1;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(raw, i);
                if unit.is_some() {
                    i += 4;
                }
                match unit {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        let lo = (raw.get(i..i + 2) == Some(b"\\u"))
                            .then(|| hex4(raw, i + 2))
                            .flatten()
                            .filter(|lo| (0xDC00..=0xDFFF).contains(lo));
                        match lo {
                            Some(lo) => {
                                i += 6;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                    .unwrap_or('\u{FFFD}')
                            }
                            None => '\u{FFFD}',
                        }
                    }
                    Some(u) => char::from_u32(u).unwrap_or('\u{FFFD}'),
                    None => '\u{FFFD}',
                }
            }
            _ => '\u{FFFD}',
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex4(raw: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(raw.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Value;
    use crate::load::{LoadOptions, load};

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("create parent");
            std::fs::write(&path, text).expect("write file");
        }
    }

    fn bundle(files: &[(&str, &str)]) -> (tempfile::TempDir, ExportSource) {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), files);
        let source = ExportSource {
            path: dir.path().to_path_buf(),
            display: dir.path().display().to_string(),
            kind: ExportKind::Bundle,
        };
        (dir, source)
    }

    fn single(text: &str) -> (tempfile::TempDir, ExportSource) {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), &[("x.json", text)]);
        let source = ExportSource {
            path: dir.path().join("x.json"),
            display: "x.json".to_string(),
            kind: ExportKind::SingleFile,
        };
        (dir, source)
    }

    /// Line and column (in characters, after a BOM) of the `nth` (0-based) `needle`.
    fn pos_of(text: &str, needle: &str, nth: usize) -> (usize, usize) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (at, _) = text
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the test text"));
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (
            1 + before.matches('\n').count(),
            1 + before[line_start..].chars().count(),
        )
    }

    /// The file (relative to `root`, with `/`) and line/column found for `pointer`.
    fn found(loc: &mut Locator, root: &Path, pointer: &str) -> (String, usize, usize) {
        let l = loc
            .locate(pointer)
            .unwrap_or_else(|| panic!("{pointer} not located"));
        let file = l.file.strip_prefix(root).unwrap_or(&l.file);
        let file = file.to_string_lossy().replace('\\', "/");
        (file, l.line, l.column)
    }

    fn expect(file: &str, (line, col): (usize, usize)) -> (String, usize, usize) {
        (file.to_string(), line, col)
    }

    const USERS: &str = r#"{
  "users": [
    {"id": "1", "status": "active"},
    {
      "id": "2",
      "status": "disabled"
    }
  ],
  "info": {"count": 2}
}"#;

    #[test]
    fn a_bundle_file_in_its_own_envelope_points_at_the_key_of_the_setting() {
        let (dir, source) = bundle(&[("crm/users.json", USERS)]);
        let mut loc = Locator::new(&source);
        let root = dir.path();
        assert_eq!(
            found(&mut loc, root, "/crm/users/1/status"),
            expect("crm/users.json", pos_of(USERS, "\"status\"", 1))
        );
        assert_eq!(
            found(&mut loc, root, "/crm/users/0/status"),
            expect("crm/users.json", (3, 17))
        );
        // An element itself: its opening brace.
        assert_eq!(
            found(&mut loc, root, "/crm/users/1"),
            expect("crm/users.json", (4, 5))
        );
    }

    #[test]
    fn a_bare_array_and_a_data_envelope_are_read_as_the_loader_reads_them() {
        let bare = "[\n  {\"status\": \"a\"},\n  {\"status\": \"b\"}\n]";
        let data = "{\"info\": {},\n \"data\": [{\"email\": \"x\"},\n   {\"email\": \"y\"}]}";
        let (dir, source) = bundle(&[("crm/users.json", bare), ("crm/admin_users.json", data)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/users/1/status"),
            expect("crm/users.json", (3, 4))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/admin_users/1/email"),
            expect("crm/admin_users.json", (3, 5))
        );
    }

    #[test]
    fn an_element_in_the_second_page_is_found_in_that_page_at_its_own_index() {
        let page1 = "{\"data\": [\n{\"departmentId\": 1},\n{\"departmentId\": 2}\n]}";
        let page2 = "{\"data\": [\n{\"departmentId\": 3},\n{\"departmentId\": 4},\n  {\"subject\": \"s\", \"departmentId\": 5}\n]}";
        let (dir, source) = bundle(&[
            ("desk/tickets/page-002.json", page2),
            ("desk/tickets/page-001.json", page1),
            // Neither is a page: a hidden file and a file that is not `*.json`.
            ("desk/tickets/.page-000.json", "{\"data\": [{}, {}, {}]}"),
            ("desk/tickets/notes.txt", "[1, 2, 3]"),
        ]);
        let mut loc = Locator::new(&source);
        let root = dir.path();
        assert_eq!(
            found(&mut loc, root, "/desk/tickets/1/departmentId"),
            expect("desk/tickets/page-001.json", (3, 2))
        );
        assert_eq!(
            found(&mut loc, root, "/desk/tickets/4/departmentId"),
            expect("desk/tickets/page-002.json", (4, 20))
        );
        assert_eq!(
            found(&mut loc, root, "/desk/tickets/2"),
            expect("desk/tickets/page-002.json", (2, 1))
        );
        // Past the last element: the part's start.
        assert_eq!(
            found(&mut loc, root, "/desk/tickets/5/departmentId"),
            expect("desk/tickets/page-001.json", (1, 1))
        );
    }

    #[test]
    fn a_file_wins_over_a_page_directory_of_the_same_name() {
        let (dir, source) = bundle(&[
            ("crm/contacts.json", "{\"data\": [{\"Email\": null}]}"),
            (
                "crm/contacts/page-1.json",
                "{\"data\": [{}, {\"Email\": 1}]}",
            ),
        ]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/contacts/0/Email"),
            expect("crm/contacts.json", (1, 12))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/contacts/1/Email"),
            expect("crm/contacts.json", (1, 1))
        );
    }

    #[test]
    fn fields_and_related_lists_are_found_per_module() {
        let accounts = "{\"fields\": [\n  {\"api_name\": \"Account_Name\"},\n  {\"api_name\": \"Phone\", \"visible\": false}\n]}";
        let contacts = "{\"fields\": [{\"api_name\": \"Email\"}]}";
        let related = "{\"related_lists\": [\n{\"api_name\": \"Cases\"}]}";
        let (dir, source) = bundle(&[
            ("crm/fields/Accounts.json", accounts),
            ("crm/fields/Contacts.JSON", contacts),
            ("crm/related_lists/Contacts.json", related),
        ]);
        let mut loc = Locator::new(&source);
        let root = dir.path();
        assert_eq!(
            found(&mut loc, root, "/crm/fields/Accounts/1/visible"),
            expect(
                "crm/fields/Accounts.json",
                pos_of(accounts, "\"visible\"", 0)
            )
        );
        assert_eq!(
            found(&mut loc, root, "/crm/fields/Accounts/1"),
            expect("crm/fields/Accounts.json", (3, 3))
        );
        assert_eq!(
            found(&mut loc, root, "/crm/fields/Contacts/0/api_name"),
            expect("crm/fields/Contacts.JSON", (1, 14))
        );
        assert_eq!(
            found(&mut loc, root, "/crm/related_lists/Contacts/0/api_name"),
            expect("crm/related_lists/Contacts.json", (2, 2))
        );
        assert_eq!(loc.locate("/crm/fields/Deals/0"), None);
        assert_eq!(loc.locate("/crm/fields"), None, "no one file in a bundle");
    }

    const ORG: &str = r#"{
  "org": [
    {
      "id": "5725767000000020005",
      "license_details": {
        "paid": false,
        "paid_type": "free",
        "trial_type": "professional"
      }
    }
  ]
}"#;

    #[test]
    fn nested_keys_of_the_org_are_found_inside_its_envelope() {
        let (dir, source) = bundle(&[("crm/org.json", ORG)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/org/license_details/paid_type"),
            expect("crm/org.json", pos_of(ORG, "\"paid_type\"", 0))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/org/license_details/paid_type"),
            expect("crm/org.json", (7, 9))
        );
        // `/crm/org` is the org object itself (the first element of `org`).
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/org"),
            expect("crm/org.json", (3, 5))
        );
    }

    const INTEGRATION: &str = r#"{
  "crm": {
    "installed": true,
    "linked_desk_org_id": "2389290",
    "sync": { "status": "running" },
    "a/b": {"c~d": 1}
  },
  "desk": {"authorized": false}
}"#;

    #[test]
    fn integration_paths_map_to_the_same_path_in_integration_json() {
        let (dir, source) = bundle(&[("integration.json", INTEGRATION)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/sync/status"),
            expect("integration.json", (5, 15))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/desk/authorized"),
            expect("integration.json", (8, 12))
        );
    }

    #[test]
    fn a_missing_key_falls_back_to_the_deepest_ancestor_that_exists() {
        let (dir, source) = bundle(&[("integration.json", INTEGRATION), ("crm/users.json", USERS)]);
        let mut loc = Locator::new(&source);
        let root = dir.path();
        // `sync` exists, `mode` does not.
        assert_eq!(
            found(&mut loc, root, "/integration/crm/sync/mode"),
            expect("integration.json", (5, 5))
        );
        // Into a scalar: the scalar's key.
        assert_eq!(
            found(&mut loc, root, "/integration/crm/installed/x"),
            expect("integration.json", (3, 5))
        );
        assert_eq!(
            found(&mut loc, root, "/crm/users/1/profile/name"),
            expect("crm/users.json", (4, 5))
        );
        // The whole part: the start of its file.
        assert_eq!(
            found(&mut loc, root, "/crm/users"),
            expect("crm/users.json", (1, 1))
        );
    }

    #[test]
    fn parts_not_exported_and_meta_are_not_located_in_a_bundle() {
        let (_dir, source) = bundle(&[("integration.json", "{}")]);
        let mut loc = Locator::new(&source);
        assert_eq!(loc.locate("/crm/users/0/status"), None);
        assert_eq!(loc.locate("/desk/organization/id"), None);
        assert_eq!(loc.locate("/meta/present"), None);
        assert_eq!(loc.locate(""), None);
        assert_eq!(loc.locate("crm/users"), None, "not a JSON Pointer");
    }

    #[test]
    fn escaped_pointer_tokens_match_keys_with_slash_and_tilde() {
        let (dir, source) = bundle(&[("integration.json", INTEGRATION)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/a~1b/c~0d"),
            expect("integration.json", (6, 13))
        );
        // `~01` is `~1`, a key that does not exist.
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/a~1b/c~01d"),
            expect("integration.json", (6, 5))
        );
    }

    #[test]
    fn keys_written_with_escapes_are_compared_by_their_text() {
        let text = "{\"crm\": {\"s\\u0079nc\": {\"st\\\"x\": 1}}}";
        let (dir, source) = bundle(&[("integration.json", text)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/sync/st\"x"),
            expect("integration.json", (1, 24))
        );
    }

    const SINGLE: &str = r#"{
  "crm": {
    "org": {"org": [{"license_details": {"paid_type": "free"}}]},
    "users": {"users": [{"status": "active"}, {"status": "deleted"}], "info": {}},
    "fields": {
      "Accounts": [{"api_name": "Account_Name"}, {"api_name": "Phone"}],
      "Contacts": {"fields": [{"api_name": "Email"}]}
    },
    "leads": null
  },
  "desk": {
    "organizations": {"data": [{"id": 1, "isDefault": false}, {"id": 2389290, "isDefault": true}]},
    "tickets": [{"departmentId": 7}]
  },
  "integration": {"crm": {"sync": {"status": "paused"}}}
}"#;

    #[test]
    fn a_single_file_export_maps_enveloped_and_bare_values_into_the_one_file() {
        let (dir, source) = single(SINGLE);
        let mut loc = Locator::new(&source);
        let root = dir.path();
        let at = |needle: &str, nth: usize| expect("x.json", pos_of(SINGLE, needle, nth));
        assert_eq!(
            found(&mut loc, root, "/crm/users/1/status"),
            at("\"status\"", 1)
        );
        assert_eq!(
            found(&mut loc, root, "/crm/fields/Accounts/1/api_name"),
            at("\"api_name\"", 1)
        );
        assert_eq!(
            found(&mut loc, root, "/crm/fields/Contacts/0/api_name"),
            at("\"api_name\"", 2)
        );
        assert_eq!(
            found(&mut loc, root, "/crm/org/license_details/paid_type"),
            at("\"paid_type\"", 0)
        );
        assert_eq!(
            found(&mut loc, root, "/desk/tickets/0/departmentId"),
            at("\"departmentId\"", 0)
        );
        assert_eq!(
            found(&mut loc, root, "/integration/crm/sync/status"),
            at("\"status\"", 2)
        );
        // A whole part is its key; `null` is not exported; meta is the file's start.
        assert_eq!(found(&mut loc, root, "/crm/users"), at("\"users\"", 0));
        assert_eq!(loc.locate("/crm/leads/0"), None);
        assert_eq!(loc.locate("/crm/admin_users/0"), None);
        assert_eq!(
            found(&mut loc, root, "/meta/present"),
            expect("x.json", (1, 1))
        );
        assert_eq!(found(&mut loc, root, "/crm/deals"), at("\"crm\"", 0));
    }

    /// A locator that knows what the loader decided about `source`.
    fn loaded(source: &ExportSource) -> Locator {
        let opts = crate::load::LoadOptions {
            audit_time: "2026-01-01T00:00:00Z".into(),
        };
        let doc = crate::load::load(source, &opts).expect("the test export loads");
        Locator::with_provenance(source, doc.provenance)
    }

    #[test]
    fn the_desk_organization_is_the_one_the_loader_chose() {
        // The default one (the second).
        let (dir, source) = single(SINGLE);
        let mut loc = loaded(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/desk/organization/id"),
            expect("x.json", pos_of(SINGLE, "\"id\"", 1))
        );
        // integration.desk.org_id (a string there, a number in the file) wins over the
        // default; the linked id names another portal and chooses nothing.
        let orgs = "{\"data\": [\n{\"id\": 1, \"isDefault\": true},\n{\"id\": 2389290}\n]}";
        let integration = r#"{"crm": {"linked_desk_org_id": "1"}, "desk": {"org_id": "2389290"}}"#;
        let (dir, source) = bundle(&[
            ("desk/organizations.json", orgs),
            ("integration.json", integration),
        ]);
        let mut loc = loaded(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/desk/organization/id"),
            expect("desk/organizations.json", (3, 2))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/desk/organization"),
            expect("desk/organizations.json", (3, 1))
        );
        // Several and none chosen: the start of the organizations file.
        let (dir, source) = bundle(&[("desk/organizations.json", "[{\"id\": 5}, {\"id\": 6}]")]);
        let mut loc = loaded(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/desk/organization/id"),
            expect("desk/organizations.json", (1, 1))
        );
    }

    #[test]
    fn a_record_after_a_dropped_repeat_is_found_where_the_loader_read_it() {
        let page2 = "{\"data\": [\n{\"id\": 2},\n{\"id\": 3}\n]}";
        let (dir, source) = bundle(&[
            (
                "desk/tickets/page-1.json",
                "{\"data\": [{\"id\": 1}, {\"id\": 2}]}",
            ),
            ("desk/tickets/page-2.json", page2),
        ]);
        let mut loc = loaded(&source);
        // Document record 2 is id 3: the second element of page 2, not the first.
        assert_eq!(
            found(&mut loc, dir.path(), "/desk/tickets/2/id"),
            expect("desk/tickets/page-2.json", (3, 2))
        );
    }

    #[test]
    fn a_bom_at_the_start_is_not_counted_as_a_column() {
        let text = "\u{feff}{\"crm\": {\"sync\": {\"status\": \"running\"}}}";
        let (dir, source) = bundle(&[("integration.json", text)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/sync/status"),
            expect("integration.json", (1, 19))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/integration"),
            expect("integration.json", (1, 1))
        );
    }

    #[test]
    fn columns_count_characters_not_bytes_after_multi_byte_text() {
        let text = "[{\"full_name\": \"Zoë 東京 🚀\", \"status\": \"active\"}]";
        let (dir, source) = bundle(&[("crm/users.json", text)]);
        let mut loc = Locator::new(&source);
        let (file, line, column) = found(&mut loc, dir.path(), "/crm/users/0/status");
        assert_eq!((file.as_str(), line), ("crm/users.json", 1));
        assert_eq!(column, 28);
        assert_eq!((line, column), pos_of(text, "\"status\"", 0));
        assert!(column < text.find("\"status\"").unwrap_or(0) + 1, "bytes");
    }

    #[test]
    fn malformed_or_truncated_json_gives_the_best_place_without_panicking() {
        let cases = [
            "",
            "   \n",
            "{",
            "[",
            "{\"crm\"",
            "{\"crm\":",
            "{\"crm\": {\"sync\": {\"status\": ",
            "{\"crm\": {\"sync\": {\"status\": \"run",
            "{\"crm\": [}}}]]]",
            "}{][,,::\"\\",
            "{\"crm\" 1 \"sync\"}",
            "{\"a\": \"\\",
            "{\"\\u12\": 1, \"\\ud800\": 2}",
            "\u{feff}",
            "\u{feff}\u{feff}",
            "nul",
            "{\"crm\": {\"sync\": {\"status\": tru, \"x\"::}}",
        ];
        for text in cases {
            let (_dir, source) = bundle(&[
                ("integration.json", text),
                ("crm/users.json", text),
                ("desk/organizations.json", text),
                ("crm/org.json", text),
            ]);
            let mut loc = Locator::new(&source);
            for pointer in [
                "/integration/crm/sync/status",
                "/crm/users/0/status",
                "/crm/users/3",
                "/desk/organization/id",
                "/crm/org/license_details",
            ] {
                let l = loc.locate(pointer);
                assert!(
                    l.is_some_and(|l| l.line >= 1 && l.column >= 1),
                    "{text:?} {pointer}"
                );
            }
        }
        // Cut short right after the key: the key is still found.
        let text = "{\"crm\": {\"sync\": {\"status\": ";
        let (dir, source) = bundle(&[("integration.json", text)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/sync/status"),
            expect("integration.json", (1, 19))
        );
    }

    #[test]
    fn deep_nesting_is_skipped_and_followed_without_recursion() {
        let depth = 200_000;
        let deep = format!(
            "{{\"crm\": {{\"deep\": {}{}, \"sync\": {{\"status\": 1}}}}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let (dir, source) = bundle(&[("integration.json", &deep)]);
        let mut loc = Locator::new(&source);
        assert_eq!(
            found(&mut loc, dir.path(), "/integration/crm/sync/status"),
            expect("integration.json", pos_of(&deep, "\"status\"", 0))
        );
        let pointer = format!("/integration/crm/deep{}", "/0".repeat(depth - 1));
        assert_eq!(
            found(&mut loc, dir.path(), &pointer),
            expect("integration.json", (1, 18 + depth - 1))
        );
        let unclosed = format!("{{\"crm\": {}", "{\"a\": [".repeat(depth));
        let (_dir, source) = bundle(&[("integration.json", &unclosed)]);
        assert!(Locator::new(&source).locate("/integration/crm/b").is_some());
    }

    #[test]
    fn many_elements_of_a_large_single_line_page_are_located_from_one_index() {
        let n = 20_000;
        let items: Vec<String> = (0..n)
            .map(|i| format!("{{\"id\":{i},\"subject\":\"é{i}\",\"departmentId\":{i}}}"))
            .collect();
        let text = format!("{{\"data\":[{}]}}", items.join(","));
        let (dir, source) = bundle(&[("desk/tickets.json", &text)]);
        let mut loc = Locator::new(&source);
        for i in (0..n).step_by(997).chain([n - 1]) {
            let pointer = format!("/desk/tickets/{i}/departmentId");
            let (_, line, column) = found(&mut loc, dir.path(), &pointer);
            assert_eq!(
                (line, column),
                pos_of(&text, "\"departmentId\"", i),
                "{pointer}"
            );
        }
    }

    /// Every value of a loaded document is located at its key (members) or at a character
    /// that starts a value of its type (elements): checks the mapping against the loader.
    #[test]
    fn every_value_the_loader_reads_is_located_where_it_is_written() {
        let (dir, source) = bundle(&[
            ("crm/org.json", ORG),
            ("crm/users.json", USERS),
            (
                "crm/modules.json",
                "{\"modules\": [{\"api_name\": \"Accounts\", \"visibility\": 1}]}",
            ),
            (
                "crm/fields/Accounts/p1.json",
                "{\"fields\": [{\"api_name\": \"A\"}]}",
            ),
            (
                "crm/fields/Accounts/p2.json",
                "[{\"api_name\": \"B\", \"x\": [1, \"y\"]}]",
            ),
            (
                "crm/contacts.json",
                "{\"data\": [{\"Email\": null, \"Account_Name\": {\"id\": 1}}]}",
            ),
            (
                "desk/tickets/a.json",
                "{\"data\": [{\"channel\": \"Email\"}], \"info\": {}}",
            ),
            ("desk/tickets/b.json", ""),
            (
                "desk/tickets/c.json",
                "{\"id\": 9, \"sharedDepartments\": []}",
            ),
            ("desk/agents.json", "{\"info\": {}}"),
            ("integration.json", INTEGRATION),
        ]);
        let opts = LoadOptions {
            audit_time: "2026-01-01T00:00:00Z".to_string(),
        };
        let doc = load(&source, &opts).expect("loads");
        let mut loc = Locator::new(&source);
        let mut stack: Vec<(String, String, Value)> = Vec::new();
        for top in ["crm", "desk", "integration"] {
            if let Some(v) = doc.root.get(top) {
                stack.push((format!("/{top}"), String::new(), v.clone()));
            }
        }
        let mut checked = 0;
        while let Some((pointer, key, value)) = stack.pop() {
            let part_level = pointer.matches('/').count() <= 2
                || pointer.starts_with("/crm/fields/Accounts") && pointer.matches('/').count() == 3;
            if !part_level && !pointer.starts_with("/desk/organization") {
                let l = loc.locate(&pointer).unwrap_or_else(|| panic!("{pointer}"));
                let text = std::fs::read_to_string(&l.file).expect("read");
                let line = text.lines().nth(l.line - 1).expect("line");
                let rest: String = line.chars().skip(l.column - 1).collect();
                if key.is_empty() {
                    let first = rest.chars().next().expect("a character");
                    let ok = match &value {
                        Value::Object(_) => first == '{',
                        Value::Array(_) => first == '[',
                        Value::Str(_) => first == '"' || first.is_ascii_digit(),
                        Value::Null => first == 'n',
                        _ => !"{[\"".contains(first),
                    };
                    assert!(ok, "{pointer}: {rest}");
                } else {
                    assert!(rest.starts_with(&format!("\"{key}\"")), "{pointer}: {rest}");
                }
                checked += 1;
            }
            match &value {
                Value::Object(o) => {
                    for (k, v) in o.iter() {
                        let mut p = pointer.clone();
                        p.push('/');
                        crate::engine::path::push_escaped(&mut p, k);
                        stack.push((p, k.to_string(), v.clone()));
                    }
                }
                Value::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        stack.push((format!("{pointer}/{i}"), String::new(), v.clone()));
                    }
                }
                _ => {}
            }
        }
        assert!(checked > 30, "{checked}");
        assert_eq!(
            doc.root
                .get_path("desk.tickets")
                .and_then(Value::as_array)
                .map(|a| a.len()),
            Some(2)
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/desk/tickets/1/sharedDepartments"),
            expect("desk/tickets/c.json", (1, 11))
        );
        assert_eq!(
            found(&mut loc, dir.path(), "/crm/fields/Accounts/1/x/1"),
            expect("crm/fields/Accounts/p2.json", (1, 29))
        );
    }
}
