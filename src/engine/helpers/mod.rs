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
