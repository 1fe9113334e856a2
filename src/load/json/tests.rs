//! Unit tests of the JSON reader: sharing, ids, secrets, errors, and the split parse
//! agreeing with the whole one.

use super::super::secrets;
use super::*;
use crate::doc::Kind;
use std::sync::Arc;

fn value(text: &str) -> Value {
    match parse(text.as_bytes(), "t.json") {
        Ok(Parsed::Value(v)) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

fn error(bytes: &[u8]) -> LoadError {
    match parse(bytes, "crm/users.json") {
        Err(e) => e,
        Ok(p) => panic!("expected an error, got {p:?}"),
    }
}

#[test]
fn a_file_that_failed_half_way_leaves_nothing_behind_for_the_next() {
    // The parse state is kept per thread from one file to the next.
    let _ = error(b"{\"data\": [{\"a\": [1, 2, {\"b\": 3");
    let v = value(r#"{"data": [{"a": [4]}], "empty": [], "none": {}}"#);
    assert_eq!(
        v,
        Value::object(vec![
            (
                "data".into(),
                Value::array(vec![Value::object(vec![(
                    "a".into(),
                    Value::array(vec![Value::int(4)])
                )])])
            ),
            ("empty".into(), Value::array(vec![])),
            ("none".into(), Value::empty_object()),
        ])
    );
}

#[test]
fn repeated_short_values_share_one_string() {
    let v = value(r#"[{"status": "Open"}, {"status": "Open"}]"#);
    let a = v.get_path("0.status").and_then(Value::as_text).cloned();
    let b = v.get_path("1.status").and_then(Value::as_text).cloned();
    assert!(crate::doc::Str::ptr_eq(&a.unwrap(), &b.unwrap()));
}

#[test]
fn equal_small_lookups_share_one_object_and_floats_never_do() {
    let v = value(
        r#"[{"Owner": {"id": "1", "name": "Sato"}}, {"Owner": {"name": "Sato", "id": "1"}},
                {"x": {"n": 0.0}}, {"x": {"n": -0.0}}]"#,
    );
    let obj = |p: &str| match v.get_path(p).and_then(Value::object_arc) {
        Some(o) => o,
        None => panic!("{p}: {:?}", v.get_path(p)),
    };
    assert!(Arc::ptr_eq(&obj("0.Owner"), &obj("1.Owner")));
    assert!(!Arc::ptr_eq(&obj("2.x"), &obj("3.x")));
    assert_eq!(
        serde_json::to_string(&v.get_path("3.x")).unwrap(),
        r#"{"n":-0.0}"#
    );
}

#[test]
fn equal_small_arrays_of_shared_objects_share_one_array_and_others_do_not() {
    let v = value(
        r#"[{"s": [{"id": "7", "type": "READ_ONLY"}]}, {"s": [{"type": "READ_ONLY", "id": "7"}]},
            {"s": [{"id": "8", "type": "READ_ONLY"}]}, {"s": ["a", 1, true, null]}, {"s": ["a", 1, true, null]},
            {"s": [1, 2, 3, 4, 5]}, {"s": [1, 2, 3, 4, 5]}, {"s": [0.0]}, {"s": [-0.0]},
            {"s": [[1]]}, {"s": [[1]]}]"#,
    );
    let arr = |i: usize| match v.get_path(&format!("{i}.s")).and_then(Value::array_arc) {
        Some(a) => a,
        None => panic!("{i}: {:?}", v.get_path(&format!("{i}.s"))),
    };
    assert!(Arc::ptr_eq(&arr(0), &arr(1)), "equal department objects");
    assert!(!Arc::ptr_eq(&arr(0), &arr(2)), "another department");
    assert!(Arc::ptr_eq(&arr(3), &arr(4)), "equal scalars");
    assert!(!Arc::ptr_eq(&arr(5), &arr(6)), "more than four items");
    assert!(!Arc::ptr_eq(&arr(7), &arr(8)), "floats");
    assert!(!Arc::ptr_eq(&arr(9), &arr(10)), "nested arrays");
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(
            r#"[{"s": [{"id": "7", "type": "READ_ONLY"}]}, {"s": [{"id": "7", "type": "READ_ONLY"}]},
            {"s": [{"id": "8", "type": "READ_ONLY"}]}, {"s": ["a", 1, true, null]}, {"s": ["a", 1, true, null]},
            {"s": [1, 2, 3, 4, 5]}, {"s": [1, 2, 3, 4, 5]}, {"s": [0.0]}, {"s": [-0.0]},
            {"s": [[1]]}, {"s": [[1]]}]"#
        ).unwrap())
        .unwrap()
    );
}

