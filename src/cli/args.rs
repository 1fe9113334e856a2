//! The command line as parsed by clap (cli.md is the contract for names and defaults).

use crate::severity::Severity;
use crate::status::Status;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "crmdesk-audit",
    version,
    about = "Audit Zoho CRM <-> Zoho Desk integration exports against the FAQ, with sandboxed Rhai rules",
    after_help = "Exit status: 0 nothing reached --fail-on; 1 something did; 2 usage error, an export that \
                  could not be loaded, a rule that did not compile or ended in error, or no rules."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit exports: a bundle directory, a single .json file, or a directory holding many exports.
    Audit(AuditArgs),
    /// List, explain, check, test and scaffold rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Evaluate a Rhai expression against a loaded export (`doc`) and print the result as JSON.
    Query(QueryArgs),
    /// Audit two exports and report what changed, check by check and finding by finding.
    Diff(DiffArgs),
    /// Fetch a complete export from the Zoho APIs (read-only) into a new bundle directory.
    Collect(CollectArgs),
    /// Print shell completions: `crmdesk-audit completions bash > /etc/bash_completion.d/crmdesk-audit`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `crmdesk-audit man > crmdesk-audit.1`.
    Man,
    /// Save the findings of exports as a baseline for `audit --baseline`.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Write waivers for the findings of exports, as a starting point for `audit --waivers`.
    #[command(subcommand)]
    Waivers(WaiversCommand),
}

#[derive(Debug, Subcommand)]
pub enum WaiversCommand {
    /// Audit exports and write a waiver, by fingerprint, for each warn and fail finding
    /// (docs/ci.md, "Waivers"); edit the file before committing it.
    Generate {
        /// Exports to audit.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// When the waivers end: days or weeks from the audit's day (30d, 4w) or a date
        /// (2027-03-31); each waiver applies through that day.
        #[arg(long, value_name = "WHEN")]
        expires: String,
        /// Who answers for the waivers (a person or a team's address).
        #[arg(long, value_name = "WHO")]
        owner: String,
        /// Why the findings are accepted [default: "accepted on <the audit's day>"].
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Write the waivers file to FILE (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        /// RFC 3339 time with an offset that rules treat as now (and expiries count from).
        #[arg(long, value_name = "TIME")]
        now: Option<String>,
        /// The project config file [default: crmdesk-audit.toml in the current directory
        /// or the nearest parent, up to the repository's top]: its rules, parameters and
        /// severity overrides apply here too.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Audit exports and write every finding that is not a pass, by fingerprint, to FILE.
    Save {
        /// Exports to audit.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The baseline file to write (atomically).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        /// RFC 3339 time with an offset that rules treat as now.
        #[arg(long, value_name = "TIME")]
        now: Option<String>,
        /// The project config file [default: crmdesk-audit.toml in the current directory
        /// or the nearest parent, up to the repository's top]: its rules, parameters and
        /// severity overrides apply here too.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `collect` (cli.md). Credentials come from the environment only: ZOHO_CLIENT_ID,
/// ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN (a self client), or ZOHO_ACCESS_TOKEN.
#[derive(Debug, Args)]
#[command(
    after_help = "Credentials: ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN (a self client \
                  with the CRM and Desk read scopes), or ZOHO_ACCESS_TOKEN; from the environment only. \
                  Exit status: 0 every part complete; 1 written, but some part is incomplete or holds \
                  a saved API error; 2 nothing written. See docs/collect.md."
)]
pub struct CollectArgs {
    /// The bundle to create; refused when it exists and is not empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Data centre: com, eu, in, com.au, jp, ca, sa, uk, com.cn.
    #[arg(long, value_name = "DC", default_value = "com",
          value_parser = ["com", "eu", "in", "com.au", "jp", "ca", "sa", "uk", "com.cn"])]
    pub dc: String,

    /// The accounts server [default: the data centre's].
    #[arg(long, value_name = "URL")]
    pub accounts_url: Option<String>,

    /// The CRM API host [default: the token response's api_domain, else the data centre's].
    #[arg(long, value_name = "URL")]
    pub crm_url: Option<String>,

    /// The Zoho Desk host [default: the data centre's].
    #[arg(long, value_name = "URL")]
    pub desk_url: Option<String>,

    /// The Desk organization (portal) id to export [default: the isDefault one, else the only one].
    #[arg(long, value_name = "ID")]
    pub desk_org: Option<String>,

    /// Stop each list after N records (a quick look); the manifest marks those parts incomplete.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_records: Option<u64>,

    /// Ask the integration.json questions (the settings no API gives) and fill in the answers.
    #[arg(long)]
    pub ask: bool,

    /// Language of the checklist and questions [default: ja when LANG starts with ja, else en].
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The export before the change.
    pub before: PathBuf,
    /// The export after the change.
    pub after: PathBuf,

