//! Where a value sits in the document, as a JSON Pointer (RFC 6901).
//!
//! Every container a rule holds remembers its path, so evidence is simply `ptr(x)`.
//! A path is a shared linked list: taking a child costs one small allocation and the
//! pointer string is only built when a rule asks for it.

use rhai::ImmutableString;
use std::sync::Arc;

/// A path from the document's root to a value: a shared linked list of keys and indices,
/// turned into a JSON Pointer only on demand (`pointer`). The default is the root.
#[derive(Clone, Debug, Default)]
pub struct NodePath(Option<Arc<Segment>>);

#[derive(Debug)]
struct Segment {
    parent: NodePath,
    step: Step,
}

#[derive(Debug)]
enum Step {
    Key(ImmutableString),
    Index(usize),
}

impl NodePath {
    /// The empty path: the document's root (pointer `""`).
    pub fn root() -> NodePath {
        NodePath(None)
    }

    /// This path followed by the object member `key`.
    #[must_use]
    pub fn key(&self, key: &ImmutableString) -> NodePath {
        NodePath(Some(Arc::new(Segment {
            parent: self.clone(),
            step: Step::Key(key.clone()),
        })))
    }

    /// This path followed by array element `index` (in the underlying array, not a view).
    #[must_use]
    pub fn index(&self, index: usize) -> NodePath {
        NodePath(Some(Arc::new(Segment {
            parent: self.clone(),
            step: Step::Index(index),
        })))
    }

    /// The JSON Pointer: `""` for the root, else `/a/0/b` with `~` and `/` escaped.
    pub fn pointer(&self) -> String {
        let mut steps = Vec::new();
        let mut cur = &self.0;
        while let Some(seg) = cur {
            steps.push(&seg.step);
            cur = &seg.parent.0;
        }
        let mut out = String::new();
        for step in steps.into_iter().rev() {
            out.push('/');
            match step {
                Step::Key(k) => push_escaped(&mut out, k),
                Step::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

/// Appends one pointer token, escaped as RFC 6901 says.
pub fn push_escaped(out: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_built_from_keys_and_indices_and_escape_tilde_and_slash() {
        let p = NodePath::root()
            .key(&"crm".into())
            .key(&"a/b~c".into())
            .index(3);
        assert_eq!(p.pointer(), "/crm/a~1b~0c/3");
        assert_eq!(NodePath::root().pointer(), "");
    }
}
