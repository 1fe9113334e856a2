//! Comparing values as the APIs and people spell them: trimmed, case-insensitive.

use rhai::{Array, Dynamic, Engine, ImmutableString};

/// The comparable text of a scalar: strings as they are, numbers and booleans in their
/// JSON spelling; `None` for `()` and containers.
pub fn scalar_text(x: &Dynamic) -> Option<String> {
    if x.is_unit() {
        return None;
    }
    if let Some(s) = x.read_lock::<ImmutableString>() {
        return Some(s.to_string());
    }
    if x.is_int() || x.is_bool() || x.is_float() || x.is_char() {
        return Some(x.to_string());
    }
    None
}

/// Trimmed and lower-cased: how status-like values are compared.
pub fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

pub fn register(engine: &mut Engine) {
    engine
        .register_fn("eq_ci", |a: Dynamic, b: Dynamic| {
            match (scalar_text(&a), scalar_text(&b)) {
                (Some(a), Some(b)) => fold(&a) == fold(&b),
                _ => false,
            }
        })
        .register_fn("norm", |x: Dynamic| -> Dynamic {
            scalar_text(&x).map_or(Dynamic::UNIT, |t| Dynamic::from(fold(&t)))
        })
        .register_fn("blank", |x: Dynamic| {
            scalar_text(&x).is_none_or(|t| t.trim().is_empty())
        })
        .register_fn("contains_ci", |hay: Dynamic, needle: Dynamic| {
            match (scalar_text(&hay), scalar_text(&needle)) {
                (Some(h), Some(n)) => fold(&h).contains(&fold(&n)),
                _ => false,
            }
        })
        .register_fn("join", |a: Array, sep: &str| {
            a.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(sep)
        });
}
