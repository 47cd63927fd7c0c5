//! The state change handle: `validate` and `process`.

use std::time::Instant;

use evident_types::{Command, Event, Parameters, State};
use wasmtime::Store;
use wasmtime::component::{Component, Instance, InstancePre};

use crate::bindings::wit;
use crate::component::{Export, Handle, Interface, Kind, Signature, Usage, run_sync};
use crate::error::Error;
use crate::limits::Limits;
use crate::metrics::MetricsSnapshot;
use crate::runtime::Runtime;
use crate::store::{self, CallSite, Mode, StoreData};
use crate::wire::{self, Payload};

/// A loaded state change, ready to call. Cloning is cheap; every call runs on a fresh instance.
#[derive(Clone)]
pub struct StateChange {
    handle: Handle<ChangeExports>,
}

type Pairs = [(String, String)];

struct Process;
impl Signature for Process {
    const NAME: &'static str = "process";
    type Params<'a> = (Payload<'a>, Payload<'a>, &'a Pairs);
    type Results = (Result<Vec<wit::Event>, wit::Error>,);
}

struct Validate;
impl Signature for Validate {
    const NAME: &'static str = "validate";
    type Params<'a> = (Payload<'a>, Payload<'a>);
    type Results = (Result<bool, String>,);
}

/// The change's exports, found and typechecked at load time.
#[derive(Clone)]
pub(crate) struct ChangeExports {
    process: Export<Process>,
    validate: Export<Validate>,
}

impl ChangeExports {
    fn find(pre: &InstancePre<StoreData>, change: Interface) -> Result<Self, String> {
        Ok(ChangeExports {
            process: Export::find(pre, change)?,
            validate: Export::find(pre, change)?,
        })
    }
}

