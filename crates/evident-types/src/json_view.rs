//! States and commands as JSON, for people and tests: JSON as is, CBOR converted (and the
//! conversion [`crate::Event::from_cbor`] uses for `data`).

use crate::payload::{State, content_type};

impl State {
    /// The state as a JSON value: JSON as is, CBOR converted (see [`cbor_to_json`]); `None` for
    /// other formats or bytes that do not decode.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self.content_type.as_str() {
            content_type::JSON => serde_json::from_slice(&self.bytes).ok(),
            content_type::CBOR => ciborium::from_reader::<ciborium::Value, _>(&self.bytes[..])
                .ok()
                .map(cbor_to_json),
            _ => None,
        }
    }
}

/// CBOR as JSON, for reading a CBOR state or an event's CBOR `data` (see [`Event::from_cbor`]):
///
/// - an integer becomes a JSON number if it fits in an `i64` or a `u64`, and its decimal text
///   (a JSON string) otherwise;
/// - a byte string becomes its standard base64 text, with padding (a JSON string);
/// - a float becomes a JSON number, except NaN and the infinities, which become `null`;
/// - a text string, a boolean and `null` stay what they are; `undefined` becomes `null` (the
///   CBOR decoder does not tell the two apart);
/// - a tag is dropped and the value it tags converted;
/// - an array becomes an array; a map becomes an object whose keys are text keys as they are
///   and other keys converted and printed as JSON (`1` becomes `"1"`), the last of two equal
///   keys winning.
///
/// [`Event::from_cbor`]: crate::Event::from_cbor
pub fn cbor_to_json(value: ciborium::Value) -> serde_json::Value {
    use base64::Engine as _;
    use ciborium::Value as Cbor;
    use serde_json::Value as Json;
    let mut value = value;
    // A loop, not a call per tag: a chain of tags is not a reason to use the stack.
    while let Cbor::Tag(_, inner) = value {
        value = *inner;
    }
    match value {
        Cbor::Integer(i) => {
            let i = i128::from(i);
            i64::try_from(i)
                .map(Json::from)
                .or_else(|_| u64::try_from(i).map(Json::from))
                .unwrap_or_else(|_| Json::String(i.to_string()))
        }
        Cbor::Bytes(bytes) => Json::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        Cbor::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Cbor::Text(text) => Json::String(text),
        Cbor::Bool(b) => Json::Bool(b),
        Cbor::Array(items) => Json::Array(items.into_iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => Json::Object(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let key = match cbor_to_json(key) {
                        Json::String(text) => text,
                        other => other.to_string(),
                    };
                    (key, cbor_to_json(value))
                })
                .collect(),
        ),
        // `Null`, and whatever a later `ciborium` adds.
        _ => Json::Null,
    }
}
