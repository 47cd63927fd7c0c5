//! What validators and transforms share: a function of one event with a frame form. Events are
//! given to the frame form first, in one call; if that call fails in any way, the events are
//! given again one call per event on a fresh instance, and that outcome is the result, so the
//! framing never changes what a check or a transform decides, and a failure names its event.

use std::time::Instant;

use evident_types::Event;
use evident_types::frame;
use wasmtime::Store;
use wasmtime::component::Instance;

use crate::component::{Handle, Usage, run_sync};
use crate::error::Error;
use crate::store::{CallSite, Mode, StoreData};

/// An event a validator refused or a transform failed on: where it was, and why.
#[derive(Debug, thiserror::Error)]
#[error("event {index} (id `{id}`): {error}")]
pub struct EventRefused {
    /// The event's position among the events given, from 0.
    pub index: usize,
    /// The event's id.
    pub id: String,
    /// The refusal ([`Error::Guest`], with the guest's code) or the limit, trap or invalid
    /// output that stopped the call.
    #[source]
    pub error: Box<Error>,
}

/// A call of a frame form on a live instance: the frame's bytes in, its outputs out.
pub(crate) type FrameCall<'f, O> =
    &'f dyn Fn(&mut Store<StoreData>, &Instance, CallSite<'_>, &[u8]) -> Result<Vec<O>, Error>;

/// A call of the one-event form on a live instance.
pub(crate) type OneCall<'f, O> =
    &'f dyn Fn(&mut Store<StoreData>, &Instance, CallSite<'_>, &Event) -> Result<Vec<O>, Error>;

/// The names of an event function's two exports, for limits, metrics and errors.
pub(crate) struct Exports {
    /// `validate`, `transform`.
    pub(crate) one: &'static str,
    /// `validate-events`, `transform-events`.
    pub(crate) frame: &'static str,
}

/// Runs `events` through an event function: as one frame when there are several, then (if that
/// failed) one call per event, the reference path, whose first failure is the result.
pub(crate) fn run<E, O>(
    handle: &Handle<E>,
    names: Exports,
    events: &[Event],
    call_frame: FrameCall<'_, O>,
    call_one: OneCall<'_, O>,
) -> Result<Vec<O>, EventRefused> {
    if events.len() > 1
        && let Ok(outputs) = run_frame(handle, names.frame, events, call_frame)
    {
        return Ok(outputs);
    }
    run_each(handle, names.one, events, call_one)
}

/// One call of the frame form on a fresh instance.
fn run_frame<E, O>(
    handle: &Handle<E>,
    function: &'static str,
    events: &[Event],
    call: FrameCall<'_, O>,
) -> Result<Vec<O>, Error> {
    let started = Instant::now();
    let site = handle.site(function);
    let frame = frame::encode(events);
    let (result, usage) = match run_sync(handle.instantiate(site, Mode::Sync)) {
        Ok((mut store, instance)) => {
            let result = handle
                .arm(&mut store, site, Mode::Sync)
                .and_then(|()| call(&mut store, &instance, site, &frame));
            (result, handle.usage(&store))
        }
        Err(e) => (Err(e), Usage::default()),
    };
    handle.observe(started, events.len() as u64, usage, &result);
    result
}

/// One call per event, in order, on one fresh instance; the first failure ends it.
fn run_each<E, O>(
    handle: &Handle<E>,
    function: &'static str,
    events: &[Event],
    call: OneCall<'_, O>,
) -> Result<Vec<O>, EventRefused> {
    let refused = |index: usize, error: Error| EventRefused {
        index,
        id: events.get(index).map_or_else(String::new, |e| e.id.clone()),
        error: Box::new(error),
    };
    let site = handle.site(function);
    let (mut store, instance) =
        run_sync(handle.instantiate(site, Mode::Sync)).map_err(|e| refused(0, e))?;
    let mut outputs = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let started = Instant::now();
        let result = handle
            .arm(&mut store, site, Mode::Sync)
            .and_then(|()| call(&mut store, &instance, site, event));
        handle.observe(started, 1, handle.usage(&store), &result);
        outputs.extend(result.map_err(|e| refused(index, e))?);
    }
    Ok(outputs)
}
