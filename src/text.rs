//! Bilingual text: every title, message and remedy exists in Japanese and English.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    Ja,
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ja: String,
    pub en: String,
}

impl Text {
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            ja: s.clone(),
            en: s,
        }
    }

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
