//! Conversions between `evident_types` and the generated WIT records.

use evident_types::{Bytes, Command, Event, EventError, GuestError, State};

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
    wit::Event {
        id: event.id.clone(),
        source: event.source.clone(),
        spec_version: event.spec_version.clone(),
        type_: event.event_type.clone(),
        datacontenttype: event.datacontenttype.clone(),
        dataschema: event.dataschema.clone(),
        subject: event.subject.clone(),
        time: event.time.as_ref().map(Event::format_time),
        data: event.data.as_ref().map(|data| data.to_vec()),
        extensions: event
            .extensions
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    }
}

/// Turns an event a guest emitted into a validated [`Event`]; guests are not trusted to follow
/// the CloudEvents rules.
pub(crate) fn event_from_wit(event: wit::Event) -> Result<Event, EventError> {
    let time = event.time.as_deref().map(Event::parse_time).transpose()?;
    let extension_count = event.extensions.len();
    let event = Event {
        id: event.id,
        source: event.source,
        spec_version: event.spec_version,
        event_type: event.type_,
        datacontenttype: event.datacontenttype,
        dataschema: event.dataschema,
        subject: event.subject,
        time,
        data: event.data.map(Bytes::from),
        extensions: event.extensions.into_iter().collect(),
    };
    if event.extensions.len() != extension_count {
        return Err(EventError::Invalid {
            attribute: "extensions".into(),
            reason: "name the same extension attribute twice".into(),
        });
    }
    event.validate()?;
    Ok(event)
}
