//! `Raw` -> `Document`: what the saved responses mean.
//!
//! Owns envelope unwrapping, saved-API-error detection, type checks, concatenating
//! pages (a record repeated by overlapping pages is kept once), which lists are
//! truncated, choosing `desk.organization`, and assembling the document root with its
//! `meta`. Both export forms go through here, so they follow the same rules.

use super::manifest::Manifest;
use super::raw::Origin;
use super::raw::{ENVELOPES, PAGINATION};
use super::raw::{Page, PartId, Raw};
use super::{ExportSource, Failure, LoadOptions, Note, PortalNamedBy};
use crate::doc::{Document, Object, Provenance, Value};
use rhai::ImmutableString;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Builds the document from what was read.
pub(crate) fn assemble(source: &ExportSource, raw: Raw, opts: &LoadOptions) -> Document {
    let Raw {
        parts,
        mut notes,
        failed,
        manifest,
    } = raw;
    let mut failed: BTreeMap<String, Failure> = failed.into_iter().collect();
    let mut present: Vec<String> = Vec::new();
    let mut truncated: Vec<String> = Vec::new();
    let mut provenance = Provenance::default();
    let mut crm: Vec<(ImmutableString, Value)> = Vec::new();
    let mut desk: Vec<(ImmutableString, Value)> = Vec::new();
    let mut fields: Vec<(ImmutableString, Value)> = Vec::new();
    let mut related_lists: Vec<(ImmutableString, Value)> = Vec::new();
    let mut integration: Option<Value> = None;

    for part in parts {
        let name = part.id.name();
        let loaded = match &part.id {
            PartId::CrmOrg => org(&part.pages, &mut notes),
            PartId::Integration => integration_object(&part.pages),
            id => list(id, &part.pages).map(|l| {
                if let Some(dropped) = l.dropped {
                    notes.push(dropped.note(&name));
                    provenance.kept.insert(name.clone(), Arc::new(dropped.kept));
                }
                if let Some(at) = l.more_records_at {
                    notes.push(Note::MoreRecords {
                        at,
                        part: name.clone(),
                        records: l.len,
                    });
                    truncated.push(name.clone());
                }
                Some(l.value)
            }),
        };
        let value = match loaded {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(reason) => {
                failed.insert(name, reason);
                continue;
            }
        };
        present.push(name);
        match part.id {
            PartId::CrmOrg => crm.push(("org".into(), value)),
            PartId::CrmList(k) => crm.push((k.into(), value)),
            PartId::CrmFields(m) => fields.push((m.into(), value)),
            PartId::CrmRelatedLists(m) => related_lists.push((m.into(), value)),
            PartId::DeskList(k) => desk.push((k.into(), value)),
            PartId::Integration => integration = Some(value),
        }
    }

    // The per-module maps count as present when any module is.
    for (key, map) in [("fields", fields), ("related_lists", related_lists)] {
        if !map.is_empty() {
            crm.push((key.into(), Value::object(map)));
            present.push(format!("crm.{key}"));
        }
    }

    // What `collect` could not finish (`--max-records`, a limit of the API).
    for (part, reason) in &manifest.incomplete {
        if present.contains(part) && !truncated.contains(part) {
            notes.push(Note::ManifestIncomplete {
                part: part.clone(),
                reason: reason.clone(),
            });
            truncated.push(part.clone());
        }
    }

    let organizations = desk
        .iter()
        .find(|(k, _)| k.as_str() == "organizations")
        .and_then(|(_, v)| v.as_array().cloned());
    if let Some(orgs) = organizations
        && let Some((index, chosen)) =
            desk_organization(&orgs, &manifest, integration.as_ref(), &mut notes)
    {
        desk.push(("organization".into(), chosen));
        present.push("desk.organization".to_string());
        provenance.desk_organization = Some(index);
    }

    present.sort();
    present.dedup();
    truncated.sort();
    truncated.dedup();

    let strings = |items: &[String]| Value::array(items.iter().map(|p| Value::str(p)).collect());
    let mut meta = vec![
        ("source".into(), Value::str(&source.display)),
        ("present".into(), strings(&present)),
        ("audit_time".into(), Value::str(&opts.audit_time)),
        (
            "failed".into(),
            Value::object(
                failed
                    .iter()
                    .map(|(p, r)| (p.as_str().into(), Value::str(&r.to_string())))
                    .collect(),
            ),
        ),
        (
            "notes".into(),
            strings(&notes.iter().map(ToString::to_string).collect::<Vec<_>>()),
        ),
        ("truncated".into(), strings(&truncated)),
    ];
    if let Some(m) = manifest.value {
        meta.push(("manifest".into(), m));
    }
    let mut root = vec![
        ("crm".into(), Value::object(crm)),
        ("desk".into(), Value::object(desk)),
        ("meta".into(), Value::object(meta)),
    ];
    if let Some(i) = integration {
        root.push(("integration".into(), i));
    }

    Document {
        source: source.display.clone(),
        root: Value::object(root),
        present,
        failed,
        notes,
        truncated,
        provenance,
    }
}

