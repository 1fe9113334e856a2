//! Mistakes in a rule's script that Rhai compiles without a word, found by walking the
//! compiled script before it ever runs (each as `path:line:col: message`).
//!
//! - **Assignment into a constant.** `const M = #{}; M.x = 1;` compiles, and then either
//!   changes the "constant" (optimisation off, as here) or panics the engine
//!   (../shared/notes/rhai-1.27.md, hazard 1). A rule never needs it, so it is refused.
//! - **Unknown functions.** Rhai finds a misspelled helper (`where_not_int`) only when the
//!   call runs, perhaps never in the cases. Every function called must be a helper, a
//!   Rhai built-in or defined in the file; the closest known name is suggested.
//! - **Undeclared checks and statuses.** `pass`/`warn`/`fail`/`skip` with a literal check
//!   name (or a file constant holding one) must name a check META declares, with a status
//!   that check declares.

use super::meta::RuleMeta;
use crate::status::Status;
use crate::suggest::did_you_mean;
use rhai::{AST, ASTFlags, ASTNode, Engine, Expr, FnCallExpr, Position, Stmt};
use std::collections::{HashMap, HashSet};

/// Functions every script may call that are not in the engine's function list: Rhai
/// handles them itself.
const LANGUAGE_FUNCTIONS: &[&str] = &[
    "Fn",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "this",
];

/// The names of every function `engine` knows (its helpers and Rhai's packages).
pub fn known_functions(engine: &Engine) -> HashSet<String> {
    engine
        .gen_fn_signatures(true)
        .iter()
        .filter_map(|sig| sig.split('(').next())
        .map(|n| n.trim().trim_start_matches("fn ").trim().to_owned())
        .chain(LANGUAGE_FUNCTIONS.iter().map(|s| (*s).to_owned()))
        .collect()
}

/// Every problem found in `ast`, located in the file `path`.
pub fn problems(ast: &AST, path: &str, meta: &RuleMeta, known: &HashSet<String>) -> Vec<String> {
    let mut out = constant_problems(ast, path);
    out.extend(call_problems(ast, path, meta, known));
    out
}

fn located(path: &str, pos: Position) -> String {
    format!(
        "{path}:{}:{}",
        pos.line().unwrap_or(1),
        pos.position().unwrap_or(1)
    )
}

/// Calls of unknown functions, and findings made for undeclared checks or statuses.
fn call_problems(ast: &AST, path: &str, meta: &RuleMeta, known: &HashSet<String>) -> Vec<String> {
    let defined: HashSet<String> = ast.iter_functions().map(|f| f.name.to_owned()).collect();
    // Variables may hold function pointers, and Rhai calls those by the variable's name.
    let mut variables: HashSet<String> = HashSet::new();
    ast.walk(&mut |p: &[ASTNode]| {
        if let Some(ASTNode::Stmt(Stmt::Var(x, ..))) = p.last() {
            variables.insert(x.0.name.to_string());
        }
        true
    });
    for f in ast.iter_functions() {
        variables.extend(f.params.iter().map(|p| (*p).to_owned()));
    }
    let constants: HashMap<String, String> = ast
        .iter_literal_variables(true, false)
        .filter_map(|(name, _, v)| Some((name.to_owned(), v.into_string().ok()?)))
        .collect();
    let mut candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    candidates.extend(defined.iter().map(String::as_str));
    candidates.sort_unstable();
    let checks: Vec<&str> = meta.checks.keys().map(String::as_str).collect();

    let mut out = Vec::new();
    ast.walk(&mut |p: &[ASTNode]| {
        let (call, pos) = match p.last() {
            Some(ASTNode::Expr(Expr::FnCall(x, pos) | Expr::MethodCall(x, pos)))
            | Some(ASTNode::Stmt(Stmt::FnCall(x, pos))) => (x.as_ref(), *pos),
            _ => return true,
        };
        let name = call.name.as_str();
        let is_identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !is_identifier || !call.namespace.is_empty() || name.starts_with("anon$") {
            return true;
        }
        if !known.contains(name) && !defined.contains(name) && !variables.contains(name) {
            let hint = did_you_mean(name, &candidates)
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_else(|| ": not a helper (docs/rule-reference.md), not a Rhai function, not defined in this file".to_owned());
            out.push(format!("{}: unknown function `{name}`{hint}", located(path, pos)));
            return true;
        }
        if let Some(status) = finding_status(name)
            && let Some((check, at)) = literal_check(call, &constants)
        {
                match meta.checks.get(&check) {
                    None => {
                        let hint = did_you_mean(&check, &checks)
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        out.push(format!(
                            "{}: check `{check}` is not declared in META.checks{hint}; declared: {}",
                            located(path, at.unwrap_or(pos)),
                            checks.join(", ")
                        ));
                    }
                    Some(c) if !c.statuses.contains(&status) => {
                        let listed: Vec<&str> = c.statuses.iter().map(|s| s.as_str()).collect();
                        out.push(format!(
                            "{}: `{name}` for check `{check}`, whose META statuses are {}: add `{name}` to them or report another status",
                            located(path, pos),
                            listed.join(", ")
                        ));
                    }
                    Some(_) => {}
                }
        }
        true
    });
    out
}

