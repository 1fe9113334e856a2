//! The native functions rules call. Each group lives in its own file with a
//! `register(&mut Engine)`; `super::build` calls them all. Helpers do the heavy,
//! common work in Rust so a rule over a million tickets stays fast.

pub mod access;
pub mod findings;
pub mod groups;
pub mod guarded;
pub mod joins;
pub mod labels;
pub mod lists;
pub mod sets;
pub mod text;
pub mod time;
pub mod zoho;

use rhai::Engine;

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
