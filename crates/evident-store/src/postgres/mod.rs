//! The shared store: one log in a PostgreSQL database that processes on several nodes append
//! to at once.
//!
//! # Appends: advisory locks, then a fresh look
//!
//! An append is one statement, `SELECT … FROM evident_append(…)`, sent outside an explicit
//! transaction: PostgreSQL runs it in a transaction of its own, READ COMMITTED, and commits it
//! (its WAL flushed) before it answers. One round trip per append, whatever it holds; the
//! function (see `schema`) does, in order:
//!
//! 1. The append's transaction-level advisory locks, one by one in one fixed order (sorted
//!    keys, see `locks`), so that no two appends wait on each other in a cycle: EXCLUSIVE on
//!    every key an event matching the append's *condition* must carry (an item with tags: its
//!    first tag; an item of types alone: each type; a query that can match any event: one
//!    global key) and on each event's (`source`, `id`); SHARED on every key the append's
//!    *events* carry (each tag, the type, the global key). Two appends wait for each other
//!    only when one's condition can match the other's events (or they repeat one event);
//!    appends on distinct tags never do, so they commit side by side and PostgreSQL's group
//!    commit shares their flushes. (A table lock serializes every append; SERIALIZABLE would
//!    retry under contention instead of queueing.)
//! 2. The condition check, in NEW statements: in a VOLATILE function under READ COMMITTED each
//!    statement takes its own snapshot, so the check's is taken after the locks are held and
//!    holds every append that could match the condition and committed before. An append that
//!    could still add a matching event holds a shared lock on a key this one holds
//!    exclusively: it has either committed (and is seen) or waits for this one. Checking in a
//!    snapshot taken before the locks were granted is the lost update published
//!    implementations have (a snapshot that hid a concurrent commit from the check); the
//!    tests hold a matching append open on another connection and watch the check wait for
//!    it and then see it.
//! 3. The look for events the log holds already (CloudEvents' `(source, id)`): the batch is
//!    refused, nothing written. A twin appended at the same moment holds the same exclusive
//!    key, so it is seen too; `UNIQUE (source, id)` backs this up (SQLSTATE 23505 is mapped to
//!    the same error).
//! 4. Positions, drawn from a sequence, and the rows: one `INSERT` for the events and one for
//!    their tags, from arrays.
//!
//! A refused append wrote nothing and drew no position.
//!
//! # Positions and readers: the gate
//!
//! Positions come from a sequence, so unrelated appends never wait for each other to number
//! their events; but a transaction that drew a lower position can then commit after one that
//! drew a higher. A reader that had seen the higher would skip the lower for ever, and a
//! decision's `after` could hide it. So an append takes a fixed advisory key, the *gate*,
//! SHARED just before it draws positions and holds it to commit, and `evident_head()` takes
//! the gate EXCLUSIVELY in a short transaction of its own: at that moment no append holds a
//! drawn position it has not committed or rolled back, so every position up to the
//! sequence's value is settled for good. [`Store::head`] is the last event up to there, and a
//! read returns only events up to the head it took when it began. Holding the gate costs a
//! writer nothing (shared locks do not conflict); taking it makes a reader wait for the
//! appends already drawing or committing (not for those still checking their condition), and
//! makes appends that reach the gate meanwhile wait for the reader's few microseconds.
//! [`Store::wait_for`] polls the sequence without the gate and takes it only once something
//! was drawn.
//!
//! Positions are unique and strictly increasing in commit-visible order, and gapless as long
//! as no transaction is lost; **a lost transaction leaves a gap**: an append whose connection
//! or server failed between drawing its positions and committing (a crash, a killed backend,
//! a full disk) leaves them unused. A batch's positions are consecutive unless another
//! append drew at the same moment. Readers never wait for a gap to fill, and no event is ever
//! appended into one.
//!
//! Reads are keyset-paged (`position > cursor ORDER BY position LIMIT 512` per scan, one scan
//! per query item, merged by position as the SQLite backend does), so a read holds one page
//! per scan whatever its size, and each page is its own statement: a long read holds no
//! transaction open.
//!
//! # Connections
//!
//! The handle keeps a pool of connections (a new one is opened when none is idle), each with
//! its prepared statements, so it is `Send + Sync` and every thread appending at once does it
//! on its own connection. The tables (see `schema`) are created at connect, once, by whichever
//! process gets there first. The keys the locks are taken on are documented in `locks`:
//! every process appending to one database must compute them alike.
//!
//! # Snapshots
//!
//! Views' snapshots are rows of `evident_snapshots`, saved in a short transaction of their
//! own (see `snapshots`); they take no position and no lock an append takes.

