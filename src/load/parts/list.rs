//! List parts: each page unwrapped from its envelope and type-checked, the pages
//! concatenated in order with a record repeated by overlapping pages kept once, and
//! whether the list was cut short (`info.more_records`). Where each page's records sit
//! (its envelope's array) is recorded as it is unwrapped, for `Provenance`.

use super::super::raw::Origin;
use super::super::raw::{ENVELOPES, PAGINATION};
use super::super::raw::{Page, PartId};
use super::super::{Failure, Note};
use super::api_error::api_error;
use crate::doc::{Kind, Object, PageData, Value};
use rhai::ImmutableString;
use std::collections::HashSet;
use std::sync::Arc;

/// A list part as loaded.
pub(super) struct ListPart {
    pub(super) value: Value,
    pub(super) len: usize,
    /// The last page, when it is a CRM response saying `info.more_records: true`.
    pub(super) more_records_at: Option<Origin>,
    /// Records dropped because their id was read before (overlapping pages).
    pub(super) dropped: Option<Dropped>,
}

/// Records of one list part whose `id` had already been read.
pub(super) struct Dropped {
    /// Index (in the pages concatenated) of every record kept, in order.
    pub(super) kept: Vec<usize>,
    /// The repeated ids, in the order met.
    ids: Vec<ImmutableString>,
    /// Where the first repeat was read.
    first_at: Origin,
}

impl Dropped {
    pub(super) fn note(&self, part: &str) -> Note {
        Note::Repeated {
            at: self.first_at.clone(),
            part: part.to_string(),
            count: self.ids.len(),
            shown: self.ids.iter().take(5).map(ToString::to_string).collect(),
        }
    }
}

/// A list part: every page unwrapped, then concatenated in page order, each record id
/// kept once. Also where each page's records sit, whether the part loads or not.
pub(super) fn list(id: &PartId, pages: &[Page]) -> (Vec<PageData>, Result<ListPart, Failure>) {
    let mut data = Vec::with_capacity(pages.len());
    let mut unwrapped = Ok(Vec::with_capacity(pages.len()));
    for page in pages {
        let (at, records) = list_page(id, page);
        data.push(at);
        if let Ok(all) = &mut unwrapped {
            match records {
                Ok(records) => all.push(records),
                Err(e) => unwrapped = Err(e),
            }
        }
    }
    (
        data,
        unwrapped.map(|unwrapped| concatenate(id, pages, unwrapped)),
    )
}

/// The pages' records in order, each record id once.
fn concatenate(id: &PartId, pages: &[Page], unwrapped: Vec<Arc<Vec<Value>>>) -> ListPart {
    // Only CRM list responses carry `info.more_records` (export-format.md).
    let more_records_at = match (id, pages.last()) {
        (PartId::CrmList(_), Some(last)) if says_more_records(last) => Some(last.origin.clone()),
        _ => None,
    };
    let dropped = repeated_ids(&unwrapped, pages);
    let value = match (&dropped, unwrapped.as_slice()) {
        // One page (the usual case, and the 500 MB one) keeps its array as parsed: no copy.
        (None, [only]) => Value::shared_array(only.clone()),
        (None, _) => {
            let mut items = Vec::with_capacity(unwrapped.iter().map(|a| a.len()).sum());
            for page in &unwrapped {
                items.extend(page.iter().cloned());
            }
            Value::array(items)
        }
        (Some(d), _) => {
            let all: Vec<&Value> = unwrapped.iter().flat_map(|p| p.iter()).collect();
            Value::array(d.kept.iter().map(|&i| all[i].clone()).collect())
        }
    };
    let len = value.as_array().map_or(0, |a| a.len());
    ListPart {
        value,
        len,
        more_records_at,
        dropped,
    }
}

/// `info.more_records` is `true` on this page.
fn says_more_records(page: &Page) -> bool {
    page.content
        .as_ref()
        .and_then(|c| c.get("info"))
        .and_then(|i| i.get("more_records"))
        .is_some_and(|m| {
            m.as_bool() == Some(true)
                || m.as_str()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("true"))
        })
}

