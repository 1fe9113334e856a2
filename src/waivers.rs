//! Waivers: findings a team has accepted, each with a reason, an owner and an expiry.
//!
//! A waiver in force marks matching findings as waived: they stay in every report but
//! count as `pass` for the rule's status and the exit status. An expired waiver stops
//! applying and says so on the finding; a waiver that matches nothing is reported, and one
//! that expires within [`EXPIRING_DAYS`] days is reported as expiring.
//!
//! ```json
//! { "waivers": [
//!   { "rule": "crm-delete-keeps-desk-records", "check": "crm-delete-keeps-desk-records",
//!     "evidence": "/integration/desk/*", "export": "customers/*",
//!     "reason": "Desk records are re-created by the migration", "owner": "ops@example.com",
//!     "expires": "2027-03-31" },
//!   { "fingerprint": "489ce5cf281de1c2d1b256cf94b3630f",
//!     "reason": "sync paused during the migration", "owner": "ops@example.com",
//!     "expires": "2027-03-31" },
//!   { "rule": "integration-prerequisites", "entity": "crm.users[id=5725767000000411087]",
//!     "reason": "the user is re-activated after the migration", "owner": "ops@example.com",
//!     "expires": "2027-03-31" } ] }
//! ```
//! A waiver names a `rule` and a `check`, a `fingerprint` (a finding's, see
//! `rules::identity`), or an `entity` pattern (matched against a finding's entity keys), or
//! several of these: all it names must match. `evidence`, `export` and `entity` are patterns
//! where `*` matches any run of characters. A waiver by fingerprint or entity accepts only
//! findings that are not `pass`; `entities` (written by `waivers generate`) is a note for
//! people and is not matched.

use crate::audit::ExportOutcome;
use crate::bilingual::Lang;
use crate::rules::result::{Finding, WaiverMark};
use crate::status::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A waiver in force this many days or fewer before its expiry is reported as expiring.
pub const EXPIRING_DAYS: i32 = 7;

/// One waiver of a waivers file, validated: what findings it accepts, why, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// 1-based position in the file, for messages.
    pub number: usize,
    /// The rule the waiver names, or `*` when it names none (for messages).
    pub rule: String,
    /// The check the waiver names, or `*` when it names none (for messages).
    pub check: String,
    /// Whether the waiver names a rule: if not, it matches any rule.
    pub rule_named: bool,
    /// Whether the waiver names a check: if not, it matches any check.
    pub check_named: bool,
    /// A finding's fingerprint (32 lowercase hex digits).
    pub fingerprint: Option<String>,
    /// A pattern for one of a finding's entity keys.
    pub entity: Option<String>,
    /// A pattern (`*` matches any run) one of a finding's evidence pointers must match.
    pub evidence: Option<String>,
    /// A pattern (`*` matches any run) the export's path must match.
    pub export: Option<String>,
    /// Why the findings are accepted (never empty).
    pub reason: String,
    /// Who answers for the waiver (never empty).
    pub owner: String,
    /// `YYYY-MM-DD`: the last day the waiver applies (UTC).
    pub expires: String,
}

impl Waiver {
    /// What the waiver names, for messages: `rule / check`, else its fingerprint or entity.
    pub fn describe(&self) -> String {
        self.describe_in(Lang::En)
    }

    /// `describe` in `lang`.
    pub fn describe_in(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        if self.rule_named || self.check_named {
            format!("{} / {}", self.rule, self.check)
        } else if let Some(fp) = &self.fingerprint {
            format!("{} {fp}", if ja { "識別子" } else { "fingerprint" })
        } else {
            let entity = self.entity.as_deref().unwrap_or("*");
            format!("{} {entity}", if ja { "対象" } else { "entity" })
        }
    }

