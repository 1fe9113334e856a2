//! `Tally`: a list grouped once by the *set* of values its items hold at some keys, each
//! group counted by another key. Asking "how many items, by department, does this agent
//! not see?" is then one step per distinct set, not one per item: with a million tickets
//! and two hundred users the difference is seconds (rule-catalogue.md, section 3).
//!
//! `tally_by_set(list, set_keys, count_key, missing)`:
//! - an item's *set* is every value found at `set_keys` (a key or an array of keys, as
//!   for `where_in`), blank texts included; items with equal sets share one group;
//! - each group counts its items by every value at `count_key` (as `count_by` does), and
//!   counts the items with no non-blank value there (as `where_missing` does) under the
//!   label `missing`.
//!
//! `tally.counts_outside(set)` sums those counts over the groups whose set has no member
//! in `set`: exactly `count_by(where_not_in(list, set_keys, set), count_key)`, plus
//! `missing: where_missing(...).len()` when that is not zero.

use super::Helpers;
use super::lists::{KeyPaths, list_arg};
use super::sets::as_key_set;
use crate::engine::node::{List, Node};
use crate::engine::split;
use rhai::{Dynamic, Engine, EvalAltResult, INT, Map};
use std::collections::HashMap;
use std::ops::Range;

/// A map hashed with foldhash: the tally looks up every item's set and count key, and
/// std's SipHash was most of its time.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Items that hold the same set of values, counted by the value at the count key.
#[derive(Clone, Debug, Default)]
struct Group {
    /// The set: sorted, each text once.
    members: Vec<String>,
    /// Count key text -> items (an item with several values counts once under each).
    counts: Vec<(String, INT)>,
    /// Items with no non-blank value at the count key.
    missing: INT,
}

/// A list grouped by the set of values at some keys (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct Tally {
    groups: std::sync::Arc<Vec<Group>>,
    missing_label: String,
    items: INT,
}

/// The groups one part of a list makes: `index` finds a set's group by its joined text.
#[derive(Default)]
struct Part {
    index: FastMap<Vec<u8>, usize>,
    groups: Vec<(Vec<String>, FastMap<String, INT>, INT)>,
    items: INT,
}

impl Part {
    /// Groups the items at positions `range` of `list`.
    fn scan(list: &List, range: Range<usize>, (set_keys, count_key): (KeyPaths, KeyPaths)) -> Part {
        let mut part = Part::default();
        // Building an item's set reuses these buffers, so a set already seen costs no
        // allocation: `texts` holds the values end to end, `spans` where each one is.
        let mut texts = String::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut joined: Vec<u8> = Vec::new();
        let warm = |v: &crate::doc::Value, deeper| {
            set_keys.prefetch(v, deeper);
            count_key.prefetch(v, deeper);
        };
        for (_, item) in list.scan(range, warm) {
            part.items += 1;
            texts.clear();
            spans.clear();
            set_keys.each_text(item, &mut |t| {
                spans.push((texts.len(), texts.len() + t.len()));
                texts.push_str(t);
                false
            });
            spans.sort_by(|a, b| texts[a.0..a.1].cmp(&texts[b.0..b.1]));
            spans.dedup_by(|a, b| texts[a.0..a.1] == texts[b.0..b.1]);
            // The set as one byte string: each value preceded by its length (4 bytes), so
            // no value's own text can be mistaken for a boundary.
            joined.clear();
            for &(s, e) in &spans {
                joined.extend_from_slice(&((e - s) as u32).to_le_bytes());
                joined.extend_from_slice(&texts.as_bytes()[s..e]);
            }
            let g = part.group(&joined, || {
                spans.iter().map(|&(s, e)| texts[s..e].to_owned()).collect()
            });
            let (_, counts, no_value) = &mut part.groups[g];
            let mut any = false;
            count_key.each_text(item, &mut |t| {
                any = true;
                match counts.get_mut(t) {
                    Some(c) => *c += 1,
                    None => {
                        counts.insert(t.to_owned(), 1);
                    }
                }
                false
            });
            // `each_text` visits only non-blank values: none visited is `present`'s false.
            if !any {
                *no_value += 1;
            }
        }
        part
    }

