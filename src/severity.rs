//! How much a check's problem matters, declared per check in META (`severity`), carried
//! by each of its findings, and usable as a `--fail-on` threshold.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// `info` < `low` < `medium` < `high` < `critical`; a check without one is `medium`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The lowest: of the severity thresholds, only `--fail-on info` counts it.
    Info,
    /// Counted by `--fail-on low` and `--fail-on info`.
    Low,
    /// The default, for a check whose META declares none; counted by `--fail-on medium` and lower.
    #[default]
    Medium,
    /// Counted by `--fail-on high` and every lower threshold.
    High,
    /// The highest: counted by every severity threshold of `--fail-on`.
    Critical,
}

impl Severity {
    /// Every severity's word, worst first, for messages listing what is accepted.
    pub const NAMES: &'static str = "critical, high, medium, low, info";

    /// The lower-case word used in META, JSON, the CLI and `--fail-on` (`"high"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}`: expected {}",
                Severity::NAMES
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Severity;

    #[test]
    fn severities_order_and_default() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::default(), Severity::Medium);
        assert_eq!("High".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }
}
