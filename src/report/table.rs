//! `--format table`: one row per finding, grouped by rule, then a summary line.
//! Colour only when asked (a terminal without `NO_COLOR`); a fixed width off a terminal
//! so the output is the same on every machine.

use super::{Context, Summary, shown_status, waiver_note};
use crate::status::Status;
use crate::text::Lang;
use comfy_table::{
    Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets,
};

#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    /// Total width in columns.
    pub width: u16,
}

pub fn render(cx: &Context, style: Style) -> String {
    let (outcomes, lang) = (cx.outcomes, cx.lang);
    let mut out = String::new();
    for o in outcomes {
        out.push_str(&format!(
            "{}  [{}]\n",
            o.path,
            paint(o.status(), &super::export_heading(o, lang), style)
        ));
        if let Some(note) = super::skipped_note(o, lang) {
            out.push_str(&format!("  {note}\n"));
        }
        match &o.result {
            Err(e) => out.push_str(&format!(
                "  {}: {e}\n",
                label(lang, "cannot load", "読み込めません")
            )),
            Ok(a) => {
                out.push_str(&table(a, lang, style).to_string());
                out.push('\n');
                for n in &a.notes {
                    out.push_str(&format!("  note: {n}\n"));
                }
            }
        }
        out.push('\n');
    }
    out.push_str(&summary_line(&Summary::of(outcomes), lang));
    out.push('\n');
    for w in &cx.waivers.unmatched {
        out.push_str(&format!(
            "waiver #{} ({} / {}) matched no finding\n",
            w.number, w.rule, w.check
        ));
    }
    out
}

fn table(a: &crate::audit::Audited, lang: Lang, style: Style) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::DynamicFullWidth)
        .set_width(style.width)
        .set_header(vec![
            label(lang, "Rule", "ルール"),
            label(lang, "Check", "チェック"),
            label(lang, "Status", "結果"),
            label(lang, "Message", "内容"),
        ]);
    // The message gets the room: the other columns are bounded.
    for (i, max) in [(0, 34), (1, 31)] {
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(max)));
        }
    }
    for r in &a.results {
        for (i, f) in r.findings.iter().enumerate() {
            let rule = if i == 0 {
                format!("FAQ {} {}\n{}", r.faq, r.rule, r.title.get(lang))
            } else {
                String::new()
            };
            let mut message = f.message.get(lang).to_owned();
            if let Some(note) = waiver_note(f, lang) {
                message.push('\n');
                message.push_str(&note);
            }
            for e in &f.evidence {
                message.push_str(&format!("\n@{e}"));
            }
            t.add_row(vec![
                Cell::new(rule),
                Cell::new(&f.check),
                status_cell(f.counted_status(), &shown_status(f), style),
                Cell::new(message),
            ]);
        }
    }
    t
}

fn status_cell(s: Status, text: &str, style: Style) -> Cell {
    let cell = Cell::new(text);
    if !style.color {
        return cell;
    }
    match s {
        Status::Pass => cell.fg(Color::Green),
        Status::Warn => cell.fg(Color::Yellow),
        Status::Fail => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Error => cell.fg(Color::Magenta).add_attribute(Attribute::Bold),
        Status::Skip => cell.fg(Color::DarkGrey),
    }
}

/// `text` (which reads as status `s`) in the status's colour when colour is on.
fn paint(s: Status, text: &str, style: Style) -> String {
    if !style.color {
        return text.to_owned();
    }
    let code = match s {
        Status::Pass => "32",
        Status::Warn => "33",
        Status::Fail => "1;31",
        Status::Error => "1;35",
        Status::Skip => "90",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn label(lang: Lang, en: &'static str, ja: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

pub fn summary_line(s: &Summary, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} export{}: {} pass, {} warn, {} fail, {} skip, {} error",
            s.exports,
            if s.exports == 1 { "" } else { "s" },
            s.pass,
            s.warn,
            s.fail,
            s.skip,
            s.error
        ),
        Lang::Ja => format!(
            "エクスポート {} 件: 合格 {}、警告 {}、不合格 {}、スキップ {}、エラー {}",
            s.exports, s.pass, s.warn, s.fail, s.skip, s.error
        ),
    }
}
