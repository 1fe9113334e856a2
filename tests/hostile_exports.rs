//! Exports are untrusted input: nothing in one may crash the tool, hang it, or fool it into
//! a wrong `pass`. Each hostile export gives a clear error naming the file (with line and
//! column where they apply) or a documented tolerant reading (docs/security.md), and in a
//! batch the other exports are still audited.
//!
//! Small cases are files in fixtures/hostile-exports/; big ones (a 200 MB string, nesting
//! 100,000 levels deep) and ones git cannot hold (pipes, links, unreadable files) are made
//! in temporary directories here.

mod common;

use common::{NOW, bin};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Out {
    code: i32,
    json: Value,
    stderr: String,
}

/// `audit <paths> --format json`, bounded in time; stdout must be a JSON report whatever
/// the input.
fn audit(paths: &[&Path], extra: &[&str]) -> Out {
    let out = bin()
        .current_dir(ROOT)
        .arg("audit")
        .args(paths)
        .args(["--format", "json", "--now", NOW])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    report(out)
}

fn report(out: std::process::Output) -> Out {
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "the tool panicked: {stderr}");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not a JSON report ({e}): {stdout}\n{stderr}"));
    Out {
        code: out.status.code().unwrap_or(-1),
        json,
        stderr,
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(ROOT).join("fixtures/hostile-exports").join(name)
}

fn exports(json: &Value) -> &Vec<Value> {
    json["exports"].as_array().expect("exports")
}

/// The export whose path ends with `suffix`.
fn export<'a>(json: &'a Value, suffix: &str) -> &'a Value {
    exports(json)
        .iter()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no export {suffix} in {json}"))
}

/// rule id -> status for one loaded export.
fn statuses(e: &Value) -> Vec<(String, String)> {
    e["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {e}"))
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn result<'a>(e: &'a Value, rule: &str) -> &'a Value {
    e["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no result for {rule}: {e}"))
}

/// A failed export: status error, the message, no results.
fn load_error(e: &Value) -> String {
    assert_eq!(e["status"], "error", "{e}");
    assert!(
        e.get("results")
            .is_none_or(|r| r.as_array().is_none_or(Vec::is_empty)),
        "{e}"
    );
    e["error"].as_str().expect("error message").to_owned()
}

/// Damaged files: `file:line:column: message`, exit status 2.
const MALFORMED: &[(&str, &str, &str)] = &[
    ("truncated.json", ":9:19: ", "cut short"),
    ("trailing-garbage.json", ":48:1: ", "more text follows"),
    ("invalid-utf8.json", ":8:23: ", "not valid UTF-8"),
    ("nan.json", ":44:35: ", "invalid JSON"),
    ("infinity.json", ":44:36: ", "invalid JSON"),
    (
        "number-out-of-range.json",
        ":44:39: ",
        "number out of range",
    ),
    ("huge-id.json", ":37:95: ", "too large to read exactly"),
];

#[test]
fn each_damaged_file_is_an_error_naming_file_line_and_column() {
    for (name, position, words) in MALFORMED {
        let path = fixture(name);
        let o = audit(&[&path], &[]);
        assert_eq!(o.code, 2, "{name}: {}", o.stderr);
        let msg = load_error(&exports(&o.json)[0]);
        let want = format!("{}{position}", path.display());
        assert!(
            msg.starts_with(&want),
            "{name}: {msg:?} should start {want:?}"
        );
        assert!(msg.contains(words), "{name}: {msg:?} should say {words:?}");
        assert!(o.stderr.contains(&want), "{name}: stderr {}", o.stderr);
        assert_eq!(o.json["summary"]["error"], 1, "{name}");
    }
}

#[test]
fn tolerant_readings_are_the_documented_ones() {
    let minimal = Path::new(ROOT).join("tests/data/minimal.json");
    let base = audit(&[&minimal], &[]);
    let want = statuses(&exports(&base.json)[0]);

    // A UTF-8 byte order mark is skipped; numbers too large for any integer type outside
    // id keys are read as floating point (no rule compares them).
    for name in ["bom.json", "huge-integer.json"] {
        let o = audit(&[&fixture(name)], &[]);
        assert_eq!(statuses(&exports(&o.json)[0]), want, "{name}");
        assert_eq!(o.code, base.code, "{name}");
    }

    // Of duplicate keys the last one wins: "running" then "paused" reads as paused.
    let o = audit(&[&fixture("duplicate-keys.json")], &[]);
    let e = &exports(&o.json)[0];
    assert_eq!(result(e, "sync-running")["status"], "fail", "{e}");
    assert_eq!(o.code, 1);
}