mod connection;
mod locks;
mod schema;
mod select;
mod snapshots;

use std::time::{Duration, Instant};

use postgres::Config;
use postgres::error::SqlState;
use postgres::types::ToSql;

use crate::location::redact;
use crate::merge;
use crate::pool::{Pool, Pooled};
use crate::record::{self, decode};
use crate::{
    AppendCondition, AppendError, Event, Events, Position, Query, Snapshot, SnapshotKey, Store,
    StoreError, StoreOptions,
};
use connection::{Append, Connection, DRAWN, MAX_IDLE};

const BACKEND: &str = "postgres";

/// How often [`Store::wait_for`] looks at the sequence.
const POLL: Duration = Duration::from_millis(10);

/// How long opening a connection may take, unless the URL says (`connect_timeout=`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A log in a PostgreSQL database, shared by every process that connects to it.
///
/// ```no_run
/// use evident_store::{PostgresStore, Store};
///
/// let store = PostgresStore::connect("postgresql://evident@127.0.0.1:5432/events")?;
/// println!("{} is at position {}", store.location(), store.head()?);
/// # Ok::<(), evident_store::StoreError>(())
/// ```
///
/// Positions are unique and strictly increasing, gapless unless a transaction is lost between
/// drawing its positions and committing (a crash, a dropped connection): its positions are then
/// left unused (see the module's notes). Needs PostgreSQL 12 or later.
pub struct PostgresStore {
    config: Config,
    location: String,
    options: StoreOptions,
    idle: Pool<Connection>,
}

