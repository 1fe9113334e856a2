//! The layer table of `src/lib.rs` holds: every file under `src/` names (with `use
//! crate::...`, `crate::x::...`, `$crate::...` or `super::` up to the crate root) only
//! modules of its own layer and of the layers its row allows. The table is read from
//! `lib.rs` itself, so the statement there and this check cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One row of the table: a layer, its top-level modules, the layers it may import.
#[derive(Debug)]
struct Layer {
    name: String,
    modules: Vec<String>,
    /// `None`: everything.
    imports: Option<Vec<String>>,
}

/// The layer table: rows in order, and each top-level module's layer.
#[derive(Debug)]
struct Table {
    layers: Vec<Layer>,
    layer_of: BTreeMap<String, usize>,
}

impl Table {
    /// Reads the markdown table of `//! | layer | lives in | may import |` rows. A module
    /// is named by where it lives: `load/` or `audit.rs` (under `src/`).
    fn parse(lib_rs: &str) -> Result<Table, String> {
        let mut layers = Vec::new();
        for line in lib_rs.lines() {
            let Some(row) = line.trim().strip_prefix("//! |") else {
                continue;
            };
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let [name, lives, imports, ..] = cells[..] else {
                return Err(format!(
                    "a row of the layer table has too few cells: {line}"
                ));
            };
            if name == "layer" || name.starts_with('-') {
                continue;
            }
            let modules: Vec<String> = lives
                .split('`')
                .skip(1)
                .step_by(2)
                .map(|m| m.trim_end_matches('/').trim_end_matches(".rs").to_owned())
                .collect();
            if modules.is_empty() {
                return Err(format!("layer {name} lives nowhere: {line}"));
            }
            let imports = match imports {
                "everything" => None,
                "nothing" => Some(Vec::new()),
                list => Some(list.split(',').map(|l| l.trim().to_owned()).collect()),
            };
            layers.push(Layer {
                name: name.to_owned(),
                modules,
                imports,
            });
        }
        let mut layer_of = BTreeMap::new();
        for (i, l) in layers.iter().enumerate() {
            for m in &l.modules {
                if layer_of.insert(m.clone(), i).is_some() {
                    return Err(format!("module {m} is in two layers"));
                }
            }
            for to in l.imports.iter().flatten() {
                if !layers.iter().any(|other| &other.name == to) {
                    return Err(format!(
                        "layer {} may import {to}, which is no layer",
                        l.name
                    ));
                }
            }
        }
        if layers.is_empty() {
            return Err("no layer table (`//! | layer | lives in | may import |`)".to_owned());
        }
        Ok(Table { layers, layer_of })
    }

    /// Whether code of module `from` may name module `to` (both top-level); `None` when
    /// `from` is in no layer.
    fn allows(&self, from: &str, to: &str) -> Option<bool> {
        let from = &self.layers[*self.layer_of.get(from)?];
        let Some(&to) = self.layer_of.get(to) else {
            // Not a module of this crate (`crate::` cannot name anything else, but a
            // misspelled path is the compiler's business, not this test's).
            return Some(true);
        };
        let to = &self.layers[to].name;
        Some(
            *to == from.name
                || from
                    .imports
                    .as_ref()
                    .is_none_or(|allowed| allowed.contains(to)),
        )
    }
}

