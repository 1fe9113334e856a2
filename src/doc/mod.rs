//! The loaded document: what every rule sees (export-format.md, "The loaded document").

mod document;
mod value;

pub use document::{Document, PARTS, Provenance};
pub use value::{Object, Value};
