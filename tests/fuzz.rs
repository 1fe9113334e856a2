//! Property-based fuzzing of the loader and of `query`, on the stable toolchain (proptest).
//!
//! `cargo test` runs a short bounded pass (64 cases per target). A longer run, about a
//! minute (docs/security.md):
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release --test fuzz
//! ```
//!
//! The seed corpus is every `*.json` file under `fixtures/` (small ones): mutations of
//! them reach deep into the loader, where random bytes stop at the first character. A
//! failure is shrunk to a minimal input and printed; copy it into a named test at the
//! end of this file so it stays fixed.

mod common;

use crmdesk_audit::audit;
use crmdesk_audit::engine::{self, Limits, node::Node};
use crmdesk_audit::load;
use crmdesk_audit::rules::Catalogue;
use crmdesk_audit::rules::run::on_rule_thread;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Cases per target: `PROPTEST_CASES` when set, else a bounded default for `cargo test`.
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The seed corpus: the fixtures' JSON files under 64 KiB, in path order.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut files = Vec::new();
        collect(&Path::new(ROOT).join("fixtures"), &mut files);
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .filter(|b| b.len() < 64 << 10)
            .collect()
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// Tokens a mutation inserts: JSON structure, the numbers and keys the loader treats
/// specially, and bytes that are not text.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"null",
    b"true",
    b"NaN",
    b"-Infinity",
    b"1e400",
    b"-0",
    b"1.5",
    b"9007199254740993",
    b"18446744073709551616",
    b"123456789012345678901234567890",
    b"\"id\":",
    b"\"departmentId\":",
    b"\"associatedDepartmentIds\":",
    b"\"access_token\":",
    b"\"accessToken\":",
    b"\"users\":",
    b"\"data\":",
    b"\"org\":",
    b"\"errorCode\":",
    b"\"status\":",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xC3",
    b"\x00",
    b"\n",
];

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
    Repeat(usize, usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..32, 1u8..6).prop_map(|(i, n, k)| Mutation::Repeat(i, n, k)),
    ]
}

fn mutate(seed: &[u8], ms: &[Mutation]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for m in ms {
        let at = |i: usize, b: &Vec<u8>| if b.is_empty() { 0 } else { i % (b.len() + 1) };
        match *m {
            Mutation::Flip(i, x) if !b.is_empty() => {
                let i = i % b.len();
                b[i] ^= x | 1;
            }
            Mutation::Flip(..) => {}
            Mutation::Delete(i, n) => {
                let i = at(i, &b);
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Mutation::Insert(i, t) => {
                let i = at(i, &b);
                b.splice(i..i, TOKENS[t].iter().copied());
            }
            Mutation::Truncate(i) => {
                let i = at(i, &b);
                b.truncate(i);
            }
            // A slice repeated: deep nesting and long runs of structure.
            Mutation::Repeat(i, n, k) => {
                let i = at(i, &b);
                let end = (i + n).min(b.len());
                let piece = b[i..end].to_vec();
                for _ in 0..(1usize << k) {
                    b.splice(i..i, piece.iter().copied());
                }
            }
        }
    }
    b
}

/// Bytes to feed the loader: mutated seeds mostly, sometimes raw bytes.
fn input() -> impl Strategy<Value = Vec<u8>> {
    let n = seeds().len();
    assert!(n > 20, "the seed corpus is the fixtures' JSON files");
    prop_oneof![
        4 => (0..n, prop::collection::vec(mutation(), 1..6))
            .prop_map(|(s, ms)| mutate(&seeds()[s], &ms)),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// A key the loader counts as a credential whose value is not `[REDACTED]` (or null). A
/// mutation may also cut a key down to a plain word (`refresh_token` to `oken`): its
/// value is then ordinary data, which the loader does not and cannot recognise
/// (docs/security.md, "Not covered").
fn unredacted_credential(v: &crmdesk_audit::doc::Value) -> Option<String> {
    use crmdesk_audit::doc::Kind;
    match v.kind() {
        Kind::Object(o) => o.iter().find_map(|(k, x)| {
            let redacted = x.is_null() || x.as_str() == Some("[REDACTED]");
            if load::is_secret_key(k) && !redacted {
                Some(k.to_string())
            } else {
                unredacted_credential(x)
            }
        }),
        Kind::Array(items) => items.iter().find_map(unredacted_credential),
        _ => None,
    }
}

/// What the parser promises for any bytes: no panic; an error names the file and gives
/// a position for damaged JSON; a value never holds a credential.
fn check_parse(bytes: &[u8]) -> Result<(), TestCaseError> {
    match load::parse_json(bytes, "fuzz/f.json") {
        Ok(v) => {
            if let Some(key) = unredacted_credential(&v) {
                prop_assert!(false, "a credential survived under `{key}`: {v:?}");
            }
        }
        Err(e) => {
            let shown = e.to_string();
            prop_assert!(shown.starts_with("fuzz/f.json"), "{shown}");
            prop_assert!(!e.message().is_empty());
        }
    }
    Ok(())
}

fn engine_and_rules() -> &'static (rhai::Engine, Catalogue, Limits) {
    static ENGINE: OnceLock<(rhai::Engine, Catalogue, Limits)> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let limits = Limits {
            max_operations: 1_000_000,
            timeout: Duration::from_secs(2),
            ..Limits::default()
        };
        let engine = engine::build(&limits);
        let rules_dir = Path::new(ROOT).join("rules");
        let catalogue = Catalogue::load(&engine, &[rules_dir]).expect("built-in rules");
        (engine, catalogue, limits)
    })
}