/// The records whose `id` was already read earlier in the same list; `None` when none
/// repeats (checked first, so a list without repeats is never copied).
fn repeated_ids(pages: &[Arc<Vec<Value>>], origins: &[Page]) -> Option<Dropped> {
    fn id_of(v: &Value) -> Option<&crate::doc::Str> {
        match v.get("id").map(Value::kind) {
            Some(Kind::Str(s)) if !s.trim().is_empty() => Some(s),
            _ => None,
        }
    }
    let total: usize = pages.iter().map(|p| p.len()).sum();
    let mut seen: HashSet<&str> = HashSet::with_capacity(total);
    let all = || {
        pages
            .iter()
            .enumerate()
            .flat_map(|(p, items)| items.iter().map(move |v| (p, v)))
    };
    let first = all().position(|(_, v)| id_of(v).is_some_and(|id| !seen.insert(id.as_str())))?;
    let mut kept: Vec<usize> = (0..first).collect();
    let mut ids = Vec::new();
    let mut first_at = Origin::file("");
    for (i, (page, v)) in all().enumerate().skip(first) {
        match id_of(v) {
            Some(id) if i == first || !seen.insert(id.as_str()) => {
                if ids.is_empty() {
                    first_at = origins
                        .get(page)
                        .map_or_else(|| Origin::file(""), |p| p.origin.clone());
                }
                ids.push(id.to_immutable());
            }
            _ => kept.push(i),
        }
    }
    Some(Dropped {
        kept,
        ids,
        first_at,
    })
}

/// What an object page of a list is, before it is checked for a saved API error.
enum Shape<'a> {
    /// The part's own envelope key, else `data`, and its value.
    Envelope(&'static str, Option<&'a Value>),
    /// Another endpoint's envelope.
    OtherEnvelope(&'static str),
    /// Only pagination keys: an empty page.
    Pagination,
    /// A bare object: one record.
    Record,
}

/// One page of a list: the envelope's array, a bare array, or a bare record object; and
/// where in the page those records sit.
fn list_page(id: &PartId, page: &Page) -> (PageData, Result<Arc<Vec<Value>>, Failure>) {
    let part = id.name();
    let envelope = id.envelope();
    let Some(content) = &page.content else {
        return (PageData::None, Ok(Arc::default()));
    };
    let obj = match content.kind() {
        Kind::Null => return (PageData::None, Ok(Arc::default())),
        Kind::Array(a) => {
            let at = PageData::Array {
                at: Vec::new(),
                len: a.len(),
            };
            return (at, Ok(content.array_arc().unwrap_or_default()));
        }
        Kind::Object(o) => o,
        _ => {
            let other = content;
            let e = Failure::NotAList {
                at: page.origin.clone(),
                envelope,
                part,
                found: other.type_name(),
            };
            return (PageData::None, Err(e));
        }
    };
    let shape = shape(obj, envelope);
    let data = match shape {
        Shape::Envelope(key, Some(a)) if let Some(a) = a.as_array() => PageData::Array {
            at: vec![key.to_string()],
            len: a.len(),
        },
        Shape::Envelope(..) | Shape::OtherEnvelope(_) | Shape::Pagination => PageData::None,
        Shape::Record => PageData::Value { at: Vec::new() },
    };
    if let Some(reason) = api_error(obj, &page.origin, &part) {
        return (data, Err(reason));
    }
    let records = match shape {
        Shape::Envelope(_, None) => Ok(Arc::default()),
        Shape::Envelope(_, Some(v)) if v.is_null() => Ok(Arc::default()),
        Shape::Envelope(_, Some(v)) if let Some(a) = v.array_arc() => Ok(a),
        Shape::Envelope(key, Some(other)) => Err(Failure::EnvelopeNotAnArray {
            at: page.origin.at(key),
            part,
            found: other.type_name(),
        }),
        Shape::OtherEnvelope(other) => Err(Failure::WrongResponse {
            at: page.origin.clone(),
            other,
            envelope,
            part,
        }),
        Shape::Pagination => Ok(Arc::default()),
        // A bare object is one record (e.g. `GET /api/v1/agents/{id}` saved on its own).
        Shape::Record => Ok(Arc::new(vec![content.clone()])),
    };
    (data, records)
}

fn shape<'a>(obj: &'a Object, envelope: &'static str) -> Shape<'a> {
    // The part's own envelope first; `data` is what most APIs (and proxies) use.
    if let Some(key) = [envelope, "data"].into_iter().find(|k| obj.contains_key(k)) {
        return Shape::Envelope(key, obj.get(key));
    }
    if let Some(other) = ENVELOPES.iter().find(|k| obj.contains_key(k)) {
        return Shape::OtherEnvelope(other);
    }
    if obj.keys().all(|k| PAGINATION.contains(&k.as_str())) {
        return Shape::Pagination;
    }
    Shape::Record
}