#[test]
fn a_batch_of_hostile_exports_audits_every_loadable_one() {
    let o = audit(&[&fixture("")], &[]);
    assert_eq!(o.code, 2);
    assert_eq!(exports(&o.json).len(), 10, "{}", o.json);
    for (name, _, _) in MALFORMED {
        load_error(export(&o.json, name));
    }
    for name in ["bom.json", "huge-integer.json", "duplicate-keys.json"] {
        assert_eq!(statuses(export(&o.json, name)).len(), 8, "{name}");
    }
}

#[test]
fn nesting_100000_levels_deep_is_refused_without_overflowing_the_stack() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let single = dir.path().join("deep.json");
    std::fs::write(&single, format!("{{\"crm\": {{\"users\": {deep}}}}}")).expect("write");
    let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let bundle = dir.path().join("bundle");
    std::fs::create_dir_all(bundle.join("crm")).expect("mkdir");
    std::fs::write(bundle.join("crm/users.json"), objects).expect("write");

    let o = audit(&[&single, &bundle], &[]);
    assert_eq!(o.code, 2);
    let msg = load_error(export(&o.json, "deep.json"));
    assert!(msg.contains("deep.json:1:"), "{msg}");
    assert!(msg.contains("nested more than 128 levels"), "{msg}");
    let msg = load_error(export(&o.json, "bundle"));
    assert!(msg.contains("crm/users.json:1:"), "{msg}");
    assert!(msg.contains("nested more than 128 levels"), "{msg}");
}

/// A 200 MB string is read (exports reach 500 MB); a rule that would copy it into a
/// message stops at the string limit and ends in `error`, alone.
#[test]
fn a_200_mb_string_is_read_and_bounded_where_a_rule_uses_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let minimal: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("tests/data/minimal.json")).expect("read"),
    )
    .expect("json");
    let big = "x".repeat(200 << 20);
    let write = |name: &str, key: &str| {
        let mut d = minimal.clone();
        d["crm"]["users"]["users"][0][key] = Value::from("@BIG@");
        let text = serde_json::to_string(&d)
            .expect("json")
            .replace("@BIG@", &big);
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let unread = write("unread.json", "signature");
    let named = write("named.json", "full_name");
    drop(big);

    let started = Instant::now();
    let o = audit(&[&unread, &named], &[]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.code, 2, "{}", o.stderr);

    let base = audit(
        &[Path::new(ROOT).join("tests/data/minimal.json").as_path()],
        &[],
    );
    let want = statuses(&exports(&base.json)[0]);
    assert_eq!(statuses(export(&o.json, "unread.json")), want);

    let named = export(&o.json, "named.json");
    let r = result(named, "integration-prerequisites");
    assert_eq!(r["status"], "error", "{r}");
    let msg = r["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("grew past the limit"), "{msg}");
    for (rule, status) in statuses(named) {
        if rule != "integration-prerequisites" && rule != "ticket-department-access" {
            assert_ne!(status, "error", "{rule}");
        }
    }
    // The report stays small: the string is never copied into it.
    assert!(o.json.to_string().len() < 1 << 20);
}

/// Values of the wrong type at keys the rules read: the rule that reads one reports
/// `error` naming the file and key (or the document pointer), or a non-passing status;
/// never `pass`. Every other rule still reports.
/// Whether the check `check` reads the key that the case `name` damages.
fn reads_key(name: &str, check: &str) -> bool {
    match name {
        "authorized-string" => check == "desk-authorized",
        _ => true,
    }
}

#[test]
fn wrong_types_at_keys_the_rules_read_never_pass() {
    let healthy: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("fixtures/single-file-healthy.json"))
            .expect("read"),
    )
    .expect("json");
    type Edit = fn(&mut Value);
    // (name, edit, rule, what its message must say; "" when the rule may warn or fail)
    let cases: &[(&str, Edit, &str, &str)] = &[
        (
            "users-as-object",
            |d| {
                let first = d["crm"]["users"]["users"][0].clone();
                d["crm"]["users"]["users"] = first;
            },
            "integration-prerequisites",
            "key `crm.users.users`: expected an array, found an object",
        ),
        (
            "user-status-number",
            |d| {
                for u in d["crm"]["users"]["users"].as_array_mut().expect("users") {
                    u["status"] = Value::from(1);
                }
            },
            "integration-prerequisites",
            "/crm/users/0/status is a number",
        ),
        (
            "agent-status-number",
            |d| {
                for a in d["desk"]["agents"]["data"].as_array_mut().expect("agents") {
                    a["status"] = Value::from(0);
                }
            },
            "ticket-department-access",
            "/desk/agents/0/status is a number",
        ),
        (
            "agent-status-object",
            |d| d["desk"]["agents"]["data"][0]["status"] = serde_json::json!({"value": "ACTIVE"}),
            "ticket-department-access",
            "/desk/agents/0/status is an object",
        ),
        (
            "department-ids-string",
            |d| {
                for a in d["desk"]["agents"]["data"].as_array_mut().expect("agents") {
                    if let Some(ids) = a.get("associatedDepartmentIds").cloned() {
                        let text: Vec<String> = ids
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                            .collect();
                        a["associatedDepartmentIds"] = Value::from(text.join(","));
                    }
                }
            },
            "ticket-department-access",
            "",
        ),
        (
            "tickets-as-object",
            |d| d["desk"]["tickets"] = serde_json::json!({"data": {"id": "1"}}),
            "desk-tab-initialized",
            "expected an array, found an object",
        ),
        (
            "modules-as-string",
            |d| d["crm"]["modules"] = serde_json::json!({"modules": "Accounts"}),
            "custom-module-related-list",
            "expected an array, found a string",
        ),
        (
            "profile-as-string",
            |d| {
                for u in d["crm"]["users"]["users"].as_array_mut().expect("users") {
                    u["profile"] = Value::from("Administrator");
                }
            },
            "integration-prerequisites",
            "",
        ),
        (
            "license-as-string",
            |d| d["crm"]["org"] = serde_json::json!({"org": [{"license_details": "enterprise"}]}),
            "crm-edition-supports-integration",
            "",
        ),
        (
            "sync-status-number",
            |d| d["integration"]["crm"]["sync"]["status"] = Value::from(1),
            "sync-running",
            "",
        ),
        (
            "authorized-string",
            // Not a spelling of true or false ("yes" and "はい" are).
            |d| d["integration"]["desk"]["authorized"] = Value::from("sometimes"),
            "crm-edition-supports-integration",
            "",
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, edit, _, _) in cases {
        let mut d = healthy.clone();
        edit(&mut d);
        std::fs::write(dir.path().join(format!("{name}.json")), d.to_string()).expect("write");
    }
    // One batch: every export is audited whatever the others hold.
    let o = audit(&[dir.path()], &[]);
    assert_eq!(exports(&o.json).len(), cases.len());
    for (name, _, rule, says) in cases {
        let e = export(&o.json, &format!("{name}.json"));
        assert_eq!(statuses(e).len(), 8, "{name}: every rule reports");
        let r = result(e, rule);
        // The rule's own status, or (where another check of it passes) the findings of
        // the check that reads the key: none may pass.
        let reading = r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| reads_key(name, f["check"].as_str().unwrap_or_default()));
        for f in reading {
            assert_ne!(f["status"], "pass", "{name}: {rule} must not pass: {r}");
        }
        if name != &"authorized-string" {
            assert_ne!(r["status"], "pass", "{name}: {rule} must not pass: {r}");
        }
        if !says.is_empty() {
            assert_eq!(r["status"], "error", "{name}: {r}");
            let msg = r["findings"][0]["message"].as_str().unwrap_or_default();
            assert!(msg.contains(says), "{name}: {msg:?} should say {says:?}");
            if says.contains("key `") || says.contains("expected") {
                assert!(
                    msg.contains(&format!("{name}.json")),
                    "{name}: {msg:?} names the file"
                );
            }
        }
    }
}

