//! `audit --profile NAME`: named rule sets, each with its own default `--fail-on`.

use super::CliError;
use super::args::{FailOn, RuleArgs};
use crate::rules::catalogue::Selection;

/// The profiles' names, for `--profile`'s possible values.
pub const NAMES: [&str; 2] = ["pre-migration", "support-triage"];

/// A profile's rules (`None`: every rule) and default `--fail-on`.
pub fn profile(name: &str) -> Option<(Option<&'static [&'static str]>, FailOn)> {
    match name {
        // The rules whose findings break a migration; a warn is already too much.
        "pre-migration" => Some((
            Some(&[
                "crm-delete-keeps-desk-records",
                "sync-running",
                "integration-prerequisites",
            ]),
            FailOn::Warn,
        )),
        "support-triage" => Some((None, FailOn::Fail)),
        _ => None,
    }
}

/// `--only`/`--skip` within the profile: the profile's rules, narrowed by `--only` (each
/// of which must belong to the profile), less `--skip`.
pub fn selection(name: Option<&str>, a: &RuleArgs) -> Result<Selection, CliError> {
    let rules = match name {
        None => None,
        Some(n) => {
            profile(n)
                .ok_or_else(|| CliError::NoSuchProfile { name: n.to_owned() })?
                .0
        }
    };
    let only = match rules {
        None => a.only.clone(),
        Some(rules) => {
            if let Some(id) = a.only.iter().find(|id| !rules.contains(&id.as_str())) {
                return Err(CliError::NotInProfile {
                    id: id.clone(),
                    profile: name.unwrap_or_default().to_owned(),
                    rules,
                });
            }
            if a.only.is_empty() {
                rules.iter().map(|r| (*r).to_owned()).collect()
            } else {
                a.only.clone()
            }
        }
    };
    Ok(Selection {
        only,
        skip: a.skip.clone(),
    })
}
