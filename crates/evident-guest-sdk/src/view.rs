//! State views: fold events into a state.

use evident_types::frame::FrameReader;
use evident_types::{Event, EventRef, GuestError, Parameters, State};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec::Codec;

/// A state view: a serde type that starts from [`StateView::initialize`] and changes with each
/// event in [`StateView::reduce`].
///
/// Put `#[state_view]` on the impl to export it as a component. If `reduce` fails, the host keeps
/// the previous state, so a `reduce` that changed `self` before failing does no harm.
///
/// The state must come back unchanged from its codec (encoded, then decoded): a fold keeps the
/// state in the instance across many events, but restarts from a saved and reloaded copy when a
/// frame fails and at checkpoints, and a `reduce` given back the state its instance returned
/// last goes on from the view it kept, so a field the codec drops (`#[serde(skip)]`) or alters
/// would make the result depend on where those fall. The SDK's [`crate::Json`] codec reads
/// back every `f64` it writes bit for bit; [`crate::Cbor`] does too.
pub trait StateView: Serialize + DeserializeOwned + Sized {
    /// How the state is stored between calls ([`crate::Json`] or [`crate::Cbor`]).
    type Codec: Codec;

    /// The state before any event.
    fn initialize(parameters: &Parameters) -> Result<Self, ViewError>;

    /// Applies one event, lent for the call: its attributes point into the bytes it arrived in.
    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError>;
}

/// Why a view could not apply an event (or start, or read its state); the host reports it and
/// keeps the old state.
///
/// It may carry a `code` callers match on, as a state change's [`GuestError`] does: the SDK
/// gives its own refusals one (see [`codes`]), and a [`GuestError`] turned into a `ViewError`
/// (with `?` on [`Parameters::parse`], say) keeps its code. Any other `std::error::Error`
/// converts into a message, so `?` works on decoding errors and the like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewError {
    code: Option<String>,
    message: String,
    details: Option<Vec<u8>>,
}

/// Codes of the refusals the SDK itself makes for views.
pub mod codes {
    /// The state does not decode as this view's state, or is in another format.
    pub const INVALID_STATE: &str = "invalid-state";
    /// The state cannot be encoded.
    pub const UNENCODABLE_STATE: &str = "unencodable-state";
    /// The event frame the host sent is malformed.
    pub const INVALID_FRAME: &str = "invalid-frame";
    /// An event that arrived one per call is malformed (its `time`, its extensions).
    pub const INVALID_EVENT: &str = "invalid-event";
}

impl ViewError {
    /// An error with a message for people.
    pub fn new(message: impl Into<String>) -> Self {
        ViewError {
            code: None,
            message: message.into(),
            details: None,
        }
    }

    /// An error with a code callers match on, and a message for people.
    pub fn with_code(code: impl Into<String>, message: impl Into<String>) -> Self {
        ViewError {
            code: Some(code.into()),
            ..ViewError::new(message)
        }
    }

