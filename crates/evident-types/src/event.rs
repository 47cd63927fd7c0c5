//! The CloudEvent as both sides of the boundary see it.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};

use crate::cloudevents_json::{self, EventError};

/// The only CloudEvents spec version this crate speaks; events naming another are refused.
pub const SPEC_VERSION: &str = "1.0";

/// The most extension attributes one event may carry, so that the cost of reading, checking and
/// storing an event is bounded by more than its size in bytes.
///
/// CloudEvents sets no limit; events in practice carry a handful. Every reader (the JSON fast
/// path, the general path, CBOR) and [`Event::validate`] refuse an event with more, with
/// [`EventError::TooManyExtensions`].
pub const MAX_EXTENSIONS: usize = 1024;

/// How deeply arrays and objects may nest in an event read from JSON or CBOR, the event's own
/// object counted as one level (so `data` nests at most `MAX_DEPTH - 1`), so that every reader
/// takes the same events whatever their spacing.
///
/// It is well inside the 127 levels `serde_json` parses, so an event printed by
/// [`Event::to_json`] can be read back by this crate and by any reader with that limit. Deeper
/// input is refused with [`EventError::TooDeep`]; a built event whose `data` nests deeper is
/// printed with that `data` as `data_base64`, which reads back to the same event.
pub const MAX_DEPTH: usize = 64;

/// A CloudEvent: what happened, where, and its payload.
///
/// Fields are public so events are easy to build and match on; [`Event::validate`] (run by every
/// parser and by the host on every event a guest emits) is what guarantees the CloudEvents rules.
/// Two events are equal when their attributes are equal, with `time` compared as an instant:
/// `17:31:00Z` and `18:31:00+01:00` are the same time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Unique within `source`; producers use it to de-duplicate.
    pub id: String,
    /// Where the event happened (a URI reference).
    pub source: String,
    /// Always [`SPEC_VERSION`] for a valid event.
    pub spec_version: String,
    /// What happened, e.g. `com.example.account.deposited` (the CloudEvents `type`).
    pub event_type: String,
    /// The media type of `data` (RFC 2046); absent means JSON.
    pub datacontenttype: Option<String>,
    /// A URI naming the schema `data` follows.
    pub dataschema: Option<String>,
    /// What the event is about, within `source`.
    pub subject: Option<String>,
    /// When it happened, with the offset it was written in.
    pub time: Option<DateTime<FixedOffset>>,
    /// The payload bytes: the JSON text for JSON content types, the raw bytes otherwise.
    pub data: Option<Bytes>,
    /// Extension attributes by name, each in its canonical string form (an integer `10` is
    /// `"10"`, a boolean `true` is `"true"`), which is also how they cross to a component.
    pub extensions: BTreeMap<String, String>,
}

impl Event {
    /// Starts an event with the three attributes the caller must choose; the rest are empty.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        event_type: impl Into<String>,
    ) -> Self {
        Event {
            id: id.into(),
            source: source.into(),
            spec_version: SPEC_VERSION.to_owned(),
            event_type: event_type.into(),
            datacontenttype: None,
            dataschema: None,
            subject: None,
            time: None,
            data: None,
            extensions: BTreeMap::new(),
        }
    }

    /// Sets `data` to `value` serialised as JSON and marks it `application/json`.
    pub fn with_json_data<T: serde::Serialize + ?Sized>(
        mut self,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        self.data = Some(Bytes::from(serde_json::to_vec(value)?));
        self.datacontenttype = Some(crate::content_type::JSON.to_owned());
        Ok(self)
    }

    /// Sets `data` to raw bytes of the given media type.
    pub fn with_data(mut self, content_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        self.datacontenttype = Some(content_type.into());
        self.data = Some(data.into());
        self
    }

    /// Sets `subject`.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets `time`.
    pub fn with_time(mut self, time: DateTime<FixedOffset>) -> Self {
        self.time = Some(time);
        self
    }

    /// Adds an extension attribute; the name must be lower-case letters and digits.
    pub fn with_extension(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extensions.insert(name.into(), value.into());
        self
    }

    /// Decodes a JSON `data` payload into `T`, so views need not handle the bytes themselves.
    pub fn data_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, EventError> {
        let data = self.data.as_deref().ok_or(EventError::Missing("data"))?;
        serde_json::from_slice(data).map_err(|e| EventError::Invalid {
            attribute: "data".into(),
            reason: format!("is not the JSON expected: {e}"),
        })
    }

    /// Checks every CloudEvents 1.0 rule and names the first attribute that breaks one; also
    /// refuses more than [`MAX_EXTENSIONS`] extension attributes.
    pub fn validate(&self) -> Result<(), EventError> {
        cloudevents_json::validate(self)
    }

    /// Prints the event in CloudEvents structured JSON, on one line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an event always serialises to JSON")
    }

    /// Parses `time` from its RFC 3339 text, the form it has in JSON and across the boundary.
    pub fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, EventError> {
        cloudevents_json::parse_time(text)
    }

    /// Prints `time` in the RFC 3339 form [`Event::parse_time`] reads back unchanged.
    pub fn format_time(time: &DateTime<FixedOffset>) -> String {
        time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

impl std::str::FromStr for Event {
    type Err = EventError;

    /// Parses one event in CloudEvents structured JSON.
    fn from_str(json: &str) -> Result<Self, Self::Err> {
        cloudevents_json::from_json_str(json)
    }
}