impl StateChange {
    /// Checks a compiled component as a state change (`kind` says whether WASI is allowed).
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
    ) -> Result<Self, Error> {
        let handle = Handle::new(runtime, name, component, kind, ChangeExports::find)?;
        Ok(StateChange { handle })
    }

    /// The name logs and errors carry.
    pub fn name(&self) -> &str {
        &self.handle.name
    }

    /// The compiled code.
    pub(crate) fn component(&self) -> &Component {
        self.handle.pre.component()
    }

    /// Counts a `process` made with [`StateChange::process_on`] in the metrics.
    pub(crate) fn observe_process(
        &self,
        started: Instant,
        store: &Store<StoreData>,
        result: &Result<Vec<Event>, Error>,
    ) {
        self.handle
            .observe(started, 0, self.handle.usage(store), result);
    }

    /// The release of `evident:db` the component was built against, e.g. `"0.2.0"`.
    pub fn wit_version(&self) -> &'static str {
        self.handle.wit_version
    }

    /// The limits each call runs under.
    pub fn limits(&self) -> Limits {
        self.handle.limits
    }

    /// The same change with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.handle.limits = limits;
        self
    }

    /// The events a command causes, checked to be valid CloudEvents, or the component's refusal
    /// as [`Error::Guest`] with its code.
    pub fn process(
        &self,
        state: &State,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, Error> {
        run_sync(self.process_in(Mode::Sync, state, command, parameters)).0
    }

    /// Tells whether the component would accept the command, without emitting anything.
    pub fn validate(&self, state: &State, command: &Command) -> Result<bool, Error> {
        run_sync(self.validate_in(Mode::Sync, state, command))
    }

    /// The component's counters so far (shared by every clone of this handle).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.handle.metrics.snapshot()
    }

    /// [`StateChange::process`] made as `mode` says, on a fresh instance, with the fuel and
    /// memory it used.
    pub(crate) async fn process_in(
        &self,
        mode: Mode,
        state: &State,
        command: &Command,
        parameters: &Parameters,
    ) -> (Result<Vec<Event>, Error>, Usage) {
        let started = Instant::now();
        let site = self.handle.site("process");
        let (result, usage) = match self.handle.instantiate(site, mode).await {
            Ok((mut store, instance)) => {
                let result = self
                    .process_on(&mut store, &instance, mode, state, command, parameters)
                    .await;
                (result, self.handle.usage(&store))
            }
            Err(e) => (Err(e), Usage::default()),
        };
        self.handle.observe(started, 0, usage, &result);
        (result, usage)
    }

    /// `process` on a live instance of this component (or of a decider component that is also
    /// this change).
    pub(crate) async fn process_on(
        &self,
        store: &mut Store<StoreData>,
        instance: &Instance,
        mode: Mode,
        state: &State,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, Error> {
        let site = self.handle.site("process");
        self.handle.arm(store, site, mode)?;
        let (state, command) = (Payload::from(state), Payload::from(command));
        let result = match self.handle.exports.process.bind(&mut *store, instance) {
            Ok(process) => {
                process
                    .invoke(mode, store, (state, command, parameters.as_slice()))
                    .await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok((returned,)) => self.emitted(site, returned),
            Err(e) => Err(store::classify(e, store, site)),
        }
    }

    async fn validate_in(
        &self,
        mode: Mode,
        state: &State,
        command: &Command,
    ) -> Result<bool, Error> {
        let started = Instant::now();
        let site = self.handle.site("validate");
        let (state, command) = (Payload::from(state), Payload::from(command));
        let (result, usage) = match self.handle.instantiate(site, mode).await {
            Ok((mut store, instance)) => {
                let called = match self.handle.exports.validate.bind(&mut store, &instance) {
                    Ok(validate) => validate.invoke(mode, &mut store, (state, command)).await,
                    Err(e) => Err(e),
                };
                let result = match called {
                    Ok((Ok(valid),)) => Ok(valid),
                    Ok((Err(message),)) => Err(store::refusal(&mut store, site, message)),
                    Err(e) => Err(store::classify(e, &mut store, site)),
                };
                (result, self.handle.usage(&store))
            }
            Err(e) => (Err(e), Usage::default()),
        };
        self.handle.observe(started, 0, usage, &result);
        result
    }

    /// The events `process` returned, checked against the limits and the CloudEvents rules, or
    /// its refusal.
    fn emitted(
        &self,
        site: CallSite<'_>,
        result: Result<Vec<wit::Event>, wit::Error>,
    ) -> Result<Vec<Event>, Error> {
        match result {
            Ok(events) => {
                self.check_events(site, &events)?;
                events
                    .into_iter()
                    .enumerate()
                    .map(|(index, event)| {
                        wire::event_from_wit(event).map_err(|e| Error::InvalidOutput {
                            component: self.handle.name.clone(),
                            function: "process",
                            reason: format!("event {index} is not a valid CloudEvent: {e}"),
                        })
                    })
                    .collect()
            }
            Err(error) => {
                let error = wire::error_from_wit(error);
                Err(Error::Guest {
                    component: self.handle.name.clone(),
                    function: "process",
                    code: Some(error.code),
                    message: error.message,
                    details: error.details,
                })
            }
        }
    }

    /// Refuses more events, or more event data, than the limits allow.
    fn check_events(&self, site: CallSite<'_>, events: &[wit::Event]) -> Result<(), Error> {
        store::check_output(site, "events", events.len(), self.handle.limits.max_events)?;
        let data_bytes = events
            .iter()
            .map(|event| event.data.as_ref().map_or(0, Vec::len))
            .sum();
        store::check_output(
            site,
            "event data bytes",
            data_bytes,
            self.handle.limits.max_output_bytes,
        )
    }
}

/// The same calls for hosts on an async executor (feature `async`): deadlines yield to the
/// executor at every epoch tick instead of blocking a thread, and the results are the same as
/// the synchronous calls', made by the same code.
#[cfg(feature = "async")]
impl StateChange {
    /// [`StateChange::process`], through `call_async`.
    pub async fn process_async(
        &self,
        state: &State,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, Error> {
        self.process_in(Mode::Async, state, command, parameters)
            .await
            .0
    }

    /// [`StateChange::validate`], through `call_async`.
    pub async fn validate_async(&self, state: &State, command: &Command) -> Result<bool, Error> {
        self.validate_in(Mode::Async, state, command).await
    }
}

impl std::fmt::Debug for StateChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StateChange").field(&self.handle).finish()
    }
}
