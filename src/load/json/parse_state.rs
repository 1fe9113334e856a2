//! The per-thread parse state (`ParseState`): key interning and classification (ids, id
//! lists, secrets), the scratch stacks containers are built on, and which values go
//! through the caches of `cache` and `shapes`.

use super::super::{ids, secrets};
use super::cache::{
    SmallArrays, SmallObjects, StrCache, WordHasher, same_item, small_array_hash, small_object_hash,
};
use super::shapes::Shapes;
use crate::doc::{Object, Value};
use rhai::ImmutableString;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

/// What a key tells about its value; worked out once per distinct key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyClass {
    Plain,
    Id,
    IdList,
    Secret,
}

pub(super) fn classify(key: &str) -> KeyClass {
    if secrets::is_secret_key(key) {
        KeyClass::Secret
    } else if ids::is_id_key(key) {
        KeyClass::Id
    } else if ids::is_id_list_key(key) {
        KeyClass::IdList
    } else {
        KeyClass::Plain
    }
}

/// One file's parse state. Owns what makes a 500 MB export cheap to hold:
///
/// - a key interner: a ticket list repeats the same few dozen keys millions of times,
///   so each distinct key is allocated (and classified) once;
/// - a cache of short string values (`Open`, `Email`, department ids, ...): a value seen
///   again shares the first one's allocation;
/// - scratch stacks that arrays and objects collect their items on, so each container
///   is allocated once at its exact size (growing a `Vec` per object would leave up to
///   half of it unused and churn the allocator);
/// - one shared empty array and empty object (`"sharedDepartments": []` on every ticket),
///   and a cache of small objects of scalars: the lookups that repeat on every record
///   (`"Owner": {"name", "id", "email"}`, a ticket's `source`) share one copy.
#[derive(Default)]
pub(super) struct ParseState {
    /// Each interned key's index in `keys`.
    seen: HashMap<Box<str>, usize, BuildHasherDefault<WordHasher>>,
    /// The interned keys, by index (see `intern`).
    keys: Vec<Interned>,
    /// The index of the key that began the last object (a guess for the next one).
    first_key: usize,
    /// The key whose value is being read (an index into `keys`).
    current: usize,
    redacted: Option<crate::doc::Str>,
    strings: StrCache,
    pub(super) items: Vec<Value>,
    pub(super) entries: Vec<(ImmutableString, Value)>,
    empty_array: Option<Arc<Vec<Value>>>,
    empty_object: Option<Arc<Object>>,
    small_objects: SmallObjects,
    small_arrays: SmallArrays,
    shapes: Shapes,
    /// While `split` parses a skeleton: the arrays its placeholder strings stand for.
    pub(super) placeholders: Option<Placeholders>,
}

/// Arrays parsed apart from the text around them (see `split`): the string `prefix` +
/// `n` in that text stands for `arrays[n]`.
pub(super) struct Placeholders {
    pub(super) prefix: String,
    pub(super) arrays: Vec<Option<Vec<Value>>>,
}

/// A key as the interner keeps it.
struct Interned {
    name: ImmutableString,
    class: KeyClass,
    /// How well its values hit the string cache (see `ParseState::string`).
    sharing: Sharing,
    /// The index of the key that followed it last time (a guess for the next time).
    next: usize,
}

/// No key (before an object's first key; a guess not yet made).
pub(super) const NO_KEY: usize = usize::MAX;

/// How often a key's string values were found in the cache, over its first
/// `SHARING_SAMPLE` values.
#[derive(Clone, Copy, Debug, Default)]
struct Sharing {
    lookups: u32,
    hits: u32,
}

const SHARING_SAMPLE: u32 = 1024;

/// More distinct keys than any API response has: past this, the interner starts over,
/// so a hostile file cannot make it hold on to memory.
const MAX_KEPT_KEYS: usize = 4096;

impl ParseState {
    /// Readies the state for a new file (a failed parse may have left items behind).
    pub(super) fn begin_file(&mut self) {
        self.items.clear();
        self.entries.clear();
        if self.seen.len() > MAX_KEPT_KEYS {
            self.seen.clear();
            self.keys.clear();
            self.first_key = NO_KEY;
        }
    }

    /// A string value, shared with an equal one read before when the key's values
    /// repeat. Values of a key that seldom repeat (ids, times, URLs) skip the cache
    /// after a sample: looking each one up in a table larger than the CPU's caches would
    /// cost more than the allocation it seldom saves.
    pub(super) fn string(&mut self, s: &str) -> Value {
        let Some(Interned { sharing, .. }) = self.keys.get_mut(self.current) else {
            return Value::string(self.strings.get(s).0);
        };
        if sharing.lookups >= SHARING_SAMPLE && sharing.hits * 8 < sharing.lookups {
            return Value::string(s.into());
        }
        let (value, hit) = self.strings.get(s);
        if sharing.lookups < SHARING_SAMPLE {
            sharing.lookups += 1;
            sharing.hits += u32::from(hit);
        }
        Value::string(value)
    }

