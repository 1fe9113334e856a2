//! One rule: its id, where it came from, and its compiled script and metadata, or the
//! problems that kept it from compiling (each as `path:line:col: message`).

use super::meta::{CHECK_KEYS, META_KEYS, RuleMeta};
use crate::suggest::did_you_mean;
use rhai::{AST, Engine};
use std::fmt;
use std::path::PathBuf;

/// Where a rule came from: built into the binary, or a file (`--rules DIR`). Named apart
/// from the loader's `Origin` (where a page of an export came from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleSource {
    /// Compiled into the binary from the repository's `rules/` directory.
    Builtin,
    /// Read from this `.rhai` file in a `--rules` directory.
    File(PathBuf),
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSource::Builtin => f.write_str("built-in"),
            RuleSource::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A rule that compiled: its validated META and its script.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The rule's `META`, read from the literal without running the script.
    pub meta: RuleMeta,
    /// The compiled script, run once per export.
    pub ast: AST,
}

/// One rule of the catalogue: compiled, or with the reasons it did not compile (it is
/// still listed, and reports `error` when run).
#[derive(Clone, Debug)]
pub struct Rule {
    /// The rule id: kebab-case, the file name without `.rhai`; unique within a catalogue.
    pub id: String,
    /// Where its source came from.
    pub origin: RuleSource,
    /// The compiled rule, or every problem found, each as `path:line:col: message`.
    pub compiled: Result<Compiled, Vec<String>>,
}

impl Rule {
    /// The FAQ number for ordering (0 when the rule did not compile).
    pub fn faq(&self) -> u32 {
        self.compiled.as_ref().map_or(0, |c| c.meta.faq)
    }

    /// Where problems are reported: the file, or `rules/<id>.rhai (built in)`.
    pub fn location(&self) -> String {
        match &self.origin {
            RuleSource::Builtin => format!("rules/{}.rhai (built in)", self.id),
            RuleSource::File(p) => p.display().to_string(),
        }
    }

    /// Compiles `source` and reads and validates its `META`. The rule will run on
    /// `engine` (whose functions it may call); it is parsed by `parser()`, which bounds
    /// literals.
    pub fn compile(engine: &Engine, id: &str, origin: RuleSource, source: &str) -> Rule {
        let mut rule = Rule {
            id: id.to_owned(),
            origin,
            compiled: Err(vec![]),
        };
        rule.compiled = compile(engine, &rule.location(), source);
        if !super::meta::is_kebab(id) {
            let problem = format!(
                "{}:1:1: rule id `{id}` (the file name) must be kebab-case, e.g. `sync-running`",
                rule.location()
            );
            match &mut rule.compiled {
                Ok(_) => rule.compiled = Err(vec![problem]),
                Err(ps) => ps.insert(0, problem),
            }
        }
        rule
    }
}

/// Entries a map or array literal in a rule may hold. Rhai's parser compares each key of
/// a map literal with every key before it, so one literal of 100,000 entries took minutes;
/// capped, parsing stays linear in the file's size. META needs far fewer.
pub const MAX_LITERAL: usize = 1024;

/// The engine rules are parsed with: the run engine's settings, with literals capped at
/// `MAX_LITERAL` entries (the AST runs on any engine built by `engine::build`).
fn parser() -> &'static Engine {
    static PARSER: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    PARSER.get_or_init(|| {
        crate::engine::build(&crate::engine::Limits {
            max_map_size: MAX_LITERAL,
            max_array_size: MAX_LITERAL,
            ..crate::engine::Limits::default()
        })
    })
}

