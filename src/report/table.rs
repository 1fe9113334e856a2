//! `--format table`: per export, one row per finding, problems first, then a summary line.
//! Laid out here rather than by a table crate, because a report read in Japanese needs
//! what those do not give: widths measured the way the terminal draws East-Asian
//! ambiguous characters (`--ambiguous-wide`), line breaks that keep identifiers whole and
//! never start a line with closing punctuation (、。」), and an ASCII border style for
//! terminals that cannot draw box lines. Colour only when asked; a fixed width off a
//! terminal so the output is the same on every machine.

use super::human::{self, Item};
use super::words;
use super::{Context, Summary};
use crate::bilingual::Lang;
use crate::status::Status;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How the table is drawn: colour, width, border characters and how wide the terminal
/// draws East-Asian ambiguous characters.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Status words in ANSI colours (the CLI sets it when writing to a terminal and
    /// `NO_COLOR` is not set).
    pub color: bool,
    /// Total width in columns.
    pub width: u16,
    /// Borders drawn with ASCII (`+-|`) rather than box-drawing characters.
    pub ascii: bool,
    /// The terminal draws East-Asian ambiguous characters (box lines, ○, ※...) two
    /// columns wide.
    pub ambiguous_wide: bool,
}

impl Style {
    /// Columns `s` takes on the terminal.
    fn width(&self, s: &str) -> usize {
        if self.ambiguous_wide {
            s.width_cjk()
        } else {
            s.width()
        }
    }

    fn char_width(&self, c: char) -> usize {
        if self.ambiguous_wide {
            c.width_cjk().unwrap_or(0)
        } else {
            c.width().unwrap_or(0)
        }
    }
}

/// The table report: per export a heading, one row per finding (problems first), then
/// the summary line.
pub fn render(cx: &Context, style: Style) -> String {
    let (outcomes, lang) = (cx.outcomes, cx.lang);
    let mut out = String::new();
    for o in outcomes {
        out.push_str(&format!(
            "{}  [{}]\n",
            human::neutralise(&o.path, false),
            paint(o.status(), &human::export_heading(o, lang), style)
        ));
        if let Some(note) = human::skipped_note(o, lang) {
            out.push_str(&format!("  {note}\n"));
        }
        match &o.result {
            Err(e) => {
                out.push_str(&format!("  {}\n", words::CANNOT_LOAD.get(lang)));
                if lang == Lang::Ja {
                    out.push_str(&format!(
                        "  {}\n",
                        words::sentences(
                            &[words::CANNOT_LOAD_WHAT, words::CANNOT_LOAD_BELOW],
                            lang
                        )
                    ));
                }
                out.push_str(&format!(
                    "  {}: {}\n",
                    words::NOTE.get(lang),
                    human::neutralise(&human::clip(&e.text(lang), lang), false)
                ));
            }
            Ok(a) => {
                if let Some(n) = human::truncated_note(a, lang) {
                    out.push_str(&format!("  {n}\n"));
                }
                out.push_str(&table(&human::ordered(a), lang, style));
                for n in &a.notes {
                    out.push_str(&format!(
                        "  {}: {}\n",
                        words::NOTE.get(lang),
                        human::neutralise(&human::clip(&n.text(lang), lang), false)
                    ));
                }
            }
        }
        out.push('\n');
    }
    out.push_str(&human::summary_line(&Summary::of(outcomes), lang));
    out.push('\n');
    for w in &cx.waivers.unmatched {
        out.push_str(&match lang {
            Lang::En => format!(
                "waiver #{} ({}) matched no finding\n",
                w.number,
                w.describe()
            ),
            Lang::Ja => format!(
                "免除 #{}({})に該当する結果がありません\n",
                w.number,
                w.describe_in(lang)
            ),
        });
    }
    out
}

/// The cells of one row, before wrapping.
struct Row {
    cells: [String; 4],
    status: Status,
}

