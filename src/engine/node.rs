//! `Node`: how a rule holds a part of the document without copying it.
//!
//! A `Node` is an object or a list of the loaded document plus its JSON Pointer path.
//! Cloning one bumps a reference count. A list may be a *view*: a subset of another
//! list's items (the result of `where_eq`, `take`, ...), which keeps the items'
//! original paths so evidence always points into the real document.
//! Scalars never become `Node`s: rules get plain Rhai strings, numbers, bools and `()`.

use super::path::NodePath;
use crate::doc::{self, Object, Value};
use rhai::{Dynamic, INT};
use std::fmt;
use std::sync::Arc;

/// An object or list of the loaded document as a rule holds it (Rhai type `Node`): shared
/// with the document, never copied, and carrying its JSON Pointer for evidence.
#[derive(Clone, Debug)]
pub struct Node {
    pub(crate) kind: Kind,
    pub(crate) path: NodePath,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Object(Arc<Object>),
    List(List),
}

/// A list, or a view of some of a list's items (in their original order).
#[derive(Clone, Debug)]
pub struct List {
    items: Arc<Vec<Value>>,
    picks: Option<Arc<Vec<u32>>>,
}

impl List {
    /// A list of all of `items` (not a view).
    pub fn whole(items: Arc<Vec<Value>>) -> List {
        List { items, picks: None }
    }

    /// The number of items (in a view: the items picked, not the underlying array's length).
    pub fn len(&self) -> usize {
        self.picks.as_ref().map_or(self.items.len(), |p| p.len())
    }

    /// Whether the list (or view) has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th item of this list with its index in the underlying array.
    pub fn get(&self, i: usize) -> Option<(usize, &Value)> {
        match &self.picks {
            None => self.items.get(i).map(|v| (i, v)),
            Some(p) => {
                let orig = *p.get(i)? as usize;
                self.items.get(orig).map(|v| (orig, v))
            }
        }
    }

    /// Items with their index in the underlying array.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (usize, &Value)> + '_> {
        self.range(0..self.len())
    }

    /// The items at positions `range` of the list (or view), with their index in the
    /// underlying array: `iter` cut into parts (`engine::split`).
    pub fn range(
        &self,
        range: std::ops::Range<usize>,
    ) -> Box<dyn Iterator<Item = (usize, &Value)> + '_> {
        Box::new(self.scan(range, |_: &Value, _| {}))
    }

    /// `range` for a scan that reads some values of every item: `warm` starts loading
    /// them a few items ahead (see `Ahead`).
    pub fn scan<'s, W: Fn(&Value, bool) + 's>(
        &'s self,
        range: std::ops::Range<usize>,
        warm: W,
    ) -> impl Iterator<Item = (usize, &'s Value)> + 's {
        Ahead {
            items: &self.items,
            picks: self.picks.as_ref().map(|p| p.as_slice()),
            next: range.start,
            end: range.end.min(self.len()),
            warm,
        }
    }

    /// Which list this is: the addresses of its array and of its view's picks (0 when it
    /// is no view). Equal while both are alive only for the same list (`memo`).
    pub fn identity(&self) -> (usize, usize) {
        (
            Arc::as_ptr(&self.items) as usize,
            self.picks.as_ref().map_or(0, |p| Arc::as_ptr(p) as usize),
        )
    }

    /// A view holding the items whose underlying indices are `orig` (ascending).
    pub fn pick(&self, orig: Vec<u32>) -> List {
        List {
            items: self.items.clone(),
            picks: Some(Arc::new(orig)),
        }
    }
}

/// The items of a list (or view) at positions `next..end`. A scan over records that lie
/// apart in memory waits for each record, then for each value it reads: so, meanwhile,
/// the processor is asked to load the record `FAR` positions on (`Value::prefetch`), and
/// the scan's `warm` is called on the records `MID` and `NEAR` positions on (with `false`
/// and `true`) to load the values it will read and what they point at
/// (`KeyPaths::prefetch`).
struct Ahead<'a, W> {
    items: &'a [Value],
    picks: Option<&'a [u32]>,
    next: usize,
    end: usize,
    warm: W,
}

impl<W> Ahead<'_, W> {
    const FAR: usize = 16;
    const MID: usize = 8;
    const NEAR: usize = 3;

    /// The index in `items` of position `k`.
    fn index(&self, k: usize) -> Option<usize> {
        match self.picks {
            None => Some(k),
            Some(p) => p.get(k).map(|&i| i as usize),
        }
    }

    /// The item `ahead` positions after `k`, if the scan will reach it.
    fn ahead_of(&self, k: usize, ahead: usize) -> Option<&Value> {
        let at = k + ahead;
        (at < self.end)
            .then(|| self.index(at))
            .flatten()
            .and_then(|i| self.items.get(i))
    }
}

