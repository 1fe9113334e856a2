//! Saved API error bodies: a file holding a CRM or Desk error response instead of data
//! fails its part, with the code and message clipped.

use super::super::Failure;
use super::super::raw::Origin;
use crate::doc::{Object, Value};

/// A saved API error body instead of data: `{"code": ..., "status": "error"}` (CRM) or
/// `{"errorCode": ...}` (Desk). Returns the failure reason.
pub(super) fn api_error(obj: &Object, origin: &Origin, part: &str) -> Option<Failure> {
    let text = |k: &str| {
        obj.get(k)
            .and_then(Value::scalar_text)
            .map(|t| t.trim().to_string())
    };
    let status = text("status");
    if !is_error_body(
        obj.contains_key("errorCode"),
        obj.contains_key("code"),
        status.as_deref(),
    ) {
        return None;
    }
    let code = if obj.contains_key("errorCode") {
        text("errorCode")
    } else {
        text("code")
    };
    let code = clip(&code.unwrap_or_else(|| "(none)".to_string()), 60);
    let detail = text("message")
        .filter(|m| !m.is_empty())
        .map(|m| clip(&m, 200));
    Some(Failure::ApiError {
        at: origin.clone(),
        code,
        detail,
        part: part.to_string(),
    })
}

/// Whether a response object is an error body rather than data: Desk's has an `errorCode`,
/// CRM's a `code` and `status` "error" (any case, trimmed). The one judgement of the loader
/// and of `collect`, which must not save an error as data.
pub fn is_error_body(has_error_code: bool, has_code: bool, status: Option<&str>) -> bool {
    has_error_code || (has_code && status.is_some_and(|s| s.trim().eq_ignore_ascii_case("error")))
}

/// At most `max` characters of `s` (an API's text can be arbitrarily long).
pub(super) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}
