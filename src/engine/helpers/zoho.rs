//! Definitions the catalogue fixes once for every rule (export-format.md).

use super::Helpers;
use super::text::{fold, scalar_text};
use crate::engine::node::Node;
use rhai::{Dynamic, Engine};

/// A CRM module is visible when its `status` is `visible` if it has a `status`; else
/// when its `visibility` is 1 if it has one; else it is visible.
pub fn module_visible(m: &Node) -> bool {
    if m.as_object().is_none() {
        return false;
    }
    let text = |k: &str| member_text(m, k);
    if let Some(status) = text("status") {
        return fold(&status) == "visible";
    }
    if let Some(vis) = text("visibility") {
        return vis.trim() == "1";
    }
    true
}

/// The text of member `key` of an object node (`None` when absent, null, or not a scalar).
fn member_text<'n>(m: &'n Node, key: &str) -> Option<std::borrow::Cow<'n, str>> {
    m.as_object()?
        .get(key)
        .filter(|v| !v.is_null())
        .and_then(|v| v.scalar_text())
}

/// A custom module was hidden by the system (as after a plan downgrade that allows fewer
/// custom modules): `generated_type` `custom` and `status` `system_hidden`, or, without a
/// `status`, `visibility` -1. Default modules hidden by the system are normal.
pub fn custom_module_hidden_by_system(m: &Node) -> bool {
    let text = |k: &str| member_text(m, k);
    if text("generated_type").is_none_or(|t| fold(&t) != "custom") {
        return false;
    }
    match text("status") {
        Some(status) => fold(&status) == "system_hidden",
        None => text("visibility").is_some_and(|v| v.trim() == "-1"),
    }
}

/// An `integration.json` value as the API's English word: `running`, `paused`, `stopped`,
/// `keep`, `delete`, `true`, `false` for the UI's spellings in either language, else the
/// text trimmed and in lower case; `()` when absent or blank.
fn setting(x: &Dynamic) -> Dynamic {
    scalar_text(x)
        .and_then(|t| crate::load::values::canonical(&t))
        .map_or(Dynamic::UNIT, Dynamic::from)
}

/// A record's `status` as text (`None` when absent or null). Any other type is an error
/// naming where it is: reading `0` or `{...}` as "not active" (or, for an agent, as no
/// status, i.e. ACTIVE) would be a guess, and a guess can turn into a wrong pass.
fn status_text(n: &Node) -> Result<Option<&str>, Box<rhai::EvalAltResult>> {
    let Some(o) = n.as_object() else {
        return Ok(None);
    };
    let Some(status) = o.get("status") else {
        return Ok(None);
    };
    match status.kind() {
        crate::doc::Kind::Null => Ok(None),
        crate::doc::Kind::Str(s) => Ok(Some(s.as_str())),
        _ => Err(crate::engine::errors::helper_error(format!(
            "{}/status is {}, not text such as active or ACTIVE: the export is damaged or was \
             edited by hand; export this part again",
            n.pointer(),
            status.type_name()
        ))),
    }
}

type HelperResult = Result<bool, Box<rhai::EvalAltResult>>;

/// Registers the catalogue's fixed definitions: `module_visible`,
/// `custom_module_hidden_by_system`, `user_active`, `agent_active`, `setting`, `is_true`
/// and `is_false`.
pub fn register(engine: &mut Engine) {
    Helpers::new(engine)
        .add(
            "module_visible(m)",
            "a CRM module is visible: its `status` is `visible` when it has one (v8's `visibility` is a set of feature flags and is then ignored), else its `visibility` is 1 when it has one, else it is; false for `()`",
            |m: &mut Node| module_visible(m),
        )
        .overload(|_m: ()| false)
        .add(
            "custom_module_hidden_by_system(m)",
            "a custom module was hidden by the system (as after a plan downgrade): `generated_type` `custom` and `status` `system_hidden`, or `visibility` -1 without a `status`; default modules never; false for `()`",
            |m: &mut Node| custom_module_hidden_by_system(m),
        )
        .overload(|_m: ()| false)
        .add(
            "setting(x)",
            "an `integration.json` value as the API's English word, whichever language it was written in: `一時停止`/`一時停止中` -> `paused`, `停止`/`停止中` -> `stopped`, `実行中` -> `running`, `削除しない` -> `keep`, `削除する` -> `delete`, `はい`/`yes` -> `true`, `いいえ`/`no` -> `false`; other text trimmed and lower-cased; `()` when blank",
            |x: Dynamic| setting(&x),
        )
        // A Desk agent without a status (absent, null or blank) counts as ACTIVE.
        .add(
            "agent_active(a)",
            "a Desk agent is ACTIVE (any case); an agent without a `status` counts as ACTIVE; a `status` that is not text is an error",
            |a: &mut Node| -> HelperResult {
                Ok(a.as_object().is_some() && {
                    status_text(a)?
                        .filter(|s| !s.trim().is_empty())
                        .is_none_or(|s| fold(s) == "active")
                })
            },
        )
        .add(
            "user_active(u)",
            "a CRM user's `status` is `active` (any case); a `status` that is not text is an error",
            |u: &mut Node| -> HelperResult { Ok(status_text(u)?.is_some_and(|s| fold(s) == "active")) },
        )
        // `true`, or a text that means it ("true", "yes", "はい").
        .add(
            "is_true(x)",
            "`true`, or a text that means it: `\"true\"`, `\"yes\"`, `\"はい\"`, in any case",
            |x: Dynamic| {
                x.as_bool().unwrap_or(false) || setting(&x).into_string().is_ok_and(|t| t == "true")
            },
        )
        // `false`, or a text that means it ("false", "no", "いいえ").
        .add(
            "is_false(x)",
            "`false`, or a text that means it: `\"false\"`, `\"no\"`, `\"いいえ\"`, in any case",
            |x: Dynamic| {
                x.as_bool() == Ok(false) || setting(&x).into_string().is_ok_and(|t| t == "false")
            },
        );
}
