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

use super::json::{self, Parsed};
use super::manifest::Manifest;
use super::raw::{CRM_LISTS, DESK_LISTS, Origin, Page, PartId, Raw, RawPart};
use super::{ExportSource, LoadError, LoadErrorKind, Note};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// One directory entry, with symlinks resolved (a broken link counts as a file, so
/// reading it gives a proper error).
#[derive(Debug)]
struct Entry {
    name: OsString,
    path: PathBuf,
    /// How messages name it: the export's path as given, joined with the entry's.
    display: String,
    is_dir: bool,
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
        list_dir(&source.path, &source.display).map_err(|e| stop(pending, e, real_root))?;
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

/// `manifest.json`, read at once: a manifest that cannot be read is a note, never a
/// failed export (export-format.md).
fn read_manifest(e: &Entry, notes: &mut Vec<Note>) -> Manifest {
    let at = Origin::file(&e.display);
    match json::read_file(&e.path, &e.display) {
        Ok(Parsed::Value(v)) => Manifest::read(Some(v), &at, notes),
        Ok(Parsed::Blank) => Manifest::read(None, &at, notes),
        Err(error) => {
            notes.push(Note::ManifestUnreadable { error });
            Manifest::default()
        }
    }
}

/// Notes every file whose sha256 differs from the one `collect` recorded (the export was
/// edited after collection; it is audited as it is), or that is gone. Paths leading out
/// of the export are not read.
fn verify_files(root: &Path, display: &str, manifest: &Manifest, notes: &mut Vec<Note>) {
    use sha2::{Digest, Sha256};
    let outcomes: Vec<Option<Note>> = manifest
        .sha256
        .par_iter()
        .map(|(rel, want)| {
            let shown = Path::new(display).join(rel).display().to_string();
            let inside = Path::new(rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                return Some(Note::ManifestPathOutside { rel: rel.clone() });
            }
            let path = root.join(rel);
            if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                return Some(Note::ManifestFileMissing { file: shown });
            }
            let got = match std::fs::read(&path) {
                Ok(bytes) => Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
                Err(e) => {
                    return Some(Note::ManifestCannotCheck {
                        file: shown,
                        io: e.to_string(),
                    });
                }
            };
            (got != *want).then_some(Note::ManifestEdited { file: shown })
        })
        .collect();
    notes.extend(outcomes.into_iter().flatten());
}