    /// The array a placeholder string stands for, while a skeleton is parsed.
    pub(super) fn placeholder(&mut self, text: &str) -> Option<Value> {
        let p = self.placeholders.as_mut()?;
        let n: usize = text.strip_prefix(p.prefix.as_str())?.parse().ok()?;
        let items = p.arrays.get_mut(n)?.take()?;
        Some(if items.is_empty() {
            Value::shared_array(self.empty_array.get_or_insert_with(Arc::default).clone())
        } else {
            Value::shared_array(Arc::new(items))
        })
    }

    /// The items pushed on the scratch stack since `start`, as one exactly sized array.
    pub(super) fn array_from(&mut self, start: usize) -> Value {
        if start == self.items.len() {
            return Value::shared_array(self.empty_array.get_or_insert_with(Arc::default).clone());
        }
        let Some(h) = small_array_hash(&self.items[start..]) else {
            return Value::shared_array(Arc::new(self.items.drain(start..).collect()));
        };
        let n = self.small_arrays.slots.len();
        let slot = &mut self.small_arrays.slots[(h ^ (h >> 32)) as usize % n];
        let tail = &self.items[start..];
        if let Some(hit) = slot
            && hit.len() == tail.len()
            && hit.iter().zip(tail).all(|(a, b)| same_item(a, b))
        {
            let shared = hit.clone();
            self.items.truncate(start);
            return Value::shared_array(shared);
        }
        let fresh = Arc::new(self.items.drain(start..).collect::<Vec<_>>());
        *slot = Some(fresh.clone());
        Value::shared_array(fresh)
    }

    /// The entries pushed on the scratch stack since `start`, as one object.
    pub(super) fn object_from(&mut self, start: usize) -> Value {
        if start == self.entries.len() {
            return Value::shared_object(
                self.empty_object.get_or_insert_with(Arc::default).clone(),
            );
        }
        let tail = &mut self.entries[start..];
        // Sorted here, `from_entries` finds nothing left to do (duplicates aside).
        let shape = match self.shapes.sort(tail) {
            Some(shape) => shape,
            None => {
                tail.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                tail.windows(2)
                    .all(|w| w[0].0 != w[1].0)
                    .then(|| tail.iter().map(|(k, _)| k.clone()).collect())
            }
        };
        let Some(keys) = shape else {
            let entries: Vec<(ImmutableString, Value)> = self.entries.drain(start..).collect();
            return Value::shared_object(Arc::new(Object::from_entries(entries)));
        };
        let fresh = |entries: &mut Vec<(ImmutableString, Value)>| {
            let values = entries.drain(start..).map(|(_, v)| v).collect();
            Arc::new(Object::from_shape(keys, values))
        };
        let Some(h) = small_object_hash(&self.entries[start..]) else {
            return Value::shared_object(fresh(&mut self.entries));
        };
        let n = self.small_objects.slots.len();
        let slot = &mut self.small_objects.slots[(h ^ (h >> 32)) as usize % n];
        let tail = &self.entries[start..];
        if let Some(hit) = slot
            && hit.len() == tail.len()
            && hit
                .iter()
                .zip(tail.iter())
                .all(|((hk, hv), (k, v))| hk == k && hv == v)
        {
            let shared = hit.clone();
            self.entries.truncate(start);
            return Value::shared_object(shared);
        }
        let fresh = fresh(&mut self.entries);
        *slot = Some(fresh.clone());
        Value::shared_object(fresh)
    }

    /// The interned `key`, its class and its index, `prev` being the index of the key
    /// before it in its object (`NO_KEY` for the first). The records of a list repeat
    /// their keys in the same order, so the key that followed `prev` last time is
    /// checked first: one comparison of a short text instead of a hash and a lookup
    /// (the lookup was 11% of the large export's load).
    pub(super) fn intern(&mut self, prev: usize, key: &str) -> (ImmutableString, KeyClass, usize) {
        let guess = match prev {
            NO_KEY => self.first_key,
            p => self.keys.get(p).map_or(NO_KEY, |k| k.next),
        };
        if let Some(k) = self.keys.get(guess)
            && k.name.as_str() == key
        {
            self.current = guess;
            return (k.name.clone(), k.class, guess);
        }
        let ix = match self.seen.get(key) {
            Some(&ix) => ix,
            None => {
                let ix = self.keys.len();
                self.keys.push(Interned {
                    name: key.into(),
                    class: classify(key),
                    sharing: Sharing::default(),
                    next: NO_KEY,
                });
                self.seen.insert(key.into(), ix);
                ix
            }
        };
        match prev {
            NO_KEY => self.first_key = ix,
            p => {
                if let Some(k) = self.keys.get_mut(p) {
                    k.next = ix;
                }
            }
        }
        self.current = ix;
        let k = &self.keys[ix];
        (k.name.clone(), k.class, ix)
    }

    pub(super) fn redacted(&mut self) -> Value {
        Value::string(
            self.redacted
                .get_or_insert_with(|| secrets::REDACTED.into())
                .clone(),
        )
    }
}
