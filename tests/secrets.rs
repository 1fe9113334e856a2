//! Credentials saved along with an export never come out: this plants one under every
//! credential-like key spelling, in every file and at every depth of a bundle and of a
//! single-file export (and in damaged files and saved API errors), then searches every
//! report format, report files, query output, rule output and error messages for them.

mod common;

use common::{NOW, bin, copy_dir};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Key spellings, as APIs, curl and people write them.
const KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "authtoken",
    "password",
    "Authorization",
    "accessToken",
    "Refresh-Token",
    "CLIENT_SECRET",
    "clientSecret",
    "x-api-key",
    "Set-Cookie",
    "id_token",
    "Zoho-oauthtoken",
    "api_key",
    "private_key",
    "secret_key",
    "aws_secret_access_key",
    "signing_key",
    "pwd",
    "password1",
    "auth.bearer",
    "password ",
    "a_key_longer_than_sixty_four_bytes_that_still_names_a_credential_refresh_token",
];

/// Plants secrets into every object of `v`, cycling through key spellings and value
/// types; returns what was planted (text to search the outputs for).
struct Planter {
    n: usize,
    planted: Vec<String>,
}

impl Planter {
    fn next(&mut self) -> (String, Value) {
        self.n += 1;
        let key = KEYS[self.n % KEYS.len()].to_owned();
        let marker = format!("SECRET-{}-X", self.n);
        let value = match self.n % 4 {
            0 => Value::from(marker.clone()),
            1 => json!({ "value": marker.clone(), "expires_in": 3600 }),
            2 => json!([marker.clone()]),
            _ => {
                // A number whose digits appear nowhere else.
                let digits = 8_675_309_000_000 + self.n as u64;
                self.planted.push(digits.to_string());
                Value::from(digits)
            }
        };
        if !matches!(value, Value::Number(_)) {
            self.planted.push(marker);
        }
        (key, value)
    }

    fn plant(&mut self, v: &mut Value) {
        match v {
            Value::Object(o) => {
                for child in o.values_mut() {
                    self.plant(child);
                }
                let (k, s) = self.next();
                o.insert(k, s);
            }
            Value::Array(a) => a.iter_mut().for_each(|c| self.plant(c)),
            _ => {}
        }
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// A batch: the healthy bundle and the single-file export, each with secrets in every
/// file and object; a file cut short right after a secret; a saved API error carrying one.
fn export_with_secrets(dir: &Path) -> Vec<String> {
    let mut p = Planter {
        n: 0,
        planted: vec![],
    };
    let bundle = dir.join("batch/bundle");
    copy_dir(&Path::new(ROOT).join("fixtures/healthy"), &bundle);
    let mut files = vec![];
    json_files(&bundle, &mut files);
    files.sort();
    assert!(files.len() >= 15, "every file of the bundle: {files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let mut v: Value = if text.trim().is_empty() {
            json!({ "data": [] })
        } else {
            serde_json::from_str(&text).expect("json")
        };
        if v.is_array() {
            // A bare array: its objects get secrets, and it moves into an envelope that
            // carries one more.
            p.plant(&mut v);
            let (k, s) = p.next();
            v = json!({ "data": v, k: s });
        } else {
            p.plant(&mut v);
        }
        std::fs::write(f, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    }

    let mut single: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("fixtures/single-file-healthy.json"))
            .expect("read"),
    )
    .expect("json");
    p.plant(&mut single);
    std::fs::write(dir.join("batch/single.json"), single.to_string()).expect("write");

    // Damaged: the parser stops right after a secret.
    let (k, _) = p.next();
    let marker = format!("SECRET-{}-X", p.n);
    p.planted.push(marker.clone());
    std::fs::write(
        dir.join("batch/broken.json"),
        format!("{{\"crm\": {{\"users\": {{\"{k}\": \"{marker}\", \"users\": [{{\"id\": 1,"),
    )
    .expect("write");
    // A saved API error body with a token beside the code.
    let errored = dir.join("batch/errored");
    copy_dir(&Path::new(ROOT).join("fixtures/healthy"), &errored);
    let marker = format!("SECRET-{}-X", p.n + 1);
    p.planted.push(marker.clone());
    std::fs::write(
        errored.join("desk/tickets/page-001.json"),
        json!({"errorCode": "UNAUTHORIZED", "message": "You are not authorized", "access_token": marker})
            .to_string(),
    )
    .expect("write");
    p.planted
}

struct Seen {
    what: String,
    text: String,
}

