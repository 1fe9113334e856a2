//! docs/ci.md's examples, run exactly as written in a scratch repository of exports:
//! every `crmdesk-audit ...` line of its YAML blocks, with its waivers file.

mod common;

use assert_cmd::Command;
use common::copy_dir;
use std::path::Path;

/// The `crmdesk-audit` command lines of the YAML blocks, and the first JSON block.
fn examples(doc: &str) -> (Vec<String>, String) {
    let mut commands = Vec::new();
    let mut json = String::new();
    let mut block: Option<&str> = None;
    for line in doc.lines() {
        if let Some(lang) = line.strip_prefix("```") {
            block = if block.is_some() {
                None
            } else {
                Some(lang.trim())
            };
            continue;
        }
        match block {
            Some("yaml") => {
                let t = line
                    .trim()
                    .trim_start_matches("- ")
                    .trim_start_matches("run: ");
                if t.starts_with("crmdesk-audit ") {
                    commands.push(t.to_owned());
                }
            }
            Some("json") if commands.is_empty() => {
                json.push_str(line);
                json.push('\n');
            }
            _ => {}
        }
    }
    (commands, json)
}

#[test]
fn every_ci_example_runs_as_written_and_gates_as_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/ci.md")).expect("docs/ci.md");
    let (commands, waivers) = examples(&doc);
    // GitHub Actions: the diff (the audit is action.yml's, tests/action.rs); GitLab: both.
    assert!(commands.len() >= 3, "{commands:?}");

    let repo = tempfile::tempdir().expect("tempdir");
    let r = repo.path();
    copy_dir(
        &root.join("fixtures/faq7-sync-paused"),
        &r.join("exports/acme"),
    );
    copy_dir(
        &root.join("fixtures/faq8-delete-propagates"),
        &r.join("exports/beta"),
    );
    copy_dir(&root.join("fixtures/healthy"), &r.join("base/exports/acme"));
    std::fs::write(r.join("waivers.json"), &waivers).expect("waivers");

    for command in &commands {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = Command::cargo_bin("crmdesk-audit")
            .expect("binary")
            .current_dir(r)
            .env_remove("LANG")
            .args(&args)
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // acme's sync is paused (a fail): every gate blocks.
        assert_eq!(out.status.code(), Some(1), "{command}\n{stdout}\n{stderr}");
        assert!(
            !stderr.contains("matched no finding"),
            "the documented waiver applies: {stderr}"
        );
        if command.contains("--format github") {
            assert!(
                stdout
                    .lines()
                    .any(|l| l.starts_with("::error file=exports/acme/integration.json,line=")),
                "{stdout}"
            );
            assert!(
                !stdout.contains("crm-delete-keeps-desk-records"),
                "the waived warning makes no annotation"
            );
        }
        for (flag, file) in args.windows(2).map(|w| (w[0], w[1])) {
            let path = match flag {
                "--output" => r.join(file),
                "--report" => r.join(file.split_once('=').map_or(file, |x| x.1)),
                _ => continue,
            };
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{command}: {path:?}: {e}"));
            assert!(!text.trim().is_empty(), "{path:?} is empty");
            if path.extension().is_some_and(|x| x == "sarif") {
                let v: serde_json::Value = serde_json::from_str(&text).expect("sarif is json");
                assert_eq!(v["version"], "2.1.0");
            }
            if path.extension().is_some_and(|x| x == "md") {
                assert!(
                    text.contains("| worse | 7 | sync-running | sync-running | pass | fail |"),
                    "{text}"
                );
            }
            if path.extension().is_some_and(|x| x == "xml") {
                assert!(
                    text.contains("<testsuites") && text.contains("<failure"),
                    "{text}"
                );
            }
        }
    }
}

/// "A month-long gate": its `sh` lines, in order, each with the exit status its comment
/// says; `exports/gamma` (contacts without an email) appears on day 9 and is fixed after.
#[test]
fn the_month_long_gate_goes_as_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/ci.md")).expect("docs/ci.md");
    let section = doc
        .split("## A month-long gate")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the section");
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in section.lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && line == "```sh";
        } else if in_sh && line.starts_with("crmdesk-audit ") {
            lines.push(line.to_owned());
        }
    }
    assert_eq!(lines.len(), 6, "{lines:?}");

    let repo = tempfile::tempdir().expect("tempdir");
    let r = repo.path();
    copy_dir(
        &root.join("fixtures/faq7-sync-paused"),
        &r.join("exports/acme"),
    );
    copy_dir(
        &root.join("fixtures/faq8-delete-propagates"),
        &r.join("exports/beta"),
    );
    let gamma = r.join("exports/gamma");
    for (i, line) in lines.iter().enumerate() {
        if line.contains("--now 2026-12-02") {
            copy_dir(&root.join("fixtures/faq5-contacts-without-email"), &gamma);
        } else if gamma.exists() {
            std::fs::remove_dir_all(&gamma).expect("fix gamma");
        }
        let (command, expected) = line.split_once("   # ").unwrap_or((line, "0"));
        let expected: i32 = expected
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .expect("an exit status");
        let out = Command::cargo_bin("crmdesk-audit")
            .expect("binary")
            .current_dir(r)
            .env_remove("LANG")
            .args(command.split_whitespace().skip(1))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(expected),
            "day {i}: {command}\n{stderr}"
        );
        if command.contains("--now 2026-12-18") {
            assert!(
                stderr.contains("expires on 2026-12-24 (in 6 days)"),
                "{stderr}"
            );
        }
        if command.contains("--now 2026-12-25") {
            assert!(stderr.contains("expired on 2026-12-24"), "{stderr}");
        }
    }
}
