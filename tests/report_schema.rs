//! docs/report.schema.json describes the JSON report: the report of every fixture (each export
//! directly under fixtures/, and the batch) in English and Japanese, and a report with a baseline
//! and waivers applied, are valid against it; a report without `summary` is not.

mod common;

use common::{NOW, run, run_in};
use serde_json::{Value, json};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

/// Every way the report breaks the schema, one a line (empty when valid).
fn problems(v: &jsonschema::Validator, report: &Value) -> String {
    v.iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn report(dir: &Path, args: &[&str]) -> Value {
    let r = run_in(dir, args);
    assert!(
        matches!(r.code, 0..=2),
        "{args:?}: exit {}\n{}",
        r.code,
        r.stderr
    );
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})\n{}\n{}", r.stdout, r.stderr))
}

/// Each bundle directory and single `.json` file directly under fixtures/ (the batch is one
/// of the directories).
fn fixtures() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "json"))
        .map(|p| format!("fixtures/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    out.sort();
    out
}

#[test]
fn the_report_of_every_fixture_is_valid_in_both_languages() {
    let v = validator();
    let all = fixtures();
    assert!(all.iter().any(|f| f == "fixtures/batch"), "{all:?}");
    assert!(all.iter().any(|f| f.ends_with(".json")), "{all:?}");
    let mut failed = Vec::new();
    for fixture in &all {
        for lang in ["en", "ja"] {
            let args = [
                "audit", fixture, "--format", "json", "--lang", lang, "--now", NOW,
            ];
            let r = report(root(), &args);
            assert_eq!(r["schema_version"], 2);
            let p = problems(&v, &r);
            if !p.is_empty() {
                failed.push(format!("{fixture} --lang {lang}:\n{p}"));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn a_report_with_a_baseline_and_waivers_is_valid() {
    let v = validator();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let fixture = |name: &str| root().join("fixtures").join(name).display().to_string();
    let saved = run_in(
        d,
        &[
            "baseline",
            "save",
            &fixture("faq8-delete-propagates"),
            &fixture("faq4-free-edition"),
            "-o",
            "baseline.json",
            "--now",
            NOW,
        ],
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let waivers = json!({ "waivers": [
        // In force and expiring within 7 days of NOW.
        { "fingerprint": "489ce5cf281de1c2d1b256cf94b3630f",
          "reason": "sync stays paused until the migration", "owner": "ops@example.com",
          "expires": "2026-11-27" },
        // Expired, still matching.
        { "rule": "integration-prerequisites", "entity": "crm.users[id=5725767000000411087]",
          "reason": "re-activated after the migration", "owner": "ops@example.com",
          "expires": "2026-01-31" },
        // Matching nothing.
        { "entity": "crm.users[id=1]", "reason": "no such user", "owner": "ops@example.com",
          "expires": "2027-03-31" },
    ]});
    std::fs::write(d.join("waivers.json"), waivers.to_string()).expect("waivers");
    for lang in ["en", "ja"] {
        let r = report(
            d,
            &[
                "audit",
                &fixture("faq7-sync-paused"),
                &fixture("faq8-delete-propagates"),
                &fixture("faq1-configurer-deactivated"),
                "--baseline",
                "baseline.json",
                "--waivers",
                "waivers.json",
                "--format",
                "json",
                "--lang",
                lang,
                "--now",
                NOW,
            ],
        );
        let p = problems(&v, &r);
        assert!(p.is_empty(), "--lang {lang}:\n{p}\n{r:#}");
        // The report exercises every optional part the schema describes.
        let findings: Vec<&Value> = r["exports"]
            .as_array()
            .expect("exports")
            .iter()
            .flat_map(|e| e["results"].as_array().into_iter().flatten())
            .flat_map(|r| r["findings"].as_array().into_iter().flatten())
            .collect();
        for (what, found) in [
            ("new", findings.iter().any(|f| f["baseline"] == "new")),
            (
                "unchanged",
                findings.iter().any(|f| f["baseline"] == "unchanged"),
            ),
            (
                "waiver in force",
                findings.iter().any(|f| f["waiver"]["expired"] == false),
            ),
            (
                "waiver expired",
                findings.iter().any(|f| f["waiver"]["expired"] == true),
            ),
            ("remedy", findings.iter().any(|f| f["remedy"].is_string())),
        ] {
            assert!(found, "no finding with {what}: {r:#}");
        }
        assert!(!r["baseline"]["fixed"].as_array().expect("fixed").is_empty());
        for list in ["unmatched", "expired", "expiring"] {
            assert!(
                !r["waivers"][list].as_array().expect(list).is_empty(),
                "waivers.{list}: {r:#}"
            );
        }
    }
}

#[test]
fn the_schema_is_not_vacuous() {
    let v = validator();
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    let good: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(problems(&v, &good), "");

    let mut no_summary = good.clone();
    no_summary.as_object_mut().unwrap().remove("summary");
    assert!(!v.is_valid(&no_summary), "a report without summary");

    // A few more ways to be wrong, each caught.
    let mut wrong: Vec<(&str, Value)> = Vec::new();
    let mut w = good.clone();
    w["schema_version"] = json!(1);
    wrong.push(("schema_version 1", w));
    let mut w = good.clone();
    w["exports"][0]["results"][0]["status"] = json!("ok");
    wrong.push(("an unknown status", w));
    let mut w = good.clone();
    w["exports"][0]["results"][0]["findings"][0]["severity"] = json!("urgent");
    wrong.push(("an unknown severity", w));
    let mut w = good.clone();
    w["exports"][0]["checks"]
        .as_object_mut()
        .unwrap()
        .remove("skip");
    wrong.push(("counts without skip", w));
    let mut w = good.clone();
    w["exports"][0]["error"] = json!("loaded after all");
    wrong.push(("a loaded export with an error", w));
    for (what, w) in &wrong {
        assert!(!v.is_valid(w), "{what} is accepted");
    }

    // The severity another part of the report may carry is allowed.
    let mut sev = good;
    sev["exports"][0]["results"][0]["findings"][0]["severity"] = json!("high");
    assert_eq!(problems(&v, &sev), "");
}
