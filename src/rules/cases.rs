//! A rule's own test cases, kept beside it: `rules/<id>.tests/<case>/` holding an export
//! and `expect.json`. The export is `patch.json`, a JSON merge patch (RFC 7396) on the
//! rule's `rules/<id>.tests/base.json`, so a case shows only what it changes (`null`
//! removes a key, which means "not exported", as `null` does in an export); or a whole
//! `export.json`; or a bundle directory `export/`:
//!
//! ```json
//! { "now": "2026-11-24T09:00:00+09:00",
//!   "checks": { "edition": "fail",
//!               "desk-authorized": { "status": "pass", "message": "true", "evidence": "/integration/desk/authorized" } } }
//! ```
//! A check's actual status is the worst of its findings; `message` must appear in the
//! English or Japanese message of one of them, `evidence` among their pointers.

use super::result::RuleResult;
use super::rule::Rule;
use crate::engine::{Limits, node::Node};
use crate::load::{self, ExportKind, ExportSource, LoadOptions};
use crate::status::Status;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A case's `expect.json`: the time to audit at and what each check should report.
#[derive(Debug)]
pub struct Expect {
    /// The RFC 3339 time the rule treats as now; `None`: `DEFAULT_NOW`.
    pub now: Option<String>,
    /// The expectation of each check, by check name; checks not named here are not compared.
    pub checks: BTreeMap<String, ExpectCheck>,
}

/// What one check should report: a status, and optionally a message and evidence to find.
#[derive(Debug)]
pub struct ExpectCheck {
    /// The worst status the check's findings should have.
    pub status: Status,
    /// Text that must appear in the English or Japanese message of one of the check's findings.
    pub message: Option<String>,
    /// A JSON Pointer that must be among the evidence of one of the check's findings.
    pub evidence: Option<String>,
}

impl ExpectCheck {
    /// The expected status (the `status` field).
    pub fn status(&self) -> Status {
        self.status
    }
}

impl Expect {
    /// Reads `expect.json`, saying exactly what is wrong with it.
    pub fn parse(text: &str) -> Result<Expect, ExpectError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(ExpectError::Json)?;
        let obj = v.as_object().ok_or(ExpectError::NotAnObject)?;
        for k in obj.keys() {
            if k != "now" && k != "checks" {
                return Err(ExpectError::UnknownKey(k.clone()));
            }
        }
        let now = match obj.get("now") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(other) => return Err(ExpectError::Now(other.clone())),
        };
        let checks = obj
            .get("checks")
            .and_then(serde_json::Value::as_object)
            .ok_or(ExpectError::ChecksNotAnObject)?;
        let mut out = BTreeMap::new();
        for (name, want) in checks {
            let status_of = |v: &serde_json::Value| -> Result<Status, ExpectError> {
                v.as_str()
                    .ok_or_else(|| ExpectError::StatusNotText {
                        check: name.clone(),
                    })?
                    .parse::<Status>()
                    .map_err(|why| ExpectError::Status {
                        check: name.clone(),
                        why,
                    })
            };
            let check = match want {
                serde_json::Value::Object(o) => {
                    if let Some(k) = o
                        .keys()
                        .find(|k| !["status", "message", "evidence"].contains(&k.as_str()))
                    {
                        return Err(ExpectError::UnknownCheckKey {
                            check: name.clone(),
                            key: k.clone(),
                        });
                    }
                    let text = |k: &str| o.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                    ExpectCheck {
                        status: status_of(o.get("status").unwrap_or(&serde_json::Value::Null))?,
                        message: text("message"),
                        evidence: text("evidence"),
                    }
                }
                v => ExpectCheck {
                    status: status_of(v)?,
                    message: None,
                    evidence: None,
                },
            };
            out.insert(name.clone(), check);
        }
        Ok(Expect { now, checks: out })
    }
}

/// What is wrong with a case's `expect.json` (the file's name is added where it is read).
#[derive(Debug)]
pub enum ExpectError {
    /// The file cannot be read.
    Read(std::io::Error),
    /// The text is not JSON.
    Json(serde_json::Error),
    /// The JSON is not an object.
    NotAnObject,
    /// A top-level key other than `now` and `checks`.
    UnknownKey(String),
    /// `now` is neither a string nor `null`.
    Now(serde_json::Value),
    /// `checks` is missing or not an object.
    ChecksNotAnObject,
    /// A check's expected status is not a string.
    StatusNotText { check: String },
    /// A check's expected status is not a status (`why`: the status parser's words).
    Status { check: String, why: String },
    /// A check's expectation has a key other than `status`, `message` and `evidence`.
    UnknownCheckKey { check: String, key: String },
}

