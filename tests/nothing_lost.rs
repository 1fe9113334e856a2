//! Nothing is lost: the tool never writes inside an export, and a report file is written
//! to a temporary file and renamed, so a run that is killed mid-write or fails leaves the
//! previous report whole (or no report), never a half-written one.

mod common;

use common::{NOW, bin, copy_dir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every entry under `dir`: its kind, content and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            let meta = std::fs::symlink_metadata(&p).expect("metadata");
            let modified = meta.modified().expect("mtime");
            if meta.is_dir() {
                stack.push(p.clone());
                out.insert(p, (b"<dir>".to_vec(), modified));
            } else {
                out.insert(p.clone(), (std::fs::read(&p).expect("read"), modified));
            }
        }
    }
    out
}

#[test]
fn no_command_writes_inside_an_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exports = dir.path().join("exports");
    copy_dir(
        &Path::new(ROOT).join("fixtures/healthy"),
        &exports.join("healthy"),
    );
    copy_dir(
        &Path::new(ROOT).join("fixtures/broken-json"),
        &exports.join("broken"),
    );
    std::fs::copy(
        Path::new(ROOT).join("fixtures/single-file-trial.json"),
        exports.join("trial.json"),
    )
    .expect("copy");
    let before = snapshot(&exports);
    // Modification times have a coarse grain on some file systems.
    std::thread::sleep(Duration::from_millis(20));

    let run = |args: &[&str]| {
        bin()
            .current_dir(dir.path())
            .args(args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("run")
    };
    for format in ["table", "json", "junit", "sarif", "markdown", "github"] {
        run(&["audit", "exports", "--format", format, "--now", NOW]);
    }
    run(&[
        "audit",
        "exports",
        "--output",
        "report.json",
        "--format",
        "json",
        "--report",
        "sarif=report.sarif",
        "--now",
        NOW,
    ]);
    run(&["query", "exports/healthy", "doc.crm.users.len()"]);
    run(&["query", "exports/trial.json", "doc"]);
    run(&[
        "diff",
        "exports/healthy",
        "exports/trial.json",
        "--now",
        NOW,
    ]);
    assert!(dir.path().join("report.json").exists());

    assert_eq!(snapshot(&exports), before, "the exports are unchanged");
}

fn report_args(out: &Path) -> Vec<String> {
    [
        "audit", "fixtures", "--format", "json", "--now", NOW, "--output",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string()])
    .collect()
}

/// Files in `dir` other than `keep`: only the hidden temporary files of killed runs may
/// be there.
fn strays(dir: &Path, keep: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != keep)
        .collect()
}

fn is_temporary(name: &str) -> bool {
    name.starts_with(".crmdesk-audit-") && name.ends_with(".tmp")
}

/// The process is killed (SIGXFSZ, by `prlimit --fsize`) after writing the first 4 KiB of
/// a report of about 180 KiB: exactly "mid-write".
#[cfg(target_os = "linux")]
#[test]
fn a_run_killed_mid_write_leaves_the_previous_report_whole() {
    if !Path::new("/usr/bin/prlimit").exists() {
        eprintln!("skipped: prlimit is missing");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let previous = "{\"previous\": \"report\"}\n";
    std::fs::write(&report, previous).expect("write");

    for target in [report.clone(), dir.path().join("new.json")] {
        let out = assert_cmd::Command::new("/usr/bin/prlimit")
            .arg("--fsize=4096")
            .arg("--")
            .arg(assert_cmd::cargo::cargo_bin("crmdesk-audit"))
            .args(report_args(&target))
            .current_dir(ROOT)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run");
        assert!(
            !out.status.success(),
            "the run must not complete: {:?}",
            out.status
        );
    }
    // The previous report is untouched, and no partial report was created.
    assert_eq!(std::fs::read_to_string(&report).expect("read"), previous);
    assert!(!dir.path().join("new.json").exists());
    for name in strays(dir.path(), "report.json") {
        assert!(is_temporary(&name), "unexpected file {name}");
    }

    // Without the limit the same run replaces the report with a whole one.
    let out = bin()
        .args(report_args(&report))
        .current_dir(ROOT)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "fixtures/ holds a broken export"
    );
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).expect("read"))
        .expect("a whole JSON report");
    assert!(json["exports"].as_array().is_some_and(|e| e.len() > 10));
}

/// Killed at many moments of a run: the report is always the previous one or a whole
/// new one.
#[cfg(unix)]
#[test]
fn a_run_killed_at_any_moment_never_leaves_half_a_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let previous = "{\"previous\": \"report\"}\n";
    std::fs::write(&report, previous).expect("write");
    let bin_path = assert_cmd::cargo::cargo_bin("crmdesk-audit");
    let mut replaced = 0;
    for i in 0..10u64 {
        let mut child = std::process::Command::new(&bin_path)
            .args(report_args(&report))
            .current_dir(ROOT)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(i * 40));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&report).expect("the report is there");
        if text != previous {
            let json: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("kill after {} ms: half a report ({e})", i * 40));
            assert!(json["summary"].is_object());
            replaced += 1;
            std::fs::write(&report, previous).expect("write");
        }
        for name in strays(dir.path(), "report.json") {
            assert!(is_temporary(&name), "unexpected file {name}");
        }
    }
    eprintln!("{replaced} of 10 runs finished before they were killed");
}

#[test]
fn a_failed_run_leaves_the_previous_report_and_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let previous = "{\"previous\": \"report\"}\n";
    std::fs::write(&report, previous).expect("write");
    let run = |args: &[&str]| {
        bin()
            .current_dir(ROOT)
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run")
    };
    let out_arg = report.display().to_string();
    // A usage error, a missing rules directory, a bad --now: no report is written.
    for args in [
        vec![
            "audit",
            "fixtures/healthy",
            "--now",
            "yesterday",
            "--output",
            &out_arg,
        ],
        vec![
            "audit",
            "fixtures/healthy",
            "--rules",
            "/no/such/rules",
            "--output",
            &out_arg,
        ],
        vec![
            "audit",
            "fixtures/healthy",
            "--timeout",
            "0",
            "--output",
            &out_arg,
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            std::fs::read_to_string(&report).expect("read"),
            previous,
            "{args:?}"
        );
    }
    // The rename cannot happen (a directory is in the way): an error, the directory
    // intact, and the temporary file removed.
    let blocked = dir.path().join("blocked.json");
    std::fs::create_dir(&blocked).expect("mkdir");
    std::fs::write(blocked.join("keep.txt"), "x").expect("write");
    let out = run(&[
        "audit",
        "fixtures/healthy",
        "--format",
        "json",
        "--now",
        NOW,
        "--output",
        &blocked.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("blocked.json: cannot write the report"),
        "{stderr}"
    );
    assert!(blocked.join("keep.txt").exists());
    let mut names = strays(dir.path(), "report.json");
    names.sort();
    assert_eq!(names, vec!["blocked.json".to_owned()]);
    assert_eq!(std::fs::read_to_string(&report).expect("read"), previous);
}
