//! What the human formats (table, markdown, html) share: the order a reader needs
//! (problems first, then what could not be checked, then passes), the status words, the
//! verdict and summary lines, and making untrusted text safe to show (control characters
//! neutralised, over-long messages clipped).

use super::words::{self, W};
use super::{Counts, Summary};
use crate::audit::{Audited, ExportOutcome};
use crate::bilingual::Lang;
use crate::rules::{Finding, RuleResult};
use crate::status::Status;
use std::fmt::Write as _;

/// A message longer than this (in characters) is clipped in the human formats, with a
/// note saying how much was left out; JSON keeps it whole.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// One finding with the rule it belongs to.
#[derive(Clone, Copy)]
pub struct Item<'a> {
    /// The rule result the finding belongs to.
    pub rule: &'a RuleResult,
    /// The finding.
    pub finding: &'a Finding,
}

impl Item<'_> {
    /// The finding's counted status: `pass` when a waiver in force or the baseline accepts it.
    pub fn status(&self) -> Status {
        self.finding.counted_status()
    }
}

/// An export's findings in the order a reader needs them.
pub struct Sections<'a> {
    /// `fail`, then `warn`, then `error`; FAQ order within each.
    pub problems: Vec<Item<'a>>,
    /// `skip` findings (what could not be checked), in FAQ order.
    pub skipped: Vec<Item<'a>>,
    /// Passes, and findings accepted by a waiver in force.
    pub passed: Vec<Item<'a>>,
}

/// Sorts an export's findings into problems, skipped and passed by counted status.
pub fn sections(a: &Audited) -> Sections<'_> {
    let mut s = Sections {
        problems: vec![],
        skipped: vec![],
        passed: vec![],
    };
    for rule in &a.results {
        for finding in &rule.findings {
            let item = Item { rule, finding };
            match item.status() {
                Status::Fail | Status::Warn | Status::Error => s.problems.push(item),
                Status::Skip => s.skipped.push(item),
                Status::Pass => s.passed.push(item),
            }
        }
    }
    let rank = |st: Status| match st {
        Status::Fail => 0,
        Status::Warn => 1,
        _ => 2,
    };
    // Stable: FAQ order is kept within a status.
    s.problems.sort_by_key(|i| rank(i.status()));
    s
}

/// Every finding in problems-first order (what the table and markdown rows follow).
pub fn ordered(a: &Audited) -> Vec<Item<'_>> {
    let s = sections(a);
    s.problems
        .into_iter()
        .chain(s.skipped)
        .chain(s.passed)
        .collect()
}

/// How a finding's status reads: 要対応 (高), with its check's severity after a warn or
/// fail; 免除 for a finding accepted by a waiver; against a baseline, with 新規 (new) or
/// 既知 (known, counted as accepted).
pub fn status_word(f: &Finding, lang: Lang) -> String {
    let mut word = waiver_word(f, lang);
    if !f.is_waived() && matches!(f.status, Status::Warn | Status::Fail) {
        word = format!("{word} ({})", words::severity(f.severity).get(lang));
    }
    match f.baseline {
        Some(b) if b.unchanged => format!("{word} ({})", words::BASELINE_UNCHANGED.get(lang)),
        Some(_) => format!("{word} ({})", words::BASELINE_NEW.get(lang)),
        None => word,
    }
}

fn waiver_word(f: &Finding, lang: Lang) -> String {
    match &f.waiver {
        Some(w) if !w.expired => words::WAIVED.get(lang).to_owned(),
        Some(_) => format!(
            "{} ({})",
            words::status(f.status).get(lang),
            words::WAIVER_EXPIRED.get(lang)
        ),
        None => words::status(f.status).get(lang).to_owned(),
    }
}

