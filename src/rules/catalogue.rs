//! The set of rules a run uses: the built-ins, overridden by id by rules directories,
//! filtered by `--only` / `--skip`, in FAQ order then id.

use super::rule::{Rule, RuleSource};
use crate::suggest::did_you_mean;
use rhai::Engine;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The rules of a run, built-ins and files together, in FAQ order then id (rules beyond
/// the FAQ last); it includes rules that did not compile.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    /// The rules, in FAQ order then id; at most one per id.
    pub rules: Vec<Rule>,
    /// Things worth telling the user (a built-in replaced by a file, ...).
    pub notes: Vec<String>,
}

/// Which rules to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `--only`: the ids to keep; empty keeps every rule.
    pub only: Vec<String>,
    /// `--skip`: the ids to leave out (applied after `only`).
    pub skip: Vec<String>,
}

impl Catalogue {
    /// Built-ins, then each directory in order; a later rule with the same id wins.
    pub fn load(engine: &Engine, dirs: &[PathBuf]) -> Result<Catalogue, CatalogueError> {
        let mut by_id: BTreeMap<String, Rule> = BTreeMap::new();
        let mut notes = Vec::new();
        for (id, source) in BUILTIN_RULES {
            by_id.insert(
                (*id).to_owned(),
                Rule::compile(engine, id, RuleSource::Builtin, source),
            );
        }
        for dir in dirs {
            for path in rule_files(dir)? {
                let id = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_owned();
                let source =
                    std::fs::read_to_string(&path).map_err(|io| CatalogueError::ReadRule {
                        path: path.clone(),
                        io,
                    })?;
                let rule = Rule::compile(engine, &id, RuleSource::File(path.clone()), &source);
                if let Some(old) = by_id.insert(id.clone(), rule)
                    && old.origin != RuleSource::Builtin
                {
                    notes.push(format!(
                        "{}: replaces rule `{id}` from {}",
                        path.display(),
                        old.origin
                    ));
                }
            }
        }
        let mut rules: Vec<Rule> = by_id.into_values().collect();
        // FAQ order, then the rules beyond the FAQ (no number), each by id.
        rules.sort_by_key(|r| (r.faq() == 0, r.faq(), r.id.clone()));
        Ok(Catalogue { rules, notes })
    }

    /// Keeps the selected rules; an id that names no rule is an error with a suggestion.
    pub fn select(mut self, sel: &Selection) -> Result<Catalogue, CatalogueError> {
        let ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        for (flag, list) in [("--only", &sel.only), ("--skip", &sel.skip)] {
            for id in list {
                if !ids.contains(&id.as_str()) {
                    return Err(CatalogueError::UnknownId {
                        flag,
                        id: id.clone(),
                        suggestion: did_you_mean(id, &ids).map(str::to_owned),
                    });
                }
            }
        }
        self.rules.retain(|r| {
            (sel.only.is_empty() || sel.only.contains(&r.id)) && !sel.skip.contains(&r.id)
        });
        Ok(self)
    }

    /// `path:line:col: message` for every rule that did not compile.
    pub fn problems(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter_map(|r| r.compiled.as_ref().err())
            .flatten()
            .cloned()
            .collect()
    }
}

/// The `*.rhai` files directly inside `dir`, sorted.
fn rule_files(dir: &Path) -> Result<Vec<PathBuf>, CatalogueError> {
    let rd = std::fs::read_dir(dir).map_err(|io| CatalogueError::ReadDir {
        dir: dir.to_path_buf(),
        io,
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    files.sort();
    Ok(files)
}

/// Why the rules of a run cannot be gathered.
#[derive(Debug)]
pub enum CatalogueError {
    /// A `--rules` directory cannot be read.
    ReadDir { dir: PathBuf, io: std::io::Error },
    /// A rule file cannot be read.
    ReadRule { path: PathBuf, io: std::io::Error },
    /// `--only`/`--skip` (`flag`) names a rule that does not exist; `suggestion` is the
    /// nearest id, if any is near.
    UnknownId {
        /// The option that named it: `--only` or `--skip`.
        flag: &'static str,
        /// The id as given.
        id: String,
        /// The nearest existing id, when one is near enough to suggest.
        suggestion: Option<String>,
    },
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::ReadDir { dir, io } => write!(
                f,
                "{}: cannot read the rules directory ({io}); give a directory of .rhai files with --rules",
                dir.display()
            ),
            CatalogueError::ReadRule { path, io } => {
                write!(f, "{}: cannot read the rule: {io}", path.display())
            }
            CatalogueError::UnknownId {
                flag,
                id,
                suggestion,
            } => {
                write!(f, "{flag} {id}: no rule has that id.")?;
                if let Some(s) = suggestion {
                    write!(f, " Did you mean `{s}`?")?;
                }
                write!(f, " See `crmdesk-audit rules list`.")
            }
        }
    }
}

impl std::error::Error for CatalogueError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CatalogueError::ReadDir { io, .. } | CatalogueError::ReadRule { io, .. } => Some(io),
            CatalogueError::UnknownId { .. } => None,
        }
    }
}
