//! One audit run: find the exports, load each, run every rule on each, in parallel,
//! with results in a deterministic order (exports by path, rules in catalogue order).

use crate::doc::Document;
use crate::engine::split;
use crate::engine::{Limits, memo::Memo, node::Node};
use crate::load::{self, LoadOptions};
use crate::rules::run::{RULE_STACK_SIZE, run_rule};
use crate::rules::{Catalogue, RuleResult};
use crate::status::Status;
use rayon::prelude::*;
use rhai::Engine;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads of the pool; 0 is one per core. Read when the pool starts.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads load exports and run rules, and how many parts a long scan may
/// take (`--threads`; 0: one per core).
/// Takes effect only before the first audit of the process.
pub fn set_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
    crate::engine::split::set_ways(n);
}

/// The outcome for one export: its rule results, or why it could not be loaded.
#[derive(Debug)]
pub struct ExportOutcome {
    /// The export's path as the user would write it (the report's `path`).
    pub path: String,
    /// Where the export is, when it was found (to map evidence to file:line:col).
    pub source: Option<load::ExportSource>,
    /// The rule results, or the load error, typed so every format can say it in the
    /// reader's language and point at its file, line and column.
    pub result: Result<Audited, load::LoadError>,
}

/// What auditing one loaded export gave: the rule results and what the loader learned.
#[derive(Debug)]
pub struct Audited {
    /// One result per rule of the catalogue, in catalogue order.
    pub results: Vec<RuleResult>,
    /// The loader's notes; reports say them in the report language.
    pub notes: Vec<load::Note>,
    /// The parts the export holds, sorted (`meta.present`).
    pub present: Vec<String>,
    /// List parts known to be incomplete (`meta.truncated`).
    pub truncated: Vec<String>,
    /// Where the document's values sit in the export's files, as the loader read them
    /// (for locating evidence; shared with the document, not copied).
    pub provenance: crate::doc::Provenance,
    /// Who the export is about, as a report's header names it.
    pub org: OrgHeader,
    /// Wall time from the first rule's start to the last one's end (rules run in
    /// parallel, so this is their share of the audit's time; `--timings`).
    pub rules_wall: std::time::Duration,
}

impl ExportOutcome {
    /// The worst result (`skip` only if all are); `error` when it did not load.
    pub fn status(&self) -> Status {
        match &self.result {
            Err(_) => Status::Error,
            Ok(a) => Status::worst(a.results.iter().map(|r| r.status)).unwrap_or(Status::Skip),
        }
    }
}

/// The pool rules run on: threads with stacks large enough for Rhai's recursion.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(THREADS.load(Ordering::Relaxed))
            .stack_size(RULE_STACK_SIZE)
            .thread_name(|i| format!("rules-{i}"))
            .build()
            .unwrap_or_else(|e| panic!("cannot start the rule threads: {e}"))
    })
}

/// Audits every export named by `inputs` with every rule of `catalogue`.
pub fn audit(
    engine: &Engine,
    catalogue: &Catalogue,
    limits: &Limits,
    inputs: &[PathBuf],
    load_opts: &LoadOptions,
) -> Vec<ExportOutcome> {
    audit_with_progress(engine, catalogue, limits, inputs, load_opts, &|_, _| {})
}

