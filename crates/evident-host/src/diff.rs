//! Two versions of a state view folded over the same events and compared: do they agree, and if
//! not, after which event do their states first differ.
//!
//! Both views fold in frames, each on one instance kept from frame to frame (the host's framed
//! fold, [`StateView::fold`]'s, not one call per event), and their states are compared after
//! every frame. When they differ at a frame's end, that frame is folded again one `reduce` per
//! event from the states at its start, which were kept, to find the first event after which
//! they differ. What the diff holds is one frame of events, the two states at the frame's start
//! and the two at its end, however many events there are. A divergence that heals before a
//! frame's end is not seen: states are compared at frame ends only.
//!
//! States are compared by meaning: each is read as JSON (JSON as is, CBOR converted, as
//! [`State::to_json`] does; a state of another content type is tried as JSON text), so
//! `{"a":1,"b":2}` and `{"b":2,"a":1}` agree; two states of which neither reads are compared as
//! bytes, and a state that reads never agrees with one that does not.
//!
//! ```no_run
//! use evident_host::{Diff, DiffOutcome, Runtime, RuntimeConfig};
//! use evident_types::{Event, Parameters};
//!
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let old = runtime.load_file("counter_v1.wasm").view()?;
//! let new = runtime.load_file("counter_v2.wasm").view()?;
//! let parameters = Parameters::new();
//! let events = (0..10_000).map(|i| Event::new(i.to_string(), "/shop", "order.placed"));
//! match Diff::new(&old, &new, &parameters).run(events)? {
//!     DiffOutcome::Agree { events } => println!("agree on {events} events"),
//!     DiffOutcome::Diverge(divergence) => println!("{divergence}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Borrow;
use std::fmt;
use std::io::BufRead;

use evident_types::{Event, JsonLinesError, Parameters, State, read_json_lines};

use crate::component::run_sync;
use crate::error::{Error, FoldError};
use crate::store::Mode;
use crate::view::{Session, StateView, ViewInstance};

/// A comparison of two versions of a view over the same events, set up by [`Diff::new`] and run
/// by [`Diff::run`] or [`Diff::run_json_lines`].
#[derive(Debug, Clone)]
pub struct Diff<'a> {
    old: &'a StateView,
    new: &'a StateView,
    parameters: &'a Parameters,
    start: Option<State>,
}

/// What a diff found: the views agree on every event, or where they first part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffOutcome {
    /// The states had the same meaning after every frame, the last event's included.
    Agree {
        /// How many events both views folded.
        events: u64,
    },
    /// The states differ: after which event first, and how (boxed: it holds two states).
    Diverge(Box<Divergence>),
}

/// Where two views' states first differ, and the two states there, so a person can see why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The event after which the states first differ; `None` when they differ before any event
    /// (their initial states do).
    pub after: Option<DivergentEvent>,
    /// The old view's state there, as pretty-printed JSON (or its text, or a note of its size
    /// when it is neither).
    pub old_state: String,
    /// The new view's state there, printed the same way.
    pub new_state: String,
}

/// The event a divergence follows, named as its source does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivergentEvent {
    /// Its 0-based position among the events folded.
    pub index: u64,
    /// Its 1-based line, when the events were read from lines ([`Diff::run_json_lines`]).
    pub line: Option<u64>,
    /// Its CloudEvents `id`.
    pub id: String,
    /// Its CloudEvents `type`.
    pub event_type: String,
}

