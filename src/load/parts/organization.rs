//! Choosing `desk.organization`, the portal the Desk files were exported from.

use super::super::manifest::Manifest;
use super::super::{Note, PortalNamedBy};
use crate::doc::{Kind, Value};

/// `desk.organization`, with its index in `desk.organizations`: the portal the Desk files
/// were exported from. It is the org whose id is `manifest.desk.org_id`, else
/// `integration.desk.org_id`, else the one with `isDefault` true, else the only one.
/// Never chosen by `integration.crm.linked_desk_org_id`: the link check compares with it,
/// and would then agree with itself. Ids compare as trimmed strings.
pub(super) fn desk_organization(
    orgs: &[Value],
    manifest: &Manifest,
    integration: Option<&Value>,
    notes: &mut Vec<Note>,
) -> Option<(usize, Value)> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::scalar_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let recorded = text(integration.and_then(|i| i.get_path("desk.org_id")));
    let named = [
        (PortalNamedBy::Manifest, manifest.desk_org_id.clone()),
        (PortalNamedBy::Integration, recorded),
    ];
    for (by, id) in named {
        let Some(id) = id else { continue };
        if let Some(i) = orgs
            .iter()
            .position(|o| text(o.get("id")).as_deref() == Some(&id))
        {
            return Some((i, orgs[i].clone()));
        }
        notes.push(Note::PortalNotFound {
            by,
            id,
            exported: orgs.len(),
        });
    }
    let is_default = |o: &Value| match o.get("isDefault").map(Value::kind) {
        Some(Kind::Bool(b)) => b,
        Some(Kind::Str(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    };
    if let Some(i) = orgs.iter().position(is_default) {
        return Some((i, orgs[i].clone()));
    }
    match orgs {
        [only] => Some((0, only.clone())),
        [] => None,
        several => {
            let ids: Vec<String> = several.iter().filter_map(|o| text(o.get("id"))).collect();
            notes.push(Note::PortalNotChosen {
                ids,
                count: several.len(),
            });
            None
        }
    }
}
