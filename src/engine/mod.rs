//! The sandboxed Rhai engine rules run in. It is built in exactly one place: `build`.
//!
//! What a rule may not do, and how that is enforced (../shared/notes/rhai-1.27.md):
//! - `eval` and `import` are closed at compile time;
//! - `print`/`debug` are captured per rule run, never written to stdout;
//! - operations (closures included) and wall-clock time are bounded by `sandbox::tick`;
//! - call depth, expression depth, string, array and map sizes are bounded by the engine;
//! - panics and stack depth are handled by the runner (`rules::run`).

pub mod errors;
pub mod helpers;
pub mod memo;
pub mod memory;
pub mod node;
pub mod path;
pub mod sandbox;
pub mod split;

pub use sandbox::Limits;

use rhai::module_resolvers::DummyModuleResolver;
use rhai::{Dynamic, Engine, OptimizationLevel};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A run's rule parameters (`[parameters]` of crmdesk-audit.toml), read by `param(name,
/// default)`. Shared, read-only, by every thread the run uses.
pub type Parameters = BTreeMap<String, Dynamic>;

/// The one engine: sandboxed, bounded, with the document types and helpers registered;
/// `param` gives every default (no parameters).
pub fn build(limits: &Limits) -> Engine {
    build_with_parameters(limits, Arc::new(Parameters::new()))
}

/// `build`, with `param(name, default)` answering from `parameters`.
pub fn build_with_parameters(limits: &Limits, parameters: Arc<Parameters>) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_module_resolver(DummyModuleResolver::new())
        .disable_symbol("eval")
        .disable_symbol("import")
        .set_strict_variables(true)
        // Constant folding is where Rhai 1.27 panics on assignment into a constant map;
        // rules are small, so the optimiser buys nothing worth that risk.
        .set_optimization_level(OptimizationLevel::None)
        // Rhai's shared string interner makes threads wait on each other (it sleeps on
        // contention); rules on several threads ran ~1.5x slower with it than without.
        .set_max_strings_interned(0)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .on_print(sandbox::capture)
        .on_debug(|text, _source, pos| sandbox::capture(&format!("[debug {pos}] {text}")))
        .on_progress(|_| sandbox::tick());
    helpers::register(&mut engine);
    // `param(name, default)`: the run's parameter `name`, else `default`; a parameter of
    // another type than its default (a string for a list) is an error, not a surprise.
    helpers::Helpers::new(&mut engine).add(
        "param(name, default)",
        "the run's parameter `name` from the `[parameters]` table of `crmdesk-audit.toml` (docs/ci.md, \"A project config file\"), else `default`; TOML arrays, tables, strings, numbers and booleans arrive as Rhai arrays, maps, strings, numbers and booleans, and a parameter of another type than `default` is an error (unless `default` is `()`). A rule reads a list staff may change as `param(\"supported_editions\", global::SUPPORTED_EDITIONS)`",
        move |name: &str, default: Dynamic| -> Result<Dynamic, Box<rhai::EvalAltResult>> {
            match parameters.get(name) {
                None => Ok(default),
                Some(v) if default.is_unit() || v.type_name() == default.type_name() => {
                    Ok(v.clone())
                }
                Some(v) => Err(errors::helper_error(format!(
                    "param(\"{name}\"): the config file gives a value of type {} where the rule expects type {} (its default's)",
                    v.type_name(),
                    default.type_name()
                ))),
            }
        },
    );
    engine
}

/// Evaluates `script` (an expression or statements) under the same limits as a rule,
/// panic-proof. For `query`; must run on a thread with a large stack.
pub fn eval_bounded(
    engine: &Engine,
    limits: &Limits,
    scope: &mut rhai::Scope,
    script: &str,
) -> Result<rhai::Dynamic, EvalError> {
    let ast = engine
        .compile_with_scope(scope, script)
        .map_err(EvalError::Compile)?;
    let guard = sandbox::RunGuard::begin(limits);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine.eval_ast_with_scope::<rhai::Dynamic>(scope, &ast)
    }));
    let log = guard.finish();
    if let Some(why) = log.stopped {
        return Err(EvalError::Stopped(why));
    }
    match out {
        Err(_) => Err(EvalError::Panicked),
        Ok(r) => r.map_err(|e| EvalError::Script(errors::describe(&e, limits))),
    }
}

/// Why `eval_bounded` gave no value.
#[derive(Debug)]
pub enum EvalError {
    /// The script does not compile.
    Compile(rhai::ParseError),
    /// A limit stopped it (the limit's own words).
    Stopped(String),
    /// The script engine panicked.
    Panicked,
    /// The script raised an error (`errors::describe`'s words).
    Script(String),
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::Compile(e) => write!(f, "{e}"),
            EvalError::Stopped(why) | EvalError::Script(why) => f.write_str(why),
            EvalError::Panicked => {
                f.write_str("the script engine panicked (often an assignment into a constant)")
            }
        }
    }
}

impl std::error::Error for EvalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EvalError::Compile(e) => Some(e),
            _ => None,
        }
    }
}
