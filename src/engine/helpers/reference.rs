//! The helper table of docs/rule-reference.md, written from the engine's own metadata.
//!
//! Every function a rule can call is registered through `Helpers::add`, which puts its
//! parameter names and types and its one-line description into Rhai's function metadata.
//! `helper_table` reads that metadata back (`Engine::collect_fn_metadata`) and lays the
//! functions out in the groups of `GROUPS`; tests/helper_reference.rs checks that the
//! document holds exactly this text (`UPDATE_DOCS=1 cargo test --test helper_reference`
//! rewrites it). The layout is all this file knows: what a helper takes and does is said
//! once, where it is registered.

use rhai::{Engine, FuncInfo};
use std::collections::BTreeSet;

/// A group of the table: a heading, a sentence or none, and its entries in order. An entry
/// is a function's name (`"where_eq"`: every overload of it not claimed elsewhere) or a
/// method of a type (`"Index.len"`: the `len` whose first parameter is an `Index`, shown as
/// a method call).
struct Group {
    heading: &'static str,
    intro: &'static str,
    entries: &'static [&'static str],
}

const GROUPS: &[Group] = &[
    Group {
        heading: "Filtering and counting",
        intro: "Each reads a document list natively, by a key as described above; a *list view* \
                is a list of some of its items, which keep their pointers.",
        entries: &[
            "where_eq",
            "where_eq_ci",
            "count_eq",
            "count_eq_ci",
            "find_eq",
            "find_eq_ci",
            "where_in",
            "where_not_in",
            "count_in",
            "where_present",
            "where_missing",
            "where_set",
            "without_match",
            "without_match_ci",
            "count_by",
            "take",
        ],
    },
    Group {
        heading: "Indexes",
        intro: "Build once, look up many times: `let ix = index_by(list, key);`.",
        entries: &[
            "index_by",
            "index_by_ci",
            "Index.get",
            "Index.all",
            "Index.contains",
            "Index.len",
            "Index.keys",
        ],
    },
    Group {
        heading: "Sets",
        intro: "A Set holds value texts, never a blank one. A Set made by `set_of_ci` trims and \
                lower-cases its members and every value it is asked about, so it also matches \
                case-insensitively when passed to `where_in`, `where_not_in` or `count_in`.",
        entries: &[
            "set_of",
            "set_of_ci",
            "to_set",
            "Set.contains",
            "Set.len",
            "Set.is_empty",
            "Set.to_array",
            "Set.to_string",
            "Set.union",
            "Set.add",
        ],
    },
    Group {
        heading: "Tallies",
        intro: "For a per-user question over many records: the list is grouped once, and each \
                question then costs one step per group instead of one per item.",
        entries: &[
            "tally_by_set",
            "Tally.counts_outside",
            "Tally.counts",
            "Tally.len",
            "Tally.is_empty",
            "Tally.count",
        ],
    },
    Group {
        heading: "Text and values",
        intro: "",
        entries: &[
            "eq_ci",
            "norm",
            "blank",
            "contains_ci",
            "trimmed",
            "id_text",
            "join",
            "parse_time",
        ],
    },
    Group {
        heading: "Naming records in messages",
        intro: "The same words in every rule, in both languages.",
        entries: &[
            "part_ja",
            "user_label",
            "user_label_ja",
            "desk_contact_label",
            "desk_contact_label_ja",
            "module_label",
            "module_ui_name",
            "sample",
            "sample_ja",
            "first_in_order",
        ],
    },
    Group {
        heading: "Zoho definitions",
        intro: "The catalogue's one definition of each: use them instead of re-deriving it.",
        entries: &[
            "module_visible",
            "custom_module_hidden_by_system",
            "setting",
            "agent_active",
            "user_active",
            "is_true",
            "is_false",
        ],
    },
    Group {
        heading: "Document access",
        intro: "Functions of document nodes (objects, lists, list views); `x.key`, `x[\"key\"]`, \
                `list[0]` and `for item in list` are described under [The document](#the-document).",
        entries: &[
            "ptr",
            "Node.to_array",
            "to_json",
            "is_list",
            "is_object",
            "Node.len",
            "Node.is_empty",
            "Node.keys",
            "Node.contains",
            "Node.to_string",
            "Node.to_debug",
        ],
    },
    Group {
        heading: "Making findings",
        intro: "What each argument may be is under [Findings](#findings).",
        entries: &["pass", "warn", "fail", "skip"],
    },
    Group {
        heading: "Run parameters",
        intro: "",
        entries: &["param"],
    },
    Group {
        heading: "Rhai built-ins that behave differently here",
        intro: "Rhai's own versions, replaced to keep the sandbox's promises (docs/security.md).",
        entries: &[
            "sort",
            "sort_by",
            "dedup",
            "replace",
            "print",
            "debug",
            "to_string",
            "to_debug",
            "sleep",
        ],
    },
];

/// One registered function, as its metadata describes it.
struct Function {
    name: String,
    /// `(name, type)`; no type for a parameter that takes any value.
    params: Vec<(String, Option<String>)>,
    returns: Option<String>,
    /// The doc line given to `Helpers::add`.
    doc: Option<String>,
}

impl Function {
    fn of(info: FuncInfo) -> Option<Function> {
        let m = info.metadata;
        // Indexers and property accessors (`index$get$`) are not called by name.
        if m.name.contains('$') {
            return None;
        }
        let params = m
            .params_info
            .iter()
            .map(|p| match p.split_once(':') {
                Some((name, ty)) => (name.trim().to_owned(), Some(ty.trim().to_owned())),
                None => (p.trim().to_owned(), None),
            })
            .collect();
        let doc: Vec<&str> = m
            .comments
            .iter()
            .flat_map(|c| c.lines())
            .map(|l| l.trim_start_matches("///").trim())
            .filter(|l| !l.is_empty())
            .collect();
        Some(Function {
            name: m.name.to_string(),
            params,
            returns: Some(m.return_type.trim())
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            doc: (!doc.is_empty()).then(|| doc.join(" ")),
        })
    }

