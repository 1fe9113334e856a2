//! The reports of `diff <BEFORE> <AFTER>` (JSON, table, Markdown): pure functions from
//! the check-by-check comparison and the findings by identity to text.

use crate::bilingual::Lang;
use crate::diff::{Change, CheckDiff, FindingDiff, Found};
use crate::report::words;
use crate::status::Status;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;
use std::fmt::Write as _;

/// What a diff report shows: the two exports' paths, every check of either side, and
/// the findings by identity.
#[derive(Clone, Copy, Debug)]
pub struct DiffView<'a> {
    /// The export before the change, as the user named it.
    pub before: &'a str,
    /// The export after the change, as the user named it.
    pub after: &'a str,
    /// Every check of either side (`diff::compare`).
    pub changes: &'a [CheckDiff],
    /// The findings by identity (`diff::by_identity`).
    pub found: &'a FindingDiff,
}

/// The JSON diff report: `schema_version`, `before`, `after`, `changes`, `findings`,
/// `summary`.
#[derive(Serialize)]
pub struct DiffReport<'a> {
    /// The diff report's schema version: 1 (apart from the audit report's).
    pub schema_version: u32,
    /// The export before the change, as the user named it.
    pub before: &'a str,
    /// The export after the change, as the user named it.
    pub after: &'a str,
    /// Every check of either side, in FAQ, rule and check order.
    pub changes: &'a [CheckDiff],
    /// The findings by identity: new, fixed, persisting and changed.
    pub findings: &'a FindingDiff,
    /// The counts of `changes` and `findings`.
    pub summary: DiffSummary,
}

/// How many checks got worse, better, changed or stayed, and the findings' counts.
#[derive(Serialize)]
pub struct DiffSummary {
    /// Checks whose status got worse.
    pub worse: usize,
    /// Checks whose status got better.
    pub better: usize,
    /// Checks whose status changed without weighing more or less (`pass` <-> `skip`).
    pub changed: usize,
    /// Checks whose status stayed the same.
    pub same: usize,
    /// The counts of the findings by identity.
    pub findings: FindingCounts,
}

/// How many findings are new, fixed, persisting, or changed status.
#[derive(Serialize)]
pub struct FindingCounts {
    /// Findings only after.
    pub new: usize,
    /// Findings only before.
    pub fixed: usize,
    /// Findings on both sides.
    pub persisting: usize,
    /// Pairs of a fixed and a new finding of the same rule, check and entities (a status change).
    pub changed: usize,
}

/// `--format json`: the diff as JSON, pretty-printed, with a final line break.
pub fn json(v: &DiffView) -> String {
    let (worse, better, changed, same) = counts(v.changes);
    let found = v.found;
    let doc = DiffReport {
        schema_version: 1,
        before: v.before,
        after: v.after,
        changes: v.changes,
        findings: found,
        summary: DiffSummary {
            worse,
            better,
            changed,
            same,
            findings: FindingCounts {
                new: found.new.len(),
                fixed: found.fixed.len(),
                persisting: found.persisting.len(),
                changed: found.changed.len(),
            },
        },
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `--format table`: the checks that moved and the findings, as tables, with summaries.
pub fn table(v: &DiffView, lang: Lang) -> String {
    table_report(v, false, lang)
}

/// `--format markdown`: the same as [`table`], as a Markdown document.
pub fn markdown(v: &DiffView, lang: Lang) -> String {
    table_report(v, true, lang)
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

fn table_report(v: &DiffView, markdown: bool, lang: Lang) -> String {
    let DiffView {
        before,
        after,
        changes,
        found,
    } = *v;
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
    let row = |kind: words::W, f: &Found| {
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
