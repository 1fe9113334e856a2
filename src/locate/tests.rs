//! The locator against real files: bundles, pages, envelopes, single files.

use super::*;
use crate::doc::{Kind, Value};
use crate::load::{ExportKind, ExportSource, LoadOptions, load};

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
    let file = Path::new(&l.file);
    let file = file.strip_prefix(root).unwrap_or(file);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
    assert_eq!(loc.locate("/crm/users/0/status"), None);
    assert_eq!(loc.locate("/desk/organization/id"), None);
    assert_eq!(loc.locate("/meta/present"), None);
    assert_eq!(loc.locate(""), None);
    assert_eq!(loc.locate("crm/users"), None, "not a JSON Pointer");
}

#[test]
fn escaped_pointer_tokens_match_keys_with_slash_and_tilde() {
    let (dir, source) = bundle(&[("integration.json", INTEGRATION)]);
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
    Locator::new(doc.provenance)
}

/// A locator for `source` as loaded now, after which `files` are written over it: the
/// export edited after it was loaded (the only way to give a locator text the loader
/// refuses).
fn loaded_then_written(source: &ExportSource, files: &[(&str, &str)]) -> Locator {
    let loc = loaded(source);
    write(&source.path, files);
    loc
}

/// Files the loader reads, for a test to write malformed text over.
const STAND_INS: &[(&str, &str)] = &[
    ("integration.json", r#"{"crm": {"sync": {"status": "x"}}}"#),
    ("crm/users.json", r#"{"users": [{"status": "x"}]}"#),
    ("desk/organizations.json", r#"{"data": [{"id": 1}]}"#),
    ("crm/org.json", r#"{"org": [{"license_details": {}}]}"#),
];

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
    let mut loc = loaded(&source);
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
    let mut loc = loaded(&source);
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
        let (_dir, source) = bundle(STAND_INS);
        let mut loc = loaded_then_written(
            &source,
            &[
                ("integration.json", text),
                ("crm/users.json", text),
                ("desk/organizations.json", text),
                ("crm/org.json", text),
            ],
        );
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
    let (dir, source) = bundle(STAND_INS);
    let mut loc = loaded_then_written(&source, &[("integration.json", text)]);
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
    // Deeper than the loader reads: written over a file it did read.
    let (dir, source) = bundle(STAND_INS);
    let mut loc = loaded_then_written(&source, &[("integration.json", &deep)]);
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
    let (_dir, source) = bundle(STAND_INS);
    let mut loc = loaded_then_written(&source, &[("integration.json", &unclosed)]);
    assert!(loc.locate("/integration/crm/b").is_some());
}

#[test]
fn many_elements_of_a_large_single_line_page_are_located_from_one_index() {
    let n = 20_000;
    let items: Vec<String> = (0..n)
        .map(|i| format!("{{\"id\":{i},\"subject\":\"é{i}\",\"departmentId\":{i}}}"))
        .collect();
    let text = format!("{{\"data\":[{}]}}", items.join(","));
    let (dir, source) = bundle(&[("desk/tickets.json", &text)]);
    let mut loc = loaded(&source);
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
    let mut loc = Locator::new(doc.provenance.clone());
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
                let ok = match value.kind() {
                    Kind::Object(_) => first == '{',
                    Kind::Array(_) => first == '[',
                    Kind::Str(_) => first == '"' || first.is_ascii_digit(),
                    Kind::Null => first == 'n',
                    _ => !"{[\"".contains(first),
                };
                assert!(ok, "{pointer}: {rest}");
            } else {
                assert!(rest.starts_with(&format!("\"{key}\"")), "{pointer}: {rest}");
            }
            checked += 1;
        }
        match value.kind() {
            Kind::Object(o) => {
                for (k, v) in o.iter() {
                    // RFC 6901 escaping, `~` first (written here: `locate` is below `engine`).
                    let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    stack.push((p, k.to_string(), v.clone()));
                }
            }
            Kind::Array(a) => {
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
