//! Baselines: the findings a team has accepted, by fingerprint, so a CI gate that lives for
//! months reports only what is new (`baseline save`, `audit --baseline FILE`).
//!
//! A finding whose fingerprint is in the baseline is `unchanged` and, like a waived finding,
//! counts as `pass` toward `--fail-on`; one that is not is `new`. Baseline entries that no
//! finding matches any more are `fixed`. Fingerprints name records by what identifies them
//! (`rules::identity`), not by position, so a re-export in another order changes nothing.
//! They do not name the export: a baseline follows the same org from export to export.

use crate::audit::ExportOutcome;
use crate::rules::result::BaselineMark;
use crate::status::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The `schema_version` a baseline file must have; `read` refuses any other.
pub const SCHEMA_VERSION: u32 = 1;

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The finding's fingerprint: what `apply` matches findings by (32 hex digits).
    pub fingerprint: String,
    /// The rule id (for a reader of the file; matching uses only the fingerprint).
    pub rule: String,
    /// The check's name (for a reader of the file).
    pub check: String,
    /// The finding's status when it was saved (for a reader of the file).
    pub status: Status,
    /// Entity keys of the records it is about (for a reader of the file); may be absent.
    #[serde(default)]
    pub entities: Vec<String>,
}

/// A baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always `SCHEMA_VERSION` in a file `read` accepts.
    pub schema_version: u32,
    /// The accepted findings, sorted, one per distinct entry.
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// Every finding of `outcomes` that is not a pass (what a gate would report), sorted.
    pub fn of(outcomes: &[ExportOutcome]) -> Baseline {
        let mut set: BTreeSet<Entry> = BTreeSet::new();
        for a in outcomes.iter().filter_map(|o| o.result.as_ref().ok()) {
            for r in &a.results {
                for f in r.findings.iter().filter(|f| f.status != Status::Pass) {
                    set.insert(Entry {
                        fingerprint: f.fingerprint.clone(),
                        rule: r.rule.clone(),
                        check: f.check.clone(),
                        status: f.status,
                        entities: f.entities.clone(),
                    });
                }
            }
        }
        Baseline {
            schema_version: SCHEMA_VERSION,
            findings: set.into_iter().collect(),
        }
    }

    /// The file's text: JSON, one entry a line-group, stable order.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a baseline file, saying what is wrong with it.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|io| BaselineError::Read {
            path: path.to_path_buf(),
            io,
        })?;
        let b: Baseline = serde_json::from_str(&text).map_err(|error| BaselineError::Parse {
            path: path.to_path_buf(),
            error,
        })?;
        if b.schema_version != SCHEMA_VERSION {
            return Err(BaselineError::Schema {
                path: path.to_path_buf(),
                found: b.schema_version,
            });
        }
        Ok(b)
    }

    /// Marks every finding of `outcomes` new or unchanged, recomputes each rule's status
    /// (unchanged findings count as pass), and returns the entries no finding matched.
    pub fn apply(&self, outcomes: &mut [ExportOutcome]) -> Vec<Entry> {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for o in outcomes.iter_mut() {
            let Ok(a) = &mut o.result else { continue };
            for r in &mut a.results {
                for f in r.findings.iter_mut().filter(|f| f.status != Status::Pass) {
                    let unchanged = known.contains(f.fingerprint.as_str());
                    if unchanged {
                        seen.insert(f.fingerprint.clone());
                    }
                    f.baseline = Some(BaselineMark { unchanged });
                }
                r.status = crate::rules::RuleResult::combine(&r.findings);
            }
        }
        self.findings
            .iter()
            .filter(|e| !seen.contains(&e.fingerprint))
            .cloned()
            .collect()
    }
}

/// Why a baseline file cannot be used; each message names the file.
#[derive(Debug)]
pub enum BaselineError {
    /// The file cannot be read.
    Read { path: PathBuf, io: std::io::Error },
    /// The file is not a baseline's JSON.
    Parse {
        /// The baseline file.
        path: PathBuf,
        /// The JSON parser's error (with line and column).
        error: serde_json::Error,
    },
    /// The file is a baseline of another `schema_version`.
    Schema { path: PathBuf, found: u32 },
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaselineError::Read { path, io } => {
                write!(f, "{}: cannot read the baseline ({io})", path.display())
            }
            BaselineError::Parse { path, error } => write!(
                f,
                "{}:{}:{}: not a baseline ({error}); make one with `crmdesk-audit baseline save`",
                path.display(),
                error.line(),
                error.column()
            ),
            BaselineError::Schema { path, found } => write!(
                f,
                "{}: baseline schema_version {found} is not {SCHEMA_VERSION}; save the baseline again",
                path.display()
            ),
        }
    }
}

impl std::error::Error for BaselineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BaselineError::Read { io, .. } => Some(io),
            BaselineError::Parse { error, .. } => Some(error),
            BaselineError::Schema { .. } => None,
        }
    }
}
