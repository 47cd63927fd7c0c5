//! Snapshots in `evident_snapshots` (see `schema`). A save checks the head first (under the
//! gate, like any head: it only grows, so a position at or before it stays so), then, in one
//! transaction holding the key's advisory lock (see `locks`), inserts or replaces the snapshot
//! at its position and deletes the key's snapshots older than its newest N: saves under one
//! key from several processes prune one after the other.

use evident_types::State;

use super::connection::Connection;
use super::{backend, locks, to_sql};
use crate::snapshot::{check_position, kept_limit};
use crate::{Position, Snapshot, SnapshotKey, StoreError};

/// The key's columns, `$1` to `$4`: `parameters` through the unique index's `sha256`, then
/// compared whole.
const KEY: &str = "view = $1 AND component_digest = $2 AND wit_release = $3 \
     AND sha256(parameters) = sha256($4::bytea) AND parameters = $4::bytea";

const LOCK: &str = "SELECT pg_advisory_xact_lock($1)";

const UPSERT: &str = "INSERT INTO evident_snapshots (view, component_digest, wit_release, \
     parameters, position, content_type, schema_id, state) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (view, component_digest, wit_release, sha256(parameters), position) \
     DO UPDATE SET content_type = excluded.content_type, schema_id = excluded.schema_id, \
     state = excluded.state";

const DELETE: &str = "DELETE FROM evident_snapshots WHERE view = $1";

/// Saves `snapshot` under `key`, replacing one at its position, then deletes the key's
/// snapshots older than its newest `kept`; refuses it if its position is past the head.
pub(super) fn save(
    connection: &mut Connection,
    key: &SnapshotKey,
    snapshot: &Snapshot,
    kept: usize,
) -> Result<(), StoreError> {
    check_position(snapshot.position, connection.head().map_err(backend)?)?;
    let prune_sql = format!(
        "DELETE FROM evident_snapshots WHERE {KEY} AND position NOT IN \
         (SELECT position FROM evident_snapshots WHERE {KEY} ORDER BY position DESC LIMIT $5)"
    );
    let lock = connection.statement(LOCK).map_err(backend)?;
    let upsert = connection.statement(UPSERT).map_err(backend)?;
    let prune = connection.statement(&prune_sql).map_err(backend)?;
    let state = &snapshot.state;
    let parameters = key.parameters.as_bytes();
    let mut transaction = connection.client.transaction().map_err(backend)?;
    transaction
        .execute(&lock, &[&locks::snapshot_key(key)])
        .map_err(backend)?;
    transaction
        .execute(
            &upsert,
            &[
                &key.view,
                &key.component_digest,
                &key.wit_release,
                &parameters,
                &to_sql(snapshot.position),
                &state.content_type,
                &state.schema_id,
                &&state.bytes[..],
            ],
        )
        .map_err(backend)?;
    transaction
        .execute(
            &prune,
            &[
                &key.view,
                &key.component_digest,
                &key.wit_release,
                &parameters,
                &kept_limit(kept),
            ],
        )
        .map_err(backend)?;
    transaction.commit().map_err(backend)
}

/// The newest snapshot under `key` at or before `at`.
pub(super) fn find(
    connection: &mut Connection,
    key: &SnapshotKey,
    at: Position,
) -> Result<Option<Snapshot>, StoreError> {
    let select = connection
        .statement(&format!(
            "SELECT position, content_type, schema_id, state FROM evident_snapshots \
             WHERE {KEY} AND position <= $5 ORDER BY position DESC LIMIT 1"
        ))
        .map_err(backend)?;
    let row = connection
        .client
        .query_opt(
            &select,
            &[
                &key.view,
                &key.component_digest,
                &key.wit_release,
                &key.parameters.as_bytes(),
                &to_sql(at),
            ],
        )
        .map_err(backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let position: i64 = row.try_get(0).map_err(backend)?;
    Ok(Some(Snapshot {
        position: position as Position,
        state: State {
            content_type: row.try_get(1).map_err(backend)?,
            schema_id: row.try_get(2).map_err(backend)?,
            // One copy out of the row, then the vector becomes the bytes.
            bytes: row.try_get::<_, Vec<u8>>(3).map_err(backend)?.into(),
        },
    }))
}

/// Deletes every snapshot of `view`; returns how many.
pub(super) fn delete(connection: &mut Connection, view: &str) -> Result<u64, StoreError> {
    let delete = connection.statement(DELETE).map_err(backend)?;
    connection
        .client
        .execute(&delete, &[&view])
        .map_err(backend)
}
