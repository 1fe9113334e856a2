//! A rule's own test cases, kept beside it: `rules/<id>.tests/<case>/` holding an export
//! (`export.json` or a bundle directory `export/`) and `expect.json`:
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
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub now: Option<String>,
    pub checks: BTreeMap<String, ExpectCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ExpectCheck {
    Status(Status),
    Detailed {
        status: Status,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        evidence: Option<String>,
    },
}

impl ExpectCheck {
    pub fn status(&self) -> Status {
        match self {
            ExpectCheck::Status(s) | ExpectCheck::Detailed { status: s, .. } => *s,
        }
    }
}

/// One case of one rule.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
}

#[derive(Debug)]
pub struct CaseOutcome {
    pub case: Case,
    /// Each difference between expected and actual, as a sentence; empty when it passed.
    pub failures: Vec<String>,
    pub expected: BTreeMap<String, Status>,
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
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
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
    let source = match export_of(&case.dir) {
        Some(s) => s,
        None => {
            outcome.failures.push(format!(
                "{}: no export.json or export/ directory",
                case.dir.display()
            ));
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
    let result = super::run::run(engine, limits, rule, &doc, &root);
    outcome.actual = check_statuses(&result);
    compare(&expect, &result, &mut outcome.failures);
    outcome
}

fn export_of(dir: &Path) -> Option<ExportSource> {
    let file = dir.join("export.json");
    let bundle = dir.join("export");
    let (path, kind) = if file.is_file() {
        (file, ExportKind::SingleFile)
    } else if bundle.is_dir() {
        (bundle, ExportKind::Bundle)
    } else {
        return None;
    };
    Some(ExportSource {
        display: path.display().to_string(),
        path,
        kind,
    })
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
        if let ExpectCheck::Detailed {
            message, evidence, ..
        } = want
        {
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