fn run(dir: &Path, what: &str, args: &[&str]) -> Vec<Seen> {
    let out = bin()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    vec![
        Seen {
            what: format!("{what}: stdout"),
            text: String::from_utf8_lossy(&out.stdout).into_owned(),
        },
        Seen {
            what: format!("{what}: stderr"),
            text: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
    ]
}

/// A rule that tries to show every value it can reach.
const SNOOP: &str = r#"const META = #{
    faq: 90, title: #{ ja: "snoop", en: "snoop" }, description: #{ ja: "s", en: "s" },
    checks: #{ "x": #{ statuses: ["pass"], remedy: #{ ja: "-", en: "-" } } },
};
fn audit(doc) {
    let all = to_json(doc);
    print(all);
    debug(doc.integration);
    [pass("x", `${to_json(doc.integration)} ${to_json(doc.crm.users)}`, [doc.integration])]
}
"#;

#[test]
fn planted_credentials_never_appear_in_any_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let planted = export_with_secrets(d);
    assert!(planted.len() > 100, "planted {}", planted.len());
    let rules = d.join("snoop-rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(rules.join("snoop.rhai"), SNOOP).expect("write");
    let rules = rules.display().to_string();
    let builtin = format!("{ROOT}/rules");

    let mut seen = Vec::new();
    for format in ["table", "json", "junit", "sarif", "markdown", "github"] {
        seen.extend(run(
            d,
            format,
            &[
                "audit", "batch", "--rules", &builtin, "--rules", &rules, "--format", format,
                "--now", NOW,
            ],
        ));
    }
    // Report files, written by --output and --report.
    seen.extend(run(
        d,
        "files",
        &[
            "audit",
            "batch",
            "--rules",
            &builtin,
            "--rules",
            &rules,
            "--format",
            "json",
            "--output",
            "out.json",
            "--report",
            "sarif=out.sarif",
            "--report",
            "junit=out.xml",
            "--report",
            "markdown=out.md",
            "--report",
            "github=out.txt",
            "--report",
            "table=out.table",
            "--now",
            NOW,
        ],
    ));
    for f in [
        "out.json",
        "out.sarif",
        "out.xml",
        "out.md",
        "out.txt",
        "out.table",
    ] {
        let text = std::fs::read_to_string(d.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(text.len() > 100, "{f} was written");
        seen.push(Seen {
            what: f.to_owned(),
            text,
        });
    }
    // query: the whole document, one secret directly, and an error about one.
    for (what, path, expr) in [
        ("query bundle", "batch/bundle", "doc"),
        ("query single", "batch/single.json", "doc"),
        ("query key", "batch/bundle", "doc.integration.access_token"),
        (
            "query error",
            "batch/bundle",
            "doc.integration.crm.sync.password + 1",
        ),
        ("query broken", "batch/broken.json", "doc"),
        ("query errored", "batch/errored", "doc.meta"),
    ] {
        seen.extend(run(d, what, &["query", path, expr]));
    }
    // diff, between two exports with secrets.
    for format in ["table", "json", "markdown"] {
        seen.extend(run(
            d,
            &format!("diff {format}"),
            &[
                "diff",
                "batch/bundle",
                "batch/single.json",
                "--format",
                format,
                "--now",
                NOW,
            ],
        ));
    }

    let mut leaks = Vec::new();
    for s in &seen {
        for secret in &planted {
            if s.text.contains(secret.as_str()) {
                leaks.push(format!("{secret} in {}", s.what));
            }
        }
    }
    assert!(leaks.is_empty(), "leaked: {leaks:#?}");

    // The searches looked at real output: the snoop rule's output and the query show
    // the redacted values, the damaged file and the saved error are reported.
    let all: String = seen.iter().map(|s| s.text.as_str()).collect();
    assert!(
        all.contains("[REDACTED]"),
        "redacted values are shown as such"
    );
    assert!(
        all.contains("broken.json:1:"),
        "the damaged file is reported"
    );
    assert!(all.contains("UNAUTHORIZED"), "the saved error is reported");
}

#[test]
fn the_plant_really_holds_the_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let planted = export_with_secrets(dir.path());
    let mut files = vec![];
    json_files(&dir.path().join("batch"), &mut files);
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("read"))
        .collect();
    for secret in &planted {
        assert!(all.contains(secret.as_str()), "{secret} was planted");
    }
    for key in KEYS {
        assert!(all.contains(&format!("\"{key}\"")), "{key} was used");
    }
}
