//! An event as every backend stores it: a one-event frame (the form a guest reads), its tags,
//! and the attributes the indexes need, prepared by the appending thread so that the writer
//! only copies bytes.

use std::collections::HashMap;

use evident_types::{Event, frame};

use crate::error::{AppendError, Existing};
use crate::{StoreError, query};

/// One event ready to be written.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) event_type: String,
    pub(crate) source: String,
    pub(crate) id: String,
    /// The event as a one-event frame ([`evident_types::frame`]): attributes and data, exact.
    pub(crate) body: Vec<u8>,
    /// `name:value` for each tagged attribute.
    pub(crate) tags: Vec<String>,
}

/// Checks a batch and prepares its records: every event valid, none over `max_event_bytes`,
/// no (`source`, `id`) twice. Nothing is written by a batch this refuses.
pub(crate) fn prepare(
    events: &[Event],
    max_event_bytes: usize,
) -> Result<Vec<Record>, AppendError> {
    if events.is_empty() {
        return Err(AppendError::Empty);
    }
    let mut seen: HashMap<(&str, &str), usize> = HashMap::with_capacity(events.len());
    events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            event.validate().map_err(|error| AppendError::Invalid {
                index,
                id: event.id.clone(),
                error,
            })?;
            if let Some(first) = seen.insert((&event.source, &event.id), index) {
                return Err(AppendError::Duplicate {
                    index,
                    id: event.id.clone(),
                    event_source: event.source.clone(),
                    existing: Existing::InBatch(first),
                });
            }
            let body = frame::encode([event]);
            if body.len() > max_event_bytes {
                return Err(AppendError::TooLarge {
                    index,
                    id: event.id.clone(),
                    size: body.len(),
                    limit: max_event_bytes,
                });
            }
            Ok(Record {
                event_type: event.event_type.clone(),
                source: event.source.clone(),
                id: event.id.clone(),
                body,
                tags: query::tags_of(event).collect(),
            })
        })
        .collect()
}

/// Reads a stored body back into the event appended.
pub(crate) fn decode(position: crate::Position, body: &[u8]) -> Result<Event, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    let mut reader = frame::FrameReader::new(body).map_err(|e| corrupt(e.to_string()))?;
    let event = reader
        .next_event()
        .map_err(|e| corrupt(e.to_string()))?
        .ok_or_else(|| corrupt("the stored event is empty".into()))?
        .to_event();
    if reader.remaining() != 0 {
        return Err(corrupt(
            "the stored record holds more than one event".into(),
        ));
    }
    Ok(event)
}