impl<'a, W: Fn(&Value, bool)> Iterator for Ahead<'a, W> {
    type Item = (usize, &'a Value);

    fn next(&mut self) -> Option<(usize, &'a Value)> {
        while self.next < self.end {
            let k = self.next;
            self.next += 1;
            if let Some(v) = self.ahead_of(k, Self::FAR) {
                v.prefetch();
            }
            if let Some(v) = self.ahead_of(k, Self::MID) {
                (self.warm)(v, false);
            }
            if let Some(v) = self.ahead_of(k, Self::NEAR) {
                (self.warm)(v, true);
            }
            // A view's pick past the list's end (never made by the helpers) is skipped.
            let items: &'a [Value] = self.items;
            if let Some(i) = self.index(k)
                && let Some(v) = items.get(i)
            {
                return Some((i, v));
            }
        }
        None
    }
}

impl Node {
    /// `value` as a rule sees it at the document's root (pointer `""`): a `Node` for an object
    /// or array, a plain Rhai value (`()` for null) for a scalar.
    pub fn root(value: &Value) -> Dynamic {
        to_dynamic(value, &NodePath::root())
    }

    /// A list node whose JSON Pointer is `path` (for a view: the path of the list it was
    /// taken from; items keep their own paths).
    pub fn list(list: List, path: NodePath) -> Node {
        Node {
            kind: Kind::List(list),
            path,
        }
    }

    /// The list (or view); `None` for an object node.
    pub fn as_list(&self) -> Option<&List> {
        match &self.kind {
            Kind::List(l) => Some(l),
            Kind::Object(_) => None,
        }
    }

    /// The object; `None` for a list node.
    pub fn as_object(&self) -> Option<&Arc<Object>> {
        match &self.kind {
            Kind::Object(o) => Some(o),
            Kind::List(_) => None,
        }
    }

    /// Where the node sits in the document.
    pub fn path(&self) -> &NodePath {
        &self.path
    }

    /// The node's JSON Pointer (`""` for the root, `/desk/tickets/3`), built on each call.
    pub fn pointer(&self) -> String {
        self.path.pointer()
    }

    /// The number of keys of an object, or of items of a list (or view).
    pub fn len(&self) -> usize {
        match &self.kind {
            Kind::Object(o) => o.len(),
            Kind::List(l) => l.len(),
        }
    }

    /// Whether an object has no keys, or a list no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `node[key]` / `node.key`: the value, or `()` when the key is absent.
    pub fn get_key(&self, key: &str) -> Result<Dynamic, AccessError> {
        match &self.kind {
            Kind::Object(o) => Ok(o
                .get_entry(key)
                .map_or(Dynamic::UNIT, |(k, v)| to_dynamic(v, &self.path.key(k)))),
            Kind::List(l) => Err(AccessError::KeyOfList {
                key: key.to_owned(),
                len: l.len(),
                at: self.pointer(),
            }),
        }
    }

    /// `node[i]`: negative counts from the end; `()` when out of range.
    pub fn get_index(&self, i: INT) -> Result<Dynamic, AccessError> {
        match &self.kind {
            Kind::List(l) => Ok(item_at(l, i).map_or(Dynamic::UNIT, |(orig, v)| {
                to_dynamic(v, &self.path.index(orig))
            })),
            Kind::Object(_) => Err(AccessError::IndexOfObject {
                index: i,
                at: self.pointer(),
            }),
        }
    }

    /// The item `i` of a list as a `Dynamic` (for iteration).
    pub fn item(&self, i: usize) -> Option<Dynamic> {
        let l = self.as_list()?;
        l.get(i)
            .map(|(orig, v)| to_dynamic(v, &self.path.index(orig)))
    }

    /// The underlying value of an object node (for serialising).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Object(o) => Value::shared_object(o.clone()),
            Kind::List(l) => Value::array(l.iter().map(|(_, v)| v.clone()).collect()),
        }
    }
}

