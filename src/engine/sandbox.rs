//! The bounds every rule runs within, and the per-run bookkeeping that enforces them.
//!
//! Rhai 1.27 does not enforce `set_max_operations` inside closures that native
//! functions (`map`, `filter`, `sort`, ...) call, but `on_progress` still fires for
//! every operation (../shared/notes/rhai-1.27.md). So the engine's progress callback
//! calls `tick()`, which counts operations in a per-thread run state and checks, at every
//! operation: the wall-clock deadline (a coarse clock kept by a background thread, so
//! reading it costs one atomic load and a loop of slow native calls still stops on
//! time), the memory the run holds (`memory`), and how much of the thread's native stack
//! the run uses (a chain of closures calling closures recurses without counting as
//! calls). `print`/`debug` go to the same state, never to stdout.

use super::memory;
use rhai::Dynamic;
use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Bytes a rule run may hold at once (what it allocated and has not freed).
    pub max_memory: usize,
    /// Findings one rule run may return.
    pub max_findings: usize,
}

/// Stack size for threads that run rules. Only address space: pages are touched as the
/// stack grows. It is this large because values a rule builds can nest without bound
/// (closures capturing closures, arrays in arrays), and freeing them recurses once per
/// level, after the script has stopped, where no limit can interrupt it. Freeing takes
/// about twice as many stack bytes per level as the level holds on the heap, so a stack
/// four times the largest `--max-memory` (`MAX_MEMORY_MB`) always suffices: the memory
/// budget stops the nesting first (tests/hostile_rules.rs builds such chains).
pub const RULE_STACK_SIZE: usize = 4 << 30;

/// The largest `--max-memory`, in MB (see `RULE_STACK_SIZE`).
pub const MAX_MEMORY_MB: u32 = 1024;

/// Native stack a rule run may use while it runs (script recursion, closures calling
/// closures): the rest of `RULE_STACK_SIZE` is room for the runner and for a native
/// function called at the deepest point.
pub const MAX_STACK_USE: usize = RULE_STACK_SIZE - (256 << 20);

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
            max_memory: 1 << 30,
            max_findings: 10_000,
        }
    }
}

/// How often the coarse clock advances.
const CLOCK_STEP: Duration = Duration::from_millis(5);

/// Milliseconds since `clock_origin()`, advanced by a background thread every `CLOCK_STEP`.
static CLOCK_MS: AtomicU64 = AtomicU64::new(0);

/// When the coarse clock started; starts its thread on first use.
fn clock_origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(|| {
        let origin = Instant::now();
        // If the thread cannot start, the clock stands still and `crossed` falls back to
        // reading the real clock every few thousand operations.
        let _ = std::thread::Builder::new()
            .name("rule-clock".into())
            .stack_size(64 << 10)
            .spawn(move || {
                loop {
                    std::thread::sleep(CLOCK_STEP);
                    let ms = u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX);
                    CLOCK_MS.store(ms, Ordering::Relaxed);
                }
            });
        origin
    })
}

/// How often (in operations) the real clock is read besides the coarse one.
const CLOCK_EVERY: u64 = 1 << 12;

/// An address on the current thread's stack (stacks grow down on every platform we run on).
#[inline(never)]
fn stack_here() -> usize {
    let marker = 0u8;
    std::ptr::from_ref(&marker) as usize
}

struct RunState {
    ops: u64,
    max_ops: u64,
    started: Instant,
    timeout: Duration,
    /// The deadline on the coarse clock, in its milliseconds.
    deadline_ms: u64,
    /// What the thread held when the run began, and how much more it may hold.
    held_at_start: isize,
    max_memory: usize,
    /// The stack address where the run began.
    stack_start: usize,
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
    /// Rhai operations counted by `tick` (closures included) until the run ended.
    pub operations: u64,
    /// What the rule printed (`print`, `debug`), one line per call, each ending in `\n`; a
    /// line that would take it past `Limits::max_output` is dropped (later ones that fit are kept).
    pub output: String,
    /// Why the run was stopped by a limit, if it was.
    pub stopped: Option<String>,
}

/// Marks the current thread as running one rule under `limits` until dropped.
pub struct RunGuard(());

impl RunGuard {
    /// Starts counting operations, time, memory, stack and output for a run on this thread,
    /// replacing any run state left there.
    pub fn begin(limits: &Limits) -> RunGuard {
        let origin = clock_origin();
        let timeout_ms = u64::try_from(limits.timeout.as_millis()).unwrap_or(u64::MAX);
        let now_ms = u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        RUN.with(|r| {
            *r.borrow_mut() = Some(RunState {
                ops: 0,
                max_ops: limits.max_operations,
                started: Instant::now(),
                timeout: limits.timeout,
                deadline_ms: now_ms.saturating_add(timeout_ms),
                held_at_start: memory::held(),
                max_memory: limits.max_memory,
                stack_start: stack_here(),
                output: String::new(),
                max_output: limits.max_output,
                output_overflow: false,
                stopped: None,
            });
        });
        RunGuard(())
    }

    /// Ends the run and returns what it left; an empty `RunLog` if no run was active.
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
    let held = memory::held().saturating_sub(s.held_at_start);
    if usize::try_from(held).is_ok_and(|h| h > s.max_memory) {
        return Some(format!(
            "held more than {} MB of memory, the limit (--max-memory): values kept alive in a loop \
             (a growing list, strings captured by closures), or a copy of a huge export value",
            s.max_memory >> 20
        ));
    }
    if s.stack_start.saturating_sub(stack_here()) > MAX_STACK_USE {
        return Some(
            "nested too deeply for the native stack: closures calling closures (or functions) \
             without end?"
                .to_owned(),
        );
    }
    if CLOCK_MS.load(Ordering::Relaxed) > s.deadline_ms
        || (s.ops.is_multiple_of(CLOCK_EVERY) && s.started.elapsed() > s.timeout)
    {
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
