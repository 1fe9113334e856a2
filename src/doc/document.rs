//! `Document`: one loaded export, plus what the loader learned about it.

use super::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every part of an export that the loader knows, in the document's own naming
/// (`meta.present` lists those that were exported). Per-module parts of
/// `crm.fields` / `crm.related_lists` are named `crm.fields.<Module>`.
pub const PARTS: &[&str] = &[
    "crm.org",
    "crm.users",
    "crm.admin_users",
    "crm.modules",
    "crm.fields",
    "crm.related_lists",
    "crm.contacts",
    "crm.leads",
    "desk.organizations",
    "desk.departments",
    "desk.agents",
    "desk.contacts",
    "desk.tickets",
    "integration",
];

/// One loaded export.
#[derive(Clone, Debug)]
pub struct Document {
    /// The path as given on the command line (`meta.source`).
    pub source: String,
    /// `{crm, desk, integration, meta}` exactly as export-format.md describes it.
    pub root: Value,
    /// Parts that were exported, sorted (`meta.present`).
    pub present: Vec<String>,
    /// Parts that were exported but cannot be used (a saved API error, a value of the
    /// wrong type), with the reason. A rule that needs one of them reports `error`.
    pub failed: BTreeMap<String, crate::load::Failure>,
    /// Things worth knowing that are not errors (an ignored file, a page directory
    /// shadowed by a file, ...), each naming the file.
    pub notes: Vec<crate::load::Note>,
    /// List parts known to be incomplete, sorted (`meta.truncated`).
    pub truncated: Vec<String>,
    /// Where the document's values sit in the export's files, as the loader read them.
    pub provenance: Provenance,
}

/// What the loader decided about where the document's values sit in the export's files,
/// recorded as it read them, so evidence can be traced back to file, line and column
/// without deciding anything again (`locate`).
///
/// It maps paths of the document (JSON Pointer tokens, e.g. `["crm", "users"]`) to
/// places: a part read from pages, a value of a file, another path of the document, or
/// nowhere. A pointer is resolved by its longest recorded prefix, so whoever asks needs
/// to know neither part names nor file layout. The cost is per page, not per record
/// (plus the indices of kept records where a list lost repeats).
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The index in `desk.organizations` of the element that is `desk.organization`.
    pub desk_organization: Option<usize>,
    /// Places by their path in the document; shared, as every audit result holds one.
    places: Arc<BTreeMap<Vec<String>, Place>>,
    /// The longest path recorded.
    depth: usize,
}

/// What a path of the document maps to (see `Provenance`).
#[derive(Clone, Debug)]
pub enum Place {
    /// A part read from one or more pages.
    Part(PartPages),
    /// The value at `at` in `file`; what lies below it in the document lies below it in
    /// the file, at the same path (the whole document of a single-file export).
    Value { file: PathBuf, at: Vec<String> },
    /// Another path of the document: `to`, followed by what lies below here when `below`
    /// is true, else `to` itself (`desk.organization` is an element of
    /// `desk.organizations`; `meta`, made by the loader, maps to the document's root).
    Alias { to: Vec<String>, below: bool },
    /// A map of parts (`crm.fields`): the map itself is found as if nothing were recorded
    /// for it; a member not recorded was not exported.
    Members,
    /// No file holds it: a part that was not exported.
    Nowhere,
}

/// A part as the loader read it: its pages in order.
#[derive(Clone, Debug)]
pub struct PartPages {
    /// A list (records are addressed by index) or one value (org, integration: paths go
    /// on inside the value of the first page).
    pub list: bool,
    /// The part's pages in the order they were read (page 1 first); empty for none.
    pub pages: Vec<PagePlace>,
    /// For a list that lost repeated records: the index (in its pages concatenated) of
    /// each record kept, in document order.
    pub kept: Option<Arc<Vec<usize>>>,
}

/// One page of a part: its file, where in it the response is, and where the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PagePlace {
    /// The file holding the page's response.
    pub file: PathBuf,
    /// Path inside the file to the response (empty: the whole file); the part's start.
    pub response: Vec<String>,
    /// Where the records of the page sit inside the response.
    pub data: PageData,
}

