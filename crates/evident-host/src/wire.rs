//! Conversions between `evident_types` and the generated WIT records.

use evident_types::{Bytes, Command, Event, EventError, GuestError, State, WireEvent};

use crate::bindings::wit;

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

pub(crate) fn command_to_wit(command: &Command) -> wit::Command {
    wit::Command {
        content_type: command.content_type.clone(),
        schema_id: command.schema_id.clone(),
        bytes: command.bytes.to_vec(),
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
