//! An in-memory event store, wired to a [`Decider`] the way an embedder would wire a real one:
//! streams by name, appends that name the position they expect, and a decide-and-append loop
//! that retries when another writer got there first.

use std::collections::HashMap;

use evident_host::{DecideError, Decider, Snapshot};
use evident_types::{Command, Event, Parameters, State};
use parking_lot::Mutex;

/// Streams of events by name, appended to under optimistic concurrency.
#[derive(Debug, Default)]
pub struct EventStore {
    streams: Mutex<HashMap<String, Vec<Event>>>,
}

/// An append refused because the stream is not where the writer read it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stream `{stream}` is at position {actual}, not {expected}: another writer appended first")]
pub struct Conflict {
    /// The stream.
    pub stream: String,
    /// The position the writer expected (the events it read).
    pub expected: u64,
    /// The position the stream is at.
    pub actual: u64,
}

impl EventStore {
    /// An empty store.
    pub fn new() -> Self {
        EventStore::default()
    }

    /// Every event of `stream`, in order (none for a stream never written).
    pub fn read(&self, stream: &str) -> Vec<Event> {
        self.streams.lock().get(stream).cloned().unwrap_or_default()
    }

    /// How many events `stream` holds: the position the next append must expect.
    pub fn position(&self, stream: &str) -> u64 {
        self.streams
            .lock()
            .get(stream)
            .map_or(0, |s| s.len() as u64)
    }

    /// Appends `events` to `stream` if it holds exactly `expected` events; returns the new
    /// position, or the conflict.
    pub fn append(&self, stream: &str, expected: u64, events: &[Event]) -> Result<u64, Conflict> {
        let mut streams = self.streams.lock();
        let held = streams.entry(stream.to_owned()).or_default();
        let actual = held.len() as u64;
        if actual != expected {
            return Err(Conflict {
                stream: stream.to_owned(),
                expected,
                actual,
            });
        }
        held.extend_from_slice(events);
        Ok(held.len() as u64)
    }
}

/// What [`decide_and_append`] appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The events appended.
    pub events: Vec<Event>,
    /// The stream's position after them.
    pub position: u64,
    /// The state after them.
    pub state: State,
    /// Decisions made: 1, plus one per conflict retried.
    pub attempts: usize,
}

/// Why [`decide_and_append`] appended nothing.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The decision failed: a refusal, or a history event that does not fold.
    #[error(transparent)]
    Decide(#[from] DecideError),
    /// Every attempt met a conflict.
    #[error("gave up after {attempts} attempts: {last}")]
    Conflicts {
        /// Decisions made.
        attempts: usize,
        /// The last conflict.
        last: Conflict,
    },
}

/// Reads `stream`, decides `command` on it, and appends the events decided at the position the
/// decision was based on; if another writer appended first, decides again on the new history,
/// up to `attempts` decisions in all. Nothing is appended unless a decision based on the whole
/// stream as it was at append time is.
pub fn decide_and_append(
    decider: &Decider,
    store: &EventStore,
    stream: &str,
    command: &Command,
    parameters: &Parameters,
    attempts: usize,
) -> Result<Appended, AppendError> {
    let mut last = None;
    for attempt in 1..=attempts.max(1) {
        let history = store.read(stream);
        let decision = decider.decide(Snapshot::default(), &history, command, parameters)?;
        match store.append(stream, decision.position, &decision.events) {
            Ok(position) => {
                return Ok(Appended {
                    events: decision.events,
                    position,
                    state: decision.state,
                    attempts: attempt,
                });
            }
            Err(conflict) => last = Some(conflict),
        }
    }
    Err(AppendError::Conflicts {
        attempts: attempts.max(1),
        last: last.expect("at least one attempt conflicted"),
    })
}
