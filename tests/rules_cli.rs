//! `rules list | explain | check | test | new` and `query`, as a rule author uses them.

mod common;

use common::{run, run_in};
use serde_json::Value;

#[test]
fn rules_list_shows_every_rule_in_faq_order_with_its_source() {
    let r = run(&["rules", "list", "--format", "json", "--lang", "en"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<Value> = serde_json::from_str(&r.stdout).expect("json");
    let faqs: Vec<u64> = rows
        .iter()
        .map(|r| r["faq"].as_u64().expect("faq"))
        .collect();
    assert_eq!(faqs, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(rows[6]["id"], "sync-running");
    assert_eq!(rows[6]["source"], "rules/sync-running.rhai");

    // Outside the project the built-in rules are listed as such.
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = run_in(
        tmp.path(),
        &[
            "rules",
            "list",
            "--format",
            "json",
            "--skip",
            "sync-running",
        ],
    );
    let rows: Vec<Value> = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r["source"] == "built-in"));
}

#[test]
fn rules_explain_gives_checks_statuses_and_remedy_in_either_language() {
    let r = run(&["rules", "explain", "sync-running", "--lang", "en"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("sync-running (FAQ 7)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("[pass, warn, fail, skip]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Sync settings"),
        "the remedy names the UI path: {}",
        r.stdout
    );
    let r = run(&["rules", "explain", "sync-running", "--lang", "ja"]);
    assert!(r.stdout.contains("[同期設定]"), "{}", r.stdout);
    let r = run(&["rules", "explain", "sync-runing"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Did you mean `sync-running`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn rules_check_passes_the_shipped_rules_and_names_a_misspelled_key_with_a_suggestion() {
    let r = run(&["rules", "check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("typo-rule.rhai"),
        "// a rule\n\nconst META = #{ faq: 9, title: #{ja: \"t\", en: \"t\"}, description: #{ja: \"d\", en: \"d\"},\n  checks: #{ \"c\": #{ statuses: [\"pass\"], remdy: #{ja: \"r\", en: \"r\"} } } };\nfn audit(doc) { [pass(\"c\", \"ok\")] }\n",
    )
    .expect("write");
    std::fs::write(tmp.path().join("Bad_Name.rhai"), "fn audit(doc) { 1 +  }\n").expect("write");
    let r = run_in(tmp.path(), &["rules", "check", "--rules", "."]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("./typo-rule.rhai:3:1: META: unknown key `remdy`; did you mean `remedy`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("./Bad_Name.rhai:1:1: rule id `Bad_Name`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("./Bad_Name.rhai:1:"), "{}", r.stderr);
}

#[test]
fn a_scaffolded_rule_passes_its_own_tests_at_once_and_a_wrong_expectation_fails_with_a_diff() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = run_in(tmp.path(), &["rules", "new", "agents-ok", "--dir", "mine"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(tmp.path().join("mine/agents-ok.rhai").is_file());

    let r = run_in(tmp.path(), &["rules", "test", "--rules", "mine"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ok   agents-ok/passes") && r.stdout.contains("ok   agents-ok/fails"),
        "{}",
        r.stdout
    );

    // The installed binary runs it with no recompiling.
    let r = run_in(
        tmp.path(),
        &[
            "audit",
            "mine/agents-ok.tests/fails/export.json",
            "--rules",
            "mine",
            "--only",
            "agents-ok",
            "--format",
            "json",
        ],
    );
    let json: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(json["exports"][0]["results"][0]["status"], "fail");

    // A second `rules new` with the same id refuses to overwrite.
    let r = run_in(tmp.path(), &["rules", "new", "agents-ok", "--dir", "mine"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);

    // A case that expects the wrong status fails, with expected vs actual.
    std::fs::write(
        tmp.path().join("mine/agents-ok.tests/passes/expect.json"),
        r#"{ "checks": { "agents-ok": "fail" } }"#,
    )
    .expect("write");
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "mine"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("FAIL agents-ok/passes"), "{}", r.stdout);
    assert!(
        r.stdout.contains("expected: agents-ok=fail"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("actual:   agents-ok=pass"),
        "{}",
        r.stdout
    );

    let r = run_in(
        tmp.path(),
        &["rules", "test", "--rules", "mine", "--format", "junit"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("<testcase name=\"passes\" classname=\"agents-ok\">"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("<failure"), "{}", r.stdout);
}

#[test]
fn rules_test_reports_a_status_that_no_case_covers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    run_in(tmp.path(), &["rules", "new", "cov-rule", "--dir", "r"]);
    std::fs::remove_dir_all(tmp.path().join("r/cov-rule.tests/skips-without-users")).expect("rm");
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "r"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("no case expects cov-rule = skip"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_shipped_rules_pass_their_own_cases_through_the_command() {
    let r = run(&["rules", "test"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let ok = r.stdout.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(ok >= 8 * 3, "{}", r.stdout);
}

#[test]
fn query_evaluates_against_the_export_with_the_rules_helpers_and_redacts_secrets() {
    // The expected count, computed here from the fixture itself.
    let users: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/healthy/crm/users.json").expect("fixture"),
    )
    .expect("json");
    let active = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| {
            u["status"]
                .as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("active"))
        })
        .count();
    let r = run(&[
        "query",
        "fixtures/healthy",
        r#"count_eq_ci(doc.crm.users, "status", "active")"#,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), active.to_string());

    let r = run(&["query", "fixtures/with-secrets", "doc"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("[REDACTED]"));
    assert!(!r.stdout.contains("SECRET"), "a secret leaked");

    let r = run(&["query", "fixtures/healthy", "doc.crm.users["]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("query:"), "{}", r.stderr);

    let r = run(&["query", "fixtures/healthy", "loop {}", "--timeout", "1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ran longer than 1.0 s"), "{}", r.stderr);
}

#[test]
fn a_case_that_names_an_unknown_check_or_an_undeclared_status_is_explained() {
    let tmp = tempfile::tempdir().expect("tempdir");
    run_in(tmp.path(), &["rules", "new", "mail-rule", "--dir", "r"]);
    let expect = tmp.path().join("r/mail-rule.tests/passes/expect.json");
    std::fs::write(&expect, r#"{ "checks": { "mail-rul": "pass" } }"#).expect("write");
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "r"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("`mail-rul` is not a check of mail-rule; did you mean `mail-rule`?"),
        "{}",
        r.stdout
    );

    std::fs::write(&expect, r#"{ "checks": { "mail-rule": "warn" } }"#).expect("write");
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "r"]);
    assert!(
        r.stdout.contains(
            "expects mail-rule = warn, which META.checks.mail-rule.statuses does not list"
        ),
        "{}",
        r.stdout
    );

    std::fs::write(&expect, r#"{ "checks": { "mail-rule": "skipped" } }"#).expect("write");
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "r"]);
    assert!(
        r.stdout
            .contains("checks.mail-rule: unknown status `skipped`"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_constant_read_inside_a_function_without_global_gets_a_hint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("const-rule.rhai"),
        "const META = #{ faq: 9, title: #{ja: \"t\", en: \"t\"}, description: #{ja: \"d\", en: \"d\"},\n  checks: #{ \"c\": #{ statuses: [\"pass\"], remedy: #{ja: \"r\", en: \"r\"} } } };\nconst CHECK = \"c\";\nfn audit(doc) { [pass(CHECK, \"ok\")] }\n",
    )
    .expect("write");
    let r = run_in(tmp.path(), &["rules", "check", "--rules", "."]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("./const-rule.rhai:4:23:") && r.stderr.contains("global::CHECK"),
        "{}",
        r.stderr
    );
}

#[test]
fn rules_new_never_writes_through_a_link_even_a_dangling_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outside = tempfile::tempdir().expect("outside");
    let target = outside.path().join("planted.rhai");
    std::fs::create_dir(tmp.path().join("r")).expect("mkdir");
    std::os::unix::fs::symlink(&target, tmp.path().join("r/evil.rhai")).expect("symlink");
    let r = run_in(tmp.path(), &["rules", "new", "evil", "--dir", "r"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert!(!target.exists(), "rules new wrote through the link");
    // A link in place of the cases directory is refused the same way.
    std::os::unix::fs::symlink(outside.path(), tmp.path().join("r/other.tests")).expect("symlink");
    let r = run_in(tmp.path(), &["rules", "new", "other", "--dir", "r"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(std::fs::read_dir(outside.path()).expect("ls").count(), 0);
}

#[test]
fn a_rule_with_a_huge_literal_is_refused_at_once_naming_the_limit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let checks: Vec<String> = (0..100_000)
        .map(|i| {
            format!("\"c{i}\": #{{ statuses: [\"pass\"], remedy: #{{ja: \"r\", en: \"r\"}} }}")
        })
        .collect();
    let src = format!(
        "const META = #{{ faq: 9, title: #{{ja: \"t\", en: \"t\"}}, description: #{{ja: \"d\", en: \"d\"}},\n  checks: #{{ {} }} }};\nfn audit(doc) {{ [pass(\"c0\", \"ok\")] }}\n",
        checks.join(",\n")
    );
    std::fs::write(tmp.path().join("huge.rhai"), src).expect("write");
    let rules = tmp.path().display().to_string();
    // Rhai compares each key of a map literal with all before it; uncapped, this took minutes.
    let r = run(&["rules", "check", "--rules", &rules]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(out.contains("huge.rhai:1026:"), "{out}");
    assert!(out.contains("exceeds the maximum limit (1024)"), "{out}");
}

#[test]
fn an_assignment_into_a_constant_is_refused_by_rules_check_at_its_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("consts.rhai"),
        "const META = #{ faq: 9, title: #{ja: \"t\", en: \"t\"}, description: #{ja: \"d\", en: \"d\"},\n  checks: #{ \"c\": #{ statuses: [\"pass\"], remedy: #{ja: \"r\", en: \"r\"} } } };\nfn audit(doc) {\n    const M = #{};\n    M.x = 1;\n    [pass(\"c\", `${M}`)]\n}\n",
    )
    .expect("write");
    let rules = tmp.path().display().to_string();
    let r = run(&["rules", "check", "--rules", &rules]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert!(
        out.contains("consts.rhai:5:5: assignment into the constant `M`"),
        "{out}"
    );
}

#[test]
fn rules_test_reports_a_rule_that_does_not_compile_once_with_a_suggestion() {
    let tmp = tempfile::tempdir().expect("tmp");
    let r = run_in(tmp.path(), &["rules", "new", "typo-rule", "--rules", "r"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = tmp.path().join("r/typo-rule.rhai");
    let src = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        src.replace("where_missing(users", "where_mising(users"),
    )
    .expect("write");
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "r"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("FAIL").count(), 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL typo-rule/(compile)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("unknown function `where_mising`, did you mean `where_missing`?"),
        "{}",
        r.stdout
    );
}

#[test]
fn rules_new_writes_a_case_for_each_status_asked_for_and_they_pass() {
    let tmp = tempfile::tempdir().expect("tmp");
    let r = run_in(
        tmp.path(),
        &[
            "rules",
            "new",
            "users-have-agents",
            "--rules",
            "r",
            "--statuses",
            "pass,warn,skip",
            "--needs",
            "crm.users,desk.agents",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let src = std::fs::read_to_string(tmp.path().join("r/users-have-agents.rhai")).expect("read");
    assert!(
        src.contains(r#"statuses: ["pass", "warn", "skip"]"#),
        "{src}"
    );
    assert!(
        src.contains(r#"needs: ["crm.users", "desk.agents"]"#),
        "{src}"
    );
    assert!(!src.contains("faq: 99"), "{src}");
    for case in ["passes", "warns", "skips-without-crm-users"] {
        assert!(
            tmp.path()
                .join("r/users-have-agents.tests")
                .join(case)
                .join("expect.json")
                .exists(),
            "{case}"
        );
    }
    let r = run_in(tmp.path(), &["rules", "test", "--rules", "r"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ok   users-have-agents/(coverage)"),
        "{}",
        r.stdout
    );
    // A status that is no status, and a part that is no part, are usage errors.
    let r = run_in(
        tmp.path(),
        &[
            "rules", "new", "x-rule", "--rules", "r", "--needs", "crm.user",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `crm.users`?"),
        "{}",
        r.stderr
    );
    let r = run_in(
        tmp.path(),
        &[
            "rules",
            "new",
            "x-rule",
            "--rules",
            "r",
            "--statuses",
            "pass,error",
        ],
    );
    assert_eq!(r.code, 2);
}

#[test]
fn a_call_rules_check_cannot_see_fails_at_run_time_with_the_file_line_and_a_suggestion() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("dyn-call.rhai"),
        "const META = #{ title: #{ja: \"t\", en: \"t\"}, description: #{ja: \"d\", en: \"d\"},\n  checks: #{ \"c\": #{ statuses: [\"pass\"], remedy: #{ja: \"r\", en: \"r\"} } } };\nfn audit(doc) {\n    let f = Fn(\"where_eqq\");\n    f.call(doc.crm.users, \"status\", \"active\");\n    [pass(\"c\", \"ok\")]\n}\n",
    )
    .expect("write");
    let rules = tmp.path().display().to_string();
    let r = run(&[
        "audit",
        "fixtures/healthy",
        "--rules",
        &rules,
        "--only",
        "dyn-call",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).expect("json");
    let msg = json["exports"][0]["results"][0]["findings"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        msg.contains("dyn-call.rhai:5:7: unknown function `where_eqq`, did you mean `where_eq`?"),
        "{msg}"
    );
}

#[test]
fn rules_check_and_rules_test_speak_japanese_with_lang_ja() {
    let r = run(&["rules", "check", "--lang", "ja"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("ルール 8 件はすべてコンパイルでき"),
        "{}",
        r.stdout
    );
    let r = run(&["rules", "test", "--rules", "rules", "--lang", "ja"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("ルールのテストケース: 成功"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("rule cases:"), "{}", r.stdout);
}
