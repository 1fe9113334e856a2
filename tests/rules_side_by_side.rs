//! An export's rules run side by side, unless its long scans split across the cores
//! (`engine::split`): then one after another, so no rule shares a core with another's
//! scan (audit::run_all).

mod common;

use crmdesk_audit::audit;
use crmdesk_audit::engine::{self, Limits, split};
use crmdesk_audit::rules::Catalogue;
use crmdesk_audit::rules::run::on_rule_thread;
use std::time::Duration;

/// Three rules that each keep a thread busy for a while.
fn busy_rules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["a", "b", "c"] {
        let rule = format!(
            r#"const META = #{{
    faq: 90, title: #{{ ja: "{name}", en: "{name}" }}, description: #{{ ja: "-", en: "-" }},
    checks: #{{ "x": #{{ statuses: ["pass"], remedy: #{{ ja: "-", en: "-" }} }} }},
}};
fn audit(doc) {{ let n = 0; for i in 0..400000 {{ n += i; }} [pass("x", `${{n}}`)] }}
"#
        );
        std::fs::write(dir.path().join(format!("{name}.rhai")), rule).expect("write");
    }
    dir
}

/// Every rule's run time summed and the wall time they took together, for an export
/// whose `desk.tickets` has `tickets` tickets.
fn times(tickets: usize) -> (Duration, Duration) {
    let export = tempfile::tempdir().expect("tempdir");
    let path = export.path().join("x.json");
    let list: Vec<serde_json::Value> = (0..tickets)
        .map(|i| serde_json::json!({ "id": format!("{}", 1_892_000_000_000_000u64 + i as u64) }))
        .collect();
    let doc = serde_json::json!({ "desk": { "tickets": list } });
    std::fs::write(&path, doc.to_string()).expect("write");
    let rules = busy_rules();
    on_rule_thread(|| {
        let limits = Limits::default();
        let engine = engine::build(&limits);
        let cat = Catalogue::load(&engine, &[rules.path().to_path_buf()]).expect("rules");
        let doc = common::load_single_file(&path).expect("loads");
        let a = audit::run_all(&engine, &cat, &limits, &doc);
        // The built-in rules run too (and skip: the export holds tickets only).
        let busy: Vec<_> = a.results.iter().filter(|r| r.rule.len() == 1).collect();
        assert_eq!(busy.len(), 3);
        for r in busy {
            assert!(r.findings.len() == 1, "{}: {:?}", r.rule, r.findings);
        }
        (a.results.iter().map(|r| r.elapsed).sum(), a.rules_wall)
    })
}

#[test]
fn rules_run_one_after_another_only_when_the_scans_split() {
    // Two threads and two ways, whatever the machine (a one-core machine shares its core
    // between the two threads, and the rules still overlap).
    audit::set_threads(2);
    let (summed, wall) = times(split::MIN_ITEMS + 1);
    assert!(
        summed <= wall,
        "a long list: one after another, yet the rules' times sum to {summed:?} in {wall:?}"
    );
    let (summed, wall) = times(10);
    assert!(
        summed > wall.mul_f64(1.1),
        "a short list: side by side, yet the rules' times sum to only {summed:?} in {wall:?}"
    );
}
