//! What can go wrong, typed so a caller can tell a retry from a refusal from a broken store.

use evident_types::EventError;

use crate::Position;

/// Why a read, `head`, wait or snapshot call failed: the store itself, except
/// [`StoreError::SnapshotPastHead`], a snapshot the caller should not have made.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (I/O, a lost connection, a locked file past the busy timeout).
    #[error("{backend}: {message}")]
    Backend {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The backend's own account.
        message: String,
    },
    /// Stored bytes that cannot be read back, at or after `position`: the read handed out
    /// every event it selects before it, and nothing from there on.
    #[error(
        "the store is corrupt at or after position {position}: {reason} (the events this read selects before it were read)"
    )]
    Corrupt {
        /// Where reading stopped: the damaged event, or the first of the page holding it.
        position: Position,
        /// What is wrong with it.
        reason: String,
    },
    /// The store could not be opened or created.
    #[error("cannot open the store at {location}: {reason}")]
    Open {
        /// The path or connection string, without a password.
        location: String,
        /// Why.
        reason: String,
    },
    /// A snapshot saved at a position past the head: it would hold the state after events
    /// the log does not have. Nothing was saved.
    #[error(
        "cannot save a snapshot at position {position}: the log's head is {head}, so it would cover events that do not exist"
    )]
    SnapshotPastHead {
        /// The snapshot's position.
        position: Position,
        /// The head when it was refused.
        head: Position,
    },
}

impl StoreError {
    pub(crate) fn backend(backend: &'static str, error: impl std::fmt::Display) -> Self {
        StoreError::Backend {
            backend,
            message: error.to_string(),
        }
    }
}

/// Why an append wrote nothing. Every variant means the whole batch was refused.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The append condition failed: an event it names was appended after the condition's
    /// `after`. Retryable: read again, decide again, append with the new position.
    #[error(
        "conflict: the event at position {position} matches the append condition and is after position {after}"
    )]
    Conflict {
        /// The first event that matched the condition.
        position: Position,
        /// The condition's `after` (0 when it had none).
        after: Position,
    },
    /// An event's (`source`, `id`) is already in the log, or twice in the batch.
    #[error("event {index} (id `{id}`, source `{event_source}`) is a duplicate: {existing}")]
    Duplicate {
        /// Where the event is in the batch (from 0).
        index: usize,
        /// Its `id`.
        id: String,
        /// Its `source` (named so because thiserror reserves `source` for a cause).
        event_source: String,
        /// Where the first copy is.
        existing: Existing,
    },
    /// An event breaks a CloudEvents rule.
    #[error("event {index} (id `{id}`): {error}")]
    Invalid {
        /// Where the event is in the batch (from 0).
        index: usize,
        /// Its `id`, as given.
        id: String,
        /// The rule broken, naming the attribute.
        error: EventError,
    },
    /// An event is larger than the store takes.
    #[error("event {index} (id `{id}`) is {size} bytes, over the store's limit of {limit} bytes")]
    TooLarge {
        /// Where the event is in the batch (from 0).
        index: usize,
        /// Its `id`.
        id: String,
        /// Its size as stored: attributes and data.
        size: usize,
        /// [`crate::StoreOptions::max_event_bytes`].
        limit: usize,
    },
    /// The batch held no event.
    #[error("nothing to append: the batch is empty")]
    Empty,
    /// The store failed; whether anything was written is known only if the backend says so,
    /// and a backend never acknowledges a write it did not make durable.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppendError {
    /// Whether trying again (after reading again) can succeed: a conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(self, AppendError::Conflict { .. })
    }
}

/// Where the first copy of a duplicate event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// In the log already.
    InLog,
    /// Earlier in the same batch, at this index.
    InBatch(usize),
}

impl std::fmt::Display for Existing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Existing::InLog => f.write_str("the log holds an event with that source and id"),
            Existing::InBatch(index) => {
                write!(f, "event {index} of the batch has that source and id")
            }
        }
    }
}
