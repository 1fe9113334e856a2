//! `rules list | explain | check | test | new`: everything a rule author needs, with no
//! recompiling.

use super::CliError;
use super::args::{ListFormat, RuleArgs, RulesCommand, TestFormat};
use crate::bilingual::Lang;
use crate::engine::{self, Limits};
use crate::report::rule_list::{self, RuleRow};
use crate::report::rule_tests::{self, CaseLine, status_difference};
use crate::rules::cases::{CaseOutcome, cases_for, run_case};
use crate::rules::run::on_rule_thread;
use crate::rules::{Catalogue, Rule, RuleSource, scaffold};
use crate::status::Status;
use crate::suggest::did_you_mean;
use std::path::{Path, PathBuf};

/// Runs `rules list | explain | check | test | new`.
pub fn run(cmd: &RulesCommand) -> Result<u8, CliError> {
    match cmd {
        RulesCommand::List {
            rules,
            format,
            lang,
        } => list(rules, *format, super::lang(*lang)),
        RulesCommand::Explain { id, rules, lang } => explain(id, rules, super::lang(*lang)),
        RulesCommand::Check { rules, lang } => check(rules, super::lang(*lang)),
        RulesCommand::Test {
            rules,
            format,
            lang,
            output,
            limits,
        } => test(
            rules,
            *format,
            output.as_deref(),
            &super::limits(limits)?,
            super::lang(*lang),
        ),
        RulesCommand::New {
            id,
            dir,
            statuses,
            needs,
        } => new(id, dir, statuses, needs),
    }
}

fn load(a: &RuleArgs) -> Result<(rhai::Engine, Catalogue), CliError> {
    let engine = engine::build(&Limits::default());
    let cat = super::catalogue(&engine, a)?;
    Ok((engine, cat))
}

fn title(r: &Rule, lang: Lang) -> String {
    r.compiled.as_ref().map_or_else(
        |_| "(does not compile: see `rules check`)".to_owned(),
        |c| c.meta.title.get(lang).to_owned(),
    )
}

fn list(a: &RuleArgs, format: ListFormat, lang: Lang) -> Result<u8, CliError> {
    let (_, cat) = load(a)?;
    let rows: Vec<RuleRow> = cat
        .rules
        .iter()
        .map(|r| RuleRow {
            id: r.id.clone(),
            faq: r.faq(),
            title: title(r, lang),
            source: r.origin.to_string(),
        })
        .collect();
    let out = match format {
        ListFormat::Json => rule_list::json(&rows),
        ListFormat::Table => rule_list::table(&rows, lang),
    };
    super::emit(None, &out)?;
    Ok(super::SUCCESS)
}

fn explain(id: &str, a: &RuleArgs, lang: Lang) -> Result<u8, CliError> {
    let (_, cat) = load(a)?;
    let Some(rule) = cat.rules.iter().find(|r| r.id == id) else {
        let ids: Vec<&str> = cat.rules.iter().map(|r| r.id.as_str()).collect();
        return Err(CliError::NoSuchRule {
            id: id.to_owned(),
            suggestion: did_you_mean(id, &ids).map(str::to_owned),
        });
    };
    let c = rule
        .compiled
        .as_ref()
        .map_err(|p| CliError::DoesNotCompile(p.clone()))?;
    let text = crate::report::explain::render(&rule.id, &rule.origin.to_string(), &c.meta, lang);
    super::emit(None, &text)?;
    Ok(super::SUCCESS)
}

fn check(a: &RuleArgs, lang: Lang) -> Result<u8, CliError> {
    let (_, cat) = load(a)?;
    let problems = cat.problems();
    for p in &problems {
        eprintln!("{p}");
    }
    if problems.is_empty() {
        super::emit(
            None,
            &match lang {
                Lang::En => format!(
                    "{} rules compile and their metadata is valid\n",
                    cat.rules.len()
                ),
                Lang::Ja => format!(
                    "ルール {} 件はすべてコンパイルでき、METAも正しい形式です。\n",
                    cat.rules.len()
                ),
            },
        )?;
        Ok(super::SUCCESS)
    } else {
        match lang {
            Lang::En => eprintln!("{} problem(s) in {} rules", problems.len(), cat.rules.len()),
            Lang::Ja => eprintln!(
                "ルール {} 件のうちに問題が {} 件あります。",
                cat.rules.len(),
                problems.len()
            ),
        }
        Ok(super::ERROR)
    }
}