impl fmt::Display for ExpectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectError::Read(e) => write!(f, "{e}"),
            ExpectError::Json(e) => write!(f, "{}:{}: invalid JSON: {e}", e.line(), e.column()),
            ExpectError::NotAnObject => f.write_str("expected an object {\"checks\": {...}}"),
            ExpectError::UnknownKey(k) => write!(f, "unknown key `{k}` (allowed: now, checks)"),
            ExpectError::Now(other) => {
                write!(f, "`now` must be an RFC 3339 string, not {other}")
            }
            ExpectError::ChecksNotAnObject => {
                f.write_str("`checks` must be an object: check name -> status")
            }
            ExpectError::StatusNotText { check } => {
                write!(f, "checks.{check}: the status must be a string")
            }
            ExpectError::Status { check, why } => write!(f, "checks.{check}: {why}"),
            ExpectError::UnknownCheckKey { check, key } => write!(
                f,
                "checks.{check}: unknown key `{key}` (allowed: status, message, evidence)"
            ),
        }
    }
}

impl std::error::Error for ExpectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExpectError::Read(e) => Some(e),
            ExpectError::Json(e) => Some(e),
            _ => None,
        }
    }
}

/// One case of one rule.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's directory name (`passes`, `skips-without-users`).
    pub name: String,
    /// The case's directory, `rules/<id>.tests/<name>/`.
    pub dir: PathBuf,
}

/// The result of running one case: what was expected and found, and each difference.
#[derive(Debug)]
pub struct CaseOutcome {
    /// The case that ran.
    pub case: Case,
    /// Each difference between expected and actual, as a sentence; empty when it passed.
    pub failures: Vec<String>,
    /// The status `expect.json` gives each check; empty when it could not be read.
    pub expected: BTreeMap<String, Status>,
    /// The worst status the rule's findings gave each check; empty when the rule did not run.
    pub actual: BTreeMap<String, Status>,
}

/// Default "now" for cases that do not set one, so results never depend on the clock.
pub const DEFAULT_NOW: &str = "2026-11-24T09:00:00+09:00";

/// The cases next to a rule file (`<rules dir>/<id>.tests/*/`), sorted by name.
pub fn cases_for(rules_dir: &Path, id: &str) -> Vec<Case> {
    let dir = rules_dir.join(format!("{id}.tests"));
    let mut out: Vec<Case> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| Case {
                    name: e.file_name().to_string_lossy().into_owned(),
                    dir: e.path(),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Runs `rule` on the case's export and compares with `expect.json`.
pub fn run_case(engine: &rhai::Engine, limits: &Limits, rule: &Rule, case: &Case) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        case: case.clone(),
        failures: vec![],
        expected: BTreeMap::new(),
        actual: BTreeMap::new(),
    };
    let expect_path = case.dir.join("expect.json");
    let expect: Expect = match std::fs::read_to_string(&expect_path)
        .map_err(ExpectError::Read)
        .and_then(|s| Expect::parse(&s))
    {
        Ok(e) => e,
        Err(e) => {
            outcome
                .failures
                .push(format!("{}: {e}", expect_path.display()));
            return outcome;
        }
    };
    outcome.expected = expect
        .checks
        .iter()
        .map(|(k, v)| (k.clone(), v.status()))
        .collect();
    let declared = declared_problems(rule, &expect);
    if !declared.is_empty() {
        outcome.failures = declared
            .into_iter()
            .map(|p| format!("{}: {p}", expect_path.display()))
            .collect();
        return outcome;
    }
    // `_merged` keeps a patched export's temporary file until it is loaded.
    let (source, _merged) = match export_of(&case.dir) {
        Ok(Some(s)) => s,
        Ok(None) => {
            outcome.failures.push(format!(
                "{}: no patch.json, export.json or export/ directory",
                case.dir.display()
            ));
            return outcome;
        }
        Err(e) => {
            outcome.failures.push(e);
            return outcome;
        }
    };
    let opts = LoadOptions {
        audit_time: expect.now.clone().unwrap_or_else(|| DEFAULT_NOW.to_owned()),
    };
    let doc = match load::load(&source, &opts) {
        Ok(d) => d,
        Err(e) => {
            outcome
                .failures
                .push(format!("the export does not load: {e}"));
            return outcome;
        }
    };
    let root = Node::root(&doc.root);
    let result = super::run::run_rule(engine, limits, rule, &doc, &root);
    outcome.actual = check_statuses(&result);
    compare(&expect, &result, &mut outcome.failures);
    outcome
}

