//! CloudEvents 1.0 JSON event format (structured mode) and the attribute rules.
//!
//! <https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md>

use std::collections::BTreeMap;

use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use crate::event::{Event, MAX_DEPTH, MAX_EXTENSIONS, SPEC_VERSION};

/// Why an event is not a valid CloudEvent; names the attribute at fault when one is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// A required attribute is absent (or `null`).
    #[error("missing required attribute `{0}`")]
    Missing(&'static str),
    /// An attribute is present but breaks a rule.
    #[error("attribute `{attribute}` {reason}")]
    Invalid {
        /// The attribute's name as written in JSON.
        attribute: String,
        /// What is wrong with it, as the end of a sentence.
        reason: String,
    },
    /// The text is not JSON, or not a JSON object.
    #[error("not a CloudEvent in JSON: {0}")]
    NotJson(String),
    /// The CBOR item is not a map with text keys.
    #[error("not a CloudEvent in CBOR: {0}")]
    NotCbor(String),
    /// More extension attributes than [`MAX_EXTENSIONS`] allows.
    #[error("the event has {count} extension attributes; at most {limit} are allowed")]
    TooManyExtensions {
        /// How many the event has.
        count: usize,
        /// [`MAX_EXTENSIONS`].
        limit: usize,
    },
    /// Arrays and objects nest deeper than [`MAX_DEPTH`] allows.
    #[error(
        "the event nests arrays and objects more than {limit} levels deep (its own object \
         counts as one)"
    )]
    TooDeep {
        /// [`MAX_DEPTH`].
        limit: usize,
    },
}

impl EventError {
    /// The attribute at fault, if the error is about one.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            EventError::Missing(name) => Some(name),
            EventError::Invalid { attribute, .. } => Some(attribute),
            EventError::NotJson(_)
            | EventError::NotCbor(_)
            | EventError::TooManyExtensions { .. }
            | EventError::TooDeep { .. } => None,
        }
    }

    pub(crate) fn invalid(attribute: &str, reason: impl Into<String>) -> Self {
        EventError::Invalid {
            attribute: attribute.to_owned(),
            reason: reason.into(),
        }
    }
}

pub(crate) const CONTEXT_ATTRIBUTES: [&str; 8] = [
    "id",
    "source",
    "specversion",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
];
pub(crate) const DATA: &str = "data";
pub(crate) const DATA_BASE64: &str = "data_base64";

/// Tells whether a `datacontenttype` means JSON, which is how `data` is carried in JSON.
///
/// An absent content type means JSON (CloudEvents JSON format §3.1).
pub fn is_json_content_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return true;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

pub(crate) fn from_json_str(json: &str) -> Result<Event, EventError> {
    match crate::fast_json::parse(json) {
        Some(event) => Ok(event),
        None => from_json_str_general(json),
    }
}

/// The general path: what [`from_json_str`] does when the fast path gives up, and so what it
/// does for every input.
pub(crate) fn from_json_str_general(json: &str) -> Result<Event, EventError> {
    // Checked on the text first, so that any depth over the limit gives this error: parsing
    // would refuse more than `serde_json`'s own 127 levels with an error of its own.
    if text_nests_deeper_than(json.as_bytes(), MAX_DEPTH) {
        return Err(EventError::TooDeep { limit: MAX_DEPTH });
    }
    let value: Value =
        serde_json::from_str(json).map_err(|e| EventError::NotJson(e.to_string()))?;
    event_from_value(value)
}

/// An event from a JSON value, checked against [`MAX_DEPTH`] like JSON text is.
pub(crate) fn from_json_value(value: Value) -> Result<Event, EventError> {
    if value_nests_deeper_than(&value, MAX_DEPTH) {
        return Err(EventError::TooDeep { limit: MAX_DEPTH });
    }
    event_from_value(value)
}

