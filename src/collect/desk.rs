//! The Desk parts of a collection: the portals this user belongs to (the one call
//! without an `orgId` header), the choice of the portal to export, and its departments,
//! agents, contacts and tickets, every page.
//!
//! Lists are read by `from`/`limit` (100 a page, the most contacts and tickets allow)
//! until a short or empty page. Desk documents `from` as counted from 0 in some places
//! and from 1 in others; asking from 0 and stepping by 100 reads every record either
//! way, with one record repeated per page where it counts from 1. Records are counted
//! by id, each once (the loader keeps each once too).

use super::crm::id_text;
use super::http::Service;
use super::{CollectError, Collector, Next, PartSummary, Portal, page_size, records};

const PER_PAGE: usize = 100;

/// The Desk list parts: part name, page directory, API path.
const LISTS: &[(&str, &str, &str)] = &[
    ("desk.departments", "desk/departments", "departments"),
    ("desk.agents", "desk/agents", "agents"),
    ("desk.contacts", "desk/contacts", "contacts"),
    ("desk.tickets", "desk/tickets", "tickets"),
];

impl Collector<'_, '_> {
    /// Saves the portals and chooses the one to export: `--desk-org`, else the
    /// `isDefault` one, else the only one. Several and none chosen is a usage error that
    /// lists them.
    pub(super) fn desk_portal(&mut self) -> Result<(), CollectError> {
        let url = format!("{}/organizations", self.desk_base);
        let answer = self.single(
            "desk.organizations",
            "desk/organizations.json",
            Service::Desk,
            &url,
            &[],
            "data",
        )?;
        let portals: Vec<Portal> = answer
            .as_ref()
            .map(|v| records(v, "data").into_iter().filter_map(portal).collect())
            .unwrap_or_default();
        let chosen = match &self.opts.desk_org {
            Some(want) => {
                let want = want.trim().to_string();
                if !portals.is_empty() && !portals.iter().any(|p| p.id == want) {
                    return Err(CollectError::Portals {
                        message: format!(
                            "--desk-org {want}: this user belongs to no Desk portal with that id"
                        ),
                        portals,
                    });
                }
                Some(want)
            }
            None => {
                let defaults: Vec<&Portal> = portals.iter().filter(|p| p.is_default).collect();
                match (defaults.as_slice(), portals.as_slice()) {
                    ([one], _) => Some(one.id.clone()),
                    ([], [one]) => Some(one.id.clone()),
                    (_, []) => None,
                    _ => {
                        return Err(CollectError::Portals {
                            message: format!(
                                "this user belongs to {} Desk portals and none is the default: \
                                 choose one with --desk-org ID",
                                portals.len()
                            ),
                            portals,
                        });
                    }
                }
            }
        };
        self.summary.desk_org_id.clone_from(&chosen);
        self.desk_org = chosen;
        Ok(())
    }

    pub(super) fn desk_lists(&mut self) -> Result<(), CollectError> {
        for (name, dir, path) in LISTS {
            if self.stopped.is_some() {
                self.skip_part(name);
                continue;
            }
            if self.desk_org.is_none() {
                // Every Desk list needs the orgId header.
                self.summary.parts.push(PartSummary {
                    name: (*name).to_string(),
                    files: Vec::new(),
                    records: 0,
                    complete: false,
                    reason: Some(
                        "not collected: no Desk portal to read (desk/organizations.json lists \
                         none, or holds an error); give --desk-org ID"
                            .to_string(),
                    ),
                    error: None,
                });
                continue;
            }
            self.desk_list(name, dir, path)?;
        }
        Ok(())
    }

    fn desk_list(&mut self, name: &str, dir: &str, path: &str) -> Result<(), CollectError> {
        let max = self.opts.max_records;
        let limit = page_size(max, PER_PAGE);
        let url = format!("{}/{path}", self.desk_base);
        let query = |from: usize| vec![("from", from.to_string()), ("limit", limit.to_string())];
        let mut from = 0usize;
        self.list(
            name,
            dir,
            Service::Desk,
            &url,
            "data",
            query(from),
            |page| {
                let n = page.n;
                if page.records < limit {
                    return Next::Complete;
                }
                if page.new == 0 {
                    // A server that ignores `from` would otherwise be read forever.
                    return Next::Stop(format!(
                        "page {n} (from={from}) repeats only records already read; stopped there"
                    ));
                }
                if let Some(stop) = page.at_max(max) {
                    return stop;
                }
                from += limit;
                Next::Page(query(from))
            },
        )
    }
}

fn portal(v: &serde_json::Value) -> Option<Portal> {
    let text = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string()
    };
    Some(Portal {
        id: id_text(v.get("id")?)?,
        name: text("portalName"),
        company: text("companyName"),
        is_default: v.get("isDefault").and_then(serde_json::Value::as_bool) == Some(true),
    })
}
