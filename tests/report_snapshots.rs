//! Snapshots of the machine-read formats of one small export (a paused sync, audited at a
//! fixed `--now`) in both languages: SARIF, JUnit, GitHub annotations and JSON; and of
//! `diff` (JSON, table, Markdown) from a healthy export to it. The Markdown and HTML
//! audit reports have theirs in `report_html.rs`, the table in `cli.rs`.

mod common;

use common::{NOW, run};

const FIXTURE: &str = "fixtures/faq7-sync-paused";

/// The tool's version, which SARIF names: a placeholder, so a release changes no snapshot.
fn redact_version(s: &str) -> String {
    s.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"[version]\"",
    )
}

#[test]
fn sarif_junit_github_and_json_reports_of_a_paused_sync_in_both_languages() {
    for lang in ["en", "ja"] {
        for format in ["sarif", "junit", "github", "json"] {
            let r = run(&[
                "audit", FIXTURE, "--now", NOW, "--lang", lang, "--format", format,
            ]);
            assert_eq!(r.code, 1, "{format} {lang}: {}", r.stderr);
            assert!(r.stdout.contains("sync-running"), "{format} {lang}");
            insta::assert_snapshot!(
                format!("{format}_faq7-sync-paused_{lang}"),
                redact_version(&r.stdout)
            );
        }
    }
}

#[test]
fn diff_reports_from_a_healthy_export_to_a_paused_sync_in_both_languages() {
    for lang in ["en", "ja"] {
        for format in ["json", "table", "markdown"] {
            let r = run(&[
                "diff",
                "fixtures/healthy",
                FIXTURE,
                "--now",
                NOW,
                "--lang",
                lang,
                "--format",
                format,
            ]);
            assert_eq!(r.code, 1, "{format} {lang}: {}", r.stderr);
            assert!(r.stdout.contains("sync-running"), "{format} {lang}");
            insta::assert_snapshot!(format!("diff_{format}_faq7-sync-paused_{lang}"), r.stdout);
        }
    }
}
