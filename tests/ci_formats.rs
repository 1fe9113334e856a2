//! The CI formats (junit, sarif, markdown, github), several reports from one audit,
//! waivers with expiry, and `diff`.

mod common;

use common::{NOW, run};
use serde_json::Value;
use std::path::Path;

/// 1-based line of the first line containing `needle` in `file`.
fn line_of(file: &str, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .expect("fixture")
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .expect("needle in file")
}

#[test]
fn junit_has_one_case_per_export_and_rule_with_failures_errors_and_skips() {
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "fixtures/broken-json",
        "--format",
        "junit",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 2);
    let x = &r.stdout;
    assert!(x.starts_with("<?xml"), "{x}");
    assert_eq!(
        x.matches("<testcase ").count(),
        8 + 1,
        "8 rules + 1 load error:\n{x}"
    );
    assert!(
        x.contains("<testcase name=\"sync-running\" classname=\"fixtures/faq7-sync-paused\">"),
        "{x}"
    );
    assert_eq!(x.matches("<failure").count(), 1, "{x}");
    assert!(
        x.contains("<testcase name=\"load\" classname=\"fixtures/broken-json")
            && x.contains("<error"),
        "{x}"
    );

    let r = run(&[
        "audit",
        "fixtures/faq8-delete-propagates",
        "--format",
        "junit",
        "--now",
        NOW,
    ]);
    assert!(
        r.stdout
            .contains("[warn high] crm-delete-keeps-desk-records"),
        "warnings are in the output: {}",
        r.stdout
    );
    let r = run(&[
        "audit",
        "fixtures/single-file-trial.json",
        "--format",
        "junit",
        "--now",
        NOW,
    ]);
    assert!(r.stdout.contains("<skipped"), "{}", r.stdout);
}

#[test]
fn sarif_locates_each_finding_at_the_exact_line_of_the_setting() {
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--format",
        "sarif",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 8);
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty()))
    );
    let results = run0["results"].as_array().expect("results");
    let sync = results
        .iter()
        .find(|r| r["ruleId"] == "sync-running")
        .expect("sync result");
    assert_eq!(sync["level"], "error");
    let loc = &sync["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "fixtures/faq7-sync-paused/integration.json"
    );
    let want = line_of("fixtures/faq7-sync-paused/integration.json", "\"status\"");
    assert_eq!(
        loc["region"]["startLine"].as_u64(),
        Some(want as u64),
        "{loc}"
    );
    assert!(
        results.iter().all(|r| r["level"] != "none"),
        "passes are not results"
    );
    let idx = sync["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[idx]["id"], "sync-running");
}

#[test]
fn github_annotations_point_at_the_file_and_line() {
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--format",
        "github",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 1);
    let want = line_of("fixtures/faq7-sync-paused/integration.json", "\"status\"");
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("sync-running"))
        .expect("an annotation for sync-running");
    assert!(
        line.starts_with(&format!(
            "::error file=fixtures/faq7-sync-paused/integration.json,line={want},col="
        )),
        "{line}"
    );
    assert!(
        line.contains("title=FAQ 7 sync-running / sync-running (high)::"),
        "{line}"
    );
    assert!(!r.stdout.contains("::notice") || r.stdout.lines().all(|l| l.starts_with("::")));
}

#[test]
fn markdown_is_a_pasteable_table() {
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--format",
        "markdown",
        "--now",
        NOW,
        "--lang",
        "en",
    ]);
    assert!(
        r.stdout
            .starts_with("# Zoho CRM - Zoho Desk integration audit"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("| FAQ | Rule | Check | Status | Message |")
    );
    assert!(r.stdout.contains("| 7 | sync-running — "), "{}", r.stdout);
    assert!(
        r.stdout.contains("| sync-running | **fail (high)** |"),
        "{}",
        r.stdout
    );
}

#[test]
fn several_reports_come_from_one_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("r.sarif");
    let junit = dir.path().join("j.xml");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
        "--report",
        &format!("sarif={}", sarif.display()),
        "--report",
        &format!("junit={}", junit.display()),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("│ sync-running"),
        "the table on stdout: {}",
        r.stdout
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("json");
    assert_eq!(v["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(&junit)
            .expect("junit")
            .contains("<failure")
    );
    let r = run(&["audit", "fixtures/healthy", "--report", "yaml=x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a format"), "{}", r.stderr);
}

#[test]
fn a_report_in_the_main_format_is_the_same_text_as_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    let table = dir.path().join("t.txt");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
        "--format",
        "json",
        "--report",
        &format!("json={}", json.display()),
        "--report",
        &format!("table={}", table.display()),
    ]);
    assert_eq!(r.code, 1);
    let written = std::fs::read_to_string(&json).expect("json report");
    assert!(written.contains("\"sync-running\""), "{written}");
    assert_eq!(written, r.stdout);
    let table = std::fs::read_to_string(&table).expect("table report");
    assert!(table.contains("sync-running"), "{table}");
    assert_ne!(table, r.stdout);
}

