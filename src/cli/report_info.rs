//! What the human reports show around the results, gathered at the edge: the reader's
//! time zone (`--tz`), the rules' hash, and whether the terminal can draw box lines.

use super::CliError;
use crate::bilingual::Lang;
use crate::report::ReportInfo;
use crate::rules::{Catalogue, RuleSource};
use sha2::{Digest, Sha256};

pub(crate) fn info(
    catalogue: &Catalogue,
    audit_time: &str,
    now: Option<&str>,
    tz: Option<&str>,
    lang: Lang,
) -> Result<ReportInfo, CliError> {
    let tz = match tz {
        Some(t) => time_zone(t)?,
        None => match now.and_then(offset_of) {
            Some(z) => z,
            None if lang == Lang::Ja => jiff::tz::TimeZone::fixed(jiff::tz::offset(9)),
            None => jiff::tz::TimeZone::UTC,
        },
    };
    Ok(ReportInfo {
        audit_time: Some(audit_time.to_owned()),
        tz: Some(tz),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        rules_hash: rules_hash(catalogue),
    })
}

/// `--tz`: `Z`/`UTC`, `JST`, an offset (`+09:00`, `-0500`), or an IANA name the system's
/// time zone database knows.
fn time_zone(t: &str) -> Result<jiff::tz::TimeZone, CliError> {
    let t = t.trim();
    match t.to_ascii_uppercase().as_str() {
        "Z" | "UTC" | "GMT" => return Ok(jiff::tz::TimeZone::UTC),
        "JST" => return Ok(jiff::tz::TimeZone::fixed(jiff::tz::offset(9))),
        _ => {}
    }
    if let Some(z) = parse_offset(t) {
        return Ok(z);
    }
    jiff::tz::TimeZone::get(t).map_err(|error| CliError::TimeZone {
        given: t.to_owned(),
        error,
    })
}

fn parse_offset(t: &str) -> Option<jiff::tz::TimeZone> {
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 || !rest.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    if h > 18 || m > 59 {
        return None;
    }
    let off = jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()?;
    Some(jiff::tz::TimeZone::fixed(off))
}

/// The offset `--now` was written with (`Z` is UTC).
fn offset_of(now: &str) -> Option<jiff::tz::TimeZone> {
    let now = now.trim();
    if now.ends_with(['Z', 'z']) {
        return Some(jiff::tz::TimeZone::UTC);
    }
    now.get(now.len().checked_sub(6)?..).and_then(parse_offset)
}

/// SHA-256 over the rules that ran: each id and source, in catalogue order.
fn rules_hash(catalogue: &Catalogue) -> String {
    let mut h = Sha256::new();
    for r in &catalogue.rules {
        let source = match &r.origin {
            RuleSource::Builtin => crate::rules::catalogue::BUILTIN_RULES
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, s)| (*s).to_owned())
                .unwrap_or_default(),
            RuleSource::File(p) => std::fs::read_to_string(p).unwrap_or_default(),
        };
        h.update(r.id.as_bytes());
        h.update([0]);
        h.update(source.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the terminal can draw box lines: not on a `dumb` or Linux console, and only
/// under a UTF-8 locale.
pub(crate) fn can_draw_boxes() -> bool {
    let term = std::env::var("TERM").unwrap_or_default();
    if matches!(term.as_str(), "dumb" | "linux" | "vt100" | "vt220") {
        return false;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    locale.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_read_as_offsets_names_or_utc() {
        assert!(time_zone("+09:00").is_ok());
        assert!(time_zone("-0500").is_ok());
        assert!(time_zone("UTC").is_ok());
        assert!(time_zone("JST").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
        assert!(offset_of("2026-11-24T09:00:00+09:00").is_some());
        assert!(offset_of("2026-11-24T00:00:00Z").is_some());
    }
}
