//! The command line: parse, validate once, run, map the outcome to an exit status.
//! This is the only layer that writes to stdout or stderr.

pub mod args;
mod baseline_cmd;
mod collect_cmd;
mod config;
mod diff_cmd;
pub mod error;
pub mod output;
mod profile;
mod progress;
mod query_cmd;
mod report_info;
mod rules_cmd;
mod shell_cmd;
mod waivers_cmd;

use crate::audit::{self, ExportOutcome};
use crate::bilingual::Lang;
use crate::engine::{self, Limits};
use crate::load::LoadOptions;
use crate::report;
use crate::rules::{Catalogue, Selection};
use crate::severity::Severity;
use crate::status::Status;
use args::{AuditArgs, Cli, Command, FailOn, Format, LangArg, LimitArgs, RuleArgs, Threshold};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub use error::{CliError, ERROR, FAILURE, SUCCESS};

/// Parses the command line, runs the command, prints its error (if any) and turns the
/// outcome into the process's exit status.
pub fn main() -> ExitCode {
    crate::engine::memory::return_freed_memory();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Audit(a) => audit_command(&a),
        Command::Rules(r) => rules_cmd::run(&r),
        Command::Query(q) => query_cmd::run(&q),
        Command::Diff(d) => diff_cmd::run(&d),
        Command::Collect(c) => collect_cmd::run(&c),
        Command::Completions(c) => shell_cmd::completions(&c),
        Command::Man => shell_cmd::man(),
        Command::Baseline(b) => baseline_cmd::run(&b),
        Command::Waivers(w) => waivers_cmd::run(&w),
    };
    ExitCode::from(code.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        e.exit_code()
    }))
}

/// What every command that audits sets up alike: the project config file (it gives what
/// no flag gave: docs/ci.md, "A project config file"), the limits, the engine with the
/// config's `[parameters]`, and the rules (flags, else the config's directories and
/// profile), with the catalogue's notes and problems said on stderr.
pub(crate) struct Setup {
    pub config: config::Config,
    pub limits: Limits,
    pub engine: rhai::Engine,
    pub catalogue: Catalogue,
    /// The rules that did not compile, already said.
    pub problems: Vec<String>,
}

impl Setup {
    pub(crate) fn new(
        config: Option<&Path>,
        rules: &RuleArgs,
        profile: Option<&str>,
        limits: &LimitArgs,
    ) -> Result<Setup, CliError> {
        let mut config = config::load(config)?.unwrap_or_default();
        let limits = self::limits(limits)?;
        let engine = engine::build_with_parameters(
            &limits,
            Arc::new(std::mem::take(&mut config.parameters)),
        );
        let rule_args = config_rules(rules, &config);
        let profile = profile.or(config.profile.as_deref());
        let catalogue = select(
            &engine,
            &rule_args,
            &profile::selection(profile, &rule_args)?,
        )?;
        for note in &catalogue.notes {
            eprintln!("note: {note}");
        }
        for note in config.check_severity(&catalogue)? {
            eprintln!("note: {note}");
        }
        let problems = catalogue.problems();
        for p in &problems {
            eprintln!("error: {p}");
        }
        Ok(Setup {
            config,
            limits,
            engine,
            catalogue,
            problems,
        })
    }
}

