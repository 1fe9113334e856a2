//! Scans over document lists: filter, count, find, index, group. Written in Rust
//! because a Rhai loop over a million items costs seconds and these cost milliseconds.
//!
//! A *key* is a field name or a dotted path (`"zohoCRMContact.id"`); passing through a
//! list reaches every item (`"sharedDepartments.id"` is every shared department's id)
//! and a list at the end is read item by item (`"associatedDepartmentIds"`). An array
//! of keys means "any of these". An item matches when any value at its key matches.

use super::text::{fold, scalar_text};
use super::{Helpers, helper_error};
use crate::doc::{KeyHint, Kind, Value};
use crate::engine::memo::{Arg, Memo};
use crate::engine::node::{List, Node};
use crate::engine::split;
use rhai::{Dynamic, Engine, EvalAltResult, INT, Map};
use std::collections::HashMap;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A helper's key argument, parsed: one or more dotted key paths (each step with the
/// position its key was last found at, so a scan over records of one shape finds it at
/// once).
pub struct KeyPaths(Vec<Vec<Step>>);

/// One key of a dotted path, with the position in an object where it was last found
/// (the hint for `Object::get_hinted`).
pub struct Step {
    key: String,
    hint: KeyHint,
}

impl KeyPaths {
    /// Reads a rule's key argument: a string (a dotted path) or an array of strings; anything
    /// else is a helper error naming `fname`.
    pub fn parse(fname: &str, key: &Dynamic) -> Res<KeyPaths> {
        let one = |s: &str| {
            s.split('.')
                .map(|k| Step {
                    key: k.to_owned(),
                    hint: KeyHint::default(),
                })
                .collect::<Vec<_>>()
        };
        if let Some(s) = key.read_lock::<rhai::ImmutableString>() {
            return Ok(KeyPaths(vec![one(&s)]));
        }
        if let Some(a) = key.read_lock::<rhai::Array>() {
            let mut out = Vec::new();
            for k in a.iter() {
                match k.read_lock::<rhai::ImmutableString>() {
                    Some(s) => out.push(one(&s)),
                    None => return Err(bad_key(fname, k)),
                }
            }
            return Ok(KeyPaths(out));
        }
        Err(bad_key(fname, key))
    }

