//! A rule's metadata: the literal `const META = #{...}` at the top of its file, read
//! without running the script and validated field by field.

use crate::bilingual::Text;
use crate::severity::Severity;
use crate::status::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A rule's `META`: what the rule is, and the checks it may report, as the file declares them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// The FAQ item this rule checks; 0 (or absent) for a rule beyond the FAQ, which
    /// reports show without an FAQ number.
    #[serde(default)]
    pub faq: u32,
    /// A one-line name of what the rule checks, shown in every report.
    pub title: Text,
    /// What the rule checks and why.
    pub description: Text,
    /// Parts of the document the rule reads (`crm.users`, `integration`, ...). A part
    /// that was exported but failed to load makes the rule `error` without running it.
    #[serde(default)]
    pub needs: Vec<String>,
    /// The checks the rule reports, by name.
    pub checks: BTreeMap<String, CheckMeta>,
}

/// One entry of META `checks`: what the check may report and how much it matters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    /// The statuses this check can give (not `error`: any rule can end in error).
    pub statuses: Vec<Status>,
    /// What to do, with the UI path; appended to every `warn`/`fail` message of the check.
    pub remedy: Text,
    /// How much a `warn`/`fail` of this check matters; `medium` when absent.
    #[serde(default)]
    pub severity: Severity,
}

/// The keys a META map may have, for "did you mean" suggestions.
pub const META_KEYS: &[&str] = &["faq", "title", "description", "needs", "checks"];
/// The keys a check's entry in META `checks` may have, for "did you mean" suggestions.
pub const CHECK_KEYS: &[&str] = &["statuses", "remedy", "severity"];

impl RuleMeta {
    /// Problems serde cannot see: check names and needs that are not well-formed.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.checks.is_empty() {
            out.push("META.checks must name at least one check".to_owned());
        }
        for (name, check) in &self.checks {
            if !is_kebab(name) {
                out.push(format!(
                    "check name `{name}` must be kebab-case (lower-case letters, digits and `-`)"
                ));
            }
            if check.statuses.is_empty() || check.statuses.contains(&Status::Error) {
                out.push(format!(
                    "check `{name}`: statuses must list some of pass, warn, fail, skip (error is implied)"
                ));
            }
        }
        for need in &self.needs {
            let known = crate::doc::PARTS
                .iter()
                .any(|p| need == p || need.starts_with(&format!("{p}.")))
                || need == "desk.organization";
            if !known {
                out.push(format!(
                    "META.needs: `{need}` is not a part of the document (known: {})",
                    crate::doc::PARTS.join(", ")
                ));
            }
        }
        out
    }
}

/// Lower-case ASCII letters and digits in `-`-separated words.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::is_kebab;

    #[test]
    fn kebab_case_names_are_recognised() {
        assert!(is_kebab("admin-profile"));
        assert!(is_kebab("sync2"));
        assert!(!is_kebab("Admin-profile"));
        assert!(!is_kebab("admin--profile"));
        assert!(!is_kebab("admin_profile"));
        assert!(!is_kebab(""));
    }
}