/// Where a page's data sits inside its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageData {
    /// No element (empty, `null`, or not data at all).
    None,
    /// The `len` elements of the array at `at`.
    Array { at: Vec<String>, len: usize },
    /// One element: the value at `at` (a record saved on its own, the org object).
    Value { at: Vec<String> },
}

impl PageData {
    /// How many records of a list this page holds.
    pub fn len(&self) -> usize {
        match self {
            PageData::None => 0,
            PageData::Array { len, .. } => *len,
            PageData::Value { .. } => 1,
        }
    }

    /// Whether the page holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where a place of the document is in one file, in terms of JSON paths only: start at
/// the value at `base` (a value many places share, worth remembering), go to element
/// `element` of it when set (an array of records), then follow `rest`. The place of an
/// object member is its key, of an array element its first character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathInFile {
    /// The file the place is in.
    pub file: PathBuf,
    /// JSON path (pointer tokens) inside `file` to the shared starting value; empty: the
    /// file's root value.
    pub base: Vec<String>,
    /// The index of the record in the array at `base`; `None`: `rest` starts at `base` itself.
    pub element: Option<usize>,
    /// The remaining JSON path, from the record (or from `base`) to the place.
    pub rest: Vec<String>,
}

impl PathInFile {
    /// The place of the value at `at` followed by `rest`, reported at its key when `at`
    /// ends in an object member.
    fn member(file: &Path, at: &[String], rest: &[String]) -> PathInFile {
        let split = at.len().saturating_sub(1);
        PathInFile {
            file: file.to_path_buf(),
            base: at[..split].to_vec(),
            element: None,
            rest: at[split..].iter().chain(rest).cloned().collect(),
        }
    }

    /// The value at `at` inside `page`'s response (its element `element` when set),
    /// then `rest`.
    fn inside(
        page: &PagePlace,
        at: &[String],
        element: Option<usize>,
        rest: &[String],
    ) -> PathInFile {
        PathInFile {
            file: page.file.clone(),
            base: page.response.iter().chain(at).cloned().collect(),
            element,
            rest: rest.to_vec(),
        }
    }
}

/// How many aliases a pointer may pass through (they never chain in practice).
const ALIAS_HOPS: usize = 4;

impl Provenance {
    /// Records what the document's path `at` maps to, replacing what was recorded there.
    pub fn record(&mut self, at: Vec<String>, place: Place) {
        self.depth = self.depth.max(at.len());
        Arc::make_mut(&mut self.places).insert(at, place);
    }

    /// What was recorded for the document's path `at` exactly.
    pub fn get(&self, at: &[&str]) -> Option<&Place> {
        let at: Vec<String> = at.iter().map(ToString::to_string).collect();
        self.places.get(&at)
    }

    /// The index in the pages concatenated of record `n` of the list part at `part`
    /// (e.g. `["desk", "tickets"]`); `None` when no such record was kept.
    pub fn source_index(&self, part: &[&str], n: usize) -> Option<usize> {
        match self.get(part) {
            Some(Place::Part(p)) => p.source_index(n),
            _ => Some(n),
        }
    }

    /// Where the document's path `tokens` is in the export's files. The longest recorded
    /// prefix decides. A part's record `n` is found in the page whose running count of
    /// records covers it (after mapping `n` through the records kept); an index past the
    /// end, or the part itself, is the part's start: its first page's response. `None`
    /// when no file holds it (not exported, or nothing recorded).
    pub fn place(&self, tokens: &[String]) -> Option<PathInFile> {
        let mut tokens = tokens.to_vec();
        for _ in 0..=ALIAS_HOPS {
            let (matched, place) = self.longest(&tokens)?;
            let rest = &tokens[matched..];
            match place {
                Place::Part(part) => return part.spot(rest),
                Place::Value { file, at } => return Some(PathInFile::member(file, at, rest)),
                Place::Alias { to, below } => {
                    let mut next = to.clone();
                    if *below {
                        next.extend_from_slice(rest);
                    }
                    tokens = next;
                }
                Place::Members | Place::Nowhere => return None,
            }
        }
        None
    }

