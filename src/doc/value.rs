//! The loaded document's values: a compact, immutable JSON tree whose clones are cheap.
//!
//! Containers and strings sit behind `Arc`s (strings behind `Str`'s thin one), so handing
//! any sub-tree to a rule (or to a thousand rules on several threads) is a reference-count
//! bump, never a deep copy. Keys are `rhai::ImmutableString`s, interned by the loader.

use super::Str;
use rhai::ImmutableString;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::Arc;

/// One JSON value of the loaded document, in 8 bytes. Under id keys (`load::ids::is_id_key`)
/// the loader stores numbers as `Str`, their decimal text, so ids compare as strings.
///
/// A value is one word: a pointer to what it holds, or the value itself. Its low three bits
/// say which (every block it points at is aligned to 8, so they are free):
///
/// | bits | holds |
/// |---|---|
/// | `000` | a string: the `Str`'s own pointer, untouched (so `&Value` *is* a `&Str`) |
/// | `001` | an array: `Arc<Vec<Value>>` (`Arc::into_raw`) |
/// | `010` | an object: `Arc<Object>` |
/// | `011` | a number with a fraction or exponent: `Arc<f64>` |
/// | `100` | an integer of at most 61 bits, in the other 61 |
/// | `101` | a larger integer: `Arc<i64>` |
/// | `110` | `null` (`0`), `false` (`1`), `true` (`2`) in the bits above |
///
/// Records are mostly values (a 40-field ticket holds 40), so this halves what the enum it
/// replaces took (16 bytes: a tag, then an `i64`, `f64` or pointer). Read a value through
/// `kind` (or `as_str`, `as_object`, ...), which gives a `Kind` to match on.
#[repr(transparent)]
pub struct Value(NonNull<u8>);

const TAG: usize = 0b111;
const STR: usize = 0b000;
const ARRAY: usize = 0b001;
const OBJECT: usize = 0b010;
const FLOAT: usize = 0b011;
const INT: usize = 0b100;
const BIG_INT: usize = 0b101;
const CONST: usize = 0b110;

// SAFETY: a value owns an `Str` or an `Arc` of `Sync + Send` data (or nothing), exactly
// as the enum of them would.
unsafe impl Send for Value {}
// SAFETY: as above; nothing is ever written through a shared value.
unsafe impl Sync for Value {}

