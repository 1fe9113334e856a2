//! Waivers by identity: a waiver that names a finding's fingerprint or an entity key
//! follows the finding when the API returns records in another order; `waivers generate`
//! writes a file that `audit --waivers` accepts; waivers about to expire are reported.

mod common;

use common::{NOW, audit_json, run, run_in};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The administrator the integration was configured by in `export`, now disabled.
const DISABLED_USER: &str = "crm.users[id=5725767000000411087]";

/// `v` with every list reversed, at every depth.
fn reversed(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().rev().map(reversed).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), reversed(x))).collect())
        }
        other => other.clone(),
    }
}

/// A single-file export with two failures: the integration was configured by a disabled
/// administrator (`integration-prerequisites` / `api-user-active`) and the sync is paused
/// (`sync-running`); and a copy of it with every list reversed.
fn exports(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(Path::new(ROOT).join("fixtures/single-file-healthy.json"))
        .expect("fixture");
    let mut v: Value = serde_json::from_str(&text).expect("json");
    v["integration"]["crm"]["configured_by"] = json!("5725767000000411087");
    v["integration"]["crm"]["sync"]["status"] = json!("paused");
    let (a, b) = (dir.join("export.json"), dir.join("reordered.json"));
    std::fs::write(&a, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    std::fs::write(
        &b,
        serde_json::to_string_pretty(&reversed(&v)).expect("json"),
    )
    .expect("write");
    (a, b)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every finding of a JSON report: rule, check, status, fingerprint, entities, evidence,
/// and whether a waiver in force accepts it.
struct Row {
    rule: String,
    check: String,
    status: String,
    fingerprint: String,
    evidence: Vec<String>,
    waived: bool,
}

fn rows(v: &Value) -> Vec<Row> {
    let mut out = Vec::new();
    for e in v["exports"].as_array().expect("exports") {
        for r in e["results"].as_array().expect("results") {
            for f in r["findings"].as_array().expect("findings") {
                out.push(Row {
                    rule: r["rule"].as_str().expect("rule").to_owned(),
                    check: f["check"].as_str().expect("check").to_owned(),
                    status: f["status"].as_str().expect("status").to_owned(),
                    fingerprint: f["fingerprint"].as_str().expect("fp").to_owned(),
                    evidence: serde_json::from_value(f["evidence"].clone()).expect("evidence"),
                    waived: f["waiver"].is_object() && f["waiver"]["expired"] == false,
                });
            }
        }
    }
    out
}

/// `rule / check` of each waived finding.
fn waived(v: &Value) -> Vec<String> {
    rows(v)
        .iter()
        .filter(|r| r.waived)
        .map(|r| format!("{} / {}", r.rule, r.check))
        .collect()
}

fn write_waivers(dir: &Path, name: &str, waivers: Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, json!({ "waivers": waivers }).to_string()).expect("write");
    p
}

fn waiver(mut names: Value, expires: &str) -> Value {
    names["reason"] = json!("accepted for the migration");
    names["owner"] = json!("ops@example.com");
    names["expires"] = json!(expires);
    names
}

#[test]
fn a_waiver_by_fingerprint_or_entity_matches_its_finding_only_in_any_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (export, reordered) = exports(dir.path());
    let (code, plain, _) = audit_json(&export, &[]);
    assert_eq!(code, 1);
    let user = rows(&plain)
        .into_iter()
        .find(|r| r.check == "api-user-active")
        .expect("api-user-active");
    assert_eq!(user.status, "fail");
    // The reordered copy has the same findings by fingerprint, at other positions.
    let (_, again, _) = audit_json(&reordered, &[]);
    let moved = rows(&again)
        .into_iter()
        .find(|r| r.check == "api-user-active")
        .expect("api-user-active");
    assert_eq!(moved.fingerprint, user.fingerprint);
    assert_ne!(moved.evidence, user.evidence, "the user moved in the list");

    let cases: [(&str, Value, &[&str]); 4] = [
        (
            "by fingerprint",
            json!({ "fingerprint": user.fingerprint }),
            &["integration-prerequisites / api-user-active"],
        ),
        (
            // Not `admin-profile`, a pass about the same user: a pass needs no waiver.
            "by entity",
            json!({ "entity": DISABLED_USER }),
            &["integration-prerequisites / api-user-active"],
        ),
        (
            "by entity pattern and rule",
            json!({ "rule": "sync-running", "entity": "integration.crm.sync.*" }),
            &["sync-running / sync-running"],
        ),
        (
            "by entity and another rule",
            json!({ "rule": "sync-running", "entity": DISABLED_USER }),
            &[],
        ),
    ];
    for (name, names, expected) in cases {
        let w = write_waivers(dir.path(), "w.json", json!([waiver(names, "2027-03-31")]));
        for e in [&export, &reordered] {
            let (code, v, stderr) = audit_json(e, &["--waivers", path(&w)]);
            assert_eq!(waived(&v), expected, "{name}, {}: {stderr}", e.display());
            assert_eq!(code, 1, "the other failure still counts");
            assert_eq!(
                stderr.contains("matched no finding"),
                expected.is_empty(),
                "{name}: {stderr}"
            );
        }
    }

    // Both failures waived by identity: the gate passes, in either order.
    let w = write_waivers(
        dir.path(),
        "both.json",
        json!([
            waiver(
                json!({ "fingerprint": user.fingerprint.to_uppercase() }),
                "2027-03-31"
            ),
            waiver(
                json!({ "entity": "integration.crm.sync.status" }),
                "2027-03-31"
            ),
        ]),
    );
    for e in [&export, &reordered] {
        let (code, v, stderr) = audit_json(e, &["--waivers", path(&w)]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(waived(&v).len(), 2);
    }
}

#[test]
fn an_old_style_waiver_still_matches_by_rule_check_and_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (export, reordered) = exports(dir.path());
    let w = write_waivers(
        dir.path(),
        "w.json",
        json!([waiver(
            json!({ "rule": "integration-prerequisites", "check": "api-user-active",
                    "evidence": "/crm/users/6/*" }),
            "2027-03-31"
        )]),
    );
    let (_, v, stderr) = audit_json(&export, &["--waivers", path(&w)]);
    assert_eq!(
        waived(&v),
        ["integration-prerequisites / api-user-active"],
        "{stderr}"
    );
    // An evidence pattern names a position: the reordered export puts the user elsewhere.
    let (_, v, stderr) = audit_json(&reordered, &["--waivers", path(&w)]);
    assert!(waived(&v).is_empty());
    assert!(
        stderr
            .contains("waiver #1 (integration-prerequisites / api-user-active) matched no finding"),
        "{stderr}"
    );
}

