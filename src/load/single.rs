//! Form 2, one JSON file `{"crm": {...}, "desk": {...}, "integration": {...}}` -> `Raw`.
//!
//! Owns the layout of that file: which key holds which part, `null` meaning "not
//! exported", and the per-module maps `crm.fields` / `crm.related_lists`. Each value
//! becomes one page, so envelopes, errors and types follow the bundle's rules in `parts`.
//! Each page records its path in the file, and the document's root is the file's
//! top-level value (`Provenance`).

use super::json::{self, Parsed};
use super::manifest::Manifest;
use super::raw::{Origin, Page, PartId, Raw, RawPart};
use super::{ExportSource, Failure, LoadError, LoadErrorKind, Note};
use crate::doc::{Kind, Object, Place, Value};
use std::path::Path;

const SECTIONS: &[&str] = &["crm", "desk", "integration"];

/// Keys that give away a single saved API response passed where an export was expected.
const RESPONSE_KEYS: &[&str] = &[
    "org",
    "users",
    "modules",
    "fields",
    "related_lists",
    "data",
    "code",
    "errorCode",
];

/// Reads the single-file export at `source`.
pub(crate) fn read(source: &ExportSource) -> Result<Raw, LoadError> {
    let file = source.display.as_str();
    let fail = |kind: LoadErrorKind| LoadError::new(file, kind);
    let value = match json::read_file(&source.path, file)? {
        Parsed::Blank => {
            return Err(fail(LoadErrorKind::EmptySingleFile));
        }
        Parsed::Value(v) => v,
    };
    let Some(top) = value.as_object() else {
        return Err(fail(LoadErrorKind::SingleNotObject {
            found: value.type_name(),
        }));
    };
    if !top.is_empty() && !SECTIONS.iter().any(|k| top.contains_key(k)) {
        let response_key = RESPONSE_KEYS.iter().find(|k| top.contains_key(k)).copied();
        return Err(fail(LoadErrorKind::NotAnExport { response_key }));
    }

    let mut raw = Raw::default();
    // What lies below the document's root lies below the file's top-level value.
    raw.places.push((
        Vec::new(),
        Place::Value {
            file: source.path.clone(),
            at: Vec::new(),
        },
    ));
    let export = File {
        path: &source.path,
        name: file,
    };
    for (key, v) in top.iter() {
        match key.as_str() {
            "crm" => {
                if let Some(crm) = section(file, "crm", v, &mut raw) {
                    read_crm(export, crm, &mut raw);
                }
            }
            "desk" => {
                if let Some(desk) = section(file, "desk", v, &mut raw) {
                    read_desk(export, desk, &mut raw);
                }
            }
            "integration" => push(export, &["integration"], PartId::Integration, v, &mut raw),
            // What `collect` wrote, kept when a bundle is merged into one file.
            "manifest" => {
                let v = (!v.is_null()).then(|| v.clone());
                raw.manifest = Manifest::read(v, &Origin::key(file, "manifest"), &mut raw.notes);
            }
            other => note_unknown(file, other, &mut raw),
        }
    }
    Ok(raw)
}

/// A top-level section: `null` is "not exported"; anything but an object fails every
/// part inside it (the failure is recorded under the section's name, which covers them).
fn section<'v>(file: &str, name: &str, v: &'v Value, raw: &mut Raw) -> Option<&'v Object> {
    match v.kind() {
        Kind::Null => None,
        Kind::Object(o) => Some(o),
        _ => {
            let other = v;
            raw.failed.push((
                name.to_string(),
                Failure::SectionNotObject {
                    at: Origin::key(file, name),
                    found: other.type_name(),
                },
            ));
            None
        }
    }
}

/// The export's file: its path on disk and its name in messages.
#[derive(Clone, Copy)]
struct File<'a> {
    path: &'a Path,
    name: &'a str,
}

fn read_crm(file: File<'_>, crm: &Object, raw: &mut Raw) {
    for (key, v) in crm.iter() {
        let key = key.as_str();
        let at = ["crm", key];
        match key {
            "org" => push(file, &at, PartId::CrmOrg, v, raw),
            "fields" => read_modules(file, &at, v, PartId::CrmFields, raw),
            "related_lists" => read_modules(file, &at, v, PartId::CrmRelatedLists, raw),
            _ => match PartId::crm_list(key) {
                Some(id) => push(file, &at, id, v, raw),
                None => note_unknown(file.name, &at.join("."), raw),
            },
        }
    }
}

