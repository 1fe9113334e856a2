//! The helper reference cannot drift from the engine: every function the engine adds
//! to Rhai's standard set is documented in docs/rule-reference.md, and nothing is
//! documented there that the engine does not register.

use crmdesk_audit::engine::{self, Limits};
use std::collections::BTreeSet;

fn names(signatures: Vec<String>) -> BTreeSet<String> {
    signatures
        .into_iter()
        .filter_map(|s| s.split('(').next().map(|n| n.trim().to_owned()))
        .map(|n| {
            n.trim_start_matches("pub ")
                .trim_start_matches("fn ")
                .to_owned()
        })
        .collect()
}

fn helper_names() -> BTreeSet<String> {
    let ours = names(engine::build(&Limits::default()).gen_fn_signatures(false));
    // Without packages the list holds only what `engine::build` registered itself.
    ours.into_iter()
        .filter(|n| !n.starts_with("index$") && !n.starts_with("get$") && !n.starts_with("set$"))
        .collect()
}

#[test]
fn every_registered_helper_is_in_the_rule_reference() {
    let doc = std::fs::read_to_string("docs/rule-reference.md").expect("docs/rule-reference.md");
    let helpers = helper_names();
    assert!(
        helpers.contains("where_eq") && helpers.contains("parse_time"),
        "{helpers:?}"
    );
    let missing: Vec<&String> = helpers
        .iter()
        .filter(|n| {
            ![format!("`{n}("), format!(".{n}("), format!("/ `{n}`")]
                .iter()
                .any(|form| doc.contains(form.as_str()))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "helpers missing from docs/rule-reference.md: {missing:?}"
    );
}

#[test]
fn every_helper_in_the_reference_table_exists() {
    let doc = std::fs::read_to_string("docs/rule-reference.md").expect("docs/rule-reference.md");
    let ours = names(engine::build(&Limits::default()).gen_fn_signatures(false));
    let mut unknown = Vec::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = line.split('|').nth(1).unwrap_or_default();
        for part in first_cell.split('`').skip(1).step_by(2) {
            let name = part.split('(').next().unwrap_or_default().trim();
            if !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !ours.contains(name)
            {
                unknown.push(name.to_owned());
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "documented but not registered: {unknown:?}"
    );
}