#[test]
fn a_19_digit_crm_id_number_stays_exact_as_a_string() {
    let v = value(r#"{"id": 5725767000000411001}"#);
    assert_eq!(v.get("id"), Some(&Value::str("5725767000000411001")));
}

#[test]
fn numeric_ids_under_id_and_id_suffix_keys_become_strings() {
    let v = value(
        r#"{"id": 2389290, "departmentId": 7000000012345, "org_id": -3, "contactId": 12.0,
                "ownerId": 1.5}"#,
    );
    assert_eq!(v.get("id"), Some(&Value::str("2389290")));
    assert_eq!(v.get("departmentId"), Some(&Value::str("7000000012345")));
    assert_eq!(v.get("org_id"), Some(&Value::str("-3")));
    assert_eq!(v.get("contactId"), Some(&Value::str("12")));
    assert_eq!(v.get("ownerId"), Some(&Value::str("1.5")));
}

#[test]
fn an_id_too_large_for_any_integer_type_is_an_error_not_a_rounded_id() {
    for text in [
        r#"{"big_id": 123456789012345678901234}"#,
        r#"{"id": 5725767000000411001.0}"#,
        r#"{"contactIds": [1e30]}"#,
    ] {
        let e = error(text.as_bytes());
        assert_eq!(e.line, Some(1), "{text}: {e}");
        assert!(e.message().contains("too large to read exactly"), "{e}");
    }
    // Other numbers too large for an integer stay floats (documented).
    assert!(matches!(
        value(r#"{"n": 123456789012345678901234}"#)
            .get("n")
            .map(Value::kind),
        Some(Kind::Float(_))
    ));
}

#[test]
fn numbers_in_an_ids_array_become_strings_but_other_elements_keep_their_type() {
    let v = value(r#"{"associatedDepartmentIds": [7000000012345, "7000000099999", null]}"#);
    assert_eq!(
        v.get("associatedDepartmentIds"),
        Some(&Value::array(vec![
            Value::str("7000000012345"),
            Value::str("7000000099999"),
            Value::NULL,
        ]))
    );
}

#[test]
fn keys_that_only_look_like_ids_keep_their_numbers() {
    let v = value(r#"{"paid": 1, "zuid": 55, "ID": 3, "count": 18446744073709551615, "n": -2}"#);
    assert_eq!(v.get("paid"), Some(&Value::int(1)));
    assert_eq!(v.get("zuid"), Some(&Value::int(55)));
    assert_eq!(v.get("ID"), Some(&Value::int(3)));
    assert_eq!(v.get("count"), Some(&Value::float(18446744073709551615.0)));
    assert_eq!(v.get("n"), Some(&Value::int(-2)));
}

#[test]
fn ids_nested_in_arrays_of_objects_are_normalised_too() {
    let v =
        value(r#"{"data": [{"zohoCRMContact": {"id": 5725767000000411001, "type": "contacts"}}]}"#);
    assert_eq!(
        v.get_path("data.0.zohoCRMContact.id"),
        Some(&Value::str("5725767000000411001"))
    );
}

#[test]
fn secrets_are_redacted_at_any_depth_but_null_stays_null() {
    let v = value(
        r#"{"access_token": "1000.abc", "a": [{"b": {"Authorization": "Zoho-oauthtoken x",
                "client_secret": {"x": 1}, "refresh_token": null, "client_id": "1000.CID"}}]}"#,
    );
    assert_eq!(v.get("access_token"), Some(&Value::str(secrets::REDACTED)));
    assert_eq!(
        v.get_path("a.0.b.Authorization"),
        Some(&Value::str(secrets::REDACTED))
    );
    assert_eq!(
        v.get_path("a.0.b.client_secret"),
        Some(&Value::str(secrets::REDACTED))
    );
    assert_eq!(v.get_path("a.0.b.refresh_token"), Some(&Value::NULL));
    assert_eq!(v.get_path("a.0.b.client_id"), Some(&Value::str("1000.CID")));
    assert!(!format!("{:?}", v).contains("abc"));
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    assert_eq!(value(r#"{"a": 1, "a": 2}"#).get("a"), Some(&Value::int(2)));
}

#[test]
fn repeated_keys_share_one_allocation() {
    let v = value(r#"[{"status": 1}, {"status": 2}]"#);
    let key = |i: usize| {
        v.get_path(&i.to_string())
            .and_then(Value::as_object)
            .and_then(|o| o.keys().next().cloned())
    };
    let (a, b) = (key(0).unwrap(), key(1).unwrap());
    assert!(a.ptr_eq(&b), "the two `status` keys should be one string");
}

#[test]
fn a_leading_byte_order_mark_is_ignored() {
    let mut bytes = UTF8_BOM.to_vec();
    bytes.extend_from_slice(br#"{"a": true}"#);
    match parse(&bytes, "t.json") {
        Ok(Parsed::Value(v)) => assert_eq!(v.get("a"), Some(&Value::bool(true))),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn empty_and_white_space_files_are_blank_responses() {
    assert!(matches!(parse(b"", "t.json"), Ok(Parsed::Blank)));
    assert!(matches!(parse(b" \r\n\t\n", "t.json"), Ok(Parsed::Blank)));
    assert!(matches!(
        parse(b"\xEF\xBB\xBF\n", "t.json"),
        Ok(Parsed::Blank)
    ));
}

#[test]
fn malformed_json_names_the_file_line_and_column_and_says_what_to_do() {
    let e = error(b"{\n  \"users\": [\n    {\"a\": 1}\n    {\"b\": 2}\n  ]\n}");
    assert_eq!(e.file, "crm/users.json");
    assert_eq!((e.line, e.column), (Some(4), Some(5)));
    assert!(
        e.message().contains("expected `,` or `]`"),
        "{}",
        e.message()
    );
    assert!(
        e.message().contains("save the API response again"),
        "{}",
        e.message()
    );
    assert!(
        e.to_string()
            .starts_with("crm/users.json:4:5: invalid JSON"),
        "{e}"
    );
}

#[test]
fn a_file_cut_short_says_so() {
    let e = error(b"{\"users\": [{\"a\": 1}");
    assert_eq!(e.line, Some(1));
    assert!(e.message().contains("cut short"), "{}", e.message());
}

#[test]
fn text_after_the_json_value_is_rejected() {
    let e = error(b"{\"data\": []}\n{\"data\": []}\n");
    assert_eq!(e.line, Some(2));
    assert!(e.message().contains("more text follows"), "{}", e.message());
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let e = error(b"{\n  \"name\": \"Caf\xE9\"\n}");
    assert_eq!((e.line, e.column), (Some(2), Some(15)));
    assert!(e.message().contains("not valid UTF-8"), "{}", e.message());
    assert!(e.message().contains("0xE9"), "{}", e.message());
}

#[test]
fn utf16_text_gets_its_own_explanation() {
    let e = error(b"\xFF\xFE{\0}\0");
    assert!(e.message().contains("UTF-16"), "{}", e.message());
    let e = error(b"{\0}\0");
    assert!(e.message().contains("UTF-16"), "{}", e.message());
}

/// What `read_file` gives for a file of `bytes` when it is split (with tiny blocks
/// and batches, so every boundary falls everywhere), falling back as it does.
fn split_or_whole(bytes: &[u8], sizes: split::Sizes) -> Result<Parsed, LoadError> {
    match split::read(bytes, sizes) {
        Some(v) => Ok(Parsed::Value(v)),
        None => parse(bytes, "t.json"),
    }
}

fn same(a: &Result<Parsed, LoadError>, b: &Result<Parsed, LoadError>) -> bool {
    match (a, b) {
        (Ok(Parsed::Value(x)), Ok(Parsed::Value(y))) => x == y,
        (Ok(Parsed::Blank), Ok(Parsed::Blank)) => true,
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

const TINY: split::Sizes = split::Sizes {
    block: 3,
    batch: 5,
    chunk: 7,
};

#[test]
fn a_file_is_cut_into_batches_of_a_thirty_second_between_256_kb_and_2_mb() {
    let batch = |len: u64| split::Sizes::for_file(len).batch;
    assert_eq!(batch(8 << 20), 256 << 10);
    assert_eq!(batch(21_500_000), 21_500_000 / 32);
    assert_eq!(batch(64 << 20), 2 << 20);
    assert_eq!(batch(500 << 20), 2 << 20);
    assert_eq!(batch(u64::MAX), 2 << 20);
    let s = split::Sizes::for_file(21_500_000);
    assert_eq!((s.block, s.chunk), (s.batch / 4, s.batch / 8));
    let d = split::Sizes::default();
    assert_eq!((d.block, d.batch, d.chunk), (512 << 10, 2 << 20, 256 << 10));
}

#[test]
fn a_split_parse_gives_the_document_of_the_whole_parse() {
    for text in [
        r#"{"data": [{"id": 1, "departmentIds": [1, 2]}, {"a": [1, [2, {"b": "]"}]]}], "info": {"more_records": false}}"#,
        r#"[1, 2.5, "x", null, true, {"contactId": 12}]"#,
        "\u{feff}{\"crm\": {\"users\": {\"users\": [{\"id\": 5725767000000411001}]}}, \"desk\": {\"tickets\": {\"data\": [ ]}}}",
        r#"{"access_token": ["secret", 1], "departmentIds": [7000000012345, "9"], "data": [], "data": [{"q": "\"[,]\\"}]}"#,
        r#"{"a\"b": [1]}"#,
        r#"{"data": [1,]}"#,
        r#"{"data": [1 2]}"#,
        r#"{"data": [{"id": 1e400}]}"#,
        r#"{"data": [1]"#,
        "  \n ",
        "",
    ] {
        let whole = parse(text.as_bytes(), "t.json");
        for sizes in [TINY, split::Sizes::for_file(0), split::Sizes::default()] {
            let split = split_or_whole(text.as_bytes(), sizes);
            assert!(same(&whole, &split), "{text}: {whole:?} vs {split:?}");
        }
    }
}

#[test]
fn a_split_parse_cuts_the_arrays_and_keeps_ids_and_secrets_as_the_whole_parse() {
    let text = r#"{"data": [{"departmentIds": [1, 2], "id": 3}], "x": {"access_token": [1]}}"#;
    let v = match split::read(text.as_bytes(), TINY) {
        Some(v) => v,
        None => panic!("a valid file is split"),
    };
    assert_eq!(v.get_path("data.0.departmentIds.1"), Some(&Value::str("2")));
    assert_eq!(v.get_path("data.0.id"), Some(&Value::str("3")));
    assert_eq!(
        v.get_path("x.access_token"),
        Some(&Value::str(secrets::REDACTED))
    );
}

mod split_property {
    use super::*;
    use proptest::prelude::*;

    fn leaf() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("5725767000000411001".to_string()),
            Just("123456789012345678901234".to_string()),
            Just("-0.0".to_string()),
            Just("1.5e3".to_string()),
            Just(r#""plain""#.to_string()),
            Just(r#""q\"[,]{}:\\""#.to_string()),
            Just(r#""\u00e9\ud83d\ude00""#.to_string()),
            Just(r#""日本語""#.to_string()),
            Just("\"\"".to_string()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("data"),
            Just("id"),
            Just("contactId"),
            Just("departmentIds"),
            Just("access_token"),
            Just("a"),
            Just("e\\\"sc"),
            Just("日本"),
        ]
        .prop_map(|k| format!("\"{k}\""))
    }

    fn space() -> impl Strategy<Value = &'static str> {
        prop_oneof![Just(""), Just(" "), Just("\n  "), Just("\t\r\n")]
    }

    fn json() -> impl Strategy<Value = String> {
        leaf().prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                (
                    prop::collection::vec((space(), inner.clone()), 0..6),
                    space()
                )
                    .prop_map(|(items, end)| {
                        let parts: Vec<String> =
                            items.into_iter().map(|(s, v)| format!("{s}{v}")).collect();
                        format!("[{}{end}]", parts.join(","))
                    }),
                (
                    prop::collection::vec((space(), key(), space(), inner), 0..6),
                    space()
                )
                    .prop_map(|(entries, end)| {
                        let parts: Vec<String> = entries
                            .into_iter()
                            .map(|(s, k, t, v)| format!("{s}{k}{t}:{v}"))
                            .collect();
                        format!("{{{}{end}}}", parts.join(","))
                    }),
            ]
        })
    }

    fn sizes() -> impl Strategy<Value = split::Sizes> {
        (1usize..20, 1usize..40, 1usize..80).prop_map(|(block, batch, chunk)| split::Sizes {
            block,
            batch,
            chunk,
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn split_and_whole_parses_agree_on_valid_text(text in json(), sizes in sizes()) {
            let whole = parse(text.as_bytes(), "t.json");
            let split = split_or_whole(text.as_bytes(), sizes);
            prop_assert!(same(&whole, &split), "{text}: {whole:?} vs {split:?}");
            // Only a key with an escape above an array, or a credential's value (its
            // elements are redacted whole, so an element the split would read alone,
            // e.g. an id too large to read exactly, makes it give up), makes a valid
            // text go the sequential way.
            let secret = ["token", "secret", "password"].iter().any(|k| text.contains(k));
            if whole.is_ok() && !text.contains(r#"e\"sc"#) && !secret {
                prop_assert!(split::read(text.as_bytes(), sizes).is_some(), "not split: {text}");
            }
        }

        #[test]
        fn split_and_whole_parses_agree_on_damaged_text(
            text in json(),
            at in any::<prop::sample::Index>(),
            cut in any::<bool>(),
            insert in prop::sample::select(vec!["", ",", "]", "}", "[", "{", "\"", "\\", "x", "\u{0}", "\n", "\u{feff}"]),
            sizes in sizes(),
        ) {
            let mut bytes = text.into_bytes();
            let i = at.index(bytes.len() + 1);
            if cut && i < bytes.len() {
                bytes.remove(i);
            }
            for (k, b) in insert.bytes().enumerate() {
                bytes.insert(i + k, b);
            }
            let whole = parse(&bytes, "t.json");
            let split = split_or_whole(&bytes, sizes);
            prop_assert!(same(&whole, &split), "{:?}: {whole:?} vs {split:?}", String::from_utf8_lossy(&bytes));
        }
    }
}

#[test]
fn a_directory_where_a_file_is_expected_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = read_file(dir.path(), "x/crm/users.json").unwrap_err();
    assert_eq!(e.file, "x/crm/users.json");
    assert!(e.message().contains("is a directory"), "{}", e.message());
}