    /// The longest prefix of `tokens` that decides where it is, with what it maps to.
    fn longest(&self, tokens: &[String]) -> Option<(usize, &Place)> {
        for k in (0..=tokens.len().min(self.depth)).rev() {
            match self.places.get(&tokens[..k]) {
                // The map itself: as if nothing were recorded. Below it: not exported.
                Some(Place::Members) if k == tokens.len() => continue,
                Some(place) => return Some((k, place)),
                None => continue,
            }
        }
        None
    }
}

impl PartPages {
    /// The index in the pages concatenated of record `n` of the document.
    pub fn source_index(&self, n: usize) -> Option<usize> {
        match &self.kept {
            Some(kept) => kept.get(n).copied(),
            None => Some(n),
        }
    }

    fn spot(&self, rest: &[String]) -> Option<PathInFile> {
        let first = self.pages.first()?;
        let start = || Some(PathInFile::member(&first.file, &first.response, &[]));
        if !self.list {
            return match &first.data {
                PageData::Value { at } => Some(PathInFile::inside(first, at, None, rest)),
                _ => start(),
            };
        }
        let Some(n) = rest
            .first()
            .and_then(|t| pointer_index(t))
            .and_then(|n| self.source_index(n))
        else {
            return start();
        };
        let mut offset = 0;
        for page in &self.pages {
            let len = page.data.len();
            if n < offset + len {
                return Some(match &page.data {
                    PageData::Array { at, .. } => {
                        PathInFile::inside(page, at, Some(n - offset), &rest[1..])
                    }
                    PageData::Value { at } => PathInFile::inside(page, at, None, &rest[1..]),
                    PageData::None => break,
                });
            }
            offset += len;
        }
        start()
    }
}