/// A list part as loaded.
struct ListPart {
    value: Value,
    len: usize,
    /// The last page, when it is a CRM response saying `info.more_records: true`.
    more_records_at: Option<Origin>,
    /// Records dropped because their id was read before (overlapping pages).
    dropped: Option<Dropped>,
}

/// Records of one list part whose `id` had already been read.
struct Dropped {
    /// Index (in the pages concatenated) of every record kept, in order.
    kept: Vec<usize>,
    /// The repeated ids, in the order met.
    ids: Vec<ImmutableString>,
    /// Where the first repeat was read.
    first_at: String,
}

impl Dropped {
    fn note(&self, part: &str) -> Note {
        Note::Repeated {
            at: self.first_at.clone(),
            part: part.to_string(),
            count: self.ids.len(),
            shown: self.ids.iter().take(5).map(ToString::to_string).collect(),
        }
    }
}

/// A list part: every page unwrapped, then concatenated in page order, each record id
/// kept once.
fn list(id: &PartId, pages: &[Page]) -> Result<ListPart, Failure> {
    let unwrapped = pages
        .iter()
        .map(|p| list_page(id, p))
        .collect::<Result<Vec<_>, _>>()?;
    // Only CRM list responses carry `info.more_records` (export-format.md).
    let more_records_at = match (id, pages.last()) {
        (PartId::CrmList(_), Some(last)) if says_more_records(last) => Some(last.origin.clone()),
        _ => None,
    };
    let dropped = repeated_ids(&unwrapped, pages);
    let value = match (&dropped, unwrapped.as_slice()) {
        // One page (the usual case, and the 500 MB one) keeps its array as parsed: no copy.
        (None, [only]) => Value::Array(only.clone()),
        (None, _) => {
            let mut items = Vec::with_capacity(unwrapped.iter().map(|a| a.len()).sum());
            for page in &unwrapped {
                items.extend(page.iter().cloned());
            }
            Value::array(items)
        }
        (Some(d), _) => {
            let all: Vec<&Value> = unwrapped.iter().flat_map(|p| p.iter()).collect();
            Value::array(d.kept.iter().map(|&i| all[i].clone()).collect())
        }
    };
    let len = value.as_array().map_or(0, |a| a.len());
    Ok(ListPart {
        value,
        len,
        more_records_at,
        dropped,
    })
}

/// `info.more_records` is `true` on this page.
fn says_more_records(page: &Page) -> bool {
    page.content
        .as_ref()
        .and_then(|c| c.get("info"))
        .and_then(|i| i.get("more_records"))
        .is_some_and(|m| {
            m.as_bool() == Some(true)
                || m.as_str()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("true"))
        })
}

/// The records whose `id` was already read earlier in the same list; `None` when none
/// repeats (checked first, so a list without repeats is never copied).
fn repeated_ids(pages: &[Arc<Vec<Value>>], origins: &[Page]) -> Option<Dropped> {
    fn id_of(v: &Value) -> Option<&ImmutableString> {
        match v.get("id") {
            Some(Value::Str(s)) if !s.trim().is_empty() => Some(s),
            _ => None,
        }
    }
    let total: usize = pages.iter().map(|p| p.len()).sum();
    let mut seen: HashSet<&str> = HashSet::with_capacity(total);
    let all = || {
        pages
            .iter()
            .enumerate()
            .flat_map(|(p, items)| items.iter().map(move |v| (p, v)))
    };
    let first = all().position(|(_, v)| id_of(v).is_some_and(|id| !seen.insert(id.as_str())))?;
    let mut kept: Vec<usize> = (0..first).collect();
    let mut ids = Vec::new();
    let mut first_at = String::new();
    for (i, (page, v)) in all().enumerate().skip(first) {
        match id_of(v) {
            Some(id) if i == first || !seen.insert(id.as_str()) => {
                if ids.is_empty() {
                    first_at = origins
                        .get(page)
                        .map(|p| p.origin.to_string())
                        .unwrap_or_default();
                }
                ids.push(id.clone());
            }
            _ => kept.push(i),
        }
    }
    Some(Dropped {
        kept,
        ids,
        first_at,
    })
}