fn waivers_file(dir: &Path, expires: &str, check: &str) -> String {
    let p = dir.join("waivers.json");
    std::fs::write(
        &p,
        format!(
            r#"{{"waivers": [{{"rule": "sync-running", "check": "{check}", "evidence": "/integration/crm/*",
               "reason": "sync paused during the migration", "owner": "ops@example.com", "expires": "{expires}"}}]}}"#
        ),
    )
    .expect("write");
    p.display().to_string()
}

#[test]
fn a_waiver_in_force_accepts_the_finding_and_the_exit_status_ignores_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = waivers_file(dir.path(), "2026-12-31", "sync-running");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--waivers",
        &w,
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let sync = &v["exports"][0]["results"][6];
    assert_eq!(sync["status"], "pass");
    assert_eq!(
        sync["findings"][0]["status"], "fail",
        "the finding keeps its own status"
    );
    assert_eq!(sync["findings"][0]["waiver"]["owner"], "ops@example.com");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--waivers",
        &w,
        "--now",
        NOW,
        "--lang",
        "en",
    ]);
    assert!(
        r.stdout.contains("waived") && r.stdout.contains("ops@example.com"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_expired_waiver_stops_applying_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = waivers_file(dir.path(), "2026-11-23", "sync-running");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--waivers",
        &w,
        "--now",
        NOW,
        "--lang",
        "en",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("expired on 2026-11-23"), "{}", r.stderr);
    assert!(r.stdout.contains("fail (waiver expired)"), "{}", r.stdout);
}

#[test]
fn a_waiver_that_matches_nothing_is_reported_and_a_malformed_one_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = waivers_file(dir.path(), "2026-12-31", "no-such-check");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--waivers",
        &w,
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("waiver #1 (sync-running / no-such-check) matched no finding"),
        "{}",
        r.stderr
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["waivers"]["unmatched"][0]["number"], 1);

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"waivers": [{"rule": "sync-running", "check": "sync-running", "reason": "r", "expires": "2026-12-31"}]}"#)
        .expect("write");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--waivers",
        bad.to_str().expect("path"),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("waiver #1 (rule sync-running)") && r.stderr.contains("owner"),
        "{}",
        r.stderr
    );
}

