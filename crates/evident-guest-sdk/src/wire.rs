//! The bodies of the exports the attribute macros emit, and the conversions between the
//! generated WIT records and `evident_types`.

use evident_types::{
    Command, Event, EventRef, Extensions, GuestError, Parameters, State, WireEvent,
};

use evident_types::query::{Position, Query};

use crate::__private::bindings::evident::db::database as wit_database;
use crate::__private::bindings::evident::db::types as wit;
use crate::change::{self, StateChange};
use crate::database::{Database, StoredEvent};
use crate::decider::{self, DatabaseDecider};
use crate::transform::Transform;
use crate::validator::Validator;
use crate::view::{self, Resident, StateView, ViewError};
use evident_types::frame::{FrameError, FrameReader, FrameWriter};

/// Lets `evident inspect` tell which SDK built the component: one custom section per
/// component, whichever attributes it uses.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)] // `link_section` is how a custom section is written; nothing runs it.
#[unsafe(link_section = "evident-sdk-version")]
#[used]
static SDK_VERSION: [u8; env!("CARGO_PKG_VERSION").len()] = {
    let text = env!("CARGO_PKG_VERSION").as_bytes();
    let mut bytes = [0; env!("CARGO_PKG_VERSION").len()];
    let mut i = 0;
    while i < bytes.len() {
        bytes[i] = text[i];
        i += 1;
    }
    bytes
};

/// Makes a panic log its message (at error level) before the component traps, so the host's
/// trap error can say what happened instead of just "unreachable".
fn report_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        #[cfg(target_arch = "wasm32")]
        std::hint::black_box(&SDK_VERSION);
        std::panic::set_hook(Box::new(|info| {
            crate::log::log(crate::LogLevel::Error, &format!("panic: {info}"));
        }));
    });
}

/// A view's refusal as the export returns it: the bare message, with its code (if it has one)
/// given to the host first.
fn refused(error: ViewError) -> String {
    if let Some(refusal) = error.as_guest_error() {
        crate::progress::refuse(&refusal);
    }
    error.to_string()
}

/// The body of an exported `initialize`.
pub fn export_view_initialize<V: StateView>(
    parameters: Vec<(String, String)>,
) -> Result<wit::State, String> {
    report_panics();
    view::initialize::<V>(&parameters.into())
        .map(state_to_wit)
        .map_err(refused)
}

/// Where a component keeps the view its last `reduce` made, with the state it returned for it:
/// a `reduce` given that state again (the next event of a stream on a kept instance) goes on
/// from the view instead of decoding the state (see [`StateView`] on why both are the same).
pub type ReducedSlot<V> = std::cell::RefCell<Option<(State, V)>>;

/// The body of an exported `reduce`: [`view::reduce_ref`], with the view kept in `slot`.
pub fn export_view_reduce<V: StateView>(
    slot: &ReducedSlot<V>,
    state: wit::State,
    event: wit::Event,
    parameters: Vec<(String, String)>,
) -> Result<wit::State, String> {
    report_panics();
    let parameters = Parameters::from(parameters);
    let lent = lend(&event).map_err(refused)?;
    // Taken out of the slot: a `reduce` that fails may have changed the view halfway.
    let kept = slot.take().filter(|(returned, _)| {
        returned.bytes[..] == state.bytes[..]
            && returned.content_type == state.content_type
            && returned.schema_id == state.schema_id
    });
    let mut view = match kept {
        Some((_, view)) => view,
        None => view::decode::<V>(&state_from_wit(state), &parameters).map_err(refused)?,
    };
    view.reduce(&lent, &parameters).map_err(refused)?;
    let state = view::encode(&view).map_err(refused)?;
    // The slot keeps the bytes; the host gets a copy.
    let returned = state_to_wit(state.clone());
    slot.replace(Some((state, view)));
    Ok(returned)
}

/// `event` lent as an [`EventRef`], or why it is not a valid CloudEvent.
fn lend(event: &wit::Event) -> Result<EventRef<'_>, ViewError> {
    let time = event
        .time
        .as_deref()
        .map(Event::parse_time)
        .transpose()
        .map_err(|e| invalid_event(&event.id, e))?;
    if let Some(name) = repeated_name(&event.extensions) {
        let message = format!("event {:?} names extension `{name}` twice", event.id);
        return Err(ViewError::with_code(view::codes::INVALID_EVENT, message));
    }
    Ok(EventRef {
        id: &event.id,
        source: &event.source,
        spec_version: &event.spec_version,
        event_type: &event.type_,
        datacontenttype: event.datacontenttype.as_deref(),
        dataschema: event.dataschema.as_deref(),
        subject: event.subject.as_deref(),
        time,
        data: event.data.as_deref(),
        extensions: Extensions::from_pairs(&event.extensions),
    })
}