/// One page of a list: the envelope's array, a bare array, or a bare record object.
fn list_page(id: &PartId, page: &Page) -> Result<Arc<Vec<Value>>, Failure> {
    let part = id.name();
    let envelope = id.envelope();
    let obj = match &page.content {
        None | Some(Value::Null) => return Ok(Arc::default()),
        Some(Value::Array(a)) => return Ok(a.clone()),
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(Failure::NotAList {
                at: page.origin.clone(),
                envelope,
                part,
                found: other.type_name(),
            });
        }
    };
    if let Some(reason) = api_error(obj, &page.origin, &part) {
        return Err(reason);
    }
    // The part's own envelope first; `data` is what most APIs (and proxies) use.
    let key = [envelope, "data"].into_iter().find(|k| obj.contains_key(k));
    if let Some(key) = key {
        return match obj.get(key) {
            None | Some(Value::Null) => Ok(Arc::default()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(other) => Err(Failure::EnvelopeNotAnArray {
                at: page.origin.at(key),
                part,
                found: other.type_name(),
            }),
        };
    }
    if let Some(other) = ENVELOPES.iter().find(|k| obj.contains_key(k)) {
        return Err(Failure::WrongResponse {
            at: page.origin.clone(),
            other,
            envelope,
            part,
        });
    }
    if obj.keys().all(|k| PAGINATION.contains(&k.as_str())) {
        return Ok(Arc::default());
    }
    // A bare object is one record (e.g. `GET /api/v1/agents/{id}` saved on its own).
    Ok(Arc::new(vec![Value::Object(obj.clone())]))
}

/// The org part: the first element of the `org` response. `Ok(None)`: the response is
/// empty, so `crm.org` is absent (with a note).
fn org(pages: &[Page], notes: &mut Vec<Note>) -> Result<Option<Value>, Failure> {
    let Some(page) = pages.first() else {
        return Ok(None);
    };
    let empty = |notes: &mut Vec<Note>| {
        notes.push(Note::OrgEmpty {
            at: page.origin.clone(),
        });
        Ok(None)
    };
    let first_of = |items: &[Value], at: Origin, notes: &mut Vec<Note>| match items.first() {
        None => empty(notes),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(other) => Err(Failure::OrgFirstNotObject {
            at,
            found: other.type_name(),
        }),
    };
    match &page.content {
        None | Some(Value::Null) => empty(notes),
        Some(Value::Array(a)) => first_of(a, page.origin.clone(), notes),
        Some(Value::Object(o)) => {
            if let Some(reason) = api_error(o, &page.origin, "crm.org") {
                return Err(reason);
            }
            match o.get("org") {
                None => Ok(Some(Value::Object(o.clone()))),
                Some(Value::Null) => empty(notes),
                Some(Value::Array(a)) => first_of(a, page.origin.at("org"), notes),
                Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
                Some(other) => Err(Failure::OrgNotObject {
                    at: page.origin.at("org"),
                    found: other.type_name(),
                }),
            }
        }
        Some(other) => Err(Failure::OrgNotObject {
            at: page.origin.clone(),
            found: other.type_name(),
        }),
    }
}

/// The hand-filled integration settings: an object, as written. A blank file is `{}`.
fn integration_object(pages: &[Page]) -> Result<Option<Value>, Failure> {
    let Some(page) = pages.first() else {
        return Ok(None);
    };
    match &page.content {
        None | Some(Value::Null) => Ok(Some(Value::empty_object())),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(other) => Err(Failure::IntegrationNotObject {
            at: page.origin.clone(),
            found: other.type_name(),
        }),
    }
}