/// Why a diff could not tell whether the views agree. Nothing is reported past the first.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// The old view could not give its initial state.
    #[error("the old view cannot initialize: {0}")]
    OldInitialize(#[source] Error),
    /// The new view could not give its initial state.
    #[error("the new view cannot initialize: {0}")]
    NewInitialize(#[source] Error),
    /// The old view failed at an event; the fold error names it (its position counted from the
    /// first event of the diff) and carries the old view's last good state.
    #[error("the old view failed: {0}")]
    Old(#[source] Box<FoldError>),
    /// The new view failed at an event, named as for [`DiffError::Old`].
    #[error("the new view failed: {0}")]
    New(#[source] Box<FoldError>),
    /// A line of the events could not be read ([`Diff::run_json_lines`]); the events before it
    /// agreed.
    #[error("cannot read the events: {0}")]
    Read(#[source] JsonLinesError),
    /// The states differ after a frame but after none of its events folded one `reduce` at a
    /// time: one of the views folds frames otherwise than one event per call.
    #[error(
        "the states differ after the frame of events {start}..{end}, but after none of them \
         folded one at a time: a view's frames disagree with its `reduce`"
    )]
    FramesDisagree {
        /// The position of the frame's first event.
        start: u64,
        /// The position after its last.
        end: u64,
    },
}

/// Which of the two views a call is made on.
#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

impl<'a> Diff<'a> {
    /// Compares `old` and `new`, both folding with `parameters` from their initial states.
    pub fn new(old: &'a StateView, new: &'a StateView, parameters: &'a Parameters) -> Self {
        Diff {
            old,
            new,
            parameters,
            start: None,
        }
    }

    /// Both views start from `state` instead of their initial states, e.g. the state a
    /// materialized view reached before the events compared.
    pub fn starting_from(mut self, state: State) -> Self {
        self.start = Some(state);
        self
    }

    /// Folds `events` through both views and compares them.
    pub fn run<I>(&self, events: I) -> Result<DiffOutcome, DiffError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        self.compare(events.into_iter().map(|event| (event, None)))
    }

    /// Folds the events of a JSON-lines input (blank lines skipped) through both views and
    /// compares them, naming a divergence by its line too. A line that is not an event ends the
    /// diff with [`DiffError::Read`], unless the views diverged before it.
    pub fn run_json_lines<R: BufRead>(&self, reader: R) -> Result<DiffOutcome, DiffError> {
        let mut lines = read_json_lines(reader);
        let mut unread = None;
        let events = std::iter::from_fn(|| match lines.next()? {
            Ok(event) => Some((event, Some(lines.line() as u64))),
            Err(error) => {
                unread = Some(error);
                None
            }
        });
        let outcome = self.compare(events)?;
        match (outcome, unread) {
            (DiffOutcome::Agree { .. }, Some(error)) => Err(DiffError::Read(error)),
            (outcome, _) => Ok(outcome),
        }
    }

    /// Most events per frame: the smaller of the two views' frames.
    fn frame_events(&self) -> usize {
        let old = self.old.fold_config().frame_events;
        old.min(self.new.fold_config().frame_events).max(1)
    }

    /// Most bytes of events per frame, counted as [`event_size`] does.
    fn frame_bytes(&self) -> usize {
        let old = self.old.fold_config().frame_bytes;
        old.min(self.new.fold_config().frame_bytes).max(1)
    }

    fn view(&self, side: Side) -> &'a StateView {
        match side {
            Side::Old => self.old,
            Side::New => self.new,
        }
    }

    /// The state each view starts from.
    fn initial_states(&self) -> Result<(State, State), DiffError> {
        if let Some(state) = &self.start {
            return Ok((state.clone(), state.clone()));
        }
        let old = (self.old.initialize(self.parameters)).map_err(DiffError::OldInitialize)?;
        let new = (self.new.initialize(self.parameters)).map_err(DiffError::NewInitialize)?;
        Ok((old, new))
    }

    /// The diff over `events`, each with its line if its source has lines.
    fn compare<E, I>(&self, mut events: I) -> Result<DiffOutcome, DiffError>
    where
        E: Borrow<Event>,
        I: Iterator<Item = (E, Option<u64>)>,
    {
        let (mut old_state, mut new_state) = self.initial_states()?;
        if !same_meaning(&old_state, &new_state) {
            return Ok(diverge(None, &old_state, &new_state));
        }
        let (frame_events, frame_bytes) = (self.frame_events(), self.frame_bytes());
        let mut frame: Vec<(E, Option<u64>)> = Vec::with_capacity(frame_events);
        let mut sessions: (Option<Session>, Option<Session>) = (None, None);
        let mut position = 0u64;
        loop {
            frame.clear();
            let mut bytes = 0;
            while frame.len() < frame_events && bytes < frame_bytes {
                let Some((event, line)) = events.next() else {
                    break;
                };
                bytes += event_size(event.borrow());
                frame.push((event, line));
            }
            if frame.is_empty() {
                return Ok(DiffOutcome::Agree { events: position });
            }
            let old_end =
                self.fold_frame(Side::Old, &old_state, &mut sessions.0, &frame, position)?;
            let new_end =
                self.fold_frame(Side::New, &new_state, &mut sessions.1, &frame, position)?;
            if !same_meaning(&old_end, &new_end) {
                return self.first_divergence(old_state, new_state, &frame, position);
            }
            (old_state, new_state) = (old_end, new_end);
            position += frame.len() as u64;
        }
    }

    /// Folds `frame` through one view from `state` on the instance in `session` (which holds
    /// `state`; a fresh one if there is none), leaving there the instance holding the state
    /// after it.
    fn fold_frame<E: Borrow<Event>>(
        &self,
        side: Side,
        state: &State,
        session: &mut Option<Session>,
        frame: &[(E, Option<u64>)],
        position: u64,
    ) -> Result<State, DiffError> {
        let events = frame.iter().map(|(event, _)| event.borrow());
        let view = self.view(side);
        let folded = run_sync(view.fold_on(
            Mode::Sync,
            state.clone(),
            session.take(),
            events,
            self.parameters,
        ));
        match folded {
            Ok((folded, kept)) => {
                *session = kept;
                Ok(folded.state)
            }
            Err(mut failed) => {
                let offset = position as usize;
                failed.index += offset;
                if let Some(said) = failed.frame_disagreement.as_deref_mut() {
                    said.frame = said.frame.start + offset..said.frame.end + offset;
                    said.blamed = said.blamed.map(|blamed| blamed + offset);
                }
                Err(failed_on(side, failed))
            }
        }
    }

    /// Folds `frame` again one `reduce` per event from the states at its start, and names the
    /// first event after which the two states differ.
    fn first_divergence<E: Borrow<Event>>(
        &self,
        mut old_state: State,
        mut new_state: State,
        frame: &[(E, Option<u64>)],
        position: u64,
    ) -> Result<DiffOutcome, DiffError> {
        let mut old = ViewInstance::unstarted(self.old.clone());
        let mut new = ViewInstance::unstarted(self.new.clone());
        let reduced = |side: Side, index: u64, event: &Event, state: &State, error: Error| {
            // The fold here is one `reduce` per event of this frame; what the frames before it
            // used is not counted.
            let failed = FoldError {
                index: index as usize,
                event_id: event.id.clone(),
                state: state.clone(),
                source: error,
                fuel_consumed: 0,
                peak_memory_bytes: 0,
                frame_disagreement: None,
            };
            failed_on(side, Box::new(failed))
        };
        for (offset, (event, line)) in frame.iter().enumerate() {
            let event = event.borrow();
            let index = position + offset as u64;
            let old_next = (old.reduce(&old_state, event, self.parameters))
                .map_err(|e| reduced(Side::Old, index, event, &old_state, e))?;
            let new_next = (new.reduce(&new_state, event, self.parameters))
                .map_err(|e| reduced(Side::New, index, event, &new_state, e))?;
            if !same_meaning(&old_next, &new_next) {
                let after = DivergentEvent {
                    index,
                    line: *line,
                    id: event.id.clone(),
                    event_type: event.event_type.clone(),
                };
                return Ok(diverge(Some(after), &old_next, &new_next));
            }
            (old_state, new_state) = (old_next, new_next);
        }
        Err(DiffError::FramesDisagree {
            start: position,
            end: position + frame.len() as u64,
        })
    }
}

