//! Every rule in `rules/` against its own cases (`rules/<id>.tests/<case>/`), and a check
//! that each rule has a case for every status each of its checks declares.

use crmdesk_audit::engine::{self, Limits};
use crmdesk_audit::rules::cases::{cases_for, run_case};
use crmdesk_audit::rules::run::RULE_STACK_SIZE;
use crmdesk_audit::rules::{Catalogue, Origin};
use crmdesk_audit::status::Status;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// Rules run on a thread with a large stack, as in the binary.
fn on_rule_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(RULE_STACK_SIZE)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("join")
}

#[test]
fn every_rule_case_gives_the_expected_status_for_each_check() {
    let failures = on_rule_stack(|| {
        let limits = Limits::default();
        let engine = engine::build(&limits);
        let cat = Catalogue::load(&engine, &[rules_dir()]).expect("rules load");
        assert!(cat.problems().is_empty(), "{:#?}", cat.problems());
        let mut failures = Vec::new();
        let mut ran = 0;
        for rule in cat
            .rules
            .iter()
            .filter(|r| matches!(r.origin, Origin::File(_)))
        {
            for case in cases_for(&rules_dir(), &rule.id) {
                ran += 1;
                let out = run_case(&engine, &limits, rule, &case);
                for f in out.failures {
                    failures.push(format!("{}/{}: {f}", rule.id, case.name));
                }
            }
        }
        assert!(ran >= 8, "only {ran} cases found");
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_status_a_check_declares_has_a_case() {
    let missing = on_rule_stack(|| {
        let limits = Limits::default();
        let engine = engine::build(&limits);
        let cat = Catalogue::load(&engine, &[rules_dir()]).expect("rules load");
        assert!(cat.rules.len() >= 8, "expected the eight built-in rules");
        let mut missing = Vec::new();
        for rule in &cat.rules {
            let Ok(c) = &rule.compiled else { continue };
            let mut seen: BTreeSet<(String, Status)> = BTreeSet::new();
            for case in cases_for(&rules_dir(), &rule.id) {
                let out = run_case(&engine, &limits, rule, &case);
                seen.extend(out.expected);
            }
            for (check, meta) in &c.meta.checks {
                for s in &meta.statuses {
                    if !seen.contains(&(check.clone(), *s)) {
                        missing.push(format!("{}: no case expects {check} = {s}", rule.id));
                    }
                }
            }
        }
        missing
    });
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
