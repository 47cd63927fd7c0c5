//! The state view handle: `initialize`, `reduce`, and `fold` over many events.

use std::borrow::Borrow;

use evident_types::{Event, Parameters, State};
use wasmtime::Store;
use wasmtime::component::Component;

use crate::bindings::view::{StateViewComponent, StateViewComponentPre};
use crate::bindings::wit;
use crate::component::{Handle, STATE_VIEW};
use crate::error::{Error, FoldError};
use crate::limits::Limits;
use crate::runtime::Runtime;
use crate::store::{self, CallSite, StoreData};
use crate::wire;

/// A loaded state view, ready to call. Cloning is cheap and shares the compiled code.
///
/// Each [`StateView::reduce`] runs on a fresh instance; [`StateView::fold`] runs one instance
/// for the whole fold, with fresh fuel and deadline per event. An instance that failed is never
/// called again.
#[derive(Clone)]
pub struct StateView {
    handle: Handle<StateViewComponentPre<StoreData>>,
}

/// What a successful fold produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The state after the last event.
    pub state: State,
    /// How many events were applied.
    pub events_applied: usize,
    /// Fuel used by all the calls together.
    pub fuel_consumed: u64,
    /// The largest the component's linear memory grew to during the fold.
    pub peak_memory_bytes: usize,
}

struct Session {
    store: Store<StoreData>,
    instance: StateViewComponent,
}

impl StateView {
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
    ) -> Result<Self, Error> {
        let handle = Handle::new(
            runtime,
            name,
            component,
            STATE_VIEW,
            StateViewComponentPre::new,
        )?;
        Ok(StateView { handle })
    }

    /// The name logs and errors carry.
    pub fn name(&self) -> &str {
        &self.handle.name
    }

    /// The limits each call runs under.
    pub fn limits(&self) -> Limits {
        self.handle.limits
    }

    /// The same view with other limits, e.g. more fuel for one expensive call.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.handle.limits = limits;
        self
    }

    /// The state before any event.
    pub fn initialize(&self, parameters: &Parameters) -> Result<State, Error> {
        let site = self.handle.site("initialize");
        let mut session = self.instantiate(site)?;
        store::arm(&mut session.store, site, self.handle.epoch_tick())?;
        let result = session
            .instance
            .evident_db_state_view()
            .call_initialize(&mut session.store, parameters.as_slice());
        self.finish(result, &mut session.store, site)
    }

    /// Applies one event. On error `state` is untouched and the error says what happened.
    pub fn reduce(
        &self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        let site = self.handle.site("reduce");
        let mut session = self.instantiate(site)?;
        self.call_reduce(&mut session, site, state, event, parameters)
            .map(|(state, _fuel)| state)
    }

    /// Applies events in order, starting from `state`. On error the [`FoldError`] names the
    /// event (position and id) and carries the state after the last good one (boxed: it holds
    /// a whole state).
    pub fn fold<I>(
        &self,
        state: State,
        events: I,
        parameters: &Parameters,
    ) -> Result<Folded, Box<FoldError>>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let site = self.handle.site("reduce");
        let mut folded = Folded {
            state,
            events_applied: 0,
            fuel_consumed: 0,
            peak_memory_bytes: 0,
        };
        let mut session: Option<Session> = None;
        for (index, event) in events.into_iter().enumerate() {
            let event = event.borrow();
            let step = match session.as_mut() {
                Some(session) => Ok(session),
                None => self.instantiate(site).map(|s| session.insert(s)),
            }
            .and_then(|s| self.call_reduce(s, site, &folded.state, event, parameters));
            match step {
                Ok((state, fuel)) => {
                    folded.peak_memory_bytes = session
                        .as_ref()
                        .map_or(0, |s| store::peak_memory_bytes(&s.store));
                    folded.state = state;
                    folded.events_applied += 1;
                    folded.fuel_consumed += fuel;
                }
                Err(source) => {
                    return Err(Box::new(FoldError {
                        index,
                        event_id: event.id.clone(),
                        events_applied: folded.events_applied,
                        state: folded.state,
                        source,
                    }));
                }
            }
        }
        Ok(folded)
    }

    fn instantiate(&self, site: CallSite<'_>) -> Result<Session, Error> {
        let mut store = self.handle.armed_store(site)?;
        match self.handle.pre.instantiate(&mut store) {
            Ok(instance) => Ok(Session { store, instance }),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }

    /// One `reduce` on a live instance; returns the new state and the fuel it used.
    fn call_reduce(
        &self,
        session: &mut Session,
        site: CallSite<'_>,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<(State, u64), Error> {
        store::arm(&mut session.store, site, self.handle.epoch_tick())?;
        let result = session.instance.evident_db_state_view().call_reduce(
            &mut session.store,
            &wire::state_to_wit(state),
            &wire::event_to_wit(event),
            parameters.as_slice(),
        );
        let state = self.finish(result, &mut session.store, site)?;
        let fuel_left = session.store.get_fuel().unwrap_or(0);
        Ok((state, self.handle.limits.fuel.saturating_sub(fuel_left)))
    }

    fn finish(
        &self,
        result: wasmtime::Result<Result<wit::State, String>>,
        store: &mut Store<StoreData>,
        site: CallSite<'_>,
    ) -> Result<State, Error> {
        match result {
            Ok(Ok(state)) => {
                let limit = site.limits.max_output_bytes;
                store::check_output(site, "state bytes", state.bytes.len(), limit)?;
                Ok(wire::state_from_wit(state))
            }
            Ok(Err(message)) => Err(Error::Guest {
                component: self.handle.name.clone(),
                function: site.function,
                code: None,
                message,
                details: None,
            }),
            Err(e) => Err(store::classify(e, store, site)),
        }
    }
}

impl std::fmt::Debug for StateView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StateView").field(&self.handle).finish()
    }
}
