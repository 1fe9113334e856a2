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
    assert!(commands.len() >= 4, "{commands:?}");

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