/// The one-line verdict: `要対応 1件・要確認 2件・未確認 4件`, over checks.
pub fn verdict(c: &Counts, lang: Lang) -> String {
    let parts: Vec<String> = [
        (words::FAIL, c.fail),
        (words::WARN, c.warn),
        (words::ERROR, c.error),
        (words::SKIP, c.skip),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(w, n)| count(w, n, lang))
    .collect();
    if parts.is_empty() {
        return match lang {
            Lang::Ja => format!("問題なし(確認項目 {}件)", c.total()),
            Lang::En => format!("No problem found ({} checks)", c.total()),
        };
    }
    parts.join(match lang {
        Lang::Ja => "・",
        Lang::En => " · ",
    })
}

fn count(w: W, n: usize, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{} {n}件", w.ja),
        Lang::En => format!("{n} {}", w.en),
    }
}

/// The summary line under a table or at the top of a markdown report: exports, and the
/// checks (the rows) by status.
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    let c = &s.checks;
    match lang {
        Lang::En => {
            let mut out = format!(
                "{} export{}, {} check{}: {} fail, {} warn, {} skip, {} error, {} pass",
                s.exports,
                if s.exports == 1 { "" } else { "s" },
                c.total(),
                if c.total() == 1 { "" } else { "s" },
                c.fail,
                c.warn,
                c.skip,
                c.error,
                c.pass
            );
            let failed = s.exports.saturating_sub(loaded(s));
            if failed > 0 {
                let _ = write!(out, "; {failed} could not be loaded");
            }
            out
        }
        Lang::Ja => {
            let mut out = format!(
                "エクスポート {}件・確認項目 {}件: 要対応 {}件・要確認 {}件・未確認 {}件・エラー {}件・問題なし {}件",
                s.exports,
                c.total(),
                c.fail,
                c.warn,
                c.skip,
                c.error,
                c.pass
            );
            let failed = s.exports.saturating_sub(loaded(s));
            if failed > 0 {
                let _ = write!(out, "(読み込めなかったエクスポート {failed}件)");
            }
            out
        }
    }
}

/// Exports that loaded: those whose results were counted. An export that could not be
/// loaded counts once under the rule-level `error`, and never among checks.
fn loaded(s: &Summary) -> usize {
    s.exports.saturating_sub(s.unloaded)
}

/// An export's heading status: never a bare pass when checks were skipped (cli.md).
pub fn export_heading(o: &ExportOutcome, lang: Lang) -> String {
    let status = o.status();
    let word = words::status(status).get(lang);
    let Ok(a) = &o.result else {
        return word.to_owned();
    };
    let c = Counts::of_checks(a);
    if c.skip == 0 || status != Status::Pass {
        return word.to_owned();
    }
    match lang {
        Lang::En => format!("{word}, {} of {} checks skipped", c.skip, c.total()),
        Lang::Ja => format!("{word}(確認項目 {}件中 {}件は未確認)", c.total(), c.skip),
    }
}

/// Why checks were skipped, for the line under an export's heading; `None` when none was.
pub fn skipped_note(o: &ExportOutcome, lang: Lang) -> Option<String> {
    let a = o.result.as_ref().ok()?;
    let c = Counts::of_checks(a);
    (c.skip > 0).then(|| match lang {
        Lang::En => format!(
            "{} of {} checks were not run: the export lacks the data they need (each skip row says which).",
            c.skip,
            c.total()
        ),
        Lang::Ja => format!(
            "確認項目 {}件のうち {}件は、必要なデータがエクスポートに含まれていないため確認できませんでした(不足しているデータは、結果が「未確認」の各項目に記載しています)。",
            c.total(),
            c.skip
        ),
    })
}

/// How an `error` finding reads to a customer, and the technical text behind it: in
/// Japanese the rule runner's detail (a saved API error, a script error) is kept apart
/// from the sentence the customer reads. A part that could not be loaded is explained in
/// Japanese; a script error is the engine's own English.
pub fn error_text(f: &Finding, lang: Lang) -> (String, Option<String>) {
    let raw = f.message.get(lang);
    if lang == Lang::En {
        return (raw.to_owned(), None);
    }
    let part = raw
        .strip_prefix("このルールが使う ")
        .and_then(|r| r.split_once(" を読み込めませんでした"))
        .map(|(p, _)| p.to_owned());
    match part {
        Some(p) => {
            let said = if f.message.en.contains("saved API error") {
                words::SAVED_API_ERROR.ja.replace("{0}", &p)
            } else {
                words::PART_NOT_LOADED.ja.replace("{0}", &p)
            };
            (said, Some(raw.to_owned()))
        }
        None => (words::RULE_BROKE.ja.to_owned(), Some(f.message.en.clone())),
    }
}

