//! The record-shape cache: the permutation that sorts one record's keys, kept for the
//! next record of the same shape.

use super::cache::{FNV_START, WORD_MUL};
use crate::doc::Value;
use rhai::ImmutableString;
use std::sync::Arc;

/// How to sort the entries of an object whose keys come in a known order.
///
/// The records of a list repeat one shape (the same keys, in the same order), and keys
/// are interned: so the permutation that sorts one record's keys sorts the next one's,
/// found by the keys' identities without comparing any text. A direct-mapped, lossy
/// cache like the others.
pub(super) struct Shapes {
    slots: Vec<Option<Shape>>,
}

struct Shape {
    /// The keys in the order they were read (kept alive, so identities stay unique).
    keys: Vec<ImmutableString>,
    /// Swaps that put entries read in `keys` order into sorted order.
    swaps: Vec<(u16, u16)>,
    /// The keys are all different (duplicates go the slow way: the last one wins).
    unique: bool,
    /// The keys in sorted order, shared by every object of this shape.
    sorted: Arc<[ImmutableString]>,
}

impl Default for Shapes {
    fn default() -> Shapes {
        Shapes {
            slots: (0..SHAPE_SLOTS).map(|_| None).collect(),
        }
    }
}

const SHAPE_SLOTS: usize = 256;
/// Objects with more keys than this are sorted the ordinary way.
const SHAPE_MAX_KEYS: usize = 256;

/// The identity of an interned key: where its text lives.
fn key_id(k: &ImmutableString) -> usize {
    k.as_str().as_ptr() as usize
}

impl Shapes {
    fn slot_of(entries: &[(ImmutableString, Value)]) -> usize {
        let mut h: u64 = FNV_START;
        for (k, _) in entries {
            h = (h.rotate_left(5) ^ key_id(k) as u64).wrapping_mul(WORD_MUL);
        }
        (h ^ (h >> 29)) as usize % SHAPE_SLOTS
    }

    /// Sorts `entries` by key; when it did, `Some` of the shape's sorted keys if they are
    /// all different (`None` inside if not); `None` when the object is too large for the
    /// cache.
    pub(super) fn sort(
        &mut self,
        entries: &mut [(ImmutableString, Value)],
    ) -> Option<Option<Arc<[ImmutableString]>>> {
        if entries.len() > SHAPE_MAX_KEYS {
            return None;
        }
        let slot = &mut self.slots[Shapes::slot_of(entries)];
        let hit = slot.as_ref().is_some_and(|s| {
            s.keys.len() == entries.len()
                && s.keys
                    .iter()
                    .zip(entries.iter())
                    .all(|(a, (b, _))| a.ptr_eq(b))
        });
        if !hit {
            *slot = Some(Shape::of(entries));
        }
        let shape = slot.as_ref()?;
        for &(a, b) in &shape.swaps {
            entries.swap(usize::from(a), usize::from(b));
        }
        Some(shape.unique.then(|| shape.sorted.clone()))
    }
}

impl Shape {
    fn of(entries: &[(ImmutableString, Value)]) -> Shape {
        let n = entries.len();
        // A stable sort: of equal keys the later stays later (the last one wins).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| entries[a].0.as_str().cmp(entries[b].0.as_str()));
        let unique = order
            .windows(2)
            .all(|w| entries[w[0]].0.as_str() != entries[w[1]].0.as_str());
        // Replay the sort as swaps: `at[p]` is the entry now at p, `pos[e]` where e is.
        let mut at: Vec<usize> = (0..n).collect();
        let mut pos: Vec<usize> = (0..n).collect();
        let mut swaps = Vec::new();
        for (i, &want) in order.iter().enumerate() {
            let p = pos[want];
            if p != i {
                let other = at[i];
                at.swap(i, p);
                pos[want] = i;
                pos[other] = p;
                swaps.push((i as u16, p as u16));
            }
        }
        Shape {
            keys: entries.iter().map(|(k, _)| k.clone()).collect(),
            swaps,
            unique,
            sorted: order.iter().map(|&i| entries[i].0.clone()).collect(),
        }
    }
}
