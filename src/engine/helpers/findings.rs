//! `pass`, `warn`, `fail`, `skip`: the constructors of a finding.
//!
//! A finding is a map `#{check, status, message, evidence}`; the runner validates what
//! a rule returns, so a hand-written map is fine too. `message` is a string or
//! `#{ja: "...", en: "..."}`; `evidence` a JSON Pointer, a document node, or an array of them;
//! an optional `remedy` (same form as `message`) replaces the check's META remedy.

use super::Helpers;
use crate::engine::node::Node;
use rhai::{Array, Dynamic, Engine, Map};

fn evidence(x: Dynamic) -> Array {
    fn one(x: Dynamic) -> Dynamic {
        match x.read_lock::<Node>() {
            Some(n) => Dynamic::from(n.pointer()),
            None => x.clone(),
        }
    }
    if x.is_unit() {
        return Array::new();
    }
    if x.is_array() {
        return x
            .into_array()
            .unwrap_or_default()
            .into_iter()
            .map(one)
            .collect();
    }
    vec![one(x)]
}

fn finding(status: &str, check: &str, message: Dynamic, ev: Dynamic) -> Map {
    let mut m = Map::new();
    m.insert("check".into(), Dynamic::from(check.to_owned()));
    m.insert("status".into(), Dynamic::from(status.to_owned()));
    m.insert("message".into(), message);
    m.insert("evidence".into(), Dynamic::from_array(evidence(ev)));
    m
}

/// Registers `pass`, `warn`, `fail` and `skip`: `(check, message)`, then optionally
/// `evidence`, then optionally a `remedy` of the finding's own; each returns a finding map.
pub fn register(engine: &mut Engine) {
    let mut h = Helpers::new(engine);
    for status in ["pass", "warn", "fail", "skip"] {
        h.add(
            &format!("{status}(check, message[, evidence[, remedy]])"),
            &format!(
                "a finding with status {status} for `check`; `evidence` (a JSON Pointer, a node, or an array of them) and a `remedy` of its own (replacing the check's META remedy) are optional"
            ),
            move |check: &str, message: Dynamic| finding(status, check, message, Dynamic::UNIT),
        )
        .overload(move |check: &str, message: Dynamic, ev: Dynamic| {
            finding(status, check, message, ev)
        })
        // A remedy of its own for this finding, instead of the check's META remedy
        // (a check whose causes need different fixes).
        .overload(
            move |check: &str, message: Dynamic, ev: Dynamic, remedy: Dynamic| {
                let mut m = finding(status, check, message, ev);
                m.insert("remedy".into(), remedy);
                m
            },
        );
    }
}