    /// The group of the set joined as `joined`; made, with `members`, if new.
    fn group(&mut self, joined: &[u8], members: impl FnOnce() -> Vec<String>) -> usize {
        if let Some(&g) = self.index.get(joined) {
            return g;
        }
        self.groups.push((members(), FastMap::default(), 0));
        self.index.insert(joined.to_vec(), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// About what the part holds (its groups' texts, counts and index), for the memory
    /// budget of the rule it is handed to (`engine::split`).
    fn bytes(&self) -> usize {
        const ENTRY: usize = std::mem::size_of::<(String, INT)>() + 8;
        self.groups
            .iter()
            .map(|(members, counts, _)| {
                members.iter().map(|m| m.capacity() * 2 + 64).sum::<usize>()
                    + counts.keys().map(|k| k.capacity() + ENTRY).sum::<usize>()
            })
            .sum()
    }

    /// Adds a later part's groups: a set both saw is one group, a new one comes after
    /// this part's (so the groups keep the order a single scan would give them).
    fn merge(&mut self, later: Part) {
        let mut joined_of: Vec<Vec<u8>> = vec![Vec::new(); later.groups.len()];
        for (joined, g) in later.index {
            joined_of[g] = joined;
        }
        for ((members, counts, missing), joined) in later.groups.into_iter().zip(joined_of) {
            let mine = self.group(&joined, || members);
            let (_, my_counts, my_missing) = &mut self.groups[mine];
            for (k, c) in counts {
                *my_counts.entry(k).or_default() += c;
            }
            *my_missing += missing;
        }
        self.items += later.items;
    }
}

impl Tally {
    fn build(n: &Node, set_keys: &Dynamic, count_key: &Dynamic, missing: &str) -> Res<Tally> {
        const F: &str = "tally_by_set";
        let set_keys = KeyPaths::parse(F, set_keys)?;
        let count_key = KeyPaths::parse(F, count_key)?;
        let list = list_arg(F, n)?;
        let parts = split::split(
            list.len(),
            || (set_keys.fresh(), count_key.fresh()),
            |range, keys| {
                let part = Part::scan(list, range, keys);
                let bytes = part.bytes();
                (part, bytes)
            },
        );
        let mut parts = parts.into_iter();
        let mut whole = parts.next().unwrap_or_default();
        for later in parts {
            whole.merge(later);
        }
        let groups = whole
            .groups
            .into_iter()
            .map(|(members, counts, missing)| {
                let mut counts: Vec<(String, INT)> = counts.into_iter().collect();
                counts.sort();
                Group {
                    members,
                    counts,
                    missing,
                }
            })
            .collect();
        Ok(Tally {
            groups: std::sync::Arc::new(groups),
            missing_label: missing.to_owned(),
            items: whole.items,
        })
    }

    /// Counts summed over the groups whose set has no member in `set` (`None`: all).
    fn counts(&self, outside: Option<&super::sets::KeySet>) -> Map {
        let mut sum: HashMap<&str, INT> = HashMap::new();
        let mut missing: INT = 0;
        for g in self.groups.iter() {
            if let Some(set) = outside
                && g.members.iter().any(|m| set.contains(m))
            {
                continue;
            }
            for (k, c) in &g.counts {
                *sum.entry(k.as_str()).or_default() += c;
            }
            missing += g.missing;
        }
        if missing > 0 {
            *sum.entry(self.missing_label.as_str()).or_default() += missing;
        }
        sum.into_iter()
            .map(|(k, c)| (k.into(), Dynamic::from_int(c)))
            .collect()
    }
}

/// Registers `tally_by_set` and the `Tally` type it returns (`count`, `counts`,
/// `counts_outside`, `len`, `is_empty`).
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Tally>("Tally");
    Helpers::new(engine)
        .add(
            "tally_by_set(list, set_keys, count_key, missing)",
            "a Tally: the items grouped once by the set of values at `set_keys` (items with equal sets share a group), each group counted by the values at `count_key` (items without one under the label `missing`)",
            |n: &mut Node, set_keys: Dynamic, count_key: Dynamic, missing: &str| {
                Tally::build(n, &set_keys, &count_key, missing)
            },
        )
        .add(
            "len(t)",
            "how many groups (distinct sets) there are",
            |t: &mut Tally| t.groups.len() as INT,
        )
        .add(
            "is_empty(t)",
            "whether there are no groups",
            |t: &mut Tally| t.groups.is_empty(),
        )
        .add(
            "count(t)",
            "how many items were tallied",
            |t: &mut Tally| t.items,
        )
        .add(
            "counts(t)",
            "a map value -> count over all groups",
            |t: &mut Tally| t.counts(None),
        )
        .add(
            "counts_outside(t, set)",
            "a map value -> count over the groups whose set has nothing in `set` (a Set, an array or a list): the same as `count_by(where_not_in(list, set_keys, set), count_key)` plus `missing`, at one step per group",
            |t: &mut Tally, set: Dynamic| -> Res<Map> {
                let set = as_key_set("counts_outside", &set)?;
                Ok(t.counts(Some(&set)))
            },
        );
}

#[cfg(test)]
mod tests {
    use crate::engine::node::Node;
    use rhai::{Dynamic, Engine, Map, Scope};

