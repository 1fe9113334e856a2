//! Writing `manifest.json` (export-format.md, "manifest.json"): data centre, hosts, API
//! version, the CRM org and the Desk portal used, the scopes granted, per part its files,
//! distinct records and completeness, per file its sha256, size and HTTP status, and the
//! requests sent (each costs API credits). It never holds a credential: tokens are not
//! part of any value it is built from.

use super::staging::Saved;
use super::{CRM_API_VERSION, Summary};
use serde_json::{Map, Value, json};

pub(super) fn render(s: &Summary, files: &[Saved], collected_at: &str) -> String {
    let mut parts = Map::new();
    for p in &s.parts {
        let mut part = Map::new();
        part.insert("files".into(), json!(p.files));
        part.insert("records".into(), json!(p.records));
        part.insert("complete".into(), json!(p.complete && p.error.is_none()));
        if let Some(r) = &p.reason {
            part.insert("reason".into(), json!(r));
        }
        if let Some(e) = &p.error {
            part.insert("error".into(), json!(e));
        }
        parts.insert(p.name.clone(), Value::Object(part));
    }
    let mut file_map = Map::new();
    for f in files {
        let mut entry = Map::new();
        entry.insert("sha256".into(), json!(f.sha256));
        entry.insert("bytes".into(), json!(f.bytes));
        if let Some(st) = f.status {
            entry.insert("status".into(), json!(st));
        }
        if f.redacted {
            entry.insert("redacted".into(), json!(true));
        }
        file_map.insert(f.rel.clone(), Value::Object(entry));
    }
    let total = s.requests_accounts + s.requests_crm + s.requests_desk;
    let mut m = json!({
        "schema_version": 1,
        "tool": concat!("crmdesk-audit ", env!("CARGO_PKG_VERSION")),
        "collected_at": collected_at,
        "data_centre": s.data_centre,
        "crm": {
            "api_domain": s.crm_api_domain,
            "api_version": CRM_API_VERSION,
            "org_id": s.crm_org_id,
        },
        "desk": { "base_url": s.desk_base_url, "org_id": s.desk_org_id },
        "scopes": s.scopes,
        "complete": s.is_complete(),
        "parts": parts,
        "files": file_map,
        "requests": {
            "total": total,
            "accounts": s.requests_accounts,
            "crm": s.requests_crm,
            "desk": s.requests_desk,
            "retried": s.requests_retried,
            "note": "every request sent, retries included; CRM and Desk count API credits per request",
        },
    });
    if let (Some(why), Some(obj)) = (&s.stopped, m.as_object_mut()) {
        obj.insert("stopped".into(), json!(why));
    }
    let mut text = serde_json::to_string_pretty(&m).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::PartSummary;
    use super::*;

    #[test]
    fn the_manifest_has_the_keys_the_loader_reads() {
        let s = Summary {
            data_centre: "jp".into(),
            crm_api_domain: "https://www.zohoapis.jp".into(),
            crm_org_id: Some("5725767000000020005".into()),
            desk_base_url: "https://desk.zoho.jp".into(),
            desk_org_id: Some("2389290".into()),
            scopes: Some(vec!["ZohoCRM.org.READ".into()]),
            parts: vec![PartSummary {
                name: "desk.tickets".into(),
                files: vec!["desk/tickets/page-0001.json".into()],
                records: 100,
                complete: false,
                reason: Some("stopped at --max-records 100".into()),
                error: None,
            }],
            stopped: None,
            requests_accounts: 1,
            requests_crm: 2,
            requests_desk: 3,
            requests_retried: 0,
        };
        let files = [Saved {
            rel: "desk/tickets/page-0001.json".into(),
            sha256: "ab".into(),
            bytes: 2,
            status: Some(200),
            redacted: false,
        }];
        let v: Value =
            serde_json::from_str(&render(&s, &files, "2026-11-24T09:00:00+09:00")).expect("json");
        assert_eq!(v["desk"]["org_id"], "2389290");
        assert_eq!(v["crm"]["org_id"], "5725767000000020005");
        assert_eq!(v["parts"]["desk.tickets"]["complete"], false);
        assert_eq!(
            v["parts"]["desk.tickets"]["reason"],
            "stopped at --max-records 100"
        );
        assert_eq!(v["files"]["desk/tickets/page-0001.json"]["status"], 200);
        assert_eq!(v["requests"]["total"], 6);
        assert_eq!(v["complete"], false);
    }
}
