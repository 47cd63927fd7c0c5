//! The fold: events sent in frames to one instance that keeps the state, checkpoints to restart
//! from, and what happens when a frame fails.
//!
//! The outcome a fold must give is the one of folding one `reduce` per event: the final state,
//! or the first event whose call fails, with its error and the state before it. A frame is only
//! a faster way to get there: it runs under the limits of one call (so no event in it can use
//! more), and what it says when it fails (the guest's `batch-error` index, the host's count of
//! `begin-event` calls) is evidence, never the verdict. The verdict comes from the reference
//! path, one `reduce` per event (see `recover`), and the fold resumes from the state that path
//! confirms. A view whose frames fail where the reference path does not has lied about its
//! frames: the rest of its fold is one `reduce` per event.
//!
//! The checkpoint moves past every state the reference path confirms and at least every replay
//! window ([`FoldConfig`]), so what a failed frame costs to replay is bounded by the host's
//! configuration, not by the view's state or claims: each event is sent in one frame, replayed
//! in frames at most once (to reach the state before a failed frame) and one `reduce` per
//! event at most once.

use std::borrow::Borrow;
use std::ops::Range;

use evident_types::frame::FrameWriter;
use evident_types::{Event, Parameters, State};

use crate::component::Usage;
use crate::error::{Error, FoldError};
use crate::store::Mode;
use crate::view::checkpoint::{Checkpoint, FoldConfig};
use crate::view::exports::{FrameFailure, Session, ViewHandle};
use crate::view::{Folded, StateView};

/// Folds `events` into `state` as the view's [`FoldConfig`] says: in frames when the view
/// exports `state-view-batch`, one `reduce` per event otherwise; on `session` if one is given
/// (it must hold `state`, loaded with `parameters`). Hands back the instance that holds the
/// final state, if any did.
pub(crate) async fn fold_on<I>(
    view: &StateView,
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
    let config = view.fold_config();
    if view.folds_in_batches() && config.frame_events > 1 {
        let mut fold = Framed::new(view.handle(), mode, parameters, state, config);
        fold.session = session;
        fold.run(events.into_iter()).await?;
        fold.finish().await
    } else {
        per_event(view.handle(), mode, state, session, events, parameters).await
    }
}

/// A fresh instance of `view` holding `state`: loaded, when the view keeps its state
/// (`state-view-batch`); `reduce` is given the state with each event otherwise.
pub(crate) async fn loaded(
    view: &StateView,
    mode: Mode,
    state: &State,
    parameters: &Parameters,
) -> Result<Session, Error> {
    let handle = view.handle();
    let mut session = handle.session(mode).await?;
    if view.folds_in_batches() && view.fold_config().frame_events > 1 {
        handle
            .load_state(&mut session, mode, state, parameters)
            .await?;
    }
    Ok(session)
}

/// One `reduce` call per event, on one instance; each call is its own event's verdict.
async fn per_event<I>(
    handle: &ViewHandle,
    mode: Mode,
    state: State,
    mut session: Option<Session>,
    events: I,
    parameters: &Parameters,
) -> Result<(Folded, Option<Session>), Box<FoldError>>
where
    I: IntoIterator,
    I::Item: Borrow<Event>,
{
    let mut state = state;
    let mut applied = 0;
    let mut usage = Usage::default();
    for event in events {
        let event = event.borrow();
        let result = match &mut session {
            Some(live) => Ok(live),
            None => handle.session(mode).await.map(|s| session.insert(s)),
        };
        let result = match result {
            Ok(live) => {
                let reduced = handle.reduce(live, mode, &state, event, parameters).await;
                usage.add(handle.usage(&live.store));
                reduced
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(next) => {
                state = next;
                applied += 1;
            }
            Err(source) => {
                return Err(Box::new(FoldError {
                    index: applied,
                    event_id: event.id.clone(),
                    state,
                    source,
                    fuel_consumed: usage.fuel,
                    peak_memory_bytes: usage.peak_memory,
                    frame_disagreement: None,
                }));
            }
        }
    }
    let folded = Folded {
        state,
        events_applied: applied,
        fuel_consumed: usage.fuel,
        peak_memory_bytes: usage.peak_memory,
    };
    Ok((folded, session))
}

/// The calls a framed fold makes, and what they used.
pub(super) struct Calls<'a> {
    pub(super) handle: &'a ViewHandle,
    mode: Mode,
    parameters: &'a Parameters,
    pub(super) usage: Usage,
}