    /// The same key paths with hints of their own, for another thread's part of a scan
    /// (`engine::split`; a hint is a `Cell`, never shared between threads).
    pub fn fresh(&self) -> KeyPaths {
        KeyPaths(
            self.0
                .iter()
                .map(|path| {
                    path.iter()
                        .map(|s| Step {
                            key: s.key.clone(),
                            hint: KeyHint::default(),
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// Calls `f` with the text of every scalar found at any of the keys, blank ones
    /// (empty or white space) left out: a blank key matches nothing, in any helper that
    /// compares, indexes, joins or makes sets (an agent with `emailId: ""` is no match for
    /// a user whose email is `"  "`).
    pub fn each_text(&self, item: &Value, f: &mut impl FnMut(&str) -> bool) -> bool {
        self.0
            .iter()
            .any(|path| walk(item, path, &mut |t| !t.trim().is_empty() && f(t)))
    }

    /// Starts loading the values `item` holds at the keys' first steps (`List::scan`:
    /// `deeper` says which stage).
    pub fn prefetch(&self, item: &Value, deeper: bool) {
        for step in self.0.iter().filter_map(|path| path.first()) {
            if deeper {
                item.prefetch_hinted_target(&step.hint);
            } else {
                item.prefetch_hinted(&step.hint);
            }
        }
    }

    /// Is there any non-blank value at any key?
    pub fn present(&self, item: &Value) -> bool {
        self.each_text(item, &mut |t| !t.trim().is_empty())
    }

    /// Does any key hold a value: anything but null (or nothing) and a blank string?
    /// Unlike `present`, an object or array counts (`"zohoCRMContact": {}` is set).
    pub fn set(&self, item: &Value) -> bool {
        self.0.iter().any(|path| {
            reach(item, path, &mut |v| match v.kind() {
                Kind::Null => false,
                Kind::Str(s) => !s.trim().is_empty(),
                _ => true,
            })
        })
    }
}

/// Visits the values at `path` below `v` (an array on the way is looked into, item by
/// item); stops early (returning true) when `f` does.
fn reach(v: &Value, path: &[Step], f: &mut impl FnMut(&Value) -> bool) -> bool {
    match (path.split_first(), v.kind()) {
        (None, _) => f(v),
        (Some(_), Kind::Array(items)) => items.iter().any(|x| reach(x, path, f)),
        (Some((head, rest)), Kind::Object(o)) => o
            .get_hinted(&head.key, &head.hint)
            .is_some_and(|x| reach(x, rest, f)),
        (Some(_), _) => false,
    }
}

fn bad_key(fname: &str, key: &Dynamic) -> Box<EvalAltResult> {
    helper_error(format!(
        "{fname}: the key must be a field name such as \"email\", a dotted path such as \"profile.name\", or an array of them; got {}",
        key.type_name()
    ))
}

/// Visits scalars at `path` below `v`: the values `reach` finds, arrays among them looked
/// into item by item; stops early (returning true) when `f` does.
fn walk(v: &Value, path: &[Step], f: &mut impl FnMut(&str) -> bool) -> bool {
    fn scalars(v: &Value, f: &mut impl FnMut(&str) -> bool) -> bool {
        match v.kind() {
            Kind::Array(items) => items.iter().any(|x| scalars(x, f)),
            _ => v.scalar_text().is_some_and(|t| f(&t)),
        }
    }
    reach(v, path, &mut |end| scalars(end, f))
}

/// The list of `n`; a helper error naming `fname` and `n`'s pointer when `n` is an object.
pub fn list_arg<'a>(fname: &str, n: &'a Node) -> Res<&'a List> {
    n.as_list().ok_or_else(|| {
        helper_error(format!(
            "{fname}: `{}` is an object; expected a list",
            n.pointer()
        ))
    })
}

/// A view of the items of `n` for which `keep` is true.
pub(super) fn select(n: &Node, fname: &str, mut keep: impl FnMut(&Value) -> bool) -> Res<Node> {
    let list = list_arg(fname, n)?;
    let picks = list
        .iter()
        .filter(|(_, v)| keep(v))
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .collect();
    Ok(Node::list(list.pick(picks), n.path().clone()))
}

/// `select` for a test of an item's values at `keys`, each part of a long list scanned on
/// a thread of its own with its own copy of the keys (`engine::split`): the same view,
/// in the same order, as one scan gives.
pub(super) fn select_at(
    n: &Node,
    fname: &str,
    keys: &KeyPaths,
    keep: impl Fn(&KeyPaths, &Value) -> bool + Sync,
) -> Res<Node> {
    let list = list_arg(fname, n)?;
    let parts = split::split(
        list.len(),
        || keys.fresh(),
        |range, keys| {
            let picks: Vec<u32> = list
                .scan(range, |v, deeper| keys.prefetch(v, deeper))
                .filter(|(_, v)| keep(&keys, v))
                .filter_map(|(i, _)| u32::try_from(i).ok())
                .collect();
            let bytes = picks.capacity() * std::mem::size_of::<u32>();
            (picks, bytes)
        },
    );
    let picks = if parts.len() == 1 {
        parts.into_iter().next().unwrap_or_default()
    } else {
        parts.concat()
    };
    Ok(Node::list(list.pick(picks), n.path().clone()))
}

/// `count` for a test of an item's values at `keys`, split as `select_at` is.
pub(super) fn count_at(
    n: &Node,
    fname: &str,
    keys: &KeyPaths,
    keep: impl Fn(&KeyPaths, &Value) -> bool + Sync,
) -> Res<INT> {
    let list = list_arg(fname, n)?;
    let parts = split::split(
        list.len(),
        || keys.fresh(),
        |range, keys| {
            let items = list.scan(range, |v, deeper| keys.prefetch(v, deeper));
            (items.filter(|(_, v)| keep(&keys, v)).count(), 0)
        },
    );
    Ok(parts.into_iter().sum::<usize>() as INT)
}

pub(super) fn count(n: &Node, fname: &str, mut keep: impl FnMut(&Value) -> bool) -> Res<INT> {
    let list = list_arg(fname, n)?;
    Ok(list.iter().filter(|(_, v)| keep(v)).count() as INT)
}

fn find(n: &Node, fname: &str, mut keep: impl FnMut(&Value) -> bool) -> Res<Dynamic> {
    let list = list_arg(fname, n)?;
    Ok(list
        .iter()
        .position(|(_, v)| keep(v))
        .and_then(|i| n.item(i))
        .unwrap_or(Dynamic::UNIT))
}

/// The value a rule compares with: its text, folded when `ci`.
fn needle(fname: &str, value: &Dynamic, ci: bool) -> Res<String> {
    let t = scalar_text(value).ok_or_else(|| {
        helper_error(format!(
            "{fname}: cannot compare with {} (give a string, number or bool)",
            value.type_name()
        ))
    })?;
    Ok(if ci { fold(&t) } else { t })
}

fn matcher(keys: KeyPaths, want: String, ci: bool) -> impl FnMut(&Value) -> bool {
    move |v| {
        keys.each_text(v, &mut |t| {
            if ci { fold(t) == want } else { t == want }
        })
    }
}

/// `index_by` / `group_by`: key text -> positions (in list order).
#[derive(Clone, Debug)]
pub struct Index {
    node: Node,
    map: HashMap<String, Vec<u32>>,
    ci: bool,
}

impl Index {
    fn build(n: &Node, fname: &str, key: &Dynamic, ci: bool) -> Res<Index> {
        let keys = KeyPaths::parse(fname, key)?;
        let list = list_arg(fname, n)?;
        let mut map: HashMap<String, Vec<u32>> = HashMap::new();
        for (pos, (_, v)) in list.iter().enumerate() {
            let Ok(pos) = u32::try_from(pos) else { break };
            keys.each_text(v, &mut |t| {
                let k = if ci { fold(t) } else { t.to_owned() };
                let slot = map.entry(k).or_default();
                if slot.last() != Some(&pos) {
                    slot.push(pos);
                }
                false
            });
        }
        Ok(Index {
            node: n.clone(),
            map,
            ci,
        })
    }

    /// Each key with how many items it indexes (for `query`), sorted by key.
    pub fn counts(&self) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> =
            self.map.iter().map(|(k, p)| (k.clone(), p.len())).collect();
        v.sort();
        v
    }

    fn lookup(&self, key: &Dynamic) -> Option<&Vec<u32>> {
        let t = scalar_text(key)?;
        self.map.get(&if self.ci { fold(&t) } else { t })
    }

    fn first(&self, key: &Dynamic) -> Dynamic {
        self.lookup(key)
            .and_then(|p| p.first())
            .and_then(|&i| self.node.item(i as usize))
            .unwrap_or(Dynamic::UNIT)
    }

    fn all(&self, key: &Dynamic) -> Node {
        let list = self
            .node
            .as_list()
            .cloned()
            .unwrap_or_else(|| List::whole(Default::default()));
        let orig = self
            .lookup(key)
            .map(|ps| {
                ps.iter()
                    .filter_map(|&p| list.get(p as usize))
                    .filter_map(|(o, _)| u32::try_from(o).ok())
                    .collect()
            })
            .unwrap_or_default();
        Node::list(list.pick(orig), self.node.path().clone())
    }
}

/// Registers the list scans (`where_eq`, `where_missing`, `where_present`, `count_eq`,
/// `count_by`, `find_eq`, `take`, `all`, ...; `_ci` forms) and `index_by` with its `Index` type.
pub fn register(engine: &mut Engine) {
    // First, so that the helpers below show `Index` as its name.
    engine.register_type_with_name::<Index>("Index");
    let mut h = Helpers::new(engine);
    for ci in [false, true] {
        let sfx = if ci { "_ci" } else { "" };
        h.add(
            &format!("where_eq{sfx}(list, key, value)"),
            if ci {
                "`where_eq`, comparing trimmed and case-insensitively"
            } else {
                "a list view of the items whose key equals value"
            },
            move |n: &mut Node, key: Dynamic, value: Dynamic| -> Res<Node> {
                let f = "where_eq";
                select(
                    n,
                    f,
                    matcher(KeyPaths::parse(f, &key)?, needle(f, &value, ci)?, ci),
                )
            },
        )
        .add(
            &format!("count_eq{sfx}(list, key, value)"),
            if ci {
                "how many items `where_eq_ci` would keep"
            } else {
                "how many items `where_eq` would keep"
            },
            move |n: &mut Node, key: Dynamic, value: Dynamic| -> Res<INT> {
                let f = "count_eq";
                count(
                    n,
                    f,
                    matcher(KeyPaths::parse(f, &key)?, needle(f, &value, ci)?, ci),
                )
            },
        )
        .add(
            &format!("find_eq{sfx}(list, key, value)"),
            if ci {
                "`find_eq`, comparing trimmed and case-insensitively"
            } else {
                "the first item whose key equals value, or `()`"
            },
            move |n: &mut Node, key: Dynamic, value: Dynamic| -> Res<Dynamic> {
                let f = "find_eq";
                find(
                    n,
                    f,
                    matcher(KeyPaths::parse(f, &key)?, needle(f, &value, ci)?, ci),
                )
            },
        )
        .add(
            &format!("index_by{sfx}(list, key)"),
            if ci {
                "`index_by` with trimmed, case-insensitive keys (its lookups fold the same way)"
            } else {
                "an Index of the items by the values at key"
            },
            move |n: &mut Node, key: Dynamic| Index::build(n, "index_by", &key, ci),
        );
    }
    h.add(
        "where_set(list, key)",
        "a list view of the items whose key holds a value: anything but null and a blank string (an object or array counts, unlike `where_present`)",
        |n: &mut Node, key: Dynamic| -> Res<Node> {
            Memo::typed("where_set", n, &[Arg::Text(&key)], || {
                let keys = KeyPaths::parse("where_set", &key)?;
                select_at(n, "where_set", &keys, |k, v| k.set(v))
            })
        },
    );
    h.add(
        "where_present(list, key)",
        "a list view of the items whose key has a non-blank value",
        |n: &mut Node, key: Dynamic| -> Res<Node> {
            Memo::typed("where_present", n, &[Arg::Text(&key)], || {
                let keys = KeyPaths::parse("where_present", &key)?;
                select_at(n, "where_present", &keys, |k, v| k.present(v))
            })
        },
    )
    .add(
        "where_missing(list, key)",
        "a list view of the items whose key has no non-blank value (absent, `null`, `\"\"`, white space or `[]`)",
        |n: &mut Node, key: Dynamic| -> Res<Node> {
            let keys = KeyPaths::parse("where_missing", &key)?;
            select_at(n, "where_missing", &keys, |k, v| !k.present(v))
        },
    )
    .add(
        "count_by(list, key)",
        "a map value -> how many items have it (items without a value for key are not counted)",
        |n: &mut Node, key: Dynamic| -> Res<Map> {
            let keys = KeyPaths::parse("count_by", &key)?;
            let list = list_arg("count_by", n)?;
            let mut counts: HashMap<String, INT> = HashMap::new();
            for (_, v) in list.iter() {
                keys.each_text(v, &mut |t| {
                    *counts.entry(t.to_owned()).or_default() += 1;
                    false
                });
            }
            Ok(counts
                .into_iter()
                .map(|(k, c)| (k.into(), Dynamic::from_int(c)))
                .collect())
        },
    )
    .add(
        "take(list, n)",
        "a list view of the first n items",
        |n: &mut Node, count: INT| -> Res<Node> {
            let list = list_arg("take", n)?;
            let keep = usize::try_from(count.max(0)).unwrap_or(0);
            let picks = list
                .iter()
                .take(keep)
                .filter_map(|(i, _)| u32::try_from(i).ok())
                .collect();
            Ok(Node::list(list.pick(picks), n.path().clone()))
        },
    )
    .add(
        "get(ix, k)",
        "the first item whose key is k, or `()`; `ix[k]` is the same",
        |ix: &mut Index, key: Dynamic| ix.first(&key),
    );
    h.engine()
        .register_indexer_get(|ix: &mut Index, key: Dynamic| ix.first(&key));
    h.add(
        "all(ix, k)",
        "a list view of every item whose key is k",
        |ix: &mut Index, key: Dynamic| ix.all(&key),
    )
    .add(
        "contains(ix, k)",
        "`k in ix`: whether some item has key k",
        |ix: &mut Index, key: Dynamic| ix.lookup(&key).is_some(),
    )
    .add(
        "len(ix)",
        "how many distinct keys the Index holds",
        |ix: &mut Index| ix.map.len() as INT,
    )
    .add(
        "keys(ix)",
        "the keys, sorted",
        |ix: &mut Index| -> rhai::Array {
            let mut ks: Vec<&String> = ix.map.keys().collect();
            ks.sort();
            ks.into_iter().map(|k| Dynamic::from(k.clone())).collect()
        },
    );
}

#[cfg(test)]
mod tests {

    fn eval(expr: &str) -> String {
        super::super::eval_on(
            serde_json::json!({"users": [
                {"id": "1", "status": "Active", "profile": {"name": "Administrator"}, "email": "A@x.jp"},
                {"id": "2", "status": "disabled", "email": "  "},
                {"id": "3", "status": "active", "tags": ["x", "y"]}
            ]}),
            expr,
        )
    }

    #[test]
    fn comparisons_are_exact_or_trimmed_and_case_blind_and_reach_dotted_keys_and_lists() {
        assert_eq!(eval(r#"count_eq(doc.users, "status", "active")"#), "1");
        assert_eq!(eval(r#"count_eq_ci(doc.users, "status", " ACTIVE ")"#), "2");
        assert_eq!(
            eval(r#"find_eq(doc.users, "profile.name", "Administrator").id"#),
            "1"
        );
        assert_eq!(eval(r#"count_eq(doc.users, "tags", "y")"#), "1");
        assert_eq!(eval(r#"where_missing(doc.users, "email").len()"#), "2");
        assert_eq!(
            eval(r#"where_present(doc.users, ["email", "tags"]).len()"#),
            "2"
        );
    }

    #[test]
    fn a_key_is_set_by_any_value_but_null_and_a_blank_string() {
        let on = |links: &str, expr: &str| {
            super::super::eval_on(
                serde_json::from_str(&format!(r#"{{"contacts": {links}}}"#)).unwrap(),
                expr,
            )
        };
        let links = r#"[{"link": {}}, {"link": []}, {"link": 0}, {"link": false}, {"link": "x"},
            {"link": null}, {"link": "  "}, {}, {"other": {"link": 1}}]"#;
        assert_eq!(on(links, r#"where_set(doc.contacts, "link").len()"#), "5");
        assert_eq!(
            on(links, r#"where_present(doc.contacts, "link").len()"#),
            "3"
        );
        // Dotted keys and arrays on the way, as every helper reads them.
        let deep = r#"[{"a": {"b": {}}}, {"a": [{"b": null}, {"b": 1}]}, {"a": [{"b": null}]}]"#;
        assert_eq!(on(deep, r#"where_set(doc.contacts, "a.b").len()"#), "2");
    }

    #[test]
    fn an_index_finds_items_by_key_and_blank_keys_are_left_out() {
        assert_eq!(eval(r#"index_by_ci(doc.users, "email")["a@x.jp"].id"#), "1");
        assert_eq!(eval(r#"index_by(doc.users, "email").len()"#), "1");
        assert_eq!(eval(r#"count_by(doc.users, "status")["disabled"]"#), "1");
        assert_eq!(eval(r#"take(doc.users, 2).len()"#), "2");
    }
}
