//! The database as a decision reads it: the event log and the materialized views, as of one
//! position of the log (the decision's revision).
//!
//! A [`crate::DatabaseDecider`] is handed a [`Database`]: in a component, the host's `database`
//! resource; natively, an [`InMemory`] one built from events and view states, which records
//! every read so a test can assert what a decision read (the host derives the append condition
//! of a decision that returns none from exactly those reads).
//!
//! ```
//! use evident_guest_sdk::database::{Database, InMemory, Read};
//! use evident_guest_sdk::prelude::*;
//! use evident_guest_sdk::query::{Query, QueryItem, Tag};
//!
//! let database = InMemory::new()
//!     .with_event(Event::new("u1", "/users", "user.registered").with_extension("username", "ann"))
//!     .with_view_state("users", Parameters::new(), State::new("application/json", &b"{\"count\":1}"[..]));
//! let taken = Query::item(
//!     QueryItem::types(["user.registered"]).with_tags([Tag::new("username", "ann").unwrap()]),
//! );
//! let database: &dyn Database = &database;
//! assert_eq!(database.revision(), 1);
//! assert_eq!(database.query_events(&taken, 0, 1)[0].position, 1);
//! let users: Option<serde_json::Value> = database.view_state("users", None, &Parameters::new())?;
//! assert_eq!(users.unwrap()["count"], 1);
//! # Ok::<(), GuestError>(())
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use evident_types::query::{Position, Query};
use evident_types::{Event, GuestError, Parameters, State};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec::{Codec, Json, decode_by_content_type};
use crate::decider::codes;
use crate::view::{self, StateView, ViewError};

/// An event with the position the log gave it, as [`Database::query_events`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Where the event sits in the log: 1 for the first event.
    pub position: Position,
    /// The event, exactly as it was appended.
    pub event: Event,
}

/// The reads a decision may make, all as of the decision's revision, so that what it decides
/// on cannot change under it.
///
/// Take it as `&dyn Database`: [`view_state`](#method.view_state) (decode a view's state into a
/// serde type) and [`query_all`](#method.query_all) (page through a query) are methods of
/// `dyn Database`, built on the three required ones.
pub trait Database {
    /// The position the decision reads at: the last event of the log when it began.
    fn revision(&self) -> Position;

    /// The events `query` selects with positions after `after` and at or before the revision,
    /// in order, at most `limit` of them (the host may lower a large limit to its cap).
    fn query_events(&self, query: &Query, after: Position, limit: u32) -> Vec<StoredEvent>;

    /// The state of the view `name` under `parameters` at the revision, of `version` or of the
    /// active version if `None`; `None` if no such view is registered.
    fn view_state_raw(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
    ) -> Option<State>;
}

/// How many events [`query_all`](trait.Database.html#method.query_all) asks for per read.
pub const PAGE: u32 = 1000;

impl dyn Database + '_ {
    /// The state of the view `name` decoded as `T`, by its content type (JSON or CBOR, as the
    /// SDK's codecs encode views); `Ok(None)` if no such view is registered (or its state is
    /// "no state yet").
    ///
    /// A state in another format, or one that does not decode as `T`, is refused with
    /// `invalid-state` naming the view: the decider and the view disagree about its shape.
    pub fn view_state<T: DeserializeOwned>(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
    ) -> Result<Option<T>, GuestError> {
        let state = match self.view_state_raw(name, version, parameters) {
            Some(state) if !state.is_absent() => state,
            _ => return Ok(None),
        };
        decode_by_content_type(&state.content_type, &state.bytes)
            .map(Some)
            .map_err(|e| {
                GuestError::new(
                    codes::INVALID_STATE,
                    format!("cannot decode the state of view `{name}`: {e}"),
                )
            })
    }

    /// Every event `query` selects after `after` up to the revision, read in pages of
    /// [`PAGE`] events until one comes back empty or reaches the revision. Each page is a read
    /// (and costs fuel); prefer [`Database::query_events`] with a limit when a few will do.
    pub fn query_all(&self, query: &Query, after: Position) -> Vec<StoredEvent> {
        let revision = self.revision();
        let mut events: Vec<StoredEvent> = Vec::new();
        let mut after = after;
        while after < revision {
            let page = self.query_events(query, after, PAGE);
            match page.last() {
                Some(last) if last.position > after => after = last.position,
                _ => break,
            }
            events.extend(page);
        }
        events
    }
}