/// Whether JSON `text` nests arrays and objects more than `levels` deep: exact for valid JSON,
/// one pass over the bytes, nothing allocated.
pub(crate) fn text_nests_deeper_than(text: &[u8], levels: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > levels {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Whether `value` nests arrays and objects more than `levels` deep; recurses at most
/// `levels + 1` calls deep, however deep the value.
fn value_nests_deeper_than(value: &Value, levels: usize) -> bool {
    let deeper = |child: &Value| value_nests_deeper_than(child, levels - 1);
    match value {
        Value::Array(items) => levels == 0 || items.iter().any(deeper),
        Value::Object(members) => levels == 0 || members.values().any(deeper),
        _ => false,
    }
}

/// An event from a JSON value already known to nest no deeper than [`MAX_DEPTH`].
fn event_from_value(value: Value) -> Result<Event, EventError> {
    let Value::Object(mut map) = value else {
        return Err(EventError::NotJson(format!(
            "expected an object, found {}",
            json_kind(&value)
        )));
    };
    let spec_version = required_string(&mut map, "specversion")?;
    if spec_version != SPEC_VERSION {
        return Err(EventError::invalid(
            "specversion",
            format!("is {spec_version:?}; only {SPEC_VERSION:?} is supported"),
        ));
    }
    let id = required_string(&mut map, "id")?;
    let source = required_string(&mut map, "source")?;
    let event_type = required_string(&mut map, "type")?;
    let datacontenttype = optional_string(&mut map, "datacontenttype")?;
    let dataschema = optional_string(&mut map, "dataschema")?;
    let subject = optional_string(&mut map, "subject")?;
    let time = optional_string(&mut map, "time")?
        .map(|t| parse_time(&t))
        .transpose()?;
    let data = match (
        take_non_null(&mut map, DATA),
        take_non_null(&mut map, DATA_BASE64),
    ) {
        (Some(_), Some(_)) => {
            return Err(EventError::invalid(
                DATA_BASE64,
                "cannot be given together with `data`",
            ));
        }
        (Some(data), None) => Some(data_from_json(data, datacontenttype.as_deref())),
        (None, Some(Value::String(b64))) => Some(Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| EventError::invalid(DATA_BASE64, format!("is not base64: {e}")))?,
        )),
        (None, Some(other)) => {
            return Err(EventError::invalid(
                DATA_BASE64,
                format!("must be a base64 string, found {}", json_kind(&other)),
            ));
        }
        (None, None) => None,
    };
    let mut extensions = BTreeMap::new();
    for (name, value) in map {
        if let Some(value) = extension_value(&name, value)? {
            extensions.insert(name, value);
        }
    }
    let event = Event {
        id,
        source,
        spec_version,
        event_type,
        datacontenttype,
        dataschema,
        subject,
        time,
        data,
        extensions,
    };
    validate(&event)?;
    Ok(event)
}

/// Returns the value of `name` unless it is absent or `null` (which JSON uses for "absent").
fn take_non_null(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    map.remove(name).filter(|v| !v.is_null())
}

fn required_string(map: &mut Map<String, Value>, name: &'static str) -> Result<String, EventError> {
    optional_string(map, name)?.ok_or(EventError::Missing(name))
}

fn optional_string(map: &mut Map<String, Value>, name: &str) -> Result<Option<String>, EventError> {
    match take_non_null(map, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(EventError::invalid(
            name,
            format!("must be a string, found {}", json_kind(&other)),
        )),
    }
}

fn data_from_json(data: Value, content_type: Option<&str>) -> Bytes {
    match data {
        Value::String(text) if !is_json_content_type(content_type) => Bytes::from(text),
        other => Bytes::from(serde_json::to_vec(&other).expect("a JSON value always serialises")),
    }
}

/// Turns an extension's JSON value into its canonical string, or `None` for `null`.
fn extension_value(name: &str, value: Value) -> Result<Option<String>, EventError> {
    validate_extension_name(name)?;
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Ok(Some(i.to_string())),
            None => Err(EventError::invalid(
                name,
                format!("is {n}; a number must be a 32-bit integer"),
            )),
        },
        other => Err(EventError::invalid(
            name,
            format!(
                "must be a string, boolean or integer, found {}",
                json_kind(&other)
            ),
        )),
    }
}

pub(crate) fn validate_extension_name(name: &str) -> Result<(), EventError> {
    if CONTEXT_ATTRIBUTES.contains(&name) || name == DATA || name == DATA_BASE64 {
        return Err(EventError::invalid(
            name,
            "is a reserved attribute name and cannot be an extension",
        ));
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(EventError::invalid(
            name,
            "is not a valid extension name (only a-z and 0-9 are allowed)",
        ));
    }
    Ok(())
}

pub(crate) fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, EventError> {
    // RFC 3339 `date-time`: full date, `T`, time with seconds, then `Z` or `±hh:mm`.
    // chrono also accepts a space for the `T`, which RFC 3339 allows readers to accept.
    DateTime::parse_from_rfc3339(text).map_err(|e| {
        EventError::invalid(
            "time",
            format!("is {text:?}, not an RFC 3339 timestamp ({e})"),
        )
    })
}

