//! `--format markdown`: a report to paste into a support ticket or a pull-request comment,
//! in the order and words of the HTML report (problems first). Text from the export or a
//! rule never becomes markup: control characters are neutralised, Markdown and HTML
//! characters escaped, over-long messages clipped.

use super::human;
use super::words;
use super::{Context, Counts, Summary};
use crate::bilingual::Lang;
use crate::status::Status;
use std::fmt::Write as _;

/// The Markdown report: title, summary line, then per export its problems first.
pub fn render(cx: &Context) -> String {
    let lang = cx.lang;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", words::REPORT_TITLE.get(lang));
    let _ = writeln!(
        out,
        "**{}**\n",
        human::summary_line(&Summary::of(cx.outcomes), lang)
    );
    for o in cx.outcomes {
        let _ = writeln!(
            out,
            "## {}: {}\n",
            code(&o.path),
            human::export_heading(o, lang)
        );
        let a = match &o.result {
            Err(e) => {
                let _ = writeln!(out, "{}\n", words::CANNOT_LOAD.get(lang));
                let _ = writeln!(
                    out,
                    "{}\n",
                    words::sentences(&[words::CANNOT_LOAD_WHAT, words::CANNOT_LOAD_BELOW], lang)
                );
                let _ = writeln!(
                    out,
                    "> {}: {}\n",
                    words::NOTE.get(lang),
                    text(&e.text(lang), lang)
                );
                continue;
            }
            Ok(a) => a,
        };
        let _ = writeln!(out, "{}\n", human::verdict(&Counts::of_checks(a), lang));
        if let Some(note) = human::skipped_note(o, lang) {
            let _ = writeln!(out, "{}\n", text(&note, lang));
        }
        if let Some(note) = human::truncated_note(a, lang) {
            let _ = writeln!(out, "{}\n", text(&note, lang));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
            words::COL_FAQ.get(lang),
            words::COL_RULE.get(lang),
            words::COL_CHECK.get(lang),
            words::COL_STATUS.get(lang),
            words::COL_MESSAGE.get(lang),
        );
        for i in human::ordered(a) {
            let (r, f) = (i.rule, i.finding);
            let (said, technical) = if f.status == Status::Error {
                human::error_text(f, lang)
            } else {
                (f.message.get(lang).to_owned(), None)
            };
            let mut message = text(&said, lang);
            if let Some(t) = technical {
                let _ = write!(
                    message,
                    "<br>{}: {}",
                    words::TECHNICAL.get(lang),
                    code(&human::clip(&t, lang))
                );
            }
            if let Some(remedy) = &f.remedy {
                let _ = write!(
                    message,
                    "<br>**{}:** {}",
                    words::WHAT_TO_DO.get(lang),
                    text(remedy.get(lang), lang)
                );
            }
            if let Some(n) = human::waiver_note(f, lang) {
                message.push_str("<br>");
                message.push_str(&text(&n, lang));
            }
            if !f.evidence.is_empty() {
                let shown: Vec<String> = f.evidence.iter().take(8).map(|e| code(e)).collect();
                message.push_str("<br>");
                message.push_str(&shown.join(" "));
                if f.evidence.len() > 8 {
                    let _ = write!(message, " …(+{})", f.evidence.len() - 8);
                }
            }
            let status = human::status_word(f, lang);
            let status = if matches!(i.status(), Status::Fail | Status::Error) {
                format!("**{status}**")
            } else {
                status
            };
            let _ = writeln!(
                out,
                "| {} | {} — {} | {} | {status} | {message} |",
                // A rule beyond the FAQ has no number.
                if r.faq == 0 {
                    "-".to_owned()
                } else {
                    r.faq.to_string()
                },
                r.rule,
                text(r.title.get(lang), lang),
                f.check,
            );
        }
        out.push('\n');
        if !a.notes.is_empty() {
            let _ = writeln!(out, "{}:\n", words::ENGINEER_NOTES.get(lang));
            for n in &a.notes {
                let _ = writeln!(out, "- {}", text(&n.text(lang), lang));
            }
            out.push('\n');
        }
    }
    for w in &cx.waivers.unmatched {
        let _ = writeln!(
            out,
            "- {} #{} ({}): {}",
            words::WAIVERS.get(lang),
            w.number,
            text(&w.describe_in(lang), lang),
            words::WAIVER_UNMATCHED.get(lang)
        );
    }
    out
}

/// Untrusted text as inert Markdown inside a table cell: clipped, control characters
/// neutralised, line breaks as `<br>`, and every character Markdown or HTML would read
/// as markup escaped.
pub fn text(s: &str, lang: Lang) -> String {
    let s = human::neutralise(&human::clip(s, lang), true);
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
        match c {
            '\n' => out.push_str("<br>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Always markup in a cell.
            '\\' | '|' | '*' | '`' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Emphasis only at a word's edge (GFM ignores intraword underscores).
            '_' if !(word(prev) && word(next)) => out.push_str("\\_"),
            // A link or image only where a bracket closes into `(`, `[` or `:`; the UI
            // paths' brackets ([設定]→[...]) stay as the customer reads them.
            ']' if matches!(next, Some('(' | '[' | ':')) => out.push_str("\\]"),
            '!' if next == Some('[') => out.push_str("\\!"),
            _ => out.push(c),
        }
    }
    out
}

/// An identifier (a path, a pointer) as a code span that no backtick inside can end.
fn code(s: &str) -> String {
    let s = human::neutralise(s, false).replace('|', "\\|");
    let fence = if s.contains("``") {
        "```"
    } else if s.contains('`') {
        "``"
    } else {
        "`"
    };
    let pad = if fence.len() > 1 { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_in_text_stay_inert() {
        let t = text(
            "a|b <script>x</script> **bold** [l](http://x)\x1b[31m\r\n次",
            Lang::Ja,
        );
        assert!(!t.contains("<script>"), "{t}");
        assert!(t.contains("a\\|b"), "{t}");
        assert!(t.contains("\\*\\*bold\\*\\*"), "{t}");
        assert!(t.contains("[l\\](http"), "{t}");
        assert!(!t.contains('\x1b') && !t.contains('\r'), "{t}");
        assert!(t.contains("<br>次"), "{t}");
    }

    #[test]
    fn a_megabyte_message_is_clipped_fast() {
        let big = "x".repeat(1 << 20);
        let t = std::time::Instant::now();
        let s = text(&big, Lang::En);
        assert!(s.len() < 3000, "{}", s.len());
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
    }
}
