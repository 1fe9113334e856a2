//! `--format json`: exactly the shape of cli.md, in the chosen language.

use super::Summary;
use crate::audit::ExportOutcome;
use crate::text::Lang;
use serde_json::{Value, json};

pub const SCHEMA_VERSION: u32 = 1;

pub fn render(outcomes: &[ExportOutcome], lang: Lang) -> String {
    let exports: Vec<Value> = outcomes.iter().map(|o| export(o, lang)).collect();
    let s = Summary::of(outcomes);
    let doc = json!({
        "schema_version": SCHEMA_VERSION,
        "exports": exports,
        "summary": {
            "exports": s.exports, "pass": s.pass, "warn": s.warn,
            "fail": s.fail, "skip": s.skip, "error": s.error,
        },
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn export(o: &ExportOutcome, lang: Lang) -> Value {
    match &o.result {
        Err(e) => json!({ "path": o.path, "status": "error", "error": e }),
        Ok(a) => {
            let results: Vec<Value> = a
                .results
                .iter()
                .map(|r| {
                    let mut v = json!({
                        "rule": r.rule,
                        "faq": r.faq,
                        "title": r.title.get(lang),
                        "status": r.status,
                        "findings": r.findings.iter().map(|f| json!({
                            "check": f.check,
                            "status": f.status,
                            "message": f.message.get(lang),
                            "evidence": f.evidence,
                        })).collect::<Vec<_>>(),
                    });
                    if !r.output.is_empty() {
                        v["output"] = Value::from(r.output.as_str());
                    }
                    v
                })
                .collect();
            json!({
                "path": o.path,
                "status": o.status(),
                "results": results,
                "present": a.present,
                "notes": a.notes,
            })
        }
    }
}
