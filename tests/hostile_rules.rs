//! Rules are other people's code: each hostile rule ends as `error` for itself alone,
//! with a reason a rule author understands, and every other rule still reports.

use assert_cmd::Command;
use serde_json::Value;
use std::time::Duration;

fn audit_with_hostile_rules() -> (i32, Value, String) {
    let out = Command::cargo_bin("crmdesk-audit")
        .expect("binary")
        .args([
            "audit",
            "tests/data/minimal.json",
            "--rules",
            "fixtures/hostile-rules",
            "--format",
            "json",
            "--timeout",
            "2",
            "--now",
            "2026-11-24T09:00:00+09:00",
        ])
        .env_remove("LANG")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}"));
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn result<'a>(json: &'a Value, rule: &str) -> &'a Value {
    json["exports"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no result for {rule}"))
}

#[test]
fn each_hostile_rule_is_an_error_with_its_reason_and_the_rest_still_report() {
    let (code, json, stderr) = audit_with_hostile_rules();
    assert_eq!(
        code, 2,
        "a rule in error makes the exit status 2; stderr: {stderr}"
    );

    let expected = [
        ("endless-loop", "ran longer than 2.0 s"),
        ("closure-loop", "ran longer than 2.0 s"),
        ("sort-loop", "ran longer than 2.0 s"),
        ("deep-recursion", "nested deeper than 48 levels"),
        ("string-doubling", "grew past the limit"),
        ("array-doubling", "grew past the limit"),
        ("const-assign", "constant"),
        ("throws", "threw boom from a rule"),
        ("wrong-return", "must return an array of findings"),
        ("prints-megabyte", "printed more than 65536 bytes"),
        ("uses-eval", "'eval' is disabled"),
        ("imports-file", "'import' is a reserved keyword"),
    ];
    for (rule, reason) in expected {
        let r = result(&json, rule);
        assert_eq!(r["status"], "error", "{rule}: {r}");
        let findings = r["findings"].as_array().expect("findings");
        assert_eq!(findings.len(), 1, "{rule}: {r}");
        assert_eq!(
            findings[0]["check"], rule,
            "an error's check is the rule id"
        );
        let msg = findings[0]["message"].as_str().unwrap_or_default();
        assert!(
            msg.contains(reason),
            "{rule}: {msg:?} should say {reason:?}"
        );
    }

    let slow = result(&json, "slow-but-fine");
    assert_eq!(
        slow["status"], "pass",
        "a slow but legitimate rule passes: {slow}"
    );

    // The eight built-in rules all still report, none of them in error.
    let builtin: Vec<&Value> = json["exports"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["faq"].as_u64().is_some_and(|f| (1..=8).contains(&f)))
        .collect();
    assert_eq!(builtin.len(), 8, "the eight built-in rules");
    for r in builtin {
        assert_ne!(r["status"], "error", "{r}");
    }
    // What a rule prints is captured, capped, and never written to stdout outside the JSON.
    let printed = result(&json, "prints-megabyte")["output"]
        .as_str()
        .unwrap_or_default()
        .len();
    assert!(
        printed > 0 && printed <= 65536,
        "captured output: {printed} bytes"
    );
}
