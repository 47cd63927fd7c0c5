//! The state change handle: `validate` and `process`.

use evident_types::{Command, Event, Parameters, State};
use wasmtime::Store;
use wasmtime::component::Component;

use crate::bindings::change::{StateChangeComponent, StateChangeComponentPre};
use crate::bindings::wit;
use crate::component::{Handle, STATE_CHANGE};
use crate::error::Error;
use crate::limits::Limits;
use crate::runtime::Runtime;
use crate::store::{self, CallSite, StoreData};
use crate::wire;

/// A loaded state change, ready to call. Cloning is cheap; every call runs on a fresh instance.
#[derive(Clone)]
pub struct StateChange {
    handle: Handle<StateChangeComponentPre<StoreData>>,
}

impl StateChange {
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
    ) -> Result<Self, Error> {
        let handle = Handle::new(
            runtime,
            name,
            component,
            STATE_CHANGE,
            StateChangeComponentPre::new,
        )?;
        Ok(StateChange { handle })
    }

    /// The name logs and errors carry.
    pub fn name(&self) -> &str {
        &self.handle.name
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
        self.call(site, |instance, store| {
            instance.evident_db_state_change().call_process(
                store,
                &wire::state_to_wit(state),
                &wire::command_to_wit(command),
                parameters.as_slice(),
            )
        })
        .and_then(|result| match result {
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
        })
    }

    /// Tells whether the component would accept the command, without emitting anything.
    pub fn validate(&self, state: &State, command: &Command) -> Result<bool, Error> {
        self.call(self.handle.site("validate"), |instance, store| {
            instance.evident_db_state_change().call_validate(
                store,
                &wire::state_to_wit(state),
                &wire::command_to_wit(command),
            )
        })
        .and_then(|result| {
            result.map_err(|message| Error::Guest {
                component: self.handle.name.clone(),
                function: "validate",
                code: None,
                message,
                details: None,
            })
        })
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

    /// Runs `f` on a fresh, armed instance and names any Wasmtime failure.
    fn call<R>(
        &self,
        site: CallSite<'_>,
        f: impl FnOnce(&StateChangeComponent, &mut Store<StoreData>) -> wasmtime::Result<R>,
    ) -> Result<R, Error> {
        let mut store = self.handle.armed_store(site)?;
        let result = self
            .handle
            .pre
            .instantiate(&mut store)
            .and_then(|instance| f(&instance, &mut store));
        result.map_err(|e| store::classify(e, &mut store, site))
    }
}

impl std::fmt::Debug for StateChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StateChange").field(&self.handle).finish()
    }
}
