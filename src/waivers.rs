//! Waivers: findings a team has accepted, each with a reason, an owner and an expiry.
//!
//! A waiver in force marks matching findings as waived: they stay in every report but
//! count as `pass` for the rule's status and the exit status. An expired waiver stops
//! applying and says so on the finding; a waiver that matches nothing is reported.
//!
//! ```json
//! { "waivers": [
//!   { "rule": "crm-delete-keeps-desk-records", "check": "crm-delete-keeps-desk-records",
//!     "evidence": "/integration/desk/*", "export": "customers/*",
//!     "reason": "Desk records are re-created by the migration", "owner": "ops@example.com",
//!     "expires": "2027-03-31" } ] }
//! ```
//! `evidence` and `export` are optional patterns where `*` matches any run of characters.

use crate::audit::ExportOutcome;
use crate::rules::result::WaiverMark;
use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// 1-based position in the file, for messages.
    pub number: usize,
    pub rule: String,
    pub check: String,
    pub evidence: Option<String>,
    pub export: Option<String>,
    pub reason: String,
    pub owner: String,
    /// `YYYY-MM-DD`: the last day the waiver applies (UTC).
    pub expires: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    waivers: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    check: String,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    export: Option<String>,
    reason: String,
    owner: String,
    expires: String,
}

/// What applying waivers found out, for the report and stderr.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WaiverReport {
    /// Waivers that matched no finding (expired ones included when they matched nothing).
    pub unmatched: Vec<Waiver>,
    /// Waivers past their expiry that still matched a finding.
    pub expired: Vec<Waiver>,
}

/// Reads a waivers file; any problem names the file and the entry.
pub fn read(path: &Path) -> Result<Vec<Waiver>, String> {
    let at = |msg: String| format!("{}: {msg}", path.display());
    let text = std::fs::read_to_string(path)
        .map_err(|e| at(format!("cannot read the waivers file: {e}")))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        at(format!(
            "{}:{}: {e}; expected {{\"waivers\": [{{\"rule\", \"check\", \"reason\", \"owner\", \"expires\"}}, ...]}}",
            e.line(),
            e.column()
        ))
    })?;
    file.waivers
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let number = i + 1;
            let named = v
                .get("rule")
                .and_then(|r| r.as_str())
                .map(|r| format!(" (rule {r})"))
                .unwrap_or_default();
            let entry: Entry = serde_json::from_value(v)
                .map_err(|e| at(format!("waiver #{number}{named}: {e}")))?;
            for (key, value) in [
                ("rule", &entry.rule),
                ("check", &entry.check),
                ("reason", &entry.reason),
                ("owner", &entry.owner),
            ] {
                if value.trim().is_empty() {
                    return Err(at(format!(
                        "waiver #{number}{named}: `{key}` is empty; every waiver needs a {key}"
                    )));
                }
            }
            if jiff::civil::Date::strptime("%Y-%m-%d", entry.expires.trim()).is_err() {
                return Err(at(format!(
                    "waiver #{number}{named}: expires `{}` is not a date like 2027-03-31",
                    entry.expires
                )));
            }
            Ok(Waiver {
                number,
                rule: entry.rule,
                check: entry.check,
                evidence: entry.evidence,
                export: entry.export,
                reason: entry.reason,
                owner: entry.owner,
                expires: entry.expires.trim().to_owned(),
            })
        })
        .collect()
}

/// Marks the findings that `waivers` match, as of `audit_time` (RFC 3339), and recomputes
/// each rule's status.
pub fn apply(outcomes: &mut [ExportOutcome], waivers: &[Waiver], audit_time: &str) -> WaiverReport {
    let today = audit_time
        .parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .ok();
    let mut used = vec![false; waivers.len()];
    let mut expired_used = vec![false; waivers.len()];
    for o in outcomes.iter_mut() {
        let Ok(a) = &mut o.result else { continue };
        for r in &mut a.results {
            for f in &mut r.findings {
                let Some((i, w)) = waivers.iter().enumerate().find(|(_, w)| {
                    w.rule == r.rule
                        && w.check == f.check
                        && w.export.as_deref().is_none_or(|p| glob(p, &o.path))
                        && w.evidence
                            .as_deref()
                            .is_none_or(|p| f.evidence.iter().any(|e| glob(p, e)))
                }) else {
                    continue;
                };
                let expired = match (today, jiff::civil::Date::strptime("%Y-%m-%d", &w.expires)) {
                    (Some(t), Ok(e)) => t > e,
                    _ => false,
                };
                if expired {
                    expired_used[i] = true;
                } else {
                    used[i] = true;
                }
                f.waiver = Some(WaiverMark {
                    reason: w.reason.clone(),
                    owner: w.owner.clone(),
                    expires: w.expires.clone(),
                    expired,
                });
            }
            r.status = crate::rules::RuleResult::combine(&r.findings);
        }
    }
    WaiverReport {
        unmatched: waivers
            .iter()
            .zip(used.iter().zip(&expired_used))
            .filter(|(_, (u, e))| !**u && !**e)
            .map(|(w, _)| w.clone())
            .collect(),
        expired: waivers
            .iter()
            .zip(&expired_used)
            .filter(|(_, e)| **e)
            .map(|(w, _)| w.clone())
            .collect(),
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_stars_anywhere_and_nothing_else() {
        assert!(glob(
            "/integration/desk/*",
            "/integration/desk/on_crm_delete"
        ));
        assert!(glob("*", ""));
        assert!(glob("/crm/users/*/status", "/crm/users/3/status"));
        assert!(!glob("/crm/users/*/status", "/crm/users/3/email"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("a*a", "a"));
    }

    #[test]
    fn a_malformed_waiver_is_an_error_naming_the_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("w.json");
        std::fs::write(
            &p,
            r#"{"waivers": [
                {"rule": "a", "check": "a", "reason": "r", "owner": "o", "expires": "2027-01-01"},
                {"rule": "sync-running", "check": "sync-running", "reason": "r", "expires": "2027-01-01"}]}"#,
        )
        .expect("write");
        let err = read(&p).expect_err("owner is missing");
        assert!(
            err.contains("waiver #2 (rule sync-running)") && err.contains("owner"),
            "{err}"
        );

        std::fs::write(
            &p,
            r#"{"waivers": [{"rule": "a", "check": "a", "reason": "r", "owner": "o", "expires": "next year"}]}"#,
        )
        .expect("write");
        let err = read(&p).expect_err("bad date");
        assert!(
            err.contains("waiver #1") && err.contains("next year"),
            "{err}"
        );
    }
}
