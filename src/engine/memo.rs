//! `Memo`: the results of the costly list helpers, shared by the rules of one export.
//!
//! Rules ask the same questions of the same lists: `desk-tab-initialized` and
//! `ticket-department-access` both build the set of CRM-linked Desk contacts and select
//! their tickets, a scan of every ticket. The scanning helpers (`where_present`,
//! `set_of`, `where_in`, ...) are pure functions of a list that never changes and of
//! their other arguments, so while one export's rules run (`audit::run_all` installs a
//! memo on each rule's thread with `Memo::install`) a call that was made before returns
//! the first call's result instead of scanning again. Rules cannot tell: a list view is
//! immutable and a Set copies itself before a change when it is shared.
//!
//! A call is known by the helper's name, the identity of its list (the document array
//! and the view's picks; a memo keeps each input alive, so an address cannot be reused
//! while it is a key), and its other arguments: a key path by its text, a Set by its
//! identity. When two rules make the same call at once, the second waits for the first's
//! result. Only results are kept, never errors: a failed call fails again, with its own
//! message, when repeated. Without an installed memo (a rule case, a single rule run)
//! every call computes.

use crate::engine::node::Node;
use rhai::{Dynamic, EvalAltResult};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// The calls made so far by the rules of one export, and their results.
pub struct Memo {
    calls: Mutex<HashMap<Call, Arc<Mutex<Option<Dynamic>>>>>,
    /// The inputs of every call kept, so the identities in `Call` stay unique.
    inputs: Mutex<Vec<Dynamic>>,
    /// Items held by the results kept (list views, Sets): past `MAX_KEPT_ITEMS` no more
    /// results are kept, so what the memo holds after a rule's run stays bounded however
    /// many different questions the rules ask.
    kept_items: std::sync::atomic::AtomicUsize,
    /// `MAX_KEPT_ITEMS`, smaller in tests.
    bound: usize,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            calls: Mutex::default(),
            inputs: Mutex::default(),
            kept_items: std::sync::atomic::AtomicUsize::new(0),
            bound: MAX_KEPT_ITEMS,
        }
    }
}

/// At most this many items in all results kept for one export (a view costs 4 bytes an
/// item, a Set some 40): a few hundred MB at worst, while the rules of a large export keep
/// about 2 million.
const MAX_KEPT_ITEMS: usize = 16 << 20;

/// How many items a kept value holds of its own, as far as the memo's bound is concerned:
/// a view its picks (a whole document list costs nothing: the document holds it), a Set
/// its members, anything else one.
fn items_of(value: &Dynamic) -> usize {
    if let Some(n) = value.read_lock::<Node>() {
        return n.as_list().map_or(1, |l| match l.identity() {
            (_, 0) => 1,
            _ => l.len(),
        });
    }
    if let Some(s) = value.read_lock::<crate::engine::helpers::sets::KeySet>() {
        return s.len();
    }
    1
}

/// Calls whose arguments' text is longer than this are not kept (a key is a field name or
/// a few dotted paths; a longer text would be memory the bound does not see).
const MAX_ARGS_TEXT: usize = 512;

/// One call: the helper, its list's identity and its other arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Call {
    helper: &'static str,
    list: (usize, usize),
    args: String,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Memo>>> = const { RefCell::new(None) };
    /// Time this thread spent waiting for a scan another rule was making.
    static WAITED: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::ZERO) };
}

/// The time this thread has spent waiting for scans other rules were making (a rule's
/// run time leaves it out: that time is the other rule's, which made the scan).
pub fn waited() -> Duration {
    WAITED.with(std::cell::Cell::get)
}

