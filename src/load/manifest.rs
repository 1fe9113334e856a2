//! `manifest.json`, written by `collect` beside the files it saved (export-format.md,
//! "manifest.json"): which Desk portal the Desk files came from, which list parts are
//! incomplete, and each file's sha256 as collected.
//!
//! Every key is optional and the file itself is advice: an unreadable or odd manifest is a
//! note, never a failed export. The manifest is handed to rules as written
//! (`meta.manifest`); this module reads the few facts the loader acts on.

use super::Note;
use super::raw::Origin;
use crate::doc::Value;

/// The facts the loader takes from a manifest.
#[derive(Clone, Debug, Default)]
pub(crate) struct Manifest {
    /// The manifest as written (`meta.manifest`); `None` when there is none or it is no object.
    pub value: Option<Value>,
    /// `desk.org_id`: the portal the Desk files were exported from.
    pub desk_org_id: Option<String>,
    /// `parts.<part>` with `complete: false`, with the manifest's `reason` when it gives one.
    pub incomplete: Vec<(String, Option<String>)>,
    /// `files.<relative path>.sha256`, lower-case hex.
    pub sha256: Vec<(String, String)>,
}

impl Manifest {
    /// Reads the facts out of a parsed manifest; `where_` names it in notes. What cannot be
    /// used is a note, and the rest is still read.
    pub(crate) fn read(value: Option<Value>, where_: &Origin, notes: &mut Vec<Note>) -> Manifest {
        let Some(value) = value else {
            notes.push(Note::ManifestEmpty { at: where_.clone() });
            return Manifest::default();
        };
        if value.as_object().is_none() {
            notes.push(Note::ManifestNotObject {
                at: where_.clone(),
                found: value.type_name(),
            });
            return Manifest::default();
        }
        let desk_org_id = value
            .get("desk")
            .and_then(|d| d.get("org_id"))
            .and_then(Value::scalar_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        let incomplete = members(&value, "parts")
            .filter(|(_, p)| p.get("complete").and_then(Value::as_bool) == Some(false))
            .map(|(name, p)| {
                let reason = p
                    .get("reason")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string);
                (name.to_string(), reason)
            })
            .collect();
        let sha256 = members(&value, "files")
            .filter_map(|(file, f)| {
                let hex = f.get("sha256")?.as_str()?.trim().to_ascii_lowercase();
                Some((file.to_string(), hex))
            })
            .collect();
        Manifest {
            value: Some(value),
            desk_org_id,
            incomplete,
            sha256,
        }
    }
}

/// The members of the object at `key` (keys such as `crm.contacts` hold dots, so no
/// dotted path here).
fn members<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = (&'v str, &'v Value)> {
    value
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|o| o.iter().map(|(k, v)| (k.as_str(), v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Manifest, Vec<String>) {
        let value = crate::load::parse_json(text.as_bytes(), "manifest.json").unwrap();
        let value = (!value.is_null()).then_some(value);
        let mut notes = Vec::new();
        let m = Manifest::read(value, &Origin::file("x/manifest.json"), &mut notes);
        (m, notes.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn the_portal_incomplete_parts_and_hashes_are_read() {
        let (m, notes) = read(
            r#"{"desk": {"org_id": 2389290},
                "parts": {"crm.contacts": {"records": 5000, "complete": true},
                          "desk.tickets": {"complete": false, "reason": "stopped at --max-records 100"},
                          "crm.leads": {"complete": false}},
                "files": {"crm/org.json": {"sha256": "AB12", "bytes": 679}}}"#,
        );
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(m.desk_org_id.as_deref(), Some("2389290"));
        let reason = |part: &str| {
            m.incomplete
                .iter()
                .find(|(p, _)| p == part)
                .map(|(_, r)| r.as_deref())
        };
        assert_eq!(
            reason("desk.tickets"),
            Some(Some("stopped at --max-records 100"))
        );
        assert_eq!(reason("crm.leads"), Some(None));
        assert_eq!(reason("crm.contacts"), None);
        assert_eq!(m.sha256, [("crm/org.json".to_string(), "ab12".to_string())]);
        assert!(m.value.is_some());
    }

    #[test]
    fn a_manifest_that_is_no_object_is_a_note_and_gives_nothing() {
        for text in ["[1]", "\"x\"", ""] {
            let (m, notes) = read(text);
            assert!(m.value.is_none() && m.desk_org_id.is_none(), "{text}");
            assert_eq!(notes.len(), 1, "{text}: {notes:?}");
            assert!(notes[0].contains("x/manifest.json"), "{notes:?}");
        }
    }
}
