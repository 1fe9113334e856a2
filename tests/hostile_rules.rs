//! Rules are other people's code: each hostile rule ends as `error` for itself alone,
//! with a reason a rule author understands, and every other rule still reports.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// The address space the whole audit may use (`prlimit --as`): a rule that allocated
/// without bound would make the process abort here instead of swapping the machine. It
/// counts the rule threads' stacks whole (`RULE_STACK_SIZE` each, of which only what is
/// used becomes memory): two threads (`--threads 2`), plus 2 GiB for everything else.
const ADDRESS_SPACE: u64 = 2 * crmdesk_audit::rules::run::RULE_STACK_SIZE as u64 + (2 << 30);
/// The most resident memory the audit may reach (what `/usr/bin/time` reports): two rules
/// at their `--max-memory` of 64 MB at once, the stack pages a debug build touches while
/// freeing `closure-chain`'s 300,000 nested closures (about 750 bytes each), and the rest.
const MAX_RSS_KB: u64 = 640 << 10;
/// With `--timeout 2`, on 2 cores, in a debug build: every rule at once, with margin.
const MAX_WALL: Duration = Duration::from_secs(30);

struct Audit {
    code: i32,
    json: Value,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory in KiB, where /usr/bin/time exists.
    max_rss_kb: Option<u64>,
}

/// The audit with every hostile rule, under a hard memory limit and a wall-clock bound
/// (each applied where the machine has the tool: prlimit, GNU time).
fn audit_with_hostile_rules() -> Audit {
    let bin = assert_cmd::cargo::cargo_bin("crmdesk-audit");
    let rss = tempfile::NamedTempFile::new().expect("temp file");
    let mut argv: Vec<String> = Vec::new();
    if Path::new("/usr/bin/prlimit").exists() {
        argv.extend([
            "/usr/bin/prlimit".to_owned(),
            format!("--as={ADDRESS_SPACE}"),
            "--".to_owned(),
        ]);
    }
    let timed = Path::new("/usr/bin/time").exists();
    if timed {
        argv.extend([
            "/usr/bin/time".to_owned(),
            "-o".to_owned(),
            rss.path().display().to_string(),
            "-f".to_owned(),
            "%M".to_owned(),
        ]);
    }
    argv.push(bin.display().to_string());
    let started = Instant::now();
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .args([
            "audit",
            "tests/data/minimal.json",
            "--rules",
            "fixtures/hostile-rules",
            "--format",
            "json",
            "--timeout",
            "2",
            // The clock, not the operation count, stops the endless loops here, so each
            // says the same thing in debug and release builds.
            "--max-operations",
            "10000000000",
            // Below the memory the test allows the whole process (`MAX_RSS_KB`).
            "--max-memory",
            "64",
            "--threads",
            "2",
            "--now",
            "2026-11-24T09:00:00+09:00",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LANG")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr: {stderr}"));
    let max_rss_kb = timed
        .then(|| std::fs::read_to_string(rss.path()).ok())
        .flatten()
        .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()));
    Audit {
        // GNU time passes the exit status on.
        code: out.status.code().unwrap_or(-1),
        json,
        stderr,
        elapsed,
        max_rss_kb,
    }
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
    let Audit {
        code,
        json,
        stderr,
        elapsed,
        max_rss_kb,
    } = audit_with_hostile_rules();
    assert_eq!(
        code, 2,
        "a rule in error makes the exit status 2; stderr: {stderr}"
    );
    assert!(elapsed < MAX_WALL, "the audit took {elapsed:?}");
    if let Some(kb) = max_rss_kb {
        assert!(kb < MAX_RSS_KB, "the audit used {kb} KiB of memory");
    }
    // What rules print goes neither to stdout (it is valid JSON, above) nor to stderr.
    assert!(
        !stderr.contains("0123456789012345678901234567890123456789") && stderr.len() < 4096,
        "stderr: {stderr}"
    );

    let expected = [
        ("endless-loop", "ran longer than 2.0 s"),
        ("closure-loop", "ran longer than 2.0 s"),
        ("filter-loop", "ran longer than 2.0 s"),
        ("closure-recursion", "nested deeper than 48 levels"),
        ("debugs-megabyte", "printed more than 65536 bytes"),
        ("sort-loop", "ran longer than 2.0 s"),
        ("deep-recursion", "nested deeper than 48 levels"),
        (
            "string-doubling",
            "grew past the limit|held more than 64 MB",
        ),
        ("array-doubling", "grew past the limit|held more than 64 MB"),
        ("const-assign", "constant"),
        ("throws", "threw boom from a rule"),
        ("wrong-return", "must return an array of findings"),
        ("prints-megabyte", "printed more than 65536 bytes"),
        ("uses-eval", "'eval' is disabled"),
        ("imports-file", "'import' is a reserved keyword"),
        ("sort-throws", "threw boom in a comparator"),
        ("dedup-helper-error", "parse_time"),
        ("sleeps", "sleep is not available"),
        ("slow-native-steps", "ran longer than 2.0 s"),
        (
            "closure-chain",
            "nested deeper than 48 levels|ran longer than 2.0 s",
        ),
        ("joins-terabyte", "grew past the limit"),
        ("replaces-terabyte", "grew past the limit"),
        ("prints-fn-pointers", "grew past the limit"),
        ("curries-megabytes", "held more than 64 MB of memory"),
        (
            "finding-flood",
            "more than the limit of 10000 (--max-findings)",
        ),
        ("remedy-flood", "MB of text with their remedies"),
        ("const-map-change", "assignment into the constant `M`"),
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
        // `a|b`: either limit may be the first one crossed.
        assert!(
            reason.split('|').any(|r| msg.contains(r)),
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
