//! Running one rule against one document: sandboxed, bounded, panic-proof, and with
//! whatever the script returns checked before it becomes findings.

use super::result::{Finding, RuleResult};
use super::rule::{Compiled, Rule};
use crate::bilingual::{Lang, Text};
use crate::doc::Document;
use crate::engine::sandbox::{Limits, RunGuard};
use crate::status::Status;
use rhai::{CallFnOptions, Dynamic, Engine, Map, Scope};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::Instant;

pub use crate::engine::sandbox::RULE_STACK_SIZE;

/// Runs `f` on a thread with a stack large enough for rules (the audit's rayon pool has
/// such threads already; this is for single runs: `rules test`, `query`, tests).
pub fn on_rule_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(RULE_STACK_SIZE)
            .spawn_scoped(s, f)
            .map(|h| h.join())
            .unwrap_or_else(|e| panic!("cannot start a rule thread: {e}"))
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Runs `rule` on `doc` (whose root, as a rule sees it, is `root`). Never panics.
pub fn run_rule(
    engine: &Engine,
    limits: &Limits,
    rule: &Rule,
    doc: &Document,
    root: &Dynamic,
) -> RuleResult {
    let started = Instant::now();
    // Time spent waiting for a scan another rule makes is that rule's (engine::memo).
    let waited_before = crate::engine::memo::waited();
    let run_time = || {
        started
            .elapsed()
            .saturating_sub(crate::engine::memo::waited().saturating_sub(waited_before))
    };
    let c = match &rule.compiled {
        Ok(c) => c,
        Err(problems) => {
            return RuleResult::broken(
                &rule.id,
                0,
                Text::same(&rule.id),
                Text {
                    ja: format!("ルールをコンパイルできません: {}", problems.join("; ")),
                    en: format!("the rule does not compile: {}", problems.join("; ")),
                },
            );
        }
    };
    let broken = |why: Text| RuleResult::broken(&rule.id, c.meta.faq, c.meta.title.clone(), why);

    for need in &c.meta.needs {
        if let Some((part, why)) = doc.failure(need) {
            return broken(Text {
                ja: format!(
                    "このルールが使う {part} を読み込めませんでした: {}",
                    why.text(Lang::Ja)
                ),
                en: format!("this rule needs {part}, which could not be loaded: {why}"),
            });
        }
    }

    install_quiet_panic_hook();
    let guard = RunGuard::begin(limits);
    IN_RULE.with(|f| f.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut scope = Scope::new();
        engine.call_fn_with_options::<Dynamic>(
            CallFnOptions::new().eval_ast(true).rewind_scope(true),
            &mut scope,
            &c.ast,
            "audit",
            (root.clone(),),
        )
    }));
    IN_RULE.with(|f| f.set(false));
    let log = guard.finish();

    let findings = match outcome {
        // A limit stops the run even where a native function swallowed the error.
        _ if log.stopped.is_some() => Err(log.stopped.clone().unwrap_or_default()),
        Err(panic) => Err(format!(
            "the script engine panicked ({}); this is a Rhai bug the rule triggered, often an assignment into a constant",
            panic_text(&*panic)
        )),
        Ok(Err(e)) => Err(unknown_function(engine, rule, &e)
            .unwrap_or_else(|| crate::engine::errors::describe(&e, limits))),
        Ok(Ok(value)) => findings(value, c, limits.max_findings).map(|fs| {
            fs.into_iter()
                .map(|mut f| {
                    f.entities = super::identity::entities(&doc.root, &f.evidence);
                    f.fingerprint =
                        super::identity::fingerprint(&rule.id, &f.check, f.status, &f.entities);
                    f
                })
                .collect::<Vec<Finding>>()
        }),
    };
    match findings {
        Ok(findings) => RuleResult {
            rule: rule.id.clone(),
            faq: c.meta.faq,
            title: c.meta.title.clone(),
            status: RuleResult::combine(&findings),
            findings,
            output: log.output,
            elapsed: run_time(),
        },
        Err(why) => {
            let mut r = broken(Text {
                ja: format!("ルールの実行に失敗しました: {why}"),
                en: format!("the rule failed: {why}"),
            });
            r.output = log.output;
            r.elapsed = run_time();
            r
        }
    }
}

