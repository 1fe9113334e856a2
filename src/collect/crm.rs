//! The CRM parts of a collection (export-format.md, form 1): org, users (AllUsers and
//! AdminUsers), modules, fields (`type=all`) and related lists of Accounts, Contacts,
//! Deals and every visible custom module, contacts and leads, every page.
//!
//! Lists are read 200 records a page by `page` for pages 1-10 (the API's 2,000-record
//! limit on `page`), then by the previous page's `info.next_page_token`, until
//! `info.more_records` is false or the API's 100,000 records are reached. v8 requires
//! `fields` on record lists.

use super::http::Service;
use super::{CollectError, Collector, Next, page_size, records};

/// Pages read by `page` before switching to `page_token` (Zoho: 2,000 records).
const DISCRETE_PAGES: usize = 10;
/// The most records a CRM list gives, with `page_token`.
const MAX_LIST_RECORDS: usize = 100_000;
const PER_PAGE: usize = 200;

/// The fields collected of contacts and leads: what the rules read.
const CONTACT_FIELDS: &str = "Email,Last_Name,First_Name,Account_Name";
const LEAD_FIELDS: &str = "Email,Last_Name";

impl Collector<'_, '_> {
    pub(super) fn crm(&mut self) -> Result<(), CollectError> {
        let base = self.crm_base.clone();
        let org = self.single(
            "crm.org",
            "crm/org.json",
            Service::Crm,
            &format!("{base}/org"),
            &[],
            "org",
        )?;
        self.summary.crm_org_id = org
            .as_ref()
            .and_then(|v| v.pointer("/org/0/id"))
            .and_then(id_text);
        self.crm_list(
            "crm.users",
            "crm/users",
            "users",
            &[("type", "AllUsers")],
            "users",
        )?;
        self.crm_list(
            "crm.admin_users",
            "crm/admin_users",
            "users",
            &[("type", "AdminUsers")],
            "users",
        )?;
        let modules = self.single(
            "crm.modules",
            "crm/modules.json",
            Service::Crm,
            &format!("{base}/settings/modules"),
            &[],
            "modules",
        )?;
        for m in modules_to_read(modules.as_ref()) {
            let q = [("module", m.clone()), ("type", "all".to_string())];
            self.single(
                &format!("crm.fields.{m}"),
                &format!("crm/fields/{m}.json"),
                Service::Crm,
                &format!("{base}/settings/fields"),
                &q,
                "fields",
            )?;
            self.single(
                &format!("crm.related_lists.{m}"),
                &format!("crm/related_lists/{m}.json"),
                Service::Crm,
                &format!("{base}/settings/related_lists"),
                &q[..1],
                "related_lists",
            )?;
        }
        self.crm_list(
            "crm.contacts",
            "crm/contacts",
            "Contacts",
            &[("fields", CONTACT_FIELDS)],
            "data",
        )?;
        self.crm_list(
            "crm.leads",
            "crm/leads",
            "Leads",
            &[("fields", LEAD_FIELDS)],
            "data",
        )
    }

    /// Every page of a CRM list, as `dir/page-0001.json`, ...
    fn crm_list(
        &mut self,
        name: &str,
        dir: &str,
        path: &str,
        fixed: &[(&str, &str)],
        envelope: &str,
    ) -> Result<(), CollectError> {
        if self.stopped.is_some() {
            self.skip_part(name);
            return Ok(());
        }
        let max = self.opts.max_records;
        let per_page = page_size(max, PER_PAGE);
        let url = format!("{}/{path}", self.crm_base);
        let query = |n: usize, token: Option<&str>| {
            let mut q: Vec<(&str, String)> =
                fixed.iter().map(|(k, v)| (*k, (*v).to_string())).collect();
            q.push(("per_page", per_page.to_string()));
            match token {
                Some(t) => q.push(("page_token", t.to_string())),
                None => q.push(("page", n.to_string())),
            }
            q
        };
        let mut token: Option<String> = None;
        self.list(
            name,
            dir,
            Service::Crm,
            &url,
            envelope,
            query(1, None),
            |page| {
                let (n, v) = (page.n, page.body);
                let more = v
                    .pointer("/info/more_records")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                if !more {
                    return Next::Complete;
                }
                if page.records == 0 {
                    return Next::Stop(format!("page {n} says more_records but holds no record"));
                }
                if let Some(stop) = page.at_max(max) {
                    return stop;
                }
                if n * per_page >= MAX_LIST_RECORDS {
                    return Next::Stop(format!(
                        "the API gives at most {MAX_LIST_RECORDS} records of a list, and there are more"
                    ));
                }
                if n >= DISCRETE_PAGES {
                    // Without a token, go on by `page` (some lists, e.g. users, allow it).
                    token = v
                        .pointer("/info/next_page_token")
                        .and_then(serde_json::Value::as_str)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string);
                }
                Next::Page(query(n + 1, token.as_deref()))
            },
        )
    }
}

/// An id as text: CRM ids are strings, some tools send numbers.
pub(super) fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Accounts, Contacts, Deals, then every visible custom module of the modules answer,
/// in its order. Names that could not be a file name are left out (api_names are
/// letters, digits and `_`).
fn modules_to_read(modules: Option<&serde_json::Value>) -> Vec<String> {
    let mut out: Vec<String> = ["Accounts", "Contacts", "Deals"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    let list = modules.map(|v| records(v, "modules")).unwrap_or_default();
    for m in list {
        let custom = m.get("generated_type").and_then(|g| g.as_str()) == Some("custom");
        let Some(api) = m.get("api_name").and_then(|a| a.as_str()) else {
            continue;
        };
        let safe = !api.is_empty() && api.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if custom && visible(m) && safe && !out.iter().any(|o| o == api) {
            out.push(api.to_string());
        }
    }
    out
}

/// export-format.md's definition: `status` decides when there is one; else
/// `visibility` 1; else visible.
fn visible(m: &serde_json::Value) -> bool {
    if let Some(status) = m.get("status").and_then(|s| s.as_str()) {
        return status.trim().eq_ignore_ascii_case("visible");
    }
    match m.get("visibility") {
        Some(v) => v.as_i64() == Some(1),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_read_for_the_default_modules_and_visible_custom_ones() {
        let modules = json!({"modules": [
            {"api_name": "Leads", "generated_type": "default", "status": "visible"},
            {"api_name": "CM1", "generated_type": "custom", "status": "visible", "visibility": 14316},
            {"api_name": "Old", "generated_type": "custom", "status": "system_hidden", "visibility": 1},
            {"api_name": "V2", "generated_type": "custom", "visibility": 1},
            {"api_name": "V2Hidden", "generated_type": "custom", "visibility": -1},
            {"api_name": "../x", "generated_type": "custom", "status": "visible"},
            {"api_name": "Deals", "generated_type": "custom", "status": "visible"}
        ]});
        assert_eq!(
            modules_to_read(Some(&modules)),
            ["Accounts", "Contacts", "Deals", "CM1", "V2"]
        );
        assert_eq!(modules_to_read(None), ["Accounts", "Contacts", "Deals"]);
    }
}