fn audit_command(a: &AuditArgs) -> Result<u8, CliError> {
    let Setup {
        config,
        limits,
        engine,
        catalogue,
        problems,
    } = Setup::new(
        a.config.as_deref(),
        &a.rules,
        a.profile.as_deref(),
        &a.limits,
    )?;
    let lang = lang(a.lang.or(config.lang));
    let audit_time = audit_time(a.now.as_deref())?;

    let waivers = match a.waivers.as_ref().or(config.waivers.as_ref()) {
        Some(p) => crate::waivers::read(p)?,
        None => vec![],
    };

    if let Some(n) = a.threads {
        audit::set_threads(usize::from(n));
    }
    let progress = progress::Progress::start();
    let mut outcomes = audit::audit_with_progress(
        &engine,
        &catalogue,
        &limits,
        &a.paths,
        &LoadOptions {
            audit_time: audit_time.clone(),
        },
        &|done, total| progress.update(done, total),
    );
    progress.finish();
    if a.timings {
        eprint!("{}", timings(&outcomes));
    }
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprintln!("error: {}", e.text(lang));
        }
    }
    config.apply_severity(&mut outcomes);
    let waiver_report = crate::waivers::apply(&mut outcomes, &waivers, &audit_time);
    // Against a baseline: findings it holds count as pass; those it holds that no finding
    // matches any more are fixed.
    let fixed = match a.baseline.as_ref().or(config.baseline.as_ref()) {
        Some(p) => Some(crate::baseline::Baseline::read(p)?.apply(&mut outcomes)),
        None => None,
    };
    let ja = lang == Lang::Ja;
    if let Some(fixed) = &fixed {
        for e in fixed {
            if ja {
                eprintln!(
                    "参考: ベースラインの保存後に解消した結果です: {} / {} {:?}",
                    e.rule, e.check, e.entities
                );
            } else {
                eprintln!(
                    "note: fixed since the baseline: {} / {} {:?}",
                    e.rule, e.check, e.entities
                );
            }
        }
    }
    for w in &waiver_report.unmatched {
        let (n, what) = (w.number, w.describe_in(lang));
        if ja {
            eprintln!("警告: 免除 #{n}({what})に該当する結果がありません");
        } else {
            eprintln!("warning: waiver #{n} ({what}) matched no finding");
        }
    }
    for w in &waiver_report.expired {
        let (n, what, on) = (w.number, w.describe_in(lang), &w.expires);
        if ja {
            eprintln!("警告: 免除 #{n}({what})は {on} に期限が切れたため、適用していません");
        } else {
            eprintln!("warning: waiver #{n} ({what}) expired on {on} and no longer applies");
        }
    }
    for w in &waiver_report.expiring {
        let left = crate::waivers::days_left(&w.expires, &audit_time).unwrap_or(0);
        let (n, what, on) = (w.number, w.describe_in(lang), &w.expires);
        if ja {
            let left = match left {
                0 => "本日が最終日です".to_owned(),
                n => format!("残り{n}日です"),
            };
            eprintln!(
                "警告: 免除 #{n}({what})の期限は {on} です({left})。期限までに更新するか、該当の問題を解消してください"
            );
        } else {
            let left = match left {
                0 => "today is its last day".to_owned(),
                1 => "in 1 day".to_owned(),
                n => format!("in {n} days"),
            };
            eprintln!(
                "warning: waiver #{n} ({what}) expires on {on} ({left}); renew it or fix the finding before then"
            );
        }
    }

    let formats: Vec<Format> = std::iter::once(a.format)
        .chain(a.reports.iter().map(|(f, _)| *f))
        .collect();
    let locations = if formats
        .iter()
        .any(|f| matches!(f, Format::Sarif | Format::Github | Format::Html))
    {
        locations(&outcomes)
    } else {
        report::Locations::new()
    };
    let info = report_info::info(
        &catalogue,
        &audit_time,
        a.now.as_deref(),
        a.tz.as_deref().or(config.tz.as_deref()),
        lang,
    )?;
    let cx = report::Context {
        outcomes: &outcomes,
        lang,
        catalogue: &catalogue,
        waivers: &waiver_report,
        locations: &locations,
        info: &info,
        baseline_fixed: fixed.as_deref(),
    };
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let look = TableLook {
        style: a.table_style,
        ambiguous_wide: a.ambiguous_wide,
    };
    let main = render(a.format, &cx, to_terminal, look);
    emit(a.output.as_deref(), &main)?;
    for (format, file) in &a.reports {
        // A report in the main format off a terminal is the same text: written, not
        // rendered again.
        let text = if *format == a.format && !to_terminal {
            std::borrow::Cow::Borrowed(main.as_str())
        } else {
            std::borrow::Cow::Owned(render(*format, &cx, false, look))
        };
        output::write_atomically(file, text.as_bytes())?;
    }
    // An explicit --fail-on (the flag, else the config file's) wins over the profile's.
    let fail_on = a.fail_on.or(config.fail_on).unwrap_or_else(|| {
        a.profile
            .as_deref()
            .or(config.profile.as_deref())
            .and_then(profile::profile)
            .map_or(FailOn::Fail, |p| p.1)
    });
    let status = exit_status(&outcomes, fail_on, !problems.is_empty());
    // The process ends next: the results of every export (findings, provenance) are left
    // for the system to take back at once rather than freed item by item, which took a
    // batch of 1,000 exports 20 ms on the one thread nothing else runs on by then.
    std::mem::forget(outcomes);
    Ok(status)
}

/// What `--table-style` and `--ambiguous-wide` asked of the table.
#[derive(Clone, Copy)]
struct TableLook {
    style: Option<args::TableStyle>,
    ambiguous_wide: bool,
}

