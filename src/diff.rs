//! Comparing two audits check by check (what got worse, what got better, what stayed) and
//! finding by finding, by identity (`rules::identity`): which findings are new, fixed or
//! persisting, keyed by fingerprint, so reordering an export's records changes nothing.

use crate::rules::RuleResult;
use crate::status::Status;
use std::collections::BTreeMap;

/// How a check moved between the two exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The status weighs more after: warn, fail or error where there was less (missing, skip
    /// and pass weigh nothing).
    Worse,
    /// The status weighs less after.
    Better,
    /// Different status, same weight (`pass` <-> `skip`).
    Changed,
    /// The same status on both sides.
    Same,
}

/// One check's counted status (worst finding, waived ones as pass) before and after.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CheckDiff {
    /// The rule id.
    pub rule: String,
    /// The rule's FAQ item; 0 for a rule beyond the FAQ.
    pub faq: u32,
    /// The check's name.
    pub check: String,
    /// `None`: the check was not reported on that side.
    pub before: Option<Status>,
    /// `None`: the check was not reported after.
    pub after: Option<Status>,
    /// How the status moved (`before` to `after`).
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

/// A finding that is not a pass, on one side of a diff, by its identity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Found {
    /// The rule's FAQ item; 0 for a rule beyond the FAQ.
    pub faq: u32,
    /// The rule id.
    pub rule: String,
    /// The check's name.
    pub check: String,
    /// Entity keys of the records it is about (`rules::identity`).
    pub entities: Vec<String>,
    /// The finding's own status (before waivers and baseline).
    pub status: Status,
    /// What identifies the finding on both sides (`Finding::fingerprint`).
    pub fingerprint: String,
    /// What it counts as toward `--fail-on`: `pass` when waived.
    #[serde(skip)]
    pub counted: Status,
}

/// The same rule, check and entities with another status on each side. Status is part of
/// the fingerprint, so the pair is also one `fixed` (before) and one `new` (after).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatusChange {
    /// The rule's FAQ item; 0 for a rule beyond the FAQ.
    pub faq: u32,
    /// The rule id.
    pub rule: String,
    /// The check's name.
    pub check: String,
    /// Entity keys of the records it is about.
    pub entities: Vec<String>,
    /// The status before.
    pub before: Status,
    /// The status after.
    pub after: Status,
    /// `worse` or `better`, weighed as the checks are.
    pub change: Change,
    /// The fingerprint of the finding before (listed in `fixed`).
    pub before_fingerprint: String,
    /// The fingerprint of the finding after (listed in `new`).
    pub after_fingerprint: String,
}

/// The findings (not passes) of two audits by fingerprint, each list in FAQ, rule, check,
/// entities and status order.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FindingDiff {
    /// Fingerprint only after.
    pub new: Vec<Found>,
    /// Fingerprint only before.
    pub fixed: Vec<Found>,
    /// Fingerprint on both sides (as found after).
    pub persisting: Vec<Found>,
    /// A `fixed` and a `new` with the same rule, check and entities.
    pub changed: Vec<StatusChange>,
}

impl FindingDiff {
    /// Whether a new finding counts as worse to `threshold`: its counted status is at or
    /// above it, unless it only replaces a finding of the same entities that weighed as much
    /// or more (a `fail` that became a `warn` is better, as it is for its check).
    pub fn worse_to(&self, threshold: Status) -> bool {
        self.new.iter().any(|f| {
            f.counted >= threshold
                && !self
                    .changed
                    .iter()
                    .any(|c| c.after_fingerprint == f.fingerprint && c.change != Change::Worse)
        })
    }
}

/// Every finding that is not a pass, by fingerprint (one per fingerprint: the one that
/// counts most).
fn found(results: &[RuleResult]) -> BTreeMap<String, Found> {
    let mut out: BTreeMap<String, Found> = BTreeMap::new();
    for r in results {
        for f in r.findings.iter().filter(|f| f.status != Status::Pass) {
            let x = Found {
                faq: r.faq,
                rule: r.rule.clone(),
                check: f.check.clone(),
                entities: f.entities.clone(),
                status: f.status,
                fingerprint: f.fingerprint.clone(),
                counted: f.counted_status(),
            };
            match out.get(&x.fingerprint) {
                Some(old) if old.counted >= x.counted => {}
                _ => {
                    out.insert(x.fingerprint.clone(), x);
                }
            }
        }
    }
    out
}

