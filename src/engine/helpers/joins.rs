//! Membership and joins: the items of a list whose key is (not) in a Set, and the records
//! of one list with no match in another ("every active CRM user has a Desk agent"), the
//! join such rules need and would otherwise write as two loops. Blank keys match nothing
//! (`KeyPaths::each_text`). This file joins `lists` and `sets`, so neither imports the other's
//! way back: `sets` reads lists through `lists`, and `lists` knows nothing of Sets.

use super::Helpers;
use super::lists::{KeyPaths, count_at, select_at};
use super::sets::{KeySet, as_key_set, set_of};
use crate::doc::Value;
use crate::engine::memo::{Arg, Memo};
use crate::engine::node::Node;
use rhai::{Dynamic, Engine, EvalAltResult, INT};

/// Whether an item's value at `keys` is in `set`.
fn in_set(keys: &KeyPaths, set: &KeySet, v: &Value) -> bool {
    keys.each_text(v, &mut |t| set.contains(t))
}

type Res<T> = Result<T, Box<EvalAltResult>>;

/// `helper(list, key, set)` through the export's memo when `set` is a Set (known by its
/// identity); an array or list as `set` is a new set on every call, so it computes.
fn memoized<T: rhai::Variant + Clone>(
    helper: &'static str,
    list: &Node,
    key: &Dynamic,
    set: &Dynamic,
    compute: impl FnOnce() -> Res<T>,
) -> Res<T> {
    let Some(id) = set.read_lock::<KeySet>().map(|s| s.identity()) else {
        return compute();
    };
    Memo::typed(
        helper,
        list,
        &[Arg::Text(key), Arg::Shared(set, id)],
        compute,
    )
}

/// The items of `a` whose `key_a` matches no `key_b` of `b`; `ci`: trimmed and
/// case-insensitive. Linear in both lists.
fn without_match(
    fname: &str,
    a: &Node,
    key_a: &Dynamic,
    b: &Node,
    key_b: &Dynamic,
    ci: bool,
) -> Res<Node> {
    let other = set_of(b, key_b, ci)?;
    let keys = KeyPaths::parse(fname, key_a)?;
    select_at(a, fname, &keys, |k, v| !in_set(k, &other, v))
}

/// Registers the membership and join helpers: `where_in`, `where_not_in`, `count_in`,
/// `without_match` and `without_match_ci`.
pub fn register(engine: &mut Engine) {
    Helpers::new(engine)
        .add(
            "where_in(list, key, set)",
            "a list view of the items whose key is in `set` (a Set, an array, or a list of scalars)",
            |n: &mut Node, key: Dynamic, set: Dynamic| -> Res<Node> {
                let f = "where_in";
                memoized(f, n, &key, &set, || {
                    let (keys, set) = (KeyPaths::parse(f, &key)?, as_key_set(f, &set)?);
                    select_at(n, f, &keys, |k, v| in_set(k, &set, v))
                })
            },
        )
        .add(
            "where_not_in(list, key, set)",
            "a list view of the items whose key is not in `set`",
            |n: &mut Node, key: Dynamic, set: Dynamic| -> Res<Node> {
                let f = "where_not_in";
                memoized(f, n, &key, &set, || {
                    let (keys, set) = (KeyPaths::parse(f, &key)?, as_key_set(f, &set)?);
                    select_at(n, f, &keys, |k, v| !in_set(k, &set, v))
                })
            },
        )
        .add(
            "count_in(list, key, set)",
            "how many items have their key in `set`",
            |n: &mut Node, key: Dynamic, set: Dynamic| -> Res<INT> {
                let f = "count_in";
                memoized(f, n, &key, &set, || {
                    let (keys, set) = (KeyPaths::parse(f, &key)?, as_key_set(f, &set)?);
                    count_at(n, f, &keys, |k, v| in_set(k, &set, v))
                })
            },
        )
        .add(
            "without_match(a, key_a, b, key_b)",
            "a list view of the items of `a` whose `key_a` matches no `key_b` of an item of `b`",
            |a: &mut Node, key_a: Dynamic, b: Node, key_b: Dynamic| {
                without_match("without_match", a, &key_a, &b, &key_b, false)
            },
        )
        .add(
            "without_match_ci(a, key_a, b, key_b)",
            "`without_match`, comparing trimmed and case-insensitively: active CRM users without a Desk agent are `without_match_ci(users, \"email\", doc.desk.agents, \"emailId\")`",
            |a: &mut Node, key_a: Dynamic, b: Node, key_b: Dynamic| {
                without_match("without_match_ci", a, &key_a, &b, &key_b, true)
            },
        );
}

#[cfg(test)]
mod tests {

    fn eval(expr: &str) -> String {
        super::super::eval_on(
            serde_json::json!({
                "users": [
                    {"id": "1", "email": "A@x.jp"},
                    {"id": "2", "email": "  "},
                    {"id": "3", "email": "c@x.jp"},
                    {"id": "4"}
                ],
                "agents": [{"emailId": "a@x.jp"}, {"emailId": ""}, {"emailId": "C@X.JP "}]
            }),
            expr,
        )
    }

    #[test]
    fn items_without_a_match_are_kept_and_blank_keys_match_nothing() {
        // Case-insensitive: users 1 and 3 have agents; 2 (blank email) and 4 (none) do not,
        // although an agent's emailId is "" (blank keys never match).
        assert_eq!(
            eval(
                r#"to_array(without_match_ci(doc.users, "email", doc.agents, "emailId")).map(|u| u.id)"#
            ),
            r#"["2", "4"]"#
        );
        // Exact: only user 1's case differs from its agent.
        assert_eq!(
            eval(
                r#"to_array(without_match(doc.users, "email", doc.agents, "emailId")).map(|u| u.id)"#
            ),
            r#"["1", "2", "3", "4"]"#
        );
        assert_eq!(eval(r#"set_of_ci(doc.agents, "emailId").len()"#), "2");
    }

    /// Past `split::MIN_ITEMS` the scans run in parts on several threads: the views are
    /// still every matching item, in list order (and `count_in`, `where_set` agree).
    #[test]
    fn long_lists_scanned_in_parts_give_every_match_in_order() {
        let n = crate::engine::split::MIN_ITEMS * 2 + 1001;
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| serde_json::json!({"i": i, "c": (i % 7).to_string(), "l": if i % 5 == 0 { serde_json::json!({}) } else { serde_json::Value::Null }}))
            .collect();
        let expected: Vec<usize> = (0..n).filter(|i| i % 7 == 1 || i % 7 == 3).collect();
        let out = super::super::eval_on(
            serde_json::json!({ "t": items }),
            &r#"let s = to_set(["1", "3"]);
               let v = where_in(doc.t, "c", s);
               let w = where_not_in(doc.t, "c", s);
               let ids = [];
               for x in v { ids.push(x.i); }
               let m = where_missing(doc.t, "l");
               [ids, count_in(doc.t, "c", s), w.len(), w[0].i, where_set(doc.t, "l").len(), where_set(doc.t, "l")[1].i, m.len(), m[n_last].i]"#
                .replace("n_last", &(n - 1).to_string()),
        );
        let want = format!(
            "[{:?}, {}, {}, 0, {}, 5, {n}, {}]",
            expected,
            expected.len(),
            n - expected.len(),
            n.div_ceil(5),
            n - 1
        );
        assert_eq!(out, want);
    }
}
