//! Every bound on a rule run is a flag with a safe default (docs/security.md): each flag
//! really moves its limit, the error names the flag, and values that would make the
//! tool unsafe or panic are refused as usage errors.

mod common;

use common::{NOW, bin};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const META: &str = r#"const META = #{
    faq: 90, title: #{ ja: "t", en: "t" }, description: #{ ja: "t", en: "t" },
    checks: #{ "x": #{ statuses: ["pass"], remedy: #{ ja: "-", en: "-" } } },
};"#;

/// A rules directory holding one rule `probe` with this body after META.
fn rule_dir(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("probe.rhai"), format!("{META}\n{body}\n")).expect("write");
    dir
}

struct Out {
    code: i32,
    json: Option<Value>,
    stderr: String,
}

fn audit(rules: &Path, flags: &[&str]) -> Out {
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["audit", "tests/data/minimal.json", "--only", "probe"])
        .arg("--rules")
        .arg(rules)
        .args(["--format", "json", "--now", NOW])
        .args(flags)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    Out {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).ok(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The probe rule's status and first message.
fn verdict(o: &Out) -> (String, String) {
    let json = o
        .json
        .as_ref()
        .unwrap_or_else(|| panic!("no JSON report; stderr: {}", o.stderr));
    let r = &json["exports"][0]["results"][0];
    (
        r["status"].as_str().unwrap_or_default().to_owned(),
        r["findings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The rule passes under the defaults and ends in `error` naming `flag` when `flag` is
/// set to `value`.
fn flag_moves_the_limit(body: &str, flag: &str, value: &str, says: &str) {
    let dir = rule_dir(body);
    let o = audit(dir.path(), &[]);
    assert_eq!(verdict(&o).0, "pass", "{flag}: default: {:?}", verdict(&o));
    assert_eq!(o.code, 0, "{flag}: {}", o.stderr);

    let o = audit(dir.path(), &[flag, value]);
    let (status, message) = verdict(&o);
    assert_eq!(status, "error", "{flag} {value}: {message}");
    assert_eq!(o.code, 2, "{flag} {value}");
    assert!(message.contains(says), "{flag} {value}: {message:?}");
    assert!(message.contains(flag), "{message:?} should name {flag}");
}

#[test]
fn max_call_levels_bounds_recursion() {
    flag_moves_the_limit(
        r#"fn down(n) { if n == 0 { 0 } else { 1 + down(n - 1) } }
           fn audit(doc) { down(20); [pass("x", "ok")] }"#,
        "--max-call-levels",
        "8",
        "nested deeper than 8 levels",
    );
}

#[test]
fn max_string_size_bounds_strings() {
    flag_moves_the_limit(
        r#"fn audit(doc) { let s = "0123456789"; for i in 0..5 { s += s; } [pass("x", `${s.len()}`)] }"#,
        "--max-string-size",
        "100",
        "100 bytes per string",
    );
}

#[test]
fn max_array_size_bounds_arrays() {
    flag_moves_the_limit(
        r#"fn audit(doc) { let a = []; for i in 0..50 { a.push(i); } [pass("x", `${a.len()}`)] }"#,
        "--max-array-size",
        "10",
        "10 items per array",
    );
}

#[test]
fn max_map_size_bounds_maps() {
    flag_moves_the_limit(
        r#"fn audit(doc) { let m = #{}; for i in 0..50 { m[`k${i}`] = i; } [pass("x", `${m.len()}`)] }"#,
        "--max-map-size",
        "10",
        "10 per map",
    );
}

#[test]
fn max_output_bounds_what_a_rule_prints() {
    flag_moves_the_limit(
        r#"fn audit(doc) { for i in 0..20 { print("0123456789"); } [pass("x", "ok")] }"#,
        "--max-output",
        "100",
        "printed more than 100 bytes",
    );
}

#[test]
fn max_operations_bounds_work() {
    flag_moves_the_limit(
        r#"fn audit(doc) { let n = 0; for i in 0..10000 { n += i; } [pass("x", `${n}`)] }"#,
        "--max-operations",
        "1000",
        "stopped after 1000 operations",
    );
}

#[test]
fn timeout_bounds_wall_clock_time() {
    let dir = rule_dir(r#"fn audit(doc) { loop {} [pass("x", "never")] }"#);
    let started = std::time::Instant::now();
    let o = audit(dir.path(), &["--timeout", "0.5"]);
    let (status, message) = verdict(&o);
    assert_eq!(status, "error");
    assert!(message.contains("ran longer than 0.5 s"), "{message}");
    assert!(message.contains("--timeout"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

/// Rhai recursion uses the native stack, and overflowing it aborts the process. The
/// highest call-level limit allowed must be safe on the rule threads' stacks, in a debug
/// build too, even when each level also goes through native functions (map, sort).
#[test]
fn the_highest_call_level_limit_cannot_overflow_the_stack() {
    let dir = rule_dir(
        r#"fn deep(n) { [n].map(|v| [v].filter(|x| deep(x - 1) >= 0).len()).reduce(|a, b| a + b, 0) }
           fn audit(doc) { deep(100000); [pass("x", "never")] }"#,
    );
    let o = audit(dir.path(), &["--max-call-levels", "256"]);
    let (status, message) = verdict(&o);
    assert_eq!(status, "error", "{message}");
    assert!(
        message.contains("nested deeper than 256 levels"),
        "{message}"
    );
    assert!(message.len() < 1000, "a readable message: {message}");
    assert_eq!(o.code, 2);
}

#[test]
fn unsafe_or_meaningless_limits_are_usage_errors_not_panics() {
    let dir = rule_dir(r#"fn audit(doc) { [pass("x", "ok")] }"#);
    for (flag, value) in [
        ("--max-call-levels", "0"),
        ("--max-call-levels", "257"),
        ("--max-call-levels", "100000"),
        ("--timeout", "0"),
        ("--timeout=-1", ""),
        ("--timeout", "NaN"),
        ("--timeout", "inf"),
        ("--timeout", "1e30"),
        ("--max-string-size", "0"),
        ("--max-array-size=-5", ""),
        ("--max-map-size", "99999999999999"),
        ("--max-output", "x"),
        ("--max-operations=-1", ""),
    ] {
        let args: &[&str] = if value.is_empty() {
            &[flag]
        } else {
            &[flag, value]
        };
        let o = audit(dir.path(), args);
        let flag = flag.split('=').next().unwrap_or(flag);
        assert_eq!(o.code, 2, "{flag} {value}: {}", o.stderr);
        assert!(o.json.is_none(), "{flag} {value}: no report");
        assert!(
            o.stderr.contains(flag) && !o.stderr.contains("panicked"),
            "{flag} {value}: {}",
            o.stderr
        );
    }
}

#[test]
fn query_runs_under_the_same_adjustable_limits() {
    let run = |flags: &[&str]| {
        bin()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "query",
                "tests/data/minimal.json",
                r#"let s = "0123456789"; s += s; s += s; s.len()"#,
            ])
            .args(flags)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run")
    };
    let ok = run(&[]);
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "40");
    let bounded = run(&["--max-string-size", "30"]);
    assert_eq!(bounded.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bounded.stderr);
    assert!(stderr.contains("--max-string-size"), "{stderr}");

    let endless = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "query",
            "tests/data/minimal.json",
            "loop {}",
            "--timeout",
            "0.5",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run");
    assert_eq!(endless.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&endless.stderr).contains("ran longer than 0.5 s"));
}

#[test]
fn every_limit_flag_is_in_the_help_with_its_default() {
    let out = bin().args(["audit", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, default) in [
        ("--max-operations", "100000000"),
        ("--timeout", "10"),
        ("--max-call-levels", "48"),
        ("--max-string-size", "1048576"),
        ("--max-array-size", "1048576"),
        ("--max-map-size", "1048576"),
        ("--max-output", "65536"),
    ] {
        let line = help
            .lines()
            .skip_while(|l| !l.contains(flag))
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            line.contains(&format!("[default: {default}]")),
            "{flag}: {line}"
        );
    }
}
