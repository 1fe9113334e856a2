//! The terminal table: ASCII and box-drawing borders, widths that hold on a terminal that
//! draws East-Asian ambiguous characters wide, and Japanese line breaking.

mod common;

use common::{NOW, run};
use unicode_width::UnicodeWidthStr;

fn table(extra: &[&str]) -> String {
    let mut args = vec![
        "audit",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
        "--lang",
        "ja",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.stdout
}

fn table_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.starts_with(['│', '┌', '╞', '└', '|', '+']))
        .collect()
}

#[test]
fn the_ascii_style_draws_no_box_characters_and_every_row_is_as_wide_as_the_table() {
    let out = table(&["--table-style", "ascii"]);
    assert!(!out.contains(['│', '─', '┌', '╞']), "{out}");
    let lines = table_lines(&out);
    assert!(lines.len() > 10, "{out}");
    let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}\n{out}");
}

#[test]
fn with_ambiguous_wide_every_row_measures_the_same_on_such_a_terminal() {
    for style in ["unicode", "ascii"] {
        let out = table(&["--table-style", style, "--ambiguous-wide"]);
        let lines = table_lines(&out);
        assert!(lines.len() > 10, "{out}");
        // As a terminal with ambiguous = wide draws them.
        let widths: Vec<usize> = lines.iter().map(|l| l.width_cjk()).collect();
        assert!(
            widths.iter().all(|w| *w == widths[0]),
            "{style}: {widths:?}\n{out}"
        );
    }
    // And without the flag, as an ordinary terminal draws them.
    let out = table(&[]);
    let widths: Vec<usize> = table_lines(&out).iter().map(|l| l.width()).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}");
}

#[test]
fn no_table_line_starts_with_closing_punctuation() {
    let out = table(&[]);
    for l in table_lines(&out) {
        for cell in l.split('│').map(str::trim_start) {
            assert!(
                !cell.starts_with(['、', '。', ')', '」', ']']),
                "a cell line starts with closing punctuation: {l}"
            );
        }
    }
}
