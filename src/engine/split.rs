//! Long scans split across the cores the run may use (`--threads`).
//!
//! A scan over a list of hundreds of thousands of records waits on memory far more than it
//! computes (each record is a read the CPU's caches have not seen), so two threads scanning
//! two halves take about half the time. The halves run on scoped threads of their own, not
//! on the pool the rules run on: a rule thread waiting for a pool job could pick up
//! another rule meanwhile, and that rule could wait for a shared scan (`memo`) the first
//! one holds further down the same stack. The parts come back in order, so a split scan
//! gives exactly what the whole one gives, and `--threads 1` splits nothing. An export
//! whose scans split (`splits`) runs its rules one after another (`audit::run_all`).

use crate::doc::{Kind, Value};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many parts a long scan may take; 0: one per core.
static WAYS: AtomicUsize = AtomicUsize::new(0);

/// Items up to which a scan stays on the calling thread (starting a thread costs tens of
/// microseconds; a scan of this many records, a few milliseconds).
pub const MIN_ITEMS: usize = 1 << 16;

/// Sets how many parts a long scan may take (`--threads`; 0: one per core).
pub fn set_ways(n: usize) {
    WAYS.store(n, Ordering::Relaxed);
}

fn ways() -> usize {
    match WAYS.load(Ordering::Relaxed) {
        // Asked once: `available_parallelism` reads the cgroup's files on every call, and
        // a batch of small exports asks on every helper call.
        0 => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            WAYS.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

/// Whether the scans of a document whose root is `root` split: more than one way, and a
/// list of more than `MIN_ITEMS` items in it. The loader puts lists at most three levels
/// down (`desk.tickets`, `crm.fields.Accounts`), so that is as deep as this looks.
pub fn splits(root: &Value) -> bool {
    splits_in(ways(), root)
}

/// `splits` for `ways` ways (the tests ask for a number of their own).
fn splits_in(ways: usize, root: &Value) -> bool {
    fn longest(v: &Value, depth: usize) -> usize {
        match v.kind() {
            Kind::Array(items) => items.len(),
            Kind::Object(o) if depth > 0 => o
                .iter()
                .map(|(_, x)| longest(x, depth - 1))
                .max()
                .unwrap_or(0),
            _ => 0,
        }
    }
    ways > 1 && longest(root, 3) > MIN_ITEMS
}

/// `f` over `0..n` cut into contiguous ranges, each with one of the states `state` makes
/// (made on the calling thread, one per range), the results in range order. Short scans,
/// and every scan under `--threads 1`, are one range on the calling thread.
///
/// Memory a part allocates is counted on the calling thread as the parts return
/// (`memory::adopt`), so a rule's memory budget sees what its split scans hand it.
pub fn split<S: Send, T: Send>(
    n: usize,
    state: impl Fn() -> S,
    f: impl Fn(Range<usize>, S) -> (T, usize) + Sync,
) -> Vec<T> {
    split_in(ways(), n, state, f)
}

/// `split` into at most `ways` parts (the tests ask for a number of their own, whatever
/// the machine's cores).
fn split_in<S: Send, T: Send>(
    ways: usize,
    n: usize,
    state: impl Fn() -> S,
    f: impl Fn(Range<usize>, S) -> (T, usize) + Sync,
) -> Vec<T> {
    let parts = if n <= MIN_ITEMS {
        1
    } else {
        ways.min(n / (MIN_ITEMS / 2)).max(1)
    };
    if parts == 1 {
        return vec![f(0..n, state()).0];
    }
    let step = n.div_ceil(parts);
    let ranges: Vec<Range<usize>> = (0..parts)
        .map(|p| p * step..((p + 1) * step).min(n))
        .collect();
    let mut states: Vec<S> = ranges.iter().map(|_| state()).collect();
    let first_state = states.remove(0);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = ranges[1..]
            .iter()
            .cloned()
            .zip(states)
            .map(|(r, st)| s.spawn(move || f(r, st)))
            .collect();
        let mut out = vec![f(ranges[0].clone(), first_state).0];
        for h in handles {
            match h.join() {
                Ok((part, bytes)) => {
                    super::memory::adopt(bytes);
                    out.push(part);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_back_in_order_and_cover_every_position_once() {
        let n = MIN_ITEMS * 3 + 17;
        let parts = split_in(4, n, || 0u8, |r, _| (r, 0));
        assert_eq!(parts.len(), 4);
        let mut next = 0;
        for r in &parts {
            assert_eq!(r.start, next);
            next = r.end;
        }
        assert_eq!(next, n);
        let short = split_in(4, MIN_ITEMS, || 0u8, |r, _| (r, 0));
        assert_eq!(short, vec![0..MIN_ITEMS]);
        let one_way = split_in(1, n, || 0u8, |r, _| (r, 0));
        assert_eq!(one_way, vec![0..n]);
        let short = split(MIN_ITEMS, || 0u8, |r, _| (r, 0));
        assert_eq!(short, vec![0..MIN_ITEMS]);
    }

    #[test]
    fn a_panic_in_a_part_reaches_the_caller() {
        let n = MIN_ITEMS * 4;
        let caught = std::panic::catch_unwind(|| {
            split_in(
                2,
                n,
                || (),
                |r, ()| {
                    assert!(r.start == 0, "a part past the first panics");
                    (0, 0)
                },
            )
        });
        assert!(caught.is_err());
    }

    /// A document splits its scans when a list three levels down or higher has more than
    /// `MIN_ITEMS` items and there are two ways or more.
    #[test]
    fn a_document_splits_with_a_long_list_within_three_levels_and_two_ways() {
        let list = |n: usize| Value::array(vec![Value::NULL; n]);
        let nest = |depth: usize, v: Value| {
            (0..depth).fold(v, |v, _| Value::object(vec![("k".into(), v)]))
        };
        assert!(splits_in(2, &nest(3, list(MIN_ITEMS + 1))));
        assert!(splits_in(2, &nest(1, list(MIN_ITEMS + 1))));
        assert!(!splits_in(1, &nest(3, list(MIN_ITEMS + 1))));
        assert!(!splits_in(2, &nest(3, list(MIN_ITEMS))));
        assert!(!splits_in(2, &nest(4, list(MIN_ITEMS + 1))));
        let side_by_side = Value::object(vec![
            ("a".into(), nest(1, list(3))),
            ("b".into(), nest(2, list(MIN_ITEMS + 1))),
        ]);
        assert!(splits_in(2, &side_by_side));
    }

    /// What the other threads' parts hand back is counted on the calling thread, so a
    /// rule's memory budget sees it (the first part is made here and counted as made).
    #[test]
    fn memory_made_by_other_parts_is_counted_where_it_is_handed() {
        let n = MIN_ITEMS * 4;
        let before = crate::engine::memory::held();
        let parts = split_in(
            3,
            n,
            || (),
            |r, ()| (r.start, if r.start == 0 { 0 } else { 1 << 20 }),
        );
        let grew = crate::engine::memory::held() - before;
        let others = parts.len() - 1;
        assert_eq!(others, 2);
        assert!(
            grew >= (others << 20) as isize && grew < ((others + 1) << 20) as isize,
            "{others} other parts, counter grew by {grew}"
        );
    }
}
