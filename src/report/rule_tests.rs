//! The reports of `rules test` (a line per case with a summary, or JUnit XML): pure
//! functions from the cases' outcomes to text.

use crate::bilingual::Lang;
use crate::rules::cases::CaseOutcome;
use crate::status::Status;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One line of the `rules test` report: a case of a rule (or the rule's `(compile)` or
/// `(coverage)` line) and why it failed, empty when it passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLine {
    /// The rule's id.
    pub rule: String,
    /// The case's name (its directory), or `(compile)` or `(coverage)`.
    pub case: String,
    /// Each way the case failed, as a sentence (it may span lines).
    pub failures: Vec<String>,
}

impl CaseLine {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Expected vs actual statuses, when a case failed and they differ (a case that failed on a
/// message or evidence has the statuses it expected: showing them would only confuse).
pub fn status_difference(o: &CaseOutcome) -> Option<String> {
    let differ = o.expected.iter().any(|(k, v)| o.actual.get(k) != Some(v));
    if o.failures.is_empty() || o.actual.is_empty() || !differ {
        return None;
    }
    let show = |m: &BTreeMap<String, Status>| {
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

/// `--format table`: `ok`/`FAIL` and the case per line, each failure indented below it,
/// then how many cases passed and failed, in the reader's language.
pub fn table(lines: &[CaseLine], lang: Lang) -> String {
    let mut s = String::new();
    for l in lines {
        let mark = if l.passed() { "ok  " } else { "FAIL" };
        let _ = writeln!(s, "{mark} {}/{}", l.rule, l.case);
        for f in &l.failures {
            let _ = writeln!(s, "     {}", f.replace('\n', "\n     "));
        }
    }
    let failed = lines.iter().filter(|l| !l.passed()).count();
    let ok = lines.len() - failed;
    let _ = match lang {
        Lang::En => writeln!(s, "\nrule cases: {ok} ok, {failed} failing"),
        Lang::Ja => writeln!(s, "\nルールのテストケース: 成功 {ok} 件、失敗 {failed} 件"),
    };
    s
}

/// `--format junit`: one test suite per rule, one test case per line, the failures as the
/// case's description.
pub fn junit(lines: &[CaseLine]) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("crmdesk-audit rules test");
    let mut rules: Vec<&str> = lines.iter().map(|l| l.rule.as_str()).collect();
    rules.dedup();
    for rule in rules {
        let mut suite = TestSuite::new(rule);
        for l in lines.iter().filter(|l| l.rule == rule) {
            let status = if l.passed() {
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
    report.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<CaseLine> {
        vec![
            CaseLine {
                rule: "sync-running".to_owned(),
                case: "paused".to_owned(),
                failures: vec![],
            },
            CaseLine {
                rule: "sync-running".to_owned(),
                case: "running".to_owned(),
                failures: vec!["expected: a=pass\n  actual:   a=fail".to_owned()],
            },
        ]
    }

    #[test]
    fn the_table_marks_each_case_and_indents_failures_line_by_line() {
        assert_eq!(
            table(&lines(), Lang::En),
            "ok   sync-running/paused\nFAIL sync-running/running\n     expected: a=pass\n       actual:   a=fail\n\nrule cases: 1 ok, 1 failing\n"
        );
        assert!(table(&lines(), Lang::Ja).ends_with("成功 1 件、失敗 1 件\n"));
    }

    #[test]
    fn junit_has_a_suite_per_rule_and_a_failure_per_failing_case() {
        let xml = junit(&lines()).expect("xml");
        assert!(
            xml.contains(r#"<testsuite name="sync-running" tests="2""#),
            "{xml}"
        );
        assert!(xml.contains(r#"failures="1""#), "{xml}");
    }
}