#[test]
fn diff_reports_what_got_worse_and_better_and_gates_on_worse() {
    let r = run(&[
        "diff",
        "fixtures/healthy",
        "fixtures/faq7-sync-paused",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let changes = v["changes"].as_array().expect("changes");
    let sync = changes
        .iter()
        .find(|c| c["check"] == "sync-running")
        .expect("sync");
    assert_eq!(
        (
            sync["before"].as_str(),
            sync["after"].as_str(),
            sync["change"].as_str()
        ),
        (Some("pass"), Some("fail"), Some("worse"))
    );
    assert_eq!(v["summary"]["worse"], 1);
    assert_eq!(
        v["summary"]["same"].as_u64(),
        Some(changes.len() as u64 - 1)
    );

    let r = run(&[
        "diff",
        "fixtures/faq7-sync-paused",
        "fixtures/healthy",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("better") && r.stdout.contains("1 better"),
        "{}",
        r.stdout
    );

    // A new warning blocks only with --fail-on warn.
    assert_eq!(
        run(&[
            "diff",
            "fixtures/healthy",
            "fixtures/faq8-delete-propagates",
            "--now",
            NOW
        ])
        .code,
        0
    );
    assert_eq!(
        run(&[
            "diff",
            "fixtures/healthy",
            "fixtures/faq8-delete-propagates",
            "--now",
            NOW,
            "--fail-on",
            "warn"
        ])
        .code,
        1
    );
    let r = run(&[
        "diff",
        "fixtures/healthy",
        "fixtures/faq7-sync-paused",
        "--format",
        "markdown",
        "--now",
        NOW,
    ]);
    assert!(
        r.stdout
            .contains("| worse | 7 | sync-running | sync-running | pass | fail |"),
        "{}",
        r.stdout
    );
    assert_eq!(
        run(&["diff", "fixtures/healthy", "fixtures/broken-json"]).code,
        2
    );
}

#[test]
fn json_findings_carry_the_remedy_apart_from_the_message() {
    for lang in ["en", "ja"] {
        let r = run(&[
            "audit",
            "fixtures/faq7-sync-paused",
            "--format",
            "json",
            "--now",
            NOW,
            "--lang",
            lang,
        ]);
        let v: Value = serde_json::from_str(&r.stdout).expect("json");
        let sync = v["exports"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["rule"] == "sync-running")
            .expect("sync-running");
        let f = &sync["findings"][0];
        assert_eq!(f["status"], "fail");
        let (message, remedy) = (
            f["message"].as_str().expect("message"),
            f["remedy"].as_str().expect("remedy"),
        );
        let path = if lang == "ja" {
            "[同期設定]"
        } else {
            "Sync settings"
        };
        assert!(remedy.contains(path), "{remedy}");
        assert!(
            !message.contains(path),
            "the message holds no remedy: {message}"
        );
        // A pass has nothing to do.
        let pass = &v["exports"][0]["results"][0]["findings"][0];
        assert_eq!(pass["status"], "pass");
        assert!(pass.get("remedy").is_none(), "{pass}");
    }
}

#[test]
fn no_format_lets_a_name_or_message_inject_control_sequences_or_workflow_commands() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An export whose directory name holds a line break, a workflow command, OSC and CR.
    let evil = tmp
        .path()
        .join("batch/cust\n::error file=x::pwned\u{1b}]0;t\u{7}\r<b>x</b>");
    common::copy_dir(
        std::path::Path::new("fixtures/faq7-sync-paused"),
        &evil.join("exp"),
    );
    let rules = tmp.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    std::fs::write(
        rules.join("nasty.rhai"),
        "const META = #{ title: #{ja: \"t\", en: \"t\"}, description: #{ja: \"d\", en: \"d\"},\n  checks: #{ \"c\": #{ statuses: [\"warn\"], remedy: #{ja: \"r\", en: \"r\"} } } };\nfn audit(doc) { [warn(\"c\", \"a\\n::error::injected\\x1b[31mred\\x00nul\\r<script>x</script>\")] }\n",
    )
    .expect("rule");
    let batch = tmp.path().join("batch").display().to_string();
    let rules = rules.display().to_string();
    for format in [
        "table", "markdown", "github", "junit", "sarif", "json", "html",
    ] {
        let r = common::run(&[
            "audit",
            &batch,
            "--rules",
            &rules,
            "--only",
            "nasty",
            "--now",
            common::NOW,
            "--format",
            format,
        ]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(
            r.stdout.contains("injected"),
            "{format}: the message is shown: {}",
            r.stdout
        );
        for bad in ['\u{1b}', '\u{0}', '\r', '\u{7}'] {
            assert!(
                !r.stdout.contains(bad),
                "{format}: {bad:?} reached the output"
            );
        }
        for line in r.stdout.lines() {
            let own = format == "github"
                && (line.starts_with("::warning ") || line.starts_with("::error "));
            assert!(
                !line.starts_with("::") || own,
                "{format}: injected line {line:?}"
            );
        }
    }
}

#[test]
fn a_baseline_gate_fails_only_on_what_is_new_and_lists_what_was_fixed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bl = tmp.path().join("baseline.json").display().to_string();
    let r = run(&[
        "baseline",
        "save",
        "fixtures/faq7-sync-paused",
        "-o",
        &bl,
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The same problem again: known, so the gate passes.
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--baseline",
        &bl,
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).expect("json");
    let sync = &json["exports"][0]["results"][6];
    assert_eq!(sync["rule"], "sync-running");
    assert_eq!(sync["findings"][0]["baseline"], "unchanged");
    assert_eq!(
        sync["findings"][0]["status"], "fail",
        "the finding keeps its status"
    );
    assert_eq!(json["baseline"]["fixed"], serde_json::json!([]));
    // Another export: the sync problem is gone (fixed), desk-authorized fails (new).
    let r = run(&[
        "audit",
        "fixtures/faq4-not-authorized",
        "--baseline",
        &bl,
        "--now",
        NOW,
        "--format",
        "sarif",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let sarif: Value = serde_json::from_str(&r.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let new: Vec<&Value> = results
        .iter()
        .filter(|x| x["baselineState"] == "new")
        .collect();
    assert_eq!(new.len(), 1, "{results:?}");
    assert_eq!(new[0]["ruleId"], "crm-edition-supports-integration");
    assert!(
        new[0]["partialFingerprints"]["crmdeskFinding/v2"]
            .as_str()
            .is_some_and(|f| f.len() == 32)
    );
    assert!(
        r.stderr.contains("fixed since the baseline: sync-running"),
        "{}",
        r.stderr
    );
    // A file that is no baseline is a usage error naming it.
    let r = run(&[
        "audit",
        "fixtures/healthy",
        "--baseline",
        "Cargo.toml",
        "--now",
        NOW,
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Cargo.toml") && r.stderr.contains("baseline save"),
        "{}",
        r.stderr
    );
}
