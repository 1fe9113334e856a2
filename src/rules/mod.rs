//! Rules: the catalogue of `.rhai` files, compiling them, and running one on a document.

pub mod cases;
pub mod catalogue;
pub mod identity;
pub(crate) mod lint;
pub mod meta;
pub mod result;
pub mod rule;
pub mod run;
pub mod scaffold;

pub use catalogue::{Catalogue, Selection};
pub use result::{Finding, RuleResult};
pub use rule::{Rule, RuleSource};