/// One read a decision made of an [`InMemory`] database, so a test can assert what the host
/// would derive the append condition from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// A [`Database::query_events`] call.
    Events {
        /// What it selected.
        query: Query,
        /// The position it read after.
        after: Position,
        /// How many events it asked for at most.
        limit: u32,
    },
    /// A [`Database::view_state_raw`] call (which `view_state` makes).
    ViewState {
        /// The view's name.
        name: String,
        /// The version asked for; `None` for the active one.
        version: Option<String>,
        /// The parameters, as given.
        parameters: Parameters,
    },
}

/// Folds the events of an [`InMemory`] database through a view for some parameters.
type Fold = Box<dyn Fn(&[StoredEvent], &Parameters) -> Result<State, ViewError>>;

/// A database in memory, for running a decider natively (`cargo test`): events at positions
/// 1, 2, … and view states given outright or folded from the events by a [`StateView`]. Every
/// read is recorded; [`InMemory::reads`] lists them.
///
/// The revision is the last event's position unless [`InMemory::with_revision`] sets an earlier
/// one (events after it are then invisible, as events appended during a decision are).
#[derive(Default)]
pub struct InMemory {
    events: Vec<StoredEvent>,
    revision: Option<Position>,
    states: BTreeMap<(String, Vec<(String, String)>), State>,
    folds: BTreeMap<String, Fold>,
    reads: RefCell<Vec<Read>>,
}

impl InMemory {
    /// An empty log with no views.
    pub fn new() -> Self {
        InMemory::default()
    }

    /// A log of these events, at positions 1, 2, ….
    pub fn with_events(events: impl IntoIterator<Item = Event>) -> Self {
        events
            .into_iter()
            .fold(InMemory::new(), InMemory::with_event)
    }

    /// Appends an event at the next position.
    pub fn with_event(mut self, event: Event) -> Self {
        let position = self.events.len() as Position + 1;
        self.events.push(StoredEvent { position, event });
        self
    }

    /// Reads as of `revision` rather than the last event, so later events stand for those
    /// appended while the decision ran: reads do not see them.
    pub fn with_revision(mut self, revision: Position) -> Self {
        self.revision = Some(revision);
        self
    }

    /// Gives view `name` under `parameters` (in any order) this state, whatever the events and
    /// the version asked for.
    pub fn with_view_state(
        mut self,
        name: impl Into<String>,
        parameters: Parameters,
        state: State,
    ) -> Self {
        self.states.insert((name.into(), key(&parameters)), state);
        self
    }

    /// Gives view `name` under `parameters` this value, encoded as JSON.
    pub fn with_view_json<T: Serialize + ?Sized>(
        self,
        name: impl Into<String>,
        parameters: Parameters,
        value: &T,
    ) -> Self {
        let bytes =
            serde_json::to_vec(value).expect("a view state given to InMemory encodes as JSON");
        self.with_view_state(name, parameters, State::new(Json::CONTENT_TYPE, bytes))
    }

    /// Registers view `name` as `V` folding the events that `select(parameters)` selects up to
    /// the revision, as the host folds a registered view over its query. A state given with
    /// [`InMemory::with_view_state`] for the same parameters takes precedence.
    ///
    /// A fold that fails makes `view_state` panic naming the view (in the host, it fails the
    /// decision).
    pub fn with_view<V: StateView>(
        mut self,
        name: impl Into<String>,
        select: impl Fn(&Parameters) -> Query + 'static,
    ) -> Self {
        let fold: Fold = Box::new(move |events, parameters| {
            let query = select(parameters);
            let mut state: V = V::initialize(parameters)?;
            for stored in events.iter().filter(|s| query.matches(&s.event)) {
                state.reduce(&stored.event.as_event_ref(), parameters)?;
            }
            view::encode(&state)
        });
        self.folds.insert(name.into(), fold);
        self
    }

