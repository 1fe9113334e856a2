//! JSON text -> `Value` in one pass, straight from `serde_json`'s tokenizer.
//!
//! Owns: reading a file, text decoding (BOM, UTF-8, a clear word about UTF-16), blank
//! files (HTTP 204 saved by `curl -o`) and the per-thread parse state. Key interning and
//! classification live in `parse_state`, the caches that share repeated values in `cache`
//! and `shapes`, id normalisation and secret redaction at parse time in `seed`, turning
//! failures into a `LoadError` that says where and what to do in `errors`, the parallel
//! parse of large files in `split`. Exports reach 500 MB, so nothing here goes through
//! `serde_json::Value`.

mod cache;
mod errors;
mod parse_state;
mod seed;
mod shapes;
mod split;
#[cfg(test)]
mod tests;

use super::{LoadError, LoadErrorKind};
use crate::doc::Value;
use errors::{cannot_read, json_error, not_utf8};
use parse_state::ParseState;
use seed::{Slot, ValueSeed};
use serde::de::DeserializeSeed;
use std::path::Path;

/// What one file held.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// 0 bytes or only white space: the APIs answer "nothing" with HTTP 204.
    Blank,
    Value(Value),
}

/// Reads and parses `path`; `file` is how messages name it.
pub(crate) fn read_file(path: &Path, file: &str) -> Result<Parsed, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(file, &e))?;
    if meta.is_dir() {
        return Err(LoadError::new(file, LoadErrorKind::IsDirectory));
    }
    // Opening a named pipe waits for a writer and a device such as /dev/zero never ends:
    // either would hang the audit, so only regular files are read.
    if !meta.is_file() {
        return Err(LoadError::new(file, LoadErrorKind::NotRegularFile));
    }
    // A large file (a whole list in one response, a single-file export) is cut at its
    // arrays' elements and parsed on every core, block by block; anything `split` does
    // not expect, errors included, is read and parsed whole below, as it always was.
    if meta.len() >= split::MIN_BYTES
        && let Ok(input) = std::fs::File::open(path)
        && let Some(value) = split::read(input, split::Sizes::for_file(meta.len()))
    {
        return Ok(Parsed::Value(value));
    }
    let bytes = std::fs::read(path).map_err(|e| cannot_read(file, &e))?;
    parse(&bytes, file)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses one file's bytes; `file` is how messages name it.
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Parsed, LoadError> {
    // Editors on Windows like to start UTF-8 files with a BOM; JSON forbids it, we forgive it.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if looks_like_utf16(bytes) {
        return Err(LoadError::new(file, LoadErrorKind::Utf16));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(file, bytes, &e))?;
    if text.trim_ascii().is_empty() {
        return Ok(Parsed::Blank);
    }
    STATE.with_borrow_mut(|state| {
        state.begin_file();
        let mut de = serde_json::Deserializer::from_str(text);
        let value = ValueSeed {
            state,
            slot: Slot::Plain,
        }
        .deserialize(&mut de)
        .map_err(|e| json_error(file, &e))?;
        // Without this, `{...}{...}` (two responses in one file) would load the first silently.
        de.end().map_err(|e| json_error(file, &e))?;
        Ok(Parsed::Value(value))
    })
}

thread_local! {
    /// Each thread's parse state, kept from one file to the next: the page files of an
    /// export repeat the same keys and values, so they share them too. Nothing in it
    /// depends on the file (a key's class depends only on its text).
    static STATE: std::cell::RefCell<ParseState> = std::cell::RefCell::default();
}

/// UTF-16 has a BOM of FF FE / FE FF, or (without one) a zero byte next to each ASCII
/// character; JSON text in UTF-8 never starts with a zero byte.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || bytes[..bytes.len().min(2)].contains(&0)
}