    /// Language of the report [default: ja when LANG starts with ja, else en].
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a check got worse, or a new finding appeared, at this status or above.
    #[arg(long, default_value = "fail", value_name = "LEVEL", value_parser = FailOn::status_parser())]
    pub fail_on: FailOn,

    /// RFC 3339 time with an offset that rules treat as now (for both exports).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The rules that would run: id, FAQ number, title and source.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Language of titles [default: ja when LANG starts with ja, else en].
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// What a rule checks, why, its checks and statuses, the remedy and the data it needs.
    Explain {
        /// The rule id, e.g. sync-running.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Compile every rule and validate its metadata; problems as path:line:col: message (exit 2).
    Check {
        #[command(flatten)]
        rules: RuleArgs,
        /// Language of the summary [default: ja when LANG starts with ja, else en].
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
    },
    /// Run every rule file against its cases in <id>.tests/<case>/ (exit 1 when a case fails).
    Test {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long, value_enum, default_value_t = TestFormat::Table)]
        format: TestFormat,
        /// Language of the summary [default: ja when LANG starts with ja, else en].
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Write the report to FILE (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Scaffold rules/<ID>.rhai with a passing, a failing and a skipping test case.
    New {
        /// The new rule's id (kebab-case), e.g. agents-active.
        id: String,
        /// Directory to create it in (`--rules` too, as the other `rules` commands say).
        #[arg(
            long,
            visible_alias = "rules",
            value_name = "DIR",
            default_value = "rules"
        )]
        dir: PathBuf,
        /// The statuses the rule's check gives, e.g. pass,warn,skip (a case is written for
        /// each). Without this and --needs: a worked example.
        #[arg(long, value_delimiter = ',', value_name = "STATUSES")]
        statuses: Vec<crate::status::Status>,
        /// The parts of the document the rule reads, e.g. crm.users,desk.agents.
        #[arg(long, value_delimiter = ',', value_name = "PARTS")]
        needs: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The export: a bundle directory or a single .json file.
    pub path: PathBuf,
    /// A Rhai expression (or statements) reading `doc`, e.g. 'count_eq_ci(doc.crm.users, "status", "active")'.
    pub expr: String,
    /// RFC 3339 time with an offset for meta.audit_time.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Table,
    Junit,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Exports to audit.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The project config file (docs/ci.md, "A project config file") [default:
    /// crmdesk-audit.toml in the current directory or the nearest parent, up to the
    /// repository's top]. Flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write a report in FORMAT to FILE (repeatable), e.g. --report sarif=results.sarif;
    /// every report comes from the same audit.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,

    /// What makes the exit status 1: a status (fail, warn; never), or a severity
    /// (critical, high, medium, low, info): a counted warn or fail of that severity or
    /// above [default: the profile's, else fail].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// A named rule set with its own default --fail-on: pre-migration (the rules whose
    /// findings break a migration; fail-on warn) or support-triage (every rule; fail-on
    /// fail). --only narrows it, --skip leaves rules out of it.
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(super::profile::NAMES))]
    pub profile: Option<String>,

    /// Language of titles and messages [default: ja when LANG starts with ja, else en].
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,

    /// RFC 3339 time with an offset that rules treat as now, e.g. 2026-11-24T09:00:00+09:00.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// The reader's time zone for times in human reports: an offset (+09:00), UTC, or an
    /// IANA name (Asia/Tokyo) [default: the offset of --now, else +09:00 for ja, else UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Table borders: box-drawing characters or ASCII [default: ascii when the terminal
    /// or locale cannot draw box lines].
    #[arg(long, value_enum, value_name = "STYLE")]
    pub table_style: Option<TableStyle>,

    /// The terminal draws East-Asian ambiguous characters (box lines, ○, →) two columns
    /// wide: measure the table that way.
    #[arg(long)]
    pub ambiguous_wide: bool,

    /// Accepted findings (JSON): each with rule and check, a fingerprint, or an entity;
    /// reason, owner, expires; optionally evidence or export patterns. See docs/ci.md.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// A baseline (`crmdesk-audit baseline save`): findings it holds are known and count as
    /// pass; only new ones count toward --fail-on. The report marks each finding new or
    /// known and lists the baseline's findings that are now fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    #[command(flatten)]
    pub limits: LimitArgs,

    /// Threads that load exports, run rules and share long scans [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Print each rule's run time, summed over the exports, to stderr (slowest first), then
    /// their total and the rules' wall time (first start to last end).
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Load rules from DIR (repeatable); a rule whose id matches a built-in replaces it.
    /// [default: ./rules if it exists, else the built-in rules]
    #[arg(long = "rules", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Run only this rule (repeatable).
    #[arg(long, value_name = "ID")]
    pub only: Vec<String>,

    /// Leave out this rule (repeatable).
    #[arg(long, value_name = "ID")]
    pub skip: Vec<String>,
}

