//! `--format markdown`: a report to paste into a support ticket or a pull-request comment.

use super::{Context, Summary, shown_status, waiver_note};
use crate::text::Lang;
use std::fmt::Write as _;

pub fn render(cx: &Context) -> String {
    let lang = cx.lang;
    let mut out = String::new();
    let _ = writeln!(out, "# crmdesk-audit\n");
    let _ = writeln!(
        out,
        "**{}**\n",
        super::table::summary_line(&Summary::of(cx.outcomes), lang)
    );
    for o in cx.outcomes {
        let _ = writeln!(out, "## `{}`: {}\n", o.path, super::export_heading(o, lang));
        if let Some(note) = super::skipped_note(o, lang) {
            let _ = writeln!(out, "{note}\n");
        }
        let a = match &o.result {
            Err(e) => {
                let _ = writeln!(
                    out,
                    "{}: {}\n",
                    label(lang, "Cannot load", "読み込めません"),
                    cell(e)
                );
                continue;
            }
            Ok(a) => a,
        };
        let _ = writeln!(
            out,
            "| FAQ | {} | {} | {} | {} |\n|---|---|---|---|---|",
            label(lang, "Rule", "ルール"),
            label(lang, "Check", "チェック"),
            label(lang, "Status", "結果"),
            label(lang, "Message", "内容"),
        );
        for r in &a.results {
            for f in &r.findings {
                let mut message = f.message.get(lang).to_owned();
                if let Some(n) = waiver_note(f, lang) {
                    message.push(' ');
                    message.push_str(&n);
                }
                let evidence: Vec<String> = f.evidence.iter().map(|e| format!("`{e}`")).collect();
                if !evidence.is_empty() {
                    message.push_str("<br>");
                    message.push_str(&evidence.join(" "));
                }
                let status = shown_status(f);
                let status = if matches!(
                    f.counted_status(),
                    crate::Status::Fail | crate::Status::Error
                ) {
                    format!("**{status}**")
                } else {
                    status
                };
                let _ = writeln!(
                    out,
                    "| {} | {} — {} | {} | {status} | {} |",
                    r.faq,
                    r.rule,
                    cell(r.title.get(lang)),
                    f.check,
                    cell(&message)
                );
            }
        }
        out.push('\n');
        for n in &a.notes {
            let _ = writeln!(out, "- note: {}", cell(n));
        }
    }
    for w in &cx.waivers.unmatched {
        let _ = writeln!(
            out,
            "- waiver #{} ({} / {}) matched no finding",
            w.number, w.rule, w.check
        );
    }
    out
}

/// Table-cell safe: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn label(lang: Lang, en: &'static str, ja: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}
