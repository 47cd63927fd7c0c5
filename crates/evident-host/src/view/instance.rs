//! A state view instance kept between calls.

use std::time::Instant;

use evident_types::{Event, Parameters, State};

use crate::component::{Usage, run_sync};
use crate::error::Error;
use crate::store::Mode;
use crate::view::StateView;
use crate::view::exports::{Session, instance_survives};

/// A state view instance kept between calls (see [`StateView::instance`]).
pub struct ViewInstance {
    view: StateView,
    /// `None` before the first call and after a failure: the next call instantiates afresh.
    session: Option<Session>,
}

/// A call on a kept instance.
enum Call<'a> {
    Initialize(&'a Parameters),
    Reduce(&'a State, &'a Event, &'a Parameters),
}

impl ViewInstance {
    /// A live instance of `view`.
    pub(crate) fn start(view: StateView) -> Result<Self, Error> {
        let session = run_sync(view.handle().session(Mode::Sync))?;
        Ok(ViewInstance {
            view,
            session: Some(session),
        })
    }

    /// A handle that instantiates on its first call.
    pub(crate) fn unstarted(view: StateView) -> Self {
        ViewInstance {
            view,
            session: None,
        }
    }

    /// [`StateView::initialize`] on this instance.
    pub fn initialize(&mut self, parameters: &Parameters) -> Result<State, Error> {
        run_sync(self.call(Mode::Sync, Call::Initialize(parameters)))
    }

    /// [`StateView::reduce`] on this instance.
    pub fn reduce(
        &mut self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        run_sync(self.call(Mode::Sync, Call::Reduce(state, event, parameters)))
    }

    /// [`ViewInstance::initialize`], through `call_async`.
    #[cfg(feature = "async")]
    pub async fn initialize_async(&mut self, parameters: &Parameters) -> Result<State, Error> {
        self.call(Mode::Async, Call::Initialize(parameters)).await
    }

    /// [`ViewInstance::reduce`], through `call_async`.
    #[cfg(feature = "async")]
    pub async fn reduce_async(
        &mut self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        self.call(Mode::Async, Call::Reduce(state, event, parameters))
            .await
    }

    /// Makes `call` on the kept instance (instantiating first if there is none), counts it in
    /// the metrics, and drops the instance if the call broke it.
    async fn call(&mut self, mode: Mode, call: Call<'_>) -> Result<State, Error> {
        let started = Instant::now();
        let handle = self.view.handle();
        #[cfg(feature = "async")]
        if mode == Mode::Sync
            && (self.session.as_ref()).is_some_and(|session| session.store.data().meter.async_only)
        {
            // Wasmtime may hold a store that made async calls to async calls: this one gets a
            // fresh instance (the state comes with the call).
            self.session = None;
        }
        let session = match &mut self.session {
            Some(session) => Ok(session),
            None => handle.session(mode).await.map(|s| self.session.insert(s)),
        };
        let (result, usage, events) = match session {
            Ok(session) => {
                let (result, events) = match call {
                    Call::Initialize(parameters) => {
                        (handle.initialize(session, mode, parameters).await, 0)
                    }
                    Call::Reduce(state, event, parameters) => (
                        handle.reduce(session, mode, state, event, parameters).await,
                        1,
                    ),
                };
                (result, handle.usage(&session.store), events)
            }
            Err(e) => (Err(e), Usage::default(), 0),
        };
        let applied = if result.is_ok() { events } else { 0 };
        handle.observe(started, applied, usage, &result);
        if result.as_ref().is_err_and(|e| !instance_survives(e)) {
            self.session = None;
        }
        result
    }
}

impl std::fmt::Debug for ViewInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewInstance")
            .field("view", &self.view)
            .field("live", &self.session.is_some())
            .finish()
    }
}
