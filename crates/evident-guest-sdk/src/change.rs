//! State changes: turn a command into events.

use evident_types::{Command, Event, GuestError, Parameters, State};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec::{Codec, DecodeError, decode_by_content_type};

/// A state change: given the current state (a serde type) and a decoded command, decides which
/// events happen, or refuses with a [`GuestError`] whose `code` callers match on.
///
/// Put `#[state_change]` on the impl to export it as a component. `process` must not depend on
/// anything but its inputs: the database may call it again to replay or to validate.
///
/// A type that is also a [`crate::StateView`] (both attributes on it, over the same codec) is a
/// *decider*: one component whose view folds the history into the state its change decides on.
pub trait StateChange: Serialize + DeserializeOwned + Default + Sized {
    /// How the state is stored ([`crate::Json`] or [`crate::Cbor`]).
    type Codec: Codec;

    /// The commands this change accepts, decoded from JSON or CBOR as the command's content type
    /// says.
    type Command: DeserializeOwned;

    /// Decides the events a command causes.
    fn process(
        &self,
        command: Self::Command,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, GuestError>;

    /// Tells whether `process` would accept the command; by default it runs `process` with no
    /// parameters and discards the events.
    fn validate(&self, command: Self::Command) -> bool {
        self.process(command, &Parameters::new()).is_ok()
    }
}

/// Error codes the SDK itself returns, before the author's code runs.
pub mod codes {
    /// The state bytes do not decode as this change's state.
    pub const INVALID_STATE: &str = "invalid-state";
    /// The command bytes do not decode as this change's command type.
    pub const INVALID_COMMAND: &str = "invalid-command";
    /// The command is neither JSON nor CBOR.
    pub const UNSUPPORTED_CONTENT_TYPE: &str = "unsupported-content-type";
    /// `process` returned an event that is not a valid CloudEvent.
    pub const INVALID_EVENT: &str = "invalid-event";
}

/// Decodes state and command, runs `process` and checks the events: what the component's
/// `process` export does.
pub fn process<C: StateChange>(
    state: &State,
    command: &Command,
    parameters: &Parameters,
) -> Result<Vec<Event>, GuestError> {
    let (change, command) = decode::<C>(state, command)?;
    let events = change.process(command, parameters)?;
    for (index, event) in events.iter().enumerate() {
        event.validate().map_err(|e| {
            GuestError::new(
                codes::INVALID_EVENT,
                format!(
                    "event {index} (id {:?}) is not a valid CloudEvent: {e}",
                    event.id
                ),
            )
        })?;
    }
    Ok(events)
}

/// Decodes state and command and runs `validate`: what the component's `validate` export does.
///
/// A command that does not decode is simply invalid (`Ok(false)`); a state that does not decode
/// is an error, since nothing can be said about any command against it.
pub fn validate<C: StateChange>(state: &State, command: &Command) -> Result<bool, GuestError> {
    let change = decode_state::<C>(state)?;
    Ok(decode_command::<C>(command).is_ok_and(|command| change.validate(command)))
}

fn decode<C: StateChange>(state: &State, command: &Command) -> Result<(C, C::Command), GuestError> {
    Ok((decode_state(state)?, decode_command::<C>(command)?))
}

fn decode_state<C: StateChange>(state: &State) -> Result<C, GuestError> {
    let stored = <C::Codec as Codec>::CONTENT_TYPE;
    if state.is_absent() && state.bytes.is_empty() {
        Ok(C::default())
    } else if state.is_absent() {
        Err(GuestError::new(
            codes::INVALID_STATE,
            format!(
                "the state has {} bytes but no content type (\"no state yet\" has no bytes)",
                state.bytes.len()
            ),
        ))
    } else if state.content_type != stored {
        Err(GuestError::new(
            codes::INVALID_STATE,
            format!(
                "the state is {:?} but this change stores {stored:?}",
                state.content_type
            ),
        ))
    } else {
        <C::Codec as Codec>::decode(&state.bytes).map_err(|e| {
            GuestError::new(
                codes::INVALID_STATE,
                format!("cannot decode the state: {e}"),
            )
        })
    }
}

fn decode_command<C: StateChange>(command: &Command) -> Result<C::Command, GuestError> {
    decode_by_content_type(&command.content_type, &command.bytes).map_err(|e| {
        let code = match e {
            DecodeError::UnsupportedContentType(_) => codes::UNSUPPORTED_CONTENT_TYPE,
            DecodeError::Codec(_) => codes::INVALID_COMMAND,
        };
        GuestError::new(code, format!("cannot decode the command: {e}"))
    })
}