fn read_desk(file: File<'_>, desk: &Object, raw: &mut Raw) {
    for (key, v) in desk.iter() {
        let at = ["desk", key.as_str()];
        match PartId::desk_list(key) {
            Some(id) => push(file, &at, id, v, raw),
            None => note_unknown(file.name, &at.join("."), raw),
        }
    }
}

/// `crm.fields` / `crm.related_lists`: module api_name -> that module's response.
fn read_modules(
    file: File<'_>,
    at: &[&str; 2],
    v: &Value,
    part: fn(String) -> PartId,
    raw: &mut Raw,
) {
    match v.kind() {
        Kind::Null => {}
        Kind::Object(modules) => {
            for (module, response) in modules.iter() {
                let id = part(module.to_string());
                push(file, &[at[0], at[1], module.as_str()], id, response, raw);
            }
        }
        _ => {
            let other = v;
            let path = at.join(".");
            raw.failed.push((
                path.clone(),
                Failure::ModulesNotObject {
                    at: Origin::key(file.name, &path),
                    found: other.type_name(),
                },
            ))
        }
    }
}

/// One part from the value at `at` (keys from the top); `null` means not exported.
fn push(file: File<'_>, at: &[&str], id: PartId, v: &Value, raw: &mut Raw) {
    if v.is_null() {
        return;
    }
    raw.parts.push(RawPart {
        id,
        pages: vec![Page {
            origin: Origin::key(file.name, &at.join(".")),
            file: file.path.to_path_buf(),
            at: at.iter().map(ToString::to_string).collect(),
            content: Some(v.clone()),
        }],
    });
}