/// Loads `bytes` as a single-file export and, when it loads, runs every built-in rule on
/// it: no panic anywhere, and no rule may report an engine panic.
fn check_load_and_audit(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.json");
    std::fs::write(&path, bytes).expect("write");
    let Ok(doc) = common::load_single_file(&path) else {
        return Ok(());
    };
    let (engine, catalogue, limits) = engine_and_rules();
    let audited = audit::run_all(engine, catalogue, limits, &doc);
    for r in &audited.results {
        for f in &r.findings {
            let msg = format!("{:?}", f.message);
            prop_assert!(!msg.contains("panicked"), "{}: {msg}", r.rule);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_parser_survives_any_bytes(bytes in input()) {
        check_parse(&bytes)?;
    }

    #[test]
    fn any_single_file_export_loads_or_fails_cleanly_and_rules_survive_it(bytes in input()) {
        check_load_and_audit(&bytes)?;
    }

    #[test]
    fn secrets_and_ids_in_valid_json_are_handled_at_any_depth(v in json_value()) {
        let text = v.to_string();
        match load::parse_json(text.as_bytes(), "v.json") {
            Ok(parsed) => {
                let shown = format!("{parsed:?}");
                prop_assert!(!shown.contains("SECRET"), "{text} -> {shown}");
            }
            // Only an id too large to read exactly is refused in valid JSON.
            Err(e) => prop_assert!(e.message().contains("too large to read exactly"), "{text}: {e}"),
        }
    }
}

/// Keys the loader treats specially, and ordinary ones.
const KEYS: &[&str] = &[
    "id",
    "contactId",
    "org_id",
    "associatedDepartmentIds",
    "access_token",
    "clientSecret",
    "Authorization",
    "password",
    "users",
    "data",
    "status",
    "name",
    "paid",
    "tokens",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z ]{0,8}".prop_map(Value::from),
        Just(Value::from("SECRET-value")),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((0..KEYS.len(), inner), 0..6).prop_map(|kvs| {
                let mut m = serde_json::Map::new();
                for (k, v) in kvs {
                    // A secret's value is marked so a leak shows; others stay as made.
                    let v = if crmdesk_audit::load::is_secret_key(KEYS[k]) {
                        match v {
                            Value::Null => Value::Null,
                            _ => Value::from("SECRET-planted"),
                        }
                    } else {
                        v
                    };
                    m.insert(KEYS[k].to_owned(), v);
                }
                Value::Object(m)
            }),
        ]
    })
    // "SECRET" text outside a secret key is legitimate data: leave it out there.
    .prop_map(|v| scrub(v, false))
}

/// Replaces "SECRET" strings that are not under a secret key with plain text.
fn scrub(v: serde_json::Value, under_secret: bool) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) if s.contains("SECRET") && !under_secret => Value::from("plain"),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| scrub(x, under_secret)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let secret = crmdesk_audit::load::is_secret_key(&k);
                    (k, scrub(x, secret))
                })
                .collect(),
        ),
        other => other,
    }
}

