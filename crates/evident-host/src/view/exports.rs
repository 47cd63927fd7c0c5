//! A view's exports: their types, found and typechecked at load time, and the calls on one live
//! instance, each armed with fresh fuel and a fresh deadline and each failure named after the
//! export that failed.

use evident_types::frame::FrameWriter;
use evident_types::{Event, Parameters, State};
use wasmtime::Store;
use wasmtime::component::{Instance, InstancePre};

use crate::bindings::{BatchError, wit};
use crate::component::{Bound, Export, Handle, Interface, Signature};
use crate::error::Error;
use crate::store::{self, CallSite, Mode, StoreData};
use crate::wire::{self, EventParam, LentEvent, Payload};

type Pairs = [(String, String)];

pub(crate) struct Reduce;
impl Signature for Reduce {
    const NAME: &'static str = "reduce";
    type Params<'a> = (Payload<'a>, EventParam<'a>, &'a Pairs);
    type Results = (Result<wit::State, String>,);
}

pub(crate) struct Initialize;
impl Signature for Initialize {
    const NAME: &'static str = "initialize";
    type Params<'a> = (&'a Pairs,);
    type Results = (Result<wit::State, String>,);
}

pub(crate) struct LoadState;
impl Signature for LoadState {
    const NAME: &'static str = "load-state";
    type Params<'a> = (Payload<'a>, &'a Pairs);
    type Results = (Result<(), String>,);
}

pub(crate) struct ApplyEvents;
impl Signature for ApplyEvents {
    const NAME: &'static str = "apply-events";
    type Params<'a> = (&'a [u8],);
    type Results = (Result<(), BatchError>,);
}

pub(crate) struct SaveState;
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
    /// `state-view-batch` (folding frames), exported by views built against `evident:db@0.2.0`
    /// or later.
    pub(crate) frames: Option<FrameExports>,
}

#[derive(Clone, Copy)]
pub(crate) struct FrameExports {
    load: Export<LoadState>,
    apply: Export<ApplyEvents>,
    save: Export<SaveState>,
}

impl ViewExports {
    pub(crate) fn find(pre: &InstancePre<StoreData>, view: Interface) -> Result<Self, String> {
        let frames = match Interface::find(pre.component(), "evident:db/state-view-batch") {
            Some(frames) => Some(FrameExports {
                load: Export::find(pre, frames)?,
                apply: Export::find(pre, frames)?,
                save: Export::find(pre, frames)?,
            }),
            None => None,
        };
        Ok(ViewExports {
            reduce: Export::find(pre, view)?,
            initialize: Export::find(pre, view)?,
            frames,
        })
    }

    fn bind(
        &self,
        store: &mut Store<StoreData>,
        instance: &Instance,
    ) -> wasmtime::Result<ViewFuncs> {
        let frames = match &self.frames {
            Some(frames) => Some(FrameFuncs {
                load: frames.load.bind(&mut *store, instance)?,
                apply: frames.apply.bind(&mut *store, instance)?,
                save: frames.save.bind(&mut *store, instance)?,
            }),
            None => None,
        };
        Ok(ViewFuncs {
            reduce: self.reduce.bind(&mut *store, instance)?,
            initialize: self.initialize.bind(&mut *store, instance)?,
            frames,
        })
    }
}

/// The exports of one live instance.
struct ViewFuncs {
    reduce: Bound<Reduce>,
    initialize: Bound<Initialize>,
    frames: Option<FrameFuncs>,
}

struct FrameFuncs {
    load: Bound<LoadState>,
    apply: Bound<ApplyEvents>,
    save: Bound<SaveState>,
}

/// One live instance of a view and its exports. A session whose call trapped or hit a limit is
/// dropped, never called again.
pub(crate) struct Session {
    pub(crate) store: Store<StoreData>,
    funcs: ViewFuncs,
    /// The instance, for the state change exports of a decider component.
    pub(crate) instance: Instance,
}

/// How applying a frame failed: the error, and the event it blames (its position in the frame),
/// if anything does: the guest's own `frames-error` index for a refusal, the host's count of
/// `begin-event` calls for a trap or a limit. Neither is trusted until a replay confirms it.
pub(crate) struct FrameFailure {
    pub(crate) error: Error,
    pub(crate) blamed: Option<usize>,
}

/// The calls of a view on a live [`Session`].
pub(crate) type ViewHandle = Handle<ViewExports>;

