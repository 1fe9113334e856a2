//! `baseline save`: audit exports and write their findings, by fingerprint, as a baseline
//! for `audit --baseline` (crate::baseline).

use super::CliError;
use super::args::BaselineCommand;
use crate::baseline::Baseline;

/// Runs `baseline save`.
pub fn run(c: &BaselineCommand) -> Result<u8, CliError> {
    let BaselineCommand::Save {
        paths,
        output,
        rules,
        now,
        config,
        limits,
    } = c;
    let audit_time = super::audit_time(now.as_deref())?;
    let outcomes = super::audit_for_a_file(
        paths,
        rules,
        config.as_deref(),
        limits,
        audit_time,
        "baseline",
    )?;
    let b = Baseline::of(&outcomes);
    super::output::write_atomically(output, b.to_json().as_bytes())?;
    eprintln!(
        "saved {} finding(s) of {} export(s) to {}",
        b.findings.len(),
        outcomes.len(),
        output.display()
    );
    Ok(super::SUCCESS)
}
