//! `rules list | explain | check | test | new`: everything a rule author needs, with no
//! recompiling.

use super::args::{ListFormat, RuleArgs, RulesCommand, TestFormat};
use crate::engine::{self, Limits};
use crate::rules::cases::{CaseOutcome, cases_for, run_case};
use crate::rules::run::on_rule_thread;
use crate::rules::{Catalogue, Origin, Rule};
use crate::status::Status;
use crate::suggest::did_you_mean;
use crate::text::Lang;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;
use std::collections::BTreeSet;
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
        RulesCommand::Check { rules } => check(rules),
        RulesCommand::Test {
            rules,
            format,
            output,
            limits,
        } => test(rules, *format, output.as_deref(), &super::limits(limits)?),
        RulesCommand::New { id, dir } => new(id, dir),
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
                .set_header(vec!["id", "FAQ", "title", "source"]);
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
    let (h_needs, h_checks, h_remedy, h_source) = match lang {
        Lang::En => ("Reads", "Checks", "Remedy", "Source"),
        Lang::Ja => ("使うデータ", "チェック", "対処", "ファイル"),
    };
    let mut s = String::new();
    let _ = writeln!(s, "{} (FAQ {}): {}\n", rule.id, m.faq, m.title.get(lang));
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
    for (name, check) in &m.checks {
        let statuses: Vec<&str> = check.statuses.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(s, "  {name}  [{}]", statuses.join(", "));
        let _ = writeln!(s, "    {h_remedy}: {}", check.remedy.get(lang));
    }
    super::emit(None, &s)?;
    Ok(super::SUCCESS)
}

fn check(a: &RuleArgs) -> Result<u8, String> {
    let (_, cat) = load(a)?;
    let problems = cat.problems();
    for p in &problems {
        eprintln!("{p}");
    }
    if problems.is_empty() {
        super::emit(
            None,
            &format!(
                "{} rules compile and their metadata is valid\n",
                cat.rules.len()
            ),
        )?;
        Ok(super::SUCCESS)
    } else {
        eprintln!("{} problem(s) in {} rules", problems.len(), cat.rules.len());
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
) -> Result<u8, String> {
    let engine = engine::build(limits);
    let cat = super::catalogue(&engine, a)?;
    let with_files: Vec<(&Rule, PathBuf)> = cat
        .rules
        .iter()
        .filter_map(|r| match &r.origin {
            Origin::File(p) => Some((r, p.parent().map(Path::to_path_buf).unwrap_or_default())),
            Origin::Builtin => None,
        })
        .collect();
    if with_files.is_empty() {
        return Err("no rule files to test: give a rules directory with --rules DIR".to_owned());
    }
    let lines: Vec<Line> = on_rule_thread(|| {
        let mut lines = Vec::new();
        for (rule, dir) in &with_files {
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
            lines.push(coverage(rule, &outcomes));
        }
        lines
    });
    let failed = lines.iter().filter(|l| !l.failures.is_empty()).count();
    let text = match format {
        TestFormat::Table => table_report(&lines),
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

/// Expected vs actual, when they differ.
fn diff(o: &CaseOutcome) -> Option<String> {
    if o.failures.is_empty() || o.actual.is_empty() {
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

/// The rule's coverage: a case for every status each check declares.
fn coverage(rule: &Rule, outcomes: &[CaseOutcome]) -> Line {
    let mut failures = Vec::new();
    if let Ok(c) = &rule.compiled {
        let seen: BTreeSet<(&String, &Status)> =
            outcomes.iter().flat_map(|o| o.expected.iter()).collect();
        for (check, meta) in &c.meta.checks {
            for s in &meta.statuses {
                if !seen.contains(&(check, s)) {
                    failures.push(format!("no case expects {check} = {s}"));
                }
            }
        }
    } else if let Err(problems) = &rule.compiled {
        failures.extend(problems.iter().cloned());
    }
    Line {
        rule: rule.id.clone(),
        case: "(coverage)".to_owned(),
        failures,
    }
}

fn table_report(lines: &[Line]) -> String {
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
    let _ = writeln!(
        s,
        "\nrule cases: {} ok, {failed} failing",
        lines.len() - failed
    );
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

fn new(id: &str, dir: &Path) -> Result<u8, String> {
    if !crate::rules::meta::is_kebab(id) {
        return Err(format!(
            "`{id}`: a rule id is kebab-case (lower-case words joined by `-`), e.g. agents-active"
        ));
    }
    let rule_path = dir.join(format!("{id}.rhai"));
    let tests = dir.join(format!("{id}.tests"));
    for p in [&rule_path, &tests] {
        if p.exists() {
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
        std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))
    };
    write(&rule_path, &scaffold::rule(id))?;
    for (case, export, expect) in scaffold::cases(id) {
        write(&tests.join(case).join("export.json"), &export)?;
        write(&tests.join(case).join("expect.json"), &expect)?;
    }
    let t = tests.display();
    super::emit(
        None,
        &format!(
            "created {}\ncreated {t}/passes/, {t}/fails/ and {t}/skips-without-users/\nnext: edit the rule, then run\n  crmdesk-audit rules test --rules {} --only {id}\n",
            rule_path.display(),
            dir.display()
        ),
    )?;
    Ok(super::SUCCESS)
}

mod scaffold {
    //! The files `rules new` writes: a small working rule and two cases for it.

    pub fn rule(id: &str) -> String {
        format!(
            r#"// {id}: describe in one line what this rule checks.
// Reference: docs/rule-reference.md. Test: crmdesk-audit rules test --rules <dir> --only {id}

const META = #{{
    faq: 99,                                   // the FAQ item this rule belongs to
    title: #{{ ja: "CRMユーザーにメールアドレスがあるか", en: "CRM users have an email address" }},
    description: #{{
        ja: "メールアドレスのないCRMユーザーがいないか確認します。",
        en: "Checks that every CRM user has an email address.",
    }},
    needs: ["crm.users"],                      // parts of the export this rule reads
    checks: #{{
        "{id}": #{{
            statuses: ["pass", "fail", "skip"],
            remedy: #{{ ja: "CRMの[設定]→[ユーザー]でメールアドレスを登録してください。", en: "Add the email in CRM: Setup > Users." }},
        }},
    }},
}};