    fn engine() -> Engine {
        let mut e = Engine::new_raw();
        e.register_global_module(rhai::packages::Package::as_shared_module(
            &rhai::packages::StandardPackage::new(),
        ));
        super::super::register(&mut e);
        e
    }

    fn eval(list: &str, script: &str) -> Dynamic {
        let doc = crate::load::parse_json(format!(r#"{{"t": {list}}}"#).as_bytes(), "t.json")
            .expect("test JSON parses");
        let mut scope = Scope::new();
        scope.push("doc", Node::root(&doc));
        engine()
            .eval_with_scope::<Dynamic>(&mut scope, script)
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    fn counts(d: Dynamic) -> Vec<(String, i64)> {
        let m: Map = d.cast();
        m.into_iter()
            .map(|(k, v)| (k.to_string(), v.as_int().unwrap()))
            .collect()
    }

    const TICKETS: &str = r#"[
        {"departmentId": "1", "sharedDepartments": [{"id": "2"}]},
        {"departmentId": "1", "sharedDepartments": [{"id": "2"}, {"id": "2"}]},
        {"departmentId": 2, "sharedDepartments": [{"id": "1"}]},
        {"departmentId": "3", "sharedDepartments": [{"id": "4"}]},
        {"sharedDepartments": [{"id": "4"}]},
        {"departmentId": "", "sharedDepartments": [{"id": "5"}]}
    ]"#;

    const KEYS: &str = r#"["departmentId", "sharedDepartments.id"]"#;

    #[test]
    fn items_with_the_same_set_share_a_group() {
        let n = eval(
            TICKETS,
            &format!(r#"tally_by_set(doc.t, {KEYS}, "departmentId", "none").len()"#),
        );
        // {1,2} (three tickets, in either order), {3,4}, {4}, {"",5}
        assert_eq!(n.as_int().unwrap(), 4);
        let c = eval(
            TICKETS,
            &format!(r#"tally_by_set(doc.t, {KEYS}, "departmentId", "none").count()"#),
        );
        assert_eq!(c.as_int().unwrap(), 6);
    }

    #[test]
    fn counts_outside_equals_count_by_of_where_not_in_plus_the_missing() {
        for set in [
            r#"["1"]"#,
            r#"["4"]"#,
            r#"["2", "3"]"#,
            "[]",
            r#"["5"]"#,
            r#"[""]"#,
        ] {
            let grouped = counts(eval(
                TICKETS,
                &format!(
                    r#"tally_by_set(doc.t, {KEYS}, "departmentId", "none").counts_outside(to_set({set}))"#
                ),
            ));
            let direct = counts(eval(
                TICKETS,
                &format!(
                    r#"let u = where_not_in(doc.t, {KEYS}, to_set({set}));
                       let c = count_by(u, "departmentId");
                       let n = where_missing(u, "departmentId").len();
                       if n > 0 {{ c["none"] = (c["none"] ?? 0) + n; }}
                       c"#
                ),
            ));
            assert_eq!(grouped, direct, "set {set}");
        }
    }

    #[test]
    fn counts_without_a_set_cover_every_item() {
        let all = counts(eval(
            TICKETS,
            &format!(r#"tally_by_set(doc.t, {KEYS}, "departmentId", "none").counts()"#),
        ));
        assert_eq!(
            all,
            // A blank departmentId matches nothing (`KeyPaths::each_text`): the last ticket
            // counts once, as none (it used to count as "" and as none).
            vec![
                ("1".into(), 2),
                ("2".into(), 1),
                ("3".into(), 1),
                ("none".into(), 2),
            ]
        );
    }

    #[test]
    fn values_that_would_join_alike_stay_apart() {
        // "a\0b" as one value vs "a" and "b" as two: different sets.
        let n = eval(
            r#"[{"k": ["a", "b"]}, {"k": ["a\u0000b"]}, {"k": ["ab"]}, {"k": ["b", "a"]}]"#,
            r#"tally_by_set(doc.t, "k", "k", "none").len()"#,
        );
        assert_eq!(n.as_int().unwrap(), 3);
    }

    #[test]
    fn a_set_argument_may_be_an_array_or_a_document_list_and_an_object_is_refused() {
        let c = counts(eval(
            TICKETS,
            &format!(
                r#"tally_by_set(doc.t, {KEYS}, "departmentId", "none").counts_outside(["1", "4"])"#
            ),
        ));
        assert_eq!(c, vec![("none".into(), 1)]);
        let e = engine();
        let doc = crate::load::parse_json(br#"{"t": {"a": 1}}"#, "t.json").unwrap();
        let mut scope = Scope::new();
        scope.push("doc", Node::root(&doc));
        let err = e
            .eval_with_scope::<Dynamic>(&mut scope, r#"tally_by_set(doc.t, "a", "a", "x")"#)
            .unwrap_err();
        assert!(err.to_string().contains("expected a list"), "{err}");
    }

    /// A tally made of parts (`engine::split` on several cores) is the tally of one scan:
    /// the same groups, in the same order, with the same counts.
    #[test]
    fn parts_merged_give_the_groups_one_scan_gives() {
        use super::{KeyPaths, Part};
        use crate::doc::Value;
        use crate::engine::node::List;
        use std::sync::Arc;
        let items: Vec<Value> = (0..500u32)
            .map(|i| {
                let shared: Vec<serde_json::Value> = (0..i % 3)
                    .map(|k| serde_json::json!({"id": format!("d{}", (i + k) % 5)}))
                    .collect();
                let dept = if i % 11 == 0 {
                    serde_json::Value::Null
                } else {
                    format!("d{}", i % 4).into()
                };
                Value::from_json(
                    &serde_json::json!({"departmentId": dept, "sharedDepartments": shared}),
                )
            })
            .collect();
        let list = List::whole(Arc::new(items));
        let keys = || {
            let set =
                Dynamic::from_array(vec!["departmentId".into(), "sharedDepartments.id".into()]);
            let count: Dynamic = "departmentId".into();
            (
                KeyPaths::parse("t", &set).unwrap(),
                KeyPaths::parse("t", &count).unwrap(),
            )
        };
        let show = |p: &Part| {
            let mut groups: Vec<String> = p
                .groups
                .iter()
                .map(|(m, c, missing)| {
                    let mut c: Vec<_> = c.iter().collect();
                    c.sort();
                    format!("{m:?} {c:?} {missing}")
                })
                .collect();
            groups.push(format!("items {}", p.items));
            groups
        };
        let whole = Part::scan(&list, 0..500, keys());
        for cuts in [
            vec![250],
            vec![1, 499],
            vec![100, 200, 300, 400],
            vec![0, 500],
        ] {
            let mut bounds = vec![0];
            bounds.extend(cuts.iter().copied());
            bounds.push(500);
            let mut parts = bounds
                .windows(2)
                .map(|w| Part::scan(&list, w[0]..w[1], keys()));
            let mut merged = parts.next().unwrap();
            for p in parts {
                merged.merge(p);
            }
            assert_eq!(show(&merged), show(&whole), "cut at {cuts:?}");
        }
        assert!(whole.groups.len() > 5, "{}", whole.groups.len());
    }
}