    /// The reads made so far, in order.
    pub fn reads(&self) -> Vec<Read> {
        self.reads.borrow().clone()
    }

    /// Forgets the reads made so far, so the next decision's are listed alone.
    pub fn clear_reads(&self) {
        self.reads.borrow_mut().clear();
    }

    /// Every event of the log, those after the revision included, so a test can check a
    /// decision's condition against events appended while it decided.
    pub fn events(&self) -> &[StoredEvent] {
        &self.events
    }

    fn visible(&self) -> &[StoredEvent] {
        let revision = self.revision();
        let end = self.events.partition_point(|s| s.position <= revision);
        &self.events[..end]
    }
}

fn key(parameters: &Parameters) -> Vec<(String, String)> {
    let mut pairs = parameters.as_slice().to_vec();
    pairs.sort();
    pairs
}

impl Database for InMemory {
    fn revision(&self) -> Position {
        self.revision
            .unwrap_or_else(|| self.events.last().map_or(0, |s| s.position))
    }

    fn query_events(&self, query: &Query, after: Position, limit: u32) -> Vec<StoredEvent> {
        self.reads.borrow_mut().push(Read::Events {
            query: query.clone(),
            after,
            limit,
        });
        self.visible()
            .iter()
            .filter(|s| s.position > after && query.matches(&s.event))
            .take(limit as usize)
            .cloned()
            .collect()
    }

    fn view_state_raw(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
    ) -> Option<State> {
        self.reads.borrow_mut().push(Read::ViewState {
            name: name.to_owned(),
            version: version.map(str::to_owned),
            parameters: parameters.clone(),
        });
        if let Some(state) = self.states.get(&(name.to_owned(), key(parameters))) {
            return Some(state.clone());
        }
        let fold = self.folds.get(name)?;
        match fold(self.visible(), parameters) {
            Ok(state) => Some(state),
            Err(error) => panic!("view `{name}` failed to fold: {error}"),
        }
    }
}

