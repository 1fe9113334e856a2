//! docs/quick-start.md works as written: its commands scaffold a rule, its rule and case
//! replace the scaffold's, and `rules check`, `rules test` and `audit` then say what the
//! page says they say.

mod common;

use common::{NOW, run, run_in};

/// The fenced blocks of `lang` in the page, in order.
fn blocks(page: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}");
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in page.lines() {
        match &mut cur {
            None if line.trim_start() == fence => cur = Some(String::new()),
            Some(text) if line.trim_start() == "```" => {
                out.push(std::mem::take(text));
                cur = None;
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn the_quick_start_page_scaffolds_tests_and_runs_its_rule_as_written() {
    let page = std::fs::read_to_string("docs/quick-start.md").expect("docs/quick-start.md");
    let tmp = tempfile::tempdir().expect("tmp");
    let root = env!("CARGO_MANIFEST_DIR");
    // 1. The four commands, as the page gives them (the audit reads the repository's fixture).
    let commands: Vec<Vec<String>> = blocks(&page, "sh")[0]
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .map(|w| w.replace("fixtures/", &format!("{root}/fixtures/")))
                .collect()
        })
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");
    let args = |i: usize| commands[i].iter().map(String::as_str).collect::<Vec<_>>();
    let new = run_in(tmp.path(), &args(0));
    assert_eq!(new.code, 0, "{}{}", new.stdout, new.stderr);
    for case in ["skips-without-crm-users", "passes", "warns"] {
        assert!(new.stdout.contains(&format!("{case}/")), "{}", new.stdout);
    }
    // The scaffold passes its own cases before anything is changed.
    let test = run_in(tmp.path(), &args(2));
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);

    // 2. and 3. The page's rule and its `warns` case replace the scaffold's.
    let rules = tmp.path().join("my-rules");
    std::fs::write(
        rules.join("users-have-agents.rhai"),
        &blocks(&page, "rhai")[0],
    )
    .expect("rule");
    let json = blocks(&page, "json");
    let case = rules.join("users-have-agents.tests/warns");
    std::fs::write(case.join("export.json"), &json[0]).expect("export");
    std::fs::write(case.join("expect.json"), &json[1]).expect("expect");
    let check = run_in(tmp.path(), &args(1));
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let test = run_in(tmp.path(), &args(2));
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(
        test.stdout.contains("ok   users-have-agents/warns"),
        "{}",
        test.stdout
    );

    // 4. Run on the example export: it warns about Nakamura Sota, as the page says.
    let rules_dir = rules.display().to_string();
    let audit = run(&[
        "audit",
        "fixtures/healthy",
        "--rules",
        &rules_dir,
        "--only",
        "users-have-agents",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let json: serde_json::Value = serde_json::from_str(&audit.stdout).expect("json");
    let r = &json["exports"][0]["results"][0];
    assert_eq!(r["status"], "warn", "{r}");
    assert!(
        r["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("sota.nakamura@sakura-motors.example"))
    );
    assert!(page.contains("Nakamura Sota has no Desk agent"));
}
