//! The SQLite file: its tables, and the settings every connection to it uses.
//!
//! `events` holds each event's body (a one-event frame) under its position, the log's order;
//! `tags` indexes `name:value` tags by position, so a query for one tag reads that tag's rows
//! and never scans the log. Positions are assigned inside the writer's `BEGIN IMMEDIATE`
//! transaction, which SQLite grants to one connection of one process at a time, so they are
//! gapless across every process that opens the file.
//!
//! `snapshots` holds views' snapshots (see `crate::snapshot`) under their key and position. It
//! came after layout 1 without changing it (older builds ignore the table), so it is created
//! whenever a file lacks it, not by the layout's version.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::StoreError;

/// The file inside a store's directory.
pub(crate) const FILE: &str = "events.db";

/// The layout this code writes, kept in SQLite's `user_version`.
const VERSION: i64 = 1;

/// How long a connection waits for another process's write lock before it reports an error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of the file a connection maps (address space, not memory).
const MMAP_BYTES: i64 = 1 << 30;

/// A connection's page cache, in KiB as a negative `cache_size` says: room for the indexes'
/// upper levels of a log of millions of events.
const CACHE_KIB: i64 = -16 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    type     TEXT NOT NULL,
    source   TEXT NOT NULL,
    id       TEXT NOT NULL,
    body     BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_source_id ON events (source, id);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
CREATE TABLE IF NOT EXISTS tags (
    tag      TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (tag, position)
) WITHOUT ROWID;
";

/// The snapshots' table: a rowid table (states can be megabytes; SQLite keeps such rows in
/// overflow pages), with its key's index answering "the newest at or before a position".
const SNAPSHOTS: &str = "
CREATE TABLE IF NOT EXISTS snapshots (
    view             TEXT    NOT NULL,
    component_digest TEXT    NOT NULL,
    wit_release      TEXT    NOT NULL,
    parameters       TEXT    NOT NULL,
    position         INTEGER NOT NULL,
    content_type     TEXT    NOT NULL,
    schema_id        TEXT,
    state            BLOB    NOT NULL,
    PRIMARY KEY (view, component_digest, wit_release, parameters, position)
);
";

/// Opens a connection with the settings that make an acknowledged commit durable: the WAL
/// journal, flushed at every commit (`synchronous=FULL`; `NORMAL` would lose the last commits
/// on power loss).
pub(crate) fn connect(file: &Path) -> Result<Connection, rusqlite::Error> {
    let connection = Connection::open(file)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    // Reads map the file instead of copying each page out of the kernel's cache; SQLite falls
    // back to reads past this size.
    connection.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    connection.pragma_update(None, "cache_size", CACHE_KIB)?;
    Ok(connection)
}

/// Creates the tables if the file is new, switches it to WAL, and refuses a file written by a
/// newer layout.
///
/// Connections opening a new file at once (processes started together) can be told "database
/// is locked" at once, without the busy timeout's wait: SQLite does not wait where waiting could
/// deadlock, as when two connections that have both read the new file in its first journal mode
/// both want the exclusive lock that switches it to WAL. Each step here can be done again, so
/// the whole is retried, within the busy timeout, until it is done or fails for another reason.
pub(crate) fn prepare(connection: &Connection, location: &str) -> Result<(), StoreError> {
    let open_error = |reason: String| StoreError::Open {
        location: location.to_owned(),
        reason,
    };
    let deadline = Instant::now() + BUSY_TIMEOUT;
    for attempt in 0u32.. {
        match prepare_once(connection) {
            Ok(checked) => return checked.map_err(open_error),
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                if !connection.is_autocommit() {
                    // A step that failed inside its transaction leaves it open.
                    connection
                        .execute_batch("ROLLBACK")
                        .map_err(|e| open_error(e.to_string()))?;
                }
                std::thread::sleep(Duration::from_millis(1 << attempt.min(5)));
            }
            Err(e) => return Err(open_error(e.to_string())),
        }
    }
    unreachable!("the attempts end at the deadline")
}

/// Whether SQLite refused for a lock another connection holds.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(failure, _)
        if failure.code == rusqlite::ErrorCode::DatabaseBusy)
}

/// One attempt of [`prepare`]: an SQLite error (the caller retries it if it is a lock), or
/// whether the file is one this build can use.
fn prepare_once(connection: &Connection) -> Result<Result<(), String>, rusqlite::Error> {
    let mode: String = connection.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(Err(format!(
            "the file cannot use the WAL journal (it is in `{mode}` mode)"
        )));
    }
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > VERSION {
        return Ok(Err(format!(
            "the file has layout {version}; this build reads layout {VERSION} (upgrade evident)"
        )));
    }
    if version < VERSION {
        // Two processes creating one store at once: `BEGIN IMMEDIATE` lets one create the
        // tables while the other waits, then finds them there.
        connection.execute_batch(&format!(
            "BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {VERSION}; COMMIT;"
        ))?;
    }
    // A file from before snapshots gets their table. Looked for first, so that opening a
    // store that has it takes no write lock.
    let has_snapshots: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'snapshots')",
        [],
        |row| row.get(0),
    )?;
    if !has_snapshots {
        connection.execute_batch(&format!("BEGIN IMMEDIATE; {SNAPSHOTS} COMMIT;"))?;
    }
    Ok(Ok(()))
}
