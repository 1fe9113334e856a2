//! Reports: pure functions from an audit's outcomes to text, one file per format.

pub mod diff;
pub mod explain;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rule_list;
pub mod rule_tests;
pub mod sarif;
pub mod table;
pub mod words;

use crate::audit::ExportOutcome;
use crate::bilingual::Lang;
use crate::locate::FileLocation;
use crate::rules::{Catalogue, Finding};
use crate::status::Status;
use crate::waivers::WaiverReport;
use std::collections::HashMap;

/// Where evidence sits in the export's files, by (export path, JSON Pointer).
pub type Locations = HashMap<(String, String), FileLocation>;

/// Everything a renderer needs; renderers read it and return text.
pub struct Context<'a> {
    /// One outcome per export audited, in the order the exports were given.
    pub outcomes: &'a [ExportOutcome],
    /// The language to write in.
    pub lang: Lang,
    /// The rules that ran (for titles, META and rule counts).
    pub catalogue: &'a Catalogue,
    /// Which waivers matched nothing, have expired or will soon (empty without `--waivers`).
    pub waivers: &'a WaiverReport,
    /// Where evidence sits in the export's files; filled only when a format that shows
    /// locations (SARIF, GitHub, HTML) is written; a pointer not in it has no known one.
    pub locations: &'a Locations,
    /// What the human formats show besides the results (header, time, footer).
    pub info: &'a ReportInfo,
    /// With `--baseline`: the baseline's findings no finding matches any more (fixed).
    pub baseline_fixed: Option<&'a [crate::baseline::Entry]>,
}

/// The report's surroundings: the audit time and the reader's time zone, the tool's
/// version and the rules' hash. (Each export's organization is in its `Audited::org`.)
#[derive(Clone, Debug, Default)]
pub struct ReportInfo {
    /// The audit time (RFC 3339), as `--now` gave it or the run took it.
    pub audit_time: Option<String>,
    /// The reader's time zone (`--tz`).
    pub tz: Option<jiff::tz::TimeZone>,
    /// The crmdesk-audit version that wrote the report (`CARGO_PKG_VERSION`).
    pub version: String,
    /// SHA-256 over the rules that ran (ids and sources).
    pub rules_hash: String,
}

impl ReportInfo {
    /// The audit time in the reader's time zone: `2026年11月24日 09:00(UTC+09:00)`.
    pub fn audit_time_shown(&self, lang: Lang) -> Option<String> {
        let t: jiff::Timestamp = self.audit_time.as_deref()?.parse().ok()?;
        let tz = self.tz.clone().unwrap_or(jiff::tz::TimeZone::UTC);
        let z = t.to_zoned(tz.clone());
        let offset = z.offset();
        let secs = offset.seconds();
        let zone = if secs == 0 {
            "UTC".to_owned()
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let a = secs.unsigned_abs();
            format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
        };
        let name = tz.iana_name().map(str::to_owned);
        Some(match lang {
            Lang::Ja => {
                let zone = if secs == 9 * 3600 {
                    "日本時間".to_owned()
                } else {
                    zone
                };
                format!(
                    "{}年{}月{}日 {:02}:{:02}({zone})",
                    z.year(),
                    z.month(),
                    z.day(),
                    z.hour(),
                    z.minute()
                )
            }
            Lang::En => {
                let named = name
                    .filter(|n| *n != "UTC")
                    .map(|n| format!(", {n}"))
                    .unwrap_or_default();
                format!("{} ({zone}{named})", z.strftime("%B %-d, %Y %H:%M"))
            }
        })
    }
}

impl Context<'_> {
    /// Where a finding points in the export's files: its first evidence that has a
    /// location.
    pub fn location(&self, export: &str, f: &Finding) -> Option<&FileLocation> {
        f.evidence
            .iter()
            .find_map(|p| self.locations.get(&(export.to_owned(), p.clone())))
    }
}

/// Counts for the summary line and the JSON `summary` object: rule results by status,
/// plus one `error` for each export that could not be loaded; and `checks`, the same
/// over checks of the exports that loaded.
/// Serialized as the JSON report's `summary` (without `unloaded`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Exports audited, loaded or not.
    pub exports: usize,
    /// Rule results that passed.
    pub pass: usize,
    /// Rule results that warned.
    pub warn: usize,
    /// Rule results that failed.
    pub fail: usize,
    /// Rule results that skipped.
    pub skip: usize,
    /// Rule results that ended in error, plus one per export that could not be loaded.
    pub error: usize,
    /// Check statuses over the exports that loaded (`Counts::of_checks`).
    pub checks: Counts,
    /// Exports that could not be loaded (each also counted once under `error`).
    #[serde(skip)]
    pub unloaded: usize,
}

