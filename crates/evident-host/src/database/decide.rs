//! Deciding at the head, and appending under the condition the decision's reads imply.

use evident_store::{AppendCondition, AppendError, Position};
use evident_types::{Command, Event, Parameters};

use super::error::DatabaseError;
use super::session::Session;
use super::{Database, DatabaseDecider, query};
use crate::component::run_sync;
use crate::store::Mode;

pub use super::session::Read;

/// What a command decided at one revision, not yet appended.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The events to append, validated CloudEvents.
    pub events: Vec<Event>,
    /// The condition to append them under: the decider's own, or the one derived from its
    /// reads (fail if an event any read selected was appended after the revision); none if
    /// it read nothing and gave none.
    pub condition: Option<AppendCondition>,
    /// Whether `condition` was derived by the host rather than returned by the decider.
    pub derived: bool,
    /// The position the decision read at.
    pub revision: Position,
    /// What the decision read, in order.
    pub reads: Vec<Read>,
    /// Fuel the decision used, the views it read included.
    pub fuel_consumed: u64,
}

/// A decision appended.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The events appended with their positions (empty if the decision emitted none).
    pub events: Vec<(Position, Event)>,
    /// The decision that was appended (the last attempt's).
    pub decided: Decided,
    /// How many decisions it took: 1, plus one per conflict.
    pub attempts: u32,
}

impl Appended {
    /// The positions the events were given.
    pub fn positions(&self) -> Vec<Position> {
        self.events.iter().map(|(position, _)| *position).collect()
    }
}

impl Database {
    /// Decides `command` at the store's head: the decider reads the log and the views through
    /// its `database`, each read recorded; nothing is appended.
    pub fn decide(
        &self,
        decider: &DatabaseDecider,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Decided, DatabaseError> {
        let revision = self.inner.store.head().map_err(DatabaseError::Store)?;
        self.decide_at(decider, command, parameters, revision)
    }

    /// Decides `command` reading the database as of `revision` (at or before the head).
    pub fn decide_at(
        &self,
        decider: &DatabaseDecider,
        command: &Command,
        parameters: &Parameters,
        revision: Position,
    ) -> Result<Decided, DatabaseError> {
        let session = Session::new(self.inner.clone(), revision);
        let (result, session, usage) =
            run_sync(decider.decide_in(Mode::Sync, session, command, parameters));
        let (reads, failure) = match session {
            Some(session) => (session.reads, session.failure),
            None => (Vec::new(), None),
        };
        // A read that failed made the guest trap: its typed cause is the decision's error.
        if let Some(failure) = failure {
            return Err(failure);
        }
        let (events, returned) = result.map_err(DatabaseError::Decide)?;
        let derived = returned.is_none() && !reads.is_empty();
        let condition = returned.or_else(|| {
            (!reads.is_empty()).then(|| {
                AppendCondition::new(query::union(reads.iter().map(Read::query)), Some(revision))
            })
        });
        Ok(Decided {
            events,
            condition,
            derived,
            revision,
            reads,
            fuel_consumed: usage.fuel,
        })
    }

    /// Decides `command` at the head and appends its events under its condition; on a
    /// conflict (an event the decision's reads select was appended after its revision) decides
    /// again at the new head, at most `max_attempts` times in all. A refusal is returned as
    /// the decider gave it, and nothing is appended.
    pub fn decide_and_append(
        &self,
        decider: &DatabaseDecider,
        command: &Command,
        parameters: &Parameters,
        max_attempts: u32,
    ) -> Result<Appended, DatabaseError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let decided = self.decide(decider, command, parameters)?;
            if decided.events.is_empty() {
                return Ok(Appended {
                    events: Vec::new(),
                    decided,
                    attempts,
                });
            }
            self.inner.validate(&decided.events)?;
            match self
                .inner
                .store
                .append(&decided.events, decided.condition.as_ref())
            {
                Ok(last) => {
                    let first = last + 1 - decided.events.len() as Position;
                    let events = (first..=last).zip(decided.events.iter().cloned()).collect();
                    return Ok(Appended {
                        events,
                        decided,
                        attempts,
                    });
                }
                Err(conflict @ AppendError::Conflict { .. }) => {
                    if attempts >= max_attempts.max(1) {
                        return Err(DatabaseError::Conflict {
                            attempts,
                            last: conflict,
                        });
                    }
                }
                Err(e) => return Err(DatabaseError::Append(e)),
            }
        }
    }
}
