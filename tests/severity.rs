//! Check severities (META `severity`) in the reports, `--fail-on SEVERITY`, and
//! `--profile` (issue 14).

mod common;

use common::{NOW, json_of, run};
use serde_json::Value;
use std::path::Path;

const PAUSED: &str = "fixtures/faq7-sync-paused";

fn json(args: &[&str]) -> Value {
    json_of(&run(args))
}

/// The findings of the first export, by check name.
fn finding<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["exports"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .flat_map(|r| r["findings"].as_array().expect("findings"))
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no finding of {check}"))
}

/// `rules/` with sync-running's META edited by `edit`, in a scratch directory.
fn edited_rules(dir: &Path, edit: impl Fn(&str) -> String) -> String {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/sync-running.rhai"),
    )
    .expect("rule");
    std::fs::write(rules.join("sync-running.rhai"), edit(&source)).expect("write");
    rules.display().to_string()
}

#[test]
fn severity_is_in_json_sarif_and_table() {
    let report = json(&["audit", PAUSED, "--format", "json", "--now", NOW]);
    assert_eq!(finding(&report, "sync-running")["severity"], "high");
    assert_eq!(finding(&report, "admin-profile")["severity"], "critical");
    assert_eq!(finding(&report, "contacts-have-email")["severity"], "low");

    let sarif = json(&["audit", PAUSED, "--format", "sarif", "--now", NOW]);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["check"], "sync-running");
    assert_eq!(result["properties"]["severity"], "high");
    // SARIF's level still follows the status.
    assert_eq!(result["level"], "error");

    let en = run(&["audit", PAUSED, "--now", NOW, "--lang", "en"]);
    assert!(en.stdout.contains("fail (high)"), "{}", en.stdout);
    let ja = run(&["audit", PAUSED, "--now", NOW, "--lang", "ja"]);
    assert!(ja.stdout.contains("要対応 (高)"), "{}", ja.stdout);
}

#[test]
fn fail_on_a_severity_counts_warn_and_fail_of_that_severity_or_above() {
    let code = |level: &str| run(&["audit", PAUSED, "--now", NOW, "--fail-on", level]).code;
    // sync-running fails, and is high.
    assert_eq!(code("high"), 1);
    assert_eq!(code("medium"), 1);
    assert_eq!(code("critical"), 0);
    // The statuses work as before.
    assert_eq!(code("fail"), 1);
    assert_eq!(code("never"), 0);
}

#[test]
fn the_pre_migration_profile_runs_its_rules_and_fails_on_a_warn() {
    let r = run(&[
        "audit",
        "fixtures/faq8-delete-propagates",
        "--profile",
        "pre-migration",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    let mut rules: Vec<&str> = report["exports"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["rule"].as_str().expect("rule"))
        .collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        [
            "crm-delete-keeps-desk-records",
            "integration-prerequisites",
            "sync-running"
        ]
    );
    assert_eq!(
        finding(&report, "crm-delete-keeps-desk-records")["status"],
        "warn"
    );
    // Without the profile a warn does not fail; an explicit --fail-on beats the profile's.
    let code = |args: &[&str]| {
        let mut all = vec!["audit", "fixtures/faq8-delete-propagates", "--now", NOW];
        all.extend_from_slice(args);
        run(&all).code
    };
    assert_eq!(code(&[]), 0);
    assert_eq!(
        code(&["--profile", "pre-migration", "--fail-on", "fail"]),
        0
    );
    assert_eq!(code(&["--profile", "support-triage"]), 0);
}

#[test]
fn profiles_combine_with_only_and_skip_and_an_unknown_one_is_a_usage_error() {
    let r = run(&["audit", PAUSED, "--profile", "nightly"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("pre-migration") && r.stderr.contains("support-triage"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "audit",
        PAUSED,
        "--profile",
        "pre-migration",
        "--only",
        "contacts-have-email",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a rule of profile"), "{}", r.stderr);
    let report = json(&[
        "audit",
        PAUSED,
        "--profile",
        "pre-migration",
        "--skip",
        "sync-running",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    let results = report["exports"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
}

#[test]
fn an_unknown_severity_is_a_rules_check_error_naming_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = edited_rules(dir.path(), |s| {
        s.replace(r#"severity: "high""#, r#"severity: "urgent""#)
    });
    let line = std::fs::read_to_string(Path::new(&rules).join("sync-running.rhai"))
        .expect("rule")
        .lines()
        .position(|l| l.contains("urgent"))
        .expect("edited")
        + 1;
    let r = run(&["rules", "check", "--rules", &rules]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains(&format!(
            "sync-running.rhai:{line}:1: META: unknown severity `urgent`"
        )),
        "{all}"
    );
}

#[test]
fn a_check_without_a_severity_is_medium() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = edited_rules(dir.path(), |s| {
        s.lines()
            .filter(|l| !l.trim_start().starts_with("severity:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let report = json(&[
        "audit", PAUSED, "--rules", &rules, "--format", "json", "--now", NOW,
    ]);
    assert_eq!(finding(&report, "sync-running")["severity"], "medium");
    let r = run(&[
        "rules",
        "explain",
        "sync-running",
        "--rules",
        &rules,
        "--lang",
        "en",
    ]);
    assert!(r.stdout.contains("Severity: medium"), "{}", r.stdout);
}