/// A JSON Pointer token that is an array index: `0`, or digits without a leading zero.
pub fn pointer_index(token: &str) -> Option<usize> {
    let digits = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if !digits || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

impl Document {
    /// Is `part` (or, for `crm.fields`, any module's fields) present?
    pub fn is_present(&self, part: &str) -> bool {
        self.present.iter().any(|p| covers(part, p))
    }

    /// The reason `part` (or a part inside it) failed to load, if it did.
    pub fn failure(&self, part: &str) -> Option<(&str, &crate::load::Failure)> {
        self.failed
            .iter()
            .find(|(p, _)| covers(part, p) || covers(p, part))
            .map(|(p, r)| (p.as_str(), r))
    }
}

/// `outer` covers `inner` when they are equal or `inner` lies inside `outer`
/// (`crm.fields` covers `crm.fields.Accounts`).
fn covers(outer: &str, inner: &str) -> bool {
    inner == outer
        || (inner.len() > outer.len()
            && inner.starts_with(outer)
            && inner.as_bytes()[outer.len()] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(present: &[&str], failed: &[(&str, &str)]) -> Document {
        Document {
            source: "x".into(),
            root: Value::NULL,
            present: present.iter().map(ToString::to_string).collect(),
            failed: failed
                .iter()
                .map(|(a, b)| {
                    let at = crate::load::Origin::key("x.json", b);
                    let found = "a string";
                    let why = crate::load::Failure::SectionNotObject { at, found };
                    ((*a).to_string(), why)
                })
                .collect(),
            notes: vec![],
            truncated: vec![],
            provenance: Provenance::default(),
        }
    }

    #[test]
    fn a_module_part_counts_as_its_parent_part_but_not_as_a_sibling() {
        let d = doc(
            &["crm.fields.Accounts"],
            &[("crm.fields.Vehicles", "api error")],
        );
        assert!(d.is_present("crm.fields"));
        assert!(d.is_present("crm.fields.Accounts"));
        assert!(!d.is_present("crm.fields.Contacts"));
        assert!(!d.is_present("crm.field"));
        assert!(d.failure("crm.fields.Accounts").is_none());
        assert_eq!(
            d.failure("crm.fields").map(|f| f.0),
            Some("crm.fields.Vehicles")
        );
    }

    fn t(path: &[&str]) -> Vec<String> {
        path.iter().map(ToString::to_string).collect()
    }

    fn page(file: &str, response: &[&str], data: PageData) -> PagePlace {
        PagePlace {
            file: file.into(),
            response: t(response),
            data,
        }
    }

    fn spot(
        file: &str,
        base: &[&str],
        element: Option<usize>,
        rest: &[&str],
    ) -> Option<PathInFile> {
        Some(PathInFile {
            file: file.into(),
            base: t(base),
            element,
            rest: t(rest),
        })
    }

    /// Two pages of tickets (the first lost its second record as a repeat), a single
    /// object part, a map of modules and the aliases the loader records.
    fn provenance() -> Provenance {
        let mut p = Provenance::default();
        let data = |len| PageData::Array {
            at: t(&["data"]),
            len,
        };
        let tickets = PartPages {
            list: true,
            pages: vec![
                page("t1.json", &[], data(2)),
                page("t2.json", &[], PageData::None),
                page("t3.json", &[], PageData::Value { at: vec![] }),
            ],
            kept: Some(Arc::new(vec![0, 2])),
        };
        p.record(t(&["desk", "tickets"]), Place::Part(tickets));
        let org = PartPages {
            list: false,
            pages: vec![page(
                "x.json",
                &["crm", "org"],
                PageData::Value {
                    at: t(&["org", "0"]),
                },
            )],
            kept: None,
        };
        p.record(t(&["crm", "org"]), Place::Part(org));
        p.record(t(&["crm", "fields"]), Place::Members);
        p.record(t(&["crm", "users"]), Place::Nowhere);
        let to = t(&["desk", "tickets", "1"]);
        p.record(
            t(&["desk", "organization"]),
            Place::Alias { to, below: true },
        );
        p.record(
            t(&["meta"]),
            Place::Alias {
                to: vec![],
                below: false,
            },
        );
        p
    }

    #[test]
    fn a_record_is_found_in_its_page_after_the_records_kept() {
        let p = provenance();
        let place = |path: &[&str]| p.place(&t(path));
        // Record 1 of the document is element 2 of the pages: the third page's object.
        assert_eq!(
            place(&["desk", "tickets", "1", "id"]),
            spot("t3.json", &[], None, &["id"])
        );
        assert_eq!(
            place(&["desk", "tickets", "0"]),
            spot("t1.json", &["data"], Some(0), &[])
        );
        // Past the end, not an index, or the part itself: the part's start.
        for path in [
            &["desk", "tickets", "2"][..],
            &["desk", "tickets", "01"],
            &["desk", "tickets"],
        ] {
            assert_eq!(place(path), spot("t1.json", &[], None, &[]), "{path:?}");
        }
        assert_eq!(p.source_index(&["desk", "tickets"], 1), Some(2));
    }

    #[test]
    fn one_object_parts_aliases_maps_and_parts_not_exported() {
        let p = provenance();
        let place = |path: &[&str]| p.place(&t(path));
        assert_eq!(
            place(&["crm", "org", "license_details"]),
            spot(
                "x.json",
                &["crm", "org", "org", "0"],
                None,
                &["license_details"]
            )
        );
        assert_eq!(
            place(&["desk", "organization", "x"]),
            spot("t3.json", &[], None, &["x"])
        );
        assert_eq!(place(&["crm", "users", "0"]), None);
        assert_eq!(place(&["crm", "fields", "Deals"]), None);
        // No root recorded (a bundle): the map itself, meta and the root are nowhere.
        assert_eq!(place(&["crm", "fields"]), None);
        assert_eq!(place(&["meta", "present"]), None);
        assert_eq!(place(&[]), None);
        // With a root (a single file) they are where the file has them.
        let mut p = p;
        let file = PathBuf::from("x.json");
        p.record(vec![], Place::Value { file, at: vec![] });
        let place = |path: &[&str]| p.place(&t(path));
        assert_eq!(
            place(&["crm", "fields"]),
            spot("x.json", &[], None, &["crm", "fields"])
        );
        assert_eq!(place(&["meta", "present"]), spot("x.json", &[], None, &[]));
        assert_eq!(place(&["crm", "fields", "Deals"]), None);
        assert_eq!(place(&["crm", "users"]), None);
    }
}