/// One report in one format; only `table` cares whether it goes to a terminal.
fn render(format: Format, cx: &report::Context, to_terminal: bool, look: TableLook) -> String {
    match format {
        Format::Table => report::table::render(cx, table_style(to_terminal, look)),
        Format::Html => report::html::render(cx),
        Format::Json => report::json::render(cx),
        Format::Junit => report::junit::render(cx),
        Format::Sarif => report::sarif::render(cx),
        Format::Markdown => report::markdown::render(cx),
        Format::Github => report::github::render(cx),
    }
}

/// Where each piece of evidence sits in the export's files (for SARIF and annotations).
fn locations(outcomes: &[ExportOutcome]) -> report::Locations {
    let mut out = report::Locations::new();
    for o in outcomes {
        let (Some(_), Ok(a)) = (&o.source, &o.result) else {
            continue;
        };
        let mut locator = crate::locate::Locator::new(a.provenance.clone());
        for f in a.results.iter().flat_map(|r| &r.findings) {
            for p in &f.evidence {
                let key = (o.path.clone(), p.clone());
                if out.contains_key(&key) {
                    continue;
                }
                if let Some(l) = locator.locate(p) {
                    out.insert(key, l);
                }
            }
        }
    }
    out
}

/// `--timings`: each rule's run time summed over the exports, slowest first.
fn timings(outcomes: &[ExportOutcome]) -> String {
    let mut per_rule: Vec<(&str, Duration)> = Vec::new();
    let mut exports = 0;
    let mut wall = Duration::ZERO;
    for a in outcomes.iter().filter_map(|o| o.result.as_ref().ok()) {
        exports += 1;
        wall += a.rules_wall;
        for r in &a.results {
            match per_rule.iter_mut().find(|(id, _)| *id == r.rule) {
                Some((_, t)) => *t += r.elapsed,
                None => per_rule.push((&r.rule, r.elapsed)),
            }
        }
    }
    per_rule.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: Duration = per_rule.iter().map(|(_, t)| *t).sum();
    let width = per_rule.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
    let mut out = format!(
        "timings: rule run time summed over {exports} export{}\n",
        if exports == 1 { "" } else { "s" }
    );
    for (id, t) in &per_rule {
        out += &format!("  {id:<width$}  {:>10.3} ms\n", t.as_secs_f64() * 1e3);
    }
    out += &format!(
        "  {:<width$}  {:>10.3} ms\n",
        "total",
        total.as_secs_f64() * 1e3
    );
    // Rules run in parallel: the sum above overstates the time they add to the audit.
    out += &format!(
        "  {:<width$}  {:>10.3} ms\n",
        "wall",
        wall.as_secs_f64() * 1e3
    );
    out
}

/// 2 for anything that kept the audit from being complete; else 1 when a result
/// reached `--fail-on`; else 0.
///
/// A severity as `fail_on` counts the warn and fail findings (counted status: not waived,
/// not in the baseline) of that severity or above.
pub fn exit_status(outcomes: &[ExportOutcome], fail_on: FailOn, rule_problems: bool) -> u8 {
    let worst = Status::worst(outcomes.iter().map(ExportOutcome::status));
    if rule_problems || worst == Some(Status::Error) {
        return ERROR;
    }
    let least = match fail_on.threshold() {
        Threshold::Status(s) => s,
        Threshold::Never => return SUCCESS,
        Threshold::Severity(s) => return severe(outcomes, s),
    };
    if worst.is_some_and(|w| w >= least) {
        FAILURE
    } else {
        SUCCESS
    }
}

/// 1 when a counted warn or fail has at least this severity.
fn severe(outcomes: &[ExportOutcome], least: Severity) -> u8 {
    let hit = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .flat_map(|a| &a.results)
        .flat_map(|r| &r.findings)
        .any(|f| matches!(f.counted_status(), Status::Warn | Status::Fail) && f.severity >= least);
    if hit { FAILURE } else { SUCCESS }
}

pub(crate) fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env_lang(std::env::var("LANG").ok().as_deref()),
    }
}

/// `--now` as given (validated), or the current UTC time to the second.
pub(crate) fn audit_time(now: Option<&str>) -> Result<String, CliError> {
    match now {
        Some(t) => {
            if engine::helpers::time::parse_millis(t).is_none() {
                return Err(CliError::Now {
                    given: t.to_owned(),
                });
            }
            Ok(t.trim().to_owned())
        }
        None => Ok(jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()),
    }
}

