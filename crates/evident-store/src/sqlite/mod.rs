//! The embedded store: a SQLite file in WAL mode that several processes may open at once.

mod schema;
mod select;
mod snapshots;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::merge;
use crate::pool::{Pool, Pooled, Reusable};
use crate::record::{self, decode};
use crate::{
    AppendCondition, AppendError, Event, Events, Position, Query, Snapshot, SnapshotKey, Store,
    StoreError, StoreOptions,
};

const BACKEND: &str = "sqlite";

/// Idle read connections kept for the next read.
const MAX_IDLE_READERS: usize = 16;

/// How often [`Store::wait_for`] looks for appends made by other processes.
const POLL: Duration = Duration::from_millis(10);

/// A log in a SQLite file (`<dir>/events.db`), durable before an append is acknowledged.
///
/// One handle serves any number of threads: appends made while another is being flushed are
/// committed together in one transaction and one flush (group commit, see `writer`), and
/// reads use a pool of connections. Other processes may open the same directory; SQLite's locks order their
/// writers, and positions stay gapless across all of them.
pub struct SqliteStore {
    location: String,
    file: PathBuf,
    options: StoreOptions,
    writer: writer::Writer,
    /// Idle connections for reads and snapshots.
    readers: Pool<Connection>,
}

impl SqliteStore {
    /// Opens the store in directory `dir`, creating it if it does not exist.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        SqliteStore::open_with(dir, StoreOptions::default())
    }

    /// Opens the store in `dir` with these limits.
    pub fn open_with(dir: impl AsRef<Path>, options: StoreOptions) -> Result<Self, StoreError> {
        let dir = dir.as_ref();
        let location = dir.display().to_string();
        let open_error = |reason: String| StoreError::Open {
            location: location.clone(),
            reason,
        };
        if dir.is_file() {
            return Err(open_error(
                "it is a file; a store is a directory (holding events.db)".into(),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        let file = dir.join(schema::FILE);
        let connection = schema::connect(&file).map_err(|e| open_error(e.to_string()))?;
        schema::prepare(&connection, &location)?;
        let head = head_of(&connection).map_err(|e| open_error(e.to_string()))?;
        let write_connection = schema::connect(&file).map_err(|e| open_error(e.to_string()))?;
        Ok(SqliteStore {
            location,
            file,
            options,
            writer: writer::Writer::new(write_connection, head),
            readers: Pool::new(connection, MAX_IDLE_READERS),
        })
    }

    /// Whether `dir` holds a store (without creating one).
    pub fn exists(dir: impl AsRef<Path>) -> bool {
        dir.as_ref().join(schema::FILE).is_file()
    }

    /// Transactions committed by this handle and the appends they held: fewer commits than
    /// appends means appends shared a flush.
    pub fn commit_counts(&self) -> (u64, u64) {
        (
            self.writer.commits.load(Ordering::Relaxed),
            self.writer.appends.load(Ordering::Relaxed),
        )
    }

    /// The SQLite file, for `sqlite3` or a backup.
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn reader(&self) -> Result<Reader<'_>, StoreError> {
        self.readers
            .get(|| schema::connect(&self.file).map_err(|e| StoreError::backend(BACKEND, e)))
    }
}

/// A pooled connection (reads, snapshots), back to the pool when dropped.
type Reader<'s> = Pooled<'s, Connection>;

impl Reusable for Connection {
    /// Not one left inside a transaction (a rollback that failed), which would hold the
    /// write lock or an old snapshot for the next caller.
    fn reusable(&self) -> bool {
        self.is_autocommit()
    }
}

/// The last position in the file.
fn head_of(connection: &Connection) -> rusqlite::Result<Position> {
    connection
        .prepare_cached("SELECT coalesce(max(position), 0) FROM events")?
        .query_row([], |row| row.get::<_, i64>(0))
        .map(|head| head as Position)
}

impl Store for SqliteStore {
    fn append(
        &self,
        events: &[Event],
        condition: Option<&AppendCondition>,
    ) -> Result<Position, AppendError> {
        let records = record::prepare(events, self.options.max_event_bytes)?;
        self.writer.append(records, condition.cloned())
    }

    fn read(
        &self,
        query: &Query,
        after: Position,
        limit: Option<u64>,
    ) -> Result<Events<'_>, StoreError> {
        let reader = self.reader()?;
        let upto = head_of(&reader).map_err(|e| StoreError::backend(BACKEND, e))?;
        let scans = select::scans(query, true);
        Ok(merge::merge(reader, scans, after, upto, limit))
    }

    fn head(&self) -> Result<Position, StoreError> {
        head_of(&*self.reader()?).map_err(|e| StoreError::backend(BACKEND, e))
    }

    fn wait_for(&self, after: Position, timeout: Duration) -> Result<Position, StoreError> {
        let deadline = Instant::now() + timeout;
        loop {
            // Appends of this handle are signalled; other processes' are found by polling.
            let head = self.head()?;
            let now = Instant::now();
            if head > after || now >= deadline {
                return Ok(head);
            }
            self.writer.wait_past(after, (now + POLL).min(deadline));
        }
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    fn save_snapshot(&self, key: &SnapshotKey, snapshot: &Snapshot) -> Result<(), StoreError> {
        snapshots::save(
            &mut *self.reader()?,
            key,
            snapshot,
            self.options.snapshots_kept,
        )
    }

    fn snapshot(&self, key: &SnapshotKey, at: Position) -> Result<Option<Snapshot>, StoreError> {
        snapshots::find(&*self.reader()?, key, at)
    }

    fn delete_snapshots(&self, view: &str) -> Result<u64, StoreError> {
        snapshots::delete(&mut *self.reader()?, view)
    }
}

/// A failed read as the caller needs it: damage to the file names the first position that
/// could not be read (every event before it was).
fn read_error(error: rusqlite::Error, position: Position) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            StoreError::Corrupt {
                position,
                reason: error.to_string(),
            }
        }
        _ => StoreError::backend(BACKEND, error),
    }
}

impl merge::Pages for Reader<'_> {
    type Scan = select::Scan;

    fn page(
        &mut self,
        scan: &select::Scan,
        after: Position,
        upto: Position,
        limit: usize,
    ) -> Result<Vec<merge::Row>, StoreError> {
        scan.page(self, after, upto, limit, |position, body| {
            (position, decode(position, body))
        })
        .map_err(|error| read_error(error, after + 1))
    }
}
