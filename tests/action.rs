//! action.yml, the composite GitHub Action: its inputs and outputs, and its `run:` steps run
//! with bash as the runner would, the inputs substituted by test values, against the fixtures.

mod common;

use common::NOW;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml is YAML")
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `s` with each `${{ expr }}` replaced by `context[expr]`; an expression the context does not
/// know is a test failure (the action uses something the test does not model).
fn expand(s: &str, context: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closing }}") + start;
        let expr = rest[start + 3..end].trim();
        let value = context
            .get(expr)
            .unwrap_or_else(|| panic!("action.yml uses ${{{{ {expr} }}}}, unknown to the test"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_action_declares_its_inputs_and_outputs() {
    let a = action();
    assert!(!str_of(&a, "name").is_empty() && !str_of(&a, "description").is_empty());
    assert_eq!(str_of(&a["runs"], "using"), "composite");
    let inputs = a["inputs"].as_mapping().expect("inputs");
    for name in [
        "path",
        "fail-on",
        "baseline",
        "waivers",
        "sarif",
        "upload-sarif",
        "annotations",
        "args",
        "version",
    ] {
        let input = inputs.get(name).unwrap_or_else(|| panic!("input {name}"));
        assert!(!str_of(input, "description").is_empty(), "{name}");
        assert!(input.get("default").is_some(), "{name} has a default");
        assert_eq!(input.get("required"), Some(&Value::Bool(false)), "{name}");
    }
    assert_eq!(str_of(&inputs["fail-on"], "default"), "fail");
    let outputs = a["outputs"].as_mapping().expect("outputs");
    for name in ["exit-code", "sarif"] {
        let value = str_of(&outputs[name], "value");
        assert_eq!(
            value,
            format!("${{{{ steps.audit.outputs.{name} }}}}"),
            "{name}"
        );
    }

    // Every input the steps use is declared, and every declared input is used.
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    for (name, _) in inputs {
        let name = name.as_str().expect("input name");
        assert!(
            text.contains(&format!("inputs.{name} ")),
            "input {name} unused"
        );
    }
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(
            inputs.contains_key(name.as_str()),
            "undeclared input {name}"
        );
    }

    let steps = a["runs"]["steps"].as_sequence().expect("steps");
    let install = str_of(&steps[0], "run");
    assert!(
        install.contains("cargo install --locked --path \"$ACTION_PATH\""),
        "{install}"
    );
    let upload = steps
        .iter()
        .find(|s| str_of(s, "uses").starts_with("github/codeql-action/upload-sarif@"))
        .expect("an upload-sarif step");
    assert!(str_of(upload, "if").contains("inputs.upload-sarif == 'true'"));
    assert_eq!(
        str_of(&upload["with"], "sarif_file"),
        "${{ steps.audit.outputs.sarif }}"
    );
}

struct Case {
    path: &'static str,
    fail_on: &'static str,
    baseline: bool,
    waivers: bool,
    args: &'static str,
    exit: i32,
}

/// Runs the action's `run:` steps after the install (the binary under test stands for the
/// installed one) with `case`'s inputs; returns what the steps printed.
fn run_action(case: &Case) -> String {
    let a = action();
    let scratch = tempfile::tempdir().expect("tempdir");
    let s = scratch.path();
    let sarif = s.join("results.sarif");
    let mut context: BTreeMap<String, String> = BTreeMap::new();
    // Every input's default, then the case's values.
    for (name, input) in a["inputs"].as_mapping().expect("inputs") {
        context.insert(
            format!("inputs.{}", name.as_str().unwrap()),
            str_of(input, "default").to_owned(),
        );
    }
    let mut set = |k: &str, v: String| {
        context.insert(format!("inputs.{k}"), v);
    };
    set("path", case.path.to_owned());
    set("fail-on", case.fail_on.to_owned());
    set("sarif", sarif.display().to_string());
    set("args", format!("--now {NOW} {}", case.args));
    if case.baseline {
        let b = s.join("baseline.json");
        let r = common::run(&[
            "baseline",
            "save",
            "fixtures/faq8-delete-propagates",
            "-o",
            b.to_str().unwrap(),
            "--now",
            NOW,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        set("baseline", b.display().to_string());
    }
    if case.waivers {
        let w = s.join("waivers.json");
        std::fs::write(
            &w,
            r#"{"waivers": [{"fingerprint": "489ce5cf281de1c2d1b256cf94b3630f",
                "reason": "paused for the migration", "owner": "ops@example.com",
                "expires": "2027-03-31"}]}"#,
        )
        .expect("waivers");
        set("waivers", w.display().to_string());
    }
    context.insert("github.action_path".into(), root().display().to_string());
    context.insert("github.action_repository".into(), String::new());

    let bin = Path::new(env!("CARGO_BIN_EXE_crmdesk-audit"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let runner_temp = s.join("runner-temp");
    std::fs::create_dir(&runner_temp).expect("mkdir");

    let steps = a["runs"]["steps"].as_sequence().expect("steps");
    let mut printed = String::new();
    let mut ran = 0;
    for step in steps.iter().skip(1) {
        let Some(script) = step.get("run").and_then(Value::as_str) else {
            continue;
        };
        assert_eq!(str_of(step, "shell"), "bash");
        let id = str_of(step, "id");
        let output_file = s.join(format!("output-{ran}"));
        std::fs::write(&output_file, "").expect("GITHUB_OUTPUT");
        let mut cmd = Command::new("bash");
        cmd.arg("-e")
            .arg("-c")
            .arg(expand(script, &context))
            .current_dir(root())
            .env_remove("LANG")
            .env("PATH", &path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("RUNNER_TEMP", &runner_temp);
        if let Some(env) = step.get("env").and_then(Value::as_mapping) {
            for (k, v) in env {
                cmd.env(
                    k.as_str().unwrap(),
                    expand(v.as_str().unwrap_or(""), &context),
                );
            }
        }
        let out = cmd.output().expect("bash");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        printed.push_str(&stdout);
        let code = out.status.code();
        if id == "audit" {
            // The audit step keeps the status for the gate; only exit 2 fails it.
            assert_eq!(code, Some(0), "audit step\n{stdout}\n{stderr}");
            for line in std::fs::read_to_string(&output_file).unwrap().lines() {
                let (k, v) = line.split_once('=').expect("name=value");
                context.insert(format!("steps.audit.outputs.{k}"), v.to_owned());
            }
            assert_eq!(
                context["steps.audit.outputs.exit-code"],
                case.exit.to_string(),
                "{}\n{stdout}\n{stderr}",
                case.path
            );
            assert_eq!(
                context["steps.audit.outputs.sarif"],
                sarif.display().to_string()
            );
            let text = std::fs::read_to_string(&sarif).expect("the SARIF file is written");
            let v: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
            assert_eq!(v["version"], "2.1.0");
        } else {
            // The gate.
            assert_eq!(code, Some(case.exit), "gate step\n{stdout}\n{stderr}");
        }
        ran += 1;
    }
    assert_eq!(ran, 2, "the audit and the gate");
    assert!(
        std::fs::read_dir(&runner_temp).unwrap().next().is_none(),
        "the annotations file is removed"
    );
    printed
}

#[test]
fn a_fail_fails_the_gate_with_annotations_and_sarif() {
    let printed = run_action(&Case {
        path: "fixtures/faq7-sync-paused",
        fail_on: "fail",
        baseline: false,
        waivers: false,
        args: "",
        exit: 1,
    });
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("::error file=fixtures/faq7-sync-paused/integration.json,line=")),
        "{printed}"
    );
    assert!(
        printed.contains("a result reached --fail-on fail"),
        "{printed}"
    );
}

#[test]
fn a_healthy_export_passes_and_fail_on_never_never_fails() {
    run_action(&Case {
        path: "fixtures/healthy",
        fail_on: "warn",
        baseline: false,
        waivers: false,
        args: "--lang ja",
        exit: 0,
    });
    run_action(&Case {
        path: "fixtures/faq7-sync-paused",
        fail_on: "never",
        baseline: false,
        waivers: false,
        args: "",
        exit: 0,
    });
}

#[test]
fn a_warning_fails_a_warn_gate() {
    run_action(&Case {
        path: "fixtures/faq8-delete-propagates fixtures/healthy",
        fail_on: "warn",
        baseline: false,
        waivers: false,
        args: "",
        exit: 1,
    });
}

#[test]
fn baseline_and_waivers_inputs_accept_what_is_known() {
    // faq8's warning is in the baseline, faq7's failure is waived: nothing new.
    let printed = run_action(&Case {
        path: "fixtures/faq7-sync-paused fixtures/faq8-delete-propagates",
        fail_on: "warn",
        baseline: true,
        waivers: true,
        args: "",
        exit: 0,
    });
    assert!(!printed.contains("::error file="), "{printed}");
}
