//! `--format json`: exactly the shape of cli.md, in the chosen language. Extra keys:
//! an export's `present`, `truncated` (lists known to be incomplete) and `notes`, a rule's `output`, a finding's `severity` (its check's, META) and `remedy` (what to do, for warn and fail) and `waiver`, and a
//! top-level `waivers` (`unmatched`, `expired`, `expiring`) when a waiver needs attention.
//!
//! The document is built from the typed structs below: their fields serialize in the
//! order they are declared, which is the order of the keys in the report.

use super::{Context, Counts, Summary};
use crate::audit::ExportOutcome;
use crate::baseline::Entry;
use crate::rules::{Finding, RuleResult};
use crate::severity::Severity;
use crate::status::Status;
use crate::waivers::Waiver;
use serde::Serialize;

/// The report's `schema_version` (docs/report.schema.json).
pub const SCHEMA_VERSION: u32 = 2;

/// The whole report: `schema_version`, `exports`, `summary`, then `baseline` and
/// `waivers` when they have something to say.
#[derive(Serialize)]
pub struct Report<'a> {
    /// Always `SCHEMA_VERSION` (docs/report.schema.json describes that version's keys).
    pub schema_version: u32,
    /// One entry per export, in the order the exports were given.
    pub exports: Vec<Export<'a>>,
    /// The counts over every export (`Summary::of`).
    pub summary: Summary,
    /// With `--baseline`: the baseline's findings that no finding matches any more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineFixed<'a>>,
    /// Waivers that need attention; absent when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waivers: Option<WaiversNeedingAttention<'a>>,
}

/// One export: the results of the rules, or why it could not be loaded.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Export<'a> {
    /// It loaded: the rules ran on it.
    Loaded(LoadedExport<'a>),
    /// It could not be loaded.
    Unloaded(UnloadedExport<'a>),
}

/// An export that could not be loaded: its path, `error` status and the loader's message.
#[derive(Serialize)]
pub struct UnloadedExport<'a> {
    /// The export's path as given on the command line.
    pub path: &'a str,
    /// Always `error`.
    pub status: Status,
    /// The loader's message, in the report's language.
    pub error: String,
}

/// An export that loaded: its status, check counts, rule results and what the loader saw.
#[derive(Serialize)]
pub struct LoadedExport<'a> {
    /// The export's path as given on the command line.
    pub path: &'a str,
    /// The worst rule status (`skip` only if all are).
    pub status: Status,
    /// Check statuses over this export (`Counts::of_checks`).
    pub checks: Counts,
    /// One result per rule that ran, in catalogue order (FAQ, then id).
    pub results: Vec<RuleResultJson<'a>>,
    /// The parts the export holds, sorted (`meta.present`).
    pub present: &'a [String],
    /// List parts known to be incomplete, sorted (`meta.truncated`).
    pub truncated: &'a [String],
    /// The loader's notes, in the report's language.
    pub notes: Vec<String>,
}

/// One rule's result on one export.
#[derive(Serialize)]
pub struct RuleResultJson<'a> {
    /// The rule id.
    pub rule: &'a str,
    /// `null` for a rule beyond the FAQ.
    pub faq: Option<u32>,
    /// The rule's title, in the report's language.
    pub title: &'a str,
    /// The worst counted status of its findings (waived and baseline-known ones count as `pass`).
    pub status: Status,
    /// Its findings, in the order the rule returned them.
    pub findings: Vec<FindingJson<'a>>,
    /// What the rule printed, when it printed anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<&'a str>,
}

/// One finding of a rule.
#[derive(Serialize)]
pub struct FindingJson<'a> {
    /// The check's name (the rule id for a rule that broke).
    pub check: &'a str,
    /// The finding's own status, before waivers and baseline.
    pub status: Status,
    /// The check's severity from META (`medium` for a rule that broke).
    pub severity: Severity,
    /// What was found, in the report's language.
    pub message: &'a str,
    /// JSON Pointers into the loaded document (may be empty).
    pub evidence: &'a [String],
    /// Entity keys of the records the evidence is about (`crm.users[id=...]`).
    pub entities: &'a [String],
    /// 32 hex digits identifying the finding across exports (rule, check, status, entities).
    pub fingerprint: &'a str,
    /// With `--baseline`: `unchanged` or `new`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'static str>,
    /// What to do, in the report's language: the finding's own remedy or its check's; warn
    /// and fail findings only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<&'a str>,
    /// The waiver that matched the finding, expired or not; absent when none did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverMarkJson<'a>>,
}