/// Rhai text for `query`: expressions over the document built from helpers, paths and
/// operators, and raw fragments that are often not Rhai at all.
fn expression() -> impl Strategy<Value = String> {
    let list = prop::sample::select(vec![
        "doc.crm.users",
        "doc.crm.admin_users",
        "doc.crm.modules",
        "doc.crm.contacts",
        "doc.desk.agents",
        "doc.desk.tickets",
        "doc.desk.departments",
        "doc.crm.fields.Accounts",
        "doc.meta.present",
        "to_array(doc.crm.users)",
        "[1, 2, 3]",
        "[]",
        "()",
    ]);
    let key = prop::sample::select(vec![
        "\"status\"",
        "\"id\"",
        "\"profile.name\"",
        "\"associatedDepartmentIds\"",
        "\"zohoCRMContact.id\"",
        "[\"email\", \"emailId\"]",
        "\"\"",
        "42",
    ]);
    let value = prop::sample::select(vec!["\"active\"", "\"ACTIVE\"", "1", "()", "\"\"", "true"]);
    let call = (0..14usize, list.clone(), key, value).prop_map(|(f, l, k, v)| match f {
        0 => format!("where_eq_ci({l}, {k}, {v})"),
        1 => format!("count_eq({l}, {k}, {v})"),
        2 => format!("find_eq({l}, {k}, {v})"),
        3 => format!("index_by({l}, {k})"),
        4 => format!("set_of_ci({l}, {k})"),
        5 => format!("count_by({l}, {k})"),
        6 => format!("where_present({l}, {k})"),
        7 => format!("take({l}, {v})"),
        8 => format!("{l}.len()"),
        9 => format!("{l}[{v}]"),
        10 => format!("{l}[-1]"),
        11 => format!("to_json({l})"),
        12 => format!("to_array({l}).map(|x| x).filter(|x| x != ()).len()"),
        _ => format!("where_in({l}, {k}, set_of({l}, {k}))"),
    });
    let fragment = prop::collection::vec(
        prop::sample::select(vec![
            "doc",
            ".",
            "crm",
            "users",
            "[",
            "]",
            "(",
            ")",
            "{",
            "}",
            "|x|",
            "?.",
            "??",
            "+",
            "*",
            "==",
            "let a = ",
            ";",
            "\"s\"",
            "0",
            "-1",
            "9223372036854775807",
            "fn f(n) { f(n) }",
            "f(1)",
            "loop {}",
            "while true {}",
            "const C = #{a: 1}; C.a = 2;",
            "eval(\"1\")",
            "import \"x\" as m;",
            "throw 1;",
            "#{",
            "`${",
            "}`",
            "x",
            "\u{0}",
            "é",
            "\\",
        ]),
        0..12,
    )
    .prop_map(|v| v.concat());
    prop_oneof![
        3 => call.clone(),
        1 => (call.clone(), call).prop_map(|(a, b)| format!("{a} == {b}")),
        2 => fragment,
    ]
}

fn query_doc() -> &'static crmdesk_audit::doc::Document {
    static DOC: OnceLock<crmdesk_audit::doc::Document> = OnceLock::new();
    DOC.get_or_init(|| {
        common::load_single_file(&Path::new(ROOT).join("fixtures/single-file-healthy.json"))
            .expect("the healthy export loads")
    })
}

proptest! {
    #![proptest_config(config())]

    /// `query` evaluates untrusted text under the rules' limits: whatever the text, it
    /// returns a value or an error, in bounded time, and never panics.
    #[test]
    fn query_survives_any_expression(expr in expression()) {
        let (engine, _, limits) = engine_and_rules();
        let limits = Limits { timeout: Duration::from_millis(500), ..limits.clone() };
        let started = std::time::Instant::now();
        let out = on_rule_thread(|| {
            let mut scope = rhai::Scope::new();
            scope.push("doc", Node::root(&query_doc().root));
            engine::eval_bounded(engine, &limits, &mut scope, &expr)
        });
        prop_assert!(started.elapsed() < Duration::from_secs(10), "{expr}: {:?}", started.elapsed());
        if let Err(e) = &out {
            // A Rhai panic is caught and reported; the constant-assignment one is known.
            prop_assert!(
                !e.to_string().contains("panicked") || expr.contains("C.a = 2"),
                "{expr}: {e}"
            );
        }
    }
}

