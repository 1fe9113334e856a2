//! `crmdesk-audit.toml`, the project config file (docs/ci.md, "A project config file"):
//! defaults for `audit`'s flags, severity overrides and rule parameters.
//!
//! Found by `--config FILE`, else in the current directory or the nearest parent that
//! holds one. The search stops at the filesystem root and at the first directory that
//! holds `.git` (the top of the repository: a file above it belongs to another project).
//! Paths in the file are relative to the file's directory. Flags override the file.

use super::args::{FailOn, LangArg};
use crate::audit::ExportOutcome;
use crate::engine::Parameters;
use crate::rules::Catalogue;
use crate::severity::Severity;
use clap::ValueEnum;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file's name.
pub const FILE_NAME: &str = "crmdesk-audit.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    rules: Option<Vec<PathBuf>>,
    waivers: Option<PathBuf>,
    baseline: Option<PathBuf>,
    profile: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    lang: Option<Spanned<String>>,
    tz: Option<String>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    parameters: toml::Table,
}

/// A read, validated config file; paths already made relative to the current directory.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// `rules`: rule directories, in order (as `--rules`); empty when the file names none.
    pub rules: Vec<PathBuf>,
    /// `waivers`: the waivers file (as `--waivers`).
    pub waivers: Option<PathBuf>,
    /// `baseline`: the baseline file (as `--baseline`).
    pub baseline: Option<PathBuf>,
    /// `profile`: a profile's name, checked to exist.
    pub profile: Option<String>,
    /// `fail_on`: a status or severity threshold (as `--fail-on`).
    pub fail_on: Option<FailOn>,
    /// `lang`: the report language (as `--lang`).
    pub lang: Option<LangArg>,
    /// `tz`: the reader's time zone, as written (as `--tz`; checked when used).
    pub tz: Option<String>,
    /// `"rule/check"` -> severity, with the line that gives it.
    pub severity: BTreeMap<String, (Severity, usize)>,
    /// `[parameters]`: the values rules read with `param(name, default)`.
    pub parameters: Parameters,
}

/// The config of this run: `--config FILE` (which must exist), else the one found from the
/// current directory up, else none.
pub fn load(explicit: Option<&Path>) -> Result<Option<Config>, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let cwd = std::env::current_dir().map_err(ConfigError::CurrentDir)?;
            match find(&cwd) {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|io| ConfigError::Read {
        path: path.clone(),
        io,
    })?;
    parse(&path, &text).map(Some)
}

/// The nearest `crmdesk-audit.toml` in `start` or its parents, stopping at the root and
/// at a directory holding `.git`.
pub fn find(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// `path:line:col` of a byte offset in `text`.
fn at(path: &Path, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{}:{line}:{col}", path.display())
}

fn line_of(text: &str, span: &Range<usize>) -> usize {
    text[..span.start.min(text.len())].matches('\n').count() + 1
}

/// Parses and validates the text of a config file read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map_or_else(|| path.display().to_string(), |s| at(path, text, s.start));
        ConfigError::Syntax {
            place,
            message: e.message().trim_end().to_owned(),
        }
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
    let value = |v: Spanned<String>, key: &str, expected: &str| {
        let span = v.span();
        (v.into_inner(), span, key.to_owned(), expected.to_owned())
    };
    let bad = |(given, span, key, expected): &(String, Range<usize>, String, String)| {
        ConfigError::Value {
            place: at(path, text, span.start),
            key: key.clone(),
            given: given.clone(),
            expected: expected.clone(),
        }
    };

    let fail_on = match raw.fail_on {
        None => None,
        Some(v) => {
            let v = value(
                v,
                "fail_on",
                "fail, warn, never, critical, high, medium, low, info",
            );
            Some(FailOn::from_str(&v.0, true).map_err(|_| bad(&v))?)
        }
    };
    let lang = match raw.lang {
        None => None,
        Some(v) => {
            let v = value(v, "lang", "ja, en");
            Some(LangArg::from_str(&v.0, true).map_err(|_| bad(&v))?)
        }
    };
    let profile = match raw.profile {
        None => None,
        Some(v) => {
            let v = value(v, "profile", &super::profile::NAMES.join(", "));
            if !super::profile::NAMES.contains(&v.0.as_str()) {
                return Err(bad(&v));
            }
            Some(v.0)
        }
    };
    let mut severity = BTreeMap::new();
    for (key, s) in raw.severity {
        let span = key.span();
        let key = key.into_inner();
        match key.split_once('/') {
            Some((r, c)) if !r.is_empty() && !c.is_empty() && !c.contains('/') => {}
            _ => {
                return Err(ConfigError::SeverityKey {
                    place: at(path, text, span.start),
                    key,
                });
            }
        }
        severity.insert(key, (s, line_of(text, &span)));
    }
    let mut parameters = Parameters::new();
    for (name, v) in raw.parameters {
        let d = rhai::serde::to_dynamic(&v).map_err(|error| ConfigError::Parameter {
            path: path.to_path_buf(),
            name: name.clone(),
            error,
        })?;
        parameters.insert(name, d);
    }
    Ok(Config {
        path: path.to_path_buf(),
        rules: raw.rules.unwrap_or_default().into_iter().map(rel).collect(),
        waivers: raw.waivers.map(rel),
        baseline: raw.baseline.map(rel),
        profile,
        fail_on,
        lang,
        tz: raw.tz,
        severity,
        parameters,
    })
}