/// A view error as the typed error a validator or a transform returns.
fn typed(error: ViewError) -> wit::Error {
    let fallback = GuestError::new(view::codes::INVALID_EVENT, error.to_string());
    error_to_wit(error.as_guest_error().unwrap_or(fallback))
}

/// The body of an exported `validate`.
pub fn export_validate<V: Validator>(
    event: wit::Event,
    parameters: Vec<(String, String)>,
) -> Result<(), wit::Error> {
    report_panics();
    let lent = lend(&event).map_err(typed)?;
    V::validate(&lent, &Parameters::from(parameters)).map_err(error_to_wit)
}

/// The body of an exported `validate-events`: the index of the first refused event, and why.
///
/// # Safety
/// `events` is the frame the host passed to the export: its strings are UTF-8 (see
/// [`FrameReader::new_unchecked`]).
#[allow(unsafe_code)] // The frame's strings are trusted, as the canonical ABI's are.
pub unsafe fn export_validate_events<V: Validator>(
    events: Vec<u8>,
    parameters: Vec<(String, String)>,
) -> Result<(), (u32, wit::Error)> {
    report_panics();
    let parameters = Parameters::from(parameters);
    // SAFETY: this function's caller vouches for the frame.
    let reader = unsafe { FrameReader::new_unchecked(&events) };
    each_event(reader, |event| V::validate(event, &parameters))
}

/// The body of an exported `transform`.
pub fn export_transform<T: Transform>(
    event: wit::Event,
    parameters: Vec<(String, String)>,
) -> Result<Vec<wit::Event>, wit::Error> {
    report_panics();
    let lent = lend(&event).map_err(typed)?;
    T::transform(&lent, &Parameters::from(parameters))
        .map(|events| events.into_iter().map(event_to_wit).collect())
        .map_err(error_to_wit)
}

/// The body of an exported `transform-events`: the events out as one frame, or the index of
/// the first event the transform refused, and why.
///
/// # Safety
/// `events` is the frame the host passed to the export: its strings are UTF-8 (see
/// [`FrameReader::new_unchecked`]).
#[allow(unsafe_code)] // The frame's strings are trusted, as the canonical ABI's are.
pub unsafe fn export_transform_events<T: Transform>(
    events: Vec<u8>,
    parameters: Vec<(String, String)>,
) -> Result<Vec<u8>, (u32, wit::Error)> {
    report_panics();
    let parameters = Parameters::from(parameters);
    let mut out = FrameWriter::new();
    // SAFETY: this function's caller vouches for the frame.
    let reader = unsafe { FrameReader::new_unchecked(&events) };
    each_event(reader, |event| {
        for event in T::transform(event, &parameters)? {
            out.push(&event);
        }
        Ok(())
    })?;
    Ok(out.as_bytes().to_vec())
}

