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
/// plus one `error` for each export that could not be loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub exports: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn of(outcomes: &[ExportOutcome]) -> Summary {
        let mut s = Summary {
            exports: outcomes.len(),
            ..Summary::default()
        };
        for o in outcomes {
            match &o.result {
                Err(_) => s.error += 1,
                Ok(a) => {
                    for r in &a.results {
                        *s.slot(r.status) += 1;
                    }
                }
            }
        }
        s
    }

    fn slot(&mut self, st: Status) -> &mut usize {
        match st {
            Status::Pass => &mut self.pass,
            Status::Warn => &mut self.warn,
            Status::Fail => &mut self.fail,
            Status::Skip => &mut self.skip,
            Status::Error => &mut self.error,
        }
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