impl Config {
    /// Checks each `[severity]` key against the run's rules: a check the rule does not
    /// declare is an error; a rule that is not in this run is only a note.
    pub fn check_severity(&self, catalogue: &Catalogue) -> Result<Vec<String>, ConfigError> {
        let mut notes = Vec::new();
        for (key, (_, line)) in &self.severity {
            let (rule, check) = key.split_once('/').unwrap_or((key, ""));
            let place = format!("{}:{line}", self.path.display());
            match catalogue.rules.iter().find(|r| r.id == rule) {
                None => notes.push(format!(
                    "{place}: [severity] \"{key}\": rule {rule} is not among this run's rules"
                )),
                Some(r) => {
                    if let Ok(c) = &r.compiled
                        && !c.meta.checks.contains_key(check)
                    {
                        return Err(ConfigError::UnknownCheck {
                            place,
                            key: key.clone(),
                            known: c.meta.checks.keys().cloned().collect(),
                        });
                    }
                }
            }
        }
        Ok(notes)
    }

    /// Gives each finding of an overridden check its new severity.
    pub fn apply_severity(&self, outcomes: &mut [ExportOutcome]) {
        if self.severity.is_empty() {
            return;
        }
        for a in outcomes.iter_mut().filter_map(|o| o.result.as_mut().ok()) {
            for r in &mut a.results {
                for f in &mut r.findings {
                    if let Some((s, _)) = self.severity.get(&format!("{}/{}", r.rule, f.check)) {
                        f.severity = *s;
                    }
                }
            }
        }
    }
}

/// Why the config file cannot be used; each message but the first names the file (with
/// the line, and the column where it is known).
#[derive(Debug)]
pub enum ConfigError {
    /// No `--config` was given and the current directory, where the search starts,
    /// cannot be read.
    CurrentDir(std::io::Error),
    /// The file cannot be read.
    Read { path: PathBuf, io: std::io::Error },
    /// Not TOML, or not this file's keys; `place` is `path:line:col` (or the path).
    Syntax { place: String, message: String },
    /// `key = "given"` is none of `expected`.
    Value {
        place: String,
        key: String,
        given: String,
        expected: String,
    },
    /// A `[severity]` key that is not `"rule/check"`.
    SeverityKey { place: String, key: String },
    /// A `[parameters]` value a rule cannot be given.
    Parameter {
        path: PathBuf,
        name: String,
        error: Box<rhai::EvalAltResult>,
    },
    /// A `[severity]` key (`rule/check`) names a check its rule does not declare;
    /// `place` is `path:line`, `known` the rule's checks.
    UnknownCheck {
        place: String,
        key: String,
        known: Vec<String>,
    },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::CurrentDir(e) => write!(f, "the current directory cannot be read: {e}"),
            ConfigError::Read { path, io } => write!(f, "{}: cannot be read: {io}", path.display()),
            ConfigError::Syntax { place, message } => write!(f, "{place}: {message}"),
            ConfigError::Value {
                place,
                key,
                given,
                expected,
            } => write!(
                f,
                "{place}: {key} = \"{given}\": expected one of {expected}"
            ),
            ConfigError::SeverityKey { place, key } => write!(
                f,
                "{place}: [severity] \"{key}\": write \"rule/check\", e.g. \"sync-running/sync-running\" = \"high\""
            ),
            ConfigError::Parameter { path, name, error } => {
                write!(f, "{}: [parameters] {name}: {error}", path.display())
            }
            ConfigError::UnknownCheck { place, key, known } => {
                let (rule, check) = key.split_once('/').unwrap_or((key, ""));
                write!(
                    f,
                    "{place}: [severity] \"{key}\": rule {rule} has no check `{check}` (its checks: {})",
                    known.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::CurrentDir(io) | ConfigError::Read { io, .. } => Some(io),
            ConfigError::Parameter { error, .. } => Some(error.as_ref()),
            ConfigError::Syntax { .. }
            | ConfigError::Value { .. }
            | ConfigError::SeverityKey { .. }
            | ConfigError::UnknownCheck { .. } => None,
        }
    }
}
