//! Reports: pure functions from an audit's outcomes to text, one file per format.

pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::audit::ExportOutcome;
use crate::rules::{Catalogue, Finding};
use crate::status::Status;
use crate::text::Lang;
use crate::waivers::WaiverReport;
use std::collections::HashMap;

/// A place in an export's files: where a piece of evidence was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// Path as the user would write it (relative when the export path was).
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// Evidence places, by (export path, JSON Pointer).
pub type Places = HashMap<(String, String), Place>;

/// Everything a renderer needs; renderers read it and return text.
pub struct Context<'a> {
    pub outcomes: &'a [ExportOutcome],
    pub lang: Lang,
    pub catalogue: &'a Catalogue,
    pub waivers: &'a WaiverReport,
    pub places: &'a Places,
}

impl Context<'_> {
    /// Where a finding points in the export's files: its first evidence that has a place.
    pub fn place(&self, export: &str, f: &Finding) -> Option<&Place> {
        f.evidence
            .iter()
            .find_map(|p| self.places.get(&(export.to_owned(), p.clone())))
    }
}

/// Counts for the summary line and the JSON `summary` object: rule results by status,
/// plus one `error` for each export that could not be loaded; and `checks`, the same
/// over checks of the exports that loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub exports: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
    pub checks: Counts,
}

/// How many of something (rule results, checks) ended in each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
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
    pub fn of(outcomes: &[ExportOutcome]) -> Summary {
        let mut rules = Counts::default();
        let mut checks = Counts::default();
        for o in outcomes {
            match &o.result {
                Err(_) => rules.error += 1,
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
        }
    }
}

/// An export's status as the human formats head it: never a bare `pass` when some of its
/// checks were skipped (cli.md), e.g. `pass, 4 of 13 checks skipped`.
pub fn export_heading(o: &ExportOutcome, lang: Lang) -> String {
    let status = o.status();
    let Ok(a) = &o.result else {
        return status.to_string();
    };
    let c = Counts::of_checks(a);
    if c.skip == 0 || status != Status::Pass {
        return status.to_string();
    }
    match lang {
        Lang::En => format!("{status}, {} of {} checks skipped", c.skip, c.total()),
        Lang::Ja => format!("{status}、{} 件中 {} 件の確認は未実施", c.total(), c.skip),
    }
}

/// Why checks were skipped, for the line under an export's heading; `None` when none was.
pub fn skipped_note(o: &ExportOutcome, lang: Lang) -> Option<String> {
    let a = o.result.as_ref().ok()?;
    let c = Counts::of_checks(a);
    (c.skip > 0).then(|| match lang {
        Lang::En => format!(
            "{} of {} checks were not run: the export lacks the data they need (each skip row says which).",
            c.skip,
            c.total()
        ),
        Lang::Ja => format!(
            "{} 件中 {} 件の確認は、必要なデータがエクスポートに含まれていないため実施していません(どのデータが必要かは、結果が「skip」の行をご覧ください)。",
            c.total(),
            c.skip
        ),
    })
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
