//! Upcasting: transforms that bring old events to their current shape as they are read, so a
//! view written for the newest version of an event folds a log that holds every version. The
//! stored events are never rewritten.
//!
//! An [`Upcaster`] is a [`Transform`] registered for one event type and one `dataschema` (none
//! meaning events without one). [`Upcasters`] applies them in chains: an event a first upcaster
//! turned into the next version is given to the upcaster of that version, and so on until no
//! upcaster matches (v1 → v2 → v3).

use evident_types::{Event, Parameters};
use sha2::{Digest, Sha256};

use crate::event_function::EventRefused;
use crate::transform::Transform;

/// A transform that upcasts the events of one type and schema.
#[derive(Clone, Debug)]
pub struct Upcaster {
    /// Its name, for errors and the snapshot key.
    pub name: String,
    /// What identifies its code (the SHA-256 of its component's bytes, as the registry has it):
    /// a view's snapshots are keyed by the upcasters it reads through.
    pub digest: String,
    /// The component.
    pub transform: Transform,
    /// The CloudEvents `type` of the events it takes.
    pub event_type: String,
    /// The `dataschema` of the events it takes; `None` takes the events without one.
    pub dataschema: Option<String>,
    /// The parameters it is called with.
    pub parameters: Parameters,
}

impl Upcaster {
    /// Whether it takes `event`.
    pub fn takes(&self, event: &Event) -> bool {
        event.event_type == self.event_type && event.dataschema == self.dataschema
    }
}

/// Why upcasters could not be put together or could not upcast an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpcastError {
    /// Two upcasters take the same events: which one runs would be a matter of order.
    #[error(
        "upcasters `{first}` and `{second}` both take events of type `{event_type}` and {}",
        schema_phrase(.dataschema.as_deref())
    )]
    Ambiguous {
        /// The one registered first.
        first: String,
        /// The one registered second.
        second: String,
        /// The type both take.
        event_type: String,
        /// The schema both take.
        dataschema: Option<String>,
    },
    /// An upcaster refused an event or failed on it (a limit, a trap, an invalid event out).
    #[error("upcaster `{upcaster}` failed on {source}")]
    Failed {
        /// The upcaster.
        upcaster: String,
        /// The event it failed on, by its position among the events given to
        /// [`Upcasters::upcast`].
        #[source]
        source: EventRefused,
    },
    /// Upcasting went around in a circle: after one pass per upcaster, an event still matched
    /// one.
    #[error(
        "event {index} (id `{id}`) still matches upcaster `{upcaster}` after {passes} passes: the upcasters form a cycle"
    )]
    Cycle {
        /// The event's position among the events given.
        index: usize,
        /// Its id.
        id: String,
        /// The upcaster it still matches.
        upcaster: String,
        /// The passes made.
        passes: usize,
    },
}

fn schema_phrase(dataschema: Option<&str>) -> String {
    match dataschema {
        Some(schema) => format!("dataschema `{schema}`"),
        None => "no dataschema".to_owned(),
    }
}

/// The upcasters a view reads through, applied in chains.
#[derive(Clone, Debug, Default)]
pub struct Upcasters {
    list: Vec<Upcaster>,
}

/// Events after upcasting, each with the position of the event it came from among those given.
#[derive(Debug, Default)]
pub struct Upcast {
    /// The events, in order.
    pub events: Vec<Event>,
    /// For each event, the index of the given event it came from.
    pub origins: Vec<usize>,
}

impl Upcasters {
    /// Puts upcasters together, refusing two that take the same events.
    pub fn new(list: Vec<Upcaster>) -> Result<Self, UpcastError> {
        for (i, first) in list.iter().enumerate() {
            if let Some(second) = list[i + 1..].iter().find(|second| {
                second.event_type == first.event_type && second.dataschema == first.dataschema
            }) {
                return Err(UpcastError::Ambiguous {
                    first: first.name.clone(),
                    second: second.name.clone(),
                    event_type: first.event_type.clone(),
                    dataschema: first.dataschema.clone(),
                });
            }
        }
        Ok(Upcasters { list })
    }