/// One argument of a call besides its list, as a memo tells calls apart.
pub enum Arg<'a> {
    /// A key path or any value compared by its text (`"contactId"`, `["a", "b.c"]`).
    Text(&'a Dynamic),
    /// A value compared by identity (a Set), kept alive by the memo.
    Shared(&'a Dynamic, usize),
}

impl Memo {
    /// Runs `f` with `memo` as this thread's memo, and the thread's previous one (usually
    /// none) after, even if `f` panics.
    pub fn install<T>(memo: &Arc<Memo>, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Arc<Memo>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = previous);
            }
        }
        let previous = CURRENT.with(|c| c.borrow_mut().replace(memo.clone()));
        let _restore = Restore(previous);
        f()
    }

    /// The result of `helper(list, args...)`: the one computed before for the same call on
    /// this thread's memo, else `compute()`'s (kept when it succeeds).
    pub fn call(
        helper: &'static str,
        list: &Node,
        args: &[Arg<'_>],
        compute: impl FnOnce() -> Res<Dynamic>,
    ) -> Res<Dynamic> {
        let Some(memo) = CURRENT.with(|c| c.borrow().clone()) else {
            return compute();
        };
        let Some(identity) = list.as_list().map(|l| l.identity()) else {
            return compute();
        };
        // The path too: the same array reached another way gives other evidence.
        let mut text = format!("{}\u{0}", list.pointer());
        for a in args {
            match a {
                Arg::Text(d) => text.push_str(&format!("{d:?}\u{0}")),
                Arg::Shared(_, id) => text.push_str(&format!("#{id}\u{0}")),
            }
        }
        if text.len() > MAX_ARGS_TEXT {
            return compute();
        }
        let call = Call {
            helper,
            list: identity,
            args: text,
        };
        let slot = {
            let mut calls = memo.calls.lock().unwrap_or_else(PoisonError::into_inner);
            calls.entry(call.clone()).or_default().clone()
        };
        // Held while computing: the same call from another rule waits for this result.
        let mut result = match slot.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => {
                let began = Instant::now();
                let guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
                WAITED.with(|w| w.set(w.get() + began.elapsed()));
                guard
            }
        };
        if let Some(done) = result.as_ref() {
            return Ok(done.clone());
        }
        // What keeping costs: the result, and the inputs it pins (a rule's own view).
        let computed = compute();
        let cost = computed.as_ref().map_or(0, |value| {
            items_of(value)
                + items_of(&Dynamic::from(list.clone()))
                + args
                    .iter()
                    .map(|a| match a {
                        Arg::Shared(d, _) => items_of(d),
                        Arg::Text(_) => 0,
                    })
                    .sum::<usize>()
        });
        use std::sync::atomic::Ordering::Relaxed;
        let fits = computed.is_ok()
            && memo
                .kept_items
                .fetch_update(Relaxed, Relaxed, |kept| {
                    (kept + cost <= memo.bound).then_some(kept + cost)
                })
                .is_ok();
        if !fits {
            // An error, or past the bound: answered, not kept, and no entry left behind
            // (a caller waiting on this slot finds it empty and computes for itself).
            drop(result);
            let mut calls = memo.calls.lock().unwrap_or_else(PoisonError::into_inner);
            if calls.get(&call).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                calls.remove(&call);
            }
            return computed;
        }
        let value = computed?;
        *result = Some(value.clone());
        let mut inputs = memo.inputs.lock().unwrap_or_else(PoisonError::into_inner);
        inputs.push(Dynamic::from(list.clone()));
        for a in args {
            if let Arg::Shared(d, _) = a {
                inputs.push((*d).clone());
            }
        }
        Ok(value)
    }

    /// `call` for a helper returning `T`.
    pub fn typed<T: rhai::Variant + Clone>(
        helper: &'static str,
        list: &Node,
        args: &[Arg<'_>],
        compute: impl FnOnce() -> Res<T>,
    ) -> Res<T> {
        let value = Memo::call(helper, list, args, || compute().map(Dynamic::from))?;
        value
            .try_cast::<T>()
            .ok_or_else(|| format!("{helper}: a kept result of another type").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Value;
    use crate::engine::path::NodePath;
    use std::cell::Cell;

    fn list(n: i64) -> Node {
        Node::list(
            crate::engine::node::List::whole(Arc::new((0..n).map(Value::int).collect())),
            NodePath::default(),
        )
    }

    fn counted(calls: &Cell<u32>, value: i64) -> impl FnOnce() -> Res<Dynamic> + '_ {
        move || {
            calls.set(calls.get() + 1);
            Ok(Dynamic::from(value))
        }
    }

    #[test]
    fn without_an_installed_memo_every_call_computes() {
        let calls = Cell::new(0);
        let l = list(3);
        let key = Dynamic::from("id");
        for _ in 0..2 {
            let _ = Memo::call("set_of", &l, &[Arg::Text(&key)], counted(&calls, 1)).unwrap();
        }
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn a_repeated_call_returns_the_first_result_and_a_different_one_computes() {
        let memo = Arc::new(Memo::default());
        let calls = Cell::new(0);
        let (a, b) = (list(3), list(3));
        let (id, email) = (Dynamic::from("id"), Dynamic::from("email"));
        Memo::install(&memo, || {
            let first = Memo::call("set_of", &a, &[Arg::Text(&id)], counted(&calls, 7));
            let again = Memo::call("set_of", &a.clone(), &[Arg::Text(&id)], counted(&calls, 8));
            assert_eq!(first.unwrap().as_int().unwrap(), 7);
            assert_eq!(again.unwrap().as_int().unwrap(), 7);
            assert_eq!(calls.get(), 1);
            // Another list (equal contents, another array), key, or helper: computed.
            let _ = Memo::call("set_of", &b, &[Arg::Text(&id)], counted(&calls, 0)).unwrap();
            let _ = Memo::call("set_of", &a, &[Arg::Text(&email)], counted(&calls, 0)).unwrap();
            let _ = Memo::call("set_of_ci", &a, &[Arg::Text(&id)], counted(&calls, 0)).unwrap();
            assert_eq!(calls.get(), 4);
        });
        // Uninstalled after: computes again.
        let _ = Memo::call("set_of", &a, &[Arg::Text(&id)], counted(&calls, 0)).unwrap();
        assert_eq!(calls.get(), 5);
    }

    #[test]
    fn a_rule_waiting_for_anothers_scan_gets_its_result_and_counts_the_wait() {
        let memo = Arc::new(Memo::default());
        let l = list(2);
        let key = Dynamic::from("id");
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let maker = s.spawn(|| {
                Memo::install(&memo, || {
                    Memo::call("set_of", &l, &[Arg::Text(&key)], || {
                        started_tx.send(()).unwrap();
                        std::thread::sleep(Duration::from_millis(200));
                        Ok(Dynamic::from(1_i64))
                    })
                    .unwrap()
                    .as_int()
                    .unwrap()
                })
            });
            started_rx.recv().unwrap();
            let (got, waited) = Memo::install(&memo, || {
                let got = Memo::call("set_of", &l, &[Arg::Text(&key)], || {
                    Ok(Dynamic::from(2_i64))
                });
                (got.unwrap().as_int().unwrap(), waited())
            });
            assert_eq!((maker.join().unwrap(), got), (1, 1));
            assert!(waited >= Duration::from_millis(100), "{waited:?}");
        });
    }

    #[test]
    fn past_the_bound_results_are_answered_but_not_kept() {
        let memo = Arc::new(Memo {
            bound: 5,
            ..Memo::default()
        });
        let calls = Cell::new(0);
        let (small, big) = (list(2), list(4));
        let key = Dynamic::from("id");
        // The result: a view of every item of the list (a view holds its picks).
        let view = |n: &Node| {
            let l = n.as_list().expect("a list");
            let picks = (0..l.len() as u32).collect();
            Node::list(l.pick(picks), NodePath::default())
        };
        Memo::install(&memo, || {
            for l in [&small, &small, &big, &big] {
                let _ = Memo::call("where_present", l, &[Arg::Text(&key)], || {
                    calls.set(calls.get() + 1);
                    Ok(Dynamic::from(view(l)))
                });
            }
        });
        // small costs 3 (a view of 2, a whole list 1) and is kept; big would cost 5 more
        // (3 + 5 > 5): computed each time, and no entry is left for it.
        assert_eq!(calls.get(), 3);
        assert_eq!(memo.calls.lock().unwrap().len(), 1);
    }

    #[test]
    fn errors_are_not_kept() {
        let memo = Arc::new(Memo::default());
        let l = list(1);
        let key = Dynamic::from(1_i64);
        let calls = Cell::new(0);
        Memo::install(&memo, || {
            for _ in 0..2 {
                let r = Memo::call("set_of", &l, &[Arg::Text(&key)], || {
                    calls.set(calls.get() + 1);
                    Err("set_of: bad key".into())
                });
                assert!(r.is_err());
            }
        });
        assert_eq!(calls.get(), 2);
        assert!(
            memo.calls.lock().unwrap().is_empty(),
            "no entry is left for an error"
        );
    }
}