fn failed_on(side: Side, failed: Box<FoldError>) -> DiffError {
    match side {
        Side::Old => DiffError::Old(failed),
        Side::New => DiffError::New(failed),
    }
}

fn diverge(after: Option<DivergentEvent>, old: &State, new: &State) -> DiffOutcome {
    DiffOutcome::Diverge(Box::new(Divergence {
        after,
        old_state: pretty(old),
        new_state: pretty(new),
    }))
}

/// About the bytes `event` takes in a frame: its payload and attributes.
fn event_size(event: &Event) -> usize {
    let attributes = event.id.len() + event.source.len() + event.event_type.len();
    let optional = [&event.datacontenttype, &event.dataschema, &event.subject]
        .into_iter()
        .flatten()
        .map(String::len)
        .sum::<usize>();
    let extensions = (event.extensions.iter())
        .map(|(name, value)| name.len() + value.len())
        .sum::<usize>();
    let data = event.data.as_ref().map_or(0, |data| data.len());
    attributes + optional + extensions + data
}

/// What a state means, as JSON: see the module's documentation.
fn meaning(state: &State) -> Option<serde_json::Value> {
    state
        .to_json()
        .or_else(|| serde_json::from_slice(&state.bytes).ok())
}

/// Whether two states mean the same: equal JSON values, or equal bytes when neither reads.
pub(crate) fn same_meaning(a: &State, b: &State) -> bool {
    if a.content_type == b.content_type && a.bytes == b.bytes {
        return true;
    }
    match (meaning(a), meaning(b)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => a.bytes == b.bytes,
        _ => false,
    }
}