/// Calls `f` on each event `reader` reads, in order, stopping at the first error, which comes
/// back with the event's index.
fn each_event(
    reader: Result<FrameReader<'_>, FrameError>,
    mut f: impl FnMut(&EventRef<'_>) -> Result<(), GuestError>,
) -> Result<(), (u32, wit::Error)> {
    let at = |index: usize, error: GuestError| (index as u32, error_to_wit(error));
    let mut reader = reader.map_err(|e| {
        at(
            0,
            GuestError::new(view::codes::INVALID_EVENT, e.to_string()),
        )
    })?;
    loop {
        let index = reader.index();
        match reader.next_event() {
            Ok(Some(event)) => f(&event).map_err(|error| at(index, error))?,
            Ok(None) => return Ok(()),
            Err(e) => {
                let error = GuestError::new(view::codes::INVALID_EVENT, e.to_string());
                return Err(at(index, error));
            }
        }
    }
}

fn invalid_event(id: &str, error: evident_types::EventError) -> ViewError {
    ViewError::with_code(
        view::codes::INVALID_EVENT,
        format!("event {id:?} is not a valid CloudEvent: {error}"),
    )
}

fn repeated_name(pairs: &[(String, String)]) -> Option<&str> {
    pairs.iter().enumerate().find_map(|(i, (name, _))| {
        pairs[..i]
            .iter()
            .any(|(earlier, _)| earlier == name)
            .then_some(name.as_str())
    })
}

/// Where a component keeps its [`Resident`] view between `state-view-batch` calls.
pub type ResidentSlot<V> = std::cell::RefCell<Option<Resident<V>>>;

/// The body of an exported `load-state`.
pub fn export_view_load_state<V: StateView>(
    slot: &ResidentSlot<V>,
    state: wit::State,
    parameters: Vec<(String, String)>,
) -> Result<(), String> {
    report_panics();
    slot.replace(None);
    let resident = Resident::load(&state_from_wit(state), parameters.into());
    *slot.borrow_mut() = Some(resident.map_err(refused)?);
    Ok(())
}

/// The body of an exported `apply-events`: on error, the failed event's position and message.
///
/// # Safety
/// `events` is the frame the host passed to the export: its strings are UTF-8 (see
/// [`FrameReader::new_unchecked`]).
#[allow(unsafe_code)] // The frame's strings are trusted, as the canonical ABI's are.
pub unsafe fn export_view_apply_events<V: StateView>(
    slot: &ResidentSlot<V>,
    events: Vec<u8>,
) -> Result<(), (u32, String)> {
    report_panics();
    let mut slot = slot.borrow_mut();
    let resident = slot.as_mut().ok_or_else(|| (0, NOT_LOADED.to_owned()))?;
    // SAFETY: this function's caller vouches for the frame.
    let events = unsafe { FrameReader::new_unchecked(&events) }
        .map_err(|e| (0, refused(view::invalid_frame(e))))?;
    resident.apply_events(events).map(drop).map_err(|e| {
        let index = u32::try_from(e.index).unwrap_or(u32::MAX);
        (index, refused(e.error))
    })
}

/// The body of an exported `save-state`.
pub fn export_view_save_state<V: StateView>(slot: &ResidentSlot<V>) -> Result<wit::State, String> {
    report_panics();
    let slot = slot.borrow();
    let resident = slot.as_ref().ok_or_else(|| NOT_LOADED.to_owned())?;
    resident.save().map(state_to_wit).map_err(refused)
}

const NOT_LOADED: &str = "no state is loaded: call load-state first";

/// The body of an exported `process`.
pub fn export_change_process<C: StateChange>(
    state: wit::State,
    command: wit::Command,
    parameters: Vec<(String, String)>,
) -> Result<Vec<wit::Event>, wit::Error> {
    report_panics();
    change::process::<C>(
        &state_from_wit(state),
        &command_from_wit(command),
        &Parameters::from(parameters),
    )
    .map(|events| events.into_iter().map(event_to_wit).collect())
    .map_err(error_to_wit)
}

/// The body of an exported `validate`.
pub fn export_change_validate<C: StateChange>(
    state: wit::State,
    command: wit::Command,
) -> Result<bool, String> {
    report_panics();
    change::validate::<C>(&state_from_wit(state), &command_from_wit(command)).map_err(|e| {
        crate::progress::refuse(&e);
        e.message
    })
}

/// The host's `database` resource, lent for one `decide` call, as the SDK's [`Database`].
pub struct HostDatabase<'a>(pub &'a wit_database::Database);

impl Database for HostDatabase<'_> {
    fn revision(&self) -> Position {
        self.0.revision()
    }

    fn query_events(&self, query: &Query, after: Position, limit: u32) -> Vec<StoredEvent> {
        self.0
            .query_events(&query_to_wit(query), after, limit)
            .into_iter()
            .map(stored_event_from_wit)
            .collect()
    }

    fn view_state_raw(
        &self,
        name: &str,
        version: Option<&str>,
        parameters: &Parameters,
    ) -> Option<State> {
        self.0
            .view_state(name, version, parameters.as_slice())
            .map(state_from_wit)
    }
}

/// What an exported `decide` returns, before the guest's own bindings make it a `decision`:
/// the events, and the condition's query and `after`.
pub type WireDecision = (
    Vec<wit::Event>,
    Option<(wit_database::Query, Option<Position>)>,
);

/// The body of an exported `decide`.
pub fn export_decide<D: DatabaseDecider>(
    database: &wit_database::Database,
    command: wit::Command,
    parameters: Vec<(String, String)>,
) -> Result<WireDecision, wit::Error> {
    report_panics();
    let decision = decider::decide::<D>(
        &HostDatabase(database),
        &command_from_wit(command),
        &Parameters::from(parameters),
    )
    .map_err(error_to_wit)?;
    let events = decision.events.into_iter().map(event_to_wit).collect();
    let condition = decision
        .condition
        .map(|c| (query_to_wit(&c.fail_if_events_match), c.after));
    Ok((events, condition))
}

