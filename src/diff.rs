//! Comparing two audits check by check: what got worse, what got better, what stayed.

use crate::rules::RuleResult;
use crate::status::Status;
use std::collections::BTreeMap;

/// How a check moved between the two exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Worse,
    Better,
    /// Different status, same weight (`pass` <-> `skip`).
    Changed,
    Same,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CheckDiff {
    pub rule: String,
    pub faq: u32,
    pub check: String,
    /// `None`: the check was not reported on that side.
    pub before: Option<Status>,
    pub after: Option<Status>,
    pub change: Change,
}

/// Weight for "worse": missing data and passes weigh nothing, then warn, fail, error.
fn weight(s: Option<Status>) -> u8 {
    match s {
        None | Some(Status::Skip | Status::Pass) => 0,
        Some(Status::Warn) => 1,
        Some(Status::Fail) => 2,
        Some(Status::Error) => 3,
    }
}

/// Each check's counted status (the worst of its findings; waived findings count as pass).
fn checks(results: &[RuleResult]) -> BTreeMap<(u32, String, String), Status> {
    let mut out: BTreeMap<(u32, String, String), Status> = BTreeMap::new();
    for r in results {
        for f in &r.findings {
            let s = out
                .entry((r.faq, r.rule.clone(), f.check.clone()))
                .or_insert(f.counted_status());
            *s = (*s).max(f.counted_status());
        }
    }
    out
}

/// Every check of either side, in FAQ order then rule and check.
pub fn compare(before: &[RuleResult], after: &[RuleResult]) -> Vec<CheckDiff> {
    let (b, a) = (checks(before), checks(after));
    let mut keys: Vec<&(u32, String, String)> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let (before, after) = (b.get(k).copied(), a.get(k).copied());
            let change = if before == after {
                Change::Same
            } else if weight(after) > weight(before) {
                Change::Worse
            } else if weight(after) < weight(before) {
                Change::Better
            } else {
                Change::Changed
            };
            CheckDiff {
                faq: k.0,
                rule: k.1.clone(),
                check: k.2.clone(),
                before,
                after,
                change,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Finding;
    use crate::text::Text;

    fn result(rule: &str, checks: &[(&str, Status)]) -> RuleResult {
        let findings: Vec<Finding> = checks
            .iter()
            .map(|(c, s)| Finding {
                check: (*c).to_owned(),
                status: *s,
                severity: Default::default(),
                message: Text::same("m"),
                remedy: None,
                evidence: vec![],
                waiver: None,
                entities: vec![],
                fingerprint: String::new(),
                baseline: None,
            })
            .collect();
        RuleResult {
            rule: rule.to_owned(),
            faq: 1,
            title: Text::same(rule),
            status: RuleResult::combine(&findings),
            findings,
            output: String::new(),
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_new_fail_is_worse_a_fix_is_better_and_pass_to_skip_is_only_changed() {
        use Status::*;
        let before = [result(
            "r",
            &[("a", Pass), ("b", Fail), ("c", Pass), ("d", Warn)],
        )];
        let after = [result(
            "r",
            &[
                ("a", Fail),
                ("b", Pass),
                ("c", Skip),
                ("d", Warn),
                ("e", Warn),
            ],
        )];
        let d = compare(&before, &after);
        let by: BTreeMap<&str, Change> = d.iter().map(|x| (x.check.as_str(), x.change)).collect();
        assert_eq!(by["a"], Change::Worse);
        assert_eq!(by["b"], Change::Better);
        assert_eq!(by["c"], Change::Changed);
        assert_eq!(by["d"], Change::Same);
        assert_eq!(
            by["e"],
            Change::Worse,
            "a check that appears with a warning"
        );
    }
}
