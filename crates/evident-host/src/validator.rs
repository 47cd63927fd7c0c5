//! The validator handle: checks events before they are appended (world `validator-component`,
//! 0.5.0).

use evident_types::{Event, Parameters};
use wasmtime::Store;
use wasmtime::component::{Component, Instance, InstancePre};

use crate::bindings::{FrameError, wit};
use crate::component::{Export, Handle, Interface, Kind, Signature, handle_accessors, run_sync};
use crate::error::Error;
use crate::event_function::{self, EventRefused, Exports};
use crate::runtime::Runtime;
use crate::store::{self, CallSite, Mode, StoreData};
use crate::wire::{self, EventParam, LentEvent};

type Pairs = [(String, String)];

struct Validate;
impl Signature for Validate {
    const NAME: &'static str = "validate";
    type Params<'a> = (EventParam<'a>, &'a Pairs);
    type Results = (Result<(), wit::Error>,);
}

struct ValidateEvents;
impl Signature for ValidateEvents {
    const NAME: &'static str = "validate-events";
    type Params<'a> = (&'a [u8], &'a Pairs);
    type Results = (Result<(), FrameError>,);
}

/// The validator's exports, found and typechecked at load time.
#[derive(Clone)]
pub(crate) struct ValidatorExports {
    validate: Export<Validate>,
    validate_events: Export<ValidateEvents>,
}

impl ValidatorExports {
    fn find(pre: &InstancePre<StoreData>, validator: Interface) -> Result<Self, String> {
        Ok(ValidatorExports {
            validate: Export::find(pre, validator)?,
            validate_events: Export::find(pre, validator)?,
        })
    }
}

/// A loaded validator, ready to check events. Cloning is cheap; every check runs on a fresh
/// instance.
///
/// A database runs the validators registered for an append's events before it writes them
/// ([`crate::Database::register_validator`]); one refusal refuses the whole append.
#[derive(Clone)]
pub struct Validator {
    handle: Handle<ValidatorExports>,
}

impl Validator {
    /// Checks a compiled component as a validator (`kind` says whether WASI is allowed).
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
    ) -> Result<Self, Error> {
        let handle = Handle::new(runtime, name, component, kind, ValidatorExports::find)?;
        Ok(Validator { handle })
    }

    /// Checks `events` in order: `Ok` if the validator accepts every one, else the first it
    /// refuses (or fails on), by position. Several events are checked as one frame first; if
    /// the frame fails, one call per event decides, so the outcome is the same however the
    /// events are framed.
    pub fn validate(&self, events: &[Event], parameters: &Parameters) -> Result<(), EventRefused> {
        let pairs = parameters.as_slice();
        let names = Exports {
            one: Validate::NAME,
            frame: ValidateEvents::NAME,
        };
        let call_frame = |store: &mut Store<StoreData>,
                          instance: &Instance,
                          site: CallSite<'_>,
                          frame: &[u8]| {
            let result = self
                .handle
                .exports
                .validate_events
                .bind(&mut *store, instance)
                .and_then(|f| run_sync(f.invoke(Mode::Sync, store, (frame, pairs))));
            match result {
                Ok((Ok(()),)) => Ok(Vec::<()>::new()),
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
                .validate
                .bind(&mut *store, instance)
                .and_then(|f| run_sync(f.invoke(Mode::Sync, store, (event.param(), pairs))));
            match result {
                Ok((Ok(()),)) => Ok(Vec::new()),
                Ok((Err(error),)) => Err(refusal(site, error)),
                Err(e) => Err(store::classify(e, store, site)),
            }
        };
        event_function::run(&self.handle, names, events, &call_frame, &call_one).map(drop)
    }
}

/// The typed refusal a validator or a transform returned.
pub(crate) fn refusal(site: CallSite<'_>, error: wit::Error) -> Error {
    let error = wire::error_from_wit(error);
    Error::Guest {
        component: site.component.clone(),
        function: site.function,
        code: Some(error.code),
        message: error.message,
        details: error.details,
    }
}

handle_accessors!(Validator);