/// Expectations that can never hold: a check the rule does not declare, or a status the
/// check cannot give.
fn declared_problems(rule: &Rule, expect: &Expect) -> Vec<String> {
    let Ok(c) = &rule.compiled else {
        return vec![];
    };
    let names: Vec<&str> = c.meta.checks.keys().map(String::as_str).collect();
    let mut out = Vec::new();
    for (name, want) in &expect.checks {
        if name == &rule.id && want.status == Status::Error {
            continue; // a broken rule reports one finding named after the rule
        }
        match c.meta.checks.get(name) {
            None => {
                let hint = crate::suggest::did_you_mean(name, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                out.push(format!(
                    "`{name}` is not a check of {}{hint} (checks: {})",
                    rule.id,
                    names.join(", ")
                ));
            }
            Some(m) if !m.statuses.contains(&want.status) && want.status != Status::Error => {
                out.push(format!(
                    "expects {name} = {}, which META.checks.{name}.statuses does not list",
                    want.status
                ));
            }
            Some(_) => {}
        }
    }
    out
}

/// The case's export, and the temporary directory holding it when it was made from
/// `patch.json` and the rule's `base.json`.
fn export_of(dir: &Path) -> Result<Option<(ExportSource, Option<tempfile::TempDir>)>, String> {
    let patch = dir.join("patch.json");
    let file = dir.join("export.json");
    let bundle = dir.join("export");
    let source = |path: PathBuf, kind| ExportSource {
        display: path.display().to_string(),
        path,
        kind,
    };
    if patch.is_file() {
        let base = dir
            .parent()
            .map(|p| p.join("base.json"))
            .unwrap_or_default();
        let read = |p: &Path| -> Result<serde_json::Value, String> {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}:{}:{}: invalid JSON: {e}",
                    p.display(),
                    e.line(),
                    e.column()
                )
            })
        };
        let mut merged = read(&base)?;
        merge_patch(&mut merged, read(&patch)?);
        let tmp = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
        let path = tmp.path().join("export.json");
        std::fs::write(&path, merged.to_string())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut src = source(path, ExportKind::SingleFile);
        src.display = patch.display().to_string();
        return Ok(Some((src, Some(tmp))));
    }
    if file.is_file() {
        return Ok(Some((source(file, ExportKind::SingleFile), None)));
    }
    if bundle.is_dir() {
        return Ok(Some((source(bundle, ExportKind::Bundle), None)));
    }
    Ok(None)
}

/// RFC 7396: an object patches key by key (`null` removes the key); anything else
/// replaces the target whole.
pub fn merge_patch(target: &mut serde_json::Value, patch: serde_json::Value) {
    use serde_json::Value;
    let Value::Object(changes) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in changes {
            if v.is_null() {
                t.remove(&k);
            } else {
                merge_patch(t.entry(k).or_insert(Value::Null), v);
            }
        }
    }
}

/// What `rules test` and `cargo test` both check beyond the cases themselves: every
/// status every check declares is expected by some case (read from the cases'
/// `expect.json`). Each missing one is a sentence.
pub fn coverage(rule: &Rule, cases: &[Case]) -> Vec<String> {
    let Ok(c) = &rule.compiled else {
        return vec![];
    };
    let seen: std::collections::BTreeSet<(String, Status)> = cases
        .iter()
        .filter_map(|case| std::fs::read_to_string(case.dir.join("expect.json")).ok())
        .filter_map(|text| Expect::parse(&text).ok())
        .flat_map(|e| e.checks.into_iter().map(|(k, v)| (k, v.status)))
        .collect();
    let mut out = Vec::new();
    for (check, meta) in &c.meta.checks {
        for s in &meta.statuses {
            if !seen.contains(&(check.clone(), *s)) {
                out.push(format!("no case expects {check} = {s}"));
            }
        }
    }
    out
}

/// Each check's status: the worst of its findings.
pub fn check_statuses(result: &RuleResult) -> BTreeMap<String, Status> {
    let mut out: BTreeMap<String, Status> = BTreeMap::new();
    for f in &result.findings {
        let s = out.entry(f.check.clone()).or_insert(f.status);
        *s = (*s).max(f.status);
    }
    out
}

fn compare(expect: &Expect, result: &RuleResult, failures: &mut Vec<String>) {
    let actual = check_statuses(result);
    for (check, want) in &expect.checks {
        let of_check: Vec<_> = result
            .findings
            .iter()
            .filter(|f| &f.check == check)
            .collect();
        match actual.get(check) {
            None => failures.push(format!(
                "{check}: expected {}, but the rule reported no finding for it (rule status {}: {})",
                want.status(),
                result.status,
                result.findings.first().map_or("", |f| f.message.en.as_str())
            )),
            Some(got) if *got != want.status() => failures.push(format!(
                "{check}: expected {}, got {got}: {}",
                want.status(),
                of_check
                    .iter()
                    .map(|f| f.message.en.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            )),
            Some(_) => {}
        }
        if actual.get(check) == Some(&want.status()) {
            let (message, evidence) = (&want.message, &want.evidence);
            if let Some(m) = message
                && !of_check
                    .iter()
                    .any(|f| f.message.en.contains(m.as_str()) || f.message.ja.contains(m.as_str()))
            {
                failures.push(format!(
                    "{check}: no message contains {m:?}; messages: {:?}",
                    of_check.iter().map(|f| &f.message.en).collect::<Vec<_>>()
                ));
            }
            if let Some(p) = evidence
                && !of_check.iter().any(|f| f.evidence.iter().any(|e| e == p))
            {
                failures.push(format!(
                    "{check}: no finding has evidence {p:?}; evidence: {:?}",
                    of_check.iter().map(|f| &f.evidence).collect::<Vec<_>>()
                ));
            }
        }
    }
}
