//! `Document`: one loaded export, plus what the loader learned about it.

use super::Value;
use std::collections::BTreeMap;

/// Every part of an export that the loader knows, in the document's own naming
/// (`meta.present` lists those that were exported). Per-module parts of
/// `crm.fields` / `crm.related_lists` are named `crm.fields.<Module>`.
pub const PARTS: &[&str] = &[
    "crm.org",
    "crm.users",
    "crm.admin_users",
    "crm.modules",
    "crm.fields",
    "crm.related_lists",
    "crm.contacts",
    "crm.leads",
    "desk.organizations",
    "desk.departments",
    "desk.agents",
    "desk.contacts",
    "desk.tickets",
    "integration",
];

/// One loaded export.
#[derive(Clone, Debug)]
pub struct Document {
    /// The path as given on the command line (`meta.source`).
    pub source: String,
    /// `{crm, desk, integration, meta}` exactly as export-format.md describes it.
    pub root: Value,
    /// Parts that were exported, sorted (`meta.present`).
    pub present: Vec<String>,
    /// Parts that were exported but cannot be used (a saved API error, a value of the
    /// wrong type), with the reason. A rule that needs one of them reports `error`.
    pub failed: BTreeMap<String, crate::load::Failure>,
    /// Things worth knowing that are not errors (an ignored file, a page directory
    /// shadowed by a file, ...), each naming the file.
    pub notes: Vec<crate::load::Note>,
    /// List parts known to be incomplete, sorted (`meta.truncated`).
    pub truncated: Vec<String>,
    /// Where records of the document came from, where that is not plain page order.
    pub provenance: Provenance,
}

/// What the loader decided about where records sit, so evidence can be traced back to
/// the files without deciding it again.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The index in `desk.organizations` of the element that is `desk.organization`.
    pub desk_organization: Option<usize>,
    /// For a list part that lost repeated records: the index (in its pages concatenated)
    /// of each record kept, in document order.
    pub kept: BTreeMap<String, std::sync::Arc<Vec<usize>>>,
}

impl Provenance {
    /// The index in the pages concatenated of record `n` of list `part`.
    pub fn source_index(&self, part: &str, n: usize) -> Option<usize> {
        match self.kept.get(part) {
            Some(kept) => kept.get(n).copied(),
            None => Some(n),
        }
    }
}

impl Document {
    /// Is `part` (or, for `crm.fields`, any module's fields) present?
    pub fn is_present(&self, part: &str) -> bool {
        self.present.iter().any(|p| covers(part, p))
    }

    /// The reason `part` (or a part inside it) failed to load, if it did.
    pub fn failure(&self, part: &str) -> Option<(&str, &crate::load::Failure)> {
        self.failed
            .iter()
            .find(|(p, _)| covers(part, p) || covers(p, part))
            .map(|(p, r)| (p.as_str(), r))
    }
}

/// `outer` covers `inner` when they are equal or `inner` lies inside `outer`
/// (`crm.fields` covers `crm.fields.Accounts`).
fn covers(outer: &str, inner: &str) -> bool {
    inner == outer
        || (inner.len() > outer.len()
            && inner.starts_with(outer)
            && inner.as_bytes()[outer.len()] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(present: &[&str], failed: &[(&str, &str)]) -> Document {
        Document {
            source: "x".into(),
            root: Value::Null,
            present: present.iter().map(ToString::to_string).collect(),
            failed: failed
                .iter()
                .map(|(a, b)| {
                    let at = crate::load::Origin::key("x.json", b);
                    let found = "a string";
                    let why = crate::load::Failure::SectionNotObject { at, found };
                    ((*a).to_string(), why)
                })
                .collect(),
            notes: vec![],
            truncated: vec![],
            provenance: Provenance::default(),
        }
    }

    #[test]
    fn a_module_part_counts_as_its_parent_part_but_not_as_a_sibling() {
        let d = doc(
            &["crm.fields.Accounts"],
            &[("crm.fields.Vehicles", "api error")],
        );
        assert!(d.is_present("crm.fields"));
        assert!(d.is_present("crm.fields.Accounts"));
        assert!(!d.is_present("crm.fields.Contacts"));
        assert!(!d.is_present("crm.field"));
        assert!(d.failure("crm.fields.Accounts").is_none());
        assert_eq!(
            d.failure("crm.fields").map(|f| f.0),
            Some("crm.fields.Vehicles")
        );
    }
}