/// A call of a function that does not exist (with these argument types), said with the
/// rule's file and line and the closest function the engine has: `rules check` finds
/// literal misspellings earlier, this covers calls it could not see.
fn unknown_function(engine: &Engine, rule: &Rule, e: &rhai::EvalAltResult) -> Option<String> {
    let mut e = e;
    while let rhai::EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = e {
        e = inner;
    }
    let rhai::EvalAltResult::ErrorFunctionNotFound(sig, pos) = e else {
        return None;
    };
    let name = sig.split([' ', '(']).next()?.trim();
    // Array methods on document lists have their own hint (`errors::describe`).
    if sig.contains("(Node") && crate::engine::errors::ARRAY_METHODS.contains(&name) {
        return None;
    }
    let known = super::lint::known_functions(engine);
    let hint = if known.contains(name) {
        format!(": `{name}` exists, but not for these arguments ({sig})")
    } else {
        let names: Vec<&str> = known.iter().map(String::as_str).collect();
        crate::suggest::did_you_mean(name, &names)
            .map(|s| format!(", did you mean `{s}`?"))
            .unwrap_or_default()
    };
    Some(format!(
        "{}:{}:{}: unknown function `{name}`{hint}",
        rule.location(),
        pos.line().unwrap_or(1),
        pos.position().unwrap_or(1)
    ))
}

/// The most text (messages and remedies, both languages) one rule's findings may hold.
const MAX_FINDINGS_TEXT: usize = 32 << 20;

/// Bytes of text a finding will hold in the report: its message and the remedy it gets.
fn text_size(item: &Dynamic, c: &Compiled) -> usize {
    fn text(v: Option<&Dynamic>) -> usize {
        let Some(v) = v else { return 0 };
        if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
            return s.len() * 2;
        }
        v.read_lock::<Map>().map_or(0, |m| {
            m.values()
                .filter_map(|x| x.read_lock::<rhai::ImmutableString>().map(|s| s.len()))
                .sum()
        })
    }
    let Some(m) = item.read_lock::<Map>() else {
        return 0;
    };
    let remedy = match m.get("remedy") {
        Some(r) => text(Some(r)),
        None => m
            .get("check")
            .and_then(|n| n.read_lock::<rhai::ImmutableString>())
            .and_then(|n| c.meta.checks.get(n.as_str()))
            .map_or(0, |k| k.remedy.ja.len() + k.remedy.en.len()),
    };
    text(m.get("message")) + remedy
}

