//! Definitions the catalogue fixes once for every rule (export-format.md).

use super::text::{fold, scalar_text};
use crate::engine::node::Node;
use rhai::{Dynamic, Engine};

/// A CRM module is visible when its `status` is `visible` if it has a `status`; else
/// when its `visibility` is 1 if it has one; else it is visible.
pub fn module_visible(m: &Node) -> bool {
    let Some(o) = m.as_object() else {
        return false;
    };
    let text = |k: &str| {
        o.get(k)
            .filter(|v| !v.is_null())
            .and_then(|v| v.scalar_text())
    };
    if let Some(status) = text("status") {
        return fold(&status) == "visible";
    }
    if let Some(vis) = text("visibility") {
        return vis.trim() == "1";
    }
    true
}

pub fn register(engine: &mut Engine) {
    engine
        .register_fn("module_visible", |m: &mut Node| module_visible(m))
        .register_fn("module_visible", |_m: ()| false)
        // A Desk agent without a status (absent, null or blank) counts as ACTIVE.
        .register_fn("agent_active", |a: &mut Node| {
            a.as_object().is_some_and(|o| {
                o.get("status")
                    .and_then(|v| v.scalar_text())
                    .filter(|s| !s.trim().is_empty())
                    .is_none_or(|s| fold(&s) == "active")
            })
        })
        .register_fn("user_active", |u: &mut Node| {
            u.as_object().is_some_and(|o| {
                o.get("status")
                    .and_then(|v| v.scalar_text())
                    .is_some_and(|s| fold(&s) == "active")
            })
        })
        .register_fn("is_true", |x: Dynamic| {
            x.as_bool().unwrap_or(false) || scalar_text(&x).is_some_and(|t| fold(&t) == "true")
        });
}
