//! What running a rule produces: findings, and the rule's combined status.

use crate::bilingual::Text;
use crate::severity::Severity;
use crate::status::Status;
use std::time::Duration;

/// One verdict of a rule on one check: what a rule's `pass`/`warn`/`fail`/`skip` returned,
/// validated, with its severity, remedy and identity added (or the one finding of a broken rule).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The check's name as declared in META `checks` (the rule id for a rule that broke).
    pub check: String,
    /// The finding's own status, before waivers and baselines (see `counted_status`).
    pub status: Status,
    /// Its check's severity (META); `medium` for a rule that broke.
    pub severity: Severity,
    /// What was found, in both languages (a message given as one string is used for both).
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
    /// True: the baseline held this finding's fingerprint (accepted, counts as `pass`);
    /// false: the finding is new since the baseline was saved.
    pub unchanged: bool,
}

/// A waiver applied to a finding: it is accepted (and does not count) unless expired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverMark {
    /// Why the finding is accepted, as the waiver says.
    pub reason: String,
    /// Who answers for the waiver, as the waiver says.
    pub owner: String,
    /// The last day the waiver applies (`YYYY-MM-DD`, UTC), as written in the waivers file.
    pub expires: String,
    /// Whether the audit's day is past `expires`: an expired waiver is shown but accepts nothing.
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

/// What one rule reported on one export: its findings and their combined status.
#[derive(Clone, Debug)]
pub struct RuleResult {
    /// The rule's id (its file name without `.rhai`).
    pub rule: String,
    /// The FAQ item the rule checks; 0 for a rule beyond the FAQ or one that did not compile.
    pub faq: u32,
    /// The rule's title from META; the rule id, in both languages, if it did not compile.
    pub title: Text,
    /// The worst counted status of the findings (`RuleResult::combine`); `error` if the rule broke.
    pub status: Status,
    /// The findings in the order the rule returned them; never empty.
    pub findings: Vec<Finding>,
    /// What the rule printed with `print`/`debug`.
    pub output: String,
    /// Wall-clock time the rule took on this export (compilation not included; zero if
    /// it did not compile), less any time it waited for a scan another rule of the export
    /// was making (`engine::memo`: that time is counted in the rule making it).
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
