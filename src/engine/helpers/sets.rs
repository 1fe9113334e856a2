//! `Set`: a set of value texts (ids, emails, department ids) for fast membership tests.

use super::lists::{KeyPaths, list_arg};
use super::text::{fold, scalar_text};
use super::{Helpers, helper_error};
use crate::engine::memo::{Arg, Memo};
use crate::engine::node::Node;
use compact_str::CompactString;
use rhai::{Array, Dynamic, Engine, EvalAltResult, INT};
use std::collections::HashSet;
use std::sync::Arc;

/// The members: texts of up to 24 bytes (every id, most e-mail addresses) sit inside the
/// table itself, so a lookup compares without following a pointer to a text elsewhere
/// in memory; hashed with foldhash, several times faster than std's SipHash on short
/// keys (a `where_in` over 500,000 tickets is one lookup per ticket).
type Members = HashSet<CompactString, foldhash::fast::RandomState>;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A set of strings; a case-insensitive set folds (trims, lower-cases) on the way in and
/// on every lookup. Shared: Rhai clones an argument on every call, and a set of 160,000
/// ids was copied whole each time; now a clone is a reference count, and a change copies
/// only a set that is shared (`Arc::make_mut`).
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    items: Arc<Members>,
    ci: bool,
}

impl KeySet {
    /// How many members the set has.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set has no members.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Which set this is while it is alive (its members' address), for `memo`.
    pub fn identity(&self) -> usize {
        Arc::as_ptr(&self.items) as usize
    }

    /// Whether `text` is in the set; a case-insensitive set (`set_of_ci`) compares it trimmed
    /// and lower-cased.
    pub fn contains(&self, text: &str) -> bool {
        if self.ci {
            self.items.contains(fold(text).as_str())
        } else {
            self.items.contains(text)
        }
    }

    /// Adds `text`; a blank text is never a member (it matches nothing).
    fn insert(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        Arc::make_mut(&mut self.items).insert(if self.ci {
            fold(text).into()
        } else {
            text.into()
        });
    }

    /// The members, sorted.
    pub fn sorted_texts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.items.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    fn sorted(&self) -> Array {
        self.sorted_texts().into_iter().map(Dynamic::from).collect()
    }
}

/// Accepts a `Set`, an array of scalars or a document list of scalars.
pub fn as_key_set(fname: &str, set: &Dynamic) -> Res<KeySet> {
    if let Some(s) = set.read_lock::<KeySet>() {
        return Ok(s.clone());
    }
    let mut out = KeySet::default();
    if let Some(a) = set.read_lock::<Array>() {
        for x in a.iter() {
            if let Some(t) = scalar_text(x) {
                out.insert(&t);
            }
        }
        return Ok(out);
    }
    if let Some(n) = set.read_lock::<Node>()
        && let Some(l) = n.as_list()
    {
        for (_, v) in l.iter() {
            if let Some(t) = v.scalar_text() {
                out.insert(&t);
            }
        }
        return Ok(out);
    }
    Err(helper_error(format!(
        "{fname}: expected a Set (from set_of), an array or a list; got {}",
        set.type_name()
    )))
}

pub(super) fn set_of(n: &Node, key: &Dynamic, ci: bool) -> Res<KeySet> {
    let keys = KeyPaths::parse("set_of", key)?;
    let list = list_arg("set_of", n)?;
    let mut out = KeySet {
        items: Arc::default(),
        ci,
    };
    for (_, v) in list.iter() {
        keys.each_text(v, &mut |t| {
            out.insert(t);
            false
        });
    }
    Ok(out)
}

/// Registers the `Set` type and `set_of`, `set_of_ci`, `to_set`, `add`, `union`,
/// `contains`, `len`, `is_empty` and `to_array`.
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<KeySet>("Set");
    Helpers::new(engine)
        .add(
            "set_of(list, key)",
            "a Set of the values at key over the list's items",
            |n: &mut Node, key: Dynamic| {
                Memo::typed("set_of", n, &[Arg::Text(&key)], || set_of(n, &key, false))
            },
        )
        .add(
            "set_of_ci(list, key)",
            "`set_of`, trimmed and lower-cased: it matches case-insensitively",
            |n: &mut Node, key: Dynamic| {
                Memo::typed("set_of_ci", n, &[Arg::Text(&key)], || set_of(n, &key, true))
            },
        )
        .add(
            "to_set(items)",
            "a Set of an array's scalars (case-sensitive)",
            |a: Array| as_key_set("to_set", &Dynamic::from_array(a)),
        )
        .add(
            "contains(s, v)",
            "`v in s`: whether v is a member",
            |s: &mut KeySet, x: Dynamic| scalar_text(&x).is_some_and(|t| s.contains(&t)),
        )
        .add("len(s)", "how many members", |s: &mut KeySet| {
            s.items.len() as INT
        })
        .add(
            "is_empty(s)",
            "whether it has no members",
            |s: &mut KeySet| s.items.is_empty(),
        )
        .add(
            "to_array(s)",
            "the members as an array, sorted",
            |s: &mut KeySet| s.sorted(),
        )
        .add(
            "to_string(s)",
            "the members, sorted, as text: `[\"a\", \"b\"]`",
            |s: &mut KeySet| format!("{:?}", s.sorted()),
        )
        .add(
            "union(s, t)",
            "a new Set of the members of both (`s` is unchanged)",
            |a: &mut KeySet, b: KeySet| {
                let mut out = a.clone();
                for x in b.items.iter() {
                    out.insert(x);
                }
                out
            },
        )
        .add(
            "add(s, v)",
            "adds v to `s` (a blank is never added)",
            |s: &mut KeySet, x: Dynamic| {
                if let Some(t) = scalar_text(&x) {
                    s.insert(&t);
                }
            },
        );
}

#[cfg(test)]
mod tests {

    fn eval(expr: &str) -> String {
        super::super::eval_on(
            serde_json::json!({"agents": [
                {"emailId": "A@x.jp"}, {"emailId": ""}, {"emailId": "b@x.jp"}, {"emailId": "b@x.jp"}
            ]}),
            expr,
        )
    }

    #[test]
    fn a_set_holds_each_value_once_never_a_blank_and_folds_when_case_blind() {
        assert_eq!(eval(r#"set_of(doc.agents, "emailId").len()"#), "2");
        assert_eq!(
            eval(r#""a@x.jp" in set_of(doc.agents, "emailId")"#),
            "false"
        );
        assert_eq!(
            eval(r#""a@x.jp" in set_of_ci(doc.agents, "emailId")"#),
            "true"
        );
        assert_eq!(eval(r#""" in set_of(doc.agents, "emailId")"#), "false");
        assert_eq!(eval(r#"to_set(["x", "", "x"]).len()"#), "1");
    }

    #[test]
    fn sets_combine_without_changing_the_set_they_came_from() {
        assert_eq!(
            eval(r#"let s = to_set(["a"]); let t = s.union(to_set(["b"])); [s.len(), t.len()]"#),
            "[1, 2]"
        );
        assert_eq!(
            eval(r#"let s = to_set(["a"]); let t = s; t.add("b"); [s.len(), t.len()]"#),
            "[1, 2]"
        );
    }
}
