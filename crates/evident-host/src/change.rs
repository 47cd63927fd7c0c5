//! The state change handle: `validate` and `process`.

use std::time::Instant;

use evident_types::{Command, Event, Parameters, State};
use wasmtime::Store;
use wasmtime::component::Component;

use wasmtime::component::InstancePre;

use crate::bindings::wit;
use crate::component::{Bound, Export, Handle, Interface, Kind, Signature, Usage};
use crate::error::Error;
use crate::limits::Limits;
use crate::metrics::MetricsSnapshot;
use crate::runtime::Runtime;
use crate::store::{self, CallSite, StoreData};
use crate::wire;

/// A loaded state change, ready to call. Cloning is cheap; every call runs on a fresh instance.
#[derive(Clone)]
pub struct StateChange {
    handle: Handle<ChangeExports>,
}

type Pairs = [(String, String)];

struct Process;
impl Signature for Process {
    const NAME: &'static str = "process";
    type Params<'a> = (&'a wit::State, &'a wit::Command, &'a Pairs);
    type Results = (Result<Vec<wit::Event>, wit::Error>,);
}

struct Validate;
impl Signature for Validate {
    const NAME: &'static str = "validate";
    type Params<'a> = (&'a wit::State, &'a wit::Command);
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
        let site = self.handle.site("process");
        let state = wire::state_to_wit(state);
        let command = wire::command_to_wit(command);
        let started = Instant::now();
        let called = self.call(site, self.handle.exports.process, |process, store| {
            process.call(store, (&state, &command, parameters.as_slice()))
        });
        self.observed(started, called, |result| self.emitted(site, result))
    }

    /// Tells whether the component would accept the command, without emitting anything.
    pub fn validate(&self, state: &State, command: &Command) -> Result<bool, Error> {
        let state = wire::state_to_wit(state);
        let command = wire::command_to_wit(command);
        let site = self.handle.site("validate");
        let started = Instant::now();
        let called = self.call(site, self.handle.exports.validate, |validate, store| {
            validate.call(store, (&state, &command))
        });
        self.observed(started, called, |result| {
            result.map_err(|message| self.refused(site, message))
        })
    }

    /// Interprets what a call returned with `then` and counts the call in the metrics.
    fn observed<R, T>(
        &self,
        started: Instant,
        called: Result<(R, Usage), Error>,
        then: impl FnOnce(R) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (result, usage) = match called {
            Ok((returned, usage)) => (then(returned), usage),
            Err(e) => (Err(e), Usage::default()),
        };
        self.handle.observe(started, 0, usage, &result);
        result
    }

    /// The component's counters so far (shared by every clone of this handle).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.handle.metrics.snapshot()
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

    fn refused(&self, site: CallSite<'_>, message: String) -> Error {
        Error::Guest {
            component: self.handle.name.clone(),
            function: site.function,
            code: None,
            message,
            details: None,
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

    /// Runs `export` on a fresh, armed instance and names any Wasmtime failure.
    fn call<S: Signature, R>(
        &self,
        site: CallSite<'_>,
        export: Export<S>,
        f: impl FnOnce(Bound<S>, &mut Store<StoreData>) -> wasmtime::Result<(R,)>,
    ) -> Result<(R, Usage), Error> {
        let (mut store, instance) = self.handle.instantiate(site)?;
        let result = export
            .bind(&mut store, &instance)
            .and_then(|func| f(func, &mut store));
        match result {
            Ok((r,)) => Ok((r, self.handle.usage(&store))),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }
}

/// The same calls for hosts on an async executor (feature `async`): deadlines yield to the
/// executor at every epoch tick instead of blocking a thread.
#[cfg(feature = "async")]
impl StateChange {
    /// [`StateChange::process`], through `call_async`.
    pub async fn process_async(
        &self,
        state: &State,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, Error> {
        let site = self.handle.site("process");
        let state = wire::state_to_wit(state);
        let command = wire::command_to_wit(command);
        let started = Instant::now();
        let params = (&state, &command, parameters.as_slice());
        let called = self
            .call_async(site, self.handle.exports.process, params)
            .await;
        self.observed(started, called, |result| self.emitted(site, result))
    }

    /// [`StateChange::validate`], through `call_async`.
    pub async fn validate_async(&self, state: &State, command: &Command) -> Result<bool, Error> {
        let site = self.handle.site("validate");
        let state = wire::state_to_wit(state);
        let command = wire::command_to_wit(command);
        let started = Instant::now();
        let called = self
            .call_async(site, self.handle.exports.validate, (&state, &command))
            .await;
        self.observed(started, called, |result| {
            result.map_err(|message| self.refused(site, message))
        })
    }

    async fn call_async<S, R>(
        &self,
        site: CallSite<'_>,
        export: Export<S>,
        params: S::Params<'_>,
    ) -> Result<(R, Usage), Error>
    where
        S: Signature<Results = (R,)>,
        R: 'static,
    {
        let (mut store, instance) = self.handle.instantiate_async(site).await?;
        let result = match export.bind(&mut store, &instance) {
            Ok(func) => func.call_async(&mut store, params).await,
            Err(e) => Err(e),
        };
        match result {
            Ok((r,)) => Ok((r, self.handle.usage(&store))),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }
}

impl std::fmt::Debug for StateChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StateChange").field(&self.handle).finish()
    }
}
