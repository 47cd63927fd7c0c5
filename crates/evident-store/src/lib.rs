//! The Evident event log: CloudEvents in one totally ordered log, appended under Dynamic
//! Consistency Boundary conditions.
//!
//! Every appended event gets a [`Position`], strictly increasing from 1. A reader selects
//! events with a [`Query`] (DCB items of types and tags over CloudEvent attributes); a writer
//! appends a batch atomically, optionally under an [`AppendCondition`] that fails the append
//! if an event the decision depended on was appended since it read. Three backends keep the
//! same promises, checked by one conformance suite: [`MemoryStore`] (tests),
//! [`SqliteStore`] (embedded, the default: one file, several processes, durable before an
//! append is acknowledged, appends from many threads sharing one flush) and, with the
//! `postgres` feature, `PostgresStore` (several nodes writing one log). Beside the log, each
//! backend keeps materialized views' [`Snapshot`]s (state and position), keyed by a
//! [`SnapshotKey`] naming the component's digest, WIT release and parameters (see `snapshot`).
//!
//! ```
//! use evident_store::{AppendCondition, AppendError, Query, QueryItem, Store, SqliteStore};
//! use evident_types::Event;
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(dir.path().join("events"))?;
//! let course = || Query::item(QueryItem::tags(["course:c1".parse().unwrap()]));
//! let defined = Event::new("c1", "/courses", "course.defined").with_extension("course", "c1");
//! assert_eq!(store.append(&[defined], None)?, 1);
//!
//! // Decide on what the course's events say, then append unless they changed meanwhile.
//! let seen = store.read(&course(), 0, None)?.count();
//! let head = store.head()?;
//! let subscribed = Event::new("c1/s1", "/courses", "student.subscribed")
//!     .with_extension("course", "c1");
//! let condition = AppendCondition::new(course(), Some(head));
//! assert_eq!(store.append(&[subscribed.clone()], Some(&condition))?, 2);
//! // The same condition now fails: position 2 matches it.
//! let again = Event::new("c1/s2", "/courses", "student.subscribed").with_extension("course", "c1");
//! let error = store.append(&[again], Some(&condition)).unwrap_err();
//! assert!(matches!(error, AppendError::Conflict { position: 2, after: 1 }));
//! # assert_eq!(seen, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod location;
mod memory;
mod merge;
mod pool;
#[cfg(feature = "postgres")]
mod postgres;
pub use evident_types::query;
mod record;
mod snapshot;
mod sqlite;

use std::time::Duration;

pub use error::{AppendError, Existing, StoreError};
pub use evident_types::Event;
pub use location::{DEFAULT_LOCATION, is_postgres, open, open_existing};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
pub use query::{AppendCondition, Query, QueryError, QueryItem, Tag};
pub use snapshot::{Snapshot, SnapshotKey};
pub use sqlite::SqliteStore;

pub use evident_types::query::Position;

/// An event read back, with the position the log gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its position in the log.
    pub position: Position,
    /// The event, equal to what was appended.
    pub event: Event,
}

/// Events read from a store, in position order, fetched page by page as they are taken: the
/// memory a read holds does not grow with the number of events it returns.
pub type Events<'s> = Box<dyn Iterator<Item = Result<StoredEvent, StoreError>> + Send + 's>;

/// Settings every backend honours.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The largest event taken, as stored (attributes and data). Default 1 MiB.
    pub max_event_bytes: usize,
    /// How many snapshots each [`SnapshotKey`] keeps, the newest by position (0 keeps none).
    /// Default 4.
    pub snapshots_kept: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_event_bytes: 1 << 20,
            snapshots_kept: 4,
        }
    }
}

/// An event log. Handles are safe to share between threads; every method may be called from
/// many threads at once.
pub trait Store: Send + Sync {
    /// Appends `events` atomically, all or none, after checking `condition` against the log
    /// and every append ordered before this one; returns the position of the last event.
    ///
    /// Once this returns `Ok`, the events are durable (the backend's flush is done) and
    /// visible to every reader.
    fn append(
        &self,
        events: &[Event],
        condition: Option<&AppendCondition>,
    ) -> Result<Position, AppendError>;

    /// The events matching `query` with positions after `after`, in order, at most `limit`
    /// of them. The read sees the log as it was when it began: events appended while it runs
    /// are left for the next read.
    fn read(
        &self,
        query: &Query,
        after: Position,
        limit: Option<u64>,
    ) -> Result<Events<'_>, StoreError>;

    /// The position of the last event (0 in an empty log): every event at or before it is
    /// readable, and no event will ever be appended at or before it.
    fn head(&self) -> Result<Position, StoreError>;

    /// Waits until the head is past `after` or `timeout` has passed; returns the head. What a
    /// catch-up subscriber calls between reads.
    fn wait_for(&self, after: Position, timeout: Duration) -> Result<Position, StoreError>;

    /// Where the store is, for messages: a path or a connection string without its password.
    fn location(&self) -> String;

    /// Saves `snapshot` under `key` (replacing one at the same position), keeping at most the
    /// newest [`StoreOptions::snapshots_kept`] (default 4) per key.
    ///
    /// Refused with [`StoreError::SnapshotPastHead`] if its position is past the head. In the
    /// durable backends it is flushed before this returns `Ok`, as an append is.
    fn save_snapshot(&self, key: &SnapshotKey, snapshot: &Snapshot) -> Result<(), StoreError>;

    /// The newest snapshot under `key` whose position is at or before `at`.
    fn snapshot(&self, key: &SnapshotKey, at: Position) -> Result<Option<Snapshot>, StoreError>;

    /// Deletes every snapshot of view `view` (any digest, release, parameters); returns how
    /// many. What a rebuild calls first.
    fn delete_snapshots(&self, view: &str) -> Result<u64, StoreError>;
}
