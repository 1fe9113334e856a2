//! The loaded document: what every rule sees (export-format.md, "The loaded document").

mod document;
mod str;
mod value;

pub use document::{
    Document, PARTS, PageData, PagePlace, PartPages, PathInFile, Place, Provenance, pointer_index,
};
pub use str::Str;
pub use value::{KeyHint, Kind, Object, Value};