#[test]
fn a_directory_where_a_file_belongs_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("acme");
    std::fs::create_dir_all(bundle.join("crm/users.json")).expect("mkdir");
    std::fs::write(bundle.join("integration.json"), "{}").expect("write");
    let good = dir.path().join("good.json");
    std::fs::copy(Path::new(ROOT).join("tests/data/minimal.json"), &good).expect("copy");
    let o = audit(&[dir.path()], &[]);
    assert_eq!(o.code, 2);
    let msg = load_error(export(&o.json, "acme"));
    assert!(msg.contains("acme/crm/users.json"), "{msg}");
    assert!(msg.contains("is a directory"), "{msg}");
    assert_eq!(statuses(export(&o.json, "good.json")).len(), 8);
}

#[cfg(unix)]
#[test]
fn symlink_loops_pipes_and_devices_neither_hang_nor_stop_the_batch() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let batch = dir.path().join("batch");
    std::fs::create_dir_all(batch.join("acme/crm")).expect("mkdir");
    std::fs::copy(
        Path::new(ROOT).join("tests/data/minimal.json"),
        batch.join("good.json"),
    )
    .expect("copy");
    // A directory link back to the batch, a file linking to itself, and one inside a bundle.
    symlink(&batch, batch.join("loop")).expect("symlink");
    symlink(batch.join("self.json"), batch.join("self.json")).expect("symlink");
    symlink(
        batch.join("acme/crm/users.json"),
        batch.join("acme/crm/users.json"),
    )
    .expect("symlink");
    // Reading a pipe waits for a writer; reading /dev/zero never ends.
    let fifo = std::process::Command::new("mkfifo")
        .arg(batch.join("pipe.json"))
        .status()
        .is_ok_and(|s| s.success());
    symlink("/dev/zero", batch.join("zero.json")).expect("symlink");

    let started = Instant::now();
    let o = audit(&[&batch], &[]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.code, 2);
    assert_eq!(statuses(export(&o.json, "good.json")).len(), 8);
    assert!(load_error(export(&o.json, "self.json")).contains("self.json"));
    let msg = load_error(export(&o.json, "acme"));
    assert!(msg.contains("acme/crm/users.json"), "{msg}");
    if fifo {
        let msg = load_error(export(&o.json, "pipe.json"));
        assert!(msg.contains("not a regular file"), "{msg}");
    }
    // A link out of the batch is refused before anything could read it.
    let msg = load_error(export(&o.json, "zero.json"));
    assert!(msg.contains("outside the directory of exports"), "{msg}");
}