fn test(
    a: &RuleArgs,
    format: TestFormat,
    output: Option<&Path>,
    limits: &Limits,
    lang: Lang,
) -> Result<u8, CliError> {
    let engine = engine::build(limits);
    let cat = super::catalogue(&engine, a)?;
    let with_files: Vec<(&Rule, PathBuf)> = cat
        .rules
        .iter()
        .filter_map(|r| match &r.origin {
            RuleSource::File(p) => Some((r, p.parent().map(Path::to_path_buf).unwrap_or_default())),
            RuleSource::Builtin => None,
        })
        .collect();
    if with_files.is_empty() {
        return Err(CliError::NoRuleFiles);
    }
    let lines: Vec<CaseLine> = on_rule_thread(|| {
        let mut lines = Vec::new();
        for (rule, dir) in &with_files {
            // A rule that does not compile is reported once, not once per case.
            if let Err(problems) = &rule.compiled {
                lines.push(CaseLine {
                    rule: rule.id.clone(),
                    case: "(compile)".to_owned(),
                    failures: problems.clone(),
                });
                continue;
            }
            let cases = cases_for(dir, &rule.id);
            let outcomes: Vec<CaseOutcome> = cases
                .iter()
                .map(|c| run_case(&engine, limits, rule, c))
                .collect();
            lines.extend(outcomes.iter().map(|o| case_line(rule, o)));
            lines.push(coverage(rule, &cases));
        }
        lines
    });
    let failed = lines.iter().filter(|l| !l.failures.is_empty()).count();
    let text = match format {
        TestFormat::Table => rule_tests::table(&lines, lang),
        TestFormat::Junit => rule_tests::junit(&lines)?,
    };
    match output {
        Some(p) => super::output::write_atomically(p, text.as_bytes())?,
        None => super::emit(None, &text)?,
    }
    Ok(if failed == 0 {
        super::SUCCESS
    } else {
        super::FAILURE
    })
}

/// The line of a case: its failures, then its statuses when they differ from those expected.
fn case_line(rule: &Rule, o: &CaseOutcome) -> CaseLine {
    CaseLine {
        rule: rule.id.clone(),
        case: o.case.name.clone(),
        failures: o
            .failures
            .iter()
            .cloned()
            .chain(status_difference(o))
            .collect(),
    }
}

/// The coverage line of a rule: the check `cargo test` makes too (`cases::coverage`).
fn coverage(rule: &Rule, cases: &[crate::rules::cases::Case]) -> CaseLine {
    CaseLine {
        rule: rule.id.clone(),
        case: "(coverage)".to_owned(),
        failures: crate::rules::cases::coverage(rule, cases),
    }
}

fn new(id: &str, dir: &Path, statuses: &[Status], needs: &[String]) -> Result<u8, CliError> {
    if !crate::rules::meta::is_kebab(id) {
        return Err(CliError::NotKebab { id: id.to_owned() });
    }
    let spec = spec(id, statuses, needs)?;
    let rule_path = dir.join(format!("{id}.rhai"));
    let tests = dir.join(format!("{id}.tests"));
    for p in [&rule_path, &tests] {
        // `symlink_metadata`: a dangling link counts as existing (writing would follow it).
        if p.symlink_metadata().is_ok() {
            return Err(CliError::Exists(p.clone()));
        }
    }
    let write = |p: &Path, text: &str| -> Result<(), CliError> {
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|io| CliError::ScaffoldDir {
                dir: parent.to_path_buf(),
                io,
            })?;
        }
        // `create_new`: never through a link, never over a file that appeared meanwhile.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .map_err(|io| CliError::ScaffoldCreate {
                path: p.to_path_buf(),
                io,
            })?;
        std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|io| CliError::ScaffoldWrite {
            path: p.to_path_buf(),
            io,
        })
    };
    let files = scaffold::files(&spec);
    for (rel, text) in &files {
        write(&dir.join(rel), text)?;
    }
    let cases: Vec<String> = files
        .iter()
        .filter_map(|(rel, _)| rel.strip_suffix("/expect.json"))
        .filter_map(|c| c.rsplit('/').next().map(|c| format!("{c}/")))
        .collect();
    super::emit(
        None,
        &format!(
            "created {}\ncreated in {}/: {}\nnext: edit the rule, then run\n  crmdesk-audit rules check --rules {dir}\n  crmdesk-audit rules test --rules {dir} --only {id}\n",
            rule_path.display(),
            tests.display(),
            cases.join(", "),
            dir = dir.display()
        ),
    )?;
    Ok(super::SUCCESS)
}

/// What `rules new` was asked for, checked: statuses without `error`, parts the document has.
fn spec(id: &str, statuses: &[Status], needs: &[String]) -> Result<scaffold::Spec, CliError> {
    if statuses.is_empty() && needs.is_empty() {
        return Ok(scaffold::example(id));
    }
    let mut spec = scaffold::example(id);
    if !statuses.is_empty() {
        if statuses.contains(&Status::Error) {
            return Err(CliError::ErrorStatus);
        }
        let mut s = statuses.to_vec();
        s.dedup();
        spec.statuses = s;
    }
    if !needs.is_empty() {
        for need in needs {
            let known = crate::doc::PARTS
                .iter()
                .any(|p| need == p || need.starts_with(&format!("{p}.")))
                || need == "desk.organization";
            if !known {
                return Err(CliError::UnknownPart {
                    need: need.clone(),
                    suggestion: crate::suggest::did_you_mean(need, crate::doc::PARTS)
                        .map(str::to_owned),
                });
            }
        }
        spec.needs = needs.to_vec();
    }
    Ok(spec)
}
