//! Per-thread memory accounting, so a rule run can be held to a memory budget.
//!
//! The process allocator is wrapped: every allocation and free made on a thread moves
//! that thread's counter. A rule runs on one thread, so the counter's growth during the
//! run is what the run holds (what it freed is subtracted; memory another thread frees
//! for it is not, which only makes the budget stricter). `sandbox::tick` compares it with
//! the budget at every Rhai operation: gradual growth (strings kept alive in curried
//! closures, findings piling up) ends the run in `error` long before the machine runs out.
//!
//! A single allocation too large for the machine cannot be refused here (an allocator may
//! not fail softly: the process would abort), so the native functions whose output can
//! grow check the size *before* allocating (`helpers::guarded`).

use mimalloc::MiMalloc as Inner;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

/// The process allocator: mimalloc, counted per thread.
///
/// Measured against glibc's malloc on the large export (`lists`, `--threads 1`): the
/// same load time and peak, and the rules' scans twice as fast (0.30 s against 0.57 s),
/// because mimalloc keeps blocks of one size together, so the records of a list and their
/// values lie in memory in the order they are scanned. Built without transparent huge
/// pages (the `no_thp` feature): with them a typical export (27.6 MB, `lists`) peaked at
/// 109 to 122 MB, without them 83 to 89 MB (glibc's malloc: 59 MB). Most of that was the
/// big file's parse buffers, freed and kept for reuse; the split parse now recycles two
/// smaller buffers (`load::json::split`), and freed memory goes back to the system at
/// once (`return_freed_memory`).
pub struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread. No destructor, no allocation:
    /// safe to touch from inside the allocator.
    static HELD: Cell<isize> = const { Cell::new(0) };
}

fn moved(delta: isize) {
    // `try_with`: during thread teardown the slot may be gone; the count then just stops.
    let _ = HELD.try_with(|h| h.set(h.get().wrapping_add(delta)));
}

// SAFETY: every method forwards to `Inner` with the same arguments; the counter is a
// plain thread-local cell that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { Inner.alloc(layout) };
        if !p.is_null() {
            moved(size(layout));
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { Inner.alloc_zeroed(layout) };
        if !p.is_null() {
            moved(size(layout));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { Inner.dealloc(ptr, layout) };
        moved(-size(layout));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { Inner.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            moved(isize::try_from(new_size).unwrap_or(isize::MAX) - size(layout));
        }
        p
    }
}

fn size(layout: Layout) -> isize {
    isize::try_from(layout.size()).unwrap_or(isize::MAX)
}

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_e` (v3, and v2 alike). The
/// binding names no constant for it; a test checks it is the option whose default is
/// mimalloc's documented purge delay.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes mimalloc give memory that is freed back to the system at once instead of a
/// second later (its default), unless `MIMALLOC_PURGE_DELAY` says otherwise. Call it
/// first thing: a run is over in well under a second on most exports, so with the default
/// everything freed while loading (a large file's parse buffers, pages of a list being
/// joined) still counted at the peak. On the typical export (27.6 MB) the peak fell from
/// 42 to 44 MB to 39 to 40 MB, and the large export (780 MB) loads as fast.
pub fn return_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option; mimalloc reads options under its own locking.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
    }
}

/// Counts `bytes` another thread allocated and handed to this one as this thread's own
/// (`split`: a scan's part made on a helper thread), so freeing them here nets out and a
/// rule's budget sees what it holds.
pub fn adopt(bytes: usize) {
    moved(isize::try_from(bytes).unwrap_or(isize::MAX));
}

/// What this thread holds now (bytes allocated minus freed since it started).
pub fn held() -> isize {
    HELD.try_with(Cell::get).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{PURGE_DELAY, held};

    #[test]
    fn the_purge_delay_option_is_the_one_set_at_start() {
        // SAFETY: reads an integer option.
        let get = || unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // mimalloc v3's documented default purge delay (ms), no other option's.
            assert_eq!(get(), 1000);
            super::return_freed_memory();
            assert_eq!(get(), 0);
        }
    }

    #[test]
    fn the_counter_follows_what_this_thread_allocates_and_frees() {
        let before = held();
        let v: Vec<u8> = Vec::with_capacity(10 << 20);
        let during = held();
        drop(v);
        let after = held();
        assert!(during - before >= 10 << 20, "{before} {during}");
        assert!(after - before < 1 << 20, "{before} {after}");
    }
}
