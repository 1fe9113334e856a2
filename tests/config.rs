//! The project config file, crmdesk-audit.toml (docs/ci.md, "A project config file"):
//! found from the current directory up, flags over the file, unknown keys named by line,
//! severity overrides and rule parameters (issue 14).

mod common;

use common::{NOW, Run, copy_dir, json_of, run_in};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn results(report: &Value) -> &Vec<Value> {
    report["exports"][0]["results"].as_array().expect("results")
}

fn rule<'a>(report: &'a Value, id: &str) -> &'a Value {
    results(report)
        .iter()
        .find(|r| r["rule"] == id)
        .unwrap_or_else(|| panic!("no result of {id}"))
}

fn finding<'a>(report: &'a Value, check: &str) -> &'a Value {
    results(report)
        .iter()
        .flat_map(|r| r["findings"].as_array().expect("findings"))
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no finding of {check}"))
}

const PROJECT_TITLE: &str = "プロジェクト版の同期の確認";

/// A project: export/ (faq8-delete-propagates, one warn), my-rules/ (sync-running with
/// another Japanese title), ci/waivers.json (a waiver that matches nothing), ci/baseline.json
/// (the healthy export's findings), sub/dir/, and crmdesk-audit.toml naming them all.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    copy_dir(&fixture("faq8-delete-propagates"), &p.join("export"));
    std::fs::create_dir_all(p.join("my-rules")).expect("mkdir");
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/sync-running.rhai"),
    )
    .expect("rule");
    let edited = source.replacen(
        "ja: \"Zoho CRMとZoho Deskの同期が停止していないか\"",
        &format!("ja: \"{PROJECT_TITLE}\""),
        1,
    );
    assert_ne!(edited, source);
    std::fs::write(p.join("my-rules/sync-running.rhai"), edited).expect("write");
    std::fs::create_dir_all(p.join("ci")).expect("mkdir");
    std::fs::write(
        p.join("ci/waivers.json"),
        json!({ "waivers": [{
            "rule": "sync-running",
            "entity": "integration.crm.sync.*",
            "reason": "accepted for the migration",
            "owner": "ops@example.com",
            "expires": "2027-03-31",
        }]})
        .to_string(),
    )
    .expect("write");
    let healthy = fixture("healthy");
    let saved = run_in(
        p,
        &[
            "baseline",
            "save",
            healthy.to_str().expect("utf-8"),
            "-o",
            "ci/baseline.json",
            "--now",
            NOW,
        ],
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    std::fs::create_dir_all(p.join("sub/dir")).expect("mkdir");
    std::fs::write(
        p.join("crmdesk-audit.toml"),
        "# The project's audit settings\n\
         rules = [\"my-rules\"]\n\
         waivers = \"ci/waivers.json\"\n\
         baseline = \"ci/baseline.json\"\n\
         profile = \"pre-migration\"\n\
         fail_on = \"never\"\n\
         lang = \"ja\"\n\
         tz = \"Asia/Tokyo\"\n",
    )
    .expect("write");
    dir
}

fn audit(dir: &Path, export: &str, more: &[&str]) -> Run {
    let mut args = vec!["audit", export, "--format", "json", "--now", NOW];
    args.extend_from_slice(more);
    run_in(dir, &args)
}