/// A node indexed the way its kind cannot be: a list by a key, an object by a number.
/// The indexers raise it as a helper error (`errors::helper_error`), in these words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessError {
    /// `list[key]` / `list.key`; `at` is the list's JSON Pointer.
    KeyOfList { key: String, len: usize, at: String },
    /// `object[i]`; `at` is the object's JSON Pointer.
    IndexOfObject { index: INT, at: String },
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessError::KeyOfList { key, len, at } => write!(
                f,
                "`{key}` asked of a list of {len} items at `{at}`: index it with a number, or use a helper such as where_eq"
            ),
            AccessError::IndexOfObject { index, at } => {
                write!(
                    f,
                    "[{index}] asked of an object at `{at}`: index it with a key"
                )
            }
        }
    }
}

impl std::error::Error for AccessError {}

/// The message a script sees (`errors::helper_error` takes any `Into<String>`).
impl From<AccessError> for String {
    fn from(e: AccessError) -> String {
        e.to_string()
    }
}

fn item_at(l: &List, i: INT) -> Option<(usize, &Value)> {
    let len = INT::try_from(l.len()).ok()?;
    let i = if i < 0 { len + i } else { i };
    if i < 0 {
        return None;
    }
    l.get(usize::try_from(i).ok()?)
}

/// A document value as a rule sees it: scalars as Rhai values, containers as `Node`s.
pub fn to_dynamic(value: &Value, path: &NodePath) -> Dynamic {
    match value.kind() {
        doc::Kind::Null => Dynamic::UNIT,
        doc::Kind::Bool(b) => Dynamic::from_bool(b),
        doc::Kind::Int(i) => Dynamic::from_int(i),
        doc::Kind::Float(f) => Dynamic::from_float(f),
        doc::Kind::Str(s) => Dynamic::from(s.to_immutable()),
        // The kind says these hold an array and an object: `unwrap_or_default` never
        // defaults.
        doc::Kind::Array(_) => Dynamic::from(Node::list(
            List::whole(value.array_arc().unwrap_or_default()),
            path.clone(),
        )),
        doc::Kind::Object(_) => Dynamic::from(Node {
            kind: Kind::Object(value.object_arc().unwrap_or_default()),
            path: path.clone(),
        }),
    }
}

/// Iterating a list yields its items; iterating an object yields its keys (sorted).
pub struct NodeIter {
    node: Node,
    keys: Option<Vec<Dynamic>>,
    pos: usize,
}

impl Iterator for NodeIter {
    type Item = Dynamic;
    fn next(&mut self) -> Option<Dynamic> {
        let out = match &self.keys {
            Some(keys) => keys.get(self.pos).cloned(),
            None => self.node.item(self.pos),
        };
        self.pos += 1;
        out
    }
}

impl IntoIterator for Node {
    type Item = Dynamic;
    type IntoIter = NodeIter;
    fn into_iter(self) -> NodeIter {
        let keys = self
            .as_object()
            .map(|o| o.keys().map(|k| Dynamic::from(k.clone())).collect());
        NodeIter {
            node: self,
            keys,
            pos: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_gives_every_item_once_in_order_and_warms_only_items_of_its_range() {
        let int = |v: &Value| match v.kind() {
            crate::doc::Kind::Int(i) => Some(i),
            _ => None,
        };
        for len in [0usize, 1, 3, 9, 17, 40] {
            let items: Vec<Value> = (0..len as i64).map(Value::int).collect();
            let whole = List::whole(Arc::new(items));
            let every_third: Vec<u32> = (0..len as u32).filter(|i| i % 3 == 0).collect();
            let view = whole.pick(every_third.clone());
            for (list, expect) in [
                (&whole, (0..len).collect::<Vec<_>>()),
                (&view, every_third.iter().map(|&i| i as usize).collect()),
            ] {
                for range in [0..list.len(), 1..list.len(), 0..list.len() / 2, 2..50] {
                    let warmed = std::cell::RefCell::new(Vec::new());
                    let got: Vec<usize> = list
                        .scan(range.clone(), |v, _| {
                            warmed.borrow_mut().push(int(v));
                        })
                        .map(|(i, v)| {
                            assert_eq!(int(v), Some(i as i64));
                            i
                        })
                        .collect();
                    let want: Vec<usize> = expect
                        .get(range.start.min(expect.len())..range.end.min(expect.len()))
                        .unwrap_or_default()
                        .to_vec();
                    assert_eq!(got, want, "{len} {range:?}");
                    // Warmed: only items the scan itself reaches later.
                    for w in warmed.into_inner() {
                        let w = w.expect("an item") as usize;
                        assert!(want.contains(&w), "{len} {range:?}: warmed {w}");
                    }
                    let via_range: Vec<usize> = list.range(range.clone()).map(|(i, _)| i).collect();
                    assert_eq!(via_range, want);
                }
            }
        }
    }
}