/// Statements a rule may be made of: ordinary ones and the hostile families of
/// docs/security.md. `true` marks one that must end the rule in `error` when it runs.
const STATEMENTS: &[(&str, bool)] = &[
    ("a.sort(|x, y| x - y);", false),
    ("a.sort(|x, y| { throw \"boom\"; });", true),
    ("a.sort(|x, y| parse_time(x, y));", true),
    ("a.dedup(|x, y| parse_time(x, y));", true),
    ("a.dedup(|x, y| x == y);", false),
    ("s.pad(100000, \"y\");", false),
    ("let t = join([1, 2, 3], s);", false),
    (
        "let t = join(a, s); t.pad(900000, \"z\"); join([t, t, t], t);",
        true,
    ),
    ("s.replace(\"x\", \"yy\");", false),
    (
        "let big = \"y\"; big.pad(1000000, \"y\"); big.replace(\"y\", big);",
        true,
    ),
    ("for i in 0..1000 { let g = f; f = |x| g.call(x); }", false),
    (
        "print(a); debug(doc); print(to_json(doc.crm.users));",
        false,
    ),
    (
        "let n = \"x\"; n.pad(1000000, \"x\"); let p = []; p.pad(100000, Fn(n)); print(p);",
        true,
    ),
    ("let m = #{}; m.x = a;", false),
    ("const K = #{}; K.x = 1;", true),
    ("sleep(1);", true),
    ("loop { let q = []; q.pad(100000, doc); }", true),
    (
        "let fs = []; for i in 0..200 { let big = \"y\"; big.pad(1000000, \"y\"); fs.push(Fn(\"g\").curry(big + i)); }",
        true,
    ),
    ("return [pass(\"c\", \"early\")];", false),
    ("return 1;", true),
];

fn rule_body() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..STATEMENTS.len(), 1..6)
}

proptest! {
    #![proptest_config(config())]

    /// A rule made of any mix of ordinary and hostile statements compiles or is refused,
    /// and when it runs it ends, never aborts the process, and ends in `error` whenever a
    /// hostile statement runs before it returns: no such rule reads as a pass.
    #[test]
    fn any_rule_source_ends_in_findings_or_error_never_in_an_abort(body in rule_body()) {
        let (engine, _, limits) = engine_and_rules();
        let limits = Limits {
            timeout: Duration::from_millis(300),
            max_memory: 64 << 20,
            ..limits.clone()
        };
        let statements: Vec<&str> = body.iter().map(|&i| STATEMENTS[i].0).collect();
        let src = format!(
            "const META = #{{ faq: 9, title: #{{ja: \"t\", en: \"t\"}}, description: #{{ja: \"d\", en: \"d\"}},\n  checks: #{{ \"c\": #{{ statuses: [\"pass\"], remedy: #{{ja: \"r\", en: \"r\"}} }} }} }};\nfn g(x) {{ x }}\nfn audit(doc) {{\n let a = [3, 1, 2]; let s = \"x\"; let f = |x| x;\n {}\n [pass(\"c\", \"ok\")]\n}}\n",
            statements.join("\n ")
        );
        let rule = crmdesk_audit::rules::Rule::compile(
            engine,
            "fuzzed",
            crmdesk_audit::rules::RuleSource::Builtin,
            &src,
        );
        let doc = query_doc();
        let started = std::time::Instant::now();
        let r = on_rule_thread(|| {
            let root = Node::root(&doc.root);
            crmdesk_audit::rules::run::run_rule(engine, &limits, &rule, doc, &root)
        });
        prop_assert!(started.elapsed() < Duration::from_secs(20), "{src}: {:?}", started.elapsed());
        // Statements before the first `return` run; a hostile one among them is an error.
        let ran: Vec<usize> = body
            .iter()
            .copied()
            .take_while(|&i| !STATEMENTS[i].0.starts_with("return ["))
            .collect();
        let hostile = ran.iter().any(|&i| STATEMENTS[i].1);
        if hostile {
            prop_assert_eq!(r.status, crmdesk_audit::Status::Error, "{}\n{:?}", src, r.findings);
        }
        for f in &r.findings {
            prop_assert!(!f.message.en.contains("panicked"), "{src}: {:?}", f.message);
        }
    }
}
