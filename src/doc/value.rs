//! The loaded document's values: a compact, immutable JSON tree whose clones are cheap.
//!
//! Containers and strings sit behind `Arc`, so handing any sub-tree to a rule (or to
//! a thousand rules on several threads) is a reference-count bump, never a deep copy.
//! Strings are `rhai::ImmutableString` so a rule reads them without a copy as well.

use rhai::ImmutableString;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(ImmutableString),
    Array(Arc<Vec<Value>>),
    Object(Arc<Object>),
}

/// A JSON object: keys sorted, unique (the last of duplicate keys wins, as in `serde_json`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    entries: Vec<(ImmutableString, Value)>,
}

impl Object {
    /// Builds an object from entries in any order; of duplicate keys the last one wins.
    pub fn from_entries(mut entries: Vec<(ImmutableString, Value)>) -> Object {
        // In place: a 500 MB export builds millions of objects, so no second vector.
        if entries
            .windows(2)
            .all(|w| w[0].0.as_str() < w[1].0.as_str())
        {
            return Object { entries };
        }
        // A stable sort keeps duplicates in input order, so keeping the last of a run
        // of equal keys is "last wins".
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
        Object { entries }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The stored key and its value (the key is shared, so callers can keep it cheaply).
    pub fn get_entry(&self, key: &str) -> Option<(&ImmutableString, &Value)> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| (&self.entries[i].0, &self.entries[i].1))
    }

    /// `get`, looking first at position `hint` and leaving there where `key` was found.
    /// The records of one list share a shape, so a scan that keeps its hint from one
    /// record to the next finds each key with one comparison, touching one cache line of
    /// the record instead of a binary search's several.
    pub fn get_hinted(&self, key: &str, hint: &std::cell::Cell<usize>) -> Option<&Value> {
        if let Some((k, v)) = self.entries.get(hint.get())
            && k.as_str() == key
        {
            return Some(v);
        }
        let i = self
            .entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()?;
        hint.set(i);
        Some(&self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&ImmutableString, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &ImmutableString> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// A copy with `key` set to `value` (used while assembling the document, not by rules).
    #[must_use]
    pub fn with(&self, key: &str, value: Value) -> Object {
        let mut entries = self.entries.clone();
        entries.push((key.into(), value));
        Object::from_entries(entries)
    }

    /// A copy without `key`.
    #[must_use]
    pub fn without(&self, key: &str) -> Object {
        Object {
            entries: self
                .entries
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .cloned()
                .collect(),
        }
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    pub fn object(entries: Vec<(ImmutableString, Value)>) -> Value {
        Value::Object(Arc::new(Object::from_entries(entries)))
    }

    pub fn empty_object() -> Value {
        Value::Object(Arc::new(Object::default()))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Arc<Vec<Value>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

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
    fn dotted_paths_reach_into_objects_and_arrays() {
        let v = Value::from_json(&serde_json::json!({"a": {"b": [{"c": "x"}]}}));
        assert_eq!(v.get_path("a.b.0.c").and_then(Value::as_str), Some("x"));
        assert_eq!(v.get_path("a.z"), None);
    }
}
