//! Reading the document: indexing, property access, length, keys, iteration, pointers.

use super::helper_error;
use crate::engine::node::Node;
use rhai::{Array, Dynamic, Engine, EvalAltResult, INT};

type Res<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Node>("Node")
        .register_iterator::<Node>()
        // `x.key` falls back to this indexer when no property getter exists.
        .register_indexer_get(|n: &mut Node, key: &str| -> Res<Dynamic> {
            n.get_key(key).map_err(helper_error)
        })
        .register_indexer_get(|n: &mut Node, i: INT| -> Res<Dynamic> {
            n.get_index(i).map_err(helper_error)
        })
        .register_fn("len", |n: &mut Node| n.len() as INT)
        .register_fn("is_empty", |n: &mut Node| n.is_empty())
        .register_fn("keys", |n: &mut Node| -> Array {
            n.as_object().map_or_else(Array::new, |o| {
                o.keys().map(|k| Dynamic::from(k.clone())).collect()
            })
        })
        // `key in object` / `value in list`
        .register_fn("contains", |n: &mut Node, x: Dynamic| contains(n, &x))
        .register_fn("ptr", |n: &mut Node| n.pointer())
        .register_fn("ptr", |n: &mut Node, key: &str| {
            let mut p = n.pointer();
            p.push('/');
            crate::engine::path::push_escaped(&mut p, key);
            p
        })
        .register_fn("ptr", |n: &mut Node, i: INT| format!("{}/{i}", n.pointer()))
        .register_fn("to_array", |n: &mut Node| -> Res<Array> {
            match n.as_list() {
                Some(l) => Ok((0..l.len()).filter_map(|i| n.item(i)).collect()),
                None => Err(helper_error(format!(
                    "to_array: `{}` is an object, not a list",
                    n.pointer()
                ))),
            }
        })
        .register_fn("to_json", |n: &mut Node| {
            serde_json::to_string(&n.to_value()).unwrap_or_default()
        })
        .register_fn("to_string", |n: &mut Node| short_json(n))
        .register_fn("to_debug", |n: &mut Node| short_json(n))
        .register_fn("is_list", |x: Dynamic| {
            x.read_lock::<Node>().is_some_and(|n| n.as_list().is_some())
        })
        .register_fn("is_object", |x: Dynamic| {
            x.read_lock::<Node>()
                .is_some_and(|n| n.as_object().is_some())
        });
}

fn contains(n: &Node, x: &Dynamic) -> bool {
    let Some(text) = super::text::scalar_text(x) else {
        return false;
    };
    match (n.as_object(), n.as_list()) {
        (Some(o), _) => o.contains_key(&text),
        (_, Some(l)) => l
            .iter()
            .any(|(_, v)| v.scalar_text().is_some_and(|t| t == text.as_str())),
        _ => false,
    }
}

/// JSON, cut to a length that fits a log line.
fn short_json(n: &Node) -> String {
    const MAX: usize = 300;
    let s = serde_json::to_string(&n.to_value()).unwrap_or_default();
    if s.len() <= MAX {
        return s;
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}
