//! `diff <BEFORE> <AFTER>`: audit both exports with the same rules and report, per rule
//! and check, what got worse, what got better and what stayed; then, finding by finding
//! (by fingerprint), what is new, fixed or persisting. Exit 1 when something got worse to
//! `--fail-on` or above (a check, or a new finding: `FindingDiff::worse_to`); 2 when an
//! export did not load or a rule broke.

use super::CliError;
use super::args::{DiffArgs, DiffFormat, Threshold};
use crate::audit::{self, ExportOutcome};
use crate::diff::{Change, by_identity, compare};
use crate::load::LoadOptions;
use crate::report::diff::{self as render, DiffView};
use crate::status::Status;

/// Runs `diff`.
pub fn run(d: &DiffArgs) -> Result<u8, CliError> {
    let audit_time = super::audit_time(d.now.as_deref())?;
    // The same rules, parameters and profile as `audit` would use here (the project
    // config file found from the working directory), so both sides read as audit reads.
    let super::Setup {
        limits,
        engine,
        catalogue,
        ..
    } = super::Setup::new(None, &d.rules, None, &d.limits)?;
    let opts = LoadOptions { audit_time };
    let lang = super::lang(d.lang);
    let side = |path: &std::path::Path| -> Result<ExportOutcome, CliError> {
        let mut found = audit::audit(&engine, &catalogue, &limits, &[path.to_path_buf()], &opts);
        if found.len() != 1 {
            return Err(CliError::NotOneExport {
                path: path.display().to_string(),
                found: found.len(),
                lang,
            });
        }
        Ok(found.remove(0))
    };
    let (before, after) = (side(&d.before)?, side(&d.after)?);
    let (b, a) = match (&before.result, &after.result) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            return Err(CliError::Load {
                error: e.clone(),
                lang,
            });
        }
    };
    let changes = compare(&b.results, &a.results);
    let found = by_identity(&b.results, &a.results);
    let view = DiffView {
        before: &before.path,
        after: &after.path,
        changes: &changes,
        found: &found,
    };
    let text = match d.format {
        DiffFormat::Json => render::json(&view),
        DiffFormat::Table => render::table(&view, lang),
        DiffFormat::Markdown => render::markdown(&view, lang),
    };
    super::emit(d.output.as_deref(), &text)?;

    if a.results.iter().any(|r| r.status == Status::Error) {
        return Ok(super::ERROR);
    }
    let threshold = match d.fail_on.threshold() {
        Threshold::Status(s) => s,
        // `diff --fail-on` takes statuses only (`FailOn::status_parser`).
        Threshold::Never | Threshold::Severity(_) => return Ok(super::SUCCESS),
    };
    let worse = changes
        .iter()
        .any(|c| c.change == Change::Worse && c.after.is_some_and(|s| s >= threshold))
        || found.worse_to(threshold);
    Ok(if worse {
        super::FAILURE
    } else {
        super::SUCCESS
    })
}
