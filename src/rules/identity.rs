//! What a finding is about, independent of where it sits: entity keys and a fingerprint.
//!
//! Evidence pointers name positions (`/crm/users/3`), which change when the API returns
//! records in another order. An entity key names the record by what identifies it:
//! `crm.users[id=5725767000000411001]`, `crm.modules[api_name=Vehicles]`,
//! `crm.fields.Accounts[api_name=Account_Name]`, `desk.organization[id=2389290]`, or the
//! setting's path `integration.crm.sync.status`. A finding's fingerprint hashes its rule,
//! check, status and entity keys (never positions, message text or time), so reordering,
//! adding or removing unrelated records leaves it unchanged: baselines and waivers can
//! follow a finding across exports.

use crate::doc::{Kind, Value};
use crate::status::Status;
use sha2::{Digest, Sha256};

/// Keys that identify a record, in order of preference.
const IDENTIFIERS: &[&str] = &["id", "api_name", "emailId", "email", "name"];

/// The entity a JSON Pointer into the document is about, or `None` for pointers that
/// name nothing a person would track (`/meta/...`, an empty pointer).
pub fn entity(root: &Value, pointer: &str) -> Option<String> {
    let tokens: Vec<String> = pointer
        .strip_prefix('/')?
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (section, rest) = tokens.split_first()?;
    match section.as_str() {
        "integration" => Some(
            std::iter::once("integration".to_owned())
                .chain(rest.iter().cloned())
                .collect::<Vec<_>>()
                .join("."),
        ),
        "crm" | "desk" => {
            let (part, depth) = match rest.first().map(String::as_str) {
                // Per-module parts: crm.fields.<Module>, crm.related_lists.<Module>.
                Some("fields" | "related_lists") if rest.len() >= 2 => {
                    (format!("{section}.{}.{}", rest[0], rest[1]), 2)
                }
                Some(p) => (format!("{section}.{p}"), 1),
                None => return Some(section.clone()),
            };
            let value = rest[..depth]
                .iter()
                .try_fold(root.get(section)?, |v, k| v.get(k))?;
            match value.kind() {
                Kind::Array(items) => {
                    let Some(i) = rest.get(depth).and_then(|t| t.parse::<usize>().ok()) else {
                        return Some(part);
                    };
                    let record = items.get(i)?;
                    Some(format!(
                        "{part}[{}]",
                        record_key(record).unwrap_or_else(|| format!("#{i}"))
                    ))
                }
                Kind::Object(_) => Some(match record_key(value) {
                    Some(k) => format!("{part}[{k}]"),
                    None => part,
                }),
                _ => Some(part),
            }
        }
        _ => None,
    }
}

/// `id=...` (or another identifying key) of a record.
fn record_key(record: &Value) -> Option<String> {
    IDENTIFIERS.iter().find_map(|k| {
        let t = record.get(k).and_then(Value::scalar_text)?;
        let t = t.trim();
        (!t.is_empty()).then(|| format!("{k}={t}"))
    })
}

/// The entity keys of a finding's evidence: each once, sorted. A finding whose evidence
/// names several records of one list, or the list itself and some of its records, is about
/// that list (its records are examples: which ones a rule shows may depend on the order the
/// API returned them in), so they become the list's key.
pub fn entities(root: &Value, evidence: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = evidence.iter().filter_map(|p| entity(root, p)).collect();
    keys.sort();
    keys.dedup();
    let list_of = |k: &str| k.split_once('[').map(|(part, _)| part.to_owned());
    let mut out: Vec<String> = Vec::new();
    for k in &keys {
        match list_of(k) {
            Some(part)
                if keys.contains(&part)
                    || keys
                        .iter()
                        .filter(|o| list_of(o).as_deref() == Some(part.as_str()))
                        .count()
                        > 1 =>
            {
                out.push(part);
            }
            _ => out.push(k.clone()),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The fingerprint of a finding: hex of the first 16 bytes of a SHA-256 over rule, check,
/// status and entity keys.
pub fn fingerprint(rule: &str, check: &str, status: Status, entities: &[String]) -> String {
    let mut h = Sha256::new();
    for part in [rule, check, status.as_str()]
        .into_iter()
        .chain(entities.iter().map(String::as_str))
    {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        Value::from_json(&serde_json::json!({
            "crm": {
                "users": [{"id": "11", "status": "active"}, {"email": "b@x.jp"}, {}],
                "modules": [{"api_name": "Vehicles"}],
                "fields": {"Accounts": [{"api_name": "Account_Name"}]},
                "org": {"id": "5725767000000020005"}
            },
            "desk": {"organization": {"id": "2389290"}},
            "integration": {"crm": {"sync": {"status": "paused"}}}
        }))
    }

    #[test]
    fn records_are_named_by_what_identifies_them_not_by_position() {
        let d = doc();
        let e = |p: &str| entity(&d, p);
        assert_eq!(
            e("/crm/users/0/status").as_deref(),
            Some("crm.users[id=11]")
        );
        assert_eq!(
            e("/crm/users/1").as_deref(),
            Some("crm.users[email=b@x.jp]")
        );
        assert_eq!(e("/crm/users/2").as_deref(), Some("crm.users[#2]"));
        assert_eq!(e("/crm/users").as_deref(), Some("crm.users"));
        assert_eq!(
            e("/crm/modules/0").as_deref(),
            Some("crm.modules[api_name=Vehicles]")
        );
        assert_eq!(
            e("/crm/fields/Accounts/0/type").as_deref(),
            Some("crm.fields.Accounts[api_name=Account_Name]")
        );
        assert_eq!(
            e("/crm/org/license_details/paid").as_deref(),
            Some("crm.org[id=5725767000000020005]")
        );
        assert_eq!(
            e("/desk/organization/id").as_deref(),
            Some("desk.organization[id=2389290]")
        );
        assert_eq!(
            e("/integration/crm/sync/status").as_deref(),
            Some("integration.crm.sync.status")
        );
        assert_eq!(e("/meta/present"), None);
    }

    #[test]
    fn several_records_of_one_list_are_examples_and_stand_for_the_list() {
        let d = doc();
        let ev = |ps: &[&str]| ps.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            entities(
                &d,
                &ev(&[
                    "/crm/users/0",
                    "/crm/users/1",
                    "/integration/crm/sync/status"
                ])
            ),
            ["crm.users", "integration.crm.sync.status"]
        );
        assert_eq!(
            entities(&d, &ev(&["/crm/users/0/status", "/crm/users/0"])),
            ["crm.users[id=11]"]
        );
    }

    #[test]
    fn a_fingerprint_depends_on_rule_check_status_and_entities_only() {
        let a = fingerprint("r", "c", Status::Warn, &["crm.users[id=1]".to_owned()]);
        assert_eq!(
            a,
            fingerprint("r", "c", Status::Warn, &["crm.users[id=1]".to_owned()])
        );
        assert_ne!(
            a,
            fingerprint("r", "c", Status::Fail, &["crm.users[id=1]".to_owned()])
        );
        assert_ne!(
            a,
            fingerprint("r", "c", Status::Warn, &["crm.users[id=2]".to_owned()])
        );
        assert_eq!(a.len(), 32);
    }
}