#[test]
fn generated_waivers_accept_todays_findings_until_their_expiry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("waivers.json");
    let exports = [
        "fixtures/faq7-sync-paused",
        "fixtures/faq5-contacts-without-email",
    ];
    let mut args = vec!["waivers", "generate"];
    args.extend(exports);
    args.extend([
        "--expires",
        "30d",
        "--owner",
        "ops@example.com",
        "--now",
        NOW,
        "-o",
        path(&out),
    ]);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains("wrote 2 waiver(s)"), "{}", r.stderr);
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let ws = file["waivers"].as_array().expect("waivers");
    assert_eq!(ws.len(), 2, "{file}");
    for w in ws {
        assert_eq!(w["expires"], "2026-12-24", "{w}");
        assert_eq!(w["owner"], "ops@example.com");
        assert_eq!(w["reason"], "accepted on 2026-11-24");
        assert_eq!(w["fingerprint"].as_str().map(str::len), Some(32), "{w}");
    }
    assert_eq!(ws[1]["rule"], "sync-running");
    assert_eq!(ws[1]["entities"], json!(["integration.crm.sync.status"]));

    // Given back, it accepts every warn and fail: the strictest gate passes.
    let mut audit = vec!["audit"];
    audit.extend(exports);
    audit.extend([
        "--waivers",
        path(&out),
        "--now",
        NOW,
        "--format",
        "json",
        "--fail-on",
        "warn",
    ]);
    let r = run(&audit);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let mut seen = 0;
    for e in v["exports"].as_array().expect("exports") {
        for r in e["results"].as_array().expect("results") {
            for f in r["findings"].as_array().expect("findings") {
                if f["status"] == "warn" || f["status"] == "fail" {
                    seen += 1;
                    assert_eq!(f["waiver"]["expires"], "2026-12-24", "{f}");
                    assert_eq!(f["waiver"]["expired"], false, "{f}");
                } else {
                    assert!(f.get("waiver").is_none(), "{f}");
                }
            }
        }
    }
    assert_eq!(seen, 2);
    // The day after the expiry, the waivers no longer apply.
    let mut late = audit.clone();
    let i = late.iter().position(|a| *a == NOW).expect("--now");
    late[i] = "2026-12-25T09:00:00+09:00";
    let r = run(&late);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("expired on 2026-12-24"), "{}", r.stderr);

    // Weeks, a date, stdout, and a reason of one's own.
    let r = run_in(
        Path::new(ROOT),
        &[
            "waivers",
            "generate",
            "fixtures/faq7-sync-paused",
            "--expires",
            "2w",
            "--owner",
            "ops",
            "--reason",
            "sync paused during the migration",
            "--now",
            NOW,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json on stdout");
    assert_eq!(v["waivers"][0]["expires"], "2026-12-08");
    assert_eq!(
        v["waivers"][0]["reason"],
        "sync paused during the migration"
    );
    for (when, ok) in [("2027-03-31", true), ("2026-11-23", false), ("soon", false)] {
        let r = run(&[
            "waivers",
            "generate",
            "fixtures/faq7-sync-paused",
            "--expires",
            when,
            "--owner",
            "ops",
            "--now",
            NOW,
        ]);
        assert_eq!(r.code, if ok { 0 } else { 2 }, "{when}: {}", r.stderr);
        if ok {
            assert!(
                r.stdout.contains("\"expires\": \"2027-03-31\""),
                "{}",
                r.stdout
            );
        } else {
            assert!(r.stderr.contains("--expires"), "{}", r.stderr);
        }
    }
}

#[test]
fn a_waiver_within_seven_days_of_its_expiry_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (export, _) = exports(dir.path());
    // NOW is 2026-11-24 (UTC): the first expires in 7 days, the second in 8.
    let w = write_waivers(
        dir.path(),
        "w.json",
        json!([
            waiver(
                json!({ "rule": "sync-running", "check": "sync-running" }),
                "2026-12-01"
            ),
            waiver(json!({ "entity": DISABLED_USER }), "2026-12-02"),
        ]),
    );
    let (code, v, stderr) = audit_json(&export, &["--waivers", path(&w)]);
    assert_eq!(code, 0, "expiring waivers still apply: {stderr}");
    assert!(
        stderr.contains(
            "warning: waiver #1 (sync-running / sync-running) expires on 2026-12-01 (in 7 days)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("waiver #2"), "{stderr}");
    // In Japanese the warning is Japanese.
    let (_, _, stderr_ja) = audit_json(&export, &["--waivers", path(&w), "--lang", "ja"]);
    assert!(
        stderr_ja.contains(
            "警告: 免除 #1(sync-running / sync-running)の期限は 2026-12-01 です(残り7日です)。"
        ) && !stderr_ja.contains("warning"),
        "{stderr_ja}"
    );
    assert_eq!(v["waivers"]["expiring"][0]["number"], 1, "{}", v["waivers"]);
    assert_eq!(v["waivers"]["expiring"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["waivers"]["unmatched"], json!([]));
    assert_eq!(v["waivers"]["expired"], json!([]));

    // Its last day, and the day after (expired, not expiring).
    let w = write_waivers(
        dir.path(),
        "w.json",
        json!([
            waiver(json!({ "entity": DISABLED_USER }), "2026-11-24"),
            waiver(
                json!({ "rule": "sync-running", "check": "sync-running" }),
                "2026-11-23"
            ),
        ]),
    );
    let (code, v, stderr) = audit_json(&export, &["--waivers", path(&w)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: waiver #1 (entity {DISABLED_USER}) expires on 2026-11-24 (today is its last day)"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("waiver #2 (sync-running / sync-running) expired on 2026-11-23"));
    assert_eq!(v["waivers"]["expiring"][0]["entity"], DISABLED_USER);
    assert_eq!(v["waivers"]["expired"][0]["number"], 2);
}

#[test]
fn a_waiver_that_names_nothing_or_an_unknown_key_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fp = "489ce5cf281de1c2d1b256cf94b3630f";
    for (names, says) in [
        (
            json!({ "fingerprint": fp, "note": "x" }),
            vec![
                format!("waiver #1 (fingerprint {fp})"),
                "unknown field `note`".to_owned(),
            ],
        ),
        (
            json!({ "rule": "sync-running" }),
            vec![
                "waiver #1 (rule sync-running)".to_owned(),
                "missing field `check`".to_owned(),
            ],
        ),
        (
            json!({ "evidence": "/integration/*" }),
            vec![
                "waiver #1".to_owned(),
                "a fingerprint, or an entity".to_owned(),
            ],
        ),
        (
            json!({ "fingerprint": "sync-running" }),
            vec![
                "waiver #1 (fingerprint sync-running)".to_owned(),
                "32 hex digits".to_owned(),
            ],
        ),
        (
            json!({ "entity": " " }),
            vec!["`entity` is empty".to_owned()],
        ),
    ] {
        let w = write_waivers(
            dir.path(),
            "w.json",
            json!([waiver(names.clone(), "2027-03-31")]),
        );
        let r = run(&[
            "audit",
            "fixtures/faq7-sync-paused",
            "--waivers",
            path(&w),
            "--now",
            NOW,
        ]);
        assert_eq!(r.code, 2, "{names}: {}", r.stderr);
        for s in says {
            assert!(r.stderr.contains(&s), "{names}: {s}: {}", r.stderr);
        }
    }
}

#[test]
fn the_identity_example_of_docs_ci_md_accepts_what_it_says() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/ci.md")).expect("docs/ci.md");
    let block = doc
        .split("```json identity\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```json identity block");
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path().join("waivers.json");
    std::fs::write(&w, block).expect("write");
    // The export with the paused sync and the disabled administrator, in both orders, and
    // the bundle fixtures with one of those findings each.
    let (export, reordered) = exports(dir.path());
    for e in [&export, &reordered] {
        let (code, v, stderr) = audit_json(e, &["--waivers", path(&w)]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
        assert_eq!(
            waived(&v),
            [
                "integration-prerequisites / api-user-active",
                "sync-running / sync-running"
            ]
        );
    }
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "fixtures/faq1-configurer-deactivated",
        "--waivers",
        path(&w),
        "--now",
        NOW,
        "--fail-on",
        "warn",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}
