//! View snapshots: a materialized view's state after the events up to a position, kept in the
//! store so a view resumes from there instead of folding the log from the start.
//!
//! A snapshot is valid only for the component that made it: the key holds the component's
//! content digest, the `evident:db` release it was built against and its parameters, and a
//! lookup matches all of them byte for byte, so a changed component (or the same one
//! configured differently) never reads another's state. Each key keeps at most
//! [`crate::StoreOptions::snapshots_kept`] snapshots, the newest by position. A snapshot past
//! the head (of events the log does not hold) is refused with
//! [`StoreError::SnapshotPastHead`]. Snapshots are not events: they are not in the log, take no
//! position, and deleting them (what a rebuild does first) loses nothing the log cannot fold
//! again.

use evident_types::State;

use crate::{Position, StoreError};

/// Which view's snapshots: a view's state is only valid for the same component bytes, WIT release and parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SnapshotKey {
    /// The view's registered name, for operators (not part of validity, but part of the key).
    pub view: String,
    /// Lowercase hex SHA-256 of the component's bytes.
    pub component_digest: String,
    /// The evident:db release the component was built against, e.g. "0.4.0".
    pub wit_release: String,
    /// The parameters in canonical text (the caller canonicalizes; the store compares bytes).
    pub parameters: String,
}

/// A view's state after the events up to `position`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The last event the state has folded (0: none).
    pub position: Position,
    /// The view's state, stored as its content type, schema id and bytes.
    pub state: State,
}

/// Refuses a snapshot at `position` when the log's head is before it: the state would claim
/// events the log does not hold.
pub(crate) fn check_position(position: Position, head: Position) -> Result<(), StoreError> {
    if position > head {
        return Err(StoreError::SnapshotPastHead { position, head });
    }
    Ok(())
}

/// `kept` (a [`crate::StoreOptions::snapshots_kept`]) as an SQL `LIMIT`.
pub(crate) fn kept_limit(kept: usize) -> i64 {
    i64::try_from(kept).unwrap_or(i64::MAX)
}
