//! What both export forms read into before interpretation: parts, each made of pages of
//! parsed JSON, with where every page came from. `bundle` and `single` produce a `Raw`;
//! `parts` turns it into the document. Keeping this in between is what makes the two
//! forms follow the same rules for envelopes, errors and types.

use crate::doc::{Place, Value};
use std::fmt;
use std::path::PathBuf;

/// CRM list resources: the document key (also the bundle file stem) and the envelope
/// key of its API response.
pub(crate) const CRM_LISTS: &[(&str, &str)] = &[
    ("users", "users"),
    ("admin_users", "users"),
    ("modules", "modules"),
    ("contacts", "data"),
    ("leads", "data"),
];

/// Desk list resources (all in a `data` envelope).
pub(crate) const DESK_LISTS: &[&str] = &[
    "organizations",
    "departments",
    "agents",
    "contacts",
    "tickets",
];

/// Envelope keys the APIs wrap data in. Seeing one of them that is not the expected one
/// means the file holds another endpoint's response.
pub(crate) const ENVELOPES: &[&str] =
    &["org", "users", "modules", "fields", "related_lists", "data"];

/// Keys a list response may carry besides its data; an object of only these is an empty page.
pub(crate) const PAGINATION: &[&str] = &["info", "page_info"];

/// One part of an export, as `meta.present` names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PartId {
    CrmOrg,
    /// A key of `CRM_LISTS`.
    CrmList(&'static str),
    /// `crm.fields.<Module>`
    CrmFields(String),
    /// `crm.related_lists.<Module>`
    CrmRelatedLists(String),
    /// A key of `DESK_LISTS`.
    DeskList(&'static str),
    Integration,
}

impl PartId {
    /// The CRM list part for a document key, if it is one.
    pub(crate) fn crm_list(key: &str) -> Option<PartId> {
        CRM_LISTS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(k, _)| PartId::CrmList(k))
    }

    /// The Desk list part for a document key, if it is one.
    pub(crate) fn desk_list(key: &str) -> Option<PartId> {
        DESK_LISTS
            .iter()
            .find(|k| **k == key)
            .map(|k| PartId::DeskList(k))
    }

    /// The name in `meta.present` / `meta.failed`.
    pub(crate) fn name(&self) -> String {
        match self {
            PartId::CrmOrg => "crm.org".to_string(),
            PartId::CrmList(k) => format!("crm.{k}"),
            PartId::CrmFields(m) => format!("crm.fields.{m}"),
            PartId::CrmRelatedLists(m) => format!("crm.related_lists.{m}"),
            PartId::DeskList(k) => format!("desk.{k}"),
            PartId::Integration => "integration".to_string(),
        }
    }

    /// Where the part sits in the document: `["crm", "users"]`, `["crm", "fields", m]`.
    pub(crate) fn tokens(&self) -> Vec<String> {
        let p = |s: &[&str]| s.iter().map(ToString::to_string).collect();
        match self {
            PartId::CrmOrg => p(&["crm", "org"]),
            PartId::CrmList(k) => p(&["crm", k]),
            PartId::CrmFields(m) => p(&["crm", "fields", m]),
            PartId::CrmRelatedLists(m) => p(&["crm", "related_lists", m]),
            PartId::DeskList(k) => p(&["desk", k]),
            PartId::Integration => p(&["integration"]),
        }
    }

    /// Every part that is not one of a map of modules.
    pub(crate) fn fixed() -> impl Iterator<Item = PartId> {
        let crm = CRM_LISTS.iter().map(|(k, _)| PartId::CrmList(k));
        let desk = DESK_LISTS.iter().map(|k| PartId::DeskList(k));
        [PartId::CrmOrg, PartId::Integration]
            .into_iter()
            .chain(crm)
            .chain(desk)
    }

    /// Whether records are addressed by index (everything but org and integration).
    pub(crate) fn is_list(&self) -> bool {
        !matches!(self, PartId::CrmOrg | PartId::Integration)
    }

    /// The key the API wraps this part's data in.
    pub(crate) fn envelope(&self) -> &'static str {
        match self {
            PartId::CrmOrg => "org",
            PartId::CrmList(k) => CRM_LISTS
                .iter()
                .find(|(key, _)| key == k)
                .map_or("data", |(_, env)| env),
            PartId::CrmFields(_) => "fields",
            PartId::CrmRelatedLists(_) => "related_lists",
            PartId::DeskList(_) | PartId::Integration => "data",
        }
    }
}

/// Where a page came from: a file, and in a single-file export the key inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file, as the user would write it.
    pub file: String,
    /// The dotted key inside the file (`crm.users` in a single-file export, an envelope
    /// key such as `users`); `None`: the file's whole value.
    pub key: Option<String>,
}

impl Origin {
    pub(crate) fn file(file: &str) -> Origin {
        Origin {
            file: file.to_string(),
            key: None,
        }
    }

    pub(crate) fn key(file: &str, key: &str) -> Origin {
        Origin {
            file: file.to_string(),
            key: Some(key.to_string()),
        }
    }

    /// Names a key inside this page's response: "users.json, key `users`" or
    /// "export.json, key `crm.users.users`".
    pub(crate) fn at(&self, inner: &str) -> Origin {
        let key = match &self.key {
            Some(k) => format!("{k}.{inner}"),
            None => inner.to_string(),
        };
        Origin::key(&self.file, &key)
    }

    /// "x.json, key `crm.users`" in `lang`.
    pub fn text(&self, lang: crate::bilingual::Lang) -> String {
        match (&self.key, lang) {
            (Some(k), crate::bilingual::Lang::Ja) => format!("{} のキー `{k}`", self.file),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{}, key `{k}`", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One file's (or one key's) content. `None`: a blank file (HTTP 204).
#[derive(Clone, Debug)]
pub(crate) struct Page {
    /// Where the page came from, as messages name it.
    pub origin: Origin,
    /// The file on disk, and the path inside it to this page's response (empty: the
    /// whole file), for `Provenance`.
    pub file: PathBuf,
    /// The path inside `file` to the page's response (empty: the whole file).
    pub at: Vec<String>,
    /// The parsed response; `None` for a blank file.
    pub content: Option<Value>,
}

/// A part that was exported, as one or more pages (a page directory gives several).
#[derive(Clone, Debug)]
pub(crate) struct RawPart {
    /// Which part.
    pub id: PartId,
    /// Its pages in reading order (page files sorted by name); at least one.
    pub pages: Vec<Page>,
}

/// Everything read from one export, not yet interpreted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Raw {
    /// The parts exported, in the order the layout was read.
    pub parts: Vec<RawPart>,
    /// What the reading noticed that is not an error.
    pub notes: Vec<super::Note>,
    /// Failures found while reading the layout (a section of the wrong type), by part name.
    pub failed: Vec<(String, super::Failure)>,
    /// What `manifest.json` says (empty when there is none).
    pub manifest: super::manifest::Manifest,
    /// Where the form puts places of the document other than parts (the root of a
    /// single-file export), for `Provenance`.
    pub places: Vec<(Vec<String>, Place)>,
}