#[test]
fn the_file_is_found_in_the_current_directory_and_its_parents() {
    let dir = project();
    for (cwd, export) in [
        (dir.path().to_path_buf(), "export"),
        (dir.path().join("sub/dir"), "../../export"),
    ] {
        let r = audit(&cwd, export, &[]);
        // fail_on = "never" beats the profile's fail-on warn.
        assert_eq!(r.code, 0, "{}: {}", cwd.display(), r.stderr);
        let report = json_of(&r);
        // profile = "pre-migration": its three rules only.
        let mut ids: Vec<&str> = results(&report)
            .iter()
            .map(|r| r["rule"].as_str().expect("rule"))
            .collect();
        ids.sort_unstable();
        assert_eq!(
            ids,
            [
                "crm-delete-keeps-desk-records",
                "integration-prerequisites",
                "sync-running"
            ]
        );
        // rules = ["my-rules"] and lang = "ja".
        assert_eq!(rule(&report, "sync-running")["title"], PROJECT_TITLE);
        // baseline: the warn is not among the healthy export's findings.
        assert_eq!(
            finding(&report, "crm-delete-keeps-desk-records")["baseline"],
            "new"
        );
        // waivers: the one waiver matches no finding here (said in the config's Japanese).
        assert!(
            r.stderr.contains("免除 #1") && r.stderr.contains("に該当する結果がありません"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn flags_override_the_file() {
    let dir = project();
    let r = audit(dir.path(), "export", &["--fail-on", "warn", "--lang", "en"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json_of(&r);
    assert_ne!(rule(&report, "sync-running")["title"], PROJECT_TITLE);
    // --profile support-triage runs every rule; --rules replaces the file's.
    std::fs::create_dir_all(dir.path().join("no-rules")).expect("mkdir");
    let r = audit(
        dir.path(),
        "export",
        &["--profile", "support-triage", "--rules", "no-rules"],
    );
    let report = json_of(&r);
    assert!(results(&report).len() > 3);
    assert_ne!(rule(&report, "sync-running")["title"], PROJECT_TITLE);

    // --config names another file: it alone applies.
    std::fs::write(dir.path().join("other.toml"), "fail_on = \"warn\"\n").expect("write");
    let sub = dir.path().join("sub");
    let r = audit(&sub, "../export", &["--config", "../other.toml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(results(&json_of(&r)).len() > 3);
    let r = audit(&sub, "../export", &["--config", "../missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn an_unknown_key_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("crmdesk-audit.toml"),
        "profile = \"pre-migration\"\n\n[severity]\n\"sync-running/sync-running\" = \"low\"\n\nfail-on = \"warn\"\n",
    )
    .expect("write");
    let export = fixture("healthy");
    let r = audit(dir.path(), export.to_str().expect("utf-8"), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("crmdesk-audit.toml:6:"),
        "the line of the unknown key: {}",
        r.stderr
    );
    // A top-level typo too, and a bad value names its line.
    std::fs::write(
        dir.path().join("crmdesk-audit.toml"),
        "lang = \"ja\"\nfailon = \"warn\"\n",
    )
    .expect("write");
    let r = audit(dir.path(), export.to_str().expect("utf-8"), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("crmdesk-audit.toml:2:"), "{}", r.stderr);
    std::fs::write(
        dir.path().join("crmdesk-audit.toml"),
        "\nfail_on = \"loud\"\n",
    )
    .expect("write");
    let r = audit(dir.path(), export.to_str().expect("utf-8"), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("crmdesk-audit.toml:2:") && r.stderr.contains("loud"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_severity_override_changes_the_findings_and_fail_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paused = fixture("faq7-sync-paused");
    let paused = paused.to_str().expect("utf-8");
    // Without the file: sync-running fails and is high.
    let r = audit(dir.path(), paused, &[]);
    assert_eq!(finding(&json_of(&r), "sync-running")["severity"], "high");
    assert_eq!(audit(dir.path(), paused, &["--fail-on", "high"]).code, 1);

    std::fs::write(
        dir.path().join("crmdesk-audit.toml"),
        "[severity]\n\"sync-running/sync-running\" = \"low\"\n",
    )
    .expect("write");
    let r = audit(dir.path(), paused, &[]);
    assert_eq!(finding(&json_of(&r), "sync-running")["severity"], "low");
    assert_eq!(audit(dir.path(), paused, &["--fail-on", "high"]).code, 0);
    assert_eq!(audit(dir.path(), paused, &["--fail-on", "low"]).code, 1);
    let table = run_in(dir.path(), &["audit", paused, "--now", NOW, "--lang", "en"]);
    assert!(table.stdout.contains("fail (low)"), "{}", table.stdout);

    // A check the rule does not have is an error.
    std::fs::write(
        dir.path().join("crmdesk-audit.toml"),
        "[severity]\n\"sync-running/no-such-check\" = \"low\"\n",
    )
    .expect("write");
    let r = audit(dir.path(), paused, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("crmdesk-audit.toml:2") && r.stderr.contains("no-such-check"),
        "{}",
        r.stderr
    );
}

#[test]
fn supported_editions_reach_the_rule_as_a_parameter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("standard");
    copy_dir(&fixture("healthy"), &export);
    let org = export.join("crm/org.json");
    let text = std::fs::read_to_string(&org).expect("org.json");
    let standard = text.replacen(
        "\"paid_type\": \"enterprise\"",
        "\"paid_type\": \"standard\"",
        1,
    );
    assert_ne!(standard, text);
    std::fs::write(&org, standard).expect("write");

    let edition = |more: &[&str]| {
        let r = audit(dir.path(), "standard", more);
        finding(&json_of(&r), "edition").clone()
    };
    assert_eq!(edition(&[])["status"], "pass");

    std::fs::write(
        dir.path().join("crmdesk-audit.toml"),
        "[parameters]\nsupported_editions = [\"enterprise\"]\n",
    )
    .expect("write");
    let f = edition(&["--lang", "en"]);
    assert_eq!(f["status"], "warn", "{f}");
    assert!(
        f["message"]
            .as_str()
            .expect("message")
            .contains("is not recognised"),
        "{f}"
    );
    // The message names the list this run used, not the rule's default.
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("(supported: enterprise)")),
        "{f}"
    );
    let f = edition(&["--lang", "ja"]);
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("対応しているプランは、エンタープライズです")),
        "{f}"
    );

    // `diff` reads both sides as `audit` does, with the file's parameters: the healthy
    // (enterprise) export against this standard one makes the edition check worse.
    let healthy = dir.path().join("healthy");
    copy_dir(&fixture("healthy"), &healthy);
    let r = run_in(
        dir.path(),
        &[
            "diff", "healthy", "standard", "--format", "json", "--now", NOW,
        ],
    );
    let v = json_of(&r);
    let edition = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["check"] == "edition")
        .expect("the edition check");
    assert_eq!(
        (&edition["before"], &edition["after"], &edition["change"]),
        (&json!("pass"), &json!("warn"), &json!("worse")),
        "{edition}"
    );
    // A warn is below diff's default --fail-on (fail).
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_documented_example_is_a_valid_config() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md"))
        .expect("docs/ci.md");
    let section = doc
        .split("## A project config file")
        .nth(1)
        .expect("the section");
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir_all(p.join("rules")).expect("mkdir");
    std::fs::create_dir_all(p.join("ci")).expect("mkdir");
    std::fs::write(p.join("ci/waivers.json"), r#"{"waivers": []}"#).expect("write");
    let healthy = fixture("healthy");
    let healthy = healthy.to_str().expect("utf-8");
    let saved = run_in(
        p,
        &[
            "baseline",
            "save",
            healthy,
            "-o",
            "ci/baseline.json",
            "--now",
            NOW,
        ],
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    std::fs::write(p.join("crmdesk-audit.toml"), example).expect("write");
    let r = audit(p, healthy, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("error"), "{}", r.stderr);
    let report = json_of(&r);
    assert_eq!(finding(&report, "contacts-have-email")["severity"], "high");
    assert_eq!(finding(&report, "edition")["status"], "pass");
}

#[test]
fn the_search_stops_at_the_top_of_the_repository() {
    let outer = tempfile::tempdir().expect("tempdir");
    std::fs::write(outer.path().join("crmdesk-audit.toml"), "nonsense = 1\n").expect("write");
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::create_dir_all(repo.join("sub")).expect("mkdir");
    let healthy = fixture("healthy");
    let healthy = healthy.to_str().expect("utf-8");
    // Inside the repository the file above it is not read...
    assert_eq!(audit(&repo.join("sub"), healthy, &[]).code, 0);
    // ... outside it is, and its unknown key stops the run.
    let r = audit(outer.path(), healthy, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("crmdesk-audit.toml:1:1"), "{}", r.stderr);
}