    /// Attaches machine-readable detail.
    pub fn with_details(mut self, details: impl Into<Vec<u8>>) -> Self {
        self.details = Some(details.into());
        self
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The code, if it has one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The machine-readable detail, if any.
    pub fn details(&self) -> Option<&[u8]> {
        self.details.as_deref()
    }

    /// The error as the WIT `error` record carries it, if it has a code.
    pub(crate) fn as_guest_error(&self) -> Option<GuestError> {
        let code = self.code.clone()?;
        Some(GuestError {
            code,
            message: self.message.clone(),
            details: self.details.clone().map(Into::into),
        })
    }
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error + 'static> From<E> for ViewError {
    fn from(error: E) -> Self {
        match (&error as &dyn std::any::Any).downcast_ref::<GuestError>() {
            Some(refusal) => ViewError {
                code: Some(refusal.code.clone()),
                message: refusal.message.clone(),
                details: refusal.details.as_ref().map(|d| d.to_vec()),
            },
            None => ViewError::new(error.to_string()),
        }
    }
}

/// Runs `initialize` and encodes its state: what the component's `initialize` export does.
pub fn initialize<V: StateView>(parameters: &Parameters) -> Result<State, ViewError> {
    encode(&V::initialize(parameters)?)
}

/// Decodes the state, applies the event and encodes the result: what the component's `reduce`
/// export does. "No state yet" ([`State::is_absent`]) starts from `initialize`.
pub fn reduce<V: StateView>(
    state: &State,
    event: &Event,
    parameters: &Parameters,
) -> Result<State, ViewError> {
    reduce_ref::<V>(state, &event.as_event_ref(), parameters)
}

/// [`reduce`] of a lent event.
pub fn reduce_ref<V: StateView>(
    state: &State,
    event: &EventRef<'_>,
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
///     fn reduce(&mut self, _: &EventRef<'_>, _: &Parameters) -> Result<(), ViewError> {
///         self.0 += 1;
///         Ok(())
///     }
/// }
///
/// let events = [Event::new("1", "/", "t"), Event::new("2", "/", "t")];
/// let mut view = Resident::<Seen>::load(&State::default(), Parameters::new())?;
/// view.apply(&frame::encode(&events)).unwrap();
/// view.apply(&frame::encode(&events)).unwrap();
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
    /// Decodes `state` ("no state yet" starts from `initialize`).
    pub fn load(state: &State, parameters: Parameters) -> Result<Self, ViewError> {
        Ok(Resident {
            view: decode(state, &parameters)?,
            parameters,
            failed: false,
        })
    }

    /// Applies every event of `frame` in order and returns how many. In a component, the host
    /// is told before each event (`frame-progress`), so each gets the limits of one call.
    /// After an error the view refuses further use: the failed `reduce` may have changed it.
    pub fn apply(&mut self, frame: &[u8]) -> Result<usize, BatchError> {
        let events = FrameReader::new(frame).map_err(|e| BatchError {
            index: 0,
            error: invalid_frame(e),
        })?;
        self.apply_events(events)
    }

    /// [`Resident::apply`] on a reader already started: how a component reads the frames its
    /// host sends without checking their strings again ([`FrameReader::new_unchecked`]).
    pub fn apply_events(&mut self, mut events: FrameReader<'_>) -> Result<usize, BatchError> {
        let at = |index| move |error| BatchError { index, error };
        if self.failed {
            return Err(at(0)(ViewError::new(
                "an earlier event failed; load the state again",
            )));
        }
        loop {
            let index = events.index();
            if events.remaining() > 0 {
                crate::progress::begin_event();
            }
            let step = match events.next_event() {
                Ok(Some(event)) => self.view.reduce(&event, &self.parameters),
                Ok(None) => return Ok(index),
                Err(error) => Err(invalid_frame(error)),
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

pub(crate) fn invalid_frame(error: evident_types::frame::FrameError) -> ViewError {
    ViewError::with_code(codes::INVALID_FRAME, error.to_string())
}

/// Decodes a state this view stored, refusing one in another format; "no state yet" starts
/// from `initialize`.
pub fn decode<V: StateView>(state: &State, parameters: &Parameters) -> Result<V, ViewError> {
    if state.is_absent() {
        if !state.bytes.is_empty() {
            return Err(ViewError::with_code(
                codes::INVALID_STATE,
                format!(
                    "the state has {} bytes but no content type (\"no state yet\" has no bytes)",
                    state.bytes.len()
                ),
            ));
        }
        return V::initialize(parameters);
    }
    let expected = <V::Codec as Codec>::CONTENT_TYPE;
    if state.content_type != expected {
        return Err(ViewError::with_code(
            codes::INVALID_STATE,
            format!(
                "the state is {:?} but this view stores {expected:?}",
                state.content_type
            ),
        ));
    }
    <V::Codec as Codec>::decode(&state.bytes).map_err(|e| {
        ViewError::with_code(
            codes::INVALID_STATE,
            format!("cannot decode the state: {e}"),
        )
    })
}

/// Encodes a view's value as a state.
pub fn encode<V: StateView>(view: &V) -> Result<State, ViewError> {
    let bytes = <V::Codec as Codec>::encode(view).map_err(|e| {
        ViewError::with_code(
            codes::UNENCODABLE_STATE,
            format!("cannot encode the state: {e}"),
        )
    })?;
    Ok(State::new(<V::Codec as Codec>::CONTENT_TYPE, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_errors_code_survives_the_question_mark() {
        fn parse(parameters: &Parameters) -> Result<u32, ViewError> {
            Ok(parameters.parse::<u32>("n")?.unwrap_or(0))
        }
        let error = parse(&Parameters::new().with("n", "many")).unwrap_err();
        assert_eq!(error.code(), Some("invalid-parameter"));
        assert!(error.message().contains("`n`"), "{error}");
        let plain = ViewError::from(std::fmt::Error);
        assert_eq!(plain.code(), None);
    }

    #[test]
    fn no_state_yet_has_no_content_type_and_no_bytes() {
        #[derive(Debug, serde::Serialize, serde::Deserialize)]
        struct Zero(u8);
        impl StateView for Zero {
            type Codec = crate::Json;
            fn initialize(_: &Parameters) -> Result<Self, ViewError> {
                Ok(Zero(0))
            }
            fn reduce(&mut self, _: &EventRef<'_>, _: &Parameters) -> Result<(), ViewError> {
                Ok(())
            }
        }
        let parameters = Parameters::new();
        assert!(decode::<Zero>(&State::default(), &parameters).is_ok());
        let stray = State::new("", b"0".to_vec());
        let error = decode::<Zero>(&stray, &parameters).unwrap_err();
        assert_eq!(error.code(), Some(codes::INVALID_STATE));
        let empty_json = State::new("application/json", Vec::new());
        let error = decode::<Zero>(&empty_json, &parameters).unwrap_err();
        assert!(error.message().contains("cannot decode"), "{error}");
    }
}