impl Calls<'_> {
    fn note(&mut self, session: &Session) {
        self.usage.add(self.handle.usage(&session.store));
    }

    /// A fresh instance.
    pub(super) async fn instance(&mut self) -> Result<Session, Error> {
        self.handle.session(self.mode).await
    }

    /// Gives `session` `state` to apply frames to.
    pub(super) async fn load(&mut self, session: &mut Session, state: &State) -> Result<(), Error> {
        let loaded = (self.handle)
            .load_state(session, self.mode, state, self.parameters)
            .await;
        self.note(session);
        loaded
    }

    pub(super) async fn apply(
        &mut self,
        session: &mut Session,
        frame: &FrameWriter,
    ) -> Result<(), FrameFailure> {
        let applied = self.handle.apply_events(session, self.mode, frame).await;
        self.note(session);
        applied
    }

    pub(super) async fn save(&mut self, session: &mut Session) -> Result<State, Error> {
        let saved = self.handle.save_state(session, self.mode).await;
        self.note(session);
        saved
    }

    /// One `reduce` call: the reference path's verdict on `event` after `state`.
    pub(super) async fn reduce(
        &mut self,
        session: &mut Session,
        state: &State,
        event: &Event,
    ) -> Result<State, Error> {
        let reduced = (self.handle)
            .reduce(session, self.mode, state, event, self.parameters)
            .await;
        self.note(session);
        reduced
    }

    /// Applies the events at `range` in the frames they were sent in (cut at its ends).
    pub(super) async fn apply_framed(
        &mut self,
        session: &mut Session,
        checkpoint: &Checkpoint,
        range: Range<usize>,
    ) -> Result<(), Error> {
        for (frame, events) in checkpoint.pieces(range) {
            let result = if events.len() == frame.len() {
                self.apply(session, frame).await
            } else {
                let mut piece = FrameWriter::new();
                piece.extend_from(frame, events);
                self.apply(session, &piece).await
            };
            result.map_err(|failure| failure.error)?;
        }
        Ok(())
    }
}

/// A fold in frames.
pub(super) struct Framed<'a> {
    pub(super) calls: Calls<'a>,
    pub(super) checkpoint: Checkpoint,
    config: FoldConfig,
    /// Most events per frame: the configured number, halved each time a frame fails only for
    /// its size (a limit the frame ran into though every event of it applies alone).
    pub(super) frame_events: usize,
    /// The instance holding the state after `checkpoint.end()` events; `None` before the first
    /// frame and after a failed one.
    pub(super) session: Option<Session>,
    /// Set once the view's frames said what one `reduce` per event does not: every event after
    /// the checkpoint is then folded one `reduce` per event, on `reference`.
    pub(super) lied: bool,
    /// The instance the reference path runs on, kept while it is used.
    pub(super) reference: Option<Session>,
}

impl<'a> Framed<'a> {
    fn new(
        handle: &'a ViewHandle,
        mode: Mode,
        parameters: &'a Parameters,
        state: State,
        config: FoldConfig,
    ) -> Self {
        Framed {
            calls: Calls {
                handle,
                mode,
                parameters,
                usage: Usage::default(),
            },
            checkpoint: Checkpoint::new(state, 0, config),
            config,
            frame_events: config.frame_events.max(1),
            session: None,
            lied: false,
            reference: None,
        }
    }

    /// Sends every event in frames, recovering from failed frames as the module says; once the
    /// view has lied, folds the rest one `reduce` per event.
    async fn run<E: Borrow<Event>>(
        &mut self,
        mut events: impl Iterator<Item = E>,
    ) -> Result<(), Box<FoldError>> {
        loop {
            if self.lied {
                return self.one_reduce_per_event(events).await;
            }
            let mut frame = self.checkpoint.spare();
            fill_frame(&mut frame, &mut events, self.frame_events, &self.config);
            if frame.is_empty() {
                return Ok(());
            }
            let start = self.checkpoint.end();
            self.checkpoint.record(frame);
            let mut session = match self.session.take() {
                Some(session) => session,
                None => match self.loaded_at_checkpoint().await? {
                    Ok(session) => session,
                    // The state the fold starts from is refused, as a `reduce` of it would be.
                    Err(error) if start == 0 => {
                        let state = self.checkpoint.state.clone();
                        return Err(self.error_at(0, state, error));
                    }
                    // A state the fold reached is refused: the frame goes one `reduce` per
                    // event, and so does the rest.
                    Err(error) => {
                        self.frame_path_failed(error).await?;
                        continue;
                    }
                },
            };
            let frame = self.checkpoint.last_frame().expect("just recorded");
            match self.calls.apply(&mut session, frame).await {
                Ok(()) => self.session = Some(session),
                Err(failure) => {
                    drop(session);
                    self.calls.handle.metrics.count_replay();
                    tracing::debug!(
                        component = &*self.calls.handle.name,
                        "a frame failed ({}); replaying from the checkpoint at event {}",
                        failure.error,
                        self.checkpoint.position
                    );
                    self.recover(start, failure).await?;
                }
            }
            if self.session.is_some() && self.checkpoint.due() {
                self.take_checkpoint().await?;
            }
        }
    }

