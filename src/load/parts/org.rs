//! The parts that are one object rather than a list: the CRM org (the first element of
//! its response) and the hand-filled integration settings.

use super::super::raw::{Origin, Page};
use super::super::{Failure, Note};
use super::api_error::api_error;
use crate::doc::Value;

/// The org part: the first element of the `org` response. `Ok(None)`: the response is
/// empty, so `crm.org` is absent (with a note).
pub(super) fn org(pages: &[Page], notes: &mut Vec<Note>) -> Result<Option<Value>, Failure> {
    let Some(page) = pages.first() else {
        return Ok(None);
    };
    let empty = |notes: &mut Vec<Note>| {
        notes.push(Note::OrgEmpty {
            at: page.origin.clone(),
        });
        Ok(None)
    };
    let first_of = |items: &[Value], at: Origin, notes: &mut Vec<Note>| match items.first() {
        None => empty(notes),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(other) => Err(Failure::OrgFirstNotObject {
            at,
            found: other.type_name(),
        }),
    };
    match &page.content {
        None | Some(Value::Null) => empty(notes),
        Some(Value::Array(a)) => first_of(a, page.origin.clone(), notes),
        Some(Value::Object(o)) => {
            if let Some(reason) = api_error(o, &page.origin, "crm.org") {
                return Err(reason);
            }
            match o.get("org") {
                None => Ok(Some(Value::Object(o.clone()))),
                Some(Value::Null) => empty(notes),
                Some(Value::Array(a)) => first_of(a, page.origin.at("org"), notes),
                Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
                Some(other) => Err(Failure::OrgNotObject {
                    at: page.origin.at("org"),
                    found: other.type_name(),
                }),
            }
        }
        Some(other) => Err(Failure::OrgNotObject {
            at: page.origin.clone(),
            found: other.type_name(),
        }),
    }
}

/// The hand-filled integration settings: an object, as written. A blank file is `{}`.
pub(super) fn integration_object(pages: &[Page]) -> Result<Option<Value>, Failure> {
    let Some(page) = pages.first() else {
        return Ok(None);
    };
    match &page.content {
        None | Some(Value::Null) => Ok(Some(Value::empty_object())),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(other) => Err(Failure::IntegrationNotObject {
            at: page.origin.clone(),
            found: other.type_name(),
        }),
    }
}
