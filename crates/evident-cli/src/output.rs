//! Showing states and events to people.

use std::io::Write;

use anyhow::Result;
use evident_types::{State, content_type};

/// A state as JSON: JSON as is, CBOR converted; `None` for other formats.
pub(crate) fn state_as_json(state: &State) -> Option<serde_json::Value> {
    match state.content_type.as_str() {
        content_type::JSON => serde_json::from_slice(&state.bytes).ok(),
        content_type::CBOR => ciborium::from_reader::<ciborium::Value, _>(&state.bytes[..])
            .ok()
            .map(cbor_to_json),
        _ => None,
    }
}

/// Prints a state: JSON pretty-printed, CBOR shown as JSON, other UTF-8 as text, else a size.
pub(crate) fn print_state(state: &State) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match (state_as_json(state), std::str::from_utf8(&state.bytes)) {
        (Some(json), _) => writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?,
        (None, Ok(text)) => writeln!(out, "{text}")?,
        (None, Err(_)) => writeln!(
            out,
            "<{} bytes of {}>",
            state.bytes.len(),
            state.content_type
        )?,
    }
    Ok(())
}

/// CBOR as JSON: byte strings become base64, non-string map keys their JSON text, tags vanish.
pub(crate) fn cbor_to_json(value: ciborium::Value) -> serde_json::Value {
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

/// Bytes for people: `1.2 MiB`.
pub(crate) fn size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}
