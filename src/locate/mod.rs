//! Evidence pointers -> places in the export's files, for SARIF and GitHub annotations.
//!
//! Findings name their evidence as JSON Pointers into the *loaded document*
//! (`/crm/users/3/status`). A `Locator` maps such a pointer back to the file of the export
//! that holds the value and the 1-based line and column (in characters) of it there.
//! Which file, and which path inside it, is what the loader recorded as it read the
//! export (`Document::provenance`); this module knows nothing of the export's layout or
//! envelopes. It only turns a JSON path inside a file into a line and column.
//!
//! Files are scanned by a small byte-level JSON walker, not parsed: it skips values it
//! does not need without allocating, never recurses (deep nesting is only a counter), and
//! on malformed or truncated text stops with the deepest place it did reach.

mod scanner;
#[cfg(test)]
mod tests;

use crate::doc::{PathInFile, Provenance};
use crate::load::LoadError;
use scanner::{BytePos, Cursor, follow};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in a file of the export as a person reads it: the file, and the 1-based line
/// and column, the column counted in characters (Unicode scalar values), as editors and
/// GitHub annotations count it. Where evidence sits (`Locator::locate`) and where a load
/// error happened (`of_error`); the reports (SARIF, GitHub, HTML) show it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileLocation {
    /// The file's path as the user would write it (relative when the export path was).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters (as editors and GitHub annotations count it).
    pub column: usize,
}

impl FileLocation {
    /// Where a load error happened: its file, at its line and column (1 when unknown).
    pub fn of_error(e: &LoadError) -> FileLocation {
        FileLocation {
            file: e.file.clone(),
            line: e.line.unwrap_or(1),
            column: e.column.unwrap_or(1),
        }
    }
}

/// Maps evidence pointers of one export to places in its files. Reads files lazily and
/// caches them (and where the values that many pointers share are, with the starts of
/// an array's elements), so locating many pointers of one export is cheap.
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
    /// What the loader recorded about where the document's values are.
    provenance: Provenance,
    /// File contents by path; `None` when the file cannot be read.
    files: HashMap<PathBuf, Option<Arc<Vec<u8>>>>,
    /// Values shared by many places (`PathInFile::base`), by file and path inside it.
    bases: HashMap<PathBuf, HashMap<Vec<String>, Base>>,
}

/// Where a shared value is in its file.
struct Base {
    /// The deepest place its path reached (its key, or an ancestor when it is missing).
    reached: BytePos,
    /// Its first character, when the whole path was found.
    value: Option<BytePos>,
    /// The starts of its elements, once one was asked for (none unless an array).
    elements: Option<Vec<BytePos>>,
}

impl Locator {
    /// A locator for an export as the loader read it (`Document::provenance`).
    pub fn new(provenance: Provenance) -> Locator {
        Locator {
            provenance,
            files: HashMap::new(),
            bases: HashMap::new(),
        }
    }

    /// The file and 1-based line/column of the value at `pointer`; when the exact value
    /// cannot be found (e.g. the key is absent, the pointer names a whole part,
    /// `/desk/organization` which is chosen among organizations, `/meta/...`), the best
    /// enclosing place: the start of the deepest existing ancestor in the right file, else
    /// line 1 column 1 of the part's file; None when no file holds it (part not exported).
    pub fn locate(&mut self, pointer: &str) -> Option<FileLocation> {
        let tokens = parse_pointer(pointer)?;
        let spot = self.provenance.place(&tokens)?;
        Some(self.find(spot))
    }

    /// The line and column of `spot` in its file.
    fn find(&mut self, spot: PathInFile) -> FileLocation {
        let PathInFile {
            file,
            base,
            element,
            rest,
        } = spot;
        let Some(bytes) = self.read(&file) else {
            return location(file, BytePos::FILE_START);
        };
        let base = self.base(&file, &bytes, base, element.is_some());
        let Some(mut start) = base.value else {
            return location(file, base.reached);
        };
        if let Some(i) = element {
            match base.elements.as_ref().and_then(|marks| marks.get(i)) {
                Some(&mark) => start = mark,
                // Fewer elements than the loader read: the array itself.
                None => return location(file, start),
            }
        }
        let (mark, _, _) = follow(Cursor::at(&bytes, start), &rest);
        location(file, mark)
    }

    /// Where the value at `path` of `file` is (remembered), with its elements' starts
    /// when `elements` is asked for.
    fn base(&mut self, file: &Path, bytes: &[u8], path: Vec<String>, elements: bool) -> &Base {
        let of_file = self.bases.entry(file.to_path_buf()).or_default();
        let base = of_file.entry(path).or_insert_with_key(|path| {
            let mut cur = Cursor::start(bytes);
            cur.skip_ws();
            if cur.peek().is_none() {
                // A blank file (HTTP 204): its start.
                return Base {
                    reached: BytePos::FILE_START,
                    value: None,
                    elements: None,
                };
            }
            let (reached, mut value, matched) = follow(cur, path);
            Base {
                reached,
                value: (matched == path.len()).then(|| value.mark()),
                elements: None,
            }
        });
        if elements
            && base.elements.is_none()
            && let Some(start) = base.value
        {
            let mut marks = Vec::new();
            let mut array = Cursor::at(bytes, start);
            if array.peek() == Some(b'[') {
                array.elements(|_, e| {
                    marks.push(e.mark());
                    true
                });
            }
            base.elements = Some(marks);
        }
        base
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
}

fn location(file: PathBuf, mark: BytePos) -> FileLocation {
    FileLocation {
        file: file.display().to_string(),
        line: mark.line,
        column: mark.col,
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
