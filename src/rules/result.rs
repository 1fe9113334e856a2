//! What running a rule produces: findings, and the rule's combined status.

use crate::severity::Severity;
use crate::status::Status;
use crate::text::Text;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub check: String,
    pub status: Status,
    /// Its check's severity (META); `medium` for a rule that broke.
    pub severity: Severity,
    pub message: Text,
    /// What to do about a `warn` or `fail`: the finding's own remedy, else its check's
    /// (META). Kept apart from the message so every format can lay the two out.
    pub remedy: Option<Text>,
    /// JSON Pointers into the loaded document.
    pub evidence: Vec<String>,
    /// The waiver that matched this finding, if any (`--waivers`).
    pub waiver: Option<WaiverMark>,
    /// The records the evidence is about, by what identifies them (`identity`).
    pub entities: Vec<String>,
    /// Rule, check, status and entities hashed: the finding's identity across exports.
    pub fingerprint: String,
    /// Whether a baseline (`--baseline`) already held this finding, when one was given.
    pub baseline: Option<BaselineMark>,
}

/// A finding against a baseline: `unchanged` (accepted: counts as pass) or new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaselineMark {
    pub unchanged: bool,
}

/// A waiver applied to a finding: it is accepted (and does not count) unless expired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverMark {
    pub reason: String,
    pub owner: String,
    pub expires: String,
    pub expired: bool,
}

impl Finding {
    /// Whether the finding is accepted by a waiver still in force.
    pub fn is_waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|w| !w.expired)
    }

    /// The status that counts: a waived finding, or one the baseline already held, counts
    /// as `pass`.
    pub fn counted_status(&self) -> Status {
        if self.is_waived() || self.baseline.is_some_and(|b| b.unchanged) {
            Status::Pass
        } else {
            self.status
        }
    }
}

#[derive(Clone, Debug)]
pub struct RuleResult {
    pub rule: String,
    pub faq: u32,
    pub title: Text,
    pub status: Status,
    pub findings: Vec<Finding>,
    /// What the rule printed with `print`/`debug`.
    pub output: String,
    pub elapsed: Duration,
}

impl RuleResult {
    /// The worst finding; `skip` only when every finding is `skip`.
    pub fn combine(findings: &[Finding]) -> Status {
        Status::worst(findings.iter().map(Finding::counted_status)).unwrap_or(Status::Error)
    }

    /// The one-finding result of a rule that broke: its `check` is the rule id.
    pub fn broken(rule: &str, faq: u32, title: Text, why: Text) -> RuleResult {
        RuleResult {
            rule: rule.to_owned(),
            faq,
            title,
            status: Status::Error,
            findings: vec![Finding {
                check: rule.to_owned(),
                status: Status::Error,
                severity: Severity::default(),
                message: why,
                remedy: None,
                evidence: vec![],
                waiver: None,
                entities: vec![],
                fingerprint: super::identity::fingerprint(rule, rule, Status::Error, &[]),
                baseline: None,
            }],
            output: String::new(),
            elapsed: Duration::ZERO,
        }
    }
}