/// Reads one file of the bundle, refusing a link that leads out of the export: an
/// export must not be able to pull some other file of this machine into a report.
fn read_entry(root: Option<&Path>, e: &Entry) -> Result<Parsed, LoadError> {
    if let (Some(root), Ok(real)) = (root, std::fs::canonicalize(&e.path))
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

fn read_crm(dir: &Entry, raw: &mut Raw, pending: &mut Pending) -> Result<(), LoadError> {
    let mut rest = list_dir(&dir.path, &dir.display)?;
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

fn read_desk(dir: &Entry, raw: &mut Raw, pending: &mut Pending) -> Result<(), LoadError> {
    let mut rest = list_dir(&dir.path, &dir.display)?;
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
    let mut rest = list_dir(&dir.path, &dir.display)?;
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
    for e in list_dir(&dir.path, &dir.display)?.into_values() {
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
pub(crate) fn json_stem(name: &str) -> Option<&str> {
    let split = name.len().checked_sub(".json".len())?;
    let (stem, ext) = (name.get(..split)?, name.get(split..)?);
    ext.eq_ignore_ascii_case(".json").then_some(stem)
}

/// The page of file `e`, its content to be parsed later (see `read`).
fn read_page(e: Entry, pending: &mut Pending) -> Page {
    let page = Page {
        origin: Origin::file(&e.display),
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
fn take_dir(rest: &mut Listing, name: &str) -> Option<Entry> {
    match rest.get(OsStr::new(name)) {
        Some(e) if e.is_dir => rest.remove(OsStr::new(name)),
        _ => None,
    }
}

fn note_unknown(rest: Listing, raw: &mut Raw) {
    for e in rest.into_values() {
        let shown = if e.is_dir { e.dir_display() } else { e.display };
        raw.notes.push(Note::UnknownFile { file: shown });
    }
}

fn list_dir(path: &Path, display: &str) -> Result<Listing, LoadError> {
    let error = |e: std::io::Error| {
        LoadError::new(display, LoadErrorKind::CannotReadDir { io: e.to_string() })
    };
    let mut out = Listing::new();
    for entry in std::fs::read_dir(path).map_err(error)? {
        let entry = entry.map_err(error)?;
        let name = entry.file_name();
        let path = entry.path();
        let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        out.insert(
            name.clone(),
            Entry {
                display: Path::new(display).join(&name).display().to_string(),
                name,
                path,
                is_dir,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{bundle, load_bundle};
    use crate::doc::Value;

    #[test]
    fn a_full_bundle_loads_every_part_from_its_file() {
        let dir = bundle(&[
            (
                "crm/org.json",
                r#"{"org": [{"id": "1", "company_name": "Acme"}]}"#,
            ),
            (
                "crm/users.json",
                r#"{"users": [{"id": 5725767000000411001}], "info": {}}"#,
            ),
            ("crm/admin_users.json", r#"{"users": []}"#),
            (
                "crm/modules.json",
                r#"{"modules": [{"api_name": "Accounts"}]}"#,
            ),
            (
                "crm/fields/Accounts.json",
                r#"{"fields": [{"api_name": "Account_Name"}]}"#,
            ),
            (
                "crm/related_lists/Contacts.json",
                r#"{"related_lists": []}"#,
            ),
            ("crm/contacts.json", r#"{"data": [{"Email": null}]}"#),
            ("crm/leads.json", ""),
            ("desk/organizations.json", r#"{"data": [{"id": 2389290}]}"#),
            ("desk/departments.json", r#"{"data": []}"#),
            ("desk/agents.json", r#"{"data": []}"#),
            ("desk/contacts.json", r#"{"data": []}"#),
            ("desk/tickets.json", r#"{"data": []}"#),
            ("integration.json", r#"{"crm": {"installed": true}}"#),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(
            d.present,
            [
                "crm.admin_users",
                "crm.contacts",
                "crm.fields",
                "crm.fields.Accounts",
                "crm.leads",
                "crm.modules",
                "crm.org",
                "crm.related_lists",
                "crm.related_lists.Contacts",
                "crm.users",
                "desk.agents",
                "desk.contacts",
                "desk.departments",
                "desk.organization",
                "desk.organizations",
                "desk.tickets",
                "integration",
            ]
        );
        assert!(
            d.failed.is_empty() && d.notes.is_empty(),
            "{:?} {:?}",
            d.failed,
            d.notes
        );
        assert_eq!(
            d.root.get_path("crm.users.0.id"),
            Some(&Value::str("5725767000000411001"))
        );
        assert_eq!(
            d.root.get_path("desk.organization.id"),
            Some(&Value::str("2389290"))
        );
        assert_eq!(
            d.root.get_path("crm.fields.Accounts.0.api_name"),
            Some(&Value::str("Account_Name"))
        );
        assert_eq!(
            d.root.get_path("integration.crm.installed"),
            Some(&Value::Bool(true))
        );
    }

    #[test]
    fn missing_files_are_not_exported_which_differs_from_empty() {
        let dir = bundle(&[("crm/users.json", "")]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(d.present, ["crm.users"]);
        assert_eq!(d.root.get_path("crm.users"), Some(&Value::array(vec![])));
        assert_eq!(d.root.get_path("crm.contacts"), None);
        assert!(d.root.get("desk").and_then(Value::as_object).is_some());
        assert_eq!(d.root.get("integration"), None);
    }

    #[test]
    fn page_files_are_read_in_byte_order_of_their_names() {
        let mut files = vec![];
        for i in (1..=10).rev() {
            files.push((
                format!("desk/tickets/page-{i:03}.json"),
                format!(r#"{{"data": [{{"n": {i}}}]}}"#),
            ));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = bundle(&refs);
        let d = load_bundle(dir.path()).unwrap();
        let ns: Vec<i64> = d
            .root
            .get_path("desk.tickets")
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .filter_map(|t| match t.get("n") {
                Some(Value::Int(n)) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(
            ns,
            (1..=10).collect::<Vec<_>>(),
            "page-010 must follow page-009"
        );
    }

    #[test]
    fn module_fields_may_be_paged_too() {
        let dir = bundle(&[
            (
                "crm/fields/Accounts/page-2.json",
                r#"{"fields": [{"api_name": "B"}]}"#,
            ),
            (
                "crm/fields/Accounts/page-1.json",
                r#"{"fields": [{"api_name": "A"}]}"#,
            ),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(
            d.root.get_path("crm.fields.Accounts.1.api_name"),
            Some(&Value::str("B"))
        );
        assert!(d.is_present("crm.fields.Accounts"));
    }

    #[test]
    fn a_file_wins_over_a_page_directory_of_the_same_name_with_a_note() {
        let dir = bundle(&[
            ("crm/contacts.json", r#"{"data": [{"from": "file"}]}"#),
            (
                "crm/contacts/page-001.json",
                r#"{"data": [{"from": "dir"}, {}]}"#,
            ),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(
            d.root.get_path("crm.contacts.0.from"),
            Some(&Value::str("file"))
        );
        assert_eq!(d.root.get_path("crm.contacts.1"), None);
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("crm/contacts.json") && n.contains("crm/contacts/")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn a_page_directory_without_json_files_means_not_exported() {
        let dir = bundle(&[
            ("desk/tickets/readme.txt", "x"),
            ("crm/fields/Accounts/.keep", ""),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert!(!d.is_present("desk.tickets"));
        assert!(!d.is_present("crm.fields"));
        assert_eq!(d.root.get_path("desk.tickets"), None);
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("no *.json page file")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn zero_byte_and_white_space_files_are_empty_lists_and_an_empty_integration() {
        let dir = bundle(&[
            ("desk/tickets.json", ""),
            ("desk/agents.json", " \n\t "),
            ("integration.json", ""),
            ("crm/org.json", ""),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(d.root.get_path("desk.tickets"), Some(&Value::array(vec![])));
        assert_eq!(d.root.get_path("desk.agents"), Some(&Value::array(vec![])));
        assert_eq!(d.root.get("integration"), Some(&Value::empty_object()));
        assert_eq!(d.root.get_path("crm.org"), None);
        assert_eq!(d.present, ["desk.agents", "desk.tickets", "integration"]);
    }

    #[test]
    fn unknown_files_are_noted_not_errors() {
        let dir = bundle(&[
            ("README.md", "hi"),
            ("crm/Users.json", "[]"),
            ("desk/tickets.json", "[]"),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert!(d.is_present("desk.tickets"));
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("README.md")),
            "{:?}",
            d.notes
        );
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("crm/Users.json")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn malformed_json_in_any_file_fails_the_export_naming_the_file() {
        let dir = bundle(&[("desk/tickets/page-002.json", "{\"data\": [\n  {]}")]);
        let e = load_bundle(dir.path()).unwrap_err();
        assert!(e.file.ends_with("desk/tickets/page-002.json"), "{}", e.file);
        assert_eq!(e.line, Some(2));
        assert!(e.column.is_some());
    }

    #[test]
    fn of_several_broken_files_the_first_in_reading_order_is_reported() {
        // Pages are parsed in parallel; the error must still be the one a reader going
        // file by file would meet first.
        let mut files = vec![];
        for i in 1..=40 {
            let broken = i == 7 || i == 31;
            files.push((
                format!("desk/tickets/page-{i:03}.json"),
                if broken {
                    "{\"data\": [".to_string()
                } else {
                    r#"{"data": []}"#.to_string()
                },
            ));
        }
        files.push(("crm/users.json".to_string(), "[{]".to_string()));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = bundle(&refs);
        let e = load_bundle(dir.path()).unwrap_err();
        assert!(e.file.ends_with("crm/users.json"), "{}", e.file);
        std::fs::remove_file(dir.path().join("crm/users.json")).unwrap();
        let e = load_bundle(dir.path()).unwrap_err();
        assert!(e.file.ends_with("desk/tickets/page-007.json"), "{}", e.file);
    }

    #[test]
    fn pages_parsed_in_parallel_keep_every_record_in_order() {
        let mut files = vec![];
        for p in 0..50 {
            let items: Vec<String> = (0..20)
                .map(|k| format!(r#"{{"n": {}}}"#, p * 20 + k))
                .collect();
            files.push((
                format!("crm/contacts/page-{p:03}.json"),
                format!(
                    r#"{{"data": [{}], "info": {{"page": {p}}}}}"#,
                    items.join(",")
                ),
            ));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = bundle(&refs);
        let d = load_bundle(dir.path()).unwrap();
        let ns: Vec<i64> = d
            .root
            .get_path("crm.contacts")
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .filter_map(|t| match t.get("n") {
                Some(Value::Int(n)) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(ns, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn a_directory_named_like_a_file_is_an_error_naming_it() {
        let dir = bundle(&[("integration.json/x", "{}")]);
        let e = load_bundle(dir.path()).unwrap_err();
        assert!(e.file.ends_with("integration.json"), "{}", e.file);
        assert!(e.message().contains("is a directory"), "{}", e.message());
    }

    #[test]
    fn a_saved_api_error_file_fails_only_its_part() {
        let dir = bundle(&[
            (
                "crm/users.json",
                r#"{"code": "OAUTH_SCOPE_MISMATCH", "status": "error", "message": "m"}"#,
            ),
            ("crm/modules.json", r#"{"modules": []}"#),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(d.present, ["crm.modules"]);
        let reason = &d.failed["crm.users"].to_string();
        assert!(
            reason.contains("crm/users.json") && reason.contains("OAUTH_SCOPE_MISMATCH"),
            "{reason}"
        );
    }

    #[test]
    fn secrets_in_saved_responses_never_reach_the_document() {
        let dir = bundle(&[(
            "integration.json",
            r#"{"crm": {"auth": {"access_token": "1000.sekrit", "refresh_token": "1000.r"}}}"#,
        )]);
        let d = load_bundle(dir.path()).unwrap();
        let text = serde_json::to_string(&d.root).unwrap();
        assert!(
            !text.contains("sekrit") && !text.contains("1000.r"),
            "{text}"
        );
        assert!(text.contains("[REDACTED]"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_leading_out_of_the_export_is_refused_and_one_inside_is_read() {
        let dir = bundle(&[
            ("crm/modules.json", r#"{"modules": []}"#),
            ("desk/agents.json", r#"{"data": [{"id": 1}]}"#),
        ]);
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("elsewhere.json");
        std::fs::write(&secret, r#"{"users": [{"id": "1"}]}"#).unwrap();
        std::os::unix::fs::symlink(&secret, dir.path().join("crm/users.json")).unwrap();
        let err = load_bundle(dir.path()).unwrap_err();
        assert!(err.file.ends_with("crm/users.json"), "{err}");
        assert!(err.message().contains("outside the export"), "{err}");

        std::fs::remove_file(dir.path().join("crm/users.json")).unwrap();
        std::os::unix::fs::symlink("../desk/agents.json", dir.path().join("crm/users.json"))
            .unwrap();
        assert!(
            load_bundle(dir.path()).is_ok(),
            "a link inside the export is read"
        );
    }

    #[test]
    fn a_manifest_is_read_and_files_edited_after_collection_are_noted() {
        use sha2::{Digest, Sha256};
        let org = r#"{"org": [{"id": "1"}]}"#;
        let hex = |t: &str| {
            Sha256::digest(t.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let manifest = format!(
            r#"{{"schema_version": 1, "desk": {{"org_id": "2"}},
                "files": {{"crm/org.json": {{"sha256": "{}"}},
                           "crm/users.json": {{"sha256": "{}"}},
                           "crm/gone.json": {{"sha256": "00"}},
                           "../outside.json": {{"sha256": "00"}}}}}}"#,
            hex(org),
            hex("[]")
        );
        let dir = bundle(&[
            ("manifest.json", &manifest),
            ("crm/org.json", org),
            ("crm/users.json", r#"[{"id": 1}]"#),
            ("desk/organizations.json", r#"[{"id": 1}, {"id": 2}]"#),
        ]);
        let d = load_bundle(dir.path()).unwrap();
        assert_eq!(
            d.root.get_path("desk.organization.id"),
            Some(&Value::str("2"))
        );
        assert_eq!(
            d.root.get_path("meta.manifest.schema_version"),
            Some(&Value::Int(1))
        );
        let about = |file: &str| {
            d.notes
                .iter()
                .map(ToString::to_string)
                .filter(|n| n.contains(file))
                .count()
        };
        assert_eq!(about("crm/org.json"), 0, "{:?}", d.notes);
        assert_eq!(about("crm/users.json differs"), 1, "{:?}", d.notes);
        assert_eq!(about("crm/gone.json is listed"), 1, "{:?}", d.notes);
        assert_eq!(about("../outside.json"), 1, "{:?}", d.notes);
        assert!(
            !d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("ignored") && n.contains("manifest"))
        );
    }

    #[test]
    fn an_unreadable_manifest_is_a_note_not_a_failed_export() {
        let dir = bundle(&[("manifest.json", "{not json"), ("crm/users.json", "[]")]);
        let d = load_bundle(dir.path()).unwrap();
        assert!(d.is_present("crm.users"));
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("manifest.json") && n.contains("ignored")),
            "{:?}",
            d.notes
        );
        assert_eq!(d.root.get_path("meta.manifest"), None);
    }
}