    /// Whether there are none (events are read as stored).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The upcasters, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &Upcaster> {
        self.list.iter()
    }

    /// What identifies this chain in a snapshot key: the SHA-256 of each upcaster's name, type,
    /// schema and digest, or `None` when there are no upcasters (the key is then the view's
    /// alone, as before upcasters existed).
    pub fn key(&self) -> Option<String> {
        if self.list.is_empty() {
            return None;
        }
        let mut hasher = Sha256::new();
        for upcaster in &self.list {
            for part in [
                upcaster.name.as_str(),
                upcaster.event_type.as_str(),
                upcaster.dataschema.as_deref().unwrap_or(""),
                upcaster.digest.as_str(),
            ] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        Some(
            hasher
                .finalize()
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect(),
        )
    }

    /// Upcasts `events`: each run of consecutive events one upcaster takes goes to it as one
    /// frame, its output replaces the run in place, and passes repeat until no upcaster takes
    /// any event. Events no upcaster takes pass through untouched (and without a call).
    pub fn upcast(&self, events: Vec<Event>) -> Result<Upcast, UpcastError> {
        let mut origins: Vec<usize> = (0..events.len()).collect();
        let mut events = events;
        if self.list.is_empty() {
            return Ok(Upcast { events, origins });
        }
        for _ in 0..self.list.len() {
            let Some(_) = events.iter().find(|event| self.taker(event).is_some()) else {
                return Ok(Upcast { events, origins });
            };
            (events, origins) = self.pass(events, origins)?;
        }
        if let Some((position, upcaster)) = events
            .iter()
            .enumerate()
            .find_map(|(i, event)| Some((i, self.taker(event)?)))
        {
            return Err(UpcastError::Cycle {
                index: origins[position],
                id: events[position].id.clone(),
                upcaster: upcaster.name.clone(),
                passes: self.list.len(),
            });
        }
        Ok(Upcast { events, origins })
    }

    /// The upcaster that takes `event`, if any.
    fn taker(&self, event: &Event) -> Option<&Upcaster> {
        self.list.iter().find(|upcaster| upcaster.takes(event))
    }

    /// One pass: every run of events one upcaster takes, upcast.
    fn pass(
        &self,
        events: Vec<Event>,
        origins: Vec<usize>,
    ) -> Result<(Vec<Event>, Vec<usize>), UpcastError> {
        let mut out = Vec::with_capacity(events.len());
        let mut out_origins = Vec::with_capacity(events.len());
        let mut start = 0;
        while start < events.len() {
            let Some(upcaster) = self.taker(&events[start]) else {
                out.push(events[start].clone());
                out_origins.push(origins[start]);
                start += 1;
                continue;
            };
            let end = start
                + events[start..]
                    .iter()
                    .take_while(|event| upcaster.takes(event))
                    .count();
            let run = &events[start..end];
            let failed = |source: EventRefused| UpcastError::Failed {
                upcaster: upcaster.name.clone(),
                source: EventRefused {
                    index: origins[start + source.index],
                    ..source
                },
            };
            let upcast = upcaster
                .transform
                .transform(run, &upcaster.parameters)
                .map_err(failed)?;
            if upcast.len() == run.len() {
                out_origins.extend_from_slice(&origins[start..end]);
                out.extend(upcast);
            } else {
                // Not one event out per event in: upcast one by one, to know which event each
                // output came from.
                for (offset, event) in run.iter().enumerate() {
                    let one = upcaster
                        .transform
                        .transform(std::slice::from_ref(event), &upcaster.parameters)
                        .map_err(|source| {
                            failed(EventRefused {
                                index: offset,
                                ..source
                            })
                        })?;
                    out_origins.extend(std::iter::repeat_n(origins[start + offset], one.len()));
                    out.extend(one);
                }
            }
            start = end;
        }
        Ok((out, out_origins))
    }
}