/// The effective user id, from /proc (no libc binding needed).
fn euid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// An unreadable file in a batch. Root reads anything, so as root the tool runs as
/// `nobody` (via setpriv) for this test.
#[cfg(unix)]
#[test]
fn an_unreadable_file_in_a_batch_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let batch = dir.path().join("batch");
    std::fs::create_dir_all(batch.join("acme/crm")).expect("mkdir");
    let minimal = Path::new(ROOT).join("tests/data/minimal.json");
    std::fs::copy(&minimal, batch.join("good.json")).expect("copy");
    std::fs::copy(&minimal, batch.join("secret.json")).expect("copy");
    std::fs::write(batch.join("acme/crm/users.json"), "[]").expect("write");
    for d in [
        dir.path(),
        &batch,
        &batch.join("acme"),
        &batch.join("acme/crm"),
    ] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    for f in ["good.json", "acme/crm/users.json"] {
        std::fs::set_permissions(batch.join(f), std::fs::Permissions::from_mode(0o644))
            .expect("chmod");
    }
    std::fs::set_permissions(
        batch.join("secret.json"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    std::fs::set_permissions(
        batch.join("acme/crm/users.json"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");

    let bin_path = assert_cmd::cargo::cargo_bin("crmdesk-audit");
    let mut cmd = if euid() == Some(0) {
        if !Path::new("/usr/bin/setpriv").exists() {
            eprintln!("skipped: running as root and setpriv is missing");
            return;
        }
        let mut c = assert_cmd::Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin_path);
        c
    } else {
        assert_cmd::Command::new(&bin_path)
    };
    let out = cmd
        .current_dir(dir.path())
        .env_remove("LANG")
        .args(["audit", "batch", "--format", "json", "--now", NOW])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    if String::from_utf8_lossy(&out.stderr).contains("Permission denied") && out.stdout.is_empty() {
        eprintln!("skipped: nobody cannot run the binary from this checkout");
        return;
    }
    let o = report(out);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let msg = load_error(export(&o.json, "secret.json"));
    assert!(msg.starts_with("batch/secret.json: cannot read"), "{msg}");
    assert!(msg.contains("ermission denied"), "{msg}");
    let msg = load_error(export(&o.json, "acme"));
    assert!(msg.contains("batch/acme/crm/users.json"), "{msg}");
    assert_eq!(statuses(export(&o.json, "good.json")).len(), 8);
}

#[test]
fn a_batch_never_audits_what_its_links_point_to_outside_it() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("outside");
    let batch = tempfile::tempdir().expect("batch");
    std::fs::create_dir_all(outside.path().join("bundle/crm")).expect("mkdir");
    std::fs::write(outside.path().join("bundle/crm/users.json"), "[]").expect("write");
    std::fs::write(outside.path().join("single.json"), "{\"crm\": {}}").expect("write");
    std::fs::create_dir_all(batch.path().join("inside/crm")).expect("mkdir");
    std::fs::write(batch.path().join("inside/crm/users.json"), "[]").expect("write");
    symlink(
        outside.path().join("bundle"),
        batch.path().join("linked-dir"),
    )
    .expect("symlink");
    symlink(
        outside.path().join("single.json"),
        batch.path().join("linked.json"),
    )
    .expect("symlink");
    // A link to an export inside the batch is fine.
    symlink(batch.path().join("inside"), batch.path().join("alias")).expect("symlink");
    let o = audit(&[batch.path()], &[]);
    for name in ["linked-dir", "linked.json"] {
        let msg = load_error(export(&o.json, name));
        assert!(
            msg.contains("outside the directory of exports"),
            "{name}: {msg}"
        );
    }
    assert_eq!(statuses(export(&o.json, "alias")).len(), 8);
    assert_eq!(statuses(export(&o.json, "inside")).len(), 8);
}
