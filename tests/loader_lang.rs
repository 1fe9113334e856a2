//! The loader's notes and errors, and `diff`, reach the reader in the report language:
//! exports built to produce every kind of note and load error are audited with
//! `--lang ja`, and no English sentence of the loader may show; SARIF and GitHub point
//! a load error at its own file, line and column.

mod common;

use common::{NOW, run, run_in};
use serde_json::Value;
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// One bundle that makes the loader note every kind of thing it notes in a bundle, and
/// fail one part with a saved API error.
fn noisy_bundle(root: &Path) {
    write(
        root,
        &[
            // A page directory shadowed by its file.
            ("crm/users.json", r#"{"users": []}"#),
            ("crm/users/page-001.json", r#"{"users": []}"#),
            // A list cut short, with an id repeated by overlapping pages, and a stray file.
            (
                "crm/contacts/page-001.json",
                r#"{"data": [{"id": "1"}, {"id": "2"}], "info": {"more_records": true}}"#,
            ),
            (
                "crm/contacts/page-002.json",
                r#"{"data": [{"id": "2"}], "info": {"more_records": true}}"#,
            ),
            ("crm/contacts/notes.txt", "x"),
            // An empty org response.
            ("crm/org.json", r#"{"org": []}"#),
            // Two portals, none the default, and a manifest naming a third.
            (
                "desk/organizations.json",
                r#"{"data": [{"id": "1"}, {"id": "2"}]}"#,
            ),
            // A saved API error instead of tickets.
            (
                "desk/tickets.json",
                r#"{"errorCode": "UNAUTHORIZED", "message": "no scope"}"#,
            ),
            ("desk/agents.json", r#"{"data": []}"#),
            // Not part of the export format.
            ("README.txt", "x"),
            (
                "manifest.json",
                r#"{"desk": {"org_id": "999"},
                    "parts": {"desk.agents": {"complete": false, "reason": "stopped at --max-records 100"}},
                    "files": {"crm/org.json": {"sha256": "00"},
                              "crm/gone.json": {"sha256": "00"},
                              "../outside.json": {"sha256": "00"}}}"#,
            ),
        ],
    );
    // A page directory with no page in it.
    std::fs::create_dir_all(root.join("crm/leads")).expect("mkdir");
}

/// A single-file export with an unknown key and a manifest that is no object.
const SINGLE: &str = r#"{"crm": {"modules": [], "deals": []}, "manifest": [1], "extra": 1}"#;

/// What the loader says in English, one fragment of each sentence: none may reach a
/// Japanese reader.
const ENGLISH: &[&str] = &[
    "ignored the page directory",
    "says more_records: true",
    "were kept once",
    "holds no *.json page file",
    "not a *.json page file",
    "not part of the export format",
    "differs from the file",
    "is listed in manifest.json",
    "not a path inside the export",
    "marks desk.agents incomplete",
    "org response is empty",
    "holds no organization with that id",
    "none is marked isDefault",
    "holds a saved API error",
    "not an object, so it was ignored",
    "invalid JSON",
    "fix the cause and export",
];

/// What the Japanese reader reads instead.
const JAPANESE: &[&str] = &[
    "ページのフォルダー",
    "のデータの続きがあります(more_records: true)。エクスポートされた 2 件のみを確認しています。",
    "1件として扱っています",
    "エクスポートされていないものとして扱っています",
    "ページのファイル(*.json)ではないため",
    "エクスポートの形式に含まれないため",
    "収集後に編集されたため",
    "エクスポートにありません",
    "エクスポート内のパスではないため",
    "desk.agents が途中までとされています",
    "組織のレスポンスが空のため",
    "このIDの組織がありません",
    "desk.organization を選べません",
];

fn audit_ja(dir: &Path, inputs: &[&str], format: &str) -> String {
    let mut args = vec!["audit"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--lang", "ja", "--now", NOW, "--format", format]);
    let r = run_in(dir, &args);
    assert!(!r.stdout.is_empty(), "{format}: no output; {}", r.stderr);
    for english in ENGLISH {
        assert!(
            !r.stdout.contains(english),
            "{format}: the English `{english}` reached the Japanese report:\n{}",
            r.stdout
        );
        assert!(
            !r.stderr.contains(english),
            "{format}: the English `{english}` reached stderr:\n{}",
            r.stderr
        );
    }
    r.stdout
}

#[test]
fn every_note_and_load_error_of_the_loader_reads_in_japanese_with_lang_ja() {
    let tmp = tempfile::tempdir().expect("tempdir");
    noisy_bundle(&tmp.path().join("noisy"));
    write(tmp.path(), &[("single.json", SINGLE)]);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/broken-json"),
        &tmp.path().join("broken"),
    );
    let inputs = ["noisy", "single.json", "broken"];

    // JSON has every note whole (the human formats may wrap or clip a long one).
    let json = audit_ja(tmp.path(), &inputs, "json");
    for japanese in JAPANESE {
        assert!(json.contains(japanese), "json lacks `{japanese}`:\n{json}");
    }
    let v: Value = serde_json::from_str(&json).expect("json");
    let exports = v["exports"].as_array().expect("exports");
    let by_path = |p: &str| {
        exports
            .iter()
            .find(|e| e["path"] == p)
            .unwrap_or_else(|| panic!("{p} in {json}"))
    };
    let notes = |p: &str| by_path(p)["notes"].to_string();
    assert!(
        notes("single.json").contains("キー `crm.deals` はエクスポートの形式に含まれないため"),
        "{}",
        notes("single.json")
    );
    assert!(
        notes("single.json").contains("オブジェクトではなく配列のため"),
        "{}",
        notes("single.json")
    );
    let error = by_path("broken")["error"].as_str().expect("error");
    assert!(
        error.starts_with("broken/desk/agents.json:66:24: JSONの形式が正しくありません"),
        "{error}"
    );
    // A rule needing the part that holds a saved API error says why in Japanese.
    assert!(
        json.contains("データではなく、APIが返したエラー(コード UNAUTHORIZED、メッセージ「no scope」)が保存されています"),
        "{json}"
    );

    for format in ["table", "markdown"] {
        let out = audit_ja(tmp.path(), &inputs, format);
        for japanese in ["ページのフォルダー", "JSONの形式が正しくありません"]
        {
            assert!(
                out.contains(japanese),
                "{format} lacks `{japanese}`:\n{out}"
            );
        }
    }
}

#[test]
fn the_same_exports_in_english_keep_the_loader_s_words() {
    let tmp = tempfile::tempdir().expect("tempdir");
    noisy_bundle(&tmp.path().join("noisy"));
    let r = run_in(
        tmp.path(),
        &[
            "audit", "noisy", "--lang", "en", "--now", NOW, "--format", "json",
        ],
    );
    for english in [
        "ignored the page directory",
        "says more_records: true",
        "were kept once",
        "holds a saved API error, code UNAUTHORIZED (no scope), not data",
    ] {
        assert!(r.stdout.contains(english), "`{english}`:\n{}", r.stdout);
    }
}

#[test]
fn sarif_and_github_point_a_load_error_at_its_own_file_line_and_column() {
    let r = run(&[
        "audit",
        "fixtures/broken-json",
        "--format",
        "sarif",
        "--now",
        NOW,
    ]);
    let v: Value = serde_json::from_str(&r.stdout).expect("sarif");
    let load = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|x| x["ruleId"] == "load")
        .unwrap_or_else(|| panic!("a load result in {}", r.stdout));
    let at = &load["locations"][0]["physicalLocation"];
    assert_eq!(
        at["artifactLocation"]["uri"], "fixtures/broken-json/desk/agents.json",
        "{at}"
    );
    assert_eq!(at["region"]["startLine"], 66, "{at}");
    assert_eq!(at["region"]["startColumn"], 24, "{at}");

    let r = run(&[
        "audit",
        "fixtures/broken-json",
        "--format",
        "github",
        "--now",
        NOW,
    ]);
    assert!(
        r.stdout
            .contains("::error file=fixtures/broken-json/desk/agents.json,line=66,col=24,title="),
        "{}",
        r.stdout
    );
}

#[test]
fn diff_reads_in_japanese_with_lang_ja() {
    for format in ["table", "markdown"] {
        let r = run(&[
            "diff",
            "fixtures/healthy",
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
            "変化",
            "確認項目",
            "変更前",
            "変更後",
            "悪化",
            "要対応",
            "問題なし",
        ] {
            assert!(
                r.stdout.contains(japanese),
                "{format} lacks {japanese}:\n{}",
                r.stdout
            );
        }
        assert!(r.stdout.contains("悪化 1件、改善 0件"), "{}", r.stdout);
        for english in [
            "worse",
            "better",
            "unchanged",
            "before",
            "after",
            "| rule |",
        ] {
            assert!(
                !r.stdout.contains(english),
                "{format}: `{english}`:\n{}",
                r.stdout
            );
        }
    }
    // A load error, too.
    let r = run(&[
        "diff",
        "fixtures/healthy",
        "fixtures/broken-json",
        "--lang",
        "ja",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("JSONの形式が正しくありません"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("invalid JSON"), "{}", r.stderr);
}