/// Media types `mime` accepts, spelled as events usually spell them.
const COMMON_MEDIA_TYPES: [&str; 6] = [
    "application/json",
    "application/cbor",
    "application/octet-stream",
    "application/cloudevents+json",
    "text/plain",
    "text/json",
];

/// Checks the rules of CloudEvents 1.0 §3 that the type system does not.
pub(crate) fn validate(event: &Event) -> Result<(), EventError> {
    if event.spec_version != SPEC_VERSION {
        return Err(EventError::invalid(
            "specversion",
            format!(
                "is {:?}; only {SPEC_VERSION:?} is supported",
                event.spec_version
            ),
        ));
    }
    non_empty("id", &event.id)?;
    non_empty("source", &event.source)?;
    if event
        .source
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(EventError::invalid(
            "source",
            "is not a URI reference (it contains whitespace)",
        ));
    }
    non_empty("type", &event.event_type)?;
    if let Some(ct) = &event.datacontenttype {
        non_empty("datacontenttype", ct)?;
        // Most events carry one of a few media types; only the others need the full parser.
        if !COMMON_MEDIA_TYPES.contains(&ct.as_str()) {
            ct.parse::<mime::Mime>().map_err(|e| {
                EventError::invalid(
                    "datacontenttype",
                    format!("is {ct:?}, not an RFC 2046 media type ({e})"),
                )
            })?;
        }
    }

    if let Some(schema) = &event.dataschema {
        non_empty("dataschema", schema)?;
        if !has_uri_scheme(schema) {
            return Err(EventError::invalid(
                "dataschema",
                format!("is {schema:?}, not an absolute URI"),
            ));
        }
    }
    if let Some(subject) = &event.subject {
        non_empty("subject", subject)?;
    }
    if event.extensions.len() > MAX_EXTENSIONS {
        return Err(EventError::TooManyExtensions {
            count: event.extensions.len(),
            limit: MAX_EXTENSIONS,
        });
    }
    for name in event.extensions.keys() {
        validate_extension_name(name)?;
    }
    Ok(())
}

fn non_empty(attribute: &'static str, value: &str) -> Result<(), EventError> {
    if value.is_empty() {
        Err(EventError::invalid(attribute, "must not be empty"))
    } else {
        Ok(())
    }
}

/// RFC 3986 `scheme ":"`: a letter, then letters, digits, `+`, `-` or `.`.
fn has_uri_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Tells whether `data` is JSON exactly as this crate writes it, and shallow enough to be read
/// back inside an event ([`MAX_DEPTH`]), so that printing it inline and parsing it back gives
/// the same bytes; anything else is printed as `data_base64`.
fn is_canonical_json(data: &[u8]) -> bool {
    !text_nests_deeper_than(data, MAX_DEPTH - 1)
        && serde_json::from_slice::<Value>(data)
            .ok()
            .and_then(|value| serde_json::to_vec(&value).ok())
            .is_some_and(|canonical| canonical == data)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl serde::Serialize for Event {
    /// Writes CloudEvents structured JSON: `data` inline when it is JSON or text, otherwise
    /// `data_base64`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("specversion", &self.spec_version)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("source", &self.source)?;
        map.serialize_entry("type", &self.event_type)?;
        let optional = [
            ("datacontenttype", &self.datacontenttype),
            ("dataschema", &self.dataschema),
            ("subject", &self.subject),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        if let Some(time) = &self.time {
            map.serialize_entry("time", &Event::format_time(time))?;
        }
        for (name, value) in &self.extensions {
            map.serialize_entry(name, value)?;
        }
        if let Some(data) = &self.data {
            let json_type = is_json_content_type(self.datacontenttype.as_deref());
            match std::str::from_utf8(data) {
                Ok(text) if json_type && is_canonical_json(data) => {
                    let raw: &serde_json::value::RawValue =
                        serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
                    map.serialize_entry(DATA, raw)?
                }
                Ok(text) if !json_type => map.serialize_entry(DATA, text)?,
                _ => map.serialize_entry(
                    DATA_BASE64,
                    &base64::engine::general_purpose::STANDARD.encode(data),
                )?,
            }
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Event {
    /// Reads CloudEvents structured JSON and validates it.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        from_json_value(value).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_types_let_through_unparsed_are_ones_the_parser_accepts() {
        for media_type in COMMON_MEDIA_TYPES {
            assert!(media_type.parse::<mime::Mime>().is_ok(), "{media_type}");
        }
    }
}