/// `audit`, calling `progress(done, total)` after each export (from any thread).
pub fn audit_with_progress(
    engine: &Engine,
    catalogue: &Catalogue,
    limits: &Limits,
    inputs: &[PathBuf],
    load_opts: &LoadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<ExportOutcome> {
    let sources = load::discover(inputs);
    let total = sources.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut outcomes: Vec<ExportOutcome> = pool().install(|| {
        sources
            .into_par_iter()
            .map(|found| {
                let outcome = audit_one(engine, catalogue, limits, found, load_opts);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                outcome
            })
            .collect()
    });
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
    outcomes
}

fn audit_one(
    engine: &Engine,
    catalogue: &Catalogue,
    limits: &Limits,
    found: Result<load::ExportSource, load::LoadError>,
    load_opts: &LoadOptions,
) -> ExportOutcome {
    match found {
        Err(e) => ExportOutcome {
            path: e.file.clone(),
            source: None,
            result: Err(e),
        },
        Ok(src) => ExportOutcome {
            path: src.display.clone(),
            result: load::load(&src, load_opts).map(|doc| {
                let audited = run_all(engine, catalogue, limits, &doc);
                free_later(doc);
                audited
            }),
            source: Some(src),
        },
    }
}

/// Frees a document on a thread of its own. Freeing a large export's document (millions
/// of small values) takes about a second that nothing needs to wait for: reports are
/// written meanwhile, and at exit the process ends without finishing it. At most one
/// document waits (a bounded channel), so a batch holds no more than before.
fn free_later(doc: Document) {
    static FREER: OnceLock<Option<std::sync::mpsc::SyncSender<Document>>> = OnceLock::new();
    let sender = FREER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Document>(1);
        std::thread::Builder::new()
            .name("free-documents".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    });
    match sender {
        Some(tx) => {
            if let Err(unsent) = tx.send(doc) {
                drop(unsent.0);
            }
        }
        None => drop(doc),
    }
}

/// Every rule on one loaded document. The document is shared, never copied.
pub fn run_all(engine: &Engine, catalogue: &Catalogue, limits: &Limits, doc: &Document) -> Audited {
    let root = Node::root(&doc.root);
    // The export's rules share the results of their costly scans (engine::memo); freed
    // with the run.
    let memo = std::sync::Arc::new(Memo::default());
    let started = std::time::Instant::now();
    let run = |rule| Memo::install(&memo, || run_rule(engine, limits, rule, doc, &root));
    // Parallel at one level at a time. An export whose long scans split across the cores
    // (engine::split) runs its rules one after another: side by side, two rules and the
    // other half of a third's scan shared two cores and every rule took longer (on the
    // large exports the same wall time, but run times summing to 1.5 times it). A smaller
    // export's rules, whose scans do not split, run side by side; so do a batch's exports.
    let one_by_one = split::splits(&doc.root);
    let results = pool().install(|| {
        if one_by_one {
            catalogue.rules.iter().map(run).collect()
        } else {
            catalogue.rules.par_iter().map(run).collect()
        }
    });
    let rules_wall = started.elapsed();
    Audited {
        results,
        notes: doc.notes.clone(),
        present: doc.present.clone(),
        truncated: doc.truncated.clone(),
        provenance: doc.provenance.clone(),
        org: OrgHeader::of(&doc.root),
        rules_wall,
    }
}

/// Who and what an export is about, as a report's header names them (from `crm.org` and
/// `desk.organization`); each field absent when the export does not hold it. Read while
/// the document is loaded, so a report need not load the export again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgHeader {
    /// The CRM organization's name (`crm.org.company_name`).
    pub crm_name: Option<String>,
    /// The CRM organization's id (`crm.org.id`).
    pub crm_id: Option<String>,
    /// The Desk portal's name (`desk.organization.portalName`).
    pub portal_name: Option<String>,
    /// The Desk organization's company name (`desk.organization.companyName`).
    pub portal_company: Option<String>,
    /// The Desk organization's id (`desk.organization.id`).
    pub portal_id: Option<String>,
}

impl OrgHeader {
    /// The header of the document whose root is `root`.
    pub fn of(root: &crate::doc::Value) -> OrgHeader {
        let text = |v: Option<&crate::doc::Value>| {
            let s = v?.scalar_text()?.trim().to_owned();
            (!s.is_empty()).then_some(s)
        };
        let org = root.get("crm").and_then(|c| c.get("org"));
        let portal = root.get("desk").and_then(|d| d.get("organization"));
        OrgHeader {
            crm_name: text(org.and_then(|o| o.get("company_name"))),
            crm_id: text(org.and_then(|o| o.get("id"))),
            portal_name: text(portal.and_then(|p| p.get("portalName"))),
            portal_company: text(portal.and_then(|p| p.get("companyName"))),
            portal_id: text(portal.and_then(|p| p.get("id"))),
        }
    }
}
