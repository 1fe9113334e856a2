//! `diff <BEFORE> <AFTER>`: audit both exports with the same rules and report, per rule
//! and check, what got worse, what got better and what stayed. Exit 1 when something got
//! worse to `--fail-on` or above; 2 when an export did not load or a rule broke.

use super::args::{DiffArgs, DiffFormat, FailOn};
use crate::audit::{self, ExportOutcome};
use crate::diff::{Change, CheckDiff, compare};
use crate::engine;
use crate::load::LoadOptions;
use crate::status::Status;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;
use std::fmt::Write as _;

pub fn run(d: &DiffArgs) -> Result<u8, String> {
    let audit_time = super::audit_time(d.now.as_deref())?;
    let limits = super::limits(&d.limits)?;
    let engine = engine::build(&limits);
    let catalogue = super::catalogue(&engine, &d.rules)?;
    let opts = LoadOptions { audit_time };
    let side = |path: &std::path::Path| -> Result<ExportOutcome, String> {
        let mut found = audit::audit(&engine, &catalogue, &limits, &[path.to_path_buf()], &opts);
        if found.len() != 1 {
            return Err(format!(
                "{}: holds {} exports; diff compares one export with one export",
                path.display(),
                found.len()
            ));
        }
        Ok(found.remove(0))
    };
    let (before, after) = (side(&d.before)?, side(&d.after)?);
    let (b, a) = match (&before.result, &after.result) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => return Err(e.clone()),
    };
    let changes = compare(&b.results, &a.results);
    let text = match d.format {
        DiffFormat::Json => json_report(&before.path, &after.path, &changes),
        DiffFormat::Table => table_report(&before.path, &after.path, &changes, false),
        DiffFormat::Markdown => table_report(&before.path, &after.path, &changes, true),
    };
    super::emit(d.output.as_deref(), &text)?;

    if a.results.iter().any(|r| r.status == Status::Error) {
        return Ok(super::ERROR);
    }
    let threshold = match d.fail_on {
        FailOn::Fail => Status::Fail,
        FailOn::Warn => Status::Warn,
        FailOn::Never => return Ok(super::SUCCESS),
    };
    let worse = changes
        .iter()
        .any(|c| c.change == Change::Worse && c.after.is_some_and(|s| s >= threshold));
    Ok(if worse {
        super::FAILURE
    } else {
        super::SUCCESS
    })
}

fn status(s: Option<Status>) -> &'static str {
    s.map_or("-", Status::as_str)
}

fn counts(changes: &[CheckDiff]) -> (usize, usize, usize, usize) {
    let n = |c: Change| changes.iter().filter(|x| x.change == c).count();
    (
        n(Change::Worse),
        n(Change::Better),
        n(Change::Changed),
        n(Change::Same),
    )
}

fn json_report(before: &str, after: &str, changes: &[CheckDiff]) -> String {
    let (worse, better, changed, same) = counts(changes);
    let doc = json!({
        "schema_version": 1,
        "before": before,
        "after": after,
        "changes": changes,
        "summary": { "worse": worse, "better": better, "changed": changed, "same": same },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn table_report(before: &str, after: &str, changes: &[CheckDiff], markdown: bool) -> String {
    let (worse, better, changed, same) = counts(changes);
    let mut out = String::new();
    let summary = format!("{worse} worse, {better} better, {changed} changed, {same} unchanged");
    let moved: Vec<&CheckDiff> = changes
        .iter()
        .filter(|c| c.change != Change::Same)
        .collect();
    if markdown {
        let _ = writeln!(
            out,
            "# crmdesk-audit diff\n\n`{before}` -> `{after}`: **{summary}**\n"
        );
        if !moved.is_empty() {
            let _ = writeln!(
                out,
                "| change | FAQ | rule | check | before | after |\n|---|---|---|---|---|---|"
            );
            for c in &moved {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    change_word(c.change),
                    c.faq,
                    c.rule,
                    c.check,
                    status(c.before),
                    status(c.after)
                );
            }
        }
        return out;
    }
    let _ = writeln!(out, "{before} -> {after}");
    if !moved.is_empty() {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(120)
            .set_header(vec!["change", "FAQ", "rule", "check", "before", "after"]);
        for c in &moved {
            t.add_row(vec![
                change_word(c.change).to_owned(),
                c.faq.to_string(),
                c.rule.clone(),
                c.check.clone(),
                status(c.before).to_owned(),
                status(c.after).to_owned(),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let _ = writeln!(out, "{summary}");
    out
}

fn change_word(c: Change) -> &'static str {
    match c {
        Change::Worse => "worse",
        Change::Better => "better",
        Change::Changed => "changed",
        Change::Same => "same",
    }
}
