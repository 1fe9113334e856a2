//! crmdesk-audit: audits Zoho CRM <-> Zoho Desk integration exports with sandboxed Rhai rules.
//!
//! Layers, data flowing one way: `load` (files -> `Document`) -> `engine` (the sandboxed
//! Rhai engine and its helpers) -> `rules` (catalogue, compile, run) -> `report` (pure
//! renderers) -> `cli` (arguments, exit status). Only `cli` writes to stdout/stderr.
//!
//! Beside them: `doc` (the loaded document), `locate` (evidence -> file:line:col) and
//! `collect` (fetching an export) belong to `load`; `audit`, `baseline`, `waivers` and
//! `diff` (running the rules and what becomes of their results) to `rules`; `base` holds
//! the words every layer shares.
//!
//! Where each layer lives and which layers its code may name (`use crate::...`,
//! `crate::x::...`, `super::` up to the root), tests included; a layer may always name
//! itself. `tests/layers.rs` reads this table and holds every file under `src/` to it:
//!
//! | layer  | lives in (under `src/`)                                  | may import         |
//! |--------|----------------------------------------------------------|--------------------|
//! | base   | `bilingual.rs` `severity.rs` `status.rs` `suggest.rs`    | nothing            |
//! | load   | `load/` `doc/` `locate/` `collect/`                      | base               |
//! | engine | `engine/`                                                | load, base         |
//! | rules  | `rules/` `audit.rs` `baseline.rs` `waivers.rs` `diff.rs` | engine, load, base |
//! | report | `report/`                                                | rules, load, base  |
//! | cli    | `cli/`                                                   | everything         |

pub mod collect;
pub mod doc;
pub mod load;
pub mod locate;
pub mod severity;
pub mod status;

pub use status::Status;
pub mod bilingual;
pub mod engine;
pub mod rules;
pub mod suggest;

pub mod audit;
pub mod baseline;
pub mod cli;
pub mod diff;
pub mod report;
pub mod waivers;