/// `url` without its password, whether it is in the URL's user part (`user:secret@host`), a
/// parameter (`?password=secret`) or a key-value string (`host=h password=secret`).
fn hide_password(url: &str) -> String {
    let mut hidden = redact(url);
    let mut from = 0;
    while let Some(found) = hidden[from..].find("password=") {
        let start = from + found + "password=".len();
        let end = hidden[start..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(hidden.len(), |n| start + n);
        hidden.replace_range(start..end, "***");
        from = start + 3;
    }
    hidden
}

/// A position as PostgreSQL's `bigint`.
fn to_sql(position: Position) -> i64 {
    position.min(i64::MAX as Position) as i64
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend(BACKEND, error)
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgresql://user@host:port/database`), creating the
    /// tables if they are not there.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        PostgresStore::connect_with(url, StoreOptions::default())
    }

    /// Connects to the database at `url` with these limits.
    pub fn connect_with(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let location = hide_password(url);
        let open_error = |reason: String| StoreError::Open {
            location: location.clone(),
            reason,
        };
        let mut config: Config = url
            .parse()
            .map_err(|e: postgres::Error| open_error(format!("not a connection string: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("evident");
        }
        let mut connection = Connection::open(&config).map_err(|e| open_error(e.to_string()))?;
        schema::prepare(&mut connection.client).map_err(open_error)?;
        Ok(PostgresStore {
            config,
            location,
            options,
            idle: Pool::new(connection, MAX_IDLE),
        })
    }

    /// An idle connection, or a new one.
    fn connection(&self) -> Result<Pooled<'_, Connection>, StoreError> {
        self.idle.get(|| {
            Connection::open(&self.config)
                .map_err(|e| backend(format!("cannot connect to {}: {e}", self.location)))
        })
    }
}

impl Store for PostgresStore {
    fn append(
        &self,
        events: &[Event],
        condition: Option<&AppendCondition>,
    ) -> Result<Position, AppendError> {
        let records = record::prepare(events, self.options.max_event_bytes)?;
        let append = Append::new(&records, condition);
        let mut connection = self.connection()?;
        match connection.append(&append) {
            Ok(outcome) => outcome,
            Err(error)
                if error.code() == Some(&SqlState::UNIQUE_VIOLATION)
                    && error.as_db_error().and_then(|e| e.constraint())
                        == Some("evident_events_source_id") =>
            {
                // A twin committed between our look and our insert: name it as the look would.
                let index = connection.duplicate_in_log(&append).ok().flatten();
                Err(append.duplicate(index.unwrap_or(0)))
            }
            Err(error) => Err(AppendError::Store(backend(error))),
        }
    }

    fn read(
        &self,
        query: &Query,
        after: Position,
        limit: Option<u64>,
    ) -> Result<Events<'_>, StoreError> {
        let mut connection = self.connection()?;
        let upto = connection.head().map_err(backend)?;
        let scans = select::scans(query)
            .into_iter()
            .map(|scan| Scan {
                sql: scan.page_sql(),
                scan,
            })
            .collect();
        Ok(merge::merge(connection, scans, after, upto, limit))
    }

    fn head(&self) -> Result<Position, StoreError> {
        self.connection()?.head().map_err(backend)
    }

    fn wait_for(&self, after: Position, timeout: Duration) -> Result<Position, StoreError> {
        let deadline = Instant::now() + timeout;
        let mut connection = self.connection()?;
        loop {
            // Nothing drawn past `after` means nothing to wait for; something drawn may still
            // be unsettled (or rolled back), which only the gate tells.
            if connection.position(DRAWN).map_err(backend)? > after {
                let head = connection.head().map_err(backend)?;
                if head > after {
                    return Ok(head);
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return connection.head().map_err(backend);
            }
            std::thread::sleep(POLL.min(deadline - now));
        }
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    fn save_snapshot(&self, key: &SnapshotKey, snapshot: &Snapshot) -> Result<(), StoreError> {
        snapshots::save(
            &mut *self.connection()?,
            key,
            snapshot,
            self.options.snapshots_kept,
        )
    }

    fn snapshot(&self, key: &SnapshotKey, at: Position) -> Result<Option<Snapshot>, StoreError> {
        snapshots::find(&mut *self.connection()?, key, at)
    }

    fn delete_snapshots(&self, view: &str) -> Result<u64, StoreError> {
        snapshots::delete(&mut *self.connection()?, view)
    }
}

/// A scan with the SQL of its pages.
struct Scan {
    scan: select::Scan,
    sql: String,
}

impl merge::Pages for Pooled<'_, Connection> {
    type Scan = Scan;

    fn page(
        &mut self,
        scan: &Scan,
        after: Position,
        upto: Position,
        limit: usize,
    ) -> Result<Vec<merge::Row>, StoreError> {
        let connection: &mut Connection = self;
        let statement = connection.statement(&scan.sql).map_err(backend)?;
        let (after, upto, rows) = (to_sql(after), to_sql(upto), limit as i64);
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&after, &upto, &rows];
        params.extend(scan.scan.values());
        let found = connection
            .client
            .query(&statement, &params)
            .map_err(backend)?;
        found
            .iter()
            .map(|row| {
                let position = row.try_get::<_, i64>(0).map_err(backend)? as Position;
                let body: &[u8] = row.try_get(1).map_err(backend)?;
                Ok((position, decode(position, body)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::hide_password;

    #[test]
    fn no_form_of_a_connection_string_shows_its_password() {
        assert_eq!(
            hide_password("postgresql://ev:secret@h:5432/db?password=again&sslmode=disable"),
            "postgresql://ev:***@h:5432/db?password=***&sslmode=disable"
        );
        assert_eq!(
            hide_password("host=h password=secret dbname=d"),
            "host=h password=*** dbname=d"
        );
        assert_eq!(hide_password("postgres://h/db"), "postgres://h/db");
    }
}
