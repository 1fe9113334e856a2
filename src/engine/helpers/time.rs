//! RFC 3339 times as instants: `parse_time` gives milliseconds since the Unix epoch.

use super::Helpers;
use super::text::scalar_text;
use rhai::{Dynamic, Engine};

/// Milliseconds since the epoch, or `None` when `text` is not an RFC 3339 time with an
/// offset (`2026-11-24T09:00:00+09:00`, `...Z`).
pub fn parse_millis(text: &str) -> Option<i64> {
    text.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(jiff::Timestamp::as_millisecond)
}

/// Registers `parse_time(text)`: milliseconds since the Unix epoch, or `()` when the
/// value is not an RFC 3339 time with an offset.
pub fn register(engine: &mut Engine) {
    Helpers::new(engine).add(
        "parse_time(s)",
        "an RFC 3339 time with offset (`2026-11-24T09:00:00+09:00`, `...Z`) as milliseconds since the epoch, or `()` if it is not one: `parse_time(doc.meta.audit_time)`",
        |x: Dynamic| -> Dynamic {
            scalar_text(&x)
                .and_then(|t| parse_millis(&t))
                .map_or(Dynamic::UNIT, Dynamic::from_int)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::parse_millis;

    #[test]
    fn offsets_are_honoured_and_garbage_is_none() {
        assert_eq!(
            parse_millis("2026-11-24T09:00:00+09:00"),
            parse_millis("2026-11-24T00:00:00Z")
        );
        assert!(parse_millis("2026-11-24").is_none());
        assert!(parse_millis("soon").is_none());
    }
}
