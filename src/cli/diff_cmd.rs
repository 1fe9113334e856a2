//! `diff <BEFORE> <AFTER>`: audit both exports with the same rules and report, per rule
//! and check, what got worse, what got better and what stayed; then, finding by finding
//! (by fingerprint), what is new, fixed or persisting. Exit 1 when something got worse to
//! `--fail-on` or above (a check, or a new finding: `FindingDiff::worse_to`); 2 when an
//! export did not load or a rule broke.

use super::args::{DiffArgs, DiffFormat, FailOn};
use crate::audit::{self, ExportOutcome};
use crate::diff::{Change, CheckDiff, FindingDiff, by_identity, compare};
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
    let found = by_identity(&b.results, &a.results);
    let pair = (before.path.as_str(), after.path.as_str());
    let text = match d.format {
        DiffFormat::Json => json_report(pair, &changes, &found),
        DiffFormat::Table => table_report(pair, &changes, &found, false, lang),
        DiffFormat::Markdown => table_report(pair, &changes, &found, true, lang),
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
        .any(|c| c.change == Change::Worse && c.after.is_some_and(|s| s >= threshold))
        || found.worse_to(threshold);
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

fn json_report(
    (before, after): (&str, &str),
    changes: &[CheckDiff],
    found: &FindingDiff,
) -> String {
    let (worse, better, changed, same) = counts(changes);
    let doc = json!({
        "schema_version": 1,
        "before": before,
        "after": after,
        "changes": changes,
        "findings": found,
        "summary": {
            "worse": worse, "better": better, "changed": changed, "same": same,
            "findings": {
                "new": found.new.len(),
                "fixed": found.fixed.len(),
                "persisting": found.persisting.len(),
                "changed": found.changed.len(),
            },
        },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn table_report(
    (before, after): (&str, &str),
    changes: &[CheckDiff],
    found: &FindingDiff,
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
        let _ = writeln!(
            out,
            "\n## {}\n\n**{}**\n",
            words::DIFF_FINDINGS.get(lang),
            findings_summary(found, lang)
        );
        let rows = finding_rows(found, lang);
        if !rows.is_empty() {
            let heads = finding_heads(lang);
            let _ = writeln!(out, "| {} |\n|---|---|---|---|---|---|", heads.join(" | "));
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| markdown_cell(c)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
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
    let rows = finding_rows(found, lang);
    let _ = writeln!(out, "\n{}", words::DIFF_FINDINGS.get(lang));
    if !rows.is_empty() {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(120)
            .set_header(finding_heads(lang).to_vec());
        for row in rows {
            t.add_row(row.to_vec());
        }
        let _ = writeln!(out, "{t}");
    }
    let _ = writeln!(out, "{}", findings_summary(found, lang));
    out
}

fn finding_heads(lang: Lang) -> [&'static str; 6] {
    [
        words::DIFF_KIND,
        words::DIFF_FAQ,
        words::DIFF_RULE,
        words::DIFF_CHECK,
        words::DIFF_STATUS,
        words::DIFF_ENTITIES,
    ]
    .map(|w| w.get(lang))
}

fn findings_summary(found: &FindingDiff, lang: Lang) -> String {
    words::DIFF_FINDINGS_SUMMARY
        .get(lang)
        .replace("{0}", &found.new.len().to_string())
        .replace("{1}", &found.fixed.len().to_string())
        .replace("{2}", &found.persisting.len().to_string())
        .replace("{3}", &found.changed.len().to_string())
}

/// One row per finding: new, then status changes, fixed, persisting (`-` for no entity).
fn finding_rows(found: &FindingDiff, lang: Lang) -> Vec<[String; 6]> {
    let entities = |e: &[String]| {
        if e.is_empty() {
            "-".to_owned()
        } else {
            e.join(", ")
        }
    };
    let row = |kind: words::W, f: &crate::diff::Found| {
        [
            kind.get(lang).to_owned(),
            f.faq.to_string(),
            f.rule.clone(),
            f.check.clone(),
            status(Some(f.status), lang).to_owned(),
            entities(&f.entities),
        ]
    };
    let mut rows: Vec<[String; 6]> = found.new.iter().map(|f| row(words::DIFF_NEW, f)).collect();
    rows.extend(found.changed.iter().map(|c| {
        [
            words::DIFF_STATUS_CHANGED.get(lang).to_owned(),
            c.faq.to_string(),
            c.rule.clone(),
            c.check.clone(),
            format!(
                "{} -> {}",
                status(Some(c.before), lang),
                status(Some(c.after), lang)
            ),
            entities(&c.entities),
        ]
    }));
    rows.extend(found.fixed.iter().map(|f| row(words::DIFF_FIXED, f)));
    rows.extend(
        found
            .persisting
            .iter()
            .map(|f| row(words::DIFF_PERSISTING, f)),
    );
    rows
}

/// A markdown table cell: pipes escaped, line breaks as spaces (entities hold record data).
fn markdown_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
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