/// How many of something (rule results, checks) ended in each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// How many ended in `pass`.
    pub pass: usize,
    /// How many ended in `warn`.
    pub warn: usize,
    /// How many ended in `fail`.
    pub fail: usize,
    /// How many ended in `skip`.
    pub skip: usize,
    /// How many ended in `error`.
    pub error: usize,
}

impl Counts {
    fn add(&mut self, st: Status) {
        *match st {
            Status::Pass => &mut self.pass,
            Status::Warn => &mut self.warn,
            Status::Fail => &mut self.fail,
            Status::Skip => &mut self.skip,
            Status::Error => &mut self.error,
        } += 1;
    }

    fn plus(self, o: Counts) -> Counts {
        Counts {
            pass: self.pass + o.pass,
            warn: self.warn + o.warn,
            fail: self.fail + o.fail,
            skip: self.skip + o.skip,
            error: self.error + o.error,
        }
    }

    /// The sum over every status.
    pub fn total(&self) -> usize {
        self.pass + self.warn + self.fail + self.skip + self.error
    }

    /// Each check's status (the worst of its findings, a waived finding counting as
    /// pass) over the results of one export; a rule that broke counts as one `error`.
    pub fn of_checks(a: &crate::audit::Audited) -> Counts {
        let mut c = Counts::default();
        for r in &a.results {
            let mut checks: Vec<(&str, Status)> = Vec::new();
            for f in &r.findings {
                let st = f.counted_status();
                match checks.iter_mut().find(|(name, _)| *name == f.check) {
                    Some((_, worst)) => *worst = Status::worst([*worst, st]).unwrap_or(st),
                    None => checks.push((&f.check, st)),
                }
            }
            for (_, st) in checks {
                c.add(st);
            }
        }
        c
    }
}

impl Summary {
    /// Counts the counted statuses (after waivers and baseline) of every export's results.
    pub fn of(outcomes: &[ExportOutcome]) -> Summary {
        let mut rules = Counts::default();
        let mut checks = Counts::default();
        let mut unloaded = 0;
        for o in outcomes {
            match &o.result {
                Err(_) => {
                    rules.error += 1;
                    unloaded += 1;
                }
                Ok(a) => {
                    for r in &a.results {
                        rules.add(r.status);
                    }
                    checks = checks.plus(Counts::of_checks(a));
                }
            }
        }
        Summary {
            exports: outcomes.len(),
            pass: rules.pass,
            warn: rules.warn,
            fail: rules.fail,
            skip: rules.skip,
            error: rules.error,
            checks,
            unloaded,
        }
    }
}

/// `FAQ 7 ` before a rule's name, or nothing for a rule beyond the FAQ (`faq` 0).
pub fn faq_prefix(faq: u32) -> String {
    if faq == 0 {
        String::new()
    } else {
        format!("FAQ {faq} ")
    }
}

/// How a finding's status reads in human formats: `waived` for an accepted finding.
pub fn shown_status(f: &Finding) -> String {
    match &f.waiver {
        Some(w) if !w.expired => "waived".to_owned(),
        Some(_) => format!("{} (waiver expired)", f.status),
        None => f.status.as_str().to_owned(),
    }
}

/// A waiver note to append to a message, in the chosen language.
pub fn waiver_note(f: &Finding, lang: Lang) -> Option<String> {
    let w = f.waiver.as_ref()?;
    Some(match (lang, w.expired) {
        (Lang::En, false) => format!("[waived until {} by {}: {}]", w.expires, w.owner, w.reason),
        (Lang::En, true) => format!(
            "[the waiver by {} expired on {}: {}]",
            w.owner, w.expires, w.reason
        ),
        (Lang::Ja, false) => format!("[{} まで免除({}): {}]", w.expires, w.owner, w.reason),
        (Lang::Ja, true) => format!(
            "[免除は {} に期限切れ({}): {}]",
            w.expires, w.owner, w.reason
        ),
    })
}

/// A finding's message followed by its remedy, for the formats with one text field per
/// finding (SARIF, JUnit, GitHub annotations).
pub fn message_and_remedy(f: &Finding, lang: Lang) -> String {
    match &f.remedy {
        Some(r) => f.message.then(r).get(lang).to_owned(),
        None => f.message.get(lang).to_owned(),
    }
}
