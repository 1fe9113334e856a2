//! `--format junit`: one test case per export x rule (name = rule id, class = export
//! path): `fail` is a failure, `error` an error, `skip` skipped; every finding, warnings
//! included, is in the case's output. An export that did not load is one errored case.
//! Paths and messages are put on one line with their control characters made visible:
//! CI systems print this file, and a line break in an export's name or a rule's message
//! could otherwise start a line of the log with `::error` (a workflow command).

use super::{Context, shown_status, waiver_note};
use crate::status::Status;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;

/// The JUnit XML document: one suite per export, one case per rule.
pub fn render(cx: &Context) -> String {
    let mut report = Report::new("crmdesk-audit");
    for o in cx.outcomes {
        let path = one_line(&o.path);
        let mut suite = TestSuite::new(path.as_str());
        match &o.result {
            Err(e) => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                st.set_message("the export could not be loaded");
                st.set_description(one_line(&e.text(cx.lang)));
                let mut case = TestCase::new("load", st);
                case.set_classname(path.as_str());
                suite.add_test_case(case);
            }
            Ok(a) => {
                for r in &a.results {
                    let mut out = String::new();
                    for f in &r.findings {
                        let _ = writeln!(
                            out,
                            "[{} {}] {}: {}",
                            shown_status(f),
                            f.severity.as_str(),
                            f.check,
                            one_line(&super::message_and_remedy(f, cx.lang))
                        );
                        if let Some(n) = waiver_note(f, cx.lang) {
                            let _ = writeln!(out, "  {}", one_line(&n));
                        }
                        for e in &f.evidence {
                            let _ = writeln!(out, "  @{e}");
                        }
                    }
                    let worst: Vec<String> = r
                        .findings
                        .iter()
                        .filter(|f| f.counted_status() == r.status)
                        .map(|f| one_line(&super::message_and_remedy(f, cx.lang)))
                        .collect();
                    let status = match r.status {
                        Status::Pass | Status::Warn => TestCaseStatus::success(),
                        Status::Skip => {
                            let mut st = TestCaseStatus::skipped();
                            st.set_message(worst.join(" "));
                            st
                        }
                        Status::Fail | Status::Error => {
                            let kind = if r.status == Status::Fail {
                                NonSuccessKind::Failure
                            } else {
                                NonSuccessKind::Error
                            };
                            let mut st = TestCaseStatus::non_success(kind);
                            st.set_message(worst.join(" "));
                            st.set_description(out.as_str());
                            st
                        }
                    };
                    let mut case = TestCase::new(r.rule.as_str(), status);
                    case.set_classname(path.as_str());
                    case.set_system_out(out);
                    suite.add_test_case(case);
                }
            }
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

/// `s` on one line, control characters made visible.
fn one_line(s: &str) -> String {
    super::human::neutralise(s, false)
}
