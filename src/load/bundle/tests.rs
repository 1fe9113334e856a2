//! Unit tests of reading a bundle: the file table, page order, notes, errors, links
//! out of the export and the manifest.

use super::super::testutil::{bundle, load_bundle};
use crate::doc::{Kind, Value};

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
        Some(&Value::bool(true))
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
        .filter_map(|t| match t.get("n").map(Value::kind) {
            Some(Kind::Int(n)) => Some(n),
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
        .filter_map(|t| match t.get("n").map(Value::kind) {
            Some(Kind::Int(n)) => Some(n),
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
    std::os::unix::fs::symlink("../desk/agents.json", dir.path().join("crm/users.json")).unwrap();
    assert!(
        load_bundle(dir.path()).is_ok(),
        "a link inside the export is read"
    );

    // A page directory that is a link: every page under it is judged by where it really is.
    let pages = outside.path().join("contacts");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(pages.join("page-001.json"), r#"{"data": [{"id": "1"}]}"#).unwrap();
    std::os::unix::fs::symlink(&pages, dir.path().join("crm/contacts")).unwrap();
    let err = load_bundle(dir.path()).unwrap_err();
    assert!(err.file.ends_with("crm/contacts/page-001.json"), "{err}");
    assert!(err.message().contains("outside the export"), "{err}");
}

#[test]
fn a_manifest_is_read_and_files_edited_after_collection_are_noted() {
    use sha2::{Digest, Sha256};
    let org = r#"{"org": [{"id": "1"}]}"#;
    let hex = |t: &str| crate::collect::staging::hex(&Sha256::digest(t.as_bytes()));
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
        Some(&Value::int(1))
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

#[test]
fn a_manifest_never_reads_a_linked_file_outside_the_export_to_hash_it() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.json"), "{}").unwrap();
    let dir = bundle(&[(
        "manifest.json",
        r#"{"files": {"crm/linked.json": {"sha256": "00"}}}"#,
    )]);
    std::fs::create_dir_all(dir.path().join("crm")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.json"),
        dir.path().join("crm/linked.json"),
    )
    .unwrap();
    let notes: Vec<String> = match load_bundle(dir.path()) {
        Ok(d) => d
            .notes
            .iter()
            .map(|n| n.text(crate::bilingual::Lang::En))
            .collect(),
        Err(e) => vec![e.to_string()],
    };
    assert!(
        notes
            .iter()
            .any(|n| n.contains("crm/linked.json") && n.contains("not a path inside the export")),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.contains("differs")), "{notes:?}");
}

#[test]
fn provenance_records_every_page_read_with_where_its_records_sit() {
    use crate::doc::{PageData, PagePlace, Place};
    let dir = bundle(&[
        ("desk/tickets/page-2.json", r#"[{"id": 3}]"#),
        (
            "desk/tickets/page-1.json",
            r#"{"data": [{"id": 1}, {"id": 2}]}"#,
        ),
        ("desk/tickets/page-3.json", ""),
        ("desk/tickets/.page-0.json", "[{}]"),
        (
            "crm/users.json",
            r#"{"code": "INVALID_TOKEN", "status": "error"}"#,
        ),
        ("crm/org.json", r#"{"org": [{"id": 1}]}"#),
    ]);
    let d = load_bundle(dir.path()).unwrap();
    let pages = |part: &[&str]| match d.provenance.get(part) {
        Some(Place::Part(p)) => p.pages.clone(),
        other => panic!("{part:?}: {other:?}"),
    };
    let page = |file: &str, data: PageData| PagePlace {
        file: dir.path().join(file),
        response: vec![],
        data,
    };
    assert_eq!(
        pages(&["desk", "tickets"]),
        [
            page(
                "desk/tickets/page-1.json",
                PageData::Array {
                    at: vec!["data".into()],
                    len: 2
                }
            ),
            page(
                "desk/tickets/page-2.json",
                PageData::Array { at: vec![], len: 1 }
            ),
            page("desk/tickets/page-3.json", PageData::None),
        ]
    );
    // A part that failed is still where it was read (a saved error is one object).
    assert!(d.failure("crm.users").is_some());
    assert_eq!(
        pages(&["crm", "users"]),
        [page("crm/users.json", PageData::Value { at: vec![] })]
    );
    let org = PageData::Value {
        at: vec!["org".into(), "0".into()],
    };
    assert_eq!(pages(&["crm", "org"]), [page("crm/org.json", org)]);
    assert!(matches!(
        d.provenance.get(&["crm", "leads"]),
        Some(Place::Nowhere)
    ));
}