impl fmt::Debug for InMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemory")
            .field("events", &self.events)
            .field("revision", &self.revision())
            .field("states", &self.states)
            .field("folded_views", &self.folds.keys().collect::<Vec<_>>())
            .field("reads", &self.reads.borrow())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Cbor;
    use evident_types::EventRef;
    use evident_types::query::{QueryItem, Tag};

    fn tagged(id: &str, ty: &str, course: &str) -> Event {
        Event::new(id, "/courses", ty).with_extension("course", course)
    }

    fn course(name: &str) -> Query {
        Query::item(QueryItem::tags([Tag::new("course", name).unwrap()]))
    }

    #[test]
    fn reads_stop_at_the_revision_and_are_recorded() {
        let database = InMemory::with_events([
            tagged("1", "a", "c1"),
            tagged("2", "a", "c2"),
            tagged("3", "b", "c1"),
            tagged("4", "b", "c1"),
        ])
        .with_revision(3);
        let database: &dyn Database = &database;
        assert_eq!(database.revision(), 3);
        let read = database.query_events(&course("c1"), 0, 10);
        assert_eq!(read.iter().map(|s| s.position).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(database.query_events(&course("c1"), 1, 1)[0].event.id, "3");
        assert!(database.query_events(&course("c1"), 3, 10).is_empty());
        assert_eq!(database.query_all(&course("c1"), 0).len(), 2);
        assert_eq!(
            database.view_state_raw("missing", Some("1.0.0"), &Parameters::new()),
            None
        );
    }

    #[test]
    fn the_reads_list_says_what_was_asked() {
        let database = InMemory::new();
        let dynamic: &dyn Database = &database;
        dynamic.query_events(&course("c1"), 4, 1);
        let missing: Option<u8> = dynamic
            .view_state("v", None, &Parameters::new().with("k", "x"))
            .unwrap();
        assert_eq!(missing, None);
        assert_eq!(
            database.reads(),
            [
                Read::Events {
                    query: course("c1"),
                    after: 4,
                    limit: 1
                },
                Read::ViewState {
                    name: "v".into(),
                    version: None,
                    parameters: Parameters::new().with("k", "x"),
                },
            ]
        );
        database.clear_reads();
        assert!(database.reads().is_empty());
    }

    #[test]
    fn query_all_pages_past_a_capped_limit() {
        let events = (1..=2500).map(|i| tagged(&i.to_string(), "a", "c1"));
        let database = InMemory::with_events(events);
        let dynamic: &dyn Database = &database;
        let all = dynamic.query_all(&Query::all(), 0);
        assert_eq!(all.len(), 2500);
        assert_eq!(all.last().unwrap().position, 2500);
        // Three pages: 1000, 1000, 500 (the last reaches the revision).
        assert_eq!(database.reads().len(), 3);
    }

    #[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
    struct Count {
        n: u32,
    }

    impl StateView for Count {
        type Codec = Cbor;
        fn initialize(_: &Parameters) -> Result<Self, ViewError> {
            Ok(Count { n: 0 })
        }
        fn reduce(&mut self, event: &EventRef<'_>, _: &Parameters) -> Result<(), ViewError> {
            if event.event_type == "bad" {
                return Err(ViewError::new("a bad event"));
            }
            self.n += 1;
            Ok(())
        }
    }

    #[test]
    fn views_are_given_or_folded_and_decoded_by_content_type() {
        let database = InMemory::with_events([
            tagged("1", "a", "c1"),
            tagged("2", "a", "c2"),
            tagged("3", "a", "c1"),
        ])
        .with_view::<Count>("count", |p| course(p.get("course").unwrap_or_default()))
        .with_view_json(
            "count",
            Parameters::new().with("course", "given"),
            &Count { n: 42 },
        );
        let dynamic: &dyn Database = &database;
        let count = |course: &str| {
            dynamic
                .view_state::<Count>("count", None, &Parameters::new().with("course", course))
                .unwrap()
                .unwrap()
                .n
        };
        assert_eq!(count("c1"), 2);
        assert_eq!(count("c2"), 1);
        assert_eq!(count("given"), 42);
        let raw = dynamic
            .view_state_raw("count", None, &Parameters::new().with("course", "c1"))
            .unwrap();
        assert_eq!(raw.content_type, "application/cbor");
    }

    #[test]
    fn a_state_that_does_not_decode_is_refused_naming_the_view() {
        let database = InMemory::new()
            .with_view_state("v", Parameters::new(), State::new("text/plain", &b"hi"[..]))
            .with_view_state("w", Parameters::new(), State::default())
            .with_view_json("x", Parameters::new(), "text");
        let dynamic: &dyn Database = &database;
        for name in ["v", "x"] {
            let error = dynamic
                .view_state::<Count>(name, None, &Parameters::new())
                .unwrap_err();
            assert_eq!(error.code, codes::INVALID_STATE);
            assert!(error.message.contains(&format!("`{name}`")), "{error}");
        }
        let absent = dynamic.view_state::<Count>("w", None, &Parameters::new());
        assert_eq!(absent, Ok(None));
    }

    #[test]
    #[should_panic(expected = "view `count` failed to fold: a bad event")]
    fn a_failing_fold_panics_naming_the_view() {
        let database = InMemory::with_events([tagged("1", "bad", "c1")])
            .with_view::<Count>("count", |_| Query::all());
        let dynamic: &dyn Database = &database;
        let _ = dynamic.view_state_raw("count", None, &Parameters::new());
    }
}
