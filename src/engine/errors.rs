//! Script and helper errors in words a rule author can act on.

use super::sandbox::Limits;
use rhai::EvalAltResult;

/// The error a host helper raises: an `ErrorSystem`, so it stays apart from values a
/// script `throw`s (and a rule cannot swallow it with `try`/`catch`).
#[derive(Debug)]
pub struct HelperError(pub String);

impl std::fmt::Display for HelperError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HelperError {}

/// The error for a helper to return: `message` as the rule author will read it, wrapped
/// as a `HelperError` (which `try`/`catch` in a rule cannot catch).
pub fn helper_error(message: impl Into<String>) -> Box<EvalAltResult> {
    let message = message.into();
    Box::new(EvalAltResult::ErrorSystem(
        message.clone(),
        Box::new(HelperError(message)),
    ))
}

/// Rhai's array methods, which document lists (read-only nodes) do not have.
pub(crate) const ARRAY_METHODS: &[&str] = &[
    "map",
    "filter",
    "reduce",
    "reduce_rev",
    "sort",
    "sort_by",
    "sort_desc",
    "dedup",
    "retain",
    "drain",
    "some",
    "all",
    "find",
    "find_map",
    "index_of",
    "for_each",
    "reverse",
    "push",
    "pop",
    "shift",
    "insert",
    "remove",
    "extract",
    "splice",
    "chop",
    "truncate",
    "pad",
    "append",
    "split",
    "zip",
];

/// How many calls of a chain of nested calls an error message names.
const MAX_CALLS_SHOWN: usize = 4;

/// A script error in words a rule author can act on.
pub fn describe(e: &EvalAltResult, limits: &Limits) -> String {
    let at = |pos: &rhai::Position| {
        if pos.is_none() {
            String::new()
        } else {
            format!(" ({pos})")
        }
    };
    match e {
        // The limits stop a closure inside `map`/`filter`/...: say why, and where. Deep
        // recursion makes this chain as long as the call depth, so keep its two ends.
        EvalAltResult::ErrorInFunctionCall(..) => {
            let mut calls = Vec::new();
            let mut e = e;
            while let EvalAltResult::ErrorInFunctionCall(name, _, inner, pos) = e {
                calls.push(format!(" (in a call to `{name}`{})", at(pos)));
                e = inner;
            }
            // Innermost call first, as a stack trace reads.
            calls.reverse();
            let mut out = describe(e, limits);
            if calls.len() > MAX_CALLS_SHOWN {
                let hidden = calls.len() - MAX_CALLS_SHOWN;
                out.extend(calls.drain(..MAX_CALLS_SHOWN / 2));
                out.push_str(&format!(" (... {hidden} more calls ...)"));
                out.extend(calls.drain(calls.len() - MAX_CALLS_SHOWN / 2..));
            } else {
                out.extend(calls);
            }
            out
        }
        EvalAltResult::ErrorTerminated(reason, pos) => format!("{reason}{}", at(pos)),
        EvalAltResult::ErrorStackOverflow(pos) => format!(
            "calls nested deeper than {} levels, the limit (--max-call-levels): endless recursion?{}",
            limits.max_call_levels,
            at(pos)
        ),
        EvalAltResult::ErrorDataTooLarge(what, pos) => format!(
            "{what} grew past the limit ({} bytes per string, {} items per array, {} per map: \
             --max-string-size, --max-array-size, --max-map-size): a value doubling in a loop, \
             or a huge value from the export copied into a message?{}",
            limits.max_string_size,
            limits.max_array_size,
            limits.max_map_size,
            at(pos)
        ),
        // A host helper's error (kept apart from what a script throws).
        EvalAltResult::ErrorSystem(_, e) => e.to_string(),
        EvalAltResult::ErrorRuntime(value, pos) => format!("threw {value}{}", at(pos)),
        // Rhai's array methods called on a document list: say what to use instead. Other
        // unknown functions keep Rhai's words (`rules check` finds misspellings earlier).
        EvalAltResult::ErrorFunctionNotFound(sig, pos)
            if sig.contains("(Node")
                && ARRAY_METHODS.contains(&sig.split(' ').next().unwrap_or_default()) =>
        {
            format!(
                "no function {sig}{}: document lists are read-only nodes; use a helper (where_eq, count_eq, \
             index_by, ...) or to_array(list) to get a Rhai array for map/filter/sort",
                at(pos)
            )
        }
        other => other.to_string(),
    }
}
