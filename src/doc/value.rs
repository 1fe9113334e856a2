//! The loaded document's values: a compact, immutable JSON tree whose clones are cheap.
//!
//! Containers and strings sit behind `Arc`s (strings behind `Str`'s thin one), so handing
//! any sub-tree to a rule (or to a thousand rules on several threads) is a reference-count
//! bump, never a deep copy. Keys are `rhai::ImmutableString`s, interned by the loader.

use super::Str;
use rhai::ImmutableString;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::sync::Arc;

/// One JSON value of the loaded document. Under id keys (`load::ids::is_id_key`) the
/// loader stores numbers as `Str`, their decimal text, so ids compare as strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// JSON `null`; also what `Value::default()` gives.
    #[default]
    Null,
    /// JSON `true` or `false`.
    Bool(bool),
    /// A JSON number written without a fraction or exponent that fits an `i64`.
    Int(i64),
    /// Any other JSON number: one with a fraction or exponent, or an integer beyond `i64`
    /// (which may have lost digits).
    Float(f64),
    /// A JSON string.
    Str(Str),
    /// A JSON array, in document order; shared, so cloning it is a count increment.
    Array(Arc<Vec<Value>>),
    /// A JSON object (keys sorted, unique); shared, so cloning it is a count increment.
    Object(Arc<Object>),
}

/// A JSON object: keys sorted, unique (the last of duplicate keys wins, as in `serde_json`).
///
/// The keys live apart from the values, in a slice that objects of one shape share: the
/// records of a list repeat the same keys, so a 40-field ticket holds 40 values and one
/// pointer to its list's key slice, not 40 key pointers of its own (8 bytes a field, a
/// third of what an object takes).
#[derive(Clone, Debug)]
pub struct Object {
    keys: Arc<[ImmutableString]>,
    values: Box<[Value]>,
}

impl Default for Object {
    fn default() -> Object {
        Object {
            keys: Arc::from(Vec::new()),
            values: Box::default(),
        }
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        (Arc::ptr_eq(&self.keys, &other.keys) || self.keys == other.keys)
            && self.values == other.values
    }
}

/// Where a key sat in the objects read through `Object::get_hinted` (see there): the
/// address of their key slice and the key's position in it.
#[derive(Debug, Default)]
pub struct KeyHint(std::cell::Cell<(usize, usize)>);

impl Object {
    /// Builds an object from entries in any order; of duplicate keys the last one wins.
    pub fn from_entries(mut entries: Vec<(ImmutableString, Value)>) -> Object {
        if !entries
            .windows(2)
            .all(|w| w[0].0.as_str() < w[1].0.as_str())
        {
            // A stable sort keeps duplicates in input order, so keeping the last of a
            // run of equal keys is "last wins".
            entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            let mut kept = 0;
            for i in 0..entries.len() {
                if kept > 0 && entries[kept - 1].0 == entries[i].0 {
                    entries.swap(kept - 1, i);
                } else {
                    entries.swap(kept, i);
                    kept += 1;
                }
            }
            entries.truncate(kept);
        }
        let (keys, values): (Vec<_>, Vec<_>) = entries.into_iter().unzip();
        Object {
            keys: Arc::from(keys),
            values: values.into_boxed_slice(),
        }
    }

    /// An object of `keys` (sorted and unique, typically shared by every record of a
    /// list) and `values`, one per key in the same order.
    pub fn from_shape(keys: Arc<[ImmutableString]>, values: Vec<Value>) -> Object {
        debug_assert_eq!(keys.len(), values.len());
        debug_assert!(keys.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
        Object {
            keys,
            values: values.into_boxed_slice(),
        }
    }

    /// The value under `key` (a binary search of the sorted keys); `None` if it is absent.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The stored key and its value (the key is shared, so callers can keep it cheaply).
    pub fn get_entry(&self, key: &str) -> Option<(&ImmutableString, &Value)> {
        self.keys
            .binary_search_by(|k| k.as_str().cmp(key))
            .ok()
            .map(|i| (&self.keys[i], &self.values[i]))
    }

    /// `get`, remembering in `hint` where `key` sat in this object's key slice. The
    /// records of one list share their key slice (the loader gives every object of one
    /// shape the same one), so a scan that keeps its hint from one record to the next
    /// finds each key by comparing one address, without reading a key's text.
    ///
    /// `hint` must only be used while every object it was used on is alive (one scan of
    /// one list): an address names a key slice only while the slice exists.
    pub fn get_hinted(&self, key: &str, hint: &KeyHint) -> Option<&Value> {
        let shape = self.keys.as_ptr() as usize;
        let (seen, at) = hint.0.get();
        if seen == shape {
            return self.values.get(at);
        }
        // Not found: a position past the end, so the next object of this shape answers
        // `None` by the address alone as well.
        let at = self
            .keys
            .binary_search_by(|k| k.as_str().cmp(key))
            .unwrap_or(usize::MAX);
        hint.0.set((shape, at));
        self.values.get(at)
    }

    /// Whether `key` is present (with any value, `null` included).
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the object has no keys (`{}`).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The entries in key order (byte order of the keys, not the order of the source file).
    pub fn iter(&self) -> impl Iterator<Item = (&ImmutableString, &Value)> {
        self.keys.iter().zip(self.values.iter())
    }

    /// The keys in sorted (byte) order.
    pub fn keys(&self) -> impl Iterator<Item = &ImmutableString> {
        self.keys.iter()
    }
}

impl Value {
    /// A string value holding a copy of `s`.
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    /// An array value of `items`, in their order.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    /// An object value from entries in any order; of duplicate keys the last one wins.
    pub fn object(entries: Vec<(ImmutableString, Value)>) -> Value {
        Value::Object(Arc::new(Object::from_entries(entries)))
    }