fn compile(engine: &Engine, path: &str, source: &str) -> Result<Compiled, Vec<String>> {
    let ast = parser().compile(source).map_err(|e| {
        let pos = e.position();
        let hint = match e.err_type() {
            rhai::ParseErrorType::VariableUndefined(name)
                if source.contains(&format!("const {name}")) =>
            {
                format!(" (inside a function, read the file's constant as global::{name})")
            }
            _ => String::new(),
        };
        vec![format!(
            "{path}:{}:{}: {}{hint}",
            pos.line().unwrap_or(1),
            pos.position().unwrap_or(1),
            e.err_type()
        )]
    })?;
    let meta_line = source
        .lines()
        .position(|l| l.trim_start().starts_with("const META"))
        .map_or(1, |i| i + 1);
    let at = |msg: String| format!("{path}:{meta_line}:1: {msg}");

    let Some((_, _, meta)) = ast
        .iter_literal_variables(true, false)
        .find(|(name, _, _)| *name == "META")
    else {
        return Err(vec![at(
            "no `const META = #{...}` made only of literals (strings, numbers, arrays, maps): \
             every rule starts with one; see docs/writing-rules.md"
                .to_owned(),
        )]);
    };
    let meta: RuleMeta = rhai::serde::from_dynamic(&meta).map_err(|e| {
        let msg = e.to_string();
        match bad_severity(&msg, source) {
            Some((line, value)) => vec![format!(
                "{path}:{line}:1: META: unknown severity `{value}` (severity is one of {}; medium when absent)",
                crate::severity::Severity::NAMES
            )],
            None => vec![at(meta_error(&msg))],
        }
    })?;
    let mut problems: Vec<String> = meta.problems().into_iter().map(at).collect();
    problems.extend(super::lint::problems(
        &ast,
        path,
        &meta,
        &super::lint::known_functions(engine),
    ));
    if !ast
        .iter_functions()
        .any(|f| f.name == "audit" && f.params.len() == 1)
    {
        problems.push(format!(
            "{path}:1:1: no `fn audit(doc)`: every rule defines it and returns an array of findings"
        ));
    }
    if problems.is_empty() {
        Ok(Compiled { meta, ast })
    } else {
        Err(problems)
    }
}

/// An unknown `severity` value in META and the line that gives it (serde says which
/// value, not where: the first `severity:` line holding it).
fn bad_severity(serde_msg: &str, source: &str) -> Option<(usize, String)> {
    let rest = serde_msg.split("unknown variant `").nth(1)?;
    let value = rest.split('`').next()?;
    if !rest.contains("`critical`") {
        return None;
    }
    let line = source
        .lines()
        .position(|l| l.contains("severity") && l.contains(&format!("\"{value}\"")))
        .map_or(1, |i| i + 1);
    Some((line, value.to_owned()))
}

/// Turns the deserializer's message into one that names the META key and suggests the
/// right one.
fn meta_error(serde_msg: &str) -> String {
    let msg = serde_msg
        .trim_start_matches("Error in ")
        .trim_start_matches("Syntax error: ")
        .trim_end_matches(" (line 0, position 0)")
        .trim()
        .to_owned();
    if let Some(rest) = msg.split("unknown field `").nth(1)
        && let Some(key) = rest.split('`').next()
    {
        // serde lists what it expected here: suggest from that list.
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let known: Vec<&str> = if expected.is_empty() {
            META_KEYS.iter().chain(CHECK_KEYS).copied().collect()
        } else {
            expected.clone()
        };
        let hint = did_you_mean(key, &known)
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        let allowed = if expected == ["ja", "en"] {
            "a text is #{ja: \"...\", en: \"...\"}".to_owned()
        } else if expected.is_empty() {
            format!(
                "META keys: {}; each check: {}",
                META_KEYS.join(", "),
                CHECK_KEYS.join(", ")
            )
        } else {
            format!("allowed here: {}", expected.join(", "))
        };
        return format!("META: unknown key `{key}`{hint} ({allowed})");
    }
    if let Some(rest) = msg.split("missing field `").nth(1)
        && let Some(key) = rest.split('`').next()
    {
        return format!(
            "META: `{key}` is missing (META needs title, description and checks, and faq when the rule belongs to an FAQ item; each check needs statuses and remedy; a text needs ja and en)"
        );
    }
    if msg.contains("unknown variant") {
        return format!(
            "META: {} (statuses are pass, warn, fail, skip)",
            msg.replace(", `error`", "")
        );
    }
    if msg.starts_with("Output type incorrect") {
        return format!(
            "META: a value has the wrong type ({msg}): faq is a number, title/description/remedy are #{{ja, en}} maps of strings, needs and statuses arrays of strings, checks a map"
        );
    }
    format!("META: {msg}")
}
