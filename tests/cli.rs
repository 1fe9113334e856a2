//! The command line as users and CI scripts see it: exit statuses, the JSON report's
//! shape, the fixtures' verdicts, the table, languages, output files and secrets.

mod common;

use common::{NOW, audit_json, bin, run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Each check's status in one result: the worst of its findings.
fn check_statuses(result: &Value) -> BTreeMap<String, String> {
    let order = ["skip", "pass", "warn", "fail", "error"];
    let rank = |s: &str| order.iter().position(|o| *o == s).unwrap_or(0);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in result["findings"].as_array().expect("findings") {
        let check = f["check"].as_str().expect("check").to_owned();
        let status = f["status"].as_str().expect("status").to_owned();
        let slot = out.entry(check).or_insert_with(|| status.clone());
        if rank(&status) > rank(slot) {
            *slot = status;
        }
    }
    out
}

#[test]
fn every_fixture_gets_the_verdicts_written_in_fixtures_expected_json() {
    let expected: BTreeMap<String, BTreeMap<String, Value>> = serde_json::from_str(
        &std::fs::read_to_string("tests/data/fixtures-expected.json")
            .expect("tests/data/fixtures-expected.json"),
    )
    .expect("expected.json parses");
    assert!(expected.len() >= 15, "expected.json covers the fixtures");
    let mut problems = Vec::new();
    for (fixture, rules) in &expected {
        let (_, json, _) = audit_json(fixture, &[]);
        let results = json["exports"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (rule, want) in rules {
            let Some(got) = results.iter().find(|r| r["rule"] == rule.as_str()) else {
                problems.push(format!("{fixture}: no result for {rule}"));
                continue;
            };
            if got["status"] != want["status"] {
                problems.push(format!(
                    "{fixture}: {rule} is {} (expected {}): {}",
                    got["status"], want["status"], got["findings"]
                ));
            }
            let actual = check_statuses(got);
            if let Some(checks) = want.get("checks").and_then(Value::as_object) {
                for (check, status) in checks {
                    if actual.get(check).map(String::as_str) != status.as_str() {
                        problems.push(format!(
                            "{fixture}: {rule}/{check} is {:?} (expected {status})",
                            actual.get(check)
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_json_report_has_the_shape_of_cli_md() {
    let (code, json, _) = audit_json("fixtures/faq7-sync-paused", &[]);
    assert_eq!(code, 1);
    assert_eq!(json["schema_version"], 2);
    let exports = json["exports"].as_array().expect("exports");
    assert_eq!(exports.len(), 1);
    let e = &exports[0];
    assert_eq!(e["path"], "fixtures/faq7-sync-paused");
    assert_eq!(e["status"], "fail");
    let results = e["results"].as_array().expect("results");
    assert_eq!(results.len(), 8);
    let faqs: Vec<u64> = results
        .iter()
        .map(|r| r["faq"].as_u64().expect("faq"))
        .collect();
    assert_eq!(faqs, [1, 2, 3, 4, 5, 6, 7, 8], "results in FAQ order");
    let statuses = ["pass", "warn", "fail", "skip", "error"];
    for r in results {
        for key in ["rule", "title", "status", "findings"] {
            assert!(r.get(key).is_some(), "result lacks {key}: {r}");
        }
        assert!(statuses.contains(&r["status"].as_str().unwrap_or("")));
        for f in r["findings"].as_array().expect("findings") {
            assert!(f["check"].is_string() && f["message"].is_string(), "{f}");
            assert!(statuses.contains(&f["status"].as_str().unwrap_or("")));
            for p in f["evidence"].as_array().expect("evidence") {
                assert!(
                    p.as_str()
                        .is_some_and(|p| p.is_empty() || p.starts_with('/')),
                    "{p}"
                );
            }
        }
    }
    let sync = results
        .iter()
        .find(|r| r["rule"] == "sync-running")
        .expect("sync-running");
    assert_eq!(sync["status"], "fail");
    assert_eq!(
        sync["findings"][0]["evidence"][0],
        "/integration/crm/sync/status"
    );

    let s = &json["summary"];
    let count = |st: &str| results.iter().filter(|r| r["status"] == st).count() as u64;
    assert_eq!(s["exports"], 1);
    for st in statuses {
        assert_eq!(s[st].as_u64(), Some(count(st)), "summary.{st}");
    }
}

#[test]
fn exit_statuses_follow_cli_md() {
    let code = |args: &[&str]| run(args).code;
    assert_eq!(
        code(&["audit", "fixtures/healthy", "--now", NOW]),
        0,
        "healthy"
    );
    assert_eq!(
        code(&["audit", "fixtures/faq7-sync-paused", "--now", NOW]),
        1,
        "a fail"
    );
    assert_eq!(
        code(&[
            "audit",
            "fixtures/faq7-sync-paused",
            "--now",
            NOW,
            "--fail-on",
            "never"
        ]),
        0
    );
    assert_eq!(
        code(&["audit", "fixtures/faq8-delete-propagates", "--now", NOW]),
        0,
        "a warn"
    );
    assert_eq!(
        code(&[
            "audit",
            "fixtures/faq8-delete-propagates",
            "--now",
            NOW,
            "--fail-on",
            "warn"
        ]),
        1
    );
    assert_eq!(
        code(&["audit", "fixtures/broken-json", "--now", NOW]),
        2,
        "a load error"
    );
    assert_eq!(
        code(&["audit", "fixtures/saved-api-error", "--now", NOW]),
        2,
        "a rule in error"
    );
    assert_eq!(
        code(&["audit", "fixtures/healthy", "--now", "2026-11-24T09:00:00"]),
        2,
        "--now without offset"
    );
    assert_eq!(
        code(&["audit", "fixtures/healthy", "--only", "sync-runing"]),
        2,
        "unknown rule id"
    );
    assert_eq!(
        code(&[
            "audit",
            "fixtures/healthy",
            "--only",
            "sync-running",
            "--skip",
            "sync-running"
        ]),
        2,
        "no rules at all"
    );
    assert_eq!(
        code(&["audit", "fixtures/no-such-export"]),
        2,
        "missing path"
    );
    assert_eq!(
        code(&["audit", "fixtures/healthy", "--format", "yaml"]),
        2,
        "unknown format"
    );
}

#[test]
fn usage_errors_say_what_to_do() {
    let r = run(&["audit", "fixtures/healthy", "--now", "tomorrow"]);
    assert!(
        r.stderr.contains("--now tomorrow") && r.stderr.contains("+09:00"),
        "{}",
        r.stderr
    );
    let r = run(&["audit", "fixtures/healthy", "--only", "sync-runing"]);
    assert!(
        r.stderr.contains("Did you mean `sync-running`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_malformed_file_is_reported_with_file_line_and_column() {
    let (code, json, _) = audit_json("fixtures/broken-json", &[]);
    assert_eq!(code, 2);
    let e = &json["exports"][0];
    assert_eq!(e["status"], "error");
    assert!(
        e.get("results").is_none(),
        "no results for an export that did not load"
    );
    let msg = e["error"].as_str().expect("error message");
    assert!(msg.starts_with("fixtures/broken-json/"), "{msg}");
    let loc: Vec<&str> = msg.splitn(4, ':').collect();
    assert!(
        loc.len() == 4 && loc[1].parse::<u32>().is_ok() && loc[2].parse::<u32>().is_ok(),
        "{msg}"
    );
    assert_eq!(json["summary"]["error"], 1);
}

#[test]
fn a_batch_directory_audits_every_export_in_path_order_even_when_one_fails() {
    let (code, json, _) = audit_json("fixtures/batch", &[]);
    let exports = json["exports"].as_array().expect("exports");
    assert!(exports.len() >= 3, "{json}");
    let paths: Vec<&str> = exports
        .iter()
        .map(|e| e["path"].as_str().expect("path"))
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
    for e in exports {
        assert!(
            e["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("fixtures/batch/"))
        );
        if e["status"] != "error" {
            assert_eq!(e["results"].as_array().map(Vec::len), Some(8), "{e}");
        }
    }
    assert_eq!(
        json["summary"]["exports"].as_u64(),
        Some(exports.len() as u64)
    );
    assert!(code == 0 || code == 1 || code == 2);

    // No progress bar when stderr is not a terminal (pipes, CI logs).
    let r = run(&["audit", "fixtures/batch", "--format", "json", "--now", NOW]);
    assert!(
        !r.stderr.contains("auditing") && !r.stderr.contains('\x1b'),
        "{}",
        r.stderr
    );

    // Several paths on the command line, one of them broken: the others still run.
    let (code, json, _) = audit_json("fixtures/healthy", &["fixtures/broken-json"]);
    assert_eq!(code, 2);
    let statuses: Vec<&str> = json["exports"]
        .as_array()
        .expect("exports")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        ["error", "pass"],
        "broken-json sorts before healthy"
    );
}

#[test]
fn the_table_puts_problems_first_and_ends_with_a_summary() {
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
        "--lang",
        "en",
    ]);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains('\x1b'), "no colour off a terminal");
    insta::assert_snapshot!("table_faq7_en", r.stdout);
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
        "--lang",
        "ja",
    ]);
    insta::assert_snapshot!("table_faq7_ja", r.stdout);
}

#[test]
fn lang_defaults_to_japanese_when_lang_starts_with_ja() {
    let out = bin()
        .args([
            "audit",
            "fixtures/faq7-sync-paused",
            "--format",
            "json",
            "--now",
            NOW,
        ])
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .expect("run");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let title = json["exports"][0]["results"][6]["title"]
        .as_str()
        .expect("title");
    assert!(title.chars().any(|c| c as u32 > 0x3000), "{title}");
    let (_, en, _) = audit_json("fixtures/faq7-sync-paused", &["--lang", "en"]);
    let title = en["exports"][0]["results"][6]["title"]
        .as_str()
        .expect("title");
    assert!(title.is_ascii(), "{title}");
}

#[test]
fn output_goes_to_the_file_and_not_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("report.json");
    let r = run(&[
        "audit",
        "fixtures/healthy",
        "--format",
        "json",
        "--now",
        NOW,
        "--output",
        target.to_str().expect("path"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&target).expect("report")).expect("json");
    assert_eq!(json["exports"][0]["status"], "pass");
}

#[test]
fn secrets_in_an_export_never_appear_in_any_output() {
    for format in ["table", "json"] {
        let r = run(&[
            "audit",
            "fixtures/with-secrets",
            "--format",
            format,
            "--now",
            NOW,
        ]);
        for secret in ["SECRET-TOKEN", "SECRET-CLIENT"] {
            assert!(
                !r.stdout.contains(secret) && !r.stderr.contains(secret),
                "{format}: {secret} leaked"
            );
        }
        assert!(!r.stdout.is_empty());
    }
    assert!(
        std::fs::read_to_string("fixtures/with-secrets/integration.json")
            .expect("fixture")
            .contains("SECRET-CLIENT"),
        "the fixture really holds the secret"
    );
}

#[test]
fn the_built_in_rules_work_without_a_rules_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/faq7-sync-paused");
    let out = bin()
        .current_dir(dir.path())
        .args([
            "audit",
            export.to_str().expect("path"),
            "--format",
            "json",
            "--now",
            NOW,
        ])
        .output()
        .expect("run");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["exports"][0]["results"].as_array().map(Vec::len),
        Some(8)
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_rules_directory_overrides_a_built_in_rule_by_id_and_adds_new_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("sync-running.rhai"),
        r#"const META = #{ faq: 7, title: #{ja: "上書き", en: "Overridden"}, description: #{ja: "d", en: "d"},
            checks: #{ "sync-running": #{ statuses: ["pass"], remedy: #{ja: "-", en: "-"} } } };
           fn audit(doc) { [pass("sync-running", "always fine here")] }"#,
    )
    .expect("write rule");
    let (code, json, _) = audit_json(
        "fixtures/faq7-sync-paused",
        &[
            "--rules",
            dir.path().to_str().expect("path"),
            "--lang",
            "en",
        ],
    );
    let sync = &json["exports"][0]["results"][6];
    assert_eq!(sync["title"], "Overridden");
    assert_eq!(sync["status"], "pass");
    assert_eq!(code, 0);
}

#[test]
fn only_and_skip_choose_the_rules_that_run() {
    let (_, json, _) = audit_json(
        "fixtures/healthy",
        &["--only", "sync-running", "--only", "contacts-have-email"],
    );
    let ids: Vec<&str> = json["exports"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(ids, ["contacts-have-email", "sync-running"]);
    let (_, json, _) = audit_json("fixtures/healthy", &["--skip", "sync-running"]);
    assert_eq!(
        json["exports"][0]["results"].as_array().map(Vec::len),
        Some(7)
    );
}

#[test]
fn a_rule_that_does_not_compile_is_reported_as_path_line_col_and_the_others_still_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("broken-rule.rhai"),
        "const META = #{ faq: 9 };\nfn audit(doc) { let x = ; }\n",
    )
    .expect("write rule");
    let r = run(&[
        "audit",
        "fixtures/healthy",
        "--format",
        "json",
        "--now",
        NOW,
        "--rules",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(r.code, 2);
    let expected = format!("{}:2:", dir.path().join("broken-rule.rhai").display());
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).expect("json");
    let results = json["exports"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 9);
    assert_eq!(results.iter().filter(|r| r["status"] == "error").count(), 1);
}

/// Runs the audit on a pseudo-terminal (util-linux `script`); `None` where `script` is missing.
fn on_terminal(no_color: bool) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_crmdesk-audit");
    let cmd = format!("{bin} audit fixtures/faq7-sync-paused --now {NOW} --only sync-running");
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &cmd, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CI")
        .env_remove("NO_COLOR");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let out = c.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn status_is_coloured_on_a_terminal_unless_no_color_is_set() {
    let Some(coloured) = on_terminal(false) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(coloured.contains("sync-running"), "{coloured}");
    assert!(
        coloured.contains("\x1b["),
        "a terminal gets colour: {coloured:?}"
    );
    let plain = on_terminal(true).expect("script ran before");
    assert!(
        plain.contains("sync-running") && !plain.contains("\x1b["),
        "{plain:?}"
    );
}

#[test]
fn check_counts_are_given_per_export_and_in_the_summary() {
    let (_, json, _) = audit_json("fixtures/single-file-trial.json", &[]);
    let (_, both, _) = audit_json(
        "fixtures/single-file-trial.json",
        &["fixtures/faq7-sync-paused"],
    );
    let statuses = ["pass", "warn", "fail", "skip", "error"];
    for doc in [&json, &both] {
        let mut summed = BTreeMap::new();
        for e in doc["exports"].as_array().expect("exports") {
            // Recount from the findings: one status per check, the worst of its findings.
            let mut want: BTreeMap<&str, u64> = statuses.iter().map(|s| (*s, 0)).collect();
            for r in e["results"].as_array().expect("results") {
                for st in check_statuses(r).values() {
                    *want.get_mut(st.as_str()).expect("known status") += 1;
                }
            }
            for s in statuses {
                assert_eq!(
                    e["checks"][s].as_u64(),
                    Some(want[s]),
                    "{s} in {}",
                    e["checks"]
                );
                *summed.entry(s).or_insert(0) += want[s];
            }
        }
        for s in statuses {
            assert_eq!(doc["summary"]["checks"][s].as_u64(), Some(summed[s]), "{s}");
        }
    }
    // The trial export skips 6 of its 13 checks; faq7 fails one.
    assert_eq!(json["exports"][0]["checks"]["skip"], 6);
    assert_eq!(both["summary"]["checks"]["fail"], 1);
}

#[test]
fn an_export_with_skipped_checks_is_never_headed_as_a_bare_pass() {
    let trial = "fixtures/single-file-trial.json";
    for (lang, format, heading, why) in [
        (
            "en",
            "table",
            "[pass, 6 of 13 checks skipped]",
            "6 of 13 checks were not run",
        ),
        (
            "ja",
            "table",
            "(確認項目 13件中 6件は未確認)]",
            "必要なデータがエクスポートに含まれていない",
        ),
        (
            "en",
            "markdown",
            ": pass, 6 of 13 checks skipped",
            "6 of 13 checks were not run",
        ),
        (
            "ja",
            "markdown",
            "(確認項目 13件中 6件は未確認)",
            "必要なデータがエクスポートに含まれていない",
        ),
    ] {
        let r = run(&[
            "audit", trial, "--now", NOW, "--lang", lang, "--format", format,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains(heading), "{lang} {format}: {}", r.stdout);
        assert!(r.stdout.contains(why), "{lang} {format}: {}", r.stdout);
        assert!(
            !r.stdout.contains("[pass]\n") && !r.stdout.contains("`: pass\n"),
            "{}",
            r.stdout
        );
    }
    // Nothing skipped: the plain status, and no note.
    let r = run(&["audit", "fixtures/healthy", "--now", NOW]);
    assert!(
        r.stdout.contains("fixtures/healthy  [pass]\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("were not run"), "{}", r.stdout);
}

#[test]
fn a_truncated_list_is_named_in_the_report_and_never_passes_or_calls_links_corrupted() {
    let (_, json, _) = audit_json("fixtures/v8-truncated-contacts", &[]);
    let e = &json["exports"][0];
    assert_eq!(e["truncated"], serde_json::json!(["crm.contacts"]));
    for r in e["results"].as_array().expect("results") {
        for f in r["findings"].as_array().expect("findings") {
            let msg = f["message"].as_str().unwrap_or_default();
            if f["check"] == "link-integrity" {
                assert_eq!(f["status"], "skip", "{f}");
                assert!(msg.contains("incomplete"), "{msg}");
            }
            if f["check"] == "contacts-have-email" {
                assert_ne!(f["status"], "pass", "{f}");
                assert!(!msg.starts_with("All "), "{msg}");
            }
        }
    }
}
