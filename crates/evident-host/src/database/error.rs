//! Why a view's state or a decision could not be had.

use std::sync::Arc;

use evident_store::{AppendError, Position, StoreError};

use crate::error::{Error, FoldError};
use crate::registry::RegistryError;

/// Why a materialized view could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewStateError {
    /// No view of that name (or version) is registered.
    #[error(transparent)]
    Unknown(Box<RegistryError>),
    /// The view's declared query needs parameters that were not given, or they make bad tags.
    #[error("view `{view}`: {reason}")]
    Parameters {
        /// The view.
        view: String,
        /// What is wrong.
        reason: String,
    },
    /// An event did not fold: the view stays at the last good position, and answers for
    /// positions at or after the failing event with this error until it is rebuilt.
    #[error(
        "view `{view}` is stalled at position {position}: the event at {failed_at} did not fold: {error}"
    )]
    Stalled {
        /// The view.
        view: String,
        /// The last position whose state is good.
        position: Position,
        /// The position of the event that failed.
        failed_at: Position,
        /// Why, with the state before it (shared: the view keeps it to answer with).
        error: Arc<FoldError>,
    },
    /// An upcaster the view reads through failed on an event; the view stays where it was.
    #[error("view `{view}`: the event at {failed_at} could not be upcast: {error}")]
    Upcast {
        /// The view.
        view: String,
        /// The position of the stored event that could not be upcast.
        failed_at: Position,
        /// Why.
        error: Box<crate::upcast::UpcastError>,
    },
    /// The view's `initialize` failed: it has no state before its first event.
    #[error("view `{view}` did not initialize: {error}")]
    Initialize {
        /// The view.
        view: String,
        /// Why.
        error: Box<Error>,
    },
    /// A state asked for at a position past the log's head: events may still be appended there.
    #[error("position {at} is past the head of the log ({head})")]
    PastHead {
        /// The position asked for.
        at: Position,
        /// The head.
        head: Position,
    },
    /// The store could not be read or a snapshot written.
    #[error(transparent)]
    Store(StoreError),
}

impl ViewStateError {
    /// Whether asking again later may succeed (the store was unavailable, or a pool was full).
    pub fn is_retryable(&self) -> bool {
        match self {
            ViewStateError::Store(StoreError::Backend { .. }) => true,
            ViewStateError::Stalled { error, .. } => error.source.is_retryable(),
            _ => false,
        }
    }
}

/// Why a decision was not made or not appended.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// The decider refused the command ([`Error::Guest`] with its code), or its call failed (a
    /// trap, a limit, events that are not CloudEvents).
    #[error(transparent)]
    Decide(Error),
    /// A view the decision read could not answer; the decision was stopped.
    #[error("the decision read a view that could not answer: {0}")]
    View(Box<ViewStateError>),
    /// The decision passed the database a query the store does not take, or returned such a
    /// condition.
    #[error("the decision's query is invalid: {0}")]
    Query(String),
    /// The store could not be read.
    #[error(transparent)]
    Store(StoreError),
    /// Every attempt conflicted: events matching the decision's reads kept being appended
    /// between its reads and its append. Retryable later.
    #[error("{attempts} attempts conflicted with concurrent appends; the last: {last}")]
    Conflict {
        /// How many decisions were made and refused by the condition.
        attempts: u32,
        /// The last conflict.
        last: AppendError,
    },
    /// A validator refused an event of the append (or failed on it: a limit, a trap); nothing
    /// was written.
    #[error("validator `{validator}` refused the append: {source}")]
    Refused {
        /// The validator's registered name.
        validator: String,
        /// The event, by its position in the append, and the refusal.
        #[source]
        source: crate::event_function::EventRefused,
    },
    /// The append failed for another reason than a conflict (a duplicate event id, an event too
    /// large, the store unavailable).
    #[error(transparent)]
    Append(AppendError),
}

impl DatabaseError {
    /// The code and message of the decider's refusal, if it refused the command.
    pub fn refusal(&self) -> Option<(&str, &str)> {
        match self {
            DatabaseError::Decide(error) => error.refusal(),
            DatabaseError::Refused { source, .. } => source.error.refusal(),
            _ => None,
        }
    }

    /// Whether the same command may succeed if decided again later.
    pub fn is_retryable(&self) -> bool {
        match self {
            DatabaseError::Decide(error) => error.is_retryable(),
            // A validator's refusal stands; a pool that was full may not be next time.
            DatabaseError::Refused { source, .. } => source.error.is_retryable(),
            DatabaseError::View(error) => error.is_retryable(),
            DatabaseError::Store(StoreError::Backend { .. }) => true,
            DatabaseError::Conflict { .. } => true,
            DatabaseError::Append(AppendError::Store(StoreError::Backend { .. })) => true,
            _ => false,
        }
    }
}
