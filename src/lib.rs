//! crmdesk-audit: audits Zoho CRM <-> Zoho Desk integration exports with sandboxed Rhai rules.
//!
//! Layers, data flowing one way: `load` (files -> `Document`) -> `engine` (the sandboxed
//! Rhai engine and its helpers) -> `rules` (catalogue, compile, run) -> `report` (pure
//! renderers) -> `cli` (arguments, exit status). Only `cli` writes to stdout/stderr.

pub mod collect;
pub mod doc;
pub mod load;
pub mod locate;
pub mod severity;
pub mod status;

pub use status::Status;
pub mod engine;
pub mod rules;
pub mod suggest;
pub mod text;

pub mod audit;
pub mod baseline;
pub mod cli;
pub mod diff;
pub mod report;
pub mod waivers;