    fn receiver(&self) -> Option<&str> {
        self.params.first().and_then(|(_, ty)| ty.as_deref())
    }

    /// `where_eq(list: Node, key, value) -> Node`, or as a method, `ix.get(key)`.
    fn signature(&self, method: bool) -> String {
        let param = |(name, ty): &(String, Option<String>)| match ty {
            Some(ty) => format!("{name}: {ty}"),
            None => name.clone(),
        };
        let mut s = match (method, self.params.split_first()) {
            (true, Some(((this, _), rest))) => format!(
                "{this}.{}({})",
                self.name,
                rest.iter().map(param).collect::<Vec<_>>().join(", ")
            ),
            _ => format!(
                "{}({})",
                self.name,
                self.params.iter().map(param).collect::<Vec<_>>().join(", ")
            ),
        };
        if let Some(r) = &self.returns {
            s.push_str(" -> ");
            s.push_str(r);
        }
        s
    }
}

/// The helper table of docs/rule-reference.md (the text between its markers) for the
/// functions `engine` registers beyond Rhai's standard packages; or every reason it cannot
/// be written: a function without a doc line, a function no group lists, an entry of
/// `GROUPS` that names no function, a type without a Rhai name.
pub fn helper_table(engine: &Engine) -> Result<String, Vec<String>> {
    let functions: Vec<Function> = engine.collect_fn_metadata(None, Function::of, false);
    let mut problems = Vec::new();
    for f in &functions {
        if f.doc.is_none() {
            problems.push(format!(
                "`{}` is registered without a doc line: register it with `Helpers::add` \
                 (src/engine/helpers/mod.rs)",
                f.signature(false)
            ));
        }
        if f.signature(false).contains("::") {
            problems.push(format!(
                "`{}`: a type has no Rhai name; register the type before the functions that use it",
                f.signature(false)
            ));
        }
    }
    // Methods first: a plain entry takes the overloads no `Type.name` entry took.
    let methods: BTreeSet<(&str, &str)> = GROUPS
        .iter()
        .flat_map(|g| g.entries.iter())
        .filter_map(|e| e.split_once('.'))
        .collect();
    let claims = |entry: &str, f: &Function| match entry.split_once('.') {
        Some((ty, name)) => f.name == name && f.receiver() == Some(ty),
        None => {
            f.name == entry
                && !f
                    .receiver()
                    .is_some_and(|ty| methods.contains(&(ty, f.name.as_str())))
        }
    };
    for f in &functions {
        if !GROUPS
            .iter()
            .flat_map(|g| g.entries.iter())
            .any(|e| claims(e, f))
        {
            problems.push(format!(
                "`{}` is in no group of the helper table: add it to `GROUPS` in \
                 src/engine/helpers/reference.rs",
                f.signature(false)
            ));
        }
    }

    let mut out = String::from(
        "<!-- Generated from the helpers' registrations (src/engine/helpers): edit a helper's \
         doc line there, then run UPDATE_DOCS=1 cargo test --test helper_reference -->\n",
    );
    for group in GROUPS {
        out.push_str(&format!("\n### {}\n\n", group.heading));
        if !group.intro.is_empty() {
            out.push_str(group.intro);
            out.push_str("\n\n");
        }
        out.push_str("| helper | signature | what it does |\n|---|---|---|\n");
        for &entry in group.entries {
            let mut mine: Vec<&Function> = functions.iter().filter(|f| claims(entry, f)).collect();
            if mine.is_empty() {
                problems.push(format!(
                    "`GROUPS` lists `{entry}`, which the engine does not register"
                ));
            }
            mine.sort_by_key(|f| (f.params.len(), f.signature(false)));
            // One row per doc line: overloads that share one share a row.
            let mut docs: Vec<&str> = Vec::new();
            for f in &mine {
                let doc = f.doc.as_deref().unwrap_or_default();
                if !docs.contains(&doc) {
                    docs.push(doc);
                }
            }
            let method = entry.contains('.');
            for doc in docs {
                let signatures: Vec<String> = mine
                    .iter()
                    .filter(|f| f.doc.as_deref().unwrap_or_default() == doc)
                    .map(|f| format!("`{}`", cell(&f.signature(method))))
                    .collect();
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    mine[0].name,
                    signatures.join("<br>"),
                    cell(doc)
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Text that stays in its table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::helper_table;
    use crate::engine::helpers::Helpers;
    use crate::engine::{Limits, build};
    use rhai::INT;

    #[test]
    fn every_function_of_the_engine_is_documented_and_placed() {
        let table = helper_table(&build(&Limits::default())).unwrap_or_else(|p| panic!("{p:#?}"));
        assert!(table.contains(
            "| `where_eq` | `where_eq(list: Node, key, value) -> Node` | a list view of the items whose key equals value |"
        ));
        assert!(
            table.contains("`ix.get(k)`"),
            "methods are shown as methods"
        );
    }

    #[test]
    fn a_function_without_a_doc_line_or_a_group_is_refused() {
        let mut engine = build(&Limits::default());
        engine.register_fn("undocumented", |x: INT| x);
        Helpers::new(&mut engine).add("unplaced(x)", "a doc line", |x: INT| x);
        let problems = helper_table(&engine).expect_err("two problems");
        assert!(
            problems
                .iter()
                .any(|p| p
                    .contains("`undocumented(_: i64) -> i64` is registered without a doc line")),
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`unplaced(x: i64) -> i64` is in no group")),
            "{problems:#?}"
        );
    }
}
