//! One decision's view of the database: reads at one revision, each recorded so the host can
//! derive the append condition they imply.

use std::sync::Arc;

use evident_store::{Position, Query};
use evident_types::Parameters;

use super::error::{DatabaseError, ViewStateError};
use super::{Inner, query};
use crate::bindings::{wit, wit_database};
use crate::wire;

/// What a decision read: the events a query selected, or a view (whose declared query is what
/// it read of the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// A `query-events` call's query.
    Events(Query),
    /// A `view-state` call: the view's name and the query its state folds.
    View {
        /// The view's name.
        name: String,
        /// The events its state folds, under the parameters read with.
        query: Query,
    },
}

impl Read {
    /// The events the read depended on.
    pub fn query(&self) -> &Query {
        match self {
            Read::Events(query) | Read::View { query, .. } => query,
        }
    }
}

pub(crate) struct Session {
    inner: Arc<Inner>,
    revision: Position,
    pub(crate) reads: Vec<Read>,
    /// What stopped the decision, typed, when a read failed (the guest only sees a trap).
    pub(crate) failure: Option<DatabaseError>,
}

impl Session {
    pub(crate) fn new(inner: Arc<Inner>, revision: Position) -> Self {
        Session {
            inner,
            revision,
            reads: Vec::new(),
            failure: None,
        }
    }

    pub(crate) fn revision(&self) -> Position {
        self.revision
    }

    /// `query-events`: the events and their bytes (to charge), or a trap whose typed cause is
    /// kept in `failure`.
    pub(crate) fn query_events(
        &mut self,
        query: wit_database::Query,
        after: u64,
        limit: u32,
    ) -> wasmtime::Result<(Vec<wit_database::StoredEvent>, usize)> {
        let query = match query::from_wit(query) {
            Ok(query) => query,
            Err(reason) => return Err(self.fail(DatabaseError::Query(reason))),
        };
        let inner = self.inner.clone();
        let limit = limit.min(inner.config.max_query_events);
        let mut events = Vec::new();
        let mut bytes = 0;
        if after < self.revision && limit > 0 {
            let read = match inner.store.read(&query, after, Some(u64::from(limit))) {
                Ok(read) => read,
                Err(e) => return Err(self.fail(DatabaseError::Store(e))),
            };
            for stored in read {
                let stored = match stored {
                    Ok(stored) => stored,
                    Err(e) => return Err(self.fail(DatabaseError::Store(e))),
                };
                if stored.position > self.revision {
                    break;
                }
                let size = query::event_bytes(&stored.event);
                if !events.is_empty() && bytes + size > inner.config.max_query_bytes {
                    break;
                }
                bytes += size;
                events.push(query::stored_event_to_wit(&stored));
            }
        }
        self.reads.push(Read::Events(query));
        Ok((events, bytes))
    }

    /// `view-state`: the view's state at the revision and the fuel its folding took, none if no
    /// such view is registered, or a trap whose typed cause is kept in `failure`.
    pub(crate) fn view_state(
        &mut self,
        name: &str,
        version: Option<&str>,
        parameters: Vec<(String, String)>,
    ) -> wasmtime::Result<Option<(wit::State, u64)>> {
        let parameters = Parameters::from(parameters);
        let view = match self.inner.materialized(name, version, &parameters) {
            Ok(view) => view,
            Err(ViewStateError::Unknown(_)) => return Ok(None),
            Err(e) => return Err(self.fail(DatabaseError::View(Box::new(e)))),
        };
        match view.state_at(&self.inner, self.revision) {
            Ok(read) => {
                self.reads.push(Read::View {
                    name: name.to_owned(),
                    query: view.query().clone(),
                });
                Ok(Some((wire::state_to_wit(&read.state), read.fuel_consumed)))
            }
            Err(e) => Err(self.fail(DatabaseError::View(Box::new(e)))),
        }
    }

    fn fail(&mut self, error: DatabaseError) -> wasmtime::Error {
        let message = error.to_string();
        self.failure = Some(error);
        wasmtime::format_err!("{message}")
    }
}
