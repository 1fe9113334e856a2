//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
//! Each rule's metadata is in `tool.driver.rules`; each finding that is not a pass is a
//! result (`fail`/`error` -> error, `warn` -> warning, `skip` -> note) located at the
//! file, line and column of its first evidence inside the export. Waived findings carry
//! a `suppressions` entry with the waiver's reason.

use super::Context;
use crate::status::Status;
use serde_json::{Value, json};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(cx: &Context) -> String {
    let lang = cx.lang;
    let rules: Vec<&crate::rules::Rule> = cx.catalogue.rules.iter().collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|r| match &r.compiled {
            Ok(c) => {
                let remedies: Vec<String> = c
                    .meta
                    .checks
                    .iter()
                    .map(|(name, ch)| format!("{name}: {}", ch.remedy.get(lang)))
                    .collect();
                json!({
                    "id": r.id,
                    "name": r.id,
                    "shortDescription": { "text": c.meta.title.get(lang) },
                    "fullDescription": { "text": c.meta.description.get(lang) },
                    "help": {
                        "text": remedies.join("\n"),
                        "markdown": remedies.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n"),
                    },
                    "properties": { "faq": c.meta.faq, "checks": c.meta.checks.keys().collect::<Vec<_>>() },
                })
            }
            Err(_) => json!({ "id": r.id, "name": r.id, "shortDescription": { "text": r.id } }),
        })
        .collect();

    let mut results = Vec::new();
    for o in cx.outcomes {
        match &o.result {
            Err(e) => results.push(json!({
                "ruleId": "load",
                "level": "error",
                "message": { "text": e.text(lang) },
                "locations": [location(&o.path, Some(&super::Place::of_error(e)))],
            })),
            Ok(a) => {
                for r in &a.results {
                    let index = rules.iter().position(|x| x.id == r.rule);
                    for f in &r.findings {
                        let level = match f.status {
                            Status::Fail | Status::Error => "error",
                            Status::Warn => "warning",
                            Status::Skip => "note",
                            Status::Pass => continue,
                        };
                        let mut v = json!({
                            "ruleId": r.rule,
                            "level": level,
                            "message": { "text": super::message_and_remedy(f, lang) },
                            "locations": [location(&o.path, cx.place(&o.path, f))],
                            "partialFingerprints": { "crmdeskFinding/v2": f.fingerprint },
                            "properties": { "check": f.check, "status": f.status, "severity": f.severity, "export": o.path, "evidence": f.evidence, "entities": f.entities },
                        });
                        if let Some(b) = f.baseline {
                            v["baselineState"] =
                                json!(if b.unchanged { "unchanged" } else { "new" });
                        }
                        if let Some(i) = index {
                            v["ruleIndex"] = json!(i);
                        }
                        if let Some(w) = f.waiver.as_ref().filter(|w| !w.expired) {
                            v["suppressions"] = json!([{
                                "kind": "external",
                                "justification": format!("{} (owner {}, until {})", w.reason, w.owner, w.expires),
                            }]);
                        }
                        results.push(v);
                    }
                }
            }
        }
    }

    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "crmdesk-audit",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "results": results,
            // Columns count characters, as the locator (and editors) do.
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// A physical location: the evidence's place, else the export itself at line 1.
fn location(export: &str, place: Option<&super::Place>) -> Value {
    let (file, line, column) =
        place.map_or((export, 1, 1), |p| (p.file.as_str(), p.line, p.column));
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": uri(file) },
        "region": { "startLine": line.max(1), "startColumn": column.max(1) },
    }})
}

/// A relative URI with forward slashes (what code scanning matches against the repository).
fn uri(path: &str) -> String {
    path.trim_start_matches("./")
        .replace('\\', "/")
        .replace(' ', "%20")
}
