//! Every rule in `rules/` against its own cases (`rules/<id>.tests/<case>/`), each case a
//! test of its own (`cargo test --test rule_cases -- sync-running/paused`), plus one
//! coverage test per rule (`sync-running/(coverage)`): the check `rules test` makes, that
//! each status each check declares is expected by some case.

use crmdesk_audit::engine::{self, Limits};
use crmdesk_audit::rules::cases::{cases_for, coverage, run_case};
use crmdesk_audit::rules::run::on_rule_thread;
use crmdesk_audit::rules::{Catalogue, RuleSource};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// The engine and the rules, loaded once for every trial.
fn loaded() -> &'static (rhai::Engine, Catalogue) {
    static LOADED: OnceLock<(rhai::Engine, Catalogue)> = OnceLock::new();
    LOADED.get_or_init(|| {
        let engine = engine::build(&Limits::default());
        let cat = Catalogue::load(&engine, &[rules_dir()]).expect("the rules load");
        assert!(cat.problems().is_empty(), "{:#?}", cat.problems());
        (engine, cat)
    })
}

fn main() {
    let args = Arguments::from_args();
    let (_, cat) = loaded();
    let mut trials = Vec::new();
    for rule in cat
        .rules
        .iter()
        .filter(|r| matches!(r.origin, RuleSource::File(_)))
    {
        let cases = Arc::new(cases_for(&rules_dir(), &rule.id));
        for (i, case) in cases.iter().enumerate() {
            let (id, name) = (rule.id.clone(), case.name.clone());
            let cases = Arc::clone(&cases);
            trials.push(Trial::test(format!("{id}/{name}"), move || {
                // Rules run on a thread with the rule stack, as in the binary.
                let failures = on_rule_thread(|| {
                    let (engine, cat) = loaded();
                    let rule = cat.rules.iter().find(|r| r.id == id).expect("the rule");
                    run_case(engine, &Limits::default(), rule, &cases[i]).failures
                });
                if failures.is_empty() {
                    Ok(())
                } else {
                    Err(Failed::from(failures.join("\n")))
                }
            }));
        }
        let id = rule.id.clone();
        trials.push(Trial::test(format!("{id}/(coverage)"), move || {
            let (_, cat) = loaded();
            let rule = cat.rules.iter().find(|r| r.id == id).expect("the rule");
            let missing = coverage(rule, &cases);
            if cases.is_empty() {
                return Err(Failed::from("no cases"));
            }
            if missing.is_empty() {
                Ok(())
            } else {
                Err(Failed::from(missing.join("\n")))
            }
        }));
    }
    assert!(trials.len() >= 16, "only {} trials", trials.len());
    libtest_mimic::run(&args, trials).exit();
}