fn rows(items: &[Item], lang: Lang) -> Vec<Row> {
    let mut out = Vec::with_capacity(items.len());
    let mut previous: Option<&str> = None;
    for i in items {
        let (r, f) = (i.rule, i.finding);
        // The rule's name heads its first row of a run; the rows after it leave it blank.
        let rule = if previous == Some(r.rule.as_str()) {
            String::new()
        } else {
            format!(
                "{}{}\n{}",
                super::faq_prefix(r.faq),
                r.rule,
                r.title.get(lang)
            )
        };
        previous = Some(&r.rule);
        let (said, technical) = if f.status == Status::Error {
            human::error_text(f, lang)
        } else {
            (f.message.get(lang).to_owned(), None)
        };
        let mut message = human::shown(&said, lang);
        if let Some(t) = technical {
            message.push_str(&format!(
                "\n{}: {}",
                words::TECHNICAL.get(lang),
                human::shown(&t, lang)
            ));
        }
        if let Some(remedy) = &f.remedy {
            message.push_str(&format!(
                "\n{}: {}",
                words::WHAT_TO_DO.get(lang),
                human::shown(remedy.get(lang), lang)
            ));
        }
        if let Some(note) = human::waiver_note(f, lang) {
            message.push('\n');
            message.push_str(&human::neutralise(&note, false));
        }
        for e in f.evidence.iter().take(8) {
            message.push_str(&format!("\n@{}", human::neutralise(e, false)));
        }
        if f.evidence.len() > 8 {
            message.push_str(&match lang {
                Lang::Ja => format!("\n@…(ほか{}件)", f.evidence.len() - 8),
                Lang::En => format!("\n@… ({} more)", f.evidence.len() - 8),
            });
        }
        out.push(Row {
            cells: [
                human::neutralise(&rule, true),
                human::neutralise(&f.check, false),
                human::status_word(f, lang),
                message,
            ],
            status: i.status(),
        });
    }
    out
}

struct Borders {
    h: char,
    v: char,
    /// top: left, cross, right; middle (under the header); bottom.
    top: [char; 3],
    mid: [char; 3],
    bottom: [char; 3],
    head_h: char,
}

const UNICODE: Borders = Borders {
    h: '─',
    v: '│',
    top: ['┌', '┬', '┐'],
    mid: ['╞', '╪', '╡'],
    bottom: ['└', '┴', '┘'],
    head_h: '═',
};

const ASCII: Borders = Borders {
    h: '-',
    v: '|',
    top: ['+', '+', '+'],
    mid: ['+', '+', '+'],
    bottom: ['+', '+', '+'],
    head_h: '=',
};

fn table(items: &[Item], lang: Lang, style: Style) -> String {
    let head = [
        words::COL_RULE.get(lang).to_owned(),
        words::COL_CHECK.get(lang).to_owned(),
        words::COL_STATUS.get(lang).to_owned(),
        words::COL_MESSAGE.get(lang).to_owned(),
    ];
    let rows = rows(items, lang);
    let b = if style.ascii { &ASCII } else { &UNICODE };
    // A box-drawing character is ambiguous: on an ambiguous-wide terminal it takes two
    // columns, so every border piece and every column is measured in pairs.
    let unit = if style.ascii {
        1
    } else {
        style.char_width(b.v).max(1)
    };

    // Columns: the first three as wide as their longest word (bounded), the message the rest.
    let longest_word = |s: &str| {
        s.lines()
            .flat_map(tokens)
            .map(|t| style.width(&t))
            .max()
            .unwrap_or(0)
    };
    let natural = |s: &str| s.lines().map(|l| style.width(l)).max().unwrap_or(0);
    let mut w = [0usize; 4];
    for (i, cap) in [(0usize, 26usize), (1, 29), (2, 22)] {
        let mut want = style.width(&head[i]);
        for r in &rows {
            want = want.max(
                natural(&r.cells[i])
                    .min(cap)
                    .max(longest_word(&r.cells[i]).min(cap)),
            );
        }
        w[i] = want;
    }
    let total = usize::from(style.width).max(60);
    // Borders: 5 verticals, and one space of padding each side of each cell.
    let fixed = 5 * unit + 8 + w[0] + w[1] + w[2];
    w[3] = total.saturating_sub(fixed).max(20);
    if unit > 1 {
        for x in &mut w {
            *x += (*x + 2) % unit;
        }
    }

    let line = |ends: [char; 3], fill: char| -> String {
        let mut s = String::new();
        s.push(ends[0]);
        for (i, x) in w.iter().enumerate() {
            for _ in 0..(x + 2) / unit {
                s.push(fill);
            }
            s.push(if i == 3 { ends[2] } else { ends[1] });
        }
        s.push('\n');
        s
    };
    let mut out = String::new();
    out.push_str(&line(b.top, b.h));
    push_row(&mut out, &head, None, &w, b, style);
    out.push_str(&line(b.mid, b.head_h));
    for r in &rows {
        push_row(&mut out, &r.cells, Some(r.status), &w, b, style);
    }
    out.push_str(&line(b.bottom, b.h));
    out
}

