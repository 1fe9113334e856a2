//! What both stand-ins for the Zoho APIs (`tests/collect.rs`, `tests/export_recipe.rs`)
//! answer alike: the error envelopes, the `page`/`per_page` window of CRM's GET /users,
//! CRM's record lists by `page` and `page_token` (`RecordPager`), and Desk's lists by
//! `from` and `limit` (`DeskList`).

use super::replay::Request;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The envelope of every zoho/crm-oas v8.0 error sample (`.../examples/response-4xx-*.md`).
pub fn crm_error_body(code: &str, message: &str, details: Value) -> Value {
    json!({"code": code, "details": details, "message": message, "status": "error"})
}

/// Desk's error body (`errorCode`, `message`), as Desk's API guide describes; the codes
/// and statuses the tests use are assumed.
pub fn desk_error_body(code: &str, message: &str) -> Value {
    json!({"errorCode": code, "message": message})
}

/// A query parameter as a number: `default` when absent, `None` when not a number.
pub fn number(req: &Request, name: &str, default: usize) -> Option<usize> {
    match req.query_param(name) {
        None => Some(default),
        Some(v) => v.parse().ok(),
    }
}

/// One page of CRM's GET /users (v8.0/users/operations/getUsers): `page` and `per_page`
/// (1 to 200) over `total` users.
pub struct UsersPage {
    pub page: usize,
    pub per_page: usize,
    /// The users on this page: `from..to` (empty past the last page: a 204).
    pub from: usize,
    pub to: usize,
}

/// The page a request asks for, or the status and CRM error body a bad `page`/`per_page`
/// gets (`INVALID_DATA` naming the parameter).
pub fn users_page(req: &Request, total: usize) -> Result<UsersPage, (u16, Value)> {
    let invalid = |param: &str| {
        (
            400,
            crm_error_body("INVALID_DATA", "invalid data", json!({"param_name": param})),
        )
    };
    let (Some(page), Some(per_page)) = (number(req, "page", 1), number(req, "per_page", 200))
    else {
        return Err(invalid("page"));
    };
    if page == 0 || per_page == 0 || per_page > 200 {
        return Err(invalid("per_page"));
    }
    let from = (page - 1) * per_page;
    Ok(UsersPage {
        page,
        per_page,
        from,
        to: (from + per_page).min(total),
    })
}

/// An answer before the headers: status and JSON body (none for a 204).
pub type Answer = (u16, Option<Value>);

fn crm_error(status: u16, code: &str, message: &str, details: Value) -> Answer {
    (status, Some(crm_error_body(code, message, details)))
}

/// CRM's GET /{module} (v8.0/record/operations/getRecords, operation.md and its examples):
/// `fields` required; `page` 1-10 with `per_page` up to 200 (2,000 records), then
/// `page_token` from the previous page's `info.next_page_token`, up to 100,000 records. It
/// keeps the page tokens it has issued.
pub struct RecordPager {
    /// A token is valid only with the `fields` it was issued with (Zoho's "token bound
    /// data"); without this, only with its module.
    bind_fields: bool,
    /// `info.page_token_expiry` of a page with more records after it (none: no such key).
    token_expiry: Option<&'static str>,
    /// page_token -> the list it continues.
    tokens: Mutex<HashMap<String, PageToken>>,
    seq: AtomicUsize,
}

struct PageToken {
    module: String,
    fields: String,
    /// The offset of the next record.
    offset: usize,
}

impl RecordPager {
    /// A token is valid with its module, whatever `fields` come with it; another module's
    /// token is an unknown one (INVALID_DATA).
    pub fn new() -> Self {
        RecordPager {
            bind_fields: false,
            token_expiry: None,
            tokens: Mutex::new(HashMap::new()),
            seq: AtomicUsize::new(0),
        }
    }

    /// A token is valid with its module and the same `fields` only; otherwise
    /// TOKEN_BOUND_DATA_MISMATCH (.../getRecords/examples/response-400-tokenbounddatamismatch.md).
    pub fn binding_fields() -> Self {
        RecordPager {
            bind_fields: true,
            ..RecordPager::new()
        }
    }

    /// Pages with more records after them say when their `next_page_token` expires
    /// (`info.page_token_expiry`, as in .../getRecords/examples/response-200-leads.md).
    pub fn with_token_expiry(self, expiry: &'static str) -> Self {
        RecordPager {
            token_expiry: Some(expiry),
            ..self
        }
    }

