//! The reports of `rules list` (a table, or JSON): pure functions from the rules that
//! would run to text.

use crate::bilingual::Lang;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// One rule of `rules list`; serialized as one object of the JSON list, in this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleRow {
    /// The rule id.
    pub id: String,
    /// The FAQ item; 0 for a rule beyond the FAQ (or one that does not compile).
    pub faq: u32,
    /// The rule's title in the reader's language, or why there is none.
    pub title: String,
    /// Where the rule comes from: its file, or the binary.
    pub source: String,
}

/// `--format json`: the rows as a JSON list, pretty-printed, with a final line break.
pub fn json(rows: &[RuleRow]) -> String {
    serde_json::to_string_pretty(rows).unwrap_or_default() + "\n"
}

/// `--format table`: id, FAQ, title and source, one row per rule.
pub fn table(rows: &[RuleRow], lang: Lang) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120)
        .set_header(match lang {
            Lang::En => vec!["id", "FAQ", "title", "source"],
            Lang::Ja => vec!["ルールID", "FAQ", "確認内容", "ファイル"],
        });
    for r in rows {
        t.add_row(vec![
            r.id.clone(),
            r.faq.to_string(),
            r.title.clone(),
            r.source.clone(),
        ]);
    }
    format!("{t}\n")
}