/// A name of a module another layer's file may not use.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    /// The path as written, e.g. `crate::report` or `super::super::engine`.
    import: String,
    layer: String,
    imported_layer: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}`: layer {} may not import layer {} (src/lib.rs)",
            self.file, self.line, self.import, self.layer, self.imported_layer
        )
    }
}

/// `text` with comments, string and character literals blanked out (newlines kept, so
/// line numbers stay), so only code is looked at.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if c[i] == '/' && peek(&c, i + 1) == Some('/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '/' && peek(&c, i + 1) == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && peek(&c, i + 1) == Some('*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && peek(&c, i + 1) == Some('/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if !ident_before
            && (c[i] == 'r' || (c[i] == 'b' && peek(&c, i + 1) == Some('r')))
            && {
                let start = if c[i] == 'b' { 2 } else { 1 };
                let hashes = (start..)
                    .take_while(|&k| peek(&c, i + k) == Some('#'))
                    .count();
                peek(&c, i + start + hashes) == Some('"')
            }
        {
            // A raw string: r"..." or r#"..."# (also br...): ends at `"` and as many `#`.
            let start = if c[i] == 'b' { 2 } else { 1 };
            let hashes = (start..)
                .take_while(|&k| peek(&c, i + k) == Some('#'))
                .count();
            let open = start + hashes + 1;
            for _ in 0..open {
                out.push(' ');
            }
            i += open;
            while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' && (peek(&c, i + 1) == Some('\\') || peek(&c, i + 2) == Some('\'')) {
            // A character literal ('x', '\n', '\u{..}'); a lifetime ('a) has no closing quote.
            out.push(' ');
            i += 1;
            if c.get(i) == Some(&'\\') {
                out.push(' ');
                i += 1;
            }
            while i < c.len() && c[i] != '\'' {
                blank(&mut out, c[i]);
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// The character at `k`, if any.
fn peek(c: &[char], k: usize) -> Option<char> {
    c.get(k).copied()
}

/// The module path of the file at `rel` (relative to `src/`): `load/json/seed.rs` is
/// `[load, json, seed]`, `load/json/mod.rs` is `[load, json]`.
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every module of this crate that the code of the file at `rel` (under `src/`) names
/// from the crate root, with its line and the path as written: `crate::x`, `$crate::x`,
/// `crate::{x::.., y}`, and `super::` chains that climb to the root (inline `mod x {`
/// blocks counted, as rustfmt lays them out).
fn named_modules(rel: &str, text: &str) -> Vec<(usize, String, String)> {
    let code = code_only(text);
    let c: Vec<char> = code.chars().collect();
    let file_path = module_path(rel);
    let mut found = Vec::new();
    let mut line = 1;
    // Brace depth, and the depths at which inline modules opened.
    let mut depth = 0usize;
    let mut inline_mods: Vec<usize> = Vec::new();
    let mut pending_mod = false;
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let word_at = |i: usize| -> String { c[i..].iter().take_while(|&&ch| is_ident(ch)).collect() };
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if ch == '{' {
            depth += 1;
            if pending_mod {
                inline_mods.push(depth);
                pending_mod = false;
            }
            i += 1;
            continue;
        }
        if ch == '}' {
            if inline_mods.last() == Some(&depth) {
                inline_mods.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
            continue;
        }
        if ch == ';' {
            pending_mod = false;
        }
        if !is_ident(ch) || (i > 0 && is_ident(c[i - 1])) {
            i += 1;
            continue;
        }
        let word = word_at(i);
        let start = i;
        i += word.len();
        if word == "mod" {
            pending_mod = true;
            continue;
        }
        // A path from the root: `crate::` / `$crate::`, or `super::` climbing to it.
        let mut prefix = String::new();
        let mut j = start;
        let at_root = match word.as_str() {
            "crate" => {
                prefix.push_str(if start > 0 && c[start - 1] == '$' {
                    "$crate"
                } else {
                    "crate"
                });
                j += word.len();
                true
            }
            "super" => {
                let mut levels = 0;
                while word_at(j) == "super" && c.get(j + 5..j + 7) == Some(&[':', ':'][..]) {
                    levels += 1;
                    j += 7;
                    prefix.push_str("super::");
                }
                // `super` not followed by `::` (`pub(super)`) is no path.
                if levels == 0 {
                    continue;
                }
                prefix.truncate(prefix.len() - 2);
                j -= 2;
                // The rest of the chain is no new path.
                i = j;
                let here = file_path.len() + inline_mods.len();
                levels == here
            }
            _ => false,
        };
        if !at_root || c.get(j..j + 2) != Some(&[':', ':'][..]) {
            continue;
        }
        j += 2;
        while c.get(j).is_some_and(|ch| ch.is_whitespace()) {
            j += 1;
        }
        if c.get(j) == Some(&'{') {
            // `crate::{a::b, c, d::{e, f}}`: the first name of each top-level item.
            let mut group_depth = 0;
            let mut group_line = line;
            let mut expect_name = true;
            while j < c.len() {
                match c[j] {
                    '{' => {
                        group_depth += 1;
                        expect_name = group_depth == 1;
                    }
                    '}' => {
                        group_depth -= 1;
                        if group_depth == 0 {
                            break;
                        }
                    }
                    ',' if group_depth == 1 => expect_name = true,
                    '\n' => group_line += 1,
                    ch if is_ident(ch) && expect_name => {
                        let name = word_at(j);
                        j += name.len();
                        expect_name = false;
                        if name != "self" {
                            found.push((group_line, format!("{prefix}::{name}"), name));
                        }
                        continue;
                    }
                    _ => {}
                }
                j += 1;
            }
            // The group's lines are counted when the scan passes them.
        } else if c.get(j).copied().is_some_and(is_ident) {
            let name = word_at(j);
            found.push((line, format!("{prefix}::{name}"), name));
        }
    }
    found
}

/// The names in the file at `rel` (under `src/`) that its layer may not use.
fn violations(table: &Table, rel: &str, text: &str) -> Result<Vec<Violation>, String> {
    let from = module_path(rel)
        .first()
        .cloned()
        .ok_or_else(|| format!("src/{rel}: no module"))?;
    let layer = |m: &str| table.layer_of.get(m).map(|&i| table.layers[i].name.clone());
    let from_layer = layer(&from)
        .ok_or_else(|| format!("src/{rel}: module `{from}` is in no layer of src/lib.rs"))?;
    let mut out = Vec::new();
    for (line, import, to) in named_modules(rel, text) {
        if table.allows(&from, &to) == Some(false) {
            out.push(Violation {
                file: format!("src/{rel}"),
                line,
                import,
                layer: from_layer.clone(),
                imported_layer: layer(&to).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// Every `.rs` file under `dir`, as paths relative to `root` with `/`.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(root).expect("under src");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The top-level modules `lib.rs` declares (`mod x;`, `pub mod x;`).
fn declared_modules(lib_rs: &str) -> BTreeSet<String> {
    code_only(lib_rs)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

#[test]
fn every_file_under_src_imports_only_what_its_layer_may() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib_rs = std::fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    let table = Table::parse(&lib_rs).unwrap_or_else(|e| panic!("src/lib.rs: {e}"));
    let names: Vec<&str> = table.layers.iter().map(|l| l.name.as_str()).collect();
    for layer in ["load", "engine", "rules", "report", "cli"] {
        assert!(names.contains(&layer), "src/lib.rs: no layer {layer}");
    }
    let in_table: BTreeSet<String> = table.layer_of.keys().cloned().collect();
    assert_eq!(
        declared_modules(&lib_rs),
        in_table,
        "the modules src/lib.rs declares and those its layer table names differ"
    );

    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    // The crate root only declares the modules; the binary is a crate of its own.
    files.retain(|f| f != "lib.rs" && f != "main.rs");
    assert!(
        files.len() > 50,
        "only {} files found under src/",
        files.len()
    );
    let mut problems = Vec::new();
    let mut names = 0;
    for rel in &files {
        let text = std::fs::read_to_string(src.join(rel)).expect("read a source file");
        names += named_modules(rel, &text).len();
        match violations(&table, rel, &text) {
            Ok(v) => problems.extend(v.iter().map(ToString::to_string)),
            Err(e) => problems.push(e),
        }
    }
    // A scan that found (almost) nothing would pass vacuously.
    assert!(
        names > 200,
        "only {names} names of crate modules found under src/"
    );
    assert!(
        problems.is_empty(),
        "imports against the layer table of src/lib.rs:\n{}",
        problems.join("\n")
    );
}

/// A small table for the checker's own tests.
const TABLE: &str = "\
//! | layer | lives in       | may import |
//! |-------|----------------|------------|
//! | base  | `words.rs`     | nothing    |
//! | low   | `low/` `doc/`  | base       |
//! | high  | `high/`        | low, base  |
//! | top   | `top.rs`       | everything |
";

fn check(rel: &str, text: &str) -> Vec<String> {
    let table = Table::parse(TABLE).expect("the test table parses");
    violations(&table, rel, text)
        .expect("the file is in a layer")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_forbidden_import_is_named_with_its_file_and_line() {
    let text = "//! A low module.\n\nuse crate::doc::Value;\nuse crate::high::Engine;\n";
    assert_eq!(
        check("low/a.rs", text),
        ["src/low/a.rs:4: `crate::high`: layer low may not import layer high (src/lib.rs)"]
    );
    // A path in code, not only in `use`.
    let text = "fn f() {\n    let x = crate::high::run();\n}\n";
    assert_eq!(
        check("low/mod.rs", text),
        ["src/low/mod.rs:2: `crate::high`: layer low may not import layer high (src/lib.rs)"]
    );
    let text = "macro_rules! m {\n    () => { $crate::top::f() };\n}\n";
    assert_eq!(
        check("words.rs", text),
        ["src/words.rs:2: `$crate::top`: layer base may not import layer top (src/lib.rs)"]
    );
}

#[test]
fn grouped_imports_and_super_paths_to_the_root_are_checked_too() {
    let text = "use crate::{\n    doc::Value,\n    high::{Engine, Limits},\n    words,\n};\n";
    assert_eq!(
        check("low/a.rs", text),
        ["src/low/a.rs:3: `crate::high`: layer low may not import layer high (src/lib.rs)"]
    );
    // From src/low/json/seed.rs, three `super`s reach the root; two stay inside `low`.
    let text = "use super::super::doc;\nuse super::super::super::high::Engine;\n";
    assert_eq!(
        check("low/json/seed.rs", text),
        [
            "src/low/json/seed.rs:2: `super::super::super::high`: layer low may not import \
             layer high (src/lib.rs)"
        ]
    );
    // An inline module is one level deeper than its file.
    let text = "fn f() {}\n\n#[cfg(test)]\nmod tests {\n    use super::super::top;\n    use super::f;\n}\n\nuse super::high;\n";
    assert_eq!(
        check("low/mod.rs", text),
        [
            "src/low/mod.rs:5: `super::super::top`: layer low may not import layer top \
             (src/lib.rs)",
            "src/low/mod.rs:9: `super::high`: layer low may not import layer high (src/lib.rs)",
        ]
    );
}

#[test]
fn what_a_layer_may_import_and_what_is_no_import_pass() {
    // Its own layer, the layers its row names; everything for `everything`.
    assert!(
        check(
            "high/a.rs",
            "use crate::low::X;\nuse crate::words::W;\nuse crate::high::Y;\n"
        )
        .is_empty()
    );
    assert!(check("low/a.rs", "use crate::doc::Value;\n").is_empty());
    assert!(check("top.rs", "use crate::{high, low, words};\n").is_empty());
    // Comments, strings and characters are not code; other crates are not this crate.
    let text = "// use crate::high;\n/* crate::high */\nconst S: &str = \"crate::high\";\n\
                const R: &str = r#\"crate::high \"quoted\"\"#;\nconst C: char = '{';\n\
                use rhai::Engine;\nfn f<'a>(x: &'a str) -> &'a str { x }\nuse my_crate::high;\n";
    assert!(
        check("low/a.rs", text).is_empty(),
        "{:?}",
        check("low/a.rs", text)
    );
}

#[test]
fn a_table_that_names_no_layer_or_an_unknown_one_is_refused() {
    assert!(Table::parse("//! no table here\n").is_err());
    let unknown = "//! | a | `a.rs` | b |\n";
    assert_eq!(
        Table::parse(unknown).unwrap_err(),
        "layer a may import b, which is no layer"
    );
    let twice = "//! | a | `a.rs` | nothing |\n//! | b | `a.rs` | a |\n";
    assert_eq!(
        Table::parse(twice).unwrap_err(),
        "module a is in two layers"
    );
    let table = Table::parse(TABLE).expect("the test table parses");
    assert!(violations(&table, "elsewhere.rs", "").is_err());
}
