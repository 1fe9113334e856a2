//! Joins of two lists by a key: the records of one with no match in the other ("every
//! active CRM user has a Desk agent"), the join such rules need and would otherwise write
//! as two loops. Blank keys match nothing (`Keys::each_text`).

use super::lists::{Keys, in_set, select};
use super::sets::set_of;
use crate::engine::node::Node;
use rhai::{Dynamic, Engine, EvalAltResult};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// The items of `a` whose `key_a` matches no `key_b` of `b`; `ci`: trimmed and
/// case-insensitive. Linear in both lists.
fn without_match(
    fname: &str,
    a: &Node,
    key_a: &Dynamic,
    b: &Node,
    key_b: &Dynamic,
    ci: bool,
) -> Res<Node> {
    let other = set_of(b, key_b, ci)?;
    let mut matched = in_set(Keys::parse(fname, key_a)?, other);
    select(a, fname, |v| !matched(v))
}

pub fn register(engine: &mut Engine) {
    engine
        .register_fn(
            "without_match",
            |a: &mut Node, key_a: Dynamic, b: Node, key_b: Dynamic| {
                without_match("without_match", a, &key_a, &b, &key_b, false)
            },
        )
        .register_fn(
            "without_match_ci",
            |a: &mut Node, key_a: Dynamic, b: Node, key_b: Dynamic| {
                without_match("without_match_ci", a, &key_a, &b, &key_b, true)
            },
        );
}

#[cfg(test)]
mod tests {
    use crate::doc::Value;
    use crate::engine::{Limits, build, node::Node};

    fn eval(expr: &str) -> String {
        let doc = Value::from_json(&serde_json::json!({
            "users": [
                {"id": "1", "email": "A@x.jp"},
                {"id": "2", "email": "  "},
                {"id": "3", "email": "c@x.jp"},
                {"id": "4"}
            ],
            "agents": [{"emailId": "a@x.jp"}, {"emailId": ""}, {"emailId": "C@X.JP "}]
        }));
        let engine = build(&Limits::default());
        let mut scope = rhai::Scope::new();
        scope.push("doc", Node::root(&doc));
        engine
            .eval_with_scope::<rhai::Dynamic>(&mut scope, expr)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn items_without_a_match_are_kept_and_blank_keys_match_nothing() {
        // Case-insensitive: users 1 and 3 have agents; 2 (blank email) and 4 (none) do not,
        // although an agent's emailId is "" (blank keys never match).
        assert_eq!(
            eval(
                r#"to_array(without_match_ci(doc.users, "email", doc.agents, "emailId")).map(|u| u.id)"#
            ),
            r#"["2", "4"]"#
        );
        // Exact: only user 1's case differs from its agent.
        assert_eq!(
            eval(
                r#"to_array(without_match(doc.users, "email", doc.agents, "emailId")).map(|u| u.id)"#
            ),
            r#"["1", "2", "3", "4"]"#
        );
        assert_eq!(eval(r#"set_of_ci(doc.agents, "emailId").len()"#), "2");
    }
}