fn audit(doc) {{
    let users = doc.crm.users;
    // Missing data is never a pass: say which part is missing.
    if users == () {{
        return [skip("{id}", #{{ ja: "crm.users がエクスポートされていません。", en: "crm.users was not exported." }})];
    }}
    // Native helpers scan big lists fast: where_missing keeps the users without an email.
    let missing = where_missing(users, "email");
    if missing.is_empty() {{
        return [pass("{id}", #{{ ja: `CRMユーザー ${{users.len()}} 人全員にメールアドレスがあります。`,
                                en: `All ${{users.len()}} CRM users have an email address.` }}, users)];
    }}
    // One finding per offending user; the evidence points at the user.
    let findings = [];
    for u in missing {{
        findings.push(fail("{id}", #{{ ja: `CRMユーザー ${{u.full_name}} (id ${{u.id}}) にメールアドレスがありません。`,
                                       en: `CRM user ${{u.full_name}} (id ${{u.id}}) has no email address.` }}, u));
    }}
    findings
}}
"#
        )
    }

    pub fn cases(id: &str) -> Vec<(&'static str, String, String)> {
        let export = |email: &str| {
            format!(
                r#"{{
  "crm": {{
    "users": {{ "users": [
      {{ "id": "5725767000000411001", "full_name": "Sato Haruto", "email": "haruto.sato@example.com", "status": "active" }},
      {{ "id": "5725767000000411002", "full_name": "Suzuki Yui", "email": {email}, "status": "active" }}
    ] }}
  }}
}}
"#
            )
        };
        vec![
            (
                "passes",
                export("\"yui.suzuki@example.com\""),
                format!("{{ \"checks\": {{ \"{id}\": \"pass\" }} }}\n"),
            ),
            (
                "fails",
                export("null"),
                format!(
                    "{{ \"checks\": {{ \"{id}\": {{ \"status\": \"fail\", \"message\": \"Suzuki Yui\", \"evidence\": \"/crm/users/1\" }} }} }}\n"
                ),
            ),
            (
                "skips-without-users",
                "{ \"crm\": {} }\n".to_owned(),
                format!("{{ \"checks\": {{ \"{id}\": \"skip\" }} }}\n"),
            ),
        ]
    }
}
