//! Bilingual text: every title, message and remedy exists in Japanese and English.

use serde::{Deserialize, Serialize};

/// The language a report is written in: Japanese or English (the default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Japanese (`--lang ja`, or `LANG` starting with `ja`).
    Ja,
    /// English: the default when neither `--lang` nor `LANG` asks for Japanese.
    #[default]
    En,
}

impl Lang {
    /// `ja` when `LANG` (as given) starts with `ja`, else `en` (cli.md).
    pub fn from_env_lang(lang: Option<&str>) -> Lang {
        match lang {
            Some(l) if l.starts_with("ja") => Lang::Ja,
            _ => Lang::En,
        }
    }
}

/// A text in both languages; a rule or report picks one with `get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// The Japanese text.
    pub ja: String,
    /// The English text.
    pub en: String,
}

impl Text {
    /// The same words in both languages (ids, paths, messages with no translation).
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            ja: s.clone(),
            en: s,
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    /// `self` followed by `more`, in each language (Japanese needs no space).
    #[must_use]
    pub fn then(&self, more: &Text) -> Text {
        let join = |a: &str, b: &str, sep: &str| {
            if a.is_empty() {
                b.to_owned()
            } else if b.is_empty() {
                a.to_owned()
            } else {
                format!("{a}{sep}{b}")
            }
        };
        Text {
            ja: join(&self.ja, &more.ja, ""),
            en: join(&self.en, &more.en, " "),
        }
    }
}