fn note_unknown(file: &str, path: &str, raw: &mut Raw) {
    raw.notes.push(Note::UnknownKey {
        file: file.to_string(),
        key: path.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::load_single;
    use crate::doc::Value;

    #[test]
    fn raw_api_responses_and_unwrapped_values_load_alike() {
        let d = load_single(
            r#"{
              "crm": {
                "org": {"org": [{"id": 1, "company_name": "Acme"}]},
                "users": {"users": [{"id": 5725767000000411001}], "info": {"count": 1}},
                "modules": [{"api_name": "Accounts"}],
                "fields": {"Accounts": {"fields": [{"api_name": "Account_Name"}]},
                           "Contacts": [{"api_name": "Email"}]},
                "related_lists": {"Contacts": {"related_lists": []}},
                "contacts": {"data": null}
              },
              "desk": {
                "organizations": [{"id": 2389290, "isDefault": true}],
                "tickets": {"data": [{"departmentId": 7000000012345}]}
              },
              "integration": {"crm": {"installed": true}}
            }"#,
        )
        .unwrap();
        assert!(d.failed.is_empty(), "{:?}", d.failed);
        assert_eq!(
            d.root.get_path("crm.org.company_name"),
            Some(&Value::str("Acme"))
        );
        assert_eq!(
            d.root.get_path("crm.users.0.id"),
            Some(&Value::str("5725767000000411001"))
        );
        assert_eq!(
            d.root.get_path("crm.modules.0.api_name"),
            Some(&Value::str("Accounts"))
        );
        assert_eq!(
            d.root.get_path("crm.fields.Accounts.0.api_name"),
            Some(&Value::str("Account_Name"))
        );
        assert_eq!(
            d.root.get_path("crm.fields.Contacts.0.api_name"),
            Some(&Value::str("Email"))
        );
        assert_eq!(d.root.get_path("crm.contacts"), Some(&Value::array(vec![])));
        assert_eq!(
            d.root.get_path("desk.organization.id"),
            Some(&Value::str("2389290"))
        );
        assert_eq!(
            d.root.get_path("desk.tickets.0.departmentId"),
            Some(&Value::str("7000000012345"))
        );
        assert!(d.is_present("crm.fields.Contacts") && d.is_present("crm.related_lists.Contacts"));
        assert!(d.is_present("integration"));
    }

    #[test]
    fn null_values_mean_not_exported() {
        let d = load_single(
            r#"{"crm": {"users": null, "fields": {"Accounts": null}, "modules": []},
                "desk": null, "integration": null}"#,
        )
        .unwrap();
        assert_eq!(d.present, ["crm.modules"]);
        assert_eq!(d.root.get_path("crm.users"), None);
        assert_eq!(d.root.get_path("crm.fields"), None);
        assert_eq!(d.root.get("integration"), None);
        assert!(d.root.get("desk").and_then(Value::as_object).is_some());
    }

    #[test]
    fn saved_errors_and_wrong_types_fail_their_part_naming_file_and_key() {
        let d = load_single(
            r#"{"crm": {"users": {"code": "INVALID_TOKEN", "status": "error"},
                        "modules": "Accounts", "fields": [1]},
                "desk": {"tickets": {"data": {"id": 1}}},
                "integration": [1]}"#,
        )
        .unwrap();
        assert!(d.present.is_empty(), "{:?}", d.present);
        let reason = |p: &str| d.failed.get(p).map(ToString::to_string).unwrap_or_default();
        assert!(
            reason("crm.users").contains("INVALID_TOKEN"),
            "{:?}",
            d.failed
        );
        assert!(
            reason("crm.users").contains("x.json, key `crm.users`"),
            "{:?}",
            d.failed
        );
        assert!(
            reason("crm.modules").contains("found a string"),
            "{:?}",
            d.failed
        );
        assert!(
            reason("crm.fields").contains("key `crm.fields`"),
            "{:?}",
            d.failed
        );
        assert!(
            reason("desk.tickets").contains("key `desk.tickets.data`"),
            "{:?}",
            d.failed
        );
        assert!(
            reason("integration").contains("expected an object"),
            "{:?}",
            d.failed
        );
    }

    #[test]
    fn a_section_of_the_wrong_type_fails_every_part_in_it() {
        let d = load_single(r#"{"desk": "none", "crm": {"modules": []}}"#).unwrap();
        assert_eq!(d.failure("desk.tickets").map(|f| f.0), Some("desk"));
        assert!(d.is_present("crm.modules"));
    }

    #[test]
    fn unknown_keys_are_noted() {
        let d = load_single(r#"{"crm": {"deals": []}, "desk": {"organization": {}}, "extra": 1}"#)
            .unwrap();
        for key in ["crm.deals", "desk.organization", "extra"] {
            assert!(
                d.notes
                    .iter()
                    .map(ToString::to_string)
                    .any(|n| n.contains(&format!("`{key}`"))),
                "{key}: {:?}",
                d.notes
            );
        }
        assert!(d.present.is_empty());
    }

    #[test]
    fn a_top_level_that_is_not_an_object_is_a_load_error() {
        for text in ["[]", "\"crm\"", "", "null"] {
            let e = load_single(text).unwrap_err();
            assert_eq!(e.file, "x.json");
            assert!(
                e.message().contains("crm, desk and integration"),
                "{text:?}: {}",
                e.message()
            );
        }
    }

    #[test]
    fn a_lone_api_response_is_refused_with_a_hint() {
        let e = load_single(r#"{"users": [], "info": {}}"#).unwrap_err();
        assert!(
            e.message().contains("saved API response (key `users`)"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn provenance_records_each_part_at_its_path_in_the_file_and_the_root() {
        use crate::doc::{PageData, Place};
        let d = load_single(
            r#"{"crm": {"fields": {"a.b": {"fields": [{"api_name": "X"}]}}}, "desk": null}"#,
        )
        .unwrap();
        let Some(Place::Part(part)) = d.provenance.get(&["crm", "fields", "a.b"]) else {
            panic!("{:?}", d.provenance);
        };
        let page = &part.pages[0];
        assert_eq!(page.response, ["crm", "fields", "a.b"]);
        let fields = PageData::Array {
            at: vec!["fields".into()],
            len: 1,
        };
        assert_eq!(page.data, fields);
        assert!(page.file.ends_with("x.json"));
        assert!(matches!(d.provenance.get(&[]), Some(Place::Value { .. })));
        assert!(matches!(
            d.provenance.get(&["desk", "tickets"]),
            Some(Place::Nowhere)
        ));
    }
}