/// The findings of both sides by identity: new, fixed, persisting, and status changes.
pub fn by_identity(before: &[RuleResult], after: &[RuleResult]) -> FindingDiff {
    let (b, a) = (found(before), found(after));
    let mut d = FindingDiff::default();
    for (fp, f) in &a {
        if b.contains_key(fp) {
            d.persisting.push(f.clone());
        } else {
            d.new.push(f.clone());
        }
    }
    d.fixed = b
        .iter()
        .filter(|(fp, _)| !a.contains_key(*fp))
        .map(|(_, f)| f.clone())
        .collect();
    for v in [&mut d.new, &mut d.fixed, &mut d.persisting] {
        v.sort();
    }
    let mut paired: Vec<bool> = vec![false; d.fixed.len()];
    for n in &d.new {
        let Some(i) = (0..d.fixed.len()).find(|&i| {
            let o = &d.fixed[i];
            !paired[i] && o.rule == n.rule && o.check == n.check && o.entities == n.entities
        }) else {
            continue;
        };
        paired[i] = true;
        let o = &d.fixed[i];
        let change = match weight(Some(n.status)).cmp(&weight(Some(o.status))) {
            std::cmp::Ordering::Greater => Change::Worse,
            std::cmp::Ordering::Less => Change::Better,
            std::cmp::Ordering::Equal => Change::Changed,
        };
        d.changed.push(StatusChange {
            faq: n.faq,
            rule: n.rule.clone(),
            check: n.check.clone(),
            entities: n.entities.clone(),
            before: o.status,
            after: n.status,
            change,
            before_fingerprint: o.fingerprint.clone(),
            after_fingerprint: n.fingerprint.clone(),
        });
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bilingual::Text;
    use crate::rules::Finding;

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

    /// A rule whose findings name entities, fingerprinted as the engine does.
    fn identified(rule: &str, findings: &[(&str, Status, &str)]) -> RuleResult {
        let mut r = result(rule, &[]);
        r.findings = findings
            .iter()
            .map(|(c, s, e)| {
                let entities = vec![(*e).to_owned()];
                let mut f = result(rule, &[(c, *s)]).findings.remove(0);
                f.fingerprint = crate::rules::identity::fingerprint(rule, c, *s, &entities);
                f.entities = entities;
                f
            })
            .collect();
        r
    }

    #[test]
    fn findings_by_identity_are_new_fixed_persisting_and_a_status_change_is_paired() {
        use Status::*;
        let before = [identified(
            "r",
            &[
                ("a", Fail, "crm.users[id=1]"),
                ("a", Warn, "crm.users[id=2]"),
                ("b", Fail, "crm.org[id=9]"),
                ("c", Warn, "crm.modules[api_name=X]"),
            ],
        )];
        let after = [identified(
            "r",
            &[
                ("a", Fail, "crm.users[id=1]"),
                ("a", Fail, "crm.users[id=3]"),
                ("b", Warn, "crm.org[id=9]"),
                ("c", Fail, "crm.modules[api_name=X]"),
                ("p", Pass, "crm.org[id=9]"),
            ],
        )];
        let d = by_identity(&before, &after);
        let names = |v: &[Found]| -> Vec<String> {
            v.iter()
                .map(|f| format!("{} {} {}", f.check, f.status, f.entities[0]))
                .collect()
        };
        assert_eq!(names(&d.persisting), ["a fail crm.users[id=1]"]);
        assert_eq!(
            names(&d.new),
            [
                "a fail crm.users[id=3]",
                "b warn crm.org[id=9]",
                "c fail crm.modules[api_name=X]"
            ],
            "passes are never findings"
        );
        assert_eq!(
            names(&d.fixed),
            [
                "a warn crm.users[id=2]",
                "b fail crm.org[id=9]",
                "c warn crm.modules[api_name=X]"
            ]
        );
        let changed: Vec<(&str, Status, Status, Change)> = d
            .changed
            .iter()
            .map(|c| (c.check.as_str(), c.before, c.after, c.change))
            .collect();
        assert_eq!(
            changed,
            [
                ("b", Fail, Warn, Change::Better),
                ("c", Warn, Fail, Change::Worse)
            ]
        );
        // A new fail is worse to fail; the fail that became a warn is not worse to warn.
        assert!(d.worse_to(Fail));
        let only_better = by_identity(
            &[identified("r", &[("b", Fail, "crm.org[id=9]")])],
            &[identified("r", &[("b", Warn, "crm.org[id=9]")])],
        );
        assert_eq!(only_better.new.len(), 1);
        assert!(!only_better.worse_to(Warn), "{only_better:?}");
        // Reordered findings: nothing new or fixed.
        let mut shuffled = after.clone();
        shuffled[0].findings.reverse();
        let same = by_identity(&after, &shuffled);
        assert!(same.new.is_empty() && same.fixed.is_empty() && same.changed.is_empty());
        assert_eq!(same.persisting.len(), 4);
    }
}