    /// Whether the waiver names `finding` of `rule` in the export at `export`.
    fn matches(&self, rule: &str, export: &str, f: &Finding) -> bool {
        let by_identity = self.fingerprint.is_some() || self.entity.is_some();
        (!by_identity || f.status != Status::Pass)
            && (!self.rule_named || self.rule == rule)
            && (!self.check_named || self.check == f.check)
            && self
                .fingerprint
                .as_deref()
                .is_none_or(|fp| fp == f.fingerprint)
            && self
                .entity
                .as_deref()
                .is_none_or(|p| f.entities.iter().any(|e| glob(p, e)))
            && self.export.as_deref().is_none_or(|p| glob(p, export))
            && self
                .evidence
                .as_deref()
                .is_none_or(|p| f.evidence.iter().any(|e| glob(p, e)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    waivers: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
    #[serde(default)]
    entity: Option<String>,
    /// What the finding is about, for people reading the file; not matched.
    #[serde(default)]
    #[allow(dead_code)]
    entities: Option<Vec<String>>,
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
    /// Waivers in force that matched a finding and expire within [`EXPIRING_DAYS`] days.
    pub expiring: Vec<Waiver>,
}

/// Reads a waivers file; any problem names the file and the entry.
pub fn read(path: &Path) -> Result<Vec<Waiver>, WaiverError> {
    let text = std::fs::read_to_string(path).map_err(|io| WaiverError::Read {
        path: path.to_path_buf(),
        io,
    })?;
    let file: File = serde_json::from_str(&text).map_err(|error| WaiverError::Parse {
        path: path.to_path_buf(),
        error,
    })?;
    file.waivers
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let number = i + 1;
            let named = ["rule", "fingerprint", "entity"]
                .into_iter()
                .find_map(|k| {
                    v.get(k)
                        .and_then(|r| r.as_str())
                        .map(|r| format!(" ({k} {r})"))
                })
                .unwrap_or_default();
            let err = |problem: EntryProblem| WaiverError::Entry {
                path: path.to_path_buf(),
                number,
                named: named.clone(),
                problem,
            };
            let entry: Entry =
                serde_json::from_value(v).map_err(|e| err(EntryProblem::Invalid(e)))?;
            for (key, value) in [
                ("rule", entry.rule.as_deref()),
                ("check", entry.check.as_deref()),
                ("fingerprint", entry.fingerprint.as_deref()),
                ("entity", entry.entity.as_deref()),
                ("reason", Some(entry.reason.as_str())),
                ("owner", Some(entry.owner.as_str())),
            ] {
                if value.is_some_and(|v| v.trim().is_empty()) {
                    return Err(err(EntryProblem::Empty(key)));
                }
            }
            let by_identity = entry.fingerprint.is_some() || entry.entity.is_some();
            if !by_identity {
                for (key, value) in [("rule", &entry.rule), ("check", &entry.check)] {
                    if value.is_none() {
                        return Err(err(EntryProblem::Missing(key)));
                    }
                }
            }
            let fingerprint = entry.fingerprint.map(|f| f.trim().to_ascii_lowercase());
            if let Some(f) = &fingerprint
                && !(f.len() == 32 && f.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(err(EntryProblem::Fingerprint(f.clone())));
            }
            if parse_date(&entry.expires).is_none() {
                return Err(err(EntryProblem::Expires(entry.expires)));
            }
            Ok(Waiver {
                number,
                rule_named: entry.rule.is_some(),
                check_named: entry.check.is_some(),
                rule: entry.rule.unwrap_or_else(|| "*".to_owned()),
                check: entry.check.unwrap_or_else(|| "*".to_owned()),
                fingerprint,
                entity: entry.entity,
                evidence: entry.evidence,
                export: entry.export,
                reason: entry.reason,
                owner: entry.owner,
                expires: entry.expires.trim().to_owned(),
            })
        })
        .collect()
}

/// Why a waivers file cannot be used; each message names the file, and the entry when
/// one entry is wrong.
#[derive(Debug)]
pub enum WaiverError {
    /// The file cannot be read.
    Read { path: PathBuf, io: std::io::Error },
    /// The file is not `{"waivers": [...]}`.
    Parse {
        /// The waivers file.
        path: PathBuf,
        /// The JSON parser's error (with line and column).
        error: serde_json::Error,
    },
    /// Waiver number `number` (1-based) is wrong; `named` is what it names, as
    /// ` (rule sync-running)`, or empty.
    Entry {
        /// The waivers file.
        path: PathBuf,
        /// The waiver's 1-based position in the file.
        number: usize,
        /// What the waiver names, as ` (rule sync-running)`, or empty.
        named: String,
        /// What is wrong with it.
        problem: EntryProblem,
    },
}

/// What is wrong with one waiver of a file.
#[derive(Debug)]
pub enum EntryProblem {
    /// A key is missing, unknown or of the wrong type (serde's words).
    Invalid(serde_json::Error),
    /// This key is given but empty.
    Empty(&'static str),
    /// This key is needed: the waiver names neither a fingerprint nor an entity.
    Missing(&'static str),
    /// The fingerprint given (lowercased) is not 32 hex digits.
    Fingerprint(String),
    /// The expiry given is not a date.
    Expires(String),
}

impl fmt::Display for WaiverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaiverError::Read { path, io } => {
                write!(f, "{}: cannot read the waivers file: {io}", path.display())
            }
            WaiverError::Parse { path, error } => write!(
                f,
                "{}: {}:{}: {error}; expected {{\"waivers\": [{{\"rule\", \"check\", \"reason\", \"owner\", \"expires\"}}, ...]}}",
                path.display(),
                error.line(),
                error.column()
            ),
            WaiverError::Entry {
                path,
                number,
                named,
                problem,
            } => write!(f, "{}: waiver #{number}{named}: {problem}", path.display()),
        }
    }
}