fn push_row(
    out: &mut String,
    cells: &[String; 4],
    status: Option<Status>,
    w: &[usize; 4],
    b: &Borders,
    style: Style,
) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(w)
        .map(|(c, &width)| wrap(c, width, style))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    for line in 0..height {
        out.push(b.v);
        for (i, col) in wrapped.iter().enumerate() {
            let text = col.get(line).map_or("", String::as_str);
            let pad = w[i].saturating_sub(style.width(text));
            let shown = match (i, status) {
                (2, Some(s)) if !text.is_empty() => paint(s, text, style),
                _ => text.to_owned(),
            };
            out.push(' ');
            out.push_str(&shown);
            out.push_str(&" ".repeat(pad));
            out.push(' ');
            out.push(b.v);
        }
        out.push('\n');
    }
}

/// Characters that must not start a line (Japanese line-breaking rules, and their
/// ASCII counterparts).
fn closes(c: char) -> bool {
    "、。,.，．:;：；!?！？)]}）］｝〕〉》」』】〙〗・ー…%％ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
        .contains(c)
}

/// Characters that must not end a line.
fn opens(c: char) -> bool {
    "([{（［｛〔〈《「『【〘〖".contains(c)
}

/// The units a line breaks between: a run of non-space ASCII (an identifier, a number,
/// an address, a pointer) stays whole; each other character is its own unit; spaces
/// are kept at the end of the unit before them. Closing punctuation is glued to the unit
/// before it, opening punctuation to the unit after it.
fn tokens(line: &str) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    let mut glue_next = false;
    let mut in_ascii_word = false;
    for c in line.chars() {
        let ascii_word = c.is_ascii() && !c.is_ascii_whitespace() && !opens(c) && !closes(c);
        let attach = c == ' ' || closes(c) || glue_next || (ascii_word && in_ascii_word);
        match units.last_mut() {
            Some(last) if attach => last.push(c),
            _ => units.push(c.to_string()),
        }
        glue_next = opens(c);
        in_ascii_word = ascii_word || (in_ascii_word && closes(c) && c.is_ascii());
        if c == ' ' {
            in_ascii_word = false;
        }
    }
    units
}

/// `text` broken into lines of at most `width` columns (by `tokens`); a unit wider than
/// the column is split, as nothing else can be done with it.
fn wrap(text: &str, width: usize, style: Style) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut cur = String::new();
        let mut cur_w = 0;
        for unit in tokens(line) {
            let uw = style.width(unit.trim_end());
            if cur_w + uw > width && !cur.is_empty() {
                out.push(cur.trim_end().to_owned());
                cur.clear();
                cur_w = 0;
            }
            if uw > width {
                for c in unit.chars() {
                    let cw = style.char_width(c);
                    if cur_w + cw > width && !cur.is_empty() {
                        out.push(cur.trim_end().to_owned());
                        cur.clear();
                        cur_w = 0;
                    }
                    cur.push(c);
                    cur_w += cw;
                }
                continue;
            }
            cur.push_str(&unit);
            cur_w += style.width(&unit);
        }
        out.push(cur.trim_end().to_owned());
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style {
        color: false,
        width: 120,
        ascii: false,
        ambiguous_wide: false,
    };

    #[test]
    fn wrapping_keeps_identifiers_whole_and_never_starts_a_line_with_closing_punctuation() {
        let text = "同期が一時停止しているため、データが同期されていません。integration.crm.sync.status を確認してください。";
        for width in 8..40 {
            for l in wrap(text, width, PLAIN) {
                assert!(!l.starts_with(['、', '。', ')', '」']), "{width}: {l:?}");
                assert!(PLAIN.width(&l) <= width.max(26), "{width}: {l:?}");
            }
            let joined: String = wrap(text, width, PLAIN).concat();
            if width >= 26 {
                assert!(
                    joined.contains("integration.crm.sync.status"),
                    "{width}: {joined}"
                );
            }
        }
    }

    #[test]
    fn ambiguous_characters_count_two_columns_when_the_terminal_draws_them_wide() {
        let wide = Style {
            ambiguous_wide: true,
            ..PLAIN
        };
        assert_eq!(PLAIN.width("─→"), 2);
        assert_eq!(wide.width("─→"), 4);
    }
}
