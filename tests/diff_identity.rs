//! `diff` by identity (issue 14): findings keyed by fingerprint as new, fixed or persisting,
//! in every diff format and language; reordering an export's records changes nothing.

mod common;

use common::{NOW, run, run_in};
use serde_json::Value;
use std::path::Path;

fn json(args: &[&str]) -> (i32, Value) {
    let r = run(args);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    (r.code, v)
}

fn list<'a>(v: &'a Value, kind: &str) -> &'a Vec<Value> {
    v["findings"][kind].as_array().expect(kind)
}

#[test]
fn one_problem_fixed_and_one_new_give_one_fixed_and_one_new_with_their_entities() {
    let (code, v) = json(&[
        "diff",
        "fixtures/faq1-accounts-hidden",
        "fixtures/faq7-sync-paused",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(code, 1, "the new fail gates");
    let (new, fixed) = (list(&v, "new"), list(&v, "fixed"));
    assert_eq!(new.len(), 1, "{new:#?}");
    assert_eq!(fixed.len(), 1, "{fixed:#?}");
    assert_eq!(
        (&new[0]["rule"], &new[0]["check"], &new[0]["status"]),
        (
            &Value::from("sync-running"),
            &Value::from("sync-running"),
            &Value::from("fail")
        )
    );
    assert_eq!(
        new[0]["entities"],
        serde_json::json!(["integration.crm.sync.status"])
    );
    assert_eq!(
        (&fixed[0]["rule"], &fixed[0]["check"], &fixed[0]["status"]),
        (
            &Value::from("integration-prerequisites"),
            &Value::from("accounts-module"),
            &Value::from("fail")
        )
    );
    assert_eq!(
        fixed[0]["entities"],
        serde_json::json!(["crm.modules[id=5725767000000002177]"])
    );
    assert!(
        list(&v, "changed").is_empty(),
        "other entities, no status change"
    );

    // JSON shape: every finding names its identity; the summary counts the lists.
    for kind in ["new", "fixed", "persisting"] {
        for f in list(&v, kind) {
            let o = f.as_object().expect("object");
            let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["check", "entities", "faq", "fingerprint", "rule", "status"],
                "{kind}"
            );
            assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
        }
    }
    let s = &v["summary"]["findings"];
    assert_eq!(
        (&s["new"], &s["fixed"], &s["changed"]),
        (&Value::from(1), &Value::from(1), &Value::from(0))
    );
    assert_eq!(
        s["persisting"].as_u64(),
        Some(list(&v, "persisting").len() as u64)
    );
    // The check-by-check part is still there.
    assert_eq!(v["summary"]["worse"], 1);
    assert_eq!(v["summary"]["better"], 1);

    // Human formats show the same rows.
    let r = run(&[
        "diff",
        "fixtures/faq1-accounts-hidden",
        "fixtures/faq7-sync-paused",
        "--format",
        "markdown",
        "--now",
        NOW,
    ]);
    for row in [
        "| new | 7 | sync-running | sync-running | fail | integration.crm.sync.status |",
        "| fixed | 1 | integration-prerequisites | accounts-module | fail | crm.modules[id=5725767000000002177] |",
        "## Findings by identity",
        "1 new, 1 fixed,",
    ] {
        assert!(r.stdout.contains(row), "{row}\n{}", r.stdout);
    }
    let r = run(&[
        "diff",
        "fixtures/faq1-accounts-hidden",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
    ]);
    assert!(
        r.stdout.contains("Findings by identity") && r.stdout.contains("1 new, 1 fixed,"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("integration.crm.sync.status")
            && r.stdout.contains("crm.modules[id=5725767000000002177]"),
        "{}",
        r.stdout
    );
}

/// `v` with every list reversed and rotated by one, at every depth.
fn reordered(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(reordered).collect();
            items.reverse();
            if !items.is_empty() {
                items.rotate_left(1);
            }
            Value::Array(items)
        }
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), reordered(x))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn reordering_every_list_of_an_export_reports_nothing_new_or_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["single-file-trial.json", "single-file-healthy.json"] {
        let text = std::fs::read_to_string(root.join("fixtures").join(name)).expect("fixture");
        let original: Value = serde_json::from_str(&text).expect("json");
        let shuffled = reordered(&original);
        assert_ne!(original, shuffled, "{name}: the lists moved");
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("before.json"), &text).expect("write");
        std::fs::write(dir.path().join("after.json"), shuffled.to_string()).expect("write");
        let r = run_in(
            dir.path(),
            &[
                "diff",
                "before.json",
                "after.json",
                "--format",
                "json",
                "--fail-on",
                "warn",
                "--now",
                NOW,
            ],
        );
        assert_eq!(r.code, 0, "{name}: nothing got worse\n{}", r.stdout);
        let v: Value = serde_json::from_str(&r.stdout).expect("json");
        for kind in ["new", "fixed", "changed"] {
            assert!(
                list(&v, kind).is_empty(),
                "{name}: {kind}: {:#?}",
                v["findings"]
            );
        }
        if name == "single-file-trial.json" {
            assert!(
                !list(&v, "persisting").is_empty(),
                "the trial's problems persist"
            );
        }
    }
}

#[test]
fn diff_by_identity_reads_in_japanese_with_lang_ja() {
    for format in ["table", "markdown"] {
        let r = run(&[
            "diff",
            "fixtures/faq1-accounts-hidden",
            "fixtures/faq7-sync-paused",
            "--lang",
            "ja",
            "--format",
            format,
            "--now",
            NOW,
        ]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        for japanese in [
            "結果ごとの比較",
            "比較",
            "結果",
            "対象のデータ",
            "新規",
            "解消",
            "新規 1件、解消 1件、継続 0件、結果の変化 0件",
        ] {
            assert!(
                r.stdout.contains(japanese),
                "{format} lacks {japanese}:\n{}",
                r.stdout
            );
        }
        for english in [
            "Findings by identity",
            " entities ",
            "persisting",
            "fixed",
            " new ",
            " status ",
        ] {
            assert!(
                !r.stdout.contains(english),
                "{format}: `{english}`:\n{}",
                r.stdout
            );
        }
    }
}
