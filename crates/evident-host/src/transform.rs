//! The transform handle: turns events into other events (world `transform-component`, 0.5.0):
//! format converters, and upcasters that bring old events to their current shape on read.

use evident_types::frame;
use evident_types::{Event, Parameters};
use wasmtime::Store;
use wasmtime::component::{Component, Instance, InstancePre};

use crate::bindings::{FrameError, wit};
use crate::component::{Export, Handle, Interface, Kind, Signature, handle_accessors, run_sync};
use crate::error::Error;
use crate::event_function::{self, EventRefused, Exports};
use crate::runtime::Runtime;
use crate::store::{self, CallSite, Mode, StoreData};
use crate::validator::refusal;
use crate::wire::{self, EventParam, LentEvent};

type Pairs = [(String, String)];

struct TransformOne;
impl Signature for TransformOne {
    const NAME: &'static str = "transform";
    type Params<'a> = (EventParam<'a>, &'a Pairs);
    type Results = (Result<Vec<wit::Event>, wit::Error>,);
}

struct TransformEvents;
impl Signature for TransformEvents {
    const NAME: &'static str = "transform-events";
    type Params<'a> = (&'a [u8], &'a Pairs);
    type Results = (Result<Vec<u8>, FrameError>,);
}

/// The transform's exports, found and typechecked at load time.
#[derive(Clone)]
pub(crate) struct TransformExports {
    transform: Export<TransformOne>,
    transform_events: Export<TransformEvents>,
}

impl TransformExports {
    fn find(pre: &InstancePre<StoreData>, transform: Interface) -> Result<Self, String> {
        Ok(TransformExports {
            transform: Export::find(pre, transform)?,
            transform_events: Export::find(pre, transform)?,
        })
    }
}

/// A loaded transform, ready to turn events into events. Cloning is cheap; every call runs on a
/// fresh instance.
#[derive(Clone)]
pub struct Transform {
    handle: Handle<TransformExports>,
}

impl Transform {
    /// Checks a compiled component as a transform (`kind` says whether WASI is allowed).
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
    ) -> Result<Self, Error> {
        let handle = Handle::new(runtime, name, component, kind, TransformExports::find)?;
        Ok(Transform { handle })
    }

    /// The events `events` become, in order, each checked to be a valid CloudEvent; or the first
    /// event the transform refused (or failed on), by position. Several events go as one frame
    /// first; if the frame fails, one call per event decides, so the outcome is the same however
    /// the events are framed. A call may emit at most [`crate::Limits::max_events`] events and
    /// [`crate::Limits::max_output_bytes`] bytes of event data per event it was given.
    pub fn transform(
        &self,
        events: &[Event],
        parameters: &Parameters,
    ) -> Result<Vec<Event>, EventRefused> {
        let pairs = parameters.as_slice();
        let names = Exports {
            one: TransformOne::NAME,
            frame: TransformEvents::NAME,
        };
        let call_frame = |store: &mut Store<StoreData>,
                          instance: &Instance,
                          site: CallSite<'_>,
                          input: &[u8]| {
            let given = frame::FrameReader::new(input).map_or(1, |reader| reader.remaining());
            let result = self
                .handle
                .exports
                .transform_events
                .bind(&mut *store, instance)
                .and_then(|f| run_sync(f.invoke(Mode::Sync, store, (input, pairs))));
            match result {
                Ok((Ok(output),)) => {
                    store::check_output(
                        site,
                        "frame bytes",
                        output.len(),
                        self.handle.limits.max_output_bytes.saturating_mul(given),
                    )?;
                    let events = frame::decode(&output).map_err(|e| self.invalid(site, e))?;
                    self.checked(site, events, given)
                }
                Ok((Err(refused),)) => Err(refusal(site, refused.error)),
                Err(e) => Err(store::classify(e, store, site)),
            }
        };
        let call_one = |store: &mut Store<StoreData>,
                        instance: &Instance,
                        site: CallSite<'_>,
                        event: &Event| {
            let event = LentEvent::new(event);
            let result = self
                .handle
                .exports
                .transform
                .bind(&mut *store, instance)
                .and_then(|f| run_sync(f.invoke(Mode::Sync, store, (event.param(), pairs))));
            match result {
                Ok((Ok(output),)) => {
                    let events = output
                        .into_iter()
                        .map(|event| wire::event_from_wit(event).map_err(|e| self.invalid(site, e)))
                        .collect::<Result<Vec<_>, _>>()?;
                    self.checked(site, events, 1)
                }
                Ok((Err(error),)) => Err(refusal(site, error)),
                Err(e) => Err(store::classify(e, store, site)),
            }
        };
        event_function::run(&self.handle, names, events, &call_frame, &call_one)
    }

    /// `events`, emitted for `given` events, checked against the limits and the CloudEvents
    /// rules.
    fn checked(
        &self,
        site: CallSite<'_>,
        events: Vec<Event>,
        given: usize,
    ) -> Result<Vec<Event>, Error> {
        let limits = &self.handle.limits;
        store::check_output(
            site,
            "events",
            events.len(),
            limits.max_events.saturating_mul(given),
        )?;
        let data_bytes = events
            .iter()
            .map(|event| event.data.as_ref().map_or(0, |data| data.len()))
            .sum();
        store::check_output(
            site,
            "event data bytes",
            data_bytes,
            limits.max_output_bytes.saturating_mul(given),
        )?;
        for event in &events {
            event.validate().map_err(|e| self.invalid(site, e))?;
        }
        Ok(events)
    }

    fn invalid(&self, site: CallSite<'_>, reason: impl std::fmt::Display) -> Error {
        Error::InvalidOutput {
            component: self.handle.name.clone(),
            function: site.function,
            reason: format!("it emitted an event that is not a valid CloudEvent: {reason}"),
        }
    }
}

handle_accessors!(Transform);
