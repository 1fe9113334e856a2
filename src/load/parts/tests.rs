//! Unit tests of assembling the document: envelopes, pages, saved API errors, types,
//! `desk.organization`, truncation and `meta`.

use super::super::manifest::Manifest;
use super::super::raw::{Origin, Page, RawPart};
use super::super::{ExportKind, json};
use super::api_error::{api_error, clip};
use super::*;
use crate::doc::Object;

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
        file: file.into(),
        at: Vec::new(),
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
            Some(Value::int(1)),
            Some(Value::int(2)),
            Some(Value::int(3))
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
        Some(&Value::int(2))
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
    assert_eq!(d.provenance.source_index(&["desk", "tickets"], 3), Some(4));
    assert_eq!(d.provenance.source_index(&["desk", "tickets"], 1), Some(1));
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
    let kept = match d.provenance.get(&["desk", "tickets"]) {
        Some(Place::Part(p)) => p.kept.clone(),
        other => panic!("{other:?}"),
    };
    assert!(kept.is_none() && d.notes.is_empty());
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
