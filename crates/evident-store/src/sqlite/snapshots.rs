//! Snapshots in the SQLite file (the `snapshots` table, see `schema`): each save or delete is a
//! short `BEGIN IMMEDIATE` transaction of its own on a pooled connection, apart from the
//! appends' group commit. It holds SQLite's write lock (waiting up to the busy timeout for another
//! writer's, in this process or another), so the head it checks against and the pruning it
//! does see every other writer's commits.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::snapshot::{check_position, kept_limit};
use crate::{Position, Snapshot, SnapshotKey, StoreError};
use evident_types::State;

use super::BACKEND;

/// The key's columns, `?1` to `?4`.
const KEY: &str = "view = ?1 AND component_digest = ?2 AND wit_release = ?3 AND parameters = ?4";

fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::backend(BACKEND, error)
}

/// Saves `snapshot` under `key`, replacing one at its position, then deletes the key's
/// snapshots older than its newest `kept`; refuses it if its position is past the head.
pub(super) fn save(
    connection: &mut Connection,
    key: &SnapshotKey,
    snapshot: &Snapshot,
    kept: usize,
) -> Result<(), StoreError> {
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let head = super::head_of(&transaction).map_err(backend)?;
    check_position(snapshot.position, head)?;
    let state = &snapshot.state;
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO snapshots (view, component_digest, wit_release, parameters, \
             position, content_type, schema_id, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .and_then(|mut insert| {
            insert.execute(params![
                key.view,
                key.component_digest,
                key.wit_release,
                key.parameters,
                snapshot.position as i64,
                state.content_type,
                state.schema_id,
                &state.bytes[..],
            ])
        })
        .map_err(backend)?;
    transaction
        .prepare_cached(&format!(
            "DELETE FROM snapshots WHERE {KEY} AND position NOT IN \
             (SELECT position FROM snapshots WHERE {KEY} ORDER BY position DESC LIMIT ?5)"
        ))
        .and_then(|mut prune| {
            prune.execute(params![
                key.view,
                key.component_digest,
                key.wit_release,
                key.parameters,
                kept_limit(kept),
            ])
        })
        .map_err(backend)?;
    transaction.commit().map_err(backend)
}

/// The newest snapshot under `key` at or before `at`.
pub(super) fn find(
    connection: &Connection,
    key: &SnapshotKey,
    at: Position,
) -> Result<Option<Snapshot>, StoreError> {
    let at = at.min(i64::MAX as Position) as i64;
    connection
        .prepare_cached(&format!(
            "SELECT position, content_type, schema_id, state FROM snapshots \
             WHERE {KEY} AND position <= ?5 ORDER BY position DESC LIMIT 1"
        ))
        .and_then(|mut select| {
            select
                .query_row(
                    params![
                        key.view,
                        key.component_digest,
                        key.wit_release,
                        key.parameters,
                        at
                    ],
                    |row| {
                        Ok(Snapshot {
                            position: row.get::<_, i64>(0)? as Position,
                            state: State {
                                content_type: row.get(1)?,
                                schema_id: row.get(2)?,
                                // One copy out of SQLite, then the vector becomes the bytes.
                                bytes: row.get::<_, Vec<u8>>(3)?.into(),
                            },
                        })
                    },
                )
                .optional()
        })
        .map_err(backend)
}

/// Deletes every snapshot of `view`; returns how many.
pub(super) fn delete(connection: &mut Connection, view: &str) -> Result<u64, StoreError> {
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let deleted = transaction
        .prepare_cached("DELETE FROM snapshots WHERE view = ?1")
        .and_then(|mut delete| delete.execute([view]))
        .map_err(backend)?;
    transaction.commit().map_err(backend)?;
    Ok(deleted as u64)
}
