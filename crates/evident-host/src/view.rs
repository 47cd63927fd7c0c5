//! The state view handle: `initialize`, `reduce`, and `fold` over many events.

use std::borrow::Borrow;
use std::time::Instant;

use evident_types::frame::{self, FrameWriter};
use evident_types::{Event, Parameters, State};
use wasmtime::Store;
use wasmtime::component::{Component, Instance, InstancePre};

use crate::bindings::{BatchError, wit};
use crate::component::{Bound, Export, Handle, Interface, Kind, Signature, Usage};
use crate::error::{Error, FoldError};
use crate::limits::Limits;
use crate::metrics::{MetricsSnapshot, Outcome};
use crate::runtime::{Runtime, RuntimeConfig};
use crate::store::{self, CallSite, StoreData};
use crate::wire;

/// A loaded state view, ready to call. Cloning is cheap and shares the compiled code.
///
/// [`StateView::reduce`] and [`StateView::initialize`] run on a fresh instance each: no call
/// sees another's memory. [`StateView::fold`] runs one instance for the whole fold, with fresh
/// fuel and deadline per call; [`StateView::instance`] keeps one for as many calls as the caller
/// makes. An instance that failed is never called again.
#[derive(Clone)]
pub struct StateView {
    handle: Handle<ViewExports>,
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

type Pairs = [(String, String)];

struct Reduce;
impl Signature for Reduce {
    const NAME: &'static str = "reduce";
    type Params<'a> = (&'a wit::State, &'a wit::Event, &'a Pairs);
    type Results = (Result<wit::State, String>,);
}

struct Initialize;
impl Signature for Initialize {
    const NAME: &'static str = "initialize";
    type Params<'a> = (&'a Pairs,);
    type Results = (Result<wit::State, String>,);
}

struct LoadState;
impl Signature for LoadState {
    const NAME: &'static str = "load-state";
    type Params<'a> = (&'a wit::State, &'a Pairs);
    type Results = (Result<(), String>,);
}

struct ApplyEvents;
impl Signature for ApplyEvents {
    const NAME: &'static str = "apply-events";
    type Params<'a> = (&'a [u8],);
    type Results = (Result<(), BatchError>,);
}

struct SaveState;
impl Signature for SaveState {
    const NAME: &'static str = "save-state";
    type Params<'a> = ();
    type Results = (Result<wit::State, String>,);
}

/// The view's exports, found and typechecked at load time.
#[derive(Clone)]
pub(crate) struct ViewExports {
    reduce: Export<Reduce>,
    initialize: Export<Initialize>,
    /// `state-view-batch`, exported by views built against `evident:db@0.2.0` or later.
    batch: Option<(Export<LoadState>, Export<ApplyEvents>, Export<SaveState>)>,
}

impl ViewExports {
    fn find(pre: &InstancePre<StoreData>, view: Interface) -> Result<Self, String> {
        let batch = match Interface::find(pre.component(), "evident:db/state-view-batch") {
            Some(batch) => Some((
                Export::find(pre, batch)?,
                Export::find(pre, batch)?,
                Export::find(pre, batch)?,
            )),
            None => None,
        };
        Ok(ViewExports {
            reduce: Export::find(pre, view)?,
            initialize: Export::find(pre, view)?,
            batch,
        })
    }
}

impl ViewExports {
    fn bind(
        &self,
        store: &mut Store<StoreData>,
        instance: &Instance,
    ) -> wasmtime::Result<ViewFuncs> {
        let batch = match &self.batch {
            Some((load, apply, save)) => Some((
                load.bind(&mut *store, instance)?,
                apply.bind(&mut *store, instance)?,
                save.bind(&mut *store, instance)?,
            )),
            None => None,
        };
        Ok(ViewFuncs {
            reduce: self.reduce.bind(&mut *store, instance)?,
            initialize: self.initialize.bind(&mut *store, instance)?,
            batch,
        })
    }
}

