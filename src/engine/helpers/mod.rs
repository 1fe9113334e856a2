//! The native functions rules call. Each group lives in its own file with a
//! `register(&mut Engine)`; `super::build` calls them all. Helpers do the heavy,
//! common work in Rust so a rule over a million tickets stays fast.
//!
//! A function a rule calls is registered with `Helpers::add`, which takes its doc line:
//! `reference` writes the helper table of docs/rule-reference.md from those, and
//! tests/helper_reference.rs fails when a function a rule can call is not in it.

pub mod access;
pub mod findings;
pub mod groups;
pub mod guarded;
pub mod joins;
pub mod labels;
pub mod lists;
pub mod reference;
pub mod sets;
pub mod text;
pub mod time;
pub mod zoho;

use rhai::{Engine, FuncRegistration, RhaiNativeFunc, Variant};

/// Registers every helper group on `engine` (each file's `register`); `engine::build` calls
/// it once, so a helper's name here is what every rule sees.
pub fn register(engine: &mut Engine) {
    access::register(engine);
    lists::register(engine);
    sets::register(engine);
    groups::register(engine);
    text::register(engine);
    time::register(engine);
    zoho::register(engine);
    findings::register(engine);
    joins::register(engine);
    labels::register(engine);
    guarded::register(engine);
}

pub use crate::engine::errors::helper_error;

/// Registers the functions rules call, each with its documentation: how a rule calls it
/// and one line of English saying what it does. Both go into Rhai's metadata of the
/// function (parameter names and types, doc comment), from which `reference` writes the
/// helper table of docs/rule-reference.md: a helper is documented where it is registered,
/// and only there. Metadata only: a function registered here runs exactly as
/// `Engine::register_fn` would register it.
pub struct Helpers<'e> {
    engine: &'e mut Engine,
    /// The last `add`'s call and doc line, for `overload`.
    last: Option<(String, String)>,
}

impl<'e> Helpers<'e> {
    /// A registrar over `engine`: each `add` or `overload` registers into it at once.
    pub fn new(engine: &'e mut Engine) -> Self {
        Helpers { engine, last: None }
    }

    /// The engine, for what a rule does not call by name: types, indexers, iterators.
    pub fn engine(&mut self) -> &mut Engine {
        self.engine
    }

    /// Registers `f` as the function `call` names, documented by `does`. `call` is written
    /// as a rule calls it, the name and a name per parameter: `"where_eq(list, key, value)"`;
    /// parameters only some overloads take go in brackets,
    /// `"pass(check, message[, evidence[, remedy]])"`.
    pub fn add<A, const N: usize, const X: bool, R, const F: bool, FUNC>(
        &mut self,
        call: &str,
        does: &str,
        f: FUNC,
    ) -> &mut Self
    where
        A: 'static,
        R: Variant + Clone,
        FUNC: RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    {
        self.last = Some((call.to_owned(), does.to_owned()));
        self.register(call, does, f)
    }

    /// Registers `f` as another overload of the last `add`'s function, under the same doc
    /// line; its parameters take the first names of that call.
    pub fn overload<A, const N: usize, const X: bool, R, const F: bool, FUNC>(
        &mut self,
        f: FUNC,
    ) -> &mut Self
    where
        A: 'static,
        R: Variant + Clone,
        FUNC: RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    {
        let (call, does) = self.last.clone().unwrap_or_default();
        self.register(&call, &does, f)
    }

    fn register<A, const N: usize, const X: bool, R, const F: bool, FUNC>(
        &mut self,
        call: &str,
        does: &str,
        f: FUNC,
    ) -> &mut Self
    where
        A: 'static,
        R: Variant + Clone,
        FUNC: RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    {
        let (name, names) = parse_call(call);
        debug_assert!(
            N <= names.len() && !name.is_empty(),
            "`{call}` names fewer parameters than the {N} its function takes"
        );
        // Parameter names from `call`, types from the function itself ("list: Node"; a
        // parameter that takes any value has no type), then the return type.
        let mut info: Vec<String> = FUNC::param_names()
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                let param = names.get(i).copied().unwrap_or("_");
                match rhai_type(self.engine, ty) {
                    Some(ty) => format!("{param}: {ty}"),
                    None => param.to_owned(),
                }
            })
            .collect();
        info.push(match std::any::type_name::<R>() {
            "()" => String::new(),
            ty => rhai_type(self.engine, ty).unwrap_or_default(),
        });
        FuncRegistration::new(name)
            .with_params_info(info)
            .with_comments([format!("/// {does}")])
            .register_into_engine(self.engine, f);
        self
    }
}

/// `"pass(check, message[, evidence])"` -> `("pass", ["check", "message", "evidence"])`.
fn parse_call(call: &str) -> (&str, Vec<&str>) {
    let (name, rest) = call.split_once('(').unwrap_or((call, ""));
    let params = rest
        .trim_end()
        .trim_end_matches(')')
        .split([',', '[', ']'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (name.trim(), params)
}

/// A Rust type as rules know it (`Node`, `string`, `array`, `i64`); `None` for `Dynamic`,
/// which takes any value.
fn rhai_type(engine: &Engine, rust: &str) -> Option<String> {
    let ty = rust.strip_prefix("&mut ").unwrap_or(rust).trim();
    (ty != std::any::type_name::<rhai::Dynamic>()).then(|| engine.map_type_name(ty).to_owned())
}

/// Tests of the helpers: `expr` evaluated by the rules' engine with `doc` bound to the
/// document `json`, shown as text (an error as its message).
#[cfg(test)]
pub(crate) fn eval_on(json: serde_json::Value, expr: &str) -> String {
    let doc = crate::doc::Value::from_json(&json);
    let engine = crate::engine::build(&crate::engine::Limits::default());
    let mut scope = rhai::Scope::new();
    scope.push("doc", crate::engine::node::Node::root(&doc));
    engine
        .eval_with_scope::<rhai::Dynamic>(&mut scope, expr)
        .map(|v| v.to_string())
        .unwrap_or_else(|e| e.to_string())
}
