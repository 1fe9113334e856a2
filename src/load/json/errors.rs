//! Failures while reading JSON -> `LoadError`: an I/O error, bytes that are not UTF-8
//! (with their line and column), and `serde_json`'s errors sorted into the loader's kinds.

use super::super::{LoadError, LoadErrorKind};

pub(super) fn cannot_read(file: &str, e: &std::io::Error) -> LoadError {
    LoadError::new(file, LoadErrorKind::CannotReadFile { io: e.to_string() })
}

pub(super) fn not_utf8(file: &str, bytes: &[u8], e: &std::str::Utf8Error) -> LoadError {
    let at = e.valid_up_to();
    let before = &bytes[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    // The bytes before `at` are valid UTF-8, so counting characters is exact.
    let column = 1 + String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count();
    let byte = bytes.get(at).copied().unwrap_or(0);
    LoadError::at(file, line, column, LoadErrorKind::NotUtf8 { byte })
}

pub(super) fn json_error(file: &str, e: &serde_json::Error) -> LoadError {
    use serde_json::error::Category;
    // serde_json's Display appends " at line L column C"; we report those separately.
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    let what = what.to_string();
    let kind = match e.classify() {
        Category::Eof => LoadErrorKind::CutShort { what },
        _ if what == "trailing characters" => LoadErrorKind::Trailing,
        // Raised by the loader itself (an id it cannot read exactly): already says what to do.
        Category::Data => LoadErrorKind::InexactId { what },
        _ if what.starts_with("recursion limit") => LoadErrorKind::TooDeep,
        _ => LoadErrorKind::InvalidJson { what },
    };
    // serde_json reports line 0 when it has no position.
    if e.line() > 0 {
        LoadError::at(file, e.line(), e.column(), kind)
    } else {
        LoadError::new(file, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::LoadErrorKind;
    use super::json_error;
    use crate::bilingual::Lang;

    /// Every syntax error `serde_json` reports reads in Japanese: no English word reaches a
    /// Japanese reader, and each names what is wrong (not only that something is).
    #[test]
    fn every_json_syntax_error_reads_in_japanese() {
        let broken = [
            "[1, 2",
            "{\"a\": 1",
            "\"abc",
            "{\"a\":",
            "{\"a\" 1}",
            "[1 2]",
            "{\"a\": 1 \"b\": 2}",
            "[tru]",
            "{\"a\": }",
            "{\"a\": 1, }",
            "[1, ]",
            "{a: 1}",
            "{1: 1}",
            "\"a\\qb\"",
            "[-]",
            "[1e999]",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\u12\"",
            "\"a\tb\"",
        ];
        let mut seen = std::collections::BTreeSet::new();
        for text in broken {
            let e = serde_json::from_str::<serde_json::Value>(text).expect_err(text);
            let load = json_error("x.json", &e);
            let what = match &load.kind {
                LoadErrorKind::CutShort { what } | LoadErrorKind::InvalidJson { what } => what,
                other => panic!("{text}: {other:?}"),
            };
            seen.insert(what.clone());
            let ja = load.text(Lang::Ja);
            // The Japanese names the fault: in brackets, or where the file ends.
            assert!(
                ja.contains("JSONの形式が正しくありません(")
                    || ja.contains("の途中で終わっています"),
                "{text}: `{what}` has no Japanese: {ja}"
            );
            let english: Vec<&str> = ja
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| {
                    w.len() > 1
                        && !["x", "json", "JSON", "API", "true", "false", "null"].contains(w)
                })
                .collect();
            assert!(english.is_empty(), "{text}: {english:?} in {ja}");
        }
        // The inputs above reach every message, so a new one in serde_json shows here.
        assert!(seen.len() >= 17, "{seen:?}");
        let cut = json_error(
            "x.json",
            &serde_json::from_str::<serde_json::Value>("[1").expect_err("cut"),
        );
        assert!(
            cut.text(Lang::Ja)
                .contains("ファイルが配列の途中で終わっています"),
            "{}",
            cut.text(Lang::Ja)
        );
    }
}