impl std::error::Error for WaiverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiverError::Read { io, .. } => Some(io),
            WaiverError::Parse { error, .. }
            | WaiverError::Entry {
                problem: EntryProblem::Invalid(error),
                ..
            } => Some(error),
            WaiverError::Entry { .. } => None,
        }
    }
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::Invalid(e) => write!(f, "{e}"),
            EntryProblem::Empty(key) => {
                write!(f, "`{key}` is empty; every waiver needs a {key}")
            }
            EntryProblem::Missing(key) => write!(
                f,
                "missing field `{key}`; a waiver names a rule and a check, a fingerprint, or an entity"
            ),
            EntryProblem::Fingerprint(fp) => write!(
                f,
                "fingerprint `{fp}` is not a finding's fingerprint (32 hex digits, as in the JSON report)"
            ),
            EntryProblem::Expires(e) => write!(f, "expires `{e}` is not a date like 2027-03-31"),
        }
    }
}

fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    jiff::civil::Date::strptime("%Y-%m-%d", s.trim()).ok()
}

/// The UTC date of `audit_time` (RFC 3339): the day waivers are compared with.
pub fn today(audit_time: &str) -> Option<jiff::civil::Date> {
    audit_time
        .parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .ok()
}

/// Marks the findings that `waivers` match, as of `audit_time` (RFC 3339), and recomputes
/// each rule's status. The first waiver that matches a finding applies to it.
pub fn apply(outcomes: &mut [ExportOutcome], waivers: &[Waiver], audit_time: &str) -> WaiverReport {
    let today = today(audit_time);
    let mut used = vec![false; waivers.len()];
    let mut expired_used = vec![false; waivers.len()];
    for o in outcomes.iter_mut() {
        let Ok(a) = &mut o.result else { continue };
        for r in &mut a.results {
            for f in &mut r.findings {
                let Some((i, w)) = waivers
                    .iter()
                    .enumerate()
                    .find(|(_, w)| w.matches(&r.rule, &o.path, f))
                else {
                    continue;
                };
                let expired = match (today, parse_date(&w.expires)) {
                    (Some(t), Some(e)) => t > e,
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
    let soon = today.and_then(|t| t.checked_add(jiff::Span::new().days(EXPIRING_DAYS)).ok());
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
        expiring: waivers
            .iter()
            .zip(&used)
            .filter(|(w, u)| {
                **u && matches!((soon, parse_date(&w.expires)), (Some(s), Some(e)) if e <= s)
            })
            .map(|(w, _)| w.clone())
            .collect(),
    }
}

/// Days left in force of a waiver that expires on `expires`, as of `audit_time`: 0 on
/// its last day.
pub fn days_left(expires: &str, audit_time: &str) -> Option<i32> {
    let (t, e) = (today(audit_time)?, parse_date(expires)?);
    t.until(e).ok().map(|s| s.get_days())
}

/// `waivers generate`'s expiry: `Nd` or `Nw` after `today`, or a date (`YYYY-MM-DD`) not
/// before `today`.
pub fn expiry(spec: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date, ExpiryError> {
    let s = spec.trim();
    let bad = || ExpiryError::Unreadable {
        spec: spec.to_owned(),
    };
    if let Some(date) = parse_date(s) {
        if date < today {
            return Err(ExpiryError::Past {
                spec: spec.to_owned(),
                today,
            });
        }
        return Ok(date);
    }
    let (n, per) = if let Some(n) = s.strip_suffix(['d', 'D']) {
        (n, 1)
    } else if let Some(n) = s.strip_suffix(['w', 'W']) {
        (n, 7)
    } else {
        return Err(bad());
    };
    let n: i32 = n.parse().map_err(|_| bad())?;
    let days = n
        .checked_mul(per)
        .filter(|d| (1..=3660).contains(d))
        .ok_or_else(bad)?;
    today
        .checked_add(jiff::Span::new().days(days))
        .map_err(|_| bad())
}

/// Why `--expires` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpiryError {
    /// Neither a number of days or weeks in range nor a date.
    Unreadable { spec: String },
    /// A date before `today`.
    Past {
        /// `--expires` as given.
        spec: String,
        /// The audit's day (UTC).
        today: jiff::civil::Date,
    },
}

impl fmt::Display for ExpiryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpiryError::Unreadable { spec } => write!(
                f,
                "--expires {spec}: give a number of days or weeks (30d, 4w) or a date like 2027-03-31"
            ),
            ExpiryError::Past { spec, today } => write!(
                f,
                "--expires {spec}: that day is already past (today is {today})"
            ),
        }
    }
}

