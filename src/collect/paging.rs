//! Paging of list responses for `collect`: what a page holds, when a list goes on, which
//! records were counted already, and the page files' names.

use std::collections::HashSet;

/// A page of a list just saved, as the list's rules see it.
pub(super) struct ListPage<'v> {
    /// Its number, from 1.
    pub(super) n: usize,
    pub(super) body: &'v serde_json::Value,
    /// The records it holds.
    pub(super) records: usize,
    /// Of those, the ones no earlier page held.
    pub(super) new: usize,
    /// Distinct records of the list so far.
    pub(super) distinct: usize,
}

impl ListPage<'_> {
    /// `--max-records` (`max`) is reached: the list stops here, incomplete.
    pub(super) fn at_max(&self, max: Option<usize>) -> Option<Next<'static>> {
        max.filter(|m| self.distinct >= *m)
            .map(|m| Next::Stop(format!("stopped at --max-records {m}")))
    }
}

/// What comes after a page of a list.
pub(super) enum Next<'q> {
    /// The next page, by this query.
    Page(Vec<(&'q str, String)>),
    /// Nothing: the list is complete.
    Complete,
    /// Nothing: the list stops here, incomplete, for this reason.
    Stop(String),
}

/// The records of a response: the array under `envelope`, a bare array, or none.
pub(super) fn records<'v>(v: &'v serde_json::Value, envelope: &str) -> Vec<&'v serde_json::Value> {
    match v {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(o) => match o.get(envelope) {
            Some(serde_json::Value::Array(a)) => a.iter().collect(),
            Some(serde_json::Value::Object(_)) => vec![&o[envelope]],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Counts records by `id` (a string or a number), each once; records without an id
/// count each time.
#[derive(Default)]
pub(super) struct Distinct {
    pub(super) seen: HashSet<String>,
    pub(super) anonymous: usize,
}

impl Distinct {
    /// Adds a page's records; returns how many were new.
    pub(super) fn add(&mut self, recs: &[&serde_json::Value]) -> usize {
        let mut new = 0;
        for r in recs {
            // A blank id is no id: each such record counts, as the loader keeps each.
            match r.get("id").and_then(super::crm::id_text) {
                Some(id) => new += usize::from(self.seen.insert(id)),
                None => {
                    self.anonymous += 1;
                    new += 1;
                }
            }
        }
        new
    }

    pub(super) fn len(&self) -> usize {
        self.seen.len() + self.anonymous
    }
}

/// The error code of a Zoho error body (`code` of CRM, `errorCode` of Desk).
pub(super) fn error_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("code")
        .or_else(|| v.get("errorCode"))
        .and_then(|c| c.as_str())
        .map(str::to_string)
}

/// Whether a 2xx JSON answer is an error body all the same, as the loader judges it.
pub(super) fn is_error_body(v: &serde_json::Value) -> bool {
    crate::load::is_error_body(
        v.get("errorCode").is_some(),
        v.get("code").is_some(),
        v.get("status").and_then(|s| s.as_str()),
    )
}

/// Records a page: `cap` (the API's most), or under `--max-records N` the size that
/// reaches N in as few pages as possible and stops close to it (N = 250 and cap 200: two
/// pages of 125).
pub(super) fn page_size(max: Option<usize>, cap: usize) -> usize {
    match max {
        Some(n) if n > 0 => {
            let pages = n.div_ceil(cap);
            n.div_ceil(pages)
        }
        _ => cap,
    }
}

/// A page file name: zero-padded so byte order is page order.
pub(super) fn page_file(dir: &str, n: usize) -> String {
    format!("{dir}/page-{n:04}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_is_told_as_the_loader_tells_it() {
        use serde_json::json;
        for error in [
            json!({"errorCode": "UNAUTHORIZED", "message": "x"}),
            json!({"code": "INVALID_TOKEN", "status": "error"}),
            json!({"code": "INVALID_TOKEN", "status": " Error "}),
        ] {
            assert!(is_error_body(&error), "{error}");
        }
        for data in [
            json!({"data": [], "info": {}}),
            json!({"code": "x", "status": "success"}),
            json!({"code": "x"}),
        ] {
            assert!(!is_error_body(&data), "{data}");
        }
    }

    #[test]
    fn max_records_picks_the_page_size_that_stops_closest_to_it() {
        assert_eq!(page_size(None, 200), 200);
        assert_eq!(page_size(Some(25), 200), 25);
        assert_eq!(page_size(Some(250), 200), 125);
        assert_eq!(page_size(Some(100_000), 200), 200);
        assert_eq!(page_size(Some(201), 100), 67);
    }

    #[test]
    fn records_are_counted_once_by_id_whether_string_or_number() {
        let page = serde_json::json!({"data": [{"id": "1"}, {"id": 1}, {"id": "2"}, {"x": 0}]});
        let mut d = Distinct::default();
        assert_eq!(d.add(&records(&page, "data")), 3);
        assert_eq!(
            d.add(&records(&page, "data")),
            1,
            "only the record without an id again"
        );
        assert_eq!(d.len(), 4);
    }
}