/// Checks what `audit` returned and turns it into findings, each warn/fail with its remedy.
fn findings(value: Dynamic, c: &Compiled, max_findings: usize) -> Result<Vec<Finding>, String> {
    let type_name = value.type_name();
    let Some(items) = value.try_cast::<rhai::Array>() else {
        return Err(format!(
            "audit() must return an array of findings made with pass(), warn(), fail() or skip(); it returned {type_name}"
        ));
    };
    if items.is_empty() {
        return Err("audit() returned no findings: report at least one per check".to_owned());
    }
    // Checked before any finding is copied out of the script's values: a script shares one
    // long string among many findings for free, the report would copy it each time.
    if items.len() > max_findings {
        return Err(format!(
            "returned {} findings, more than the limit of {max_findings} (--max-findings): \
             report a count and a few examples instead of one finding per record",
            items.len()
        ));
    }
    let text: usize = items.iter().map(|i| text_size(i, c)).sum();
    if text > MAX_FINDINGS_TEXT {
        return Err(format!(
            "returned findings holding {} MB of text with their remedies, more than the limit of \
             {} MB: a huge value copied into messages?",
            text >> 20,
            MAX_FINDINGS_TEXT >> 20
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| finding(i, item, c))
        .collect()
}

fn finding(i: usize, item: Dynamic, c: &Compiled) -> Result<Finding, String> {
    let type_name = item.type_name();
    let Some(map) = item.try_cast::<Map>() else {
        return Err(format!(
            "finding #{i} is {type_name}; make findings with pass(), warn(), fail() or skip()"
        ));
    };
    let text = |key: &str| map.get(key).and_then(|v| v.clone().into_string().ok());
    let check = text("check").ok_or(format!("finding #{i} has no `check` name"))?;
    let Some(check_meta) = c.meta.checks.get(&check) else {
        let known: Vec<&str> = c.meta.checks.keys().map(String::as_str).collect();
        return Err(format!(
            "finding #{i} names check `{check}`, which META.checks does not declare (declared: {})",
            known.join(", ")
        ));
    };
    let status: Status = text("status")
        .ok_or(format!("finding #{i} ({check}) has no `status`"))?
        .parse()
        .map_err(|e| format!("finding #{i} ({check}): {e}"))?;
    if !check_meta.statuses.contains(&status) {
        return Err(format!(
            "check `{check}` reported `{status}`, which META.checks.{check}.statuses does not list"
        ));
    }
    let message = message(map.get("message")).ok_or(format!(
        "finding #{i} ({check}) needs a message: a string or #{{ja: \"...\", en: \"...\"}}"
    ))?;
    let evidence = match map.get("evidence") {
        None => vec![],
        Some(e) if e.is_unit() => vec![],
        Some(e) => e
            .clone()
            .into_typed_array::<rhai::ImmutableString>()
            .map_err(|_| format!("finding #{i} ({check}): evidence must be an array of JSON Pointers"))?
            .into_iter()
            .map(|p| {
                if p.is_empty() || p.starts_with('/') {
                    Ok(p.to_string())
                } else {
                    Err(format!(
                        "finding #{i} ({check}): evidence `{p}` is not a JSON Pointer (a pointer starts with `/`, e.g. /crm/users/0; or pass the node itself)"
                    ))
                }
            })
            .collect::<Result<_, _>>()?,
    };
    let own_remedy = match map.get("remedy") {
        None => None,
        Some(r) => Some(self::message(Some(r)).ok_or(format!(
            "finding #{i} ({check}): remedy must be a string or #{{ja: \"...\", en: \"...\"}}"
        ))?),
    };
    // The remedy stays apart from the message: each format lays the two out its own way.
    let remedy = matches!(status, Status::Warn | Status::Fail)
        .then(|| own_remedy.unwrap_or_else(|| check_meta.remedy.clone()));
    Ok(Finding {
        check,
        status,
        severity: check_meta.severity,
        message,
        remedy,
        evidence,
        waiver: None,
        entities: vec![],
        fingerprint: String::new(),
        baseline: None,
    })
}

fn message(m: Option<&Dynamic>) -> Option<Text> {
    let m = m?;
    if let Ok(s) = m.clone().into_string() {
        return (!s.trim().is_empty()).then(|| Text::same(s));
    }
    let map = m.read_lock::<Map>()?;
    let get = |k: &str| map.get(k).and_then(|v| v.clone().into_string().ok());
    let (ja, en) = (get("ja")?, get("en")?);
    (!ja.trim().is_empty() && !en.trim().is_empty()).then_some(Text { ja, en })
}

thread_local! {
    static IN_RULE: Cell<bool> = const { Cell::new(false) };
}

/// Panics inside a rule become that rule's `error`; they must not also spray a
/// backtrace over the user's terminal. Other panics still reach the previous hook.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_RULE.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Value;
    use crate::rules::rule::RuleSource;

    const META: &str = r#"const META = #{ faq: 1, title: #{ja: "t", en: "t"}, description: #{ja: "d", en: "d"},
        checks: #{ "c": #{ statuses: ["pass", "warn"], remedy: #{ja: "直してください。", en: "Fix it."} } } };"#;

    fn run_src(engine: &Engine, body: &str) -> RuleResult {
        let rule = Rule::compile(engine, "r", RuleSource::Builtin, &format!("{META}\n{body}"));
        let doc = Document {
            source: "x".into(),
            root: Value::empty_object(),
            present: vec![],
            failed: Default::default(),
            notes: vec![],
            truncated: vec![],
            provenance: Default::default(),
        };
        let root = crate::engine::node::Node::root(&doc.root);
        run_rule(engine, &Limits::default(), &rule, &doc, &root)
    }

    #[test]
    fn a_panic_inside_the_engine_becomes_an_error_for_that_rule() {
        let mut engine = crate::engine::build(&Limits::default());
        engine.register_fn("explode", || -> i64 { panic!("host helper blew up") });
        let r = run_src(
            &engine,
            "fn audit(doc) { explode(); [pass(\"c\", \"no\")] }",
        );
        assert_eq!(r.status, Status::Error);
        assert!(
            r.findings[0].message.en.contains("panicked"),
            "{:?}",
            r.findings
        );
        assert!(r.findings[0].message.en.contains("host helper blew up"));
    }

    #[test]
    fn warnings_carry_the_remedy_apart_from_the_message_and_passes_none() {
        let engine = crate::engine::build(&Limits::default());
        let r = run_src(
            &engine,
            r#"fn audit(doc) { [warn("c", #{ja: "問題です。", en: "A problem."}), pass("c", "fine")] }"#,
        );
        assert_eq!(r.status, Status::Warn);
        assert_eq!(r.findings[0].message.en, "A problem.");
        assert_eq!(r.findings[0].message.ja, "問題です。");
        let remedy = r.findings[0]
            .remedy
            .as_ref()
            .expect("a warning has a remedy");
        assert_eq!(remedy.en, "Fix it.");
        assert_eq!(remedy.ja, "直してください。");
        assert_eq!(r.findings[1].message.en, "fine");
        assert_eq!(r.findings[1].remedy, None);
    }

    #[test]
    fn a_finding_may_carry_its_own_remedy_instead_of_the_checks() {
        let engine = crate::engine::build(&Limits::default());
        let r = run_src(
            &engine,
            r#"fn audit(doc) { [warn("c", #{ja: "問題です。", en: "A problem."}, [],
                                    #{ja: "別の方法で直してください。", en: "Fix it another way."}),
                               warn("c", "x", [], 42)] }"#,
        );
        assert_eq!(r.status, Status::Error, "{:?}", r.findings);
        assert!(r.findings[0].message.en.contains("remedy must be"));
        let r = run_src(
            &engine,
            r#"fn audit(doc) { [warn("c", #{ja: "問題です。", en: "A problem."}, [],
                                    #{ja: "別の方法で直してください。", en: "Fix it another way."})] }"#,
        );
        assert_eq!(r.findings[0].message.en, "A problem.");
        let remedy = r.findings[0].remedy.as_ref().expect("its own remedy");
        assert_eq!(remedy.en, "Fix it another way.");
        assert_eq!(remedy.ja, "別の方法で直してください。");
    }

    #[test]
    fn undeclared_statuses_checks_and_empty_results_are_errors() {
        let engine = crate::engine::build(&Limits::default());
        for (body, why) in [
            // Names the compiler cannot see (`rules check` refuses literal ones).
            (
                r#"fn audit(doc) { let c = "c"; [fail(c, "x")] }"#,
                "does not list",
            ),
            (
                r#"fn audit(doc) { let c = "other"; [pass(c, "x")] }"#,
                "does not declare",
            ),
            (r#"fn audit(doc) { [] }"#, "no findings"),
            (
                r#"fn audit(doc) { [pass("c", "x", "not/a/pointer")] }"#,
                "not a JSON Pointer",
            ),
            (r#"fn audit(doc) { [pass("c", "")] }"#, "needs a message"),
        ] {
            let r = run_src(&engine, body);
            assert_eq!(r.status, Status::Error, "{body}");
            assert!(
                r.findings[0].message.en.contains(why),
                "{body}: {:?}",
                r.findings[0].message.en
            );
        }
    }

    #[test]
    fn a_needed_part_that_failed_to_load_makes_the_rule_an_error_without_running_it() {
        let engine = crate::engine::build(&Limits::default());
        let src = format!(
            "{}\nfn audit(doc) {{ [pass(\"c\", \"ran\")] }}",
            META.replace("checks:", "needs: [\"crm.users\"], checks:")
        );
        let rule = Rule::compile(&engine, "r", RuleSource::Builtin, &src);
        let doc = Document {
            source: "x".into(),
            root: Value::empty_object(),
            present: vec![],
            failed: [(
                "crm.users".to_owned(),
                crate::load::Failure::ApiError {
                    at: crate::load::Origin::file("crm/users.json"),
                    code: "INVALID_TOKEN".to_owned(),
                    detail: None,
                    part: "crm.users".to_owned(),
                },
            )]
            .into_iter()
            .collect(),
            notes: vec![],
            truncated: vec![],
            provenance: Default::default(),
        };
        let root = crate::engine::node::Node::root(&doc.root);
        let r = run_rule(&engine, &Limits::default(), &rule, &doc, &root);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.findings[0].message.en.contains("INVALID_TOKEN"),
            "{:?}",
            r.findings
        );
    }
}
