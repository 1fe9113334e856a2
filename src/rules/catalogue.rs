//! The set of rules a run uses: the built-ins, overridden by id by rules directories,
//! filtered by `--only` / `--skip`, in FAQ order then id.

use super::rule::{Rule, RuleSource};
use crate::suggest::did_you_mean;
use rhai::Engine;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub rules: Vec<Rule>,
    /// Things worth telling the user (a built-in replaced by a file, ...).
    pub notes: Vec<String>,
}

/// Which rules to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl Catalogue {
    /// Built-ins, then each directory in order; a later rule with the same id wins.
    pub fn load(engine: &Engine, dirs: &[PathBuf]) -> Result<Catalogue, String> {
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
                let source = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: cannot read the rule: {e}", path.display()))?;
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
    pub fn select(mut self, sel: &Selection) -> Result<Catalogue, String> {
        let ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        for (flag, list) in [("--only", &sel.only), ("--skip", &sel.skip)] {
            for id in list {
                if !ids.contains(&id.as_str()) {
                    let hint = did_you_mean(id, &ids)
                        .map(|s| format!(" Did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(format!(
                        "{flag} {id}: no rule has that id.{hint} See `crmdesk-audit rules list`."
                    ));
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
fn rule_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{}: cannot read the rules directory ({e}); give a directory of .rhai files with --rules",
            dir.display()
        )
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    files.sort();
    Ok(files)
}
