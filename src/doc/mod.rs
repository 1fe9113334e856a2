//! The loaded document: what every rule sees (export-format.md, "The loaded document").

mod document;
mod value;

pub use document::{
    Document, PARTS, PageData, PagePlace, PartPages, Place, Provenance, Spot, pointer_index,
};
pub use value::{Object, Value};
