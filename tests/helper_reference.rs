//! The helper table of docs/rule-reference.md is generated from the engine: each helper's
//! signature and doc line are given where it is registered (`Helpers::add`, in
//! src/engine/helpers), and `reference::helper_table` lays them out. These tests fail when
//! the document holds another table than the engine gives, when a function a rule can call
//! is missing from it, or when docs/writing-rules.md repeats it.
//!
//! After changing a helper: `UPDATE_DOCS=1 cargo test --test helper_reference` rewrites the
//! table between the markers of docs/rule-reference.md.

use crmdesk_audit::engine::{self, Limits, helpers::reference};
use std::collections::BTreeSet;

const REFERENCE: &str = "docs/rule-reference.md";
const BEGIN: &str = "<!-- helpers:begin -->\n";
const END: &str = "<!-- helpers:end -->";
const REGENERATE: &str = "UPDATE_DOCS=1 cargo test --test helper_reference";

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The table as the engine gives it.
fn generated() -> String {
    reference::helper_table(&engine::build(&Limits::default())).unwrap_or_else(|problems| {
        panic!(
            "the helper table cannot be generated:\n  {}",
            problems.join("\n  ")
        )
    })
}

/// The names of the functions the engine adds to Rhai's standard packages: every helper,
/// built-in replacement and `param` a rule can call by name.
fn registered() -> BTreeSet<String> {
    engine::build(&Limits::default())
        .gen_fn_signatures(false)
        .iter()
        .filter_map(|s| s.split('(').next())
        .map(|n| n.trim().to_owned())
        // Indexers and property accessors are not called by name.
        .filter(|n| !n.contains('$'))
        .collect()
}

/// The names in the first column of the table's rows.
fn names_in(table: &str) -> BTreeSet<String> {
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

#[test]
fn the_rule_reference_holds_the_generated_helper_table() {
    let doc = read(REFERENCE);
    let (before, rest) = doc
        .split_once(BEGIN)
        .unwrap_or_else(|| panic!("{REFERENCE}: no line `{}`", BEGIN.trim()));
    let (current, after) = rest
        .split_once(END)
        .unwrap_or_else(|| panic!("{REFERENCE}: no line `{END}` after `{}`", BEGIN.trim()));
    let want = generated();
    if current == want {
        return;
    }
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(REFERENCE, format!("{before}{BEGIN}{want}{END}{after}"))
            .unwrap_or_else(|e| panic!("{REFERENCE}: {e}"));
        eprintln!("rewrote the helper table of {REFERENCE}");
        return;
    }
    let first_difference = current
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| current.lines().count().min(want.lines().count()));
    panic!(
        "the helper table of {REFERENCE} is not what the engine registers (first difference at \
         line {} of the table):\n  in the document: {}\n  from the engine: {}\n\
         The table is generated: edit the helper's doc line where it is registered \
         (src/engine/helpers), then run\n  {REGENERATE}",
        first_difference + 1,
        current
            .lines()
            .nth(first_difference)
            .unwrap_or("(end of table)"),
        want.lines()
            .nth(first_difference)
            .unwrap_or("(end of table)"),
    );
}

#[test]
fn every_function_a_rule_can_call_is_in_the_table() {
    let registered = registered();
    assert!(
        registered.contains("where_eq") && registered.contains("param"),
        "{registered:?}"
    );
    let table = names_in(&generated());
    let missing: Vec<&String> = registered.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "registered but not in the helper table: {missing:?}; register them with \
         `Helpers::add` and a doc line, list them in `GROUPS` (src/engine/helpers/reference.rs), \
         then run {REGENERATE}"
    );
    let unknown: Vec<&String> = table.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "in the helper table but not registered: {unknown:?}"
    );
}

#[test]
fn writing_rules_links_to_the_table_instead_of_repeating_it() {
    let doc = read("docs/writing-rules.md");
    assert!(
        doc.contains("rule-reference.md#helpers"),
        "docs/writing-rules.md should link to the helper table (rule-reference.md#helpers)"
    );
    let registered = registered();
    let repeated: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("| "))
        .filter(|l| {
            let first_cell = l.split('|').nth(1).unwrap_or_default();
            registered
                .iter()
                .any(|n| first_cell.contains(&format!("`{n}(")))
        })
        .collect();
    assert!(
        repeated.is_empty(),
        "docs/writing-rules.md repeats rows of the helper table; link to rule-reference.md#helpers \
         instead:\n  {}",
        repeated.join("\n  ")
    );
}
