//! What both stand-ins for the Zoho APIs (`tests/collect.rs`, `tests/export_recipe.rs`)
//! answer alike: the error envelopes and the `page`/`per_page` window of CRM's GET /users.

use super::replay::Request;
use serde_json::{Value, json};

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