/// A saved API error body instead of data: `{"code": ..., "status": "error"}` (CRM) or
/// `{"errorCode": ...}` (Desk). Returns the failure reason.
fn api_error(obj: &Object, origin: &Origin, part: &str) -> Option<Failure> {
    let text = |k: &str| {
        obj.get(k)
            .and_then(Value::scalar_text)
            .map(|t| t.trim().to_string())
    };
    let is_crm_error =
        obj.contains_key("code") && text("status").is_some_and(|s| s.eq_ignore_ascii_case("error"));
    let code = if obj.contains_key("errorCode") {
        text("errorCode")
    } else if is_crm_error {
        text("code")
    } else {
        return None;
    };
    let code = clip(&code.unwrap_or_else(|| "(none)".to_string()), 60);
    let detail = text("message")
        .filter(|m| !m.is_empty())
        .map(|m| clip(&m, 200));
    Some(Failure::ApiError {
        at: origin.clone(),
        code,
        detail,
        part: part.to_string(),
    })
}

/// At most `max` characters of `s` (an API's text can be arbitrarily long).
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// `desk.organization`, with its index in `desk.organizations`: the portal the Desk files
/// were exported from. It is the org whose id is `manifest.desk.org_id`, else
/// `integration.desk.org_id`, else the one with `isDefault` true, else the only one.
/// Never chosen by `integration.crm.linked_desk_org_id`: the link check compares with it,
/// and would then agree with itself. Ids compare as trimmed strings.
fn desk_organization(
    orgs: &[Value],
    manifest: &Manifest,
    integration: Option<&Value>,
    notes: &mut Vec<Note>,
) -> Option<(usize, Value)> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::scalar_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let recorded = text(integration.and_then(|i| i.get_path("desk.org_id")));
    let named = [
        (PortalNamedBy::Manifest, manifest.desk_org_id.clone()),
        (PortalNamedBy::Integration, recorded),
    ];
    for (by, id) in named {
        let Some(id) = id else { continue };
        if let Some(i) = orgs
            .iter()
            .position(|o| text(o.get("id")).as_deref() == Some(&id))
        {
            return Some((i, orgs[i].clone()));
        }
        notes.push(Note::PortalNotFound {
            by,
            id,
            exported: orgs.len(),
        });
    }
    let is_default = |o: &Value| match o.get("isDefault") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Str(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    };
    if let Some(i) = orgs.iter().position(is_default) {
        return Some((i, orgs[i].clone()));
    }
    match orgs {
        [only] => Some((0, only.clone())),
        [] => None,
        several => {
            let ids: Vec<String> = several.iter().filter_map(|o| text(o.get("id"))).collect();
            notes.push(Note::PortalNotChosen {
                ids,
                count: several.len(),
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::raw::{Origin, RawPart};
    use super::super::{ExportKind, json};
    use super::*;

    fn parsed(text: &str) -> Option<Value> {
        match json::parse(text.as_bytes(), "t.json") {
            Ok(json::Parsed::Value(v)) => Some(v),
            Ok(json::Parsed::Blank) => None,
            Err(e) => panic!("test JSON does not parse: {e}"),
        }
    }

    fn page(file: &str, text: &str) -> Page {
        Page {
            origin: Origin::file(file),
            content: parsed(text),
        }
    }

    fn source() -> ExportSource {
        ExportSource {
            path: "x".into(),
            display: "x".into(),
            kind: ExportKind::Bundle,
        }
    }

    fn opts() -> LoadOptions {
        LoadOptions {
            audit_time: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn doc(parts: Vec<(PartId, Vec<Page>)>) -> Document {
        let raw = Raw {
            parts: parts
                .into_iter()
                .map(|(id, pages)| RawPart { id, pages })
                .collect(),
            ..Raw::default()
        };
        assemble(&source(), raw, &opts())
    }

    fn one(id: PartId, text: &str) -> Document {
        doc(vec![(id, vec![page("x/f.json", text)])])
    }

    fn len_at(d: &Document, path: &str) -> Option<usize> {
        d.root
            .get_path(path)
            .and_then(Value::as_array)
            .map(|a| a.len())
    }

    #[test]
    fn each_envelope_key_is_unwrapped_for_its_part() {
        let cases = [
            (
                PartId::CrmList("users"),
                r#"{"users": [{}, {}], "info": {"count": 2}}"#,
                "crm.users",
            ),
            (
                PartId::CrmList("admin_users"),
                r#"{"users": [{}, {}]}"#,
                "crm.admin_users",
            ),
            (
                PartId::CrmList("modules"),
                r#"{"modules": [{}, {}]}"#,
                "crm.modules",
            ),
            (
                PartId::CrmFields("Accounts".into()),
                r#"{"fields": [{}, {}]}"#,
                "crm.fields.Accounts",
            ),
            (
                PartId::CrmRelatedLists("Contacts".into()),
                r#"{"related_lists": [{}, {}]}"#,
                "crm.related_lists.Contacts",
            ),
            (
                PartId::CrmList("contacts"),
                r#"{"data": [{}, {}], "info": {}}"#,
                "crm.contacts",
            ),
            (
                PartId::DeskList("tickets"),
                r#"{"data": [{}, {}]}"#,
                "desk.tickets",
            ),
        ];
        for (id, text, path) in cases {
            let d = one(id, text);
            assert_eq!(len_at(&d, path), Some(2), "{path} from {text}");
            assert!(d.is_present(path), "{path} should be present");
            assert!(d.failed.is_empty(), "{:?}", d.failed);
        }
    }

    #[test]
    fn the_org_envelope_gives_its_first_element() {
        let d = one(
            PartId::CrmOrg,
            r#"{"org": [{"id": 1, "company_name": "Acme"}, {"id": 2}]}"#,
        );
        assert_eq!(
            d.root.get_path("crm.org.company_name"),
            Some(&Value::str("Acme"))
        );
        assert_eq!(d.root.get_path("crm.org.id"), Some(&Value::str("1")));
        assert!(d.is_present("crm.org"));
    }

    #[test]
    fn a_bare_array_and_a_bare_object_are_accepted() {
        let d = one(
            PartId::DeskList("agents"),
            r#"[{"emailId": "a@x"}, {"emailId": "b@x"}]"#,
        );
        assert_eq!(len_at(&d, "desk.agents"), Some(2));
        let d = one(
            PartId::DeskList("agents"),
            r#"{"emailId": "a@x", "status": "ACTIVE"}"#,
        );
        assert_eq!(
            d.root.get_path("desk.agents.0.emailId"),
            Some(&Value::str("a@x"))
        );
        let d = one(PartId::CrmOrg, r#"{"company_name": "Acme"}"#);
        assert_eq!(
            d.root.get_path("crm.org.company_name"),
            Some(&Value::str("Acme"))
        );
        let d = one(PartId::CrmOrg, r#"[{"company_name": "Acme"}]"#);
        assert_eq!(
            d.root.get_path("crm.org.company_name"),
            Some(&Value::str("Acme"))
        );
    }

    #[test]
    fn data_null_and_blank_pages_are_empty_lists_that_are_present() {
        for text in [
            r#"{"data": null}"#,
            "",
            "  \n",
            r#"{"info": {"more_records": false}}"#,
        ] {
            let d = one(PartId::DeskList("tickets"), text);
            assert_eq!(len_at(&d, "desk.tickets"), Some(0), "{text:?}");
            assert!(d.is_present("desk.tickets"), "{text:?}");
        }
    }

    #[test]
    fn an_empty_org_response_leaves_crm_org_absent_with_a_note() {
        for text in ["", r#"{"org": []}"#] {
            let d = one(PartId::CrmOrg, text);
            assert_eq!(d.root.get_path("crm.org"), None, "{text:?}");
            assert!(!d.is_present("crm.org"));
            assert!(
                d.notes
                    .iter()
                    .map(ToString::to_string)
                    .any(|n| n.contains("org response is empty")),
                "{:?}",
                d.notes
            );
        }
    }

    #[test]
    fn pages_are_concatenated_in_the_given_order() {
        let d = doc(vec![(
            PartId::CrmList("contacts"),
            vec![
                page("p1.json", r#"{"data": [{"n": 1}, {"n": 2}]}"#),
                page("p2.json", ""),
                page("p3.json", r#"[{"n": 3}]"#),
            ],
        )]);
        let ns: Vec<_> = (0..3)
            .map(|i| d.root.get_path(&format!("crm.contacts.{i}.n")).cloned())
            .collect();
        assert_eq!(
            ns,
            vec![
                Some(Value::Int(1)),
                Some(Value::Int(2)),
                Some(Value::Int(3))
            ]
        );
    }

    #[test]
    fn a_saved_crm_api_error_fails_the_part_naming_file_and_code() {
        let d = one(
            PartId::CrmList("users"),
            r#"{"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}"#,
        );
        assert!(!d.is_present("crm.users"));
        assert_eq!(d.root.get_path("crm.users"), None);
        let reason = &d.failed["crm.users"].to_string();
        assert!(reason.contains("x/f.json"), "{reason}");
        assert!(reason.contains("INVALID_TOKEN"), "{reason}");
        assert!(reason.contains("export crm.users again"), "{reason}");
        let failed = d
            .root
            .get_path("meta.failed")
            .and_then(Value::as_object)
            .unwrap();
        assert_eq!(
            failed.get("crm.users").and_then(Value::as_str),
            Some(reason.as_str())
        );
    }

    #[test]
    fn a_saved_desk_api_error_in_any_page_fails_the_whole_part() {
        let d = doc(vec![(
            PartId::DeskList("tickets"),
            vec![
                page("t/page-001.json", r#"{"data": [{}]}"#),
                page(
                    "t/page-002.json",
                    r#"{"errorCode": "UNAUTHORIZED", "message": "no scope"}"#,
                ),
            ],
        )]);
        assert!(!d.is_present("desk.tickets"));
        let reason = &d.failed["desk.tickets"].to_string();
        assert!(reason.contains("t/page-002.json"), "{reason}");
        assert!(reason.contains("UNAUTHORIZED"), "{reason}");
    }

    #[test]
    fn values_of_the_wrong_type_fail_the_part_naming_file_key_and_expected_type() {
        let cases = [
            (
                PartId::CrmList("users"),
                r#"{"users": {"id": 1}}"#,
                "key `users`",
                "an array",
            ),
            (
                PartId::CrmList("users"),
                r#"{"users": "none"}"#,
                "key `users`",
                "found a string",
            ),
            (
                PartId::DeskList("tickets"),
                r#""tickets""#,
                "x/f.json",
                "expected an array",
            ),
            (
                PartId::Integration,
                r#"[1]"#,
                "x/f.json",
                "expected an object",
            ),
            (
                PartId::CrmOrg,
                r#"{"org": "Acme"}"#,
                "key `org`",
                "expected an object",
            ),
            (PartId::CrmOrg, r#"42"#, "x/f.json", "expected an object"),
            (
                PartId::CrmList("modules"),
                r#"{"users": []}"#,
                "`users` response",
                "`modules`",
            ),
        ];
        for (id, text, names, expects) in cases {
            let name = id.name();
            let d = one(id, text);
            let reason = d
                .failed
                .get(&name)
                .unwrap_or_else(|| panic!("{name} should fail on {text}"))
                .to_string();
            assert!(reason.contains(names), "{reason}");
            assert!(reason.contains(expects), "{reason}");
            assert!(!d.is_present(&name));
        }
    }

    #[test]
    fn unknown_keys_in_records_are_kept() {
        let d = one(
            PartId::CrmList("users"),
            r#"{"users": [{"custom_thing": [1, 2]}]}"#,
        );
        assert_eq!(
            d.root.get_path("crm.users.0.custom_thing.1"),
            Some(&Value::Int(2))
        );
    }

    #[test]
    fn a_blank_integration_file_is_an_empty_object() {
        let d = one(PartId::Integration, "");
        assert_eq!(d.root.get("integration"), Some(&Value::empty_object()));
        assert!(d.is_present("integration"));
    }

    fn with_orgs(orgs: &str, integration: Option<&str>) -> Document {
        with_orgs_and_manifest(orgs, integration, None)
    }

    fn with_orgs_and_manifest(
        orgs: &str,
        integration: Option<&str>,
        manifest: Option<&str>,
    ) -> Document {
        let mut parts = vec![RawPart {
            id: PartId::DeskList("organizations"),
            pages: vec![page("o.json", orgs)],
        }];
        if let Some(i) = integration {
            parts.push(RawPart {
                id: PartId::Integration,
                pages: vec![page("i.json", i)],
            });
        }
        let mut notes = Vec::new();
        let manifest = manifest.map_or_else(Manifest::default, |m| {
            Manifest::read(parsed(m), &Origin::file("manifest.json"), &mut notes)
        });
        let raw = Raw {
            parts,
            manifest,
            ..Raw::default()
        };
        assemble(&source(), raw, &opts())
    }

    const ORGS: &str = r#"{"data": [
        {"id": 111, "companyName": "First"},
        {"id": 2389290, "companyName": "Other"},
        {"id": "333", "companyName": "Default", "isDefault": true}]}"#;

    fn chosen(d: &Document) -> Option<&str> {
        d.root
            .get_path("desk.organization.companyName")
            .and_then(Value::as_str)
    }

    #[test]
    fn the_desk_organization_is_never_chosen_by_the_linked_id_it_is_compared_with() {
        let d = with_orgs(
            ORGS,
            Some(r#"{"crm": {"linked_desk_org_id": " 2389290 "}}"#),
        );
        assert_eq!(chosen(&d), Some("Default"));
        assert_eq!(d.provenance.desk_organization, Some(2));
        assert!(d.is_present("desk.organization"));
    }

    #[test]
    fn the_manifest_names_the_portal_first_then_integration_desk_org_id() {
        let d = with_orgs_and_manifest(
            ORGS,
            Some(r#"{"desk": {"org_id": "111"}}"#),
            Some(r#"{"desk": {"org_id": 2389290}}"#),
        );
        assert_eq!(chosen(&d), Some("Other"));
        assert_eq!(d.provenance.desk_organization, Some(1));
        // A numeric id is normalised to a string too.
        let d = with_orgs(ORGS, Some(r#"{"desk": {"org_id": 111}}"#));
        assert_eq!(chosen(&d), Some("First"));
    }

    #[test]
    fn an_id_that_names_no_portal_is_a_note_and_the_next_rule_chooses() {
        let d = with_orgs(ORGS, Some(r#"{"desk": {"org_id": "999"}}"#));
        assert_eq!(chosen(&d), Some("Default"));
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("999")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn the_only_portal_is_chosen_but_of_several_without_a_default_none_is() {
        let d = with_orgs(r#"{"data": [{"id": 1, "companyName": "Only"}]}"#, None);
        assert_eq!(chosen(&d), Some("Only"));
        let d = with_orgs(
            r#"{"data": [{"id": 1, "companyName": "First"}, {"id": 2}]}"#,
            Some(r#"{"crm": {"linked_desk_org_id": "1"}}"#),
        );
        assert_eq!(chosen(&d), None);
        assert!(!d.is_present("desk.organization"));
        assert_eq!(d.provenance.desk_organization, None);
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("2 portals") && n.contains("desk.org_id")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn no_organizations_means_no_desk_organization() {
        let d = with_orgs(r#"{"data": []}"#, None);
        assert_eq!(d.root.get_path("desk.organization"), None);
        assert!(!d.is_present("desk.organization"));
        assert!(d.is_present("desk.organizations"));
    }

    fn strings_at<'d>(d: &'d Document, path: &str) -> Vec<&'d str> {
        d.root
            .get_path(path)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Two CRM contact pages whose `info.more_records` are the given values.
    fn contact_pages(first: bool, last: bool) -> Document {
        let p = |n: u32, more: bool| {
            page(
                &format!("c/page-{n}.json"),
                &format!(r#"{{"data": [{{"id": {n}}}], "info": {{"more_records": {more}}}}}"#),
            )
        };
        doc(vec![(
            PartId::CrmList("contacts"),
            vec![p(1, first), p(2, last)],
        )])
    }

    #[test]
    fn a_crm_list_whose_last_page_says_more_records_is_truncated() {
        let d = contact_pages(true, true);
        assert_eq!(d.truncated, ["crm.contacts"]);
        assert_eq!(strings_at(&d, "meta.truncated"), ["crm.contacts"]);
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("c/page-2.json") && n.contains("more_records")),
            "{:?}",
            d.notes
        );
        // The last page says the list ended: complete, whatever earlier pages said.
        let d = contact_pages(true, false);
        assert!(d.truncated.is_empty());
        assert_eq!(strings_at(&d, "meta.truncated"), Vec::<&str>::new());
        // Desk responses carry no such marker.
        let d = one(
            PartId::DeskList("tickets"),
            r#"{"data": [{"id": 1}], "info": {"more_records": true}}"#,
        );
        assert!(d.truncated.is_empty());
    }

    #[test]
    fn the_manifest_marks_parts_incomplete_and_is_handed_to_rules() {
        let mut notes = Vec::new();
        let manifest = Manifest::read(
            parsed(
                r#"{"parts": {"desk.tickets": {"complete": false, "reason": "stopped at --max-records 100"},
                                 "crm.leads": {"complete": false}}}"#,
            ),
            &Origin::file("manifest.json"),
            &mut notes,
        );
        let raw = Raw {
            parts: vec![RawPart {
                id: PartId::DeskList("tickets"),
                pages: vec![page("t.json", r#"{"data": [{"id": 1}]}"#)],
            }],
            manifest,
            ..Raw::default()
        };
        let d = assemble(&source(), raw, &opts());
        // crm.leads was not exported: nothing to call incomplete.
        assert_eq!(d.truncated, ["desk.tickets"]);
        assert!(
            d.notes
                .iter()
                .map(ToString::to_string)
                .any(|n| n.contains("--max-records 100")),
            "{:?}",
            d.notes
        );
        assert!(d.root.get_path("meta.manifest.parts").is_some());
        let d = one(PartId::DeskList("tickets"), "[]");
        assert_eq!(d.root.get_path("meta.manifest"), None);
    }

    #[test]
    fn a_record_repeated_by_overlapping_pages_is_kept_once_with_a_note() {
        let d = doc(vec![(
            PartId::DeskList("tickets"),
            vec![
                page(
                    "t/page-1.json",
                    r#"{"data": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}]}"#,
                ),
                page(
                    "t/page-2.json",
                    r#"{"data": [{"id": 2, "n": "b2"}, {"n": "no id"}, {"id": 3}, {"id": "1"}]}"#,
                ),
            ],
        )]);
        let ns: Vec<_> = (0..4)
            .map(|i| {
                d.root
                    .get_path(&format!("desk.tickets.{i}.id"))
                    .and_then(Value::as_str)
            })
            .collect();
        assert_eq!(ns, [Some("1"), Some("2"), None, Some("3")]);
        assert_eq!(len_at(&d, "desk.tickets"), Some(4));
        // The first copy is kept.
        assert_eq!(
            d.root.get_path("desk.tickets.1.n").and_then(Value::as_str),
            Some("b")
        );
        assert_eq!(d.provenance.source_index("desk.tickets", 3), Some(4));
        assert_eq!(d.provenance.source_index("desk.tickets", 1), Some(1));
        let note = d
            .notes
            .iter()
            .map(ToString::to_string)
            .find(|n| n.contains("overlapping"))
            .expect("a note");
        assert!(
            note.contains("t/page-2.json") && note.contains("2 record(s)"),
            "{note}"
        );
        // Without repeats nothing is recorded.
        let d = one(PartId::DeskList("tickets"), r#"[{"id": 1}, {"id": 2}]"#);
        assert!(d.provenance.kept.is_empty() && d.notes.is_empty());
    }

    #[test]
    fn meta_records_source_time_present_failed_and_notes() {
        let d = doc(vec![
            (PartId::CrmList("users"), vec![page("u.json", "[]")]),
            (
                PartId::CrmFields("Accounts".into()),
                vec![page("a.json", "[]")],
            ),
            (PartId::CrmOrg, vec![page("o.json", "")]),
        ]);
        let meta = d.root.get("meta").unwrap();
        assert_eq!(meta.get("source"), Some(&Value::str("x")));
        assert_eq!(
            meta.get("audit_time"),
            Some(&Value::str("2026-01-01T00:00:00Z"))
        );
        let present: Vec<_> = meta
            .get("present")
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(present, ["crm.fields", "crm.fields.Accounts", "crm.users"]);
        assert_eq!(d.present, present);
        assert_eq!(meta.get("failed"), Some(&Value::empty_object()));
        assert_eq!(
            meta.get("notes").and_then(Value::as_array).map(|n| n.len()),
            Some(1)
        );
        assert!(d.root.get("desk").and_then(Value::as_object).is_some());
        assert_eq!(d.root.get("integration"), None);
    }

    #[test]
    fn a_saved_api_error_message_is_clipped_in_the_reason() {
        let long = "x".repeat(5000);
        let obj = Object::from_entries(vec![
            ("errorCode".into(), Value::str("UNAUTHORIZED")),
            ("message".into(), Value::str(&long)),
        ]);
        let reason = api_error(&obj, &Origin::file("desk/tickets.json"), "desk.tickets")
            .unwrap()
            .to_string();
        assert!(
            reason.contains("UNAUTHORIZED") && reason.len() < 400,
            "{}",
            reason.len()
        );
        assert_eq!(clip("日本語テキスト", 3), "日本語...");
    }
}
