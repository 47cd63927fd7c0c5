//! The event as it crosses the component boundary, where every attribute is text.

use crate::cloudevents_json::EventError;
use crate::event::Event;

/// An event in the shape of the WIT `event` record: `time` as RFC 3339 text, `data` as plain
/// bytes, extensions as an ordered list of pairs.
///
/// The host and the guest SDK both map their generated WIT records to and from this, so the
/// rules for what a component may hand back live in one place: [`Event::try_from`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireEvent {
    /// See [`Event::id`].
    pub id: String,
    /// See [`Event::source`].
    pub source: String,
    /// See [`Event::spec_version`].
    pub spec_version: String,
    /// See [`Event::event_type`].
    pub event_type: String,
    /// See [`Event::datacontenttype`].
    pub datacontenttype: Option<String>,
    /// See [`Event::dataschema`].
    pub dataschema: Option<String>,
    /// See [`Event::subject`].
    pub subject: Option<String>,
    /// RFC 3339 text.
    pub time: Option<String>,
    /// See [`Event::data`].
    pub data: Option<Vec<u8>>,
    /// Name/value pairs; a name may appear once.
    pub extensions: Vec<(String, String)>,
}

impl From<&Event> for WireEvent {
    fn from(event: &Event) -> Self {
        WireEvent {
            id: event.id.clone(),
            source: event.source.clone(),
            spec_version: event.spec_version.clone(),
            event_type: event.event_type.clone(),
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
}

impl From<Event> for WireEvent {
    fn from(event: Event) -> Self {
        WireEvent {
            time: event.time.as_ref().map(Event::format_time),
            id: event.id,
            source: event.source,
            spec_version: event.spec_version,
            event_type: event.event_type,
            datacontenttype: event.datacontenttype,
            dataschema: event.dataschema,
            subject: event.subject,
            data: event.data.map(Vec::from),
            extensions: event.extensions.into_iter().collect(),
        }
    }
}

impl TryFrom<WireEvent> for Event {
    type Error = EventError;

    /// Parses `time`, refuses a repeated extension name and checks every CloudEvents rule: what
    /// crosses the boundary is not trusted to be a valid event.
    fn try_from(wire: WireEvent) -> Result<Self, Self::Error> {
        let time = wire.time.as_deref().map(Event::parse_time).transpose()?;
        let pairs = wire.extensions.len();
        let event = Event {
            id: wire.id,
            source: wire.source,
            spec_version: wire.spec_version,
            event_type: wire.event_type,
            datacontenttype: wire.datacontenttype,
            dataschema: wire.dataschema,
            subject: wire.subject,
            time,
            data: wire.data.map(Into::into),
            extensions: wire.extensions.into_iter().collect(),
        };
        if event.extensions.len() != pairs {
            return Err(EventError::Invalid {
                attribute: "extensions".into(),
                reason: "name the same attribute more than once".into(),
            });
        }
        event.validate()?;
        Ok(event)
    }
}
