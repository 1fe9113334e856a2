//! Comparing values as the APIs and people spell them: trimmed, case-insensitive.

use super::Helpers;
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, NativeCallContext};

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

/// Registers the comparison helpers `norm`, `eq_ci`, `contains_ci` and `blank`, and a
/// `join` for arrays.
pub fn register(engine: &mut Engine) {
    Helpers::new(engine)
        .add(
            "eq_ci(a, b)",
            "trimmed, case-insensitive equality of two scalars; false when either is `()`",
            |a: Dynamic, b: Dynamic| match (scalar_text(&a), scalar_text(&b)) {
                (Some(a), Some(b)) => fold(&a) == fold(&b),
                _ => false,
            },
        )
        .add(
            "norm(x)",
            "trimmed lower-case text (`norm(\"  ACTIVE \")` is `\"active\"`), or `()`",
            |x: Dynamic| -> Dynamic {
                scalar_text(&x).map_or(Dynamic::UNIT, |t| Dynamic::from(fold(&t)))
            },
        )
        .add(
            "blank(x)",
            "true for `()`, `\"\"` and white space",
            |x: Dynamic| scalar_text(&x).is_none_or(|t| t.trim().is_empty()),
        )
        .add(
            "contains_ci(haystack, needle)",
            "case-insensitive substring test",
            |hay: Dynamic, needle: Dynamic| match (scalar_text(&hay), scalar_text(&needle)) {
                (Some(h), Some(n)) => fold(&h).contains(&fold(&n)),
                _ => false,
            },
        )
        // Checked as it grows: a long list joined with a long separator would otherwise
        // ask for more memory than the machine has before any limit could look at it.
        .add(
            "join(items, sep)",
            "the items as text, joined: `join([\"a\", 1, true], \"; \")` is `\"a; 1; true\"`; past `--max-string-size` an error",
            |ctx: NativeCallContext, a: Array, sep: &str| -> Result<String, Box<EvalAltResult>> {
                let max = super::guarded::max_string(&ctx);
                let mut out = String::new();
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        if out.len() + sep.len() > max {
                            return Err(super::guarded::too_long(
                                "the string `join` would make",
                                &ctx,
                            ));
                        }
                        out.push_str(sep);
                    }
                    let left = max - out.len();
                    match super::guarded::bounded_text(&ctx, x, false, left) {
                        Some(t) => out.push_str(&t),
                        None => {
                            return Err(super::guarded::too_long(
                                "the string `join` would make",
                                &ctx,
                            ));
                        }
                    }
                }
                Ok(out)
            },
        );
}