impl ViewHandle {
    /// A fresh instance, ready for calls.
    pub(crate) async fn session(&self, mode: Mode) -> Result<Session, Error> {
        let site = self.site("instantiate");
        let (mut store, instance) = self.instantiate(site, mode).await?;
        match self.exports.bind(&mut store, &instance) {
            Ok(funcs) => Ok(Session {
                store,
                funcs,
                instance,
            }),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }

    pub(crate) async fn initialize(
        &self,
        session: &mut Session,
        mode: Mode,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        let site = self.site("initialize");
        self.arm(&mut session.store, site, mode)?;
        let result = session
            .funcs
            .initialize
            .invoke(mode, &mut session.store, (parameters.as_slice(),))
            .await;
        self.state_from(result, &mut session.store, site)
    }

    pub(crate) async fn reduce(
        &self,
        session: &mut Session,
        mode: Mode,
        state: &State,
        event: &Event,
        parameters: &Parameters,
    ) -> Result<State, Error> {
        let site = self.site("reduce");
        self.arm(&mut session.store, site, mode)?;
        let event = LentEvent::new(event);
        let result = session
            .funcs
            .reduce
            .invoke(
                mode,
                &mut session.store,
                (state.into(), event.param(), parameters.as_slice()),
            )
            .await;
        self.state_from(result, &mut session.store, site)
    }

    pub(crate) async fn load_state(
        &self,
        session: &mut Session,
        mode: Mode,
        state: &State,
        parameters: &Parameters,
    ) -> Result<(), Error> {
        let site = self.site("load-state");
        self.arm(&mut session.store, site, mode)?;
        let frames = session
            .funcs
            .frames
            .as_ref()
            .expect("a view that folds in frames");
        let result = frames
            .load
            .invoke(
                mode,
                &mut session.store,
                (state.into(), parameters.as_slice()),
            )
            .await;
        match result {
            Ok((Ok(()),)) => Ok(()),
            Ok((Err(message),)) => Err(store::refusal(&mut session.store, site, message)),
            Err(e) => Err(store::classify(e, &mut session.store, site)),
        }
    }

    pub(crate) async fn apply_events(
        &self,
        session: &mut Session,
        mode: Mode,
        frame: &FrameWriter,
    ) -> Result<(), FrameFailure> {
        let site = self.site("apply-events");
        let events = u32::try_from(frame.len()).expect("frames hold fewer than 4 G events");
        self.arm_frame(&mut session.store, site, mode, events)
            .map_err(|error| FrameFailure {
                error,
                blamed: None,
            })?;
        let frames = session
            .funcs
            .frames
            .as_ref()
            .expect("a view that folds in frames");
        let result = frames
            .apply
            .invoke(mode, &mut session.store, (frame.as_bytes(),))
            .await;
        let begun = session.store.data().meter.events_begun as usize;
        let running = begun.checked_sub(1).filter(|_| self.meters_events);
        match result {
            Ok((Ok(()),)) => Ok(()),
            Ok((Err(BatchError { index, message }),)) => Err(FrameFailure {
                error: store::refusal(&mut session.store, site, message),
                blamed: Some(index as usize)
                    .filter(|&i| i < frame.len())
                    .or(running),
            }),
            Err(e) => Err(FrameFailure {
                error: store::classify(e, &mut session.store, site),
                blamed: running,
            }),
        }
    }

    pub(crate) async fn save_state(
        &self,
        session: &mut Session,
        mode: Mode,
    ) -> Result<State, Error> {
        let site = self.site("save-state");
        self.arm(&mut session.store, site, mode)?;
        let frames = session
            .funcs
            .frames
            .as_ref()
            .expect("a view that folds in frames");
        let result = frames.save.invoke(mode, &mut session.store, ()).await;
        self.state_from(result, &mut session.store, site)
    }

    /// The state a call returned, checked against the output limit, or its failure.
    fn state_from(
        &self,
        result: wasmtime::Result<(Result<wit::State, String>,)>,
        store: &mut Store<StoreData>,
        site: CallSite<'_>,
    ) -> Result<State, Error> {
        match result {
            Ok((Ok(state),)) => {
                let limit = site.limits.max_output_bytes;
                store::check_output(site, "state bytes", state.bytes.len(), limit)?;
                Ok(wire::state_from_wit(state))
            }
            Ok((Err(message),)) => Err(store::refusal(store, site, message)),
            Err(e) => Err(store::classify(e, store, site)),
        }
    }
}

/// Whether an instance may serve another call after `error`: yes if the guest refused or the
/// host refused the output it counted; no if it trapped, ran out of a limit, or Wasmtime stopped
/// copying its result.
pub(crate) fn instance_survives(error: &Error) -> bool {
    matches!(
        error,
        Error::Guest { .. }
            | Error::OutputLimit {
                actual: Some(_),
                ..
            }
    )
}
