//! `--format json`: exactly the shape of cli.md, in the chosen language. Extra keys:
//! an export's `present`, `truncated` (lists known to be incomplete) and `notes`, a rule's `output`, a finding's `severity` (its check's, META) and `remedy` (what to do, for warn and fail) and `waiver`, and a
//! top-level `waivers` (`unmatched`, `expired`, `expiring`) when a waiver needs attention.

use super::{Context, Counts, Summary};
use crate::audit::ExportOutcome;
use serde_json::{Value, json};

pub const SCHEMA_VERSION: u32 = 2;

pub fn render(cx: &Context) -> String {
    let exports: Vec<Value> = cx.outcomes.iter().map(|o| export(o, cx)).collect();
    let s = Summary::of(cx.outcomes);
    let mut doc = json!({
        "schema_version": SCHEMA_VERSION,
        "exports": exports,
        "summary": {
            "exports": s.exports, "pass": s.pass, "warn": s.warn,
            "fail": s.fail, "skip": s.skip, "error": s.error,
            "checks": s.checks,
        },
    });
    if let Some(fixed) = cx.baseline_fixed {
        doc["baseline"] = json!({ "fixed": fixed });
    }
    if !cx.waivers.unmatched.is_empty()
        || !cx.waivers.expired.is_empty()
        || !cx.waivers.expiring.is_empty()
    {
        let list = |ws: &[crate::waivers::Waiver]| -> Vec<Value> {
            ws.iter()
                .map(|w| {
                    let mut v = json!({"number": w.number, "rule": w.rule, "check": w.check, "owner": w.owner, "expires": w.expires});
                    if let Some(f) = &w.fingerprint {
                        v["fingerprint"] = Value::from(f.as_str());
                    }
                    if let Some(e) = &w.entity {
                        v["entity"] = Value::from(e.as_str());
                    }
                    v
                })
                .collect()
        };
        doc["waivers"] = json!({
            "unmatched": list(&cx.waivers.unmatched),
            "expired": list(&cx.waivers.expired),
            "expiring": list(&cx.waivers.expiring),
        });
    }
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn export(o: &ExportOutcome, cx: &Context) -> Value {
    let lang = cx.lang;
    match &o.result {
        Err(e) => json!({ "path": o.path, "status": "error", "error": e.text(lang) }),
        Ok(a) => {
            let results: Vec<Value> = a
                .results
                .iter()
                .map(|r| {
                    let findings: Vec<Value> = r
                        .findings
                        .iter()
                        .map(|f| {
                            let mut v = json!({
                                "check": f.check,
                                "status": f.status,
                                "severity": f.severity,
                                "message": f.message.get(lang),
                                "evidence": f.evidence,
                                "entities": f.entities,
                                "fingerprint": f.fingerprint,
                            });
                            if let Some(b) = f.baseline {
                                v["baseline"] =
                                    Value::from(if b.unchanged { "unchanged" } else { "new" });
                            }
                            if let Some(r) = &f.remedy {
                                v["remedy"] = Value::from(r.get(lang));
                            }
                            if let Some(w) = &f.waiver {
                                v["waiver"] = json!({
                                    "reason": w.reason, "owner": w.owner,
                                    "expires": w.expires, "expired": w.expired,
                                });
                            }
                            v
                        })
                        .collect();
                    let mut v = json!({
                        "rule": r.rule,
                        // `null` for a rule beyond the FAQ.
                        "faq": (r.faq > 0).then_some(r.faq),
                        "title": r.title.get(lang),
                        "status": r.status,
                        "findings": findings,
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
                "checks": Counts::of_checks(a),
                "results": results,
                "present": a.present,
                "truncated": a.truncated,
                "notes": a.notes.iter().map(|n| n.text(lang)).collect::<Vec<_>>(),
            })
        }
    }
}
