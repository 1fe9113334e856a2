//! `Str`: a string of the loaded document, in one allocation behind a thin pointer.
//!
//! A large export holds millions of distinct strings (ids, e-mail addresses, times,
//! URLs). `rhai::ImmutableString` spends two allocations on any string over 23 bytes and
//! a 40-byte block on every one; `Str` spends one block of 8 + length bytes: a shared
//! count, the length and the text. Cloning is a count increment, as with an `Arc`, so the
//! loader's string cache can still share a repeated value, and the value can still be
//! handed to any number of rules. Rules see `ImmutableString`s (`Str::to_immutable`).

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering, fence};

/// An immutable, shared, UTF-8 string: 8 bytes on the stack, one heap block.
///
/// `repr(transparent)` and blocks aligned to 8: `doc::Value` keeps a `Str` as its bare
/// pointer (its low three bits zero) and lends it out as `&Str` in place.
#[repr(transparent)]
pub struct Str(NonNull<Header>);

/// The start of the block; the text follows it. A length of `u32::MAX` says the real
/// length follows as a `u64` (texts of 4 GiB and over, which no API returns, still work).
#[repr(C)]
struct Header {
    count: AtomicU32,
    len: u32,
}

const HEADER: usize = std::mem::size_of::<Header>();
const LONG: u32 = u32::MAX;
/// A count this high means clones are leaking; stop before it can wrap (as `Arc` does).
const MAX_COUNT: u32 = i32::MAX as u32;

// SAFETY: the text is immutable and the count atomic, exactly as in `Arc<str>`.
unsafe impl Send for Str {}
// SAFETY: as above.
unsafe impl Sync for Str {}

impl Str {
    /// A new string holding a copy of `s`.
    pub fn new(s: &str) -> Str {
        let long = s.len() >= LONG as usize;
        let prefix = HEADER + if long { 8 } else { 0 };
        let layout = Str::layout(prefix, s.len());
        // SAFETY: the layout's size is at least HEADER (non-zero).
        let block = unsafe { alloc(layout) };
        let Some(block) = NonNull::new(block) else {
            handle_alloc_error(layout)
        };
        let header = block.cast::<Header>();
        // SAFETY: `block` is a fresh allocation of `prefix + s.len()` bytes aligned for
        // `Header` (and for the `u64` after it, which sits at offset 8).
        unsafe {
            header.as_ptr().write(Header {
                count: AtomicU32::new(1),
                len: if long { LONG } else { s.len() as u32 },
            });
            if long {
                block
                    .as_ptr()
                    .add(HEADER)
                    .cast::<u64>()
                    .write(s.len() as u64);
            }
            std::ptr::copy_nonoverlapping(s.as_ptr(), block.as_ptr().add(prefix), s.len());
        }
        Str(header)
    }

    fn layout(prefix: usize, len: usize) -> Layout {
        let size = prefix
            .checked_add(len)
            .expect("a string longer than memory");
        Layout::from_size_align(size, 8).expect("a string longer than memory")
    }

    fn header(&self) -> &Header {
        // SAFETY: the block lives as long as any `Str` pointing at it.
        unsafe { self.0.as_ref() }
    }

    /// Where the text starts and how long it is.
    fn parts(&self) -> (usize, usize) {
        match self.header().len {
            // SAFETY: a LONG header is followed by the real length (see `new`).
            LONG => (HEADER + 8, unsafe {
                self.0
                    .as_ptr()
                    .cast::<u8>()
                    .add(HEADER)
                    .cast::<u64>()
                    .read() as usize
            }),
            len => (HEADER, len as usize),
        }
    }

    /// The text, borrowed from the shared block (no copy).
    pub fn as_str(&self) -> &str {
        let (prefix, len) = self.parts();
        // SAFETY: `new` copied exactly `len` bytes of a `&str` (valid UTF-8) there, and
        // nothing writes to them afterwards.
        unsafe {
            let text = self.0.as_ptr().cast::<u8>().add(prefix);
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(text, len))
        }
    }

    /// The text as the string type rules hold (one allocation).
    pub fn to_immutable(&self) -> rhai::ImmutableString {
        self.as_str().into()
    }

    /// The block's address, the reference this `Str` held now owned by the caller (who
    /// must give it back to `from_raw` exactly once). Aligned to 8.
    pub(super) fn into_raw(self) -> NonNull<u8> {
        std::mem::ManuallyDrop::new(self).0.cast()
    }

    /// Takes back a reference given out by `into_raw`.
    ///
    /// # Safety
    /// `raw` came from `into_raw`, and its reference is given back only once.
    pub(super) unsafe fn from_raw(raw: NonNull<u8>) -> Str {
        Str(raw.cast())
    }

    /// Do both point at the same block?
    pub fn ptr_eq(a: &Str, b: &Str) -> bool {
        a.0 == b.0
    }
}

impl Clone for Str {
    fn clone(&self) -> Str {
        // Relaxed, as in `Arc::clone`: a new reference needs no ordering.
        if self.header().count.fetch_add(1, Ordering::Relaxed) >= MAX_COUNT {
            std::process::abort();
        }
        Str(self.0)
    }
}

impl Drop for Str {
    fn drop(&mut self) {
        if self.header().count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // The last reference: see every other thread's use before freeing (as `Arc`).
        fence(Ordering::Acquire);
        let (prefix, len) = self.parts();
        // SAFETY: the same layout `new` allocated with; no other `Str` points here now.
        unsafe { dealloc(self.0.as_ptr().cast(), Str::layout(prefix, len)) }
    }
}

impl std::ops::Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::new(s)
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        Str::ptr_eq(self, other) || self.as_str() == other.as_str()
    }
}

impl Eq for Str {}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_any_text_and_shares_it_on_clone() {
        for text in [
            "",
            "a",
            "1892040000000000",
            "2025-10-18T00:00:00.000Z",
            "問い合わせ",
        ] {
            let s = Str::new(text);
            let t = s.clone();
            assert_eq!(s.as_str(), text);
            assert!(Str::ptr_eq(&s, &t));
            drop(s);
            assert_eq!(&*t, text);
            assert_eq!(t.to_immutable().as_str(), text);
        }
    }

    #[test]
    fn equal_texts_are_equal_and_hash_alike() {
        use std::collections::HashSet;
        let a = Str::new("contacts");
        let b = Str::new("contacts");
        assert!(!Str::ptr_eq(&a, &b));
        assert_eq!(a, b);
        let set: HashSet<Str> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_ne!(Str::new("a"), Str::new("b"));
    }

    #[test]
    fn clones_on_many_threads_free_the_block_once() {
        let s = Str::new("shared by every thread");
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let s = s.clone();
                scope.spawn(move || {
                    let copies: Vec<Str> = (0..1000).map(|_| s.clone()).collect();
                    assert!(
                        copies
                            .iter()
                            .all(|c| c.as_str() == "shared by every thread")
                    );
                });
            }
        });
        assert_eq!(s.header().count.load(Ordering::Relaxed), 1);
    }
}
