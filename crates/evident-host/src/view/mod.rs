//! The state view handle: `initialize`, `reduce`, and `fold` over many events.

mod checkpoint;
mod exports;
mod fold;
mod instance;
mod recover;

use std::borrow::Borrow;
use std::time::Instant;

use evident_types::{Event, Parameters, State};
use wasmtime::component::Component;

use crate::component::{Handle, Kind, Usage};
use crate::error::{Error, FoldError};
use crate::limits::Limits;
use crate::metrics::{MetricsSnapshot, Outcome};
use crate::runtime::Runtime;
use crate::store::Mode;

pub use checkpoint::FoldConfig;
pub(crate) use exports::{Session, ViewExports, ViewHandle};
pub(crate) use fold::loaded;
pub use instance::ViewInstance;

/// A loaded state view, ready to call. Cloning is cheap and shares the compiled code.
///
/// [`StateView::reduce`] and [`StateView::initialize`] run on a fresh instance each: no call
/// sees another's memory. [`StateView::fold`] runs one instance for the whole fold (and fresh
/// ones to replay a failed frame), each frame under the limits of one call;
/// [`StateView::instance`] keeps one for as many calls as the caller makes. An instance that
/// failed is never called again.
#[derive(Clone)]
pub struct StateView {
    handle: ViewHandle,
    fold: FoldConfig,
}

/// What a successful fold produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The state after the last event.
    pub state: State,
    /// How many events were applied.
    pub events_applied: usize,
    /// Fuel used by all the calls together, replays of failed frames included.
    pub fuel_consumed: u64,
    /// The largest any instance of the fold grew its linear memory to.
    pub peak_memory_bytes: usize,
}

impl StateView {
    /// Checks a compiled component as a state view (`kind` says whether WASI is allowed).
    pub(crate) fn prepare(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
    ) -> Result<Self, Error> {
        let handle = Handle::new(runtime, name, component, kind, ViewExports::find)?;
        Ok(StateView {
            handle,
            fold: runtime.config().fold,
        })
    }

    pub(crate) fn handle(&self) -> &ViewHandle {
        &self.handle
    }

    /// The name logs and errors carry.
    pub fn name(&self) -> &str {
        &self.handle.name
    }