/// The waiver a finding matched.
#[derive(Serialize)]
pub struct WaiverMarkJson<'a> {
    /// Why the finding is accepted.
    pub reason: &'a str,
    /// Who answers for the waiver.
    pub owner: &'a str,
    /// The waiver's last day (`YYYY-MM-DD`, UTC).
    pub expires: &'a str,
    /// Whether the audit's day is past `expires` (the finding then counts again).
    pub expired: bool,
}

/// `baseline`: the baseline's findings now fixed.
#[derive(Serialize)]
pub struct BaselineFixed<'a> {
    /// The baseline entries no finding of this run matched.
    pub fixed: &'a [Entry],
}

/// `waivers`: the waivers that matched nothing, that expired, and that expire soon.
#[derive(Serialize)]
pub struct WaiversNeedingAttention<'a> {
    /// Waivers that matched no finding.
    pub unmatched: Vec<WaiverJson<'a>>,
    /// Waivers past their expiry that still matched a finding.
    pub expired: Vec<WaiverJson<'a>>,
    /// Waivers in force that matched a finding and expire soon (`waivers::EXPIRING_DAYS`).
    pub expiring: Vec<WaiverJson<'a>>,
}

/// A waiver of the waivers file, by its number there and what it names.
#[derive(Serialize)]
pub struct WaiverJson<'a> {
    /// 1-based position of the waiver in the waivers file.
    pub number: usize,
    /// The rule it names, or `*` when it names none.
    pub rule: &'a str,
    /// The check it names, or `*` when it names none.
    pub check: &'a str,
    /// Who answers for the waiver.
    pub owner: &'a str,
    /// The waiver's last day (`YYYY-MM-DD`, UTC).
    pub expires: &'a str,
    /// The finding fingerprint it matches, if it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<&'a str>,
    /// The entity key pattern it matches, if it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<&'a str>,
}

/// The JSON report, pretty-printed, with a final line break.
pub fn render(cx: &Context) -> String {
    let w = cx.waivers;
    let attention = !w.unmatched.is_empty() || !w.expired.is_empty() || !w.expiring.is_empty();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        exports: cx.outcomes.iter().map(|o| export(o, cx)).collect(),
        summary: Summary::of(cx.outcomes),
        baseline: cx.baseline_fixed.map(|fixed| BaselineFixed { fixed }),
        waivers: attention.then(|| WaiversNeedingAttention {
            unmatched: w.unmatched.iter().map(waiver).collect(),
            expired: w.expired.iter().map(waiver).collect(),
            expiring: w.expiring.iter().map(waiver).collect(),
        }),
    };
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}

fn waiver(w: &Waiver) -> WaiverJson<'_> {
    WaiverJson {
        number: w.number,
        rule: &w.rule,
        check: &w.check,
        owner: &w.owner,
        expires: &w.expires,
        fingerprint: w.fingerprint.as_deref(),
        entity: w.entity.as_deref(),
    }
}

fn export<'a>(o: &'a ExportOutcome, cx: &Context) -> Export<'a> {
    let lang = cx.lang;
    match &o.result {
        Err(e) => Export::Unloaded(UnloadedExport {
            path: &o.path,
            status: Status::Error,
            error: e.text(lang),
        }),
        Ok(a) => Export::Loaded(LoadedExport {
            path: &o.path,
            status: o.status(),
            checks: Counts::of_checks(a),
            results: a.results.iter().map(|r| rule_result(r, cx)).collect(),
            present: &a.present,
            truncated: &a.truncated,
            notes: a.notes.iter().map(|n| n.text(lang)).collect(),
        }),
    }
}

fn rule_result<'a>(r: &'a RuleResult, cx: &Context) -> RuleResultJson<'a> {
    RuleResultJson {
        rule: &r.rule,
        faq: (r.faq > 0).then_some(r.faq),
        title: r.title.get(cx.lang),
        status: r.status,
        findings: r.findings.iter().map(|f| finding(f, cx)).collect(),
        output: (!r.output.is_empty()).then_some(r.output.as_str()),
    }
}

fn finding<'a>(f: &'a Finding, cx: &Context) -> FindingJson<'a> {
    FindingJson {
        check: &f.check,
        status: f.status,
        severity: f.severity,
        message: f.message.get(cx.lang),
        evidence: &f.evidence,
        entities: &f.entities,
        fingerprint: &f.fingerprint,
        baseline: f
            .baseline
            .map(|b| if b.unchanged { "unchanged" } else { "new" }),
        remedy: f.remedy.as_ref().map(|r| r.get(cx.lang)),
        waiver: f.waiver.as_ref().map(|w| WaiverMarkJson {
            reason: &w.reason,
            owner: &w.owner,
            expires: &w.expires,
            expired: w.expired,
        }),
    }
}
