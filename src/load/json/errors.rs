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