    /// The object `{}`.
    pub fn empty_object() -> Value {
        Value::Object(Arc::new(Object::default()))
    }

    /// Whether this is JSON `null` (a missing key is not `null`: see `Object::get`).
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a string; `None` for any other type (numbers are not converted: see
    /// `scalar_text`).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The boolean; `None` for any other type (no truthiness: `"true"` and `1` give `None`).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of an array; `None` for any other type.
    pub fn as_array(&self) -> Option<&Arc<Vec<Value>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The object; `None` for any other type.
    pub fn as_object(&self) -> Option<&Arc<Object>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// `self[key]` for an object; `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }

    /// Follows a dotted path (`"zohoCRMContact.id"`); array elements are addressed by index.
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut cur = self;
        for seg in path.split('.') {
            cur = match cur {
                Value::Object(o) => o.get(seg)?,
                Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The JSON type name as a person would say it, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The text of a scalar as rules compare it: strings as they are, numbers and
    /// booleans in their JSON spelling; `None` for null and containers.
    pub fn scalar_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match self {
            Value::Str(s) => Some(Cow::Borrowed(s.as_str())),
            Value::Int(i) => Some(Cow::Owned(i.to_string())),
            Value::Float(f) => Some(Cow::Owned(f.to_string())),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }

    /// Converts to `serde_json::Value` (for `query` output and tests; not on hot paths).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Builds from `serde_json::Value` without any id normalisation (tests and small inputs).
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN))),
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::object(
                o.iter()
                    .map(|(k, v)| (k.as_str().into(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(x) => s.serialize_str(x),
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a.iter() {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(k.as_str(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_the_last_of_duplicate_keys_and_look_up_by_key() {
        let o = Object::from_entries(vec![
            ("b".into(), Value::Int(1)),
            ("a".into(), Value::Int(2)),
            ("b".into(), Value::Int(3)),
        ]);
        assert_eq!(o.len(), 2);
        assert_eq!(o.get("b"), Some(&Value::Int(3)));
        assert_eq!(o.get("a"), Some(&Value::Int(2)));
        assert_eq!(o.get("c"), None);
    }

    #[test]
    fn a_hint_follows_shapes_and_never_answers_for_another_one() {
        let keys: Arc<[ImmutableString]> = Arc::from(vec!["a".into(), "b".into()]);
        let one = Object::from_shape(keys.clone(), vec![Value::Int(1), Value::Int(2)]);
        let two = Object::from_shape(keys, vec![Value::Int(3), Value::Int(4)]);
        // Another shape holding "b" at another position, and one without it.
        let other = Object::from_entries(vec![("b".into(), Value::Int(5))]);
        let without = Object::from_entries(vec![("c".into(), Value::Int(6))]);
        let hint = KeyHint::default();
        let b = |o: &Object| o.get_hinted("b", &hint).cloned();
        assert_eq!(b(&one), Some(Value::Int(2)));
        assert_eq!(b(&two), Some(Value::Int(4)));
        assert_eq!(b(&other), Some(Value::Int(5)));
        assert_eq!(b(&without), None);
        assert_eq!(b(&without), None);
        assert_eq!(b(&one), Some(Value::Int(2)));
        assert_eq!(Object::default().get_hinted("b", &hint), None);
    }

    #[test]
    fn dotted_paths_reach_into_objects_and_arrays() {
        let v = Value::from_json(&serde_json::json!({"a": {"b": [{"c": "x"}]}}));
        assert_eq!(v.get_path("a.b.0.c").and_then(Value::as_str), Some("x"));
        assert_eq!(v.get_path("a.z"), None);
    }
}