    /// The release of `evident:db` the component was built against, e.g. `"0.3.0"`.
    pub fn wit_version(&self) -> &'static str {
        self.handle.wit_version
    }

    /// Whether [`StateView::fold`] can send events in frames (the component exports
    /// `state-view-batch`) rather than one `reduce` call per event.
    pub fn folds_in_batches(&self) -> bool {
        self.handle.exports.frames.is_some()
    }

    /// Whether the component reports which event of a frame it is at (`frame-progress`, as
    /// views built against 0.3.0 with the SDK do), so a failed frame names the event it was at.
    /// Either way a frame runs under the limits of one call, and what it names is checked one
    /// `reduce` per event before it is believed.
    pub fn meters_events(&self) -> bool {
        self.handle.meters_events
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

    /// A profiler of this view's component, sampling at every epoch tick of the runtime (so
    /// the runtime needs [`crate::RuntimeConfig::epoch_deadlines`] on; `Error::Setup` if not).
    #[cfg(feature = "profiling")]
    pub fn profiler(&self) -> Result<crate::Profiler, Error> {
        let runtime = &self.handle.runtime;
        if !runtime.config().epoch_deadlines {
            return Err(Error::Setup(format!(
                "cannot profile `{}`: samples are taken at epoch ticks, and this runtime keeps \
                 none (build it with `RuntimeConfig::epoch_deadlines` on)",
                self.name()
            )));
        }
        crate::Profiler::new(
            runtime.engine(),
            self.name(),
            self.handle.pre.component(),
            runtime.config().epoch_tick,
        )
    }

    /// The same view, its calls sampled by `profiler` (from [`StateView::profiler`]).
    #[cfg(feature = "profiling")]
    pub fn with_profiler(mut self, profiler: &crate::Profiler) -> Self {
        self.handle.profiler = Some(profiler.clone());
        self
    }

    /// How [`StateView::fold`] frames events and checkpoints.
    pub fn fold_config(&self) -> FoldConfig {
        self.fold
    }

    /// The same view folding with other frames and checkpoints (the outcome of a fold does not
    /// change with them, only its cost).
    pub fn with_fold_config(mut self, fold: FoldConfig) -> Self {
        self.fold = fold;
        self
    }

    /// The state before any event.
    pub fn initialize(&self, parameters: &Parameters) -> Result<State, Error> {
        self.unstarted().initialize(parameters)
    }

    /// Applies one event. On error `state` is untouched and the error says what happened.
    pub fn reduce(
        &self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        self.unstarted().reduce(state, event, parameters)
    }

    /// An instance kept for many calls: no instantiation per call, but calls share the guest's
    /// memory, so use one per independent stream of work. Failed instances are replaced.
    pub fn instance(&self) -> Result<ViewInstance, Error> {
        ViewInstance::start(self.clone())
    }

    /// An instance handle that instantiates on its first call.
    fn unstarted(&self) -> ViewInstance {
        ViewInstance::unstarted(self.clone())
    }

    /// The component's counters so far (shared by every clone of this handle).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.handle.metrics.snapshot()
    }

    /// Applies events in order, starting from `state`. On error the [`FoldError`] names the
    /// event (position and id) and carries the state after the last good one (boxed: it holds
    /// a whole state).
    ///
    /// A view that exports `state-view-batch` gets the events in frames (see
    /// [`StateView::fold_config`]), its state decoded once and encoded once. Whatever the
    /// framing, the outcome is that of one `reduce` per event: a frame runs under the limits of
    /// one call, so no event in it gets more, and when a frame fails, its events are replayed
    /// one `reduce` per event (from the state before it, which the frames since the last
    /// checkpoint give) to find the failing event and the state before it; if none fails, the
    /// fold goes on from the state that replay reached, in smaller frames if the frame failed
    /// only for its size, one `reduce` per event if it failed otherwise (its frames lied).
    /// [`FoldError::frame_disagreement`] says what a frame said that the replay did not find.
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
        crate::component::run_sync(self.fold_in(Mode::Sync, state, events, parameters))
    }

    /// [`StateView::fold`] made as `mode` says, counted in the metrics as one call.
    async fn fold_in<I>(
        &self,
        mode: Mode,
        state: State,
        events: I,
        parameters: &Parameters,
    ) -> Result<Folded, Box<FoldError>>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let folded = self.fold_on(mode, state, None, events, parameters).await;
        folded.map(|(folded, _)| folded)
    }

    /// [`StateView::fold_in`] on `session` if one is given (holding `state`), handing back the
    /// instance that holds the final state.
    pub(crate) async fn fold_on<I>(
        &self,
        mode: Mode,
        state: State,
        session: Option<Session>,
        events: I,
        parameters: &Parameters,
    ) -> Result<(Folded, Option<Session>), Box<FoldError>>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let started = Instant::now();
        let result = fold::fold_on(self, mode, state, session, events, parameters).await;
        let (events, usage) = match &result {
            Ok((folded, _)) => (folded.events_applied, folded.usage()),
            Err(failed) => (
                failed.index,
                Usage {
                    fuel: failed.fuel_consumed,
                    peak_memory: failed.peak_memory_bytes,
                },
            ),
        };
        self.handle.metrics.record(Outcome {
            started,
            events: events as u64,
            fuel: usage.fuel,
            peak_memory: usage.peak_memory,
            error: result.as_ref().err().map(|failed| &failed.source),
        });
        result
    }
}

/// The same calls for hosts on an async executor (feature `async`): deadlines yield to the
/// executor at every epoch tick instead of blocking a thread, and the results are the same as
/// the synchronous calls', made by the same code.
#[cfg(feature = "async")]
impl StateView {
    /// [`StateView::initialize`], through `call_async`.
    pub async fn initialize_async(&self, parameters: &Parameters) -> Result<State, Error> {
        self.unstarted().initialize_async(parameters).await
    }

    /// [`StateView::reduce`], through `call_async`.
    pub async fn reduce_async(
        &self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        self.unstarted()
            .reduce_async(state, event, parameters)
            .await
    }

    /// [`StateView::fold`], through `call_async`, with the same frames, checkpoints and
    /// replays.
    pub async fn fold_async<I>(
        &self,
        state: State,
        events: I,
        parameters: &Parameters,
    ) -> Result<Folded, Box<FoldError>>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        self.fold_in(Mode::Async, state, events, parameters).await
    }
}

impl Folded {
    fn usage(&self) -> Usage {
        Usage {
            fuel: self.fuel_consumed,
            peak_memory: self.peak_memory_bytes,
        }
    }
}

impl std::fmt::Debug for StateView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateView")
            .field("handle", &self.handle)
            .field("fold", &self.fold)
            .finish()
    }
}