/// Bounds on every rule run (docs: README, "Limits").
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Rhai operations one rule may perform on one export (closures included).
    #[arg(long, value_name = "N", default_value_t = 100_000_000)]
    pub max_operations: u64,

    /// Seconds one rule may run on one export.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,

    /// Nested function calls (recursion depth) one rule may reach; at most 256, since
    /// deeper script recursion would overflow the native stack.
    #[arg(long, value_name = "N", default_value_t = 48,
          value_parser = clap::value_parser!(u16).range(1..=MAX_CALL_LEVELS))]
    pub max_call_levels: u16,

    /// Bytes in one string a rule builds.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_string_size: u32,

    /// Items in one array a rule builds (document lists do not count).
    #[arg(long, value_name = "N", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_array_size: u32,

    /// Entries in one map a rule builds.
    #[arg(long, value_name = "N", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_map_size: u32,

    /// Bytes of print/debug output kept per rule run; printing more ends the rule in error.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 10)]
    pub max_output: u32,

    /// Megabytes one rule run may hold at once; holding more ends the rule in error.
    #[arg(long, value_name = "MB", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::engine::sandbox::MAX_MEMORY_MB)))]
    pub max_memory: u32,

    /// Findings one rule may return on one export; more ends the rule in error.
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_findings: u32,
}

/// The highest `--max-call-levels`: a rule thread's 64 MiB stack holds this many levels
/// of script recursion with a wide margin, in debug builds too (tests/limits.rs).
pub const MAX_CALL_LEVELS: i64 = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Junit,
    Sarif,
    Markdown,
    Github,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableStyle {
    Unicode,
    Ascii,
}

/// `FORMAT=FILE` for `--report`.
fn parse_report(s: &str) -> Result<(Format, PathBuf), ReportArgError> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| ReportArgError::NoEquals(s.to_owned()))?;
    let format = Format::from_str(format, true)
        .map_err(|_| ReportArgError::NotAFormat(format.to_owned()))?;
    if file.is_empty() {
        return Err(ReportArgError::NoFile(s.to_owned()));
    }
    Ok((format, PathBuf::from(file)))
}

/// Why a `--report` value is not `FORMAT=FILE` (clap prints it after the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportArgError {
    /// No `=` in the value.
    NoEquals(String),
    /// The part before `=` names no format.
    NotAFormat(String),
    /// Nothing after `=`.
    NoFile(String),
}

impl std::fmt::Display for ReportArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportArgError::NoEquals(s) => {
                write!(f, "`{s}`: write FORMAT=FILE, e.g. sarif=results.sarif")
            }
            ReportArgError::NotAFormat(format) => write!(
                f,
                "`{format}`: not a format (table, json, junit, sarif, markdown, github, html)"
            ),
            ReportArgError::NoFile(s) => write!(f, "`{s}`: the file name is missing"),
        }
    }
}

impl std::error::Error for ReportArgError {}

/// `--fail-on`: the lowest result that makes the exit status 1. `audit` takes a status
/// or a severity; `diff` a status only ([`FailOn::status_parser`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Fail,
    Warn,
    Never,
    Critical,
    High,
    Medium,
    Low,
    Info,
}

/// What a `--fail-on` level is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Nothing makes the exit status 1.
    Never,
    /// A result of this status or worse.
    Status(Status),
    /// A counted warn or fail finding of this severity or above.
    Severity(Severity),
}

impl FailOn {
    /// The levels that are statuses: what `diff --fail-on` takes.
    pub const STATUSES: [&'static str; 3] = ["fail", "warn", "never"];

    /// What this level is compared with.
    pub fn threshold(self) -> Threshold {
        match self {
            FailOn::Fail => Threshold::Status(Status::Fail),
            FailOn::Warn => Threshold::Status(Status::Warn),
            FailOn::Never => Threshold::Never,
            FailOn::Critical => Threshold::Severity(Severity::Critical),
            FailOn::High => Threshold::Severity(Severity::High),
            FailOn::Medium => Threshold::Severity(Severity::Medium),
            FailOn::Low => Threshold::Severity(Severity::Low),
            FailOn::Info => Threshold::Severity(Severity::Info),
        }
    }

    /// The parser of a `--fail-on` that takes the [`FailOn::STATUSES`] only.
    pub fn status_parser() -> impl clap::builder::TypedValueParser<Value = FailOn> {
        use clap::builder::TypedValueParser as _;
        clap::builder::PossibleValuesParser::new(FailOn::STATUSES)
            .try_map(|s: String| FailOn::from_str(&s, false))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}
