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

/// The members. Ids are digit strings (a Desk id has 16 digits, a CRM id 19), so a
/// member written in digits, without a leading zero and short enough for a `u64`, is kept
/// as that number: the text and the number stand for each other exactly, and a table of
/// numbers is a third the size of one of texts, so a `where_in` over 500,000 tickets
/// (one lookup each) misses the CPU's caches less. Other texts of up to 24 bytes (most
/// e-mail addresses) sit inside the table itself. Both are hashed with foldhash, several
/// times faster than std's SipHash on short keys.
#[derive(Clone, Debug, Default)]
struct Members {
    numbers: HashSet<u64, foldhash::fast::RandomState>,
    texts: HashSet<CompactString, foldhash::fast::RandomState>,
}

impl Members {
    fn len(&self) -> usize {
        self.numbers.len() + self.texts.len()
    }

    fn contains(&self, text: &str) -> bool {
        match digits(text) {
            Some(n) => self.numbers.contains(&n),
            None => self.texts.contains(text),
        }
    }

    fn insert(&mut self, text: &str) {
        match digits(text) {
            Some(n) => self.numbers.insert(n),
            None => self.texts.insert(text.into()),
        };
    }

    fn texts(&self) -> impl Iterator<Item = String> + '_ {
        (self.numbers.iter().map(u64::to_string)).chain(self.texts.iter().map(|t| t.to_string()))
    }
}

/// The number `text` writes, when it is 1 to 19 ASCII digits with no leading zero (or
/// is `0`): exactly the texts whose number prints back as the same text.
fn digits(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 19 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut n: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        // 19 digits never overflow: 9,999,999,999,999,999,999 < 2^64.
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

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
        self.items.len() == 0
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
        let items = Arc::make_mut(&mut self.items);
        if self.ci {
            items.insert(&fold(text));
        } else {
            items.insert(text);
        }
    }

    /// The members, sorted.
    pub fn sorted_texts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.items.texts().collect();
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
    for (_, v) in list.scan(0..list.len(), |v, deeper| keys.prefetch(v, deeper)) {
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
            s.len() as INT
        })
        .add(
            "is_empty(s)",
            "whether it has no members",
            |s: &mut KeySet| s.is_empty(),
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
                let items = Arc::make_mut(&mut out.items);
                // The union takes `a`'s kind: a case-blind `a` folds `b`'s members (a
                // folded text may then be digits), a case-sensitive one takes them as is.
                // Digits are what folding leaves them.
                items.numbers.extend(b.items.numbers.iter().copied());
                for x in &b.items.texts {
                    if a.ci {
                        items.insert(&fold(x));
                    } else {
                        items.insert(x);
                    }
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

    /// Digit members are kept as numbers; membership must still be exactly equality of
    /// texts (a leading zero, a sign, a space, full-width digits or 20 digits are texts).
    #[test]
    fn members_written_in_digits_match_only_the_same_text() {
        use super::{KeySet, digits};
        let texts = [
            "0",
            "00",
            "007",
            "7",
            "123",
            "0123",
            "-1",
            "+1",
            " 12",
            "12 ",
            "12a",
            "１２",
            "9999999999999999999",
            "09999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "3652397000000649013",
            "1892030000004734",
            "a@x.jp",
        ];
        let mut set = KeySet::default();
        for t in texts.iter().step_by(2) {
            set.insert(t);
        }
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(set.contains(t), i % 2 == 0, "{t:?}");
        }
        let mut expected: Vec<String> = texts.iter().step_by(2).map(|t| t.to_string()).collect();
        expected.sort();
        assert_eq!(set.sorted_texts(), expected);
        assert_eq!(set.len(), expected.len());
        assert_eq!(
            digits("9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(digits("0"), Some(0));
        for t in ["", "00", "01", "１", "99999999999999999999", "1_0"] {
            assert_eq!(digits(t), None, "{t:?}");
        }
    }

    #[test]
    fn a_case_blind_union_folds_the_other_sets_members_into_numbers_too() {
        assert_eq!(
            eval(
                r#"let s = set_of_ci(doc.agents, "emailId").union(to_set([" 42 ", "X"])); ["42" in s, "x" in s, " 42 " in s, s.len()]"#
            ),
            "[true, true, true, 4]"
        );
        assert_eq!(
            eval(
                r#"let s = to_set(["42"]).union(to_set([42, "042"])); [s.len(), "042" in s, 42 in s]"#
            ),
            "[2, true, true]"
        );
    }
}