/// A state for people: pretty JSON, else its text, else its size and content type.
fn pretty(state: &State) -> String {
    if let Some(json) = meaning(state)
        && let Ok(text) = serde_json::to_string_pretty(&json)
    {
        return text;
    }
    match std::str::from_utf8(&state.bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => format!("<{} bytes of {}>", state.bytes.len(), state.content_type),
    }
}

impl fmt::Display for DivergentEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}", self.index)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ", id {:?}, type {:?}", self.id, self.event_type)
    }
}

impl fmt::Display for Divergence {
    /// Where the states part, then both states.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.after {
            Some(event) => writeln!(f, "the states differ after {event}")?,
            None => writeln!(f, "the initial states differ")?,
        }
        writeln!(f, "old state:\n{}", self.old_state)?;
        write!(f, "new state:\n{}", self.new_state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> State {
        State::new(evident_types::content_type::JSON, text.as_bytes().to_vec())
    }

    #[test]
    fn states_are_compared_by_meaning() {
        assert!(same_meaning(
            &json(r#"{"a":1,"b":2}"#),
            &json(r#"{"b":2, "a":1}"#)
        ));
        assert!(!same_meaning(&json(r#"{"a":1}"#), &json(r#"{"a":2}"#)));
        let mut cbor = Vec::new();
        ciborium::into_writer(&serde_json::json!({"b": 2, "a": 1}), &mut cbor).unwrap();
        let cbor = State::new(evident_types::content_type::CBOR, cbor);
        assert!(same_meaning(&json(r#"{"a":1,"b":2}"#), &cbor));
        let raw = |bytes: &[u8]| State::new("application/octet-stream", bytes.to_vec());
        assert!(same_meaning(&raw(b"\xff\x00"), &raw(b"\xff\x00")));
        assert!(!same_meaning(&raw(b"\xff\x00"), &raw(b"\xff\x01")));
        assert!(!same_meaning(&raw(b"\xff"), &json("{}")));
    }

    #[test]
    fn states_print_as_pretty_json_text_or_their_size() {
        assert_eq!(
            pretty(&json(r#"{"b":1,"a":2}"#)),
            "{\n  \"a\": 2,\n  \"b\": 1\n}"
        );
        let raw = State::new("application/octet-stream", b"\xff\x00".to_vec());
        assert_eq!(pretty(&raw), "<2 bytes of application/octet-stream>");
    }
}
