//! `waivers generate`: audit exports and write a waiver, by fingerprint, for each `warn`
//! and `fail` finding, with an owner, a reason and an expiry: a starting point for a person
//! to edit before `audit --waivers` (crate::waivers).

use super::CliError;
use super::args::WaiversCommand;
use crate::status::Status;

/// Runs `waivers generate`.
pub fn run(c: &WaiversCommand) -> Result<u8, CliError> {
    let WaiversCommand::Generate {
        paths,
        expires,
        owner,
        reason,
        output,
        rules,
        now,
        config,
        limits,
    } = c;
    if owner.trim().is_empty() {
        return Err(CliError::EmptyOwner);
    }
    if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
        return Err(CliError::EmptyReason);
    }
    let audit_time = super::audit_time(now.as_deref())?;
    let today = crate::waivers::today(&audit_time).ok_or_else(|| CliError::NoDay {
        audit_time: audit_time.clone(),
    })?;
    let expires = crate::waivers::expiry(expires, today)?.to_string();
    let reason = reason
        .clone()
        .unwrap_or_else(|| format!("accepted on {today}"));

    let outcomes = super::audit_for_a_file(
        paths,
        rules,
        config.as_deref(),
        limits,
        audit_time,
        "waivers",
    )?;
    let errors = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .flat_map(|a| &a.results)
        .flat_map(|r| &r.findings)
        .filter(|f| f.status == Status::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "warning: {errors} finding(s) in error get no waiver: a rule that breaks is fixed, not waived"
        );
    }
    let (text, n) = crate::waivers::generate(
        &outcomes,
        &crate::waivers::Template {
            owner: owner.trim(),
            reason: reason.trim(),
            expires: &expires,
        },
    );
    super::emit(output.as_deref(), &text)?;
    eprintln!(
        "wrote {n} waiver(s) for the warn and fail findings of {} export(s) to {}, expiring on {expires}; \
         review each one before use",
        outcomes.len(),
        output
            .as_deref()
            .map_or_else(|| "stdout".to_owned(), |p| p.display().to_string())
    );
    Ok(super::SUCCESS)
}
