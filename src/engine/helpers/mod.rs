//! The native functions rules call. Each group lives in its own file with a
//! `register(&mut Engine)`; `super::build` calls them all. Helpers do the heavy,
//! common work in Rust so a rule over a million tickets stays fast.

pub mod access;
pub mod findings;
pub mod lists;
pub mod sets;
pub mod text;
pub mod time;
pub mod zoho;

use rhai::{Engine, EvalAltResult, Position};

pub fn register(engine: &mut Engine) {
    access::register(engine);
    lists::register(engine);
    sets::register(engine);
    text::register(engine);
    time::register(engine);
    zoho::register(engine);
    findings::register(engine);
}

/// An error raised by a host helper (kept apart from errors a script `throw`s).
pub fn helper_error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        message.into().into(),
        Position::NONE,
    ))
}
