//! Reading a CloudEvent from CBOR, held to the rules of the JSON format.

use ciborium::Value as Cbor;
use serde_json::{Map, Value as Json};

use crate::cloudevents_json::{self, CONTEXT_ATTRIBUTES, DATA, DATA_BASE64, EventError};
use crate::event::{Event, MAX_DEPTH};
use crate::json_view::cbor_to_json;

impl Event {
    /// Reads an event from a CBOR map with the members of CloudEvents structured JSON, refusing
    /// an attribute of a CBOR type JSON would not give it rather than converting it.
    ///
    /// Every member is checked as in JSON, and besides:
    ///
    /// - the keys must be text strings;
    /// - `specversion`, `id`, `source`, `type`, `datacontenttype`, `dataschema`, `subject`,
    ///   `time` and `data_base64` must be text strings (a byte string, a number or a tagged
    ///   value is refused, naming the attribute);
    /// - an extension must be a text string, a boolean or an integer of 32 bits (not a float,
    ///   a byte string or a tagged value);
    /// - `null` (and `undefined`, which the CBOR decoder reads as `null`) means absent, as
    ///   `null` does in JSON;
    /// - arrays and maps nest at most [`MAX_DEPTH`] deep, the event's own map counted and map
    ///   keys counted as well as values.
    ///
    /// `data` is converted to JSON by [`cbor_to_json`](crate::cbor_to_json) and then taken as
    /// JSON `data` is: for a JSON content type (or none), the event's `data` is that JSON's
    /// text; for another content type, a text string's UTF-8 bytes, and any other value's JSON
    /// text. A byte string in `data` therefore arrives as its base64 text, not as its bytes;
    /// binary data is sent as base64 text in `data_base64`.
    pub fn from_cbor(value: Cbor) -> Result<Event, EventError> {
        if cbor_nests_deeper_than(&value, MAX_DEPTH) {
            return Err(EventError::TooDeep { limit: MAX_DEPTH });
        }
        let Cbor::Map(entries) = value else {
            return Err(EventError::NotCbor(format!(
                "expected a map, found {}",
                cbor_kind(&value)
            )));
        };
        let mut members = Map::new();
        for (key, value) in entries {
            let Cbor::Text(name) = key else {
                return Err(EventError::NotCbor(format!(
                    "a member's key must be a text string, found {}",
                    cbor_kind(&key)
                )));
            };
            let value = if name == DATA {
                cbor_to_json(value)
            } else {
                attribute_to_json(&name, value)?
            };
            members.insert(name, value);
        }
        cloudevents_json::from_json_value(Json::Object(members))
    }
}

/// The JSON value of attribute `name`, if its CBOR type is one JSON would give it.
fn attribute_to_json(name: &str, value: Cbor) -> Result<Json, EventError> {
    let string_only = CONTEXT_ATTRIBUTES.contains(&name) || name == DATA_BASE64;
    match value {
        Cbor::Null => Ok(Json::Null),
        Cbor::Text(text) => Ok(Json::String(text)),
        other if string_only => Err(EventError::invalid(
            name,
            format!("must be a text string, found {}", cbor_kind(&other)),
        )),
        Cbor::Bool(b) => Ok(Json::Bool(b)),
        Cbor::Integer(i) => {
            let i = i128::from(i);
            i32::try_from(i).map(Json::from).map_err(|_| {
                EventError::invalid(name, format!("is {i}; a number must be a 32-bit integer"))
            })
        }
        other => Err(EventError::invalid(
            name,
            format!(
                "must be a text string, boolean or integer, found {}",
                cbor_kind(&other)
            ),
        )),
    }
}

/// Whether `value` nests arrays and maps (keys included; tags not counted) more than `levels`
/// deep; recurses at most `levels + 1` calls deep, however deep the value.
fn cbor_nests_deeper_than(value: &Cbor, levels: usize) -> bool {
    let mut value = value;
    while let Cbor::Tag(_, inner) = value {
        value = inner;
    }
    let deeper = |child: &Cbor| cbor_nests_deeper_than(child, levels - 1);
    match value {
        Cbor::Array(items) => levels == 0 || items.iter().any(deeper),
        Cbor::Map(entries) => {
            levels == 0
                || entries
                    .iter()
                    .any(|(key, value)| deeper(key) || deeper(value))
        }
        _ => false,
    }
}

/// What a CBOR value is, for an error message.
fn cbor_kind(value: &Cbor) -> String {
    match value {
        Cbor::Integer(_) => "an integer".into(),
        Cbor::Bytes(_) => "a byte string".into(),
        Cbor::Float(_) => "a float".into(),
        Cbor::Text(_) => "a text string".into(),
        Cbor::Bool(_) => "a boolean".into(),
        Cbor::Null => "null".into(),
        Cbor::Tag(tag, _) => format!("a value with tag {tag}"),
        Cbor::Array(_) => "an array".into(),
        Cbor::Map(_) => "a map".into(),
        _ => "a CBOR value of another kind".into(),
    }
}
