//! A finding's identity survives the order the APIs return records in: shuffling every
//! list of an export leaves the set of fingerprints (and each finding's entities) as it was.

mod common;

use crmdesk_audit::audit;
use crmdesk_audit::engine::{self, Limits};
use crmdesk_audit::rules::Catalogue;
use crmdesk_audit::rules::run::on_rule_thread;
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every fingerprint (with its rule, check and entities) of an audit of `export`.
fn fingerprints(export: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("x.json");
    std::fs::write(&path, export.to_string()).expect("write");
    on_rule_thread(|| {
        let limits = Limits::default();
        let engine = engine::build(&limits);
        let cat = Catalogue::load(&engine, &[Path::new(ROOT).join("rules")]).expect("rules");
        let doc = common::load_single_file(&path).expect("loads");
        let a = audit::run_all(&engine, &cat, &limits, &doc);
        let mut out: Vec<String> = a
            .results
            .iter()
            .flat_map(|r| {
                r.findings.iter().map(move |f| {
                    format!("{} {} {} {:?}", f.fingerprint, r.rule, f.check, f.entities)
                })
            })
            .collect();
        out.sort();
        out
    })
}

/// `v` with every array reordered by `seed` (a rotation and a reversal, per depth).
fn shuffled(v: &Value, seed: u64, depth: u64) -> Value {
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> =
                items.iter().map(|x| shuffled(x, seed, depth + 1)).collect();
            if !items.is_empty() {
                let k = ((seed.wrapping_mul(31).wrapping_add(depth)) as usize) % items.len();
                items.rotate_left(k);
                if (seed >> depth) & 1 == 1 {
                    items.reverse();
                }
            }
            Value::Array(items)
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), shuffled(x, seed, depth + 1)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn base(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join(name)).expect("read"))
        .expect("json")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn shuffling_every_list_leaves_every_fingerprint_unchanged(seed in any::<u64>()) {
        for name in ["fixtures/single-file-healthy.json", "fixtures/single-file-trial.json"] {
            let v = base(name);
            prop_assert_eq!(fingerprints(&v), fingerprints(&shuffled(&v, seed, 0)), "{}", name);
        }
    }
}

#[test]
fn a_new_problem_changes_only_its_own_fingerprint() {
    let v = base("fixtures/single-file-healthy.json");
    let before = fingerprints(&v);
    let mut worse = v.clone();
    worse["integration"]["crm"]["sync"]["status"] = Value::from("paused");
    let after = fingerprints(&worse);
    let gone: Vec<&String> = before.iter().filter(|f| !after.contains(f)).collect();
    let new: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(
        new[0].contains("sync-running") && new[0].contains("integration.crm.sync.status"),
        "{new:?}"
    );
}

/// The audit of each export in `exports` (written to temporary files), in order.
fn audit_all(exports: &[Value]) -> Vec<audit::ExportOutcome> {
    let dir = tempfile::tempdir().expect("tmp");
    let paths: Vec<std::path::PathBuf> = exports
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = dir.path().join(format!("e{i}.json"));
            std::fs::write(&p, v.to_string()).expect("write");
            p
        })
        .collect();
    on_rule_thread(move || {
        let limits = Limits::default();
        let engine = engine::build(&limits);
        let cat = Catalogue::load(&engine, &[Path::new(ROOT).join("rules")]).expect("rules");
        let out = audit::audit(&engine, &cat, &limits, &paths, &common::load_options());
        drop(dir);
        out
    })
}

#[test]
fn against_a_baseline_only_the_new_problem_counts_and_a_fixed_one_is_listed() {
    use crmdesk_audit::baseline::Baseline;
    let mut old = base("fixtures/single-file-healthy.json");
    old["integration"]["crm"]["sync"]["status"] = Value::from("paused");
    let baseline = Baseline::of(&audit_all(std::slice::from_ref(&old)));
    assert!(
        baseline
            .findings
            .iter()
            .any(|e| e.rule == "sync-running" && e.status == crmdesk_audit::Status::Fail)
    );
    // The next export: reordered, the old problem still there, one new problem.
    let mut next = shuffled(&old, 7, 0);
    next["integration"]["desk"]["authorized"] = Value::from(false);
    let mut outcomes = audit_all(&[next]);
    let fixed = baseline.apply(&mut outcomes);
    assert!(fixed.is_empty(), "{fixed:?}");
    let a = outcomes[0].result.as_ref().expect("loads");
    let mut new = Vec::new();
    for r in &a.results {
        for f in r
            .findings
            .iter()
            .filter(|f| f.baseline.is_some_and(|b| !b.unchanged))
        {
            new.push(format!("{}/{}", r.rule, f.check));
        }
    }
    assert_eq!(new, ["crm-edition-supports-integration/desk-authorized"]);
    let status = |id: &str| a.results.iter().find(|r| r.rule == id).map(|r| r.status);
    assert_eq!(
        status("sync-running"),
        Some(crmdesk_audit::Status::Pass),
        "accepted: counts as pass"
    );
    assert_eq!(
        status("crm-edition-supports-integration"),
        Some(crmdesk_audit::Status::Fail)
    );
    // Fixed: the healthy export holds no finding of the baseline's sync problem.
    let mut healthy = audit_all(&[base("fixtures/single-file-healthy.json")]);
    let fixed = baseline.apply(&mut healthy);
    assert!(fixed.iter().any(|e| e.rule == "sync-running"), "{fixed:?}");
    // The file round-trips.
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("baseline.json");
    std::fs::write(&p, baseline.to_json()).expect("write");
    assert_eq!(Baseline::read(&p).expect("reads"), baseline);
}