/// A query as the `database` interface takes it.
pub fn query_to_wit(query: &Query) -> wit_database::Query {
    wit_database::Query {
        items: query
            .items
            .iter()
            .map(|item| wit_database::QueryItem {
                types: item.types.clone(),
                tags: item
                    .tags
                    .iter()
                    .map(|tag| wit_database::Tag {
                        name: tag.name().to_owned(),
                        value: tag.value().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// An event the host read from its log. The host hands over only events it stored, which were
/// valid when appended; one that is not is the host's fault, and the decision cannot go on.
fn stored_event_from_wit(stored: wit_database::StoredEvent) -> StoredEvent {
    let event = stored.event;
    let wire = WireEvent {
        id: event.id,
        source: event.source,
        spec_version: event.spec_version,
        event_type: event.type_,
        datacontenttype: event.datacontenttype,
        dataschema: event.dataschema,
        subject: event.subject,
        time: event.time,
        data: event.data,
        extensions: event.extensions,
    };
    let id = wire.id.clone();
    match Event::try_from(wire) {
        Ok(event) => StoredEvent {
            position: stored.position,
            event,
        },
        Err(e) => panic!(
            "the database returned event {id:?} at position {} that is not a valid CloudEvent: {e}",
            stored.position
        ),
    }
}

fn state_from_wit(state: wit::State) -> State {
    State {
        content_type: state.content_type,
        schema_id: state.schema_id,
        bytes: state.bytes.into(),
    }
}

fn state_to_wit(state: State) -> wit::State {
    wit::State {
        content_type: state.content_type,
        schema_id: state.schema_id,
        bytes: state.bytes.into(),
    }
}

fn command_from_wit(command: wit::Command) -> Command {
    Command {
        content_type: command.content_type,
        schema_id: command.schema_id,
        bytes: command.bytes.into(),
    }
}

fn error_to_wit(error: GuestError) -> wit::Error {
    wit::Error {
        code: error.code,
        message: error.message,
        details: error.details.map(Into::into),
    }
}

fn event_to_wit(event: Event) -> wit::Event {
    let wire = WireEvent::from(event);
    wit::Event {
        id: wire.id,
        source: wire.source,
        spec_version: wire.spec_version,
        type_: wire.event_type,
        datacontenttype: wire.datacontenttype,
        dataschema: wire.dataschema,
        subject: wire.subject,
        time: wire.time,
        data: wire.data,
        extensions: wire.extensions,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use serde::{Deserialize, Deserializer, Serialize};

    use super::*;

    thread_local! {
        static DECODED: Cell<u32> = const { Cell::new(0) };
    }

    /// Adds each event's `data` (a number) to the state, counting how often it is decoded;
    /// an event of type `fail` adds 1000, then fails.
    #[derive(Serialize)]
    struct Sum(u64);

    impl<'de> Deserialize<'de> for Sum {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            DECODED.set(DECODED.get() + 1);
            u64::deserialize(deserializer).map(Sum)
        }
    }

    impl StateView for Sum {
        type Codec = crate::Json;
        fn initialize(_: &Parameters) -> Result<Self, ViewError> {
            Ok(Sum(0))
        }
        fn reduce(&mut self, event: &EventRef<'_>, _: &Parameters) -> Result<(), ViewError> {
            let data = std::str::from_utf8(event.data.unwrap_or(b"0"))?;
            self.0 += data.parse::<u64>()?;
            if event.event_type == "fail" {
                self.0 += 1000;
                return Err(ViewError::new("failed after adding"));
            }
            Ok(())
        }
    }

    fn event(event_type: &str, data: &str) -> wit::Event {
        let mut event = Event::new("1", "/", event_type);
        event.data = Some(data.as_bytes().to_vec().into());
        event_to_wit(event)
    }

    fn json(text: &str) -> wit::State {
        state_to_wit(State::new("application/json", text.as_bytes().to_vec()))
    }

    fn reduce(slot: &ReducedSlot<Sum>, state: &wit::State, event: wit::Event) -> wit::State {
        export_view_reduce(slot, state.clone(), event, Vec::new()).unwrap()
    }

    #[test]
    fn a_reduce_given_the_state_it_returned_goes_on_without_decoding_it() {
        let slot = ReducedSlot::<Sum>::default();
        let first = reduce(&slot, &json("5"), event("add", "1"));
        assert_eq!((&first.bytes[..], DECODED.get()), (&b"6"[..], 1));
        let second = reduce(&slot, &first, event("add", "2"));
        assert_eq!((&second.bytes[..], DECODED.get()), (&b"8"[..], 1));
        // Another state is decoded, whatever the slot holds.
        let other = reduce(&slot, &json("5"), event("add", "2"));
        assert_eq!((&other.bytes[..], DECODED.get()), (&b"7"[..], 2));
        // So is the same bytes in another format.
        let mut cbor = other.clone();
        cbor.content_type = "application/cbor".into();
        let refused = export_view_reduce(&slot, cbor, event("add", "1"), Vec::new());
        assert!(refused.unwrap_err().contains("application/cbor"));
    }

    #[test]
    fn a_failed_reduce_leaves_nothing_half_changed_for_the_next() {
        let slot = ReducedSlot::<Sum>::default();
        let first = reduce(&slot, &json("5"), event("add", "1"));
        let failed = export_view_reduce(&slot, first.clone(), event("fail", "1"), Vec::new());
        assert!(failed.is_err());
        let decoded = DECODED.get();
        let next = reduce(&slot, &first, event("add", "1"));
        assert_eq!(&next.bytes[..], b"7", "the failed reduce's 1001 was kept");
        assert_eq!(DECODED.get(), decoded + 1);
    }
}
