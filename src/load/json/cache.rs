//! Sharing repeated values while parsing: a fast hash, a lossy cache of short strings,
//! one of small objects of scalars and one of small arrays of those.

use crate::doc::{Kind, Object, Str, Value};
use rhai::ImmutableString;
use std::sync::Arc;

/// Objects of at most this many entries, all scalars, are shared when equal.
const SMALL_OBJECT_MAX: usize = 8;

/// A fixed-size, lossy cache of small objects (as `StrCache` is of strings).
pub(super) struct SmallObjects {
    pub(super) slots: Vec<Option<Arc<Object>>>,
}

impl Default for SmallObjects {
    fn default() -> SmallObjects {
        SmallObjects {
            slots: vec![None; CACHE_SLOTS / 4],
        }
    }
}

/// Arrays of at most this many items, each a scalar or an object, are shared when
/// equal (objects compared by address: the small ones are shared already).
const SMALL_ARRAY_MAX: usize = 4;

/// A fixed-size, lossy cache of small arrays: a ticket's `sharedDepartments`
/// (`[{"id", "name", "type"}]`) repeats a few department objects, so one copy of each
/// combination serves every ticket. Besides memory (an array is two blocks, 70 to 100
/// bytes), a scan that reads the array in every record then reads memory it has just
/// read, instead of two blocks of its own per record.
pub(super) struct SmallArrays {
    pub(super) slots: Vec<Option<Arc<Vec<Value>>>>,
}

impl Default for SmallArrays {
    fn default() -> SmallArrays {
        SmallArrays {
            slots: vec![None; CACHE_SLOTS / 8],
        }
    }
}

/// The hash of `items` when the array may be shared: few, and every item null, a bool,
/// an integer, a short string or an object (by its address).
pub(super) fn small_array_hash(items: &[Value]) -> Option<u64> {
    if items.len() > SMALL_ARRAY_MAX {
        return None;
    }
    let mut h = fnv(FNV_START, &[items.len() as u8]);
    for v in items {
        h = match v.kind() {
            Kind::Object(o) => fnv(
                fnv(h, b"\x05"),
                &(o as *const Object as usize).to_le_bytes(),
            ),
            _ => scalar_hash(h, v)?,
        };
    }
    Some(h)
}

/// Whether two items of arrays `small_array_hash` accepts are the same: objects by
/// address, scalars by value.
pub(super) fn same_item(a: &Value, b: &Value) -> bool {
    match (a.kind(), b.kind()) {
        (Kind::Object(x), Kind::Object(y)) => std::ptr::eq(x, y),
        (Kind::Float(_), _) | (_, Kind::Float(_)) => false,
        _ => a == b,
    }
}

/// `h` continued with a scalar that can be shared; `None` for anything else.
fn scalar_hash(h: u64, v: &Value) -> Option<u64> {
    Some(match v.kind() {
        Kind::Null => fnv(h, b"\x01"),
        Kind::Bool(b) => fnv(h, &[2, u8::from(b)]),
        Kind::Int(i) => fnv(fnv(h, b"\x03"), &i.to_le_bytes()),
        Kind::Str(s) if s.len() <= CACHED_STRING_MAX => fnv(fnv(h, b"\x04"), s.as_bytes()),
        _ => return None,
    })
}

/// A fast hash of `bytes`, continuing from `h`: eight bytes a step (as FxHash does),
/// for the caches' slots and the key interner (never for anything an attacker could
/// exploit beyond a slower parse: the caches are fixed-size and lossy).
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(WORD_MUL);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59))
            .wrapping_mul(WORD_MUL);
    }
    h
}

pub(super) const WORD_MUL: u64 = 0x517c_c1b7_2722_0a95;

/// `fnv` as a `Hasher`, for the key interner's map.
#[derive(Default, Clone, Copy)]
pub(super) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // Spread the high bits down: the map uses both ends of the hash.
        self.0 ^ (self.0 >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(self.0 ^ FNV_START, bytes);
    }
}

pub(super) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The hash of sorted, unique `entries` when they may be shared: few, and every value
/// null, a bool, an integer or a short string (floats are left out: `0.0 == -0.0`, but
/// they print differently).
pub(super) fn small_object_hash(entries: &[(ImmutableString, Value)]) -> Option<u64> {
    if entries.len() > SMALL_OBJECT_MAX {
        return None;
    }
    let mut h = FNV_START;
    for (k, v) in entries {
        h = scalar_hash(fnv(h, k.as_bytes()), v)?;
    }
    Some(h)
}

/// Strings up to this many bytes go through the cache: enumerations and ids repeat,
/// longer texts (URLs, subjects, descriptions) seldom do.
const CACHED_STRING_MAX: usize = 64;
/// Slots of the cache: a direct-mapped table, so its size is fixed (a 500 MB single-file
/// export holds millions of distinct ids, which must not all be kept).
const CACHE_SLOTS: usize = 1 << 15;

/// A fixed-size, lossy string interner: a value whose slot holds an equal string shares
/// it. A string takes a slot that holds another only when it is seen there a second
/// time: unique ids then just pass, instead of each pushing out the slot's string, whose
/// release touches memory written long ago (that release was 40% of the cache's time
/// on the large export, the cache 15% of the load).
pub(super) struct StrCache {
    slots: Vec<Slot>,
}

/// One slot of the cache: 16 bytes, so four share a cache line.
#[derive(Clone, Default)]
struct Slot {
    /// Part of the hash of `text`, so a miss (most unique ids) is told without reading it.
    hash: u32,
    /// Part of the hash of the last string that missed here without taking the slot.
    pending: u32,
    text: Option<Str>,
}

impl Default for StrCache {
    fn default() -> StrCache {
        StrCache {
            slots: vec![Slot::default(); CACHE_SLOTS],
        }
    }
}

impl StrCache {
    /// The shared string equal to `s`, and whether it was in the cache.
    pub(super) fn get(&mut self, s: &str) -> (Str, bool) {
        if s.len() > CACHED_STRING_MAX {
            return (s.into(), false);
        }
        let h = fnv(FNV_START, s.as_bytes());
        let tag = (h >> 32) as u32;
        let slot = &mut self.slots[(h ^ (h >> 32)) as usize % CACHE_SLOTS];
        if slot.hash == tag
            && let Some(hit) = &slot.text
            && hit.as_str() == s
        {
            return (hit.clone(), true);
        }
        let fresh = Str::new(s);
        if slot.text.is_none() || slot.pending == tag {
            slot.text = Some(fresh.clone());
            slot.hash = tag;
        } else {
            slot.pending = tag;
        }
        (fresh, false)
    }
}
