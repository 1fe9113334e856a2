//! The five statuses a finding, a rule result or an export can have, and how they combine.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A verdict. The derived order is the *severity* order used to combine verdicts:
/// `skip` < `pass` < `warn` < `fail` < `error` (rule-catalogue.md: the worst finding wins,
/// and a rule is `skip` only when every finding is `skip`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not checked: the export lacks the data to decide (a part was not exported).
    Skip,
    /// Checked, and nothing is wrong.
    Pass,
    /// Something to look into, which may or may not be a problem ("needs checking").
    Warn,
    /// A problem that needs fixing ("needs action").
    Fail,
    /// No verdict: the rule did not compile, raised an error, hit a limit, or needed a part
    /// that failed to load.
    Error,
}

impl Status {
    /// Every status, in the order reports count them (pass, warn, fail, skip, error), not
    /// the severity order.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Error,
    ];

    /// The lower-case word used in JSON, the CLI and rules (`"pass"`); `FromStr` reads it back.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Skip => "skip",
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }

    /// The worst of several statuses; `None` for an empty input.
    pub fn worst(statuses: impl IntoIterator<Item = Status>) -> Option<Status> {
        statuses.into_iter().max()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "skip" => Ok(Status::Skip),
            "pass" => Ok(Status::Pass),
            "warn" => Ok(Status::Warn),
            "fail" => Ok(Status::Fail),
            "error" => Ok(Status::Error),
            other => Err(format!(
                "unknown status `{other}`: expected pass, warn, fail, skip or error"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_prefers_error_then_fail_then_warn_then_pass_then_skip() {
        use Status::*;
        assert_eq!(Status::worst([Skip, Pass]), Some(Pass));
        assert_eq!(Status::worst([Pass, Warn, Skip]), Some(Warn));
        assert_eq!(Status::worst([Warn, Fail]), Some(Fail));
        assert_eq!(Status::worst([Fail, Error, Pass]), Some(Error));
        assert_eq!(Status::worst([Skip, Skip]), Some(Skip));
        assert_eq!(Status::worst([]), None);
    }

    #[test]
    fn parses_case_insensitively_and_rejects_unknown() {
        assert_eq!(" WARN ".parse::<Status>(), Ok(Status::Warn));
        assert!("ok".parse::<Status>().is_err());
    }
}
