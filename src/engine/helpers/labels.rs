//! How records and lists are named in messages, in both languages, the same in every rule:
//! a CRM user, a Desk contact, a module, "a, b and 3 more". Rules used to carry their own
//! copies of these, and the copies drifted apart.

use super::Helpers;
use super::text::scalar_text;
use crate::doc::Value;
use crate::engine::node::Node;
use rhai::{Array, Dynamic, Engine, INT};

/// The text of member `key` of a record (`None` when absent, null or not a scalar).
fn text(n: &Node, key: &str) -> Option<String> {
    n.as_object()?
        .get(key)
        .filter(|v| !v.is_null())
        .and_then(Value::scalar_text)
        .map(|t| t.into_owned())
}

/// The text of member `key`, or "" (as `${x}` shows an absent value).
fn shown(n: &Node, key: &str) -> String {
    text(n, key).unwrap_or_default()
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A CRM user: `Mori Takumi <taku.mori@example.jp> (id 572...)`.
pub fn user_label(u: &Node) -> String {
    let mut name = shown(u, "full_name");
    if blank(&name) {
        name = format!("{} {}", shown(u, "first_name"), shown(u, "last_name"))
            .trim()
            .to_owned();
    }
    let email = text(u, "email").filter(|e| !blank(e));
    let email = email.as_deref().unwrap_or("no email");
    let id = shown(u, "id");
    if blank(&name) {
        format!("{email} (id {id})")
    } else {
        format!("{name} <{email}> (id {id})")
    }
}

/// A CRM user in Japanese, family name first: `「森 拓海」(taku.mori@example.jp、ID: 572...)`.
pub fn user_label_ja(u: &Node) -> String {
    let (last, first) = (shown(u, "last_name"), shown(u, "first_name"));
    let mut name = if !blank(&last) && !blank(&first) {
        format!("{last} {first}")
    } else {
        shown(u, "full_name")
    };
    if blank(&name) {
        name = format!("{last}{first}").trim().to_owned();
    }
    let email = text(u, "email")
        .filter(|e| !blank(e))
        .map(|e| format!("{e}、"))
        .unwrap_or_default();
    let id = shown(u, "id");
    if blank(&name) {
        format!("{email}ID: {id}")
    } else {
        format!("「{name}」({email}ID: {id})")
    }
}

/// The CRM id a Desk contact links to, if any.
fn crm_link(c: &Node) -> Option<String> {
    c.as_object()?
        .get("zohoCRMContact")?
        .get("id")
        .filter(|v| !v.is_null())
        .and_then(Value::scalar_text)
        .map(|t| t.into_owned())
}

/// A Desk contact and its CRM link: `Yui Tanaka (2389...) -> CRM 572...`.
pub fn desk_contact_label(c: &Node) -> String {
    let name = format!("{} {}", shown(c, "firstName"), shown(c, "lastName"))
        .trim()
        .to_owned();
    let crm = crm_link(c).unwrap_or_else(|| "no id".to_owned());
    let id = shown(c, "id");
    if blank(&name) {
        format!("{id} -> CRM {crm}")
    } else {
        format!("{name} ({id}) -> CRM {crm}")
    }
}

/// A Desk contact in Japanese, family name first.
pub fn desk_contact_label_ja(c: &Node) -> String {
    let name = format!("{} {}", shown(c, "lastName"), shown(c, "firstName"))
        .trim()
        .to_owned();
    let crm = crm_link(c).unwrap_or_else(|| "なし".to_owned());
    let id = shown(c, "id");
    if blank(&name) {
        format!("ID: {id}(連携先のZoho CRMのID: {crm})")
    } else {
        format!("「{name}」(ID: {id}、連携先のZoho CRMのID: {crm})")
    }
}

/// A module by its API name, with its label when that differs: `Vehicles (車両)`.
pub fn module_label(m: &Node) -> String {
    let api = shown(m, "api_name");
    let label = text(m, "plural_label").or_else(|| text(m, "module_name"));
    match label {
        Some(l) if !blank(&l) && !l.trim().eq_ignore_ascii_case(api.trim()) => {
            format!("{api} ({l})")
        }
        _ => api,
    }
}

/// A module as the CRM UI names it: its label, else its API name.
pub fn module_ui_name(m: &Node) -> String {
    let label = text(m, "plural_label")
        .or_else(|| text(m, "singular_label"))
        .or_else(|| text(m, "module_name"));
    match label {
        Some(l) if !blank(&l) => l,
        _ => shown(m, "api_name"),
    }
}

/// At most `n` of `labels`, joined with `sep`, and what is left over said by `more`.
fn sample(labels: &Array, n: INT, sep: &str, more: impl Fn(usize) -> String) -> String {
    let n = usize::try_from(n).unwrap_or(0);
    let shown: Vec<String> = labels.iter().take(n).map(ToString::to_string).collect();
    let text = shown.join(sep);
    if labels.len() > n {
        format!("{text}{}", more(labels.len() - n))
    } else {
        text
    }
}

/// The position of a node in its list (the last step of its pointer), for document order.
fn position(x: &Dynamic) -> i64 {
    x.read_lock::<Node>()
        .and_then(|n| n.pointer().rsplit('/').next()?.parse().ok())
        .unwrap_or(i64::MAX)
}

/// Registers the naming helpers (`user_label`, `desk_contact_label`, `module_label`,
/// `sample`, ... and their `_ja` forms), `id_text`, `trimmed` and `first_in_order`.
/// How a customer reads the name of a part of the export:
/// 「Zoho Deskの問い合わせの一覧(desk.tickets)」; a part not named here keeps its key.
pub fn part_ja(part: &str) -> String {
    let name = match part {
        "crm.org" => "Zoho CRMの組織情報",
        "crm.users" => "Zoho CRMのユーザーの一覧",
        "crm.admin_users" => "Zoho CRMの管理者の一覧",
        "crm.modules" => "Zoho CRMのタブ(モジュール)の一覧",
        "crm.contacts" => "Zoho CRMの連絡先の一覧",
        "crm.leads" => "Zoho CRMの見込み客の一覧",
        "desk.organizations" => "Zoho Deskのポータルの一覧",
        "desk.departments" => "Zoho Deskの部門の一覧",
        "desk.agents" => "Zoho Deskの担当者の一覧",
        "desk.contacts" => "Zoho Deskの連絡先の一覧",
        "desk.tickets" => "Zoho Deskの問い合わせの一覧",
        "integration" => "連携の設定(integration.json)",
        _ => return part.to_owned(),
    };
    if part == "integration" {
        name.to_owned()
    } else {
        format!("{name}({part})")
    }
}

pub fn register(engine: &mut Engine) {
    Helpers::new(engine)
        .add(
            "part_ja(part)",
            "a part of the export as Japanese messages name it: `Zoho Deskの問い合わせの一覧(desk.tickets)`",
            |part: &str| part_ja(part),
        )
        .add(
            "user_label(u)",
            "a CRM user as English messages name one: `Mori Takumi <t@x.jp> (id 572...)`",
            |u: &mut Node| user_label(u),
        )
        .add(
            "user_label_ja(u)",
            "a CRM user as Japanese messages name one, family name first: `「森 拓海」(t@x.jp、ID: 572...)`",
            |u: &mut Node| user_label_ja(u),
        )
        .add(
            "desk_contact_label(c)",
            "a Desk contact and the CRM id it links to: `Yui Tanaka (2389...) -> CRM 572...`",
            |c: &mut Node| desk_contact_label(c),
        )
        .add(
            "desk_contact_label_ja(c)",
            "a Desk contact and the CRM id it links to, in Japanese, family name first",
            |c: &mut Node| desk_contact_label_ja(c),
        )
        .add(
            "module_label(m)",
            "a module by its API name, with its label when that differs: `Vehicles (車両)`",
            |m: &mut Node| module_label(m),
        )
        .add(
            "module_ui_name(m)",
            "a module's label alone, as the CRM UI shows it (its API name when it has none)",
            |m: &mut Node| module_ui_name(m),
        )
        // "a, b and 3 more"
        .add(
            "sample(labels, n)",
            "at most `n` labels: `a, b and 3 more`",
            |labels: Array, n: INT| sample(&labels, n, ", ", |k| format!(" and {k} more")),
        )
        // 「a、b、ほか3人」: `unit` counts what is left over (人, 件).
        .add(
            "sample_ja(labels, n, unit)",
            "at most `n` labels, in Japanese: `a、b、ほか3人` (`unit` counts the rest: 人, 件)",
            |labels: Array, n: INT, unit: &str| {
                sample(&labels, n, "、", |k| format!("、ほか{k}{unit}"))
            },
        )
        // A copy of the text, trimmed (Rhai's `trim` changes its string in place); `()`
        // stays `()`.
        .add(
            "trimmed(x)",
            "a trimmed copy of a text (Rhai's `trim` changes its string in place); `()` stays `()`",
            |x: Dynamic| -> Dynamic {
                scalar_text(&x).map_or(Dynamic::UNIT, |t| Dynamic::from(t.trim().to_owned()))
            },
        )
        // An id as text: trimmed, or `()` when absent or blank.
        .add(
            "id_text(x)",
            "an id as trimmed text; `()` when absent or blank",
            |x: Dynamic| -> Dynamic {
                scalar_text(&x)
                    .filter(|t| !blank(t))
                    .map_or(Dynamic::UNIT, |t| Dynamic::from(t.trim().to_owned()))
            },
        )
        // The first `n` items in the order of their list (nodes gathered from helpers
        // come in any order).
        .add(
            "first_in_order(items, n)",
            "the first `n` nodes in the order of their list (helpers may return them in any order)",
            |items: Array, n: INT| -> Array {
                let mut items = items;
                items.sort_by_key(position);
                items.truncate(usize::try_from(n).unwrap_or(0));
                items
            },
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: serde_json::Value) -> Node {
        let v = Value::from_json(&json);
        Node::root(&v).cast::<Node>()
    }

    #[test]
    fn users_are_named_with_email_and_id_and_family_name_first_in_japanese() {
        let u = node(
            serde_json::json!({"id": "1", "first_name": "拓海", "last_name": "森",
                                        "full_name": "拓海 森", "email": "t@x.jp"}),
        );
        assert_eq!(user_label(&u), "拓海 森 <t@x.jp> (id 1)");
        assert_eq!(user_label_ja(&u), "「森 拓海」(t@x.jp、ID: 1)");
        let bare = node(serde_json::json!({"id": "2", "email": " "}));
        assert_eq!(user_label(&bare), "no email (id 2)");
        assert_eq!(user_label_ja(&bare), "ID: 2");
    }

    #[test]
    fn modules_and_desk_contacts_are_named_as_people_read_them() {
        let m = node(serde_json::json!({"api_name": "Vehicles", "plural_label": "車両"}));
        assert_eq!(module_label(&m), "Vehicles (車両)");
        assert_eq!(module_ui_name(&m), "車両");
        let same = node(serde_json::json!({"api_name": "Deals", "plural_label": "deals"}));
        assert_eq!(module_label(&same), "Deals");
        let c = node(
            serde_json::json!({"id": "9", "firstName": "Yui", "lastName": "Tanaka",
                                        "zohoCRMContact": {"id": "5"}}),
        );
        assert_eq!(desk_contact_label(&c), "Yui Tanaka (9) -> CRM 5");
        assert_eq!(
            desk_contact_label_ja(&c),
            "「Tanaka Yui」(ID: 9、連携先のZoho CRMのID: 5)"
        );
    }

    #[test]
    fn samples_say_how_many_more_there_are() {
        let labels: Array = ["a", "b", "c"].iter().map(|s| Dynamic::from(*s)).collect();
        assert_eq!(
            sample(&labels, 2, ", ", |k| format!(" and {k} more")),
            "a, b and 1 more"
        );
        assert_eq!(
            sample(&labels, 5, ", ", |k| format!(" and {k} more")),
            "a, b, c"
        );
    }
}