/// What a `Value` holds, borrowed from it: the form to `match` on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind<'a> {
    /// JSON `null`.
    Null,
    /// JSON `true` or `false`.
    Bool(bool),
    /// A JSON number written without a fraction or exponent that fits an `i64`.
    Int(i64),
    /// Any other JSON number: one with a fraction or exponent, or an integer beyond `i64`
    /// (which may have lost digits).
    Float(f64),
    /// A JSON string.
    Str(&'a Str),
    /// A JSON array, in document order.
    Array(&'a [Value]),
    /// A JSON object (keys sorted, unique).
    Object(&'a Object),
}

impl Value {
    /// JSON `null`; also what `Value::default()` gives.
    pub const NULL: Value = Value::constant(0);

    const fn constant(k: usize) -> Value {
        match NonZeroUsize::new(k << 3 | CONST) {
            Some(bits) => Value(NonNull::without_provenance(bits)),
            None => unreachable!(),
        }
    }

    /// A pointer (aligned to 8, so its low bits are free) marked with `tag`.
    fn tagged<T>(ptr: *const T, tag: usize) -> Value {
        let ptr = ptr.cast_mut().cast::<u8>().map_addr(|a| a | tag);
        Value(NonNull::new(ptr).expect("a shared block is never at address 0"))
    }

    fn tag(&self) -> usize {
        self.0.as_ptr().addr() & TAG
    }

    /// The block a pointer value points at.
    fn block<T>(&self) -> *const T {
        self.0.as_ptr().map_addr(|a| a & !TAG).cast_const().cast()
    }

    /// JSON `true` or `false`.
    pub fn bool(b: bool) -> Value {
        Value::constant(1 + usize::from(b))
    }

    /// A JSON integer.
    pub fn int(i: i64) -> Value {
        let shifted = i << 3;
        if shifted >> 3 == i {
            // Fits in 61 bits: kept in the value itself. `| INT` makes it non-zero.
            let bits = NonZeroUsize::new(shifted as usize | INT).expect("tagged");
            Value(NonNull::without_provenance(bits))
        } else {
            Value::tagged(Arc::into_raw(Arc::new(i)), BIG_INT)
        }
    }

    /// A JSON number with a fraction or exponent (or an integer beyond `i64`).
    pub fn float(f: f64) -> Value {
        Value::tagged(Arc::into_raw(Arc::new(f)), FLOAT)
    }

    /// A string value holding `s` (shared, not copied).
    pub fn string(s: Str) -> Value {
        Value(s.into_raw())
    }

    /// A string value holding a copy of `s`.
    pub fn str(s: &str) -> Value {
        Value::string(s.into())
    }

    /// An array value sharing `items`.
    pub fn shared_array(items: Arc<Vec<Value>>) -> Value {
        Value::tagged(Arc::into_raw(items), ARRAY)
    }

    /// An array value of `items`, in their order.
    pub fn array(items: Vec<Value>) -> Value {
        Value::shared_array(Arc::new(items))
    }

    /// An object value sharing `object`.
    pub fn shared_object(object: Arc<Object>) -> Value {
        Value::tagged(Arc::into_raw(object), OBJECT)
    }

    /// An object value from entries in any order; of duplicate keys the last one wins.
    pub fn object(entries: Vec<(ImmutableString, Value)>) -> Value {
        Value::shared_object(Arc::new(Object::from_entries(entries)))
    }

    /// The object `{}`.
    pub fn empty_object() -> Value {
        Value::shared_object(Arc::new(Object::default()))
    }

    /// What this value holds, to match on.
    #[inline]
    pub fn kind(&self) -> Kind<'_> {
        // SAFETY (every arm): the tag says what the block is; the value holds a reference
        // to it, so it lives at least as long as `&self`.
        match self.tag() {
            STR => Kind::Str(unsafe { &*(self as *const Value).cast::<Str>() }),
            ARRAY => Kind::Array(unsafe { &*self.block::<Vec<Value>>() }),
            OBJECT => Kind::Object(unsafe { &*self.block::<Object>() }),
            FLOAT => Kind::Float(unsafe { *self.block::<f64>() }),
            INT => Kind::Int(self.0.as_ptr().addr() as i64 >> 3),
            BIG_INT => Kind::Int(unsafe { *self.block::<i64>() }),
            _ => match self.0.as_ptr().addr() >> 3 {
                0 => Kind::Null,
                k => Kind::Bool(k == 2),
            },
        }
    }

    /// Whether this is JSON `null` (a missing key is not `null`: see `Object::get`).
    pub fn is_null(&self) -> bool {
        self.0.as_ptr().addr() == CONST
    }

    /// The text of a string; `None` for any other type (numbers are not converted: see
    /// `scalar_text`).
    pub fn as_str(&self) -> Option<&str> {
        self.as_text().map(Str::as_str)
    }

    /// The string itself (to share it); `None` for any other type.
    pub fn as_text(&self) -> Option<&Str> {
        match self.kind() {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean; `None` for any other type (no truthiness: `"true"` and `1` give `None`).
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind() {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The elements of an array; `None` for any other type.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self.kind() {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The array itself (another reference to it, not a copy); `None` for any other type.
    pub fn array_arc(&self) -> Option<Arc<Vec<Value>>> {
        (self.tag() == ARRAY).then(|| {
            let block = self.block::<Vec<Value>>();
            // SAFETY: an ARRAY value holds one reference to this `Arc`; a new one is made.
            unsafe {
                Arc::increment_strong_count(block);
                Arc::from_raw(block)
            }
        })
    }

    /// The object; `None` for any other type.
    pub fn as_object(&self) -> Option<&Object> {
        match self.kind() {
            Kind::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The object itself (another reference to it, not a copy); `None` for any other type.
    pub fn object_arc(&self) -> Option<Arc<Object>> {
        (self.tag() == OBJECT).then(|| {
            let block = self.block::<Object>();
            // SAFETY: an OBJECT value holds one reference to this `Arc`; a new one is made.
            unsafe {
                Arc::increment_strong_count(block);
                Arc::from_raw(block)
            }
        })
    }

    /// Asks the processor to start loading what this value points at (an object's or an
    /// array's header, a string's text), for a scan that reads it a few items later:
    /// records lie apart in memory, and a scan waiting for each in turn waits on memory
    /// most of its time. Only a hint: nothing is read, nothing can fault.
    #[inline]
    pub fn prefetch(&self) {
        if !matches!(self.tag(), INT | CONST) {
            prefetch(self.block::<u8>());
        }
    }

    /// `prefetch` one step deeper: the line of this object's values that holds the key
    /// `hint` last found (in an object of the same shape), once a `prefetch` some items
    /// ago has loaded the object's header.
    #[inline]
    pub fn prefetch_hinted(&self, hint: &KeyHint) {
        if let Some(o) = self.as_object()
            && let Some(at) = o.hinted_position(hint)
        {
            prefetch(o.values[at..].as_ptr().cast());
        }
    }

    /// `prefetch` two steps deeper: what the value at the key `hint` last found points
    /// at (a string's text, an array), once its line of values has been loaded.
    #[inline]
    pub fn prefetch_hinted_target(&self, hint: &KeyHint) {
        if let Some(o) = self.as_object()
            && let Some(at) = o.hinted_position(hint)
        {
            o.values[at].prefetch();
        }
    }

    /// The address of the array or object this value holds (0 for any other): equal for
    /// two values only when they share it, as long as both are alive.
    pub fn container_address(&self) -> usize {
        match self.tag() {
            ARRAY | OBJECT => self.block::<u8>().addr(),
            _ => 0,
        }
    }
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

    /// Where `hint` says its key sits in this object, if it was last found in an object
    /// of this shape (reads the hint, never changes it).
    #[inline]
    fn hinted_position(&self, hint: &KeyHint) -> Option<usize> {
        let (seen, at) = hint.0.get();
        (seen == self.keys.as_ptr() as usize && at < self.values.len()).then_some(at)
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
    /// `self[key]` for an object; `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }

    /// Follows a dotted path (`"zohoCRMContact.id"`); array elements are addressed by index.
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut cur = self;
        for seg in path.split('.') {
            cur = match cur.kind() {
                Kind::Object(o) => o.get(seg)?,
                Kind::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The JSON type name as a person would say it, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind() {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) | Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// The text of a scalar as rules compare it: strings as they are, numbers and
    /// booleans in their JSON spelling; `None` for null and containers.
    pub fn scalar_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match self.kind() {
            Kind::Str(s) => Some(Cow::Borrowed(s.as_str())),
            Kind::Int(i) => Some(Cow::Owned(i.to_string())),
            Kind::Float(f) => Some(Cow::Owned(f.to_string())),
            Kind::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
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
            serde_json::Value::Null => Value::NULL,
            serde_json::Value::Bool(b) => Value::bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Value::int)
                .unwrap_or_else(|| Value::float(n.as_f64().unwrap_or(f64::NAN))),
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

/// A hint to load the cache line at `p` (see `Value::prefetch`).
#[inline]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch only hints: it never faults and reads nothing, at any address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl Clone for Value {
    fn clone(&self) -> Value {
        // SAFETY (every arm): the value holds one reference to its block; one more is made.
        unsafe {
            match self.tag() {
                STR => {
                    (*(self as *const Value).cast::<Str>()).clone().into_raw();
                }
                ARRAY => Arc::increment_strong_count(self.block::<Vec<Value>>()),
                OBJECT => Arc::increment_strong_count(self.block::<Object>()),
                FLOAT => Arc::increment_strong_count(self.block::<f64>()),
                BIG_INT => Arc::increment_strong_count(self.block::<i64>()),
                _ => {}
            }
        }
        Value(self.0)
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        // SAFETY (every arm): the value's own reference to its block, given back once.
        unsafe {
            match self.tag() {
                STR => drop(Str::from_raw(self.0)),
                ARRAY => drop(Arc::from_raw(self.block::<Vec<Value>>())),
                OBJECT => drop(Arc::from_raw(self.block::<Object>())),
                FLOAT => drop(Arc::from_raw(self.block::<f64>())),
                BIG_INT => drop(Arc::from_raw(self.block::<i64>())),
                _ => {}
            }
        }
    }
}

impl Default for Value {
    fn default() -> Value {
        Value::NULL
    }
}

impl PartialEq for Value {
    #[inline]
    fn eq(&self, other: &Value) -> bool {
        // One word is one value: a shared string, an integer, null or a boolean (not a
        // float's block, as NaN is not equal to itself, nor a container, which may hold one).
        if self.0 == other.0 && matches!(self.tag(), STR | INT | CONST) {
            return true;
        }
        self.kind() == other.kind()
    }
}

/// As the enum it replaces printed itself (`Int(3)`, `Str("a")`, `Array([...])`).
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            Kind::Null => f.write_str("Null"),
            Kind::Bool(b) => f.debug_tuple("Bool").field(&b).finish(),
            Kind::Int(i) => f.debug_tuple("Int").field(&i).finish(),
            Kind::Float(x) => f.debug_tuple("Float").field(&x).finish(),
            Kind::Str(s) => f.debug_tuple("Str").field(s).finish(),
            Kind::Array(a) => f.debug_tuple("Array").field(&a).finish(),
            Kind::Object(o) => f.debug_tuple("Object").field(o).finish(),
        }
    }
}

impl From<Str> for Value {
    fn from(s: Str) -> Value {
        Value::string(s)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.kind() {
            Kind::Null => s.serialize_unit(),
            Kind::Bool(b) => s.serialize_bool(b),
            Kind::Int(i) => s.serialize_i64(i),
            Kind::Float(f) => s.serialize_f64(f),
            Kind::Str(x) => s.serialize_str(x),
            Kind::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a.iter() {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Kind::Object(o) => {
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
    fn a_value_is_one_word_and_an_absent_one_costs_nothing_more() {
        assert_eq!(std::mem::size_of::<Value>(), 8);
        assert_eq!(std::mem::size_of::<Option<Value>>(), 8);
    }

    #[test]
    fn every_kind_reads_back_as_written() {
        let cases = [
            (Value::NULL, "null"),
            (Value::default(), "null"),
            (Value::bool(false), "false"),
            (Value::bool(true), "true"),
            (Value::int(0), "0"),
            (Value::int(-1), "-1"),
            // The largest and smallest integers kept in the word, and one past each.
            (Value::int((1 << 60) - 1), "1152921504606846975"),
            (Value::int(-(1 << 60)), "-1152921504606846976"),
            (Value::int(1 << 60), "1152921504606846976"),
            (Value::int(-(1 << 60) - 1), "-1152921504606846977"),
            (Value::int(i64::MAX), "9223372036854775807"),
            (Value::int(i64::MIN), "-9223372036854775808"),
            (Value::float(-0.0), "-0.0"),
            (Value::float(1.5e300), "1.5e+300"),
            (Value::str(""), r#""""#),
            (Value::str("問い合わせ"), r#""問い合わせ""#),
            (Value::array(vec![Value::int(1), Value::NULL]), "[1,null]"),
            (
                Value::object(vec![("k".into(), Value::bool(true))]),
                r#"{"k":true}"#,
            ),
        ];
        for (v, json) in cases {
            assert_eq!(serde_json::to_string(&v).unwrap(), json, "{v:?}");
            assert_eq!(v.clone(), v, "{json}");
            let back = Value::from_json(&serde_json::from_str(json).unwrap());
            assert_eq!(back, v, "{json}");
        }
        assert_eq!(Value::int(i64::MIN).kind(), Kind::Int(i64::MIN));
        assert_eq!(Value::int(-(1 << 60)).kind(), Kind::Int(-(1 << 60)));
        assert!(Value::NULL.is_null() && !Value::bool(false).is_null());
        assert_ne!(Value::int(1), Value::float(1.0));
        assert_ne!(Value::bool(false), Value::NULL);
        assert_ne!(Value::float(f64::NAN), Value::float(f64::NAN));
        assert_eq!(format!("{:?}", Value::str("a")), r#"Str("a")"#);
        assert_eq!(format!("{:?}", Value::int(3)), "Int(3)");
    }

    #[test]
    fn clones_share_the_block_and_the_last_drop_frees_it() {
        let a = Arc::new(vec![Value::str("x")]);
        let v = Value::shared_array(a.clone());
        let w = v.clone();
        assert_eq!(Arc::strong_count(&a), 3);
        assert!(Arc::ptr_eq(&w.array_arc().unwrap(), &a));
        assert_eq!(v.container_address(), w.container_address());
        drop(v);
        drop(w);
        assert_eq!(Arc::strong_count(&a), 1);

        let o = Arc::new(Object::from_entries(vec![(
            "k".into(),
            Value::int(1 << 62),
        )]));
        let v = Value::shared_object(o.clone());
        let copies: Vec<Value> = (0..3).map(|_| v.clone()).collect();
        assert_eq!(Arc::strong_count(&o), 5);
        std::thread::scope(|scope| {
            for c in copies {
                scope.spawn(move || assert_eq!(c.get("k"), Some(&Value::int(1 << 62))));
            }
        });
        drop(v);
        assert_eq!(Arc::strong_count(&o), 1);
        assert!(Value::str("a").array_arc().is_none());
        assert!(Value::int(3).object_arc().is_none());
        assert_eq!(Value::str("a").container_address(), 0);
    }

    #[test]
    fn objects_keep_the_last_of_duplicate_keys_and_look_up_by_key() {
        let o = Object::from_entries(vec![
            ("b".into(), Value::int(1)),
            ("a".into(), Value::int(2)),
            ("b".into(), Value::int(3)),
        ]);
        assert_eq!(o.len(), 2);
        assert_eq!(o.get("b"), Some(&Value::int(3)));
        assert_eq!(o.get("a"), Some(&Value::int(2)));
        assert_eq!(o.get("c"), None);
    }

    #[test]
    fn a_hint_follows_shapes_and_never_answers_for_another_one() {
        let keys: Arc<[ImmutableString]> = Arc::from(vec!["a".into(), "b".into()]);
        let one = Object::from_shape(keys.clone(), vec![Value::int(1), Value::int(2)]);
        let two = Object::from_shape(keys, vec![Value::int(3), Value::int(4)]);
        // Another shape holding "b" at another position, and one without it.
        let other = Object::from_entries(vec![("b".into(), Value::int(5))]);
        let without = Object::from_entries(vec![("c".into(), Value::int(6))]);
        let hint = KeyHint::default();
        let b = |o: &Object| o.get_hinted("b", &hint).cloned();
        assert_eq!(b(&one), Some(Value::int(2)));
        assert_eq!(b(&two), Some(Value::int(4)));
        assert_eq!(b(&other), Some(Value::int(5)));
        assert_eq!(b(&without), None);
        assert_eq!(b(&without), None);
        assert_eq!(b(&one), Some(Value::int(2)));
        assert_eq!(Object::default().get_hinted("b", &hint), None);
    }

    #[test]
    fn dotted_paths_reach_into_objects_and_arrays() {
        let v = Value::from_json(&serde_json::json!({"a": {"b": [{"c": "x"}]}}));
        assert_eq!(v.get_path("a.b.0.c").and_then(Value::as_str), Some("x"));
        assert_eq!(v.get_path("a.z"), None);
    }
}
