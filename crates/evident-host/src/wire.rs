//! Conversions between `evident_types` and the generated WIT records.

use evident_types::{Bytes, Command, Event, EventError, GuestError, State, WireEvent};
use wasmtime::component::{ComponentType, Lower};

use crate::bindings::wit;

/// A state or a command lent to a call: Wasmtime lowers it straight from the caller's bytes,
/// with no copy made first (the WIT records `state` and `command` have these fields).
#[derive(ComponentType, Lower, Clone, Copy)]
#[component(record)]
pub(crate) struct Payload<'a> {
    #[component(name = "content-type")]
    content_type: &'a str,
    #[component(name = "schema-id")]
    schema_id: Option<&'a str>,
    bytes: &'a [u8],
}

impl<'a> From<&'a State> for Payload<'a> {
    fn from(state: &'a State) -> Self {
        Payload {
            content_type: &state.content_type,
            schema_id: state.schema_id.as_deref(),
            bytes: &state.bytes,
        }
    }
}

impl<'a> From<&'a Command> for Payload<'a> {
    fn from(command: &'a Command) -> Self {
        Payload {
            content_type: &command.content_type,
            schema_id: command.schema_id.as_deref(),
            bytes: &command.bytes,
        }
    }
}

/// An event lent to a call as the WIT record `event`: its attributes are lowered from the
/// event itself; only `time` is written out (as RFC 3339) and the extensions listed.
#[derive(ComponentType, Lower, Clone, Copy)]
#[component(record)]
pub(crate) struct EventParam<'a> {
    id: &'a str,
    source: &'a str,
    #[component(name = "spec-version")]
    spec_version: &'a str,
    #[component(name = "type")]
    event_type: &'a str,
    datacontenttype: Option<&'a str>,
    dataschema: Option<&'a str>,
    subject: Option<&'a str>,
    time: Option<&'a str>,
    data: Option<&'a [u8]>,
    extensions: &'a [(&'a str, &'a str)],
}

/// What an [`EventParam`] borrows beyond the event: its time as text and its extensions as a
/// list.
pub(crate) struct LentEvent<'a> {
    event: &'a Event,
    time: Option<String>,
    extensions: Vec<(&'a str, &'a str)>,
}

impl<'a> LentEvent<'a> {
    pub(crate) fn new(event: &'a Event) -> Self {
        LentEvent {
            event,
            time: event.time.as_ref().map(Event::format_time),
            extensions: (event.extensions.iter())
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect(),
        }
    }

    /// The record a call lowers.
    pub(crate) fn param(&self) -> EventParam<'_> {
        let event = self.event;
        EventParam {
            id: &event.id,
            source: &event.source,
            spec_version: &event.spec_version,
            event_type: &event.event_type,
            datacontenttype: event.datacontenttype.as_deref(),
            dataschema: event.dataschema.as_deref(),
            subject: event.subject.as_deref(),
            time: self.time.as_deref(),
            data: event.data.as_deref(),
            extensions: &self.extensions,
        }
    }
}

pub(crate) fn state_to_wit(state: &State) -> wit::State {
    wit::State {
        content_type: state.content_type.clone(),
        schema_id: state.schema_id.clone(),
        bytes: state.bytes.to_vec(),
    }
}

pub(crate) fn state_from_wit(state: wit::State) -> State {
    State {
        content_type: state.content_type,
        schema_id: state.schema_id,
        bytes: Bytes::from(state.bytes),
    }
}

pub(crate) fn error_from_wit(error: wit::Error) -> GuestError {
    GuestError {
        code: error.code,
        message: error.message,
        details: error.details.map(Bytes::from),
    }
}

pub(crate) fn event_to_wit(event: &Event) -> wit::Event {
    let wire = WireEvent::from(event);
    wit::Event {
        id: wire.id,
        source: wire.source,
        spec_version: wire.spec_version,
        type_: wire.event_type,
        datacontenttype: wire.datacontenttype,
        dataschema: wire.dataschema,
        subject: wire.subject,
        time: wire.time,
        data: wire.data,
        extensions: wire.extensions,
    }
}

/// Turns an event a guest emitted into a validated [`Event`]; guests are not trusted to follow
/// the CloudEvents rules.
pub(crate) fn event_from_wit(event: wit::Event) -> Result<Event, EventError> {
    Event::try_from(WireEvent {
        id: event.id,
        source: event.source,
        spec_version: event.spec_version,
        event_type: event.type_,
        datacontenttype: event.datacontenttype,
        dataschema: event.dataschema,
        subject: event.subject,
        time: event.time,
        data: event.data,
        extensions: event.extensions,
    })
}
