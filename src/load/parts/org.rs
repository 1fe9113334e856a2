//! The parts that are one object rather than a list: the CRM org (the first element of
//! its response) and the hand-filled integration settings, with where that object sits
//! in its page (for `Provenance`).

use super::super::raw::{Origin, Page};
use super::super::{Failure, Note};
use super::api_error::api_error;
use crate::doc::{Kind, PageData, Value};

/// The org part: the first element of the `org` response. `Ok(None)`: the response is
/// empty, so `crm.org` is absent (with a note). Also where in the page the org object
/// sits (its first element, whatever it is), whether the part loads or not.
pub(super) fn org(
    pages: &[Page],
    notes: &mut Vec<Note>,
) -> (PageData, Result<Option<Value>, Failure>) {
    let Some(page) = pages.first() else {
        return (PageData::None, Ok(None));
    };
    let empty = |notes: &mut Vec<Note>| {
        notes.push(Note::OrgEmpty {
            at: page.origin.clone(),
        });
        Ok(None)
    };
    let first_of = |items: &[Value], at: Origin, notes: &mut Vec<Note>| match items.first() {
        None => empty(notes),
        Some(v) if v.as_object().is_some() => Ok(Some(v.clone())),
        Some(other) => Err(Failure::OrgFirstNotObject {
            at,
            found: other.type_name(),
        }),
    };
    let Some(content) = &page.content else {
        return (PageData::None, empty(notes));
    };
    match content.kind() {
        Kind::Null => (PageData::None, empty(notes)),
        Kind::Array(a) => (first_at(a, &[]), first_of(a, page.origin.clone(), notes)),
        Kind::Object(o) => {
            let inner = o.get("org");
            let data = match inner.map(Value::kind) {
                None => PageData::Value { at: Vec::new() },
                Some(Kind::Array(a)) => first_at(a, &["org"]),
                Some(Kind::Object(_)) => PageData::Value {
                    at: vec!["org".to_string()],
                },
                Some(_) => PageData::None,
            };
            if let Some(reason) = api_error(o, &page.origin, "crm.org") {
                return (data, Err(reason));
            }
            let org = match inner {
                None => Ok(Some(content.clone())),
                Some(v) if v.is_null() => empty(notes),
                Some(v) if let Some(a) = v.as_array() => first_of(a, page.origin.at("org"), notes),
                Some(v) if v.as_object().is_some() => Ok(Some(v.clone())),
                Some(other) => Err(Failure::OrgNotObject {
                    at: page.origin.at("org"),
                    found: other.type_name(),
                }),
            };
            (data, org)
        }
        _ => (
            PageData::None,
            Err(Failure::OrgNotObject {
                at: page.origin.clone(),
                found: content.type_name(),
            }),
        ),
    }
}

/// Where the first element of the array at `at` sits, if it has one.
fn first_at(items: &[Value], at: &[&str]) -> PageData {
    if items.is_empty() {
        return PageData::None;
    }
    let mut at: Vec<String> = at.iter().map(ToString::to_string).collect();
    at.push("0".to_string());
    PageData::Value { at }
}

/// The hand-filled integration settings: an object, as written. A blank file is `{}`.
/// Also where the object sits (the page itself, when it is one).
pub(super) fn integration_object(pages: &[Page]) -> (PageData, Result<Option<Value>, Failure>) {
    let Some(page) = pages.first() else {
        return (PageData::None, Ok(None));
    };
    match &page.content {
        None => (PageData::None, Ok(Some(Value::empty_object()))),
        Some(v) if v.is_null() => (PageData::None, Ok(Some(Value::empty_object()))),
        Some(v) if v.as_object().is_some() => {
            (PageData::Value { at: Vec::new() }, Ok(Some(v.clone())))
        }
        Some(other) => (
            PageData::None,
            Err(Failure::IntegrationNotObject {
                at: page.origin.clone(),
                found: other.type_name(),
            }),
        ),
    }
}
