//! `Raw` -> `Document`: what the saved responses mean.
//!
//! Owns assembling the document root with its `meta` (present, failed, notes, truncated
//! parts). What each part's pages mean is in `list` (envelopes, type checks, pages
//! concatenated, repeated ids kept once, truncation), `org` (the org and integration
//! parts) and `api_error` (saved API error bodies); `organization` chooses
//! `desk.organization`. Both export forms go through here, so they follow the same rules.
//!
//! Also records the document's `Provenance`: every part read (loaded or failed) with the
//! file, response path and data path of each page, the places the form recorded, the
//! parts not exported, and `desk.organization` and `meta` as aliases.

pub(super) mod api_error;
mod list;
mod org;
mod organization;
#[cfg(test)]
mod tests;

use super::raw::{PartId, Raw};
use super::{ExportSource, Failure, LoadOptions, Note};
use crate::doc::{Document, PagePlace, PartPages, Place, Provenance, Value};
use list::list;
use org::{integration_object, org};
use organization::desk_organization;
use rhai::ImmutableString;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds the document from what was read.
pub(crate) fn assemble(source: &ExportSource, raw: Raw, opts: &LoadOptions) -> Document {
    let Raw {
        parts,
        mut notes,
        failed,
        manifest,
        places,
    } = raw;
    let mut failed: BTreeMap<String, Failure> = failed.into_iter().collect();
    let mut present: Vec<String> = Vec::new();
    let mut truncated: Vec<String> = Vec::new();
    let mut provenance = slots();
    for (at, place) in places {
        provenance.record(at, place);
    }
    let mut crm: Vec<(ImmutableString, Value)> = Vec::new();
    let mut desk: Vec<(ImmutableString, Value)> = Vec::new();
    let mut fields: Vec<(ImmutableString, Value)> = Vec::new();
    let mut related_lists: Vec<(ImmutableString, Value)> = Vec::new();
    let mut integration: Option<Value> = None;

    for part in parts {
        let name = part.id.name();
        let mut kept = None;
        let (data, loaded) = match &part.id {
            PartId::CrmOrg => {
                let (data, org) = org(&part.pages, &mut notes);
                (vec![data], org)
            }
            PartId::Integration => {
                let (data, object) = integration_object(&part.pages);
                (vec![data], object)
            }
            id => {
                let (data, loaded) = list(id, &part.pages);
                let loaded = loaded.map(|l| {
                    if let Some(dropped) = l.dropped {
                        notes.push(dropped.note(&name));
                        kept = Some(Arc::new(dropped.kept));
                    }
                    if let Some(at) = l.more_records_at {
                        notes.push(Note::MoreRecords {
                            at,
                            part: name.clone(),
                            records: l.len,
                        });
                        truncated.push(name.clone());
                    }
                    Some(l.value)
                });
                (data, loaded)
            }
        };
        let pages = part.pages.into_iter().zip(data);
        let pages = pages.map(|(page, data)| PagePlace {
            file: page.file,
            response: page.at,
            data,
        });
        let read = PartPages {
            list: part.id.is_list(),
            pages: pages.collect(),
            kept,
        };
        provenance.record(part.id.tokens(), Place::Part(read));
        let value = match loaded {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(reason) => {
                failed.insert(name, reason);
                continue;
            }
        };
        present.push(name);
        match part.id {
            PartId::CrmOrg => crm.push(("org".into(), value)),
            PartId::CrmList(k) => crm.push((k.into(), value)),
            PartId::CrmFields(m) => fields.push((m.into(), value)),
            PartId::CrmRelatedLists(m) => related_lists.push((m.into(), value)),
            PartId::DeskList(k) => desk.push((k.into(), value)),
            PartId::Integration => integration = Some(value),
        }
    }

    // The per-module maps count as present when any module is.
    for (key, map) in [("fields", fields), ("related_lists", related_lists)] {
        if !map.is_empty() {
            crm.push((key.into(), Value::object(map)));
            present.push(format!("crm.{key}"));
        }
    }

    // What `collect` could not finish (`--max-records`, a limit of the API).
    for (part, reason) in &manifest.incomplete {
        if present.contains(part) && !truncated.contains(part) {
            notes.push(Note::ManifestIncomplete {
                part: part.clone(),
                reason: reason.clone(),
            });
            truncated.push(part.clone());
        }
    }

    let organizations = desk
        .iter()
        .find(|(k, _)| k.as_str() == "organizations")
        .and_then(|(_, v)| v.array_arc());
    if let Some(orgs) = organizations
        && let Some((index, chosen)) =
            desk_organization(&orgs, &manifest, integration.as_ref(), &mut notes)
    {
        desk.push(("organization".into(), chosen));
        present.push("desk.organization".to_string());
        provenance.desk_organization = Some(index);
    }
    // `desk.organization` is the chosen element of `desk.organizations`; when none is
    // chosen, the organizations' start (if they were read at all).
    if matches!(
        provenance.get(&["desk", "organizations"]),
        Some(Place::Part(_))
    ) {
        let mut to = tokens(&["desk", "organizations"]);
        to.extend(provenance.desk_organization.map(|i| i.to_string()));
        let below = provenance.desk_organization.is_some();
        provenance.record(
            tokens(&["desk", "organization"]),
            Place::Alias { to, below },
        );
    }

    present.sort();
    present.dedup();
    truncated.sort();
    truncated.dedup();

    let strings = |items: &[String]| Value::array(items.iter().map(|p| Value::str(p)).collect());
    let mut meta = vec![
        ("source".into(), Value::str(&source.display)),
        ("present".into(), strings(&present)),
        ("audit_time".into(), Value::str(&opts.audit_time)),
        (
            "failed".into(),
            Value::object(
                failed
                    .iter()
                    .map(|(p, r)| (p.as_str().into(), Value::str(&r.to_string())))
                    .collect(),
            ),
        ),
        (
            "notes".into(),
            strings(&notes.iter().map(ToString::to_string).collect::<Vec<_>>()),
        ),
        ("truncated".into(), strings(&truncated)),
    ];
    if let Some(m) = manifest.value {
        meta.push(("manifest".into(), m));
    }
    let mut root = vec![
        ("crm".into(), Value::object(crm)),
        ("desk".into(), Value::object(desk)),
        ("meta".into(), Value::object(meta)),
    ];
    if let Some(i) = integration {
        root.push(("integration".into(), i));
    }

    Document {
        source: source.display.clone(),
        root: Value::object(root),
        present,
        failed,
        notes,
        truncated,
        provenance,
    }
}

/// What the document's places are before anything is read: every part not exported,
/// the per-module maps holding only the modules read, and `meta` (made here, read from
/// no file) where the document's root is.
fn slots() -> Provenance {
    let mut provenance = Provenance::default();
    for part in PartId::fixed() {
        provenance.record(part.tokens(), Place::Nowhere);
    }
    provenance.record(tokens(&["desk", "organization"]), Place::Nowhere);
    for map in ["fields", "related_lists"] {
        provenance.record(tokens(&["crm", map]), Place::Members);
    }
    let root = Place::Alias {
        to: Vec::new(),
        below: false,
    };
    provenance.record(tokens(&["meta"]), root);
    provenance
}

fn tokens(path: &[&str]) -> Vec<String> {
    path.iter().map(ToString::to_string).collect()
}
