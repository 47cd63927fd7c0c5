//! Validators on the append path: every append runs the validators registered for its events
//! before it writes, and one refusal refuses the whole append.

use evident_store::{AppendCondition, Position, Query};
use evident_types::{Event, Parameters};

use super::error::DatabaseError;
use super::{Database, Inner};
use crate::event_function::EventRefused;
use crate::validator::Validator;

/// A validator and the events it checks.
pub(crate) struct Registered {
    name: String,
    validator: Validator,
    applies_to: Query,
    parameters: Parameters,
}

impl Database {
    /// Registers `validator` for the events `applies_to` selects (by type, or by type and
    /// tags); from now on every append through this database runs it on those events before
    /// it writes. Validators run in the order they were registered.
    pub fn register_validator(
        &self,
        name: &str,
        validator: Validator,
        applies_to: Query,
        parameters: Parameters,
    ) {
        self.inner.validators.write().push(Registered {
            name: name.to_owned(),
            validator,
            applies_to,
            parameters,
        });
    }

    /// Checks `events` with every registered validator that applies to them, as an append
    /// would, without appending.
    pub fn validate(&self, events: &[Event]) -> Result<(), DatabaseError> {
        self.inner.validate(events)
    }

    /// Appends `events` atomically under `condition` after the registered validators accepted
    /// every one; a refusal ([`DatabaseError::Refused`]) writes nothing. Returns the position of
    /// the last event.
    pub fn append(
        &self,
        events: &[Event],
        condition: Option<&AppendCondition>,
    ) -> Result<Position, DatabaseError> {
        self.inner.validate(events)?;
        self.inner
            .store
            .append(events, condition)
            .map_err(|e| match e {
                conflict @ evident_store::AppendError::Conflict { .. } => DatabaseError::Conflict {
                    attempts: 1,
                    last: conflict,
                },
                other => DatabaseError::Append(other),
            })
    }
}

impl Inner {
    /// Runs each validator on the events it applies to, in registration order; the first
    /// refusal, with the event's position in `events`, is the result.
    pub(crate) fn validate(&self, events: &[Event]) -> Result<(), DatabaseError> {
        let validators = self.validators.read();
        for registered in validators.iter() {
            let (indices, checked): (Vec<usize>, Vec<Event>) = events
                .iter()
                .enumerate()
                .filter(|(_, event)| registered.applies_to.matches(event))
                .map(|(index, event)| (index, event.clone()))
                .unzip();
            if checked.is_empty() {
                continue;
            }
            registered
                .validator
                .validate(&checked, &registered.parameters)
                .map_err(|refused| DatabaseError::Refused {
                    validator: registered.name.clone(),
                    source: EventRefused {
                        index: indices[refused.index],
                        ..refused
                    },
                })?;
        }
        Ok(())
    }
}
