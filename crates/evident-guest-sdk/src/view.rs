//! State views: fold events into a state.

use evident_types::frame::FrameReader;
use evident_types::{Bytes, Event, Parameters, State};
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

/// Why applying a frame stopped: the event's position in the frame, and the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    /// The position in the frame of the event that failed.
    pub index: usize,
    /// What went wrong.
    pub error: ViewError,
}

/// A view decoded once and kept while frames of events ([`evident_types::frame`]) are applied
/// to it, then encoded once: what the component's `state-view-batch` exports do, for any view,
/// from its single-event `reduce`.
///
/// ```
/// use evident_guest_sdk::prelude::*;
/// use evident_guest_sdk::view::Resident;
/// use evident_types::frame;
///
/// #[derive(Default, Serialize, Deserialize)]
/// struct Seen(u64);
///
/// impl StateView for Seen {
///     type Codec = Json;
///     fn initialize(_: &Parameters) -> Result<Self, ViewError> {
///         Ok(Seen(0))
///     }
///     fn reduce(&mut self, _: &Event, _: &Parameters) -> Result<(), ViewError> {
///         self.0 += 1;
///         Ok(())
///     }
/// }
///
/// let events = [Event::new("1", "/", "t"), Event::new("2", "/", "t")];
/// let mut view = Resident::<Seen>::load(&State::default(), Parameters::new())?;
/// view.apply(frame::encode(&events).into()).unwrap();
/// view.apply(frame::encode(&events).into()).unwrap();
/// assert_eq!(&view.save()?.bytes[..], b"4");
/// # Ok::<(), ViewError>(())
/// ```
#[derive(Debug)]
pub struct Resident<V> {
    view: V,
    parameters: Parameters,
    /// Set when an event failed: `reduce` may have changed the view halfway.
    failed: bool,
}

impl<V: StateView> Resident<V> {
    /// Decodes `state` (the "no state yet" value starts from `initialize`).
    pub fn load(state: &State, parameters: Parameters) -> Result<Self, ViewError> {
        Ok(Resident {
            view: decode(state, &parameters)?,
            parameters,
            failed: false,
        })
    }

    /// Applies every event of `frame`, each checked as [`reduce`] checks it; returns how many.
    /// After an error the view refuses further use: the failed `reduce` may have changed it.
    pub fn apply(&mut self, frame: Bytes) -> Result<usize, BatchError> {
        let at = |index| move |error| BatchError { index, error };
        if self.failed {
            return Err(at(0)(ViewError::new(
                "an earlier event failed; load the state again",
            )));
        }
        let mut events = FrameReader::new(frame).map_err(|e| at(0)(ViewError::from(e)))?;
        let mut event = Event::new("", "", "");
        loop {
            let index = events.index();
            let step = match events.read_into(&mut event) {
                Ok(true) => event
                    .validate()
                    .map_err(|e| ViewError::new(invalid_event(&event.id, e)))
                    .and_then(|()| self.view.reduce(&event, &self.parameters)),
                Ok(false) => return Ok(index),
                Err(error) => Err(error.into()),
            };
            if let Err(error) = step {
                self.failed = true;
                return Err(at(index)(error));
            }
        }
    }

    /// Encodes the view as it stands.
    pub fn save(&self) -> Result<State, ViewError> {
        if self.failed {
            return Err(ViewError::new("an event failed; the state is not saved"));
        }
        encode(&self.view)
    }
}

/// The message for an event that breaks the CloudEvents rules, the same in both paths.
pub(crate) fn invalid_event(id: &str, error: evident_types::EventError) -> String {
    format!("event {id:?} is not a valid CloudEvent: {error}")
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
