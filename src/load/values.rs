//! Values of the hand-filled `integration.json` as people write them (export-format.md,
//! "integration.json"): the UI's words in either language mean the API's English value.
//!
//! The document keeps `integration` as written; rules read a value through the
//! `setting(x)` helper, which asks `canonical` here. This table is the one place that
//! knows the spellings.

/// Each spelling (compared after trimming, case-insensitively) and the value it means.
const SPELLINGS: &[(&str, &str)] = &[
    // crm.sync.status
    ("running", "running"),
    ("実行中", "running"),
    ("同期中", "running"),
    ("paused", "paused"),
    ("一時停止", "paused"),
    ("一時停止中", "paused"),
    ("stopped", "stopped"),
    ("停止", "stopped"),
    ("停止中", "stopped"),
    // desk.on_crm_delete
    ("keep", "keep"),
    ("削除しない", "keep"),
    ("delete", "delete"),
    ("削除する", "delete"),
    // booleans
    ("true", "true"),
    ("yes", "true"),
    ("はい", "true"),
    ("false", "false"),
    ("no", "false"),
    ("いいえ", "false"),
];

/// The value `text` means: `running`, `paused`, `stopped`, `keep`, `delete`, `true` or
/// `false` for a known spelling, else the text trimmed and in lower case. `None` for a
/// blank text.
pub fn canonical(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let folded = t.to_lowercase();
    Some(
        SPELLINGS
            .iter()
            .find(|(spelling, _)| *spelling == folded)
            .map_or(folded, |(_, meaning)| (*meaning).to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn japanese_ui_words_mean_their_english_values() {
        for (written, means) in [
            ("一時停止", "paused"),
            (" 一時停止中 ", "paused"),
            ("停止", "stopped"),
            ("実行中", "running"),
            ("削除しない", "keep"),
            ("削除する", "delete"),
            ("はい", "true"),
            ("いいえ", "false"),
            ("Yes", "true"),
            ("NO", "false"),
            ("Paused", "paused"),
        ] {
            assert_eq!(canonical(written).as_deref(), Some(means), "{written}");
        }
    }

    #[test]
    fn other_text_is_trimmed_and_folded_and_blank_is_nothing() {
        assert_eq!(canonical(" Suspended ").as_deref(), Some("suspended"));
        assert_eq!(canonical("   "), None);
    }
}
