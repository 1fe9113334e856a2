//! Rhai built-ins replaced by versions that keep the sandbox's promises
//! (docs/security.md). Functions registered on the engine take precedence over the
//! standard packages' functions of the same signature, so a script calling `sort` or
//! `print` gets these.
//!
//! - **Errors are never swallowed.** Rhai's `sort`/`sort_by`/`dedup` with a comparator
//!   drop the comparator's errors (a throw, a helper error, a limit) and go on; these
//!   stop at the first error and return it, so the rule ends in `error`.
//! - **Sizes are checked before allocating.** Text made of a value (`print`, `debug`,
//!   `to_string`, `to_debug`, string interpolation) of arrays, maps and function pointers
//!   is written into a bounded buffer, and `replace` computes its result's length first:
//!   a result past `--max-string-size` is an error, never a terabyte request that would
//!   abort the process.
//! - **No waiting.** `sleep` does not exist for rules.

use super::Helpers;
use crate::engine::errors::helper_error;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, ImmutableString, Map, NativeCallContext};
use std::cmp::Ordering;
use std::fmt::Write as _;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// The largest string a rule may build (`--max-string-size`; 0 would mean no limit).
pub(super) fn max_string(ctx: &NativeCallContext) -> usize {
    match ctx.engine().max_string_size() {
        0 => usize::MAX,
        n => n,
    }
}

pub(super) fn too_long(what: &str, ctx: &NativeCallContext) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(
        format!("the text of {what}"),
        ctx.call_position(),
    ))
}

/// A comparator's answer as an ordering: a number (its sign) or a bool (`true`: first).
fn ordering(v: &Dynamic) -> Res<Ordering> {
    if let Ok(i) = v.as_int() {
        return Ok(i.cmp(&0));
    }
    if let Ok(b) = v.as_bool() {
        return Ok(if b { Ordering::Less } else { Ordering::Greater });
    }
    Err(helper_error(format!(
        "a sort comparator returned {}: return a number (negative, 0, positive) or a bool",
        v.type_name()
    )))
}

/// `sort(array, comparator)` / `sort_by`: the first error of the comparator ends the sort
/// and is returned; a comparator that is no total order is an error too.
fn sort(ctx: &NativeCallContext, array: &mut Array, cmp: &FnPtr) -> Res<()> {
    if array.len() <= 1 {
        return Ok(());
    }
    let mut failed: Option<Box<EvalAltResult>> = None;
    let mut items = std::mem::take(array);
    let sorted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        items.sort_by(|a, b| {
            if failed.is_some() {
                return Ordering::Equal;
            }
            match cmp
                .call_raw(ctx, None, [a.clone(), b.clone()])
                .and_then(|v| ordering(&v))
            {
                Ok(o) => o,
                Err(e) => {
                    failed = Some(e);
                    Ordering::Equal
                }
            }
        });
    }));
    *array = items;
    if let Some(e) = failed {
        return Err(e);
    }
    sorted.map_err(|_| {
        helper_error(
            "the sort comparator is not a consistent order (it says a < b and b < a for some items)",
        )
    })
}

/// `dedup(array, comparator)`: the first error of the comparator ends it and is returned.
fn dedup(ctx: &NativeCallContext, array: &mut Array, same: &FnPtr) -> Res<()> {
    let mut failed: Option<Box<EvalAltResult>> = None;
    array.dedup_by(|x, y| {
        if failed.is_some() {
            return false;
        }
        match same.call_raw(ctx, None, [y.clone(), x.clone()]) {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    });
    failed.map_or(Ok(()), Err)
}

/// Text of `value` as Rhai writes it (`debug` style inside containers), at most `max`
/// bytes; `None` past that.
pub(super) fn bounded_text(
    ctx: &NativeCallContext,
    value: &Dynamic,
    debug: bool,
    max: usize,
) -> Option<String> {
    let mut out = String::new();
    write_value(ctx, value, debug, max, &mut out).then_some(out)
}

/// Appends `value`'s text to `out`; false as soon as `out` would pass `max` bytes.
fn write_value(
    ctx: &NativeCallContext,
    value: &Dynamic,
    debug: bool,
    max: usize,
    out: &mut String,
) -> bool {
    if let Some(a) = value.read_lock::<Array>() {
        out.push('[');
        for (i, x) in a.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if !write_value(ctx, x, true, max, out) {
                return false;
            }
        }
        out.push(']');
    } else if let Some(m) = value.read_lock::<Map>() {
        out.push_str("#{");
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{:?}: ", k.as_str());
            if out.len() > max || !write_value(ctx, v, true, max, out) {
                return false;
            }
        }
        out.push('}');
    } else if let Some(f) = value.read_lock::<FnPtr>() {
        // The name alone may be as long as a string can be; curried values are not shown.
        if f.fn_name().len() + out.len() + 4 > max {
            return false;
        }
        let _ = write!(out, "Fn({})", f.fn_name());
    } else if value.is_string() && !debug {
        let s = value.read_lock::<ImmutableString>();
        let Some(s) = s else { return true };
        if s.len() + out.len() > max {
            return false;
        }
        out.push_str(s.as_str());
    } else {
        // Scalars and custom types: the engine's own `to_debug`/`to_string` for them
        // (document nodes print a short JSON), each already bounded.
        let name = if debug { "to_debug" } else { "to_string" };
        let text = ctx
            .call_native_fn::<ImmutableString>(name, (value.clone(),))
            .map(|s| s.to_string())
            .unwrap_or_else(|_| value.to_string());
        if text.len() + out.len() > max {
            return false;
        }
        out.push_str(&text);
    }
    out.len() <= max
}

