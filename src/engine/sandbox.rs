//! The bounds every rule runs within, and the per-run bookkeeping that enforces them.
//!
//! Rhai 1.27 does not enforce `set_max_operations` inside closures that native
//! functions (`map`, `filter`, `sort`, ...) call, but `on_progress` still fires for
//! every operation (../shared/notes/rhai-1.27.md). So the engine's progress callback
//! calls `tick()`, which counts operations in a per-thread run state and also checks
//! the wall-clock deadline. `print`/`debug` go to the same state, never to stdout.

use rhai::Dynamic;
use std::cell::RefCell;
use std::time::{Duration, Instant};

/// Limits for one rule run. The defaults are safe for untrusted rules and roomy for
/// legitimate ones on a million-ticket export (heavy scans belong in native helpers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Rhai operations per rule run, closures included.
    pub max_operations: u64,
    /// Wall-clock time per rule run.
    pub timeout: Duration,
    /// Nested function calls (deep recursion would overflow the native stack).
    pub max_call_levels: usize,
    /// Bytes in one string built by a rule.
    pub max_string_size: usize,
    /// Items in one array built by a rule (document lists do not count).
    pub max_array_size: usize,
    /// Entries in one map built by a rule.
    pub max_map_size: usize,
    /// Bytes of `print`/`debug` output kept per rule run.
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_operations: 100_000_000,
            timeout: Duration::from_secs(10),
            max_call_levels: 48,
            max_string_size: 1 << 20,
            max_array_size: 1 << 20,
            max_map_size: 1 << 20,
            max_output: 64 << 10,
        }
    }
}

/// How often (in operations) the clock is read: reading it on every operation would
/// cost more than the operation.
const CLOCK_EVERY: u64 = 1 << 12;

struct RunState {
    ops: u64,
    max_ops: u64,
    started: Instant,
    timeout: Duration,
    output: String,
    max_output: usize,
    output_overflow: bool,
    /// Set once a limit is crossed and returned on every later tick: some native
    /// functions (`sort`'s comparator) swallow a closure's error, so stopping once is
    /// not enough, and the runner must know the run was cut short.
    stopped: Option<String>,
}

thread_local! {
    static RUN: RefCell<Option<RunState>> = const { RefCell::new(None) };
}

/// What a finished run left behind.
#[derive(Debug, Default)]
pub struct RunLog {
    pub operations: u64,
    pub output: String,
    /// Why the run was stopped by a limit, if it was.
    pub stopped: Option<String>,
}

/// Marks the current thread as running one rule under `limits` until dropped.
pub struct RunGuard(());

impl RunGuard {
    pub fn begin(limits: &Limits) -> RunGuard {
        RUN.with(|r| {
            *r.borrow_mut() = Some(RunState {
                ops: 0,
                max_ops: limits.max_operations,
                started: Instant::now(),
                timeout: limits.timeout,
                output: String::new(),
                max_output: limits.max_output,
                output_overflow: false,
                stopped: None,
            });
        });
        RunGuard(())
    }

    pub fn finish(self) -> RunLog {
        RUN.with(|r| r.borrow_mut().take())
            .map(|s| RunLog {
                operations: s.ops,
                output: s.output,
                stopped: s.stopped,
            })
            .unwrap_or_default()
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        RUN.with(|r| r.borrow_mut().take());
    }
}

/// The engine's progress callback: `Some(reason)` stops the script.
pub fn tick() -> Option<Dynamic> {
    RUN.with(|r| {
        let mut r = r.borrow_mut();
        let s = r.as_mut()?;
        s.ops += 1;
        if s.stopped.is_none() {
            s.stopped = crossed(s);
        }
        s.stopped.as_ref().map(|why| why.as_str().into())
    })
}

/// The limit this run has just crossed, if any.
fn crossed(s: &RunState) -> Option<String> {
    if s.ops > s.max_ops {
        return Some(format!(
            "stopped after {} operations, the limit (--max-operations): \
             an endless loop, or a scan that belongs in a native helper such as where_eq or index_by",
            s.max_ops
        ));
    }
    if s.output_overflow {
        return Some(format!(
            "printed more than {} bytes, the limit (--max-output): print/debug are for debugging; return findings instead",
            s.max_output
        ));
    }
    if s.ops.is_multiple_of(CLOCK_EVERY) && s.started.elapsed() > s.timeout {
        return Some(format!(
            "ran longer than {:.1} s, the limit (--timeout): an endless loop, or a scan that belongs in a native helper",
            s.timeout.as_secs_f64()
        ));
    }
    None
}

/// Keeps what a rule printed, up to the limit; going past it stops the rule.
pub fn capture(text: &str) {
    RUN.with(|r| {
        if let Some(s) = r.borrow_mut().as_mut() {
            if s.output.len() + text.len() + 1 > s.max_output {
                s.output_overflow = true;
                return;
            }
            s.output.push_str(text);
            s.output.push('\n');
        }
    });
}