impl std::error::Error for ExpiryError {}

/// What `waivers generate` writes into each waiver besides what the finding gives.
pub struct Template<'a> {
    /// `--owner`: who answers for the waivers.
    pub owner: &'a str,
    /// `--reason`, or the default reason naming the audit's day.
    pub reason: &'a str,
    /// The last day (`YYYY-MM-DD`), resolved from `--expires`.
    pub expires: &'a str,
}

#[derive(Serialize)]
struct Generated<'a> {
    rule: &'a str,
    check: &'a str,
    fingerprint: &'a str,
    entities: &'a [String],
    reason: &'a str,
    owner: &'a str,
    expires: &'a str,
}

#[derive(Serialize)]
struct GeneratedFile<'a> {
    waivers: Vec<Generated<'a>>,
}

/// A waivers file (JSON text) with one waiver by fingerprint for each distinct `warn` or
/// `fail` finding of `outcomes`, sorted by rule, check and fingerprint; and how many.
pub fn generate(outcomes: &[ExportOutcome], t: &Template) -> (String, usize) {
    let mut found: BTreeMap<(&str, &str, &str), &[String]> = BTreeMap::new();
    for a in outcomes.iter().filter_map(|o| o.result.as_ref().ok()) {
        for r in &a.results {
            for f in r
                .findings
                .iter()
                .filter(|f| matches!(f.status, Status::Warn | Status::Fail))
            {
                found.insert(
                    (r.rule.as_str(), f.check.as_str(), f.fingerprint.as_str()),
                    &f.entities,
                );
            }
        }
    }
    let file = GeneratedFile {
        waivers: found
            .iter()
            .map(|((rule, check, fingerprint), entities)| Generated {
                rule,
                check,
                fingerprint,
                entities,
                reason: t.reason,
                owner: t.owner,
                expires: t.expires,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
    s.push('\n');
    (s, found.len())
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
    fn an_expiry_is_days_or_weeks_from_today_or_a_date_not_yet_past() {
        let today = jiff::civil::date(2026, 11, 24);
        let e = |s: &str| expiry(s, today).map(|d| d.to_string());
        assert_eq!(e("30d").as_deref(), Ok("2026-12-24"));
        assert_eq!(e("1w").as_deref(), Ok("2026-12-01"));
        assert_eq!(e("2027-03-31").as_deref(), Ok("2027-03-31"));
        assert_eq!(e("2026-11-24").as_deref(), Ok("2026-11-24"));
        for bad in [
            "0d",
            "-3d",
            "30",
            "d",
            "3m",
            "30日",
            "2026-11-23",
            "next week",
            "",
        ] {
            assert!(e(bad).is_err(), "{bad}");
        }
        assert_eq!(
            days_left("2026-12-01", "2026-11-24T09:00:00+09:00"),
            Some(7)
        );
        assert_eq!(days_left("2026-11-24", "2026-11-24T23:59:59Z"), Some(0));
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
        let err = read(&p).expect_err("owner is missing").to_string();
        assert!(
            err.contains("waiver #2 (rule sync-running)") && err.contains("owner"),
            "{err}"
        );

        std::fs::write(
            &p,
            r#"{"waivers": [{"rule": "a", "check": "a", "reason": "r", "owner": "o", "expires": "next year"}]}"#,
        )
        .expect("write");
        let err = read(&p).expect_err("bad date").to_string();
        assert!(
            err.contains("waiver #1") && err.contains("next year"),
            "{err}"
        );
    }
}
