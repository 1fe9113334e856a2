//! The `serde` visitors that build `Value`s straight from the tokenizer: ids under id
//! keys become strings (or an error when they cannot be read exactly), credentials are
//! redacted without being stored, keys go through the interner.

use super::super::ids;
use super::parse_state::{KeyClass, NO_KEY, ParseState};
use crate::doc::Value;
use rhai::ImmutableString;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Where a value sits, as far as id normalisation cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    Plain,
    /// Under an id key: a number becomes a string.
    Id,
    /// Under an `...Ids` key: each number element becomes a string.
    IdList,
}

/// Builds one `Value`; the slot says what the key above it was.
pub(super) struct ValueSeed<'k> {
    pub(super) state: &'k mut ParseState,
    pub(super) slot: Slot,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::NULL)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(match self.slot {
            Slot::Id => self.state.string(&v.to_string()),
            _ => Value::int(v),
        })
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(match self.slot {
            Slot::Id => self.state.string(&v.to_string()),
            // Lazily: a float is a block of its own, not to be made for every integer.
            _ => i64::try_from(v).map_or_else(|_| Value::float(v as f64), Value::int),
        })
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(match self.slot {
            // Past 2^53 a float has lost digits: two different ids could read the same,
            // and a rule comparing them would be fooled. Refuse rather than guess.
            Slot::Id if !ids::float_id_is_exact(v) => {
                return Err(E::custom(format!(
                    "an id too large to read exactly ({v:e}, beyond any integer type or written \
                     with a fraction or exponent); an id must never pass through a float: \
                     write it as a string in quotes, or save the API response again"
                )));
            }
            Slot::Id => self.state.string(&ids::float_id_text(v)),
            _ => Value::float(v),
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        if let Some(array) = self.state.placeholder(v) {
            return Ok(array);
        }
        Ok(self.state.string(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        if let Some(array) = self.state.placeholder(&v) {
            return Ok(array);
        }
        Ok(self.state.string(&v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let slot = match self.slot {
            Slot::IdList => Slot::Id,
            _ => Slot::Plain,
        };
        // Nested containers push above `start` and take their own items off again.
        let start = self.state.items.len();
        while let Some(v) = seq.next_element_seed(ValueSeed {
            state: &mut *self.state,
            slot,
        })? {
            self.state.items.push(v);
        }
        Ok(self.state.array_from(start))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let start = self.state.entries.len();
        let mut prev = NO_KEY;
        while let Some((key, class, ix)) = map.next_key_seed(KeySeed {
            state: &mut *self.state,
            prev,
        })? {
            prev = ix;
            let value = match class {
                KeyClass::Secret => map.next_value_seed(SecretSeed {
                    state: &mut *self.state,
                })?,
                KeyClass::Id | KeyClass::IdList | KeyClass::Plain => {
                    let slot = match class {
                        KeyClass::Id => Slot::Id,
                        KeyClass::IdList => Slot::IdList,
                        _ => Slot::Plain,
                    };
                    map.next_value_seed(ValueSeed {
                        state: &mut *self.state,
                        slot,
                    })?
                }
            };
            self.state.entries.push((key, value));
        }
        Ok(self.state.object_from(start))
    }
}

/// Reads an object key through the interner (`prev`: the index of the key before it).
struct KeySeed<'k> {
    state: &'k mut ParseState,
    prev: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = (ImmutableString, KeyClass, usize);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = (ImmutableString, KeyClass, usize);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.state.intern(self.prev, v))
    }
}

/// Reads (and drops) a credential's value: null stays null so "no token" still reads as
/// such; anything else becomes `[REDACTED]` without ever being stored.
struct SecretSeed<'k> {
    state: &'k mut ParseState,
}

impl<'de> DeserializeSeed<'de> for SecretSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SecretSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::NULL)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Value, E> {
        Ok(self.state.redacted())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(self.state.redacted())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(self.state.redacted())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(self.state.redacted())
    }

    fn visit_str<E>(self, _: &str) -> Result<Value, E> {
        Ok(self.state.redacted())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.state.redacted())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(self.state.redacted())
    }
}
