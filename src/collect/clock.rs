//! Time as `collect` sees it: how long the run has taken, and waiting. One real clock for
//! real runs; a virtual one (test-only, `CRMDESK_AUDIT_TEST_INSTANT_BACKOFF=1`) whose
//! sleeps return at once and only move its hands, so retry tests do not wait yet still
//! exercise the bounds on tries and total time.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

pub(crate) enum Clock {
    Real(Instant),
    /// Time passes only when something sleeps.
    Virtual(Cell<Duration>),
}

impl Clock {
    pub(crate) fn real() -> Clock {
        Clock::Real(Instant::now())
    }

    pub(crate) fn virtual_() -> Clock {
        Clock::Virtual(Cell::new(Duration::ZERO))
    }

    /// Time since the clock started.
    pub(crate) fn elapsed(&self) -> Duration {
        match self {
            Clock::Real(start) => start.elapsed(),
            Clock::Virtual(now) => now.get(),
        }
    }

    pub(crate) fn sleep(&self, d: Duration) {
        match self {
            Clock::Real(_) => std::thread::sleep(d),
            Clock::Virtual(now) => now.set(now.get() + d),
        }
    }
}

/// A fraction in [0, 1) for jitter. Not cryptographic: it only has to differ between
/// processes (so many clients retrying together spread out), which `RandomState`'s
/// per-process random keys give without another dependency.
pub(crate) fn jitter_fraction(salt: u64) -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(salt);
    // 53 bits: exactly representable in an f64.
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_clock_moves_only_when_something_sleeps() {
        let c = Clock::virtual_();
        assert_eq!(c.elapsed(), Duration::ZERO);
        c.sleep(Duration::from_secs(30));
        c.sleep(Duration::from_secs(2));
        assert_eq!(c.elapsed(), Duration::from_secs(32));
    }

    #[test]
    fn jitter_stays_between_zero_and_one() {
        for salt in 0..200 {
            let f = jitter_fraction(salt);
            assert!((0.0..1.0).contains(&f), "{f}");
        }
    }
}
