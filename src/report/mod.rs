//! Reports: pure functions from audit outcomes to bytes, one file per format.

pub mod json;
pub mod table;

use crate::audit::ExportOutcome;
use crate::status::Status;

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