    /// One page of `module`'s `total` records; `record(i)` is the i-th record whole, of
    /// which the page keeps `id` and the `fields` asked for.
    pub fn page(
        &self,
        req: &Request,
        module: &str,
        total: usize,
        record: impl Fn(usize) -> Value,
    ) -> Answer {
        let Some(fields) = req.query_param("fields").filter(|f| !f.is_empty()) else {
            // .../getRecords/examples/response-400-requiredparammissing.md
            return crm_error(
                400,
                "REQUIRED_PARAM_MISSING",
                "required param is missing",
                json!({"param_name": "fields"}),
            );
        };
        let Some(per_page) = number(req, "per_page", 200).filter(|p| (1..=200).contains(p)) else {
            return crm_error(
                400,
                "INVALID_DATA",
                "invalid data",
                json!({"param_name": "per_page"}),
            );
        };
        let offset = match req.query_param("page_token") {
            Some(token) => {
                if req.query_param("page").is_some() {
                    // Assumed: the spec lists AMBIGUITY_DURING_PROCESSING among getRecords'
                    // errors; which parameters trigger it is not published. Neither the
                    // recipe nor `collect` sends both.
                    return crm_error(
                        400,
                        "AMBIGUITY_DURING_PROCESSING",
                        "ambiguity while processing the request",
                        json!({"ambiguity_due_to": [{"param_name": "page"}, {"param_name": "page_token"}]}),
                    );
                }
                match self.continued(token, module, fields) {
                    Ok(offset) => offset,
                    Err(answer) => return answer,
                }
            }
            None => {
                let Some(page) = number(req, "page", 1).filter(|p| *p >= 1) else {
                    return crm_error(
                        400,
                        "INVALID_DATA",
                        "invalid data",
                        json!({"param_name": "page"}),
                    );
                };
                if page * per_page > 2_000 {
                    // .../getRecords/examples/response-400-discretepaginationlimitexceeded.md
                    return crm_error(
                        400,
                        "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                        "You can only get the first 2000 records without using page_token param",
                        json!({"limit": 2000}),
                    );
                }
                (page - 1) * per_page
            }
        };
        if offset >= 100_000 {
            // .../getRecords/examples/response-400-paginationlimitexceeded.md
            return crm_error(
                400,
                "PAGINATION_LIMIT_EXCEEDED",
                "You can only get upto 100000 records using page_token param",
                json!({"param_name": "page_token"}),
            );
        }
        let to = (offset + per_page).min(total);
        if offset >= to {
            // "204: ... no records match" (operation.md)
            return (204, None);
        }
        let wanted: BTreeSet<&str> = fields.split(',').collect();
        let data: Vec<Value> = (offset..to)
            .map(|i| {
                let kept: Map<String, Value> = record(i)
                    .as_object()
                    .expect("record")
                    .iter()
                    .filter(|(k, _)| *k == "id" || wanted.contains(k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(kept)
            })
            .collect();
        let more = to < total;
        let next = more.then(|| {
            let n = self.seq.fetch_add(1, Ordering::SeqCst);
            let token = format!("c8582{n:04}9e7c7{:x}", to * 31 + 7);
            let issued = PageToken {
                module: module.to_string(),
                fields: fields.to_string(),
                offset: to,
            };
            self.tokens
                .lock()
                .expect("tokens")
                .insert(token.clone(), issued);
            token
        });
        // `info` as in .../getRecords/examples/response-200-leads.md
        let mut info = json!({
            "call": false,
            "per_page": per_page,
            "next_page_token": next,
            "count": to - offset,
            "sort_by": "id",
            "page": offset / per_page + 1,
            "page_token_expiry": if more { json!(self.token_expiry) } else { Value::Null },
            "sort_order": "desc",
            "email": false,
            "more_records": more,
            "previous_page_token": null
        });
        if self.token_expiry.is_none() {
            info.as_object_mut()
                .expect("info")
                .shift_remove("page_token_expiry");
        }
        (200, Some(json!({"data": data, "info": info})))
    }

    /// Where `token` continues `module`'s list asked with `fields`, or the error it gets.
    fn continued(&self, token: &str, module: &str, fields: &str) -> Result<usize, Answer> {
        let tokens = self.tokens.lock().expect("tokens");
        let invalid = || {
            crm_error(
                400,
                "INVALID_DATA",
                "invalid data",
                json!({"param_name": "page_token"}),
            )
        };
        let Some(t) = tokens.get(token) else {
            return Err(invalid());
        };
        if !self.bind_fields {
            return if t.module == module {
                Ok(t.offset)
            } else {
                Err(invalid())
            };
        }
        if t.module != module || t.fields != fields {
            return Err(crm_error(
                400,
                "TOKEN_BOUND_DATA_MISMATCH",
                "Token bound data mismatch",
                json!({"param_name": "fields"}),
            ));
        }
        Ok(t.offset)
    }
}

impl Default for RecordPager {
    fn default() -> Self {
        RecordPager::new()
    }
}

/// A Desk list (departments, agents, contacts, tickets) read by `from` and `limit`
/// (default 0 and 10): `{"data": [...]}`, an HTTP 204 past the end, a 422 for a `from` or
/// `limit` that is not a number or a `limit` of 0 or above `max_limit` (codes and
/// messages assumed).
pub struct DeskList {
    pub total: usize,
    pub max_limit: usize,
    /// `from` counts from 1 (`from=0` reads as 1): Desk documents `from` both ways, and
    /// pages asked with a 0-based `from` then overlap by one record.
    pub one_based: bool,
}

impl DeskList {
    /// The page a request asks for; `record(i)` is the i-th record.
    pub fn page(&self, req: &Request, record: impl Fn(usize) -> Value) -> Answer {
        let unprocessable =
            |message: &str| (422, Some(desk_error_body("UNPROCESSABLE_ENTITY", message)));
        let (Some(from), Some(limit)) = (number(req, "from", 0), number(req, "limit", 10)) else {
            return unprocessable("An invalid value has been provided for from or limit");
        };
        if limit == 0 || limit > self.max_limit {
            return unprocessable("An invalid value has been provided for limit");
        }
        let start = if self.one_based {
            from.max(1) - 1
        } else {
            from
        };
        let end = (start + limit).min(self.total);
        if start >= end {
            return (204, None);
        }
        (
            200,
            Some(json!({"data": (start..end).map(record).collect::<Vec<_>>()})),
        )
    }
}
