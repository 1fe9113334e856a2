//! `diff <BEFORE> <AFTER>`: audit both exports with the same rules and report, per rule
//! and check, what got worse, what got better and what stayed. Exit 1 when something got
//! worse to `--fail-on` or above; 2 when an export did not load or a rule broke.

use super::args::{DiffArgs, DiffFormat, FailOn};
use crate::audit::{self, ExportOutcome};
use crate::diff::{Change, CheckDiff, compare};
use crate::engine;
use crate::load::LoadOptions;
use crate::report::words;
use crate::status::Status;
use crate::text::Lang;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;
use std::fmt::Write as _;

pub fn run(d: &DiffArgs) -> Result<u8, String> {
    let audit_time = super::audit_time(d.now.as_deref())?;
    let limits = super::limits(&d.limits)?;
    let engine = engine::build(&limits);
    let catalogue = super::catalogue(&engine, &d.rules)?;
    let opts = LoadOptions { audit_time };
    let lang = super::lang(d.lang);
    let side = |path: &std::path::Path| -> Result<ExportOutcome, String> {
        let mut found = audit::audit(&engine, &catalogue, &limits, &[path.to_path_buf()], &opts);
        if found.len() != 1 {
            return Err(words::DIFF_NOT_ONE
                .get(lang)
                .replace("{0}", &path.display().to_string())
                .replace("{1}", &found.len().to_string()));
        }
        Ok(found.remove(0))
    };
    let (before, after) = (side(&d.before)?, side(&d.after)?);
    let (b, a) = match (&before.result, &after.result) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => return Err(e.text(lang)),
    };
    let changes = compare(&b.results, &a.results);
    let text = match d.format {
        DiffFormat::Json => json_report(&before.path, &after.path, &changes),
        DiffFormat::Table => table_report(&before.path, &after.path, &changes, false, lang),
        DiffFormat::Markdown => table_report(&before.path, &after.path, &changes, true, lang),
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

/// A status as the reader reads it; `-` when the check was not reported on that side.
fn status(s: Option<Status>, lang: Lang) -> &'static str {
    s.map_or("-", |s| match lang {
        Lang::En => s.as_str(),
        Lang::Ja => words::status(s).ja,
    })
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

fn table_report(
    before: &str,
    after: &str,
    changes: &[CheckDiff],
    markdown: bool,
    lang: Lang,
) -> String {
    let (worse, better, changed, same) = counts(changes);
    let mut out = String::new();
    let summary = words::DIFF_SUMMARY
        .get(lang)
        .replace("{0}", &worse.to_string())
        .replace("{1}", &better.to_string())
        .replace("{2}", &changed.to_string())
        .replace("{3}", &same.to_string());
    let heads = [
        words::DIFF_CHANGE,
        words::DIFF_FAQ,
        words::DIFF_RULE,
        words::DIFF_CHECK,
        words::DIFF_BEFORE,
        words::DIFF_AFTER,
    ]
    .map(|w| w.get(lang));
    let moved: Vec<&CheckDiff> = changes
        .iter()
        .filter(|c| c.change != Change::Same)
        .collect();
    if markdown {
        let _ = writeln!(
            out,
            "# crmdesk-audit {}\n\n`{before}` -> `{after}`: **{summary}**\n",
            words::DIFF_TITLE.get(lang)
        );
        if !moved.is_empty() {
            let _ = writeln!(out, "| {} |\n|---|---|---|---|---|---|", heads.join(" | "));
            for c in &moved {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    change_word(c.change, lang),
                    c.faq,
                    c.rule,
                    c.check,
                    status(c.before, lang),
                    status(c.after, lang)
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
            .set_header(heads.to_vec());
        for c in &moved {
            t.add_row(vec![
                change_word(c.change, lang).to_owned(),
                c.faq.to_string(),
                c.rule.clone(),
                c.check.clone(),
                status(c.before, lang).to_owned(),
                status(c.after, lang).to_owned(),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let _ = writeln!(out, "{summary}");
    out
}

fn change_word(c: Change, lang: Lang) -> &'static str {
    match c {
        Change::Worse => words::DIFF_WORSE,
        Change::Better => words::DIFF_BETTER,
        Change::Changed => words::DIFF_CHANGED,
        Change::Same => words::DIFF_SAME,
    }
    .get(lang)
}
