//! States and commands as JSON, for people and tests: JSON as is, CBOR converted.

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

/// CBOR as JSON: byte strings become base64, non-string map keys their JSON text, tags vanish.
pub fn cbor_to_json(value: ciborium::Value) -> serde_json::Value {
    use base64::Engine as _;
    use ciborium::Value as Cbor;
    use serde_json::Value as Json;
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
        Cbor::Tag(_, inner) => cbor_to_json(*inner),
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
        _ => Json::Null,
    }
}
