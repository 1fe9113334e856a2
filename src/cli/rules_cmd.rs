//! `rules list | explain | check | test | new`: everything a rule author needs, with no
//! recompiling.

use super::args::{ListFormat, RuleArgs, RulesCommand, TestFormat};
use crate::engine::{self, Limits};
use crate::rules::cases::{CaseOutcome, cases_for, run_case};
use crate::rules::run::on_rule_thread;
use crate::rules::{Catalogue, Rule, RuleSource, scaffold};
use crate::status::Status;
use crate::suggest::did_you_mean;
use crate::text::Lang;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn run(cmd: &RulesCommand) -> Result<u8, String> {
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

fn load(a: &RuleArgs) -> Result<(rhai::Engine, Catalogue), String> {
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

fn list(a: &RuleArgs, format: ListFormat, lang: Lang) -> Result<u8, String> {
    let (_, cat) = load(a)?;
    let out = match format {
        ListFormat::Json => {
            let rows: Vec<_> = cat
                .rules
                .iter()
                .map(|r| json!({"id": r.id, "faq": r.faq(), "title": title(r, lang), "source": r.origin.to_string()}))
                .collect();
            serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let mut t = Table::new();
            t.load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(120)
                .set_header(match lang {
                    Lang::En => vec!["id", "FAQ", "title", "source"],
                    Lang::Ja => vec!["ルールID", "FAQ", "確認内容", "ファイル"],
                });
            for r in &cat.rules {
                t.add_row(vec![
                    r.id.clone(),
                    r.faq().to_string(),
                    title(r, lang),
                    r.origin.to_string(),
                ]);
            }
            format!("{t}\n")
        }
    };
    super::emit(None, &out)?;
    Ok(super::SUCCESS)
}

fn explain(id: &str, a: &RuleArgs, lang: Lang) -> Result<u8, String> {
    let (_, cat) = load(a)?;
    let Some(rule) = cat.rules.iter().find(|r| r.id == id) else {
        let ids: Vec<&str> = cat.rules.iter().map(|r| r.id.as_str()).collect();
        let hint = did_you_mean(id, &ids)
            .map(|s| format!(" Did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!(
            "no rule has the id `{id}`.{hint} See `crmdesk-audit rules list`."
        ));
    };
    let c = rule.compiled.as_ref().map_err(|p| p.join("\n"))?;
    let m = &c.meta;
    let (h_needs, h_checks, h_remedy, h_source, h_severity) = match lang {
        Lang::En => (
            "Reads",
            "Checks (in the FAQ's order of causes)",
            "Remedy",
            "Source",
            "Severity",
        ),
        Lang::Ja => (
            "使うデータ",
            "確認項目(FAQに記載の原因の順)",
            "対応方法",
            "ファイル",
            "重要度",
        ),
    };
    let mut s = String::new();
    let _ = if m.faq == 0 {
        writeln!(s, "{}: {}\n", rule.id, m.title.get(lang))
    } else {
        writeln!(s, "{} (FAQ {}): {}\n", rule.id, m.faq, m.title.get(lang))
    };
    let _ = writeln!(s, "{}\n", m.description.get(lang));
    let _ = writeln!(
        s,
        "{h_needs}: {}",
        if m.needs.is_empty() {
            "-".to_owned()
        } else {
            m.needs.join(", ")
        }
    );
    let _ = writeln!(s, "{h_source}: {}\n", rule.origin);
    let _ = writeln!(s, "{h_checks}:");
    // The FAQ's order of causes where it is known, then any other check by name.
    let order = crate::report::explain::order(&rule.id).unwrap_or(&[]);
    let mut checks: Vec<(&String, &crate::rules::meta::CheckMeta)> = m.checks.iter().collect();
    checks.sort_by_key(|(name, _)| order.iter().position(|o| o == name).unwrap_or(usize::MAX));
    for (name, check) in checks {
        let statuses: Vec<&str> = check.statuses.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(s, "  {name}  [{}]", statuses.join(", "));
        let _ = writeln!(
            s,
            "    {h_severity}: {}",
            crate::report::words::severity(check.severity).get(lang)
        );
        for (st, w) in crate::report::explain::when(name) {
            let _ = writeln!(
                s,
                "    {}: {}",
                crate::report::words::status(*st).get(lang),
                w.get(lang)
            );
        }
        let _ = writeln!(s, "    {h_remedy}: {}", check.remedy.get(lang));
    }
    super::emit(None, &s)?;
    Ok(super::SUCCESS)
}

fn check(a: &RuleArgs, lang: Lang) -> Result<u8, String> {
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

/// One line of the `rules test` report.
struct Line {
    rule: String,
    case: String,
    failures: Vec<String>,
}

fn test(
    a: &RuleArgs,
    format: TestFormat,
    output: Option<&Path>,
    limits: &Limits,
    lang: Lang,
) -> Result<u8, String> {
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
        return Err("no rule files to test: give a rules directory with --rules DIR".to_owned());
    }
    let lines: Vec<Line> = on_rule_thread(|| {
        let mut lines = Vec::new();
        for (rule, dir) in &with_files {
            // A rule that does not compile is reported once, not once per case.
            if let Err(problems) = &rule.compiled {
                lines.push(Line {
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
            lines.extend(outcomes.iter().map(|o| Line {
                rule: rule.id.clone(),
                case: o.case.name.clone(),
                failures: o.failures.iter().cloned().chain(diff(o)).collect(),
            }));
            lines.push(coverage(rule, &cases));
        }
        lines
    });
    let failed = lines.iter().filter(|l| !l.failures.is_empty()).count();
    let text = match format {
        TestFormat::Table => table_report(&lines, lang),
        TestFormat::Junit => junit_report(&lines)?,
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

/// Expected vs actual statuses, when a case failed and they differ (a case that failed on a
/// message or evidence has the statuses it expected: showing them would only confuse).
fn diff(o: &CaseOutcome) -> Option<String> {
    let differ = o.expected.iter().any(|(k, v)| o.actual.get(k) != Some(v));
    if o.failures.is_empty() || o.actual.is_empty() || !differ {
        return None;
    }
    let show = |m: &std::collections::BTreeMap<String, Status>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(format!(
        "expected: {}\n  actual:   {}",
        show(&o.expected),
        show(&o.actual)
    ))
}

/// The coverage line of a rule: the check `cargo test` makes too (`cases::coverage`).
fn coverage(rule: &Rule, cases: &[crate::rules::cases::Case]) -> Line {
    Line {
        rule: rule.id.clone(),
        case: "(coverage)".to_owned(),
        failures: crate::rules::cases::coverage(rule, cases),
    }
}

fn table_report(lines: &[Line], lang: Lang) -> String {
    let mut s = String::new();
    for l in lines {
        let mark = if l.failures.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        let _ = writeln!(s, "{mark} {}/{}", l.rule, l.case);
        for f in &l.failures {
            let _ = writeln!(s, "     {}", f.replace('\n', "\n     "));
        }
    }
    let failed = lines.iter().filter(|l| !l.failures.is_empty()).count();
    let ok = lines.len() - failed;
    let _ = match lang {
        Lang::En => writeln!(s, "\nrule cases: {ok} ok, {failed} failing"),
        Lang::Ja => writeln!(s, "\nルールのテストケース: 成功 {ok} 件、失敗 {failed} 件"),
    };
    s
}

fn junit_report(lines: &[Line]) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("crmdesk-audit rules test");
    let mut rules: Vec<&str> = lines.iter().map(|l| l.rule.as_str()).collect();
    rules.dedup();
    for rule in rules {
        let mut suite = TestSuite::new(rule);
        for l in lines.iter().filter(|l| l.rule == rule) {
            let status = if l.failures.is_empty() {
                TestCaseStatus::success()
            } else {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_description(l.failures.join("\n"));
                st
            };
            let mut case = TestCase::new(l.case.as_str(), status);
            case.set_classname(rule);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .map_err(|e| format!("cannot write JUnit XML: {e}"))
}

fn new(id: &str, dir: &Path, statuses: &[Status], needs: &[String]) -> Result<u8, String> {
    if !crate::rules::meta::is_kebab(id) {
        return Err(format!(
            "`{id}`: a rule id is kebab-case (lower-case words joined by `-`), e.g. agents-active"
        ));
    }
    let spec = spec(id, statuses, needs)?;
    let rule_path = dir.join(format!("{id}.rhai"));
    let tests = dir.join(format!("{id}.tests"));
    for p in [&rule_path, &tests] {
        // `symlink_metadata`: a dangling link counts as existing (writing would follow it).
        if p.symlink_metadata().is_ok() {
            return Err(format!(
                "{}: already exists; choose another id or remove it",
                p.display()
            ));
        }
    }
    let write = |p: &Path, text: &str| -> Result<(), String> {
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        // `create_new`: never through a link, never over a file that appeared meanwhile.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .map_err(|e| {
                format!(
                    "{}: {e} (rules new writes only new files, never through a link)",
                    p.display()
                )
            })?;
        std::io::Write::write_all(&mut f, text.as_bytes())
            .map_err(|e| format!("{}: {e}", p.display()))
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
fn spec(id: &str, statuses: &[Status], needs: &[String]) -> Result<scaffold::Spec, String> {
    if statuses.is_empty() && needs.is_empty() {
        return Ok(scaffold::example(id));
    }
    let mut spec = scaffold::example(id);
    if !statuses.is_empty() {
        if statuses.contains(&Status::Error) {
            return Err("--statuses: `error` is implied for every rule; list some of pass, warn, fail, skip".to_owned());
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
                let parts: Vec<&str> = crate::doc::PARTS.to_vec();
                let hint = crate::suggest::did_you_mean(need, &parts)
                    .map(|p| format!(" (did you mean `{p}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "--needs: `{need}` is not a part of the document{hint}; parts: {}",
                    parts.join(", ")
                ));
            }
        }
        spec.needs = needs.to_vec();
    }
    Ok(spec)
}
