//! State views: fold events into a state.

use evident_types::{Event, Parameters, State};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec::Codec;

/// A state view: a serde type that starts from [`StateView::initialize`] and changes with each
/// event in [`StateView::reduce`].
///
/// Put `#[state_view]` on the impl to export it as a component. If `reduce` fails, the host keeps
/// the previous state, so a `reduce` that changed `self` before failing does no harm.
pub trait StateView: Serialize + DeserializeOwned + Sized {
    /// How the state is stored between calls ([`crate::Json`] or [`crate::Cbor`]).
    type Codec: Codec;

    /// The state before any event.
    fn initialize(parameters: &Parameters) -> Result<Self, ViewError>;

    /// Applies one event.
    fn reduce(&mut self, event: &Event, parameters: &Parameters) -> Result<(), ViewError>;
}

/// Why a view could not apply an event; the host reports the message and keeps the old state.
///
/// Any `std::error::Error` converts into it, so `?` works on decoding errors and the like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewError {
    message: String,
}

impl ViewError {
    /// An error with a message for people.
    pub fn new(message: impl Into<String>) -> Self {
        ViewError {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error> From<E> for ViewError {
    fn from(error: E) -> Self {
        ViewError::new(error.to_string())
    }
}

/// Runs `initialize` and encodes its state: what the component's `initialize` export does.
pub fn initialize<V: StateView>(parameters: &Parameters) -> Result<State, ViewError> {
    encode(&V::initialize(parameters)?)
}

/// Decodes the state, applies the event and encodes the result: what the component's `reduce`
/// export does. The "no state yet" value ([`State::is_empty`]) starts from `initialize`.
pub fn reduce<V: StateView>(
    state: &State,
    event: &Event,
    parameters: &Parameters,
) -> Result<State, ViewError> {
    let mut view = decode::<V>(state, parameters)?;
    view.reduce(event, parameters)?;
    encode(&view)
}

/// Decodes a state this view stored, refusing one in another format.
pub fn decode<V: StateView>(state: &State, parameters: &Parameters) -> Result<V, ViewError> {
    if state.is_empty() {
        return V::initialize(parameters);
    }
    let expected = <V::Codec as Codec>::CONTENT_TYPE;
    if state.content_type != expected {
        return Err(ViewError::new(format!(
            "the state is {:?} but this view stores {expected:?}",
            state.content_type
        )));
    }
    <V::Codec as Codec>::decode(&state.bytes)
        .map_err(|e| ViewError::new(format!("cannot decode the state: {e}")))
}

/// Encodes a view's value as a state.
pub fn encode<V: StateView>(view: &V) -> Result<State, ViewError> {
    let bytes = <V::Codec as Codec>::encode(view)
        .map_err(|e| ViewError::new(format!("cannot encode the state: {e}")))?;
    Ok(State::new(<V::Codec as Codec>::CONTENT_TYPE, bytes))
}
