//! Reading the document: indexing, property access, length, keys, iteration, pointers.

use super::{Helpers, helper_error};
use crate::engine::node::Node;
use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, NativeCallContext};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Registers the `Node` type: its indexers and property access, iteration, `len`,
/// `is_empty`, `keys`, `contains`, `is_list`, `is_object`, `ptr`, `to_array` and `to_json`.
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
        });
    Helpers::new(engine)
        .add(
            "len(x)",
            "how many items a list has, or keys an object",
            |n: &mut Node| n.len() as INT,
        )
        .add(
            "is_empty(x)",
            "whether a list has no items, or an object no keys",
            |n: &mut Node| n.is_empty(),
        )
        .add(
            "keys(x)",
            "an object's keys, as an array; `[]` for a list",
            |n: &mut Node| -> Array {
                n.as_object().map_or_else(Array::new, |o| {
                    o.keys().map(|k| Dynamic::from(k.clone())).collect()
                })
            },
        )
        // `key in object` / `value in list`
        .add(
            "contains(x, value)",
            "`\"key\" in obj`: whether an object has that key; `\"v\" in list`: whether a list holds that scalar",
            |n: &mut Node, x: Dynamic| contains(n, &x),
        )
        .add(
            "ptr(x)",
            "the JSON Pointer of a node (`/crm/users/3`); nodes taken from helper results keep their real pointer",
            |n: &mut Node| n.pointer(),
        )
        .add(
            "ptr(x, key)",
            "the JSON Pointer of a node's field: `ptr(u, \"status\")` is `/crm/users/3/status`",
            |n: &mut Node, key: &str| {
                let mut p = n.pointer();
                p.push('/');
                crate::engine::path::push_escaped(&mut p, key);
                p
            },
        )
        .add(
            "ptr(list, i)",
            "the JSON Pointer of a list's item",
            |n: &mut Node, i: INT| format!("{}/{i}", n.pointer()),
        )
        .add(
            "to_array(list)",
            "a Rhai array of the items (nodes), for `map`/`filter`/`sort` on small lists (a node has none of them); an object is an error",
            |n: &mut Node| -> Res<Array> {
                match n.as_list() {
                    Some(l) => Ok((0..l.len()).filter_map(|i| n.item(i)).collect()),
                    None => Err(helper_error(format!(
                        "to_array: `{}` is an object, not a list",
                        n.pointer()
                    ))),
                }
            },
        )
        // Bounded as it is written: the whole document of a large export is hundreds of
        // megabytes of JSON, which a rule must not be able to ask for.
        .add(
            "to_json(x)",
            "the node as compact JSON text; past `--max-string-size` an error",
            |ctx: NativeCallContext, n: &mut Node| -> Res<String> {
                let max = match ctx.engine().max_string_size() {
                    0 => usize::MAX,
                    m => m,
                };
                json_at_most(n, max).ok_or_else(|| {
                    Box::new(rhai::EvalAltResult::ErrorDataTooLarge(
                        format!("to_json of {}", n.pointer()),
                        ctx.call_position(),
                    ))
                })
            },
        )
        .add(
            "to_string(x)",
            "the node's JSON, cut to 300 characters: what `print(x)` and `` `${x}` `` show",
            |n: &mut Node| short_json(n),
        )
        .add(
            "to_debug(x)",
            "the node's JSON, cut to 300 characters: what `debug(x)` shows",
            |n: &mut Node| short_json(n),
        )
        .add(
            "is_list(x)",
            "whether `x` is a document list (or list view); false for scalars and `()`",
            |x: Dynamic| x.read_lock::<Node>().is_some_and(|n| n.as_list().is_some()),
        )
        .add(
            "is_object(x)",
            "whether `x` is a document object; false for scalars and `()`",
            |x: Dynamic| {
                x.read_lock::<Node>()
                    .is_some_and(|n| n.as_object().is_some())
            },
        );
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
    match json_at_most(n, MAX) {
        Some(s) => s,
        None => {
            let mut w = Bounded::new(MAX);
            let _ = serde_json::to_writer(&mut w, &n.to_value());
            let mut s = String::from_utf8_lossy(&w.bytes).into_owned();
            // A cut may split a character: drop the partial one.
            if s.ends_with('\u{fffd}') {
                s.pop();
            }
            format!("{s}... (more)")
        }
    }
}

/// `n` as JSON when that takes at most `max` bytes; writing stops as soon as it would not.
fn json_at_most(n: &Node, max: usize) -> Option<String> {
    let mut w = Bounded::new(max);
    serde_json::to_writer(&mut w, &n.to_value()).ok()?;
    String::from_utf8(w.bytes).ok()
}

/// A writer that takes at most `max` bytes and fails past them (keeping the first `max`).
struct Bounded {
    bytes: Vec<u8>,
    max: usize,
}

impl Bounded {
    fn new(max: usize) -> Bounded {
        Bounded {
            bytes: Vec::new(),
            max,
        }
    }
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.max - self.bytes.len();
        if buf.len() > room {
            self.bytes.extend_from_slice(&buf[..room]);
            return Err(std::io::Error::other("past the limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
