//! `baseline save`: audit exports and write their findings, by fingerprint, as a baseline
//! for `audit --baseline` (crate::baseline).

use super::args::BaselineCommand;
use crate::audit;
use crate::baseline::Baseline;
use crate::engine;
use crate::load::LoadOptions;

pub fn run(c: &BaselineCommand) -> Result<u8, String> {
    let BaselineCommand::Save {
        paths,
        output,
        rules,
        now,
        limits,
    } = c;
    let limits = super::limits(limits)?;
    let engine = engine::build(&limits);
    let catalogue = super::catalogue(&engine, rules)?;
    let problems = catalogue.problems();
    for p in &problems {
        eprintln!("error: {p}");
    }
    let outcomes = audit::audit(
        &engine,
        &catalogue,
        &limits,
        paths,
        &LoadOptions {
            audit_time: super::audit_time(now.as_deref())?,
        },
    );
    let mut failed = !problems.is_empty();
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    if failed {
        return Err("no baseline written: fix the errors above first".to_owned());
    }
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