/// The longest `--timeout`: a day is already far beyond any audit.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

pub(crate) fn limits(a: &LimitArgs) -> Result<Limits, CliError> {
    // `Duration::from_secs_f64` panics on values it cannot hold: check before.
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= MAX_TIMEOUT_SECS) {
        return Err(CliError::Timeout { given: a.timeout });
    }
    Ok(Limits {
        max_operations: a.max_operations,
        timeout: Duration::from_secs_f64(a.timeout),
        max_call_levels: usize::from(a.max_call_levels),
        max_string_size: a.max_string_size as usize,
        max_array_size: a.max_array_size as usize,
        max_map_size: a.max_map_size as usize,
        max_output: a.max_output as usize,
        max_memory: (a.max_memory as usize) << 20,
        max_findings: a.max_findings as usize,
    })
}

/// Audits `paths` for a command that writes a file from the findings (`baseline save`,
/// `waivers generate`): every problem is printed, and any (a rule that does not compile,
/// an export that does not load) means no `what` is written.
pub(crate) fn audit_for_a_file(
    paths: &[PathBuf],
    rules: &RuleArgs,
    config: Option<&Path>,
    limits: &LimitArgs,
    audit_time: String,
    what: &'static str,
) -> Result<Vec<ExportOutcome>, CliError> {
    let Setup {
        config,
        limits,
        engine,
        catalogue,
        problems,
    } = Setup::new(config, rules, None, limits)?;
    let mut outcomes = audit::audit(
        &engine,
        &catalogue,
        &limits,
        paths,
        &LoadOptions { audit_time },
    );
    config.apply_severity(&mut outcomes);
    let mut failed = !problems.is_empty();
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    if failed {
        return Err(CliError::NothingWritten { what });
    }
    Ok(outcomes)
}

/// The rules of this run: built-ins, overridden by `--rules` dirs (or `./rules` if it
/// exists and no `--rules` was given), filtered by `--only`/`--skip`.
pub(crate) fn catalogue(engine: &rhai::Engine, a: &RuleArgs) -> Result<Catalogue, CliError> {
    select(
        engine,
        a,
        &Selection {
            only: a.only.clone(),
            skip: a.skip.clone(),
        },
    )
}

/// The rules of `a`'s directories, as `sel` selects them.
fn select(engine: &rhai::Engine, a: &RuleArgs, sel: &Selection) -> Result<Catalogue, CliError> {
    let cat = Catalogue::load(engine, &rule_dirs(a))?.select(sel)?;
    if cat.rules.is_empty() {
        return Err(CliError::NoRules);
    }
    Ok(cat)
}

/// `a`, with the config file's rule directories when no `--rules` was given.
fn config_rules(a: &RuleArgs, config: &config::Config) -> RuleArgs {
    RuleArgs {
        dirs: if a.dirs.is_empty() {
            config.rules.clone()
        } else {
            a.dirs.clone()
        },
        only: a.only.clone(),
        skip: a.skip.clone(),
    }
}

/// `--rules` dirs as given, else `./rules` if it exists.
pub(crate) fn rule_dirs(a: &RuleArgs) -> Vec<PathBuf> {
    if a.dirs.is_empty() {
        let default = PathBuf::from("rules");
        if default.is_dir() {
            vec![default]
        } else {
            vec![]
        }
    } else {
        a.dirs.clone()
    }
}

fn table_style(to_terminal: bool, look: TableLook) -> report::table::Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let width = if to_terminal {
        terminal_width().unwrap_or(120)
    } else {
        120
    };
    let ascii = match look.style {
        Some(args::TableStyle::Ascii) => true,
        Some(args::TableStyle::Unicode) => false,
        None => to_terminal && !report_info::can_draw_boxes(),
    };
    report::table::Style {
        color: to_terminal && !no_color,
        width,
        ascii,
        ambiguous_wide: look.ambiguous_wide,
    }
}

/// The terminal's width, as comfy-table measures it (a table with no width set asks the
/// terminal when stdout is one).
fn terminal_width() -> Option<u16> {
    // A pseudo-terminal that never got a size reports 0 columns: use the default then.
    comfy_table::Table::new().width().filter(|w| *w >= 40)
}

pub(crate) fn emit(path: Option<&Path>, text: &str) -> Result<(), CliError> {
    match path {
        Some(p) => Ok(output::write_atomically(p, text.as_bytes())?),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Stdout(e)),
                _ => Ok(()),
            }
        }
    }
}