/// The exports of one live instance.
struct ViewFuncs {
    reduce: Bound<Reduce>,
    initialize: Bound<Initialize>,
    batch: Option<(Bound<LoadState>, Bound<ApplyEvents>, Bound<SaveState>)>,
}

/// One live instance and its exports.
struct Session {
    store: Store<StoreData>,
    funcs: ViewFuncs,
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
        Ok(StateView { handle })
    }

    /// The name logs and errors carry.
    pub fn name(&self) -> &str {
        &self.handle.name
    }

    /// The release of `evident:db` the component was built against, e.g. `"0.2.0"`.
    pub fn wit_version(&self) -> &'static str {
        self.handle.wit_version
    }

    /// Whether [`StateView::fold`] can send events in frames (the component exports
    /// `state-view-batch`) rather than one `reduce` call per event.
    pub fn folds_in_batches(&self) -> bool {
        self.handle.exports.batch.is_some()
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
        let session = self.instantiate(self.handle.site("instantiate"))?;
        Ok(ViewInstance {
            view: self.clone(),
            session: Some(session),
        })
    }

    /// An instance handle that instantiates on its first call.
    fn unstarted(&self) -> ViewInstance {
        ViewInstance {
            view: self.clone(),
            session: None,
        }
    }

    /// The component's counters so far (shared by every clone of this handle).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.handle.metrics.snapshot()
    }

    /// Applies events in order, starting from `state`. On error the [`FoldError`] names the
    /// event (position and id) and carries the state after the last good one (boxed: it holds
    /// a whole state).
    ///
    /// A view that exports `state-view-batch` gets the events in frames of up to
    /// [`RuntimeConfig::fold_batch_events`](crate::RuntimeConfig::fold_batch_events), its state
    /// decoded once and encoded once; each frame is one call with one call's fuel and deadline.
    /// If a frame fails, the fold is replayed from its last checkpoint to find the failing
    /// event and the last good state, so the outcome is the same as one `reduce` per event.
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
        let started = Instant::now();
        let result = self.fold_events(state, events, parameters);
        self.observe_fold(started, &result);
        result
    }

    /// Counts a finished fold in the metrics: one call, and the events it applied.
    fn observe_fold(&self, started: Instant, result: &Result<Folded, Box<FoldError>>) {
        let (events, usage) = match result {
            Ok(folded) => (folded.events_applied, folded.usage()),
            Err(failed) => (failed.events_applied, Usage::default()),
        };
        self.handle.metrics.record(Outcome {
            started,
            events: events as u64,
            fuel: usage.fuel,
            peak_memory: usage.peak_memory,
            error: result.as_ref().err().map(|failed| &failed.source),
        });
    }

    /// Adds one event's `reduce` (run on `store`) to `folded`, or makes its failure the fold's
    /// error, carrying the last good state.
    fn fold_step(
        &self,
        folded: &mut Folded,
        event: &Event,
        step: Result<State, Error>,
        store: Option<&Store<StoreData>>,
    ) -> Result<(), Box<FoldError>> {
        match step {
            Ok(state) => {
                if let Some(store) = store {
                    folded.fuel_consumed += self.handle.fuel_used(store);
                    folded.peak_memory_bytes = store::peak_memory_bytes(store);
                }
                folded.state = state;
                folded.events_applied += 1;
                Ok(())
            }
            Err(source) => Err(Box::new(FoldError {
                index: folded.events_applied,
                event_id: event.id.clone(),
                events_applied: folded.events_applied,
                state: std::mem::take(&mut folded.state),
                source,
            })),
        }
    }

    fn fold_events<I>(
        &self,
        state: State,
        events: I,
        parameters: &Parameters,
    ) -> Result<Folded, Box<FoldError>>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let batch_events = self.handle.runtime.config().fold_batch_events;
        let mut folded = Folded {
            state,
            events_applied: 0,
            fuel_consumed: 0,
            peak_memory_bytes: 0,
        };
        let mut events = events.into_iter().peekable();
        if self.folds_in_batches() && batch_events > 1 && events.peek().is_some() {
            if let Some(replay) = self.fold_batched(&mut folded, &mut events, parameters)? {
                // A frame failed without saying which event: replay it one event at a time.
                let mut session = None;
                self.fold_per_event(&mut session, &mut folded, replay.iter(), parameters)?;
                self.fold_per_event(&mut session, &mut folded, events, parameters)?;
            }
        } else {
            self.fold_per_event(&mut None, &mut folded, events, parameters)?;
        }
        Ok(folded)
    }

    /// One `reduce` per event, on one instance (a fresh one after a failure).
    fn fold_per_event<E: Borrow<Event>>(
        &self,
        session: &mut Option<Session>,
        folded: &mut Folded,
        events: impl IntoIterator<Item = E>,
        parameters: &Parameters,
    ) -> Result<(), Box<FoldError>> {
        let site = self.handle.site("reduce");
        for event in events {
            let event = event.borrow();
            let step = match session.as_mut() {
                Some(session) => Ok(session),
                None => self.instantiate(site).map(|s| session.insert(s)),
            }
            .and_then(|s| self.call_reduce(s, site, &folded.state, event, parameters));
            let store = session.as_ref().map(|s| &s.store);
            self.fold_step(folded, event, step, store)?;
        }
        Ok(())
    }

    /// Folds every event in frames, on one instance. `Ok(None)`: done. `Ok(Some(events))`: a
    /// call trapped or hit a limit, `folded` is back at the last checkpoint, and `events` are
    /// the events taken from `events` since then: replay them, then the rest, one by one.
    fn fold_batched<I>(
        &self,
        folded: &mut Folded,
        events: &mut I,
        parameters: &Parameters,
    ) -> Result<Option<Vec<Event>>, Box<FoldError>>
    where
        I: Iterator,
        I::Item: Borrow<Event>,
    {
        let config = self.handle.runtime.config();
        let site = self.handle.site("reduce");
        let mut session = match self.instantiate(site) {
            Ok(session) => session,
            Err(e) => return Ok(self.replaying(&e, Vec::new())),
        };
        // The checkpoint is where a failed fold restarts: a state the fold reached, and the
        // frames sent since (which keep the events without cloning them). It moves forward
        // (the state is saved, the frames recycled) once the frames outweigh the state enough
        // that saving it costs little next to sending them.
        let mut checkpoint = folded.clone();
        let mut sent: Vec<FrameWriter> = Vec::new();
        let mut spare: Vec<FrameWriter> = Vec::new();
        let mut sent_bytes = 0;
        let mut frame = FrameWriter::new();
        let checkpoint_after = |state: &State| {
            (state.bytes.len() * CHECKPOINT_STATE_MULTIPLE).max(MIN_CHECKPOINT_BYTES)
        };
        let mut checkpoint_bytes = checkpoint_after(&folded.state);
        if let Err(failure) = self.load_state(&mut session, site, &folded.state, parameters) {
            return match failure {
                // The state cannot be decoded: the first event fails, as with `reduce`.
                Failure::Refused(message) => {
                    let first = events.next().expect("at least one event");
                    Err(self.refused_at(folded, first.borrow().id.clone(), message))
                }
                Failure::Fault(e) => Ok(self.replaying(&e, Vec::new())),
            };
        }
        loop {
            fill_frame(&mut frame, events, config);
            if frame.is_empty() {
                break;
            }
            match self.apply_events(&mut session, site, &frame) {
                Ok(()) => {
                    folded.events_applied += frame.len();
                    folded.fuel_consumed += self.handle.fuel_used(&session.store);
                    folded.peak_memory_bytes = store::peak_memory_bytes(&session.store);
                    sent_bytes += frame.byte_len();
                    let next = spare.pop().unwrap_or_default();
                    sent.push(std::mem::replace(&mut frame, next));
                }
                Err(Failure::Refused(BatchError { index, message }))
                    if (index as usize) < frame.len() =>
                {
                    // Replay from the checkpoint up to the failed event for the last good state.
                    let mut since = decode_frames(sent.iter().chain([&frame]));
                    let failed_at =
                        folded.events_applied - checkpoint.events_applied + index as usize;
                    let failed_id = since[failed_at].id.clone();
                    since.truncate(failed_at);
                    *folded = checkpoint;
                    let base = folded.events_applied;
                    let recovered = self
                        .fold_events(folded.state.clone(), &since, parameters)
                        .map_err(|mut e| {
                            e.index += base;
                            e.events_applied += base;
                            e
                        })?;
                    folded.state = recovered.state;
                    folded.events_applied += recovered.events_applied;
                    folded.fuel_consumed += recovered.fuel_consumed;
                    return Err(self.refused_at(folded, failed_id, message));
                }
                Err(failure) => {
                    *folded = checkpoint;
                    let since = decode_frames(sent.iter().chain([&frame]));
                    return Ok(match failure {
                        Failure::Fault(e) => self.replaying(&e, since),
                        Failure::Refused(e) => self.replaying(&e.message, since),
                    });
                }
            }
            if sent_bytes >= checkpoint_bytes {
                match self.save_state(&mut session, site) {
                    Ok(state) => {
                        folded.state = state;
                        folded.fuel_consumed += self.handle.fuel_used(&session.store);
                        checkpoint = folded.clone();
                        checkpoint_bytes = checkpoint_after(&folded.state);
                        spare.append(&mut sent);
                        sent_bytes = 0;
                    }
                    Err(e) => {
                        *folded = checkpoint;
                        return Ok(self.replaying(&e, decode_frames(&sent)));
                    }
                }
            }
        }
        match self.save_state(&mut session, site) {
            Ok(state) => {
                folded.state = state;
                folded.fuel_consumed += self.handle.fuel_used(&session.store);
                Ok(None)
            }
            Err(e) => {
                *folded = checkpoint;
                Ok(self.replaying(&e, decode_frames(&sent)))
            }
        }
    }

    /// Says why a batched fold turns to one `reduce` per event, and hands over the events.
    fn replaying(&self, why: &dyn std::fmt::Display, events: Vec<Event>) -> Option<Vec<Event>> {
        tracing::debug!(
            component = &*self.handle.name,
            "a batched call failed ({why}); replaying the fold from its checkpoint one event at a time"
        );
        Some(events)
    }

    /// The error for a guest refusal at the event after `folded`'s last.
    fn refused_at(&self, folded: &mut Folded, event_id: String, message: String) -> Box<FoldError> {
        Box::new(FoldError {
            index: folded.events_applied,
            event_id,
            events_applied: folded.events_applied,
            state: std::mem::take(&mut folded.state),
            source: Error::Guest {
                component: self.handle.name.clone(),
                function: "reduce",
                code: None,
                message,
                details: None,
            },
        })
    }

    fn load_state(
        &self,
        session: &mut Session,
        site: CallSite<'_>,
        state: &State,
        parameters: &Parameters,
    ) -> Result<(), Failure<String>> {
        self.handle
            .arm(&mut session.store, site)
            .map_err(Failure::Fault)?;
        let (load, _, _) = session.funcs.batch.as_ref().expect("a batch session");
        let state = wire::state_to_wit(state);
        match load.call(&mut session.store, (&state, parameters.as_slice())) {
            Ok((Ok(()),)) => Ok(()),
            Ok((Err(message),)) => Err(Failure::Refused(message)),
            Err(e) => Err(Failure::Fault(store::classify(e, &mut session.store, site))),
        }
    }

    fn apply_events(
        &self,
        session: &mut Session,
        site: CallSite<'_>,
        frame: &FrameWriter,
    ) -> Result<(), Failure<BatchError>> {
        self.handle
            .arm(&mut session.store, site)
            .map_err(Failure::Fault)?;
        let (_, apply, _) = session.funcs.batch.as_ref().expect("a batch session");
        match apply.call(&mut session.store, (frame.as_bytes(),)) {
            Ok((Ok(()),)) => Ok(()),
            Ok((Err(error),)) => Err(Failure::Refused(error)),
            Err(e) => Err(Failure::Fault(store::classify(e, &mut session.store, site))),
        }
    }

    fn instantiate(&self, site: CallSite<'_>) -> Result<Session, Error> {
        let (mut store, instance) = self.handle.instantiate(site)?;
        match self.handle.exports.bind(&mut store, &instance) {
            Ok(funcs) => Ok(Session { store, funcs }),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }

    fn save_state(&self, session: &mut Session, site: CallSite<'_>) -> Result<State, Error> {
        self.handle.arm(&mut session.store, site)?;
        let (_, _, save) = session.funcs.batch.as_ref().expect("a batch session");
        let result = save.call(&mut session.store, ()).map(|(r,)| r);
        self.finish(result, &mut session.store, site)
    }

    /// One `reduce` on a live instance.
    fn call_reduce(
        &self,
        session: &mut Session,
        site: CallSite<'_>,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        self.handle.arm(&mut session.store, site)?;
        let state = wire::state_to_wit(state);
        let event = wire::event_to_wit(event);
        let result = session
            .funcs
            .reduce
            .call(&mut session.store, (&state, &event, parameters.as_slice()))
            .map(|(r,)| r);
        self.finish(result, &mut session.store, site)
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

/// The same calls for hosts on an async executor (feature `async`): deadlines yield to the
/// executor at every epoch tick instead of blocking a thread, and the results are the same as
/// the synchronous calls'.
#[cfg(feature = "async")]
impl StateView {
    /// [`StateView::initialize`], through `call_async`.
    pub async fn initialize_async(&self, parameters: &Parameters) -> Result<State, Error> {
        let started = Instant::now();
        let site = self.handle.site("initialize");
        let (result, usage) = match self.instantiate_async(site).await {
            Ok(mut session) => {
                let result = self
                    .call_initialize_async(&mut session, site, parameters)
                    .await;
                (result, self.handle.usage(&session.store))
            }
            Err(e) => (Err(e), Usage::default()),
        };
        self.handle.observe(started, 0, usage, &result);
        result
    }

    async fn call_initialize_async(
        &self,
        session: &mut Session,
        site: CallSite<'_>,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        self.handle.arm_async(&mut session.store, site)?;
        let result = session
            .funcs
            .initialize
            .call_async(&mut session.store, (parameters.as_slice(),))
            .await
            .map(|(r,)| r);
        self.finish(result, &mut session.store, site)
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

    /// [`StateView::fold`], through `call_async`: in frames when the view can, one `reduce`
    /// per event otherwise. If a frame fails, the fold is run again synchronously (blocking
    /// the executor thread for that long) to find the failing event and the last good state.
    pub async fn fold_async(
        &self,
        state: State,
        events: &[Event],
        parameters: &Parameters,
    ) -> Result<Folded, Box<FoldError>> {
        let started = Instant::now();
        let in_frames =
            self.folds_in_batches() && self.handle.runtime.config().fold_batch_events > 1;
        if events.is_empty() || !in_frames {
            let result = self.fold_per_event_async(state, events, parameters).await;
            self.observe_fold(started, &result);
            return result;
        }
        match self.fold_frames_async(&state, events, parameters).await {
            Some(folded) => {
                let result = Ok(folded);
                self.observe_fold(started, &result);
                result
            }
            // `fold` counts itself.
            None => self.fold(state, events, parameters),
        }
    }

    async fn fold_per_event_async(
        &self,
        state: State,
        events: &[Event],
        parameters: &Parameters,
    ) -> Result<Folded, Box<FoldError>> {
        let site = self.handle.site("reduce");
        let mut folded = Folded {
            state,
            events_applied: 0,
            fuel_consumed: 0,
            peak_memory_bytes: 0,
        };
        let mut kept: Option<Session> = None;
        for event in events {
            let session = match kept.as_mut() {
                Some(session) => Ok(session),
                None => self.instantiate_async(site).await.map(|s| kept.insert(s)),
            };
            let step = match session {
                Ok(session) => {
                    self.call_reduce_async(session, site, &folded.state, event, parameters)
                        .await
                }
                Err(e) => Err(e),
            };
            let store = kept.as_ref().map(|s| &s.store);
            self.fold_step(&mut folded, event, step, store)?;
        }
        Ok(folded)
    }

    /// All the events in frames on one instance; `None` if any call failed.
    async fn fold_frames_async(
        &self,
        state: &State,
        events: &[Event],
        parameters: &Parameters,
    ) -> Option<Folded> {
        let config = self.handle.runtime.config();
        let site = self.handle.site("reduce");
        let mut session = self.instantiate_async(site).await.ok()?;
        let mut fuel_consumed = 0;
        let mut frame = FrameWriter::new();
        let store = &mut session.store;
        let (load, apply, save) = session.funcs.batch.as_ref()?;
        self.handle.arm_async(store, site).ok()?;
        let wit_state = wire::state_to_wit(state);
        let params = (&wit_state, parameters.as_slice());
        load.call_async(&mut *store, params).await.ok()?.0.ok()?;
        fuel_consumed += self.handle.fuel_used(store);
        let mut rest = events.iter();
        loop {
            fill_frame(&mut frame, &mut rest, config);
            if frame.is_empty() {
                break;
            }
            self.handle.arm_async(store, site).ok()?;
            let applied = apply.call_async(&mut *store, (frame.as_bytes(),)).await;
            applied.ok()?.0.ok()?;
            fuel_consumed += self.handle.fuel_used(store);
        }
        self.handle.arm_async(store, site).ok()?;
        let saved = save.call_async(&mut *store, ()).await.map(|(r,)| r);
        let state = self.finish(saved, store, site).ok()?;
        fuel_consumed += self.handle.fuel_used(store);
        Some(Folded {
            state,
            events_applied: events.len(),
            fuel_consumed,
            peak_memory_bytes: store::peak_memory_bytes(store),
        })
    }

    async fn instantiate_async(&self, site: CallSite<'_>) -> Result<Session, Error> {
        let (mut store, instance) = self.handle.instantiate_async(site).await?;
        match self.handle.exports.bind(&mut store, &instance) {
            Ok(funcs) => Ok(Session { store, funcs }),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }

    async fn call_reduce_async(
        &self,
        session: &mut Session,
        site: CallSite<'_>,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        self.handle.arm_async(&mut session.store, site)?;
        let state = wire::state_to_wit(state);
        let event = wire::event_to_wit(event);
        let result = session
            .funcs
            .reduce
            .call_async(&mut session.store, (&state, &event, parameters.as_slice()))
            .await
            .map(|(r,)| r);
        self.finish(result, &mut session.store, site)
    }
}

#[cfg(feature = "async")]
impl ViewInstance {
    /// [`ViewInstance::reduce`], through `call_async`.
    pub async fn reduce_async(
        &mut self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        let started = Instant::now();
        let view = &self.view;
        let site = view.handle.site("reduce");
        if self.session.is_none() {
            match view.instantiate_async(site).await {
                Ok(session) => self.session = Some(session),
                Err(e) => {
                    let result = Err(e);
                    view.handle.observe(started, 0, Usage::default(), &result);
                    return result;
                }
            }
        }
        let session = self.session.as_mut().expect("just made");
        let result = view
            .call_reduce_async(session, site, state, event, parameters)
            .await;
        let applied = u64::from(result.is_ok());
        view.handle
            .observe(started, applied, view.handle.usage(&session.store), &result);
        if result.as_ref().is_err_and(|e| !instance_survives(e)) {
            self.session = None;
        }
        result
    }
}

/// Refills `frame` from `events` up to the runtime's frame limits (events and bytes); empty when
/// `events` is.
fn fill_frame<E: Borrow<Event>>(
    frame: &mut FrameWriter,
    events: &mut impl Iterator<Item = E>,
    config: &RuntimeConfig,
) {
    frame.clear();
    while frame.len() < config.fold_batch_events.max(1)
        && frame.byte_len() < config.fold_batch_bytes
    {
        match events.next() {
            Some(event) => frame.push(event.borrow()),
            None => break,
        }
    }
}

/// Frames sent since a checkpoint are kept to replay a failed fold; once they reach this many
/// bytes, or this many times the state's size if that is more, the fold saves its state as a new
/// checkpoint and reuses the frames. Saving costs about as much as the state is big, so it stays
/// a small part of a fold's work whatever the state's size.
const MIN_CHECKPOINT_BYTES: usize = 4 << 20;
const CHECKPOINT_STATE_MULTIPLE: usize = 16;

/// The events of frames this host wrote.
fn decode_frames<'a>(frames: impl IntoIterator<Item = &'a FrameWriter>) -> Vec<Event> {
    frames
        .into_iter()
        .flat_map(|f| frame::decode(f.as_bytes().to_vec().into()).expect("a frame this host wrote"))
        .collect()
}

impl Folded {
    fn usage(&self) -> Usage {
        Usage {
            fuel: self.fuel_consumed,
            peak_memory: self.peak_memory_bytes,
        }
    }
}

/// How a batch call failed: the guest said no (`R`), or the call itself failed.
enum Failure<R> {
    Refused(R),
    Fault(Error),
}

impl std::fmt::Debug for StateView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StateView").field(&self.handle).finish()
    }
}

/// A state view instance kept between calls (see [`StateView::instance`]).
pub struct ViewInstance {
    view: StateView,
    /// `None` after a failure: the next call instantiates afresh.
    session: Option<Session>,
}

impl ViewInstance {
    /// [`StateView::initialize`] on this instance.
    pub fn initialize(&mut self, parameters: &Parameters) -> Result<State, Error> {
        let ViewInstance { view, session } = self;
        let site = view.handle.site("initialize");
        with_session(view, session, site, 0, |session| {
            view.handle.arm(&mut session.store, site)?;
            let result = session
                .funcs
                .initialize
                .call(&mut session.store, (parameters.as_slice(),))
                .map(|(r,)| r);
            view.finish(result, &mut session.store, site)
        })
    }

    /// [`StateView::reduce`] on this instance.
    pub fn reduce(
        &mut self,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        let ViewInstance { view, session } = self;
        let site = view.handle.site("reduce");
        with_session(view, session, site, 1, |session| {
            view.call_reduce(session, site, state, event, parameters)
        })
    }
}

/// Runs `call` (which applies `events` events) on the kept instance, instantiating first if
/// there is none, and counts it in the metrics.
fn with_session<R>(
    view: &StateView,
    kept: &mut Option<Session>,
    site: CallSite<'_>,
    events: u64,
    call: impl FnOnce(&mut Session) -> Result<R, Error>,
) -> Result<R, Error> {
    let started = Instant::now();
    let session = match kept {
        Some(session) => Ok(session),
        None => view.instantiate(site).map(|s| kept.insert(s)),
    };
    let (result, usage) = match session {
        Ok(session) => (call(session), view.handle.usage(&session.store)),
        Err(e) => (Err(e), Usage::default()),
    };
    let applied = if result.is_ok() { events } else { 0 };
    view.handle.observe(started, applied, usage, &result);
    if result.as_ref().is_err_and(|e| !instance_survives(e)) {
        *kept = None;
    }
    result
}

/// Whether an instance may serve another call after `error`: yes if the guest refused or the
/// host refused its output; no if it trapped or ran out of a limit.
fn instance_survives(error: &Error) -> bool {
    matches!(error, Error::Guest { .. } | Error::OutputLimit { .. })
}

impl std::fmt::Debug for ViewInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewInstance")
            .field("view", &self.view)
            .field("live", &self.session.is_some())
            .finish()
    }
}