/// The length `replace` would give, without building it; `None` when it overflows.
fn replaced_len(s: &str, find: &str, with_len: usize) -> Option<usize> {
    let count = if find.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(find).count()
    };
    let grow = with_len.saturating_sub(find.len());
    s.len().checked_add(count.checked_mul(grow)?)
}

fn replace(ctx: &NativeCallContext, s: &mut ImmutableString, find: &str, with: &str) -> Res<()> {
    if s.is_empty() {
        return Ok(());
    }
    match replaced_len(s, find, with.len()) {
        Some(n) if n <= max_string(ctx) => {
            *s = s.replace(find, with).into();
            Ok(())
        }
        _ => Err(too_long("the string `replace` would make", ctx)),
    }
}

/// Registers the guarded replacements of Rhai built-ins (`sort`, `sort_by`, `dedup`,
/// `print`, `debug`, `to_string`, `to_debug`, `replace`), shadowing the originals, and a
/// `sleep` that is always an error.
pub fn register(engine: &mut Engine) {
    let mut h = Helpers::new(engine);
    for (name, does) in [
        (
            "sort",
            "sorts the array in place with the comparator, which returns a number (negative, 0, positive) or a bool (`true`: the first comes first); its first error (a `throw`, a helper error, a limit) ends the sort and the rule ends in `error`, where Rhai's own version drops the error and goes on",
        ),
        ("sort_by", "the same as `sort(items, comparator)`"),
    ] {
        h.add(
            &format!("{name}(items, comparator)"),
            does,
            |ctx: NativeCallContext, a: &mut Array, f: FnPtr| sort(&ctx, a, &f),
        );
    }
    h.add(
        "dedup(items, comparator)",
        "removes consecutive items the comparator calls the same; its first error ends the rule in `error`, where Rhai's own version drops it",
        |ctx: NativeCallContext, a: &mut Array, f: FnPtr| dedup(&ctx, a, &f),
    )
    .add(
        "sleep(seconds)",
        "an error: a rule never needs to wait",
        |_s: rhai::INT| -> Res<()> {
            Err(helper_error(
                "sleep is not available to rules: a rule never needs to wait",
            ))
        },
    )
    .overload(|_s: rhai::FLOAT| -> Res<()> {
        Err(helper_error(
            "sleep is not available to rules: a rule never needs to wait",
        ))
    });
    macro_rules! bounded {
        ($ty:ty, $what:expr) => {
            for (name, debug, does) in [
                (
                    "print",
                    false,
                    "writes the value's text to the rule's output (the JSON report's `output`, never stdout); an array, map or function pointer past `--max-string-size` is an error before its text is built",
                ),
                (
                    "to_string",
                    false,
                    "the text of an array, map or function pointer (as `${x}` shows it), checked against `--max-string-size` before it is built",
                ),
                (
                    "debug",
                    true,
                    "writes the value's debug text to the rule's output, with its position; sized as `print`",
                ),
                (
                    "to_debug",
                    true,
                    "the debug text of an array, map or function pointer, checked against `--max-string-size` before it is built",
                ),
            ] {
                h.add(
                    &format!("{name}(x)"),
                    does,
                    move |ctx: NativeCallContext, x: &mut $ty| -> Res<String> {
                        let value = Dynamic::from(x.clone());
                        bounded_text(&ctx, &value, debug, max_string(&ctx))
                            .ok_or_else(|| too_long($what, &ctx))
                    },
                );
            }
        };
    }
    bounded!(Array, "an array");
    bounded!(Map, "an object map");
    bounded!(FnPtr, "a function pointer");
    h.add(
        "replace(s, find, with)",
        "replaces every `find` in the string with `with`; the result's size is computed first, and past `--max-string-size` it is an error",
        |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, with: &str| {
            replace(&ctx, s, find, with)
        },
    )
    .overload(
        |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, with: char| {
            replace(&ctx, s, find, with.encode_utf8(&mut [0; 4]))
        },
    )
    .overload(
        |ctx: NativeCallContext, s: &mut ImmutableString, find: char, with: &str| {
            replace(&ctx, s, find.encode_utf8(&mut [0; 4]), with)
        },
    )
    .overload(
        |ctx: NativeCallContext, s: &mut ImmutableString, find: char, with: char| {
            replace(
                &ctx,
                s,
                find.encode_utf8(&mut [0; 4]),
                with.encode_utf8(&mut [0; 4]),
            )
        },
    );
}

#[cfg(test)]
mod tests {
    use super::replaced_len;

    #[test]
    fn the_length_of_a_replacement_is_known_before_it_is_made() {
        assert_eq!(replaced_len("abcabc", "b", 3), Some(10));
        assert_eq!(replaced_len("abc", "", 1), Some(7));
        assert_eq!(replaced_len("abc", "abc", 0), Some(3));
        assert_eq!(replaced_len(&"x".repeat(10), "x", usize::MAX / 2), None);
    }
}