    /// The state after every event sent, and the instance holding it (if any does).
    async fn finish(mut self) -> Result<(Folded, Option<Session>), Box<FoldError>> {
        let end = self.checkpoint.end();
        let mut session = self.session.take();
        let state = match &mut session {
            // No event since the checkpoint (or none at all): its state is the fold's.
            _ if end == self.checkpoint.position => self.checkpoint.state.clone(),
            None => unreachable!("events were sent, so an instance holds them"),
            Some(live) => match self.calls.save(live).await {
                Ok(state) => state,
                Err(error) => {
                    session = None;
                    self.frame_path_failed(error).await?;
                    self.checkpoint.state.clone()
                }
            },
        };
        let folded = Folded {
            state,
            events_applied: end,
            fuel_consumed: self.calls.usage.fuel,
            peak_memory_bytes: self.calls.usage.peak_memory,
        };
        Ok((folded, session))
    }

    /// Saves the state as the new checkpoint.
    async fn take_checkpoint(&mut self) -> Result<(), Box<FoldError>> {
        let end = self.checkpoint.end();
        let mut session = self.session.take().expect("a frame was applied");
        match self.calls.save(&mut session).await {
            Ok(state) => {
                self.checkpoint.advance(state, end);
                self.session = Some(session);
                Ok(())
            }
            Err(error) => {
                drop(session);
                self.frame_path_failed(error).await
            }
        }
    }

    /// A fresh instance holding the checkpoint's state, or the error the view refused it with;
    /// if there is no instance to be had, the fold fails at the checkpoint.
    pub(super) async fn loaded_at_checkpoint(
        &mut self,
    ) -> Result<Result<Session, Error>, Box<FoldError>> {
        let mut session = match self.calls.instance().await {
            Ok(session) => session,
            Err(error) => return Err(self.error_at_checkpoint(error)),
        };
        let state = self.checkpoint.state.clone();
        Ok(self
            .calls
            .load(&mut session, &state)
            .await
            .map(|()| session))
    }

    /// The fold fails at the checkpoint with `error`, with the checkpoint's state.
    pub(super) fn error_at_checkpoint(&self, error: Error) -> Box<FoldError> {
        let position = self.checkpoint.position;
        self.error_at(position, self.checkpoint.state.clone(), error)
    }

    /// The fold fails at the event at `index` (sent since the checkpoint) after `state`.
    pub(super) fn error_at(&self, index: usize, state: State, source: Error) -> Box<FoldError> {
        let event_id = self.checkpoint.id(index).to_owned();
        self.failed(index, event_id, state, source)
    }

    /// The fold fails at the event at `index`, named `event_id`, after `state`.
    pub(super) fn failed(
        &self,
        index: usize,
        event_id: String,
        state: State,
        source: Error,
    ) -> Box<FoldError> {
        Box::new(FoldError {
            index,
            event_id,
            state,
            source,
            fuel_consumed: self.calls.usage.fuel,
            peak_memory_bytes: self.calls.usage.peak_memory,
            frame_disagreement: None,
        })
    }
}

/// Refills `frame` from `events` up to `limit` events and the configured bytes; empty when
/// `events` is.
fn fill_frame<E: Borrow<Event>>(
    frame: &mut FrameWriter,
    events: &mut impl Iterator<Item = E>,
    limit: usize,
    config: &FoldConfig,
) {
    frame.clear();
    while frame.len() < limit.max(1) && frame.byte_len() < config.frame_bytes {
        match events.next() {
            Some(event) => frame.push(event.borrow()),
            None => break,
        }
    }
}