/// The status a finding constructor gives (`pass`, `warn`, `fail`, `skip`).
fn finding_status(name: &str) -> Option<Status> {
    match name {
        "pass" => Some(Status::Pass),
        "warn" => Some(Status::Warn),
        "fail" => Some(Status::Fail),
        "skip" => Some(Status::Skip),
        _ => None,
    }
}

/// The check name a finding constructor is given, when it is a literal or a file
/// constant holding one; with the literal's position.
fn literal_check(
    call: &FnCallExpr,
    constants: &HashMap<String, String>,
) -> Option<(String, Option<Position>)> {
    match call.args.first()? {
        Expr::StringConstant(s, pos) => Some((s.to_string(), Some(*pos))),
        Expr::Variable(x, _, pos) => constants.get(x.1.as_str()).map(|v| (v.clone(), Some(*pos))),
        _ => None,
    }
}

/// Assignments into constants.
fn constant_problems(ast: &AST, path: &str) -> Vec<String> {
    let at = |pos: Position| located(path, pos);
    let top: Vec<&Stmt> = ast.statements().iter().collect();
    let file_constants = constants_declared(&top);
    assignments_into_constants(ast, top.len(), &file_constants)
        .into_iter()
        .map(|(name, pos)| {
            format!(
                "{}: assignment into the constant `{name}`: a constant never changes; \
                 declare it with `let` to change it",
                at(pos)
            )
        })
        .collect()
}

/// Where a position is, comparably.
fn key(pos: Position) -> (usize, usize) {
    (pos.line().unwrap_or(0), pos.position().unwrap_or(0))
}

/// The names declared `const` at the top of the file (read in functions as `global::NAME`).
fn constants_declared(stmts: &[&Stmt]) -> HashSet<String> {
    stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Var(x, flags, _) if flags.contains(ASTFlags::CONSTANT) => {
                Some(x.0.name.to_string())
            }
            _ => None,
        })
        .collect()
}

/// Assignments (in source order) whose target is, or lies inside, a constant: a `const`
/// declared before it in the same body, or a file constant reached through `global::`.
/// `AST::walk` visits the file's top-level statements (`main` of them), then each
/// function's body; a body's constants end with it.
fn assignments_into_constants(
    ast: &AST,
    main: usize,
    file_constants: &HashSet<String>,
) -> Vec<(String, Position)> {
    let mut starts: Vec<(usize, usize)> = ast
        .iter_fn_def()
        .map(|f| key(f.body.start_position()))
        .collect();
    starts.sort_unstable();
    let mut constants: HashSet<String> = HashSet::new();
    let mut found = Vec::new();
    let mut top_level = 0usize;
    let mut body: Option<(usize, usize)> = None;
    ast.walk(&mut |path: &[ASTNode]| {
        if path.len() == 1 {
            top_level += 1;
            // Which function this statement opens or continues (none: the file's body).
            let here = if top_level <= main {
                None
            } else {
                let pos = key(path[0].position());
                starts.iter().rev().find(|s| **s <= pos).copied()
            };
            if here != body {
                constants.clear();
                body = here;
            }
        }
        match path.last() {
            Some(ASTNode::Stmt(Stmt::Var(x, flags, _))) => {
                let name = x.0.name.to_string();
                if flags.contains(ASTFlags::CONSTANT) {
                    constants.insert(name);
                } else {
                    // A `let` of the same name shadows the constant from here on.
                    constants.remove(&name);
                }
            }
            Some(ASTNode::Stmt(Stmt::Assignment(x))) => {
                let target = &x.1.lhs;
                if let Some((name, qualified)) = root_variable(target) {
                    let constant = if qualified {
                        file_constants.contains(name)
                    } else {
                        constants.contains(name)
                    };
                    if constant {
                        found.push((name.to_owned(), target.start_position()));
                    }
                }
            }
            _ => {}
        }
        true
    });
    found
}

/// The variable an assignment target starts from (`M` in `M.x[1].y`), and whether it is
/// qualified by a namespace (`global::M`).
fn root_variable(e: &Expr) -> Option<(&str, bool)> {
    match e {
        Expr::Variable(x, ..) => Some((x.1.as_str(), !x.2.is_empty())),
        Expr::Dot(b, ..) | Expr::Index(b, ..) => root_variable(&b.lhs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {

    fn lint(src: &str) -> Vec<String> {
        let engine = crate::engine::build(&crate::engine::Limits::default());
        let ast = engine.compile(src).expect("compiles");
        super::constant_problems(&ast, "r.rhai")
    }

    #[test]
    fn an_assignment_into_a_constant_is_named_with_its_line() {
        let p = lint("fn audit(doc) {\n  const M = #{};\n  M.x = 1;\n  M\n}");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("r.rhai:3:3: assignment into the constant `M`"),
            "{p:?}"
        );
        let p = lint("const L = [1];\nfn audit(doc) { global::L[0] = 2; [] }");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("r.rhai:2:17:"), "{p:?}");
        let p = lint("const N = #{a: #{}};\nN.a.b = 1;");
        assert_eq!(p.len(), 1, "{p:?}");
    }

    #[test]
    fn variables_and_shadowed_constants_may_change() {
        assert!(
            lint("fn audit(doc) { let m = #{}; m.x = 1; const K = 1; let K = #{}; K.y = 2; [] }")
                .is_empty()
        );
        // A function's parameter is no constant, whatever the file declares.
        assert!(lint("const M = 1;\nfn f(M) { M = 2; M }").is_empty());
    }
}
