//! Every way a command can fail, typed until `main` prints it: one enum, whose variants
//! carry their causes (the lower modules' own errors), which says each in the words (and,
//! where the command has a `--lang`, the language) the command line has always used, and
//! which knows the exit status it means (cli.md, "Exit status").

use super::config::ConfigError;
use super::output::WriteError;
use crate::baseline::BaselineError;
use crate::bilingual::Lang;
use crate::collect;
use crate::engine::EvalError;
use crate::load::LoadError;
use crate::report::words;
use crate::rules::catalogue::CatalogueError;
use crate::waivers::{ExpiryError, WaiverError};
use std::fmt;
use std::path::PathBuf;

/// Exit status: everything ran and nothing reached `--fail-on` (cli.md).
pub const SUCCESS: u8 = 0;
/// Exit status: some result reached `--fail-on` (cli.md).
pub const FAILURE: u8 = 1;
/// Exit status: a usage error, an export or rule that could not be used, or nothing
/// written (cli.md).
pub const ERROR: u8 = 2;

/// Why a command stopped. `main` prints `error: ` and the `Display` text, and exits with
/// [`CliError::exit_code`].
#[derive(Debug)]
pub enum CliError {
    // Flags.
    /// `--now` is not an RFC 3339 time with an offset.
    Now { given: String },
    /// `--timeout` is not a number of seconds in range.
    Timeout { given: f64 },
    /// `--tz` names no time zone.
    TimeZone { given: String, error: jiff::Error },
    /// `--profile` names no profile (as the config file's `profile` can).
    NoSuchProfile { name: String },
    /// `--only` names a rule outside the profile.
    NotInProfile {
        /// The rule id given to `--only`.
        id: String,
        /// The profile's name.
        profile: String,
        /// The rules the profile runs (to list in the message).
        rules: &'static [&'static str],
    },
    /// `waivers generate --owner` is blank.
    EmptyOwner,
    /// `waivers generate --reason` is blank.
    EmptyReason,
    /// The audit time has no UTC day.
    NoDay { audit_time: String },
    /// `waivers generate --expires` cannot be used.
    Expiry(ExpiryError),

    // Rules.
    /// The rules cannot be gathered.
    Catalogue(CatalogueError),
    /// The selection left no rule.
    NoRules,
    /// `rules explain` names no rule; `suggestion` is the nearest id.
    NoSuchRule {
        /// The id as given.
        id: String,
        /// The nearest existing id, when one is near enough.
        suggestion: Option<String>,
    },
    /// `rules explain` of a rule that does not compile: its problems, one a line.
    DoesNotCompile(Vec<String>),
    /// `rules test` with only built-in rules.
    NoRuleFiles,
    /// `rules new` with an id that is not kebab-case.
    NotKebab { id: String },
    /// `rules new` would overwrite this file.
    Exists(PathBuf),
    /// `rules new --statuses` lists `error`.
    ErrorStatus,
    /// `rules new --needs` names no part of the document; `suggestion` is the nearest.
    UnknownPart {
        /// The part as given.
        need: String,
        /// The nearest part name, when one is near enough.
        suggestion: Option<String>,
    },
    /// `rules new` cannot create this directory.
    ScaffoldDir { dir: PathBuf, io: std::io::Error },
    /// `rules new` cannot create this file (it appeared meanwhile, or is a link).
    ScaffoldCreate { path: PathBuf, io: std::io::Error },
    /// `rules new` cannot write this file.
    ScaffoldWrite { path: PathBuf, io: std::io::Error },
    /// `rules test --format junit` cannot make its XML.
    Junit(quick_junit::SerializeError),

    // Files read and written.
    /// The config file cannot be used.
    Config(ConfigError),
    /// The baseline cannot be used.
    Baseline(BaselineError),
    /// The waivers file cannot be used.
    Waivers(WaiverError),
    /// A report file cannot be written.
    Write(WriteError),
    /// stdout cannot be written (a closed pipe is not an error).
    Stdout(std::io::Error),
    /// The manual page cannot be rendered.
    Manual(std::io::Error),
    /// `baseline save` / `waivers generate` found errors (already printed): no `what`
    /// is written.
    NothingWritten { what: &'static str },

    // Exports.
    /// An export cannot be loaded; said in `lang`.
    Load { error: LoadError, lang: Lang },
    /// A side of `diff` is not one export; said in `lang`.
    NotOneExport {
        /// The path as given.
        path: String,
        /// How many exports it holds (0, or more than one).
        found: usize,
        /// The language to say it in.
        lang: Lang,
    },
    /// `query`'s expression gave no value.
    Query(EvalError),

    // collect.
    /// These credential variables are not set.
    Credentials { missing: Vec<&'static str> },
    /// `collect` wrote nothing (the error's texts already scrubbed of credentials);
    /// said in `lang`.
    Collect {
        /// Why, with credentials already scrubbed from its text.
        error: collect::CollectError,
        /// The language to say it in.
        lang: Lang,
    },
}

impl CliError {
    /// The exit status this error means (cli.md, "Exit status", and `collect`'s).
    pub fn exit_code(&self) -> u8 {
        match self {
            // Usage errors.
            CliError::Now { .. }
            | CliError::Timeout { .. }
            | CliError::TimeZone { .. }
            | CliError::NoSuchProfile { .. }
            | CliError::NotInProfile { .. }
            | CliError::EmptyOwner
            | CliError::EmptyReason
            | CliError::NoDay { .. }
            | CliError::Expiry(_)
            | CliError::NoSuchRule { .. }
            | CliError::NoRuleFiles
            | CliError::NotKebab { .. }
            | CliError::Exists(_)
            | CliError::ErrorStatus
            | CliError::UnknownPart { .. }
            | CliError::Config(_)
            | CliError::Baseline(_)
            | CliError::Waivers(_)
            | CliError::Credentials { .. } => ERROR,
            // No rules at all, or a rule that did not compile.
            CliError::Catalogue(_) | CliError::NoRules | CliError::DoesNotCompile(_) => ERROR,
            // An export that could not be loaded, or a query that could not run.
            CliError::Load { .. } | CliError::NotOneExport { .. } | CliError::Query(_) => ERROR,
            // Nothing (or not everything) was written.
            CliError::ScaffoldDir { .. }
            | CliError::ScaffoldCreate { .. }
            | CliError::ScaffoldWrite { .. }
            | CliError::Junit(_)
            | CliError::Write(_)
            | CliError::Stdout(_)
            | CliError::Manual(_)
            | CliError::NothingWritten { .. }
            | CliError::Collect { .. } => ERROR,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Now { given } => write!(
                f,
                "--now {given}: not an RFC 3339 time with an offset; write e.g. 2026-11-24T09:00:00+09:00 or 2026-11-24T00:00:00Z"
            ),
            CliError::Timeout { given } => write!(
                f,
                "--timeout {given}: give a number of seconds above 0 and at most {}",
                super::MAX_TIMEOUT_SECS
            ),
            CliError::TimeZone { given, error } => write!(
                f,
                "--tz {given}: not an offset (+09:00), UTC, or a time zone name this system knows ({error})"
            ),
            CliError::NoSuchProfile { name } => write!(
                f,
                "--profile {name}: no such profile (profiles: {})",
                super::profile::NAMES.join(", ")
            ),
            CliError::NotInProfile { id, profile, rules } => write!(
                f,
                "--only {id}: not a rule of profile {profile} (its rules: {})",
                rules.join(", ")
            ),
            CliError::EmptyOwner => f.write_str("--owner is empty: every waiver needs an owner"),
            CliError::EmptyReason => f.write_str("--reason is empty: leave it out for the default"),
            CliError::NoDay { audit_time } => write!(f, "cannot tell the day of {audit_time}"),
            CliError::Expiry(e) => write!(f, "{e}"),
            CliError::Catalogue(e) => write!(f, "{e}"),
            CliError::NoRules => f.write_str("no rules to run: check --rules, --only and --skip"),
            CliError::NoSuchRule { id, suggestion } => {
                write!(f, "no rule has the id `{id}`.")?;
                if let Some(s) = suggestion {
                    write!(f, " Did you mean `{s}`?")?;
                }
                f.write_str(" See `crmdesk-audit rules list`.")
            }
            CliError::DoesNotCompile(problems) => f.write_str(&problems.join("\n")),
            CliError::NoRuleFiles => {
                f.write_str("no rule files to test: give a rules directory with --rules DIR")
            }
            CliError::NotKebab { id } => write!(
                f,
                "`{id}`: a rule id is kebab-case (lower-case words joined by `-`), e.g. agents-active"
            ),
            CliError::Exists(path) => write!(
                f,
                "{}: already exists; choose another id or remove it",
                path.display()
            ),
            CliError::ErrorStatus => f.write_str(
                "--statuses: `error` is implied for every rule; list some of pass, warn, fail, skip",
            ),
            CliError::UnknownPart { need, suggestion } => {
                write!(f, "--needs: `{need}` is not a part of the document")?;
                if let Some(p) = suggestion {
                    write!(f, " (did you mean `{p}`?)")?;
                }
                write!(f, "; parts: {}", crate::doc::PARTS.join(", "))
            }
            CliError::ScaffoldDir { dir, io } => write!(f, "{}: {io}", dir.display()),
            CliError::ScaffoldCreate { path, io } => write!(
                f,
                "{}: {io} (rules new writes only new files, never through a link)",
                path.display()
            ),
            CliError::ScaffoldWrite { path, io } => write!(f, "{}: {io}", path.display()),
            CliError::Junit(e) => write!(f, "cannot write JUnit XML: {e}"),
            CliError::Config(e) => write!(f, "{e}"),
            CliError::Baseline(e) => write!(f, "{e}"),
            CliError::Waivers(e) => write!(f, "{e}"),
            CliError::Write(e) => write!(f, "{e}"),
            CliError::Stdout(e) => write!(f, "cannot write to stdout: {e}"),
            CliError::Manual(e) => write!(f, "cannot write the manual page: {e}"),
            CliError::NothingWritten { what } => {
                write!(f, "no {what} written: fix the errors above first")
            }
            CliError::Load { error, lang } => f.write_str(&error.text(*lang)),
            CliError::NotOneExport { path, found, lang } => f.write_str(
                &words::DIFF_NOT_ONE
                    .get(*lang)
                    .replace("{0}", path)
                    .replace("{1}", &found.to_string()),
            ),
            CliError::Query(e) => write!(f, "query: {e}"),
            CliError::Credentials { missing } => write!(
                f,
                "collect needs credentials in the environment: {} not set (or set \
                 ZOHO_ACCESS_TOKEN); see docs/collect.md for making a self client",
                missing.join(", ")
            ),
            CliError::Collect { error, lang } => {
                f.write_str(&super::collect_cmd::describe(error, *lang))
            }
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::TimeZone { error, .. } => Some(error),
            CliError::Expiry(e) => Some(e),
            CliError::Catalogue(e) => Some(e),
            CliError::ScaffoldDir { io, .. }
            | CliError::ScaffoldCreate { io, .. }
            | CliError::ScaffoldWrite { io, .. }
            | CliError::Stdout(io)
            | CliError::Manual(io) => Some(io),
            CliError::Junit(e) => Some(e),
            CliError::Config(e) => Some(e),
            CliError::Baseline(e) => Some(e),
            CliError::Waivers(e) => Some(e),
            CliError::Write(e) => Some(e),
            CliError::Load { error, .. } => Some(error),
            CliError::Query(e) => Some(e),
            CliError::Collect { error, .. } => Some(error),
            CliError::Now { .. }
            | CliError::Timeout { .. }
            | CliError::NoSuchProfile { .. }
            | CliError::NotInProfile { .. }
            | CliError::EmptyOwner
            | CliError::EmptyReason
            | CliError::NoDay { .. }
            | CliError::NoRules
            | CliError::NoSuchRule { .. }
            | CliError::DoesNotCompile(_)
            | CliError::NoRuleFiles
            | CliError::NotKebab { .. }
            | CliError::Exists(_)
            | CliError::ErrorStatus
            | CliError::UnknownPart { .. }
            | CliError::NothingWritten { .. }
            | CliError::NotOneExport { .. }
            | CliError::Credentials { .. } => None,
        }
    }
}

impl From<ExpiryError> for CliError {
    fn from(e: ExpiryError) -> Self {
        CliError::Expiry(e)
    }
}

impl From<CatalogueError> for CliError {
    fn from(e: CatalogueError) -> Self {
        CliError::Catalogue(e)
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::Config(e)
    }
}

impl From<BaselineError> for CliError {
    fn from(e: BaselineError) -> Self {
        CliError::Baseline(e)
    }
}

impl From<WaiverError> for CliError {
    fn from(e: WaiverError) -> Self {
        CliError::Waivers(e)
    }
}

impl From<WriteError> for CliError {
    fn from(e: WriteError) -> Self {
        CliError::Write(e)
    }
}

impl From<EvalError> for CliError {
    fn from(e: EvalError) -> Self {
        CliError::Query(e)
    }
}

impl From<quick_junit::SerializeError> for CliError {
    fn from(e: quick_junit::SerializeError) -> Self {
        CliError::Junit(e)
    }
}