/// The note on lists exported only in part (`meta.truncated`); `None` when none was.
pub fn truncated_note(a: &Audited, lang: Lang) -> Option<String> {
    (!a.truncated.is_empty()).then(|| {
        words::TRUNCATED
            .get(lang)
            .replace("{0}", &a.truncated.join(", "))
    })
}

/// A waiver note, in the chosen language.
pub fn waiver_note(f: &Finding, lang: Lang) -> Option<String> {
    let w = f.waiver.as_ref()?;
    Some(match (lang, w.expired) {
        (Lang::En, false) => format!("[waived until {} by {}: {}]", w.expires, w.owner, w.reason),
        (Lang::En, true) => format!(
            "[the waiver by {} expired on {}: {}]",
            w.owner, w.expires, w.reason
        ),
        (Lang::Ja, false) => format!(
            "[{}まで免除(担当: {}、理由: {})]",
            date_ja(&w.expires),
            w.owner,
            w.reason
        ),
        (Lang::Ja, true) => format!(
            "[免除の期限({})が過ぎています(担当: {}、理由: {})]",
            date_ja(&w.expires),
            w.owner,
            w.reason
        ),
    })
}

/// `2026年12月31日` for `2026-12-31` (or the start of an RFC 3339 time); other text as is.
pub fn date_ja(s: &str) -> String {
    let d = s
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok());
    match d {
        Some(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        None => s.to_owned(),
    }
}

/// `s` with every control character made visible and harmless: C0 controls as their
/// Unicode control pictures (ESC as ␛), DEL as ␡, C1 controls and the bidirectional
/// overrides as U+FFFD. Line feeds are kept when `keep_newlines`, tabs become a space.
pub fn neutralise(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\t' => out.push(' '),
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// `s` cut to `MAX_MESSAGE_CHARS` characters with a note on what was left out; the
/// cut is made before any layout, so laying out stays linear in the report's size.
pub fn clip(s: &str, lang: Lang) -> String {
    let Some((cut, _)) = s.char_indices().nth(MAX_MESSAGE_CHARS) else {
        return s.to_owned();
    };
    let left = s[cut..].chars().count();
    match lang {
        Lang::Ja => format!("{}…(以下 {left}{})", &s[..cut], words::CLIPPED.ja),
        Lang::En => format!("{}… ({left} {})", &s[..cut], words::CLIPPED.en),
    }
}

/// A message as the human formats show it: clipped, then neutralised.
pub fn shown(s: &str, lang: Lang) -> String {
    neutralise(&clip(s, lang), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_and_harmless() {
        assert_eq!(neutralise("a\x1b[31mb\rc\0", false), "a␛[31mb␍c␀");
        assert_eq!(neutralise("x\ny", true), "x\ny");
        assert_eq!(neutralise("x\ny", false), "x␊y");
        assert_eq!(neutralise("\u{202e}abc", true), "\u{fffd}abc");
    }

    #[test]
    fn dates_read_as_japanese_writes_them() {
        assert_eq!(date_ja("2026-12-31"), "2026年12月31日");
        assert_eq!(date_ja("2026-01-05T00:00:00+09:00"), "2026年1月5日");
        assert_eq!(date_ja("someday"), "someday");
    }

    #[test]
    fn an_over_long_message_is_clipped_with_a_note() {
        let long = "あ".repeat(MAX_MESSAGE_CHARS + 10);
        let c = clip(&long, Lang::Ja);
        assert!(c.ends_with("…(以下 10文字を省略しました)"), "{c}");
        assert_eq!(clip("short", Lang::En), "short");
    }
}
