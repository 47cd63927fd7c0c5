//! The fold: events sent in frames to one instance that keeps the state, checkpoints to restart
//! from, and the replay that finds the failing event when a frame fails.
//!
//! The outcome a fold must give is the one of folding one event per call: the final state, or
//! the first event whose call fails, with its error and the state before it. A frame is only a
//! faster way to get there, so when one fails, what it says (the guest's `batch-error` index,
//! the host's count of `begin-event` calls) is evidence to check, not an answer:
//!
//! 1. *Confirm*: on a fresh instance, from the checkpoint, replay the events before the blamed
//!    one in their frames, save the state, then apply the blamed event alone. If it fails, that
//!    is the failing event and the saved state the last good one. If it applies, the blame was
//!    wrong: the checkpoint moves there, and the rest of the frame is settled (2.) on the same
//!    instance.
//! 2. *Settle*: if nothing is blamed, or the replay fails before the blamed event, apply the
//!    events since the checkpoint one per call on a fresh instance. The first that fails is the
//!    failing event; the state before it comes from replaying the events before it the same way
//!    on another fresh instance. If every event applies alone, the frame failed only for being a
//!    frame (a 0.2.0 component's frame-wide fuel, say), and the fold goes on in frames.
//!
//! Each step keeps at most one instance alive and replays only the events since the checkpoint,
//! which the checkpoint already holds (in the frames they were sent in), so a failed frame costs
//! a bounded number of passes over them whatever the guest claims, not one nested replay per
//! event.

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
struct Calls<'a> {
    handle: &'a ViewHandle,
    mode: Mode,
    parameters: &'a Parameters,
    usage: Usage,
    /// The buffer of one-event frames.
    single: FrameWriter,
}

impl Calls<'_> {
    fn note(&mut self, session: &Session) {
        self.usage.add(self.handle.usage(&session.store));
    }

    /// A fresh instance holding `state`.
    async fn fresh(&mut self, state: &State) -> Result<Session, Error> {
        let mut session = self.handle.session(self.mode).await?;
        let loaded = self
            .handle
            .load_state(&mut session, self.mode, state, self.parameters)
            .await;
        self.note(&session);
        loaded.map(|()| session)
    }

    async fn apply(
        &mut self,
        session: &mut Session,
        frame: &FrameWriter,
    ) -> Result<(), FrameFailure> {
        let applied = self.handle.apply_events(session, self.mode, frame).await;
        self.note(session);
        applied
    }

    async fn save(&mut self, session: &mut Session) -> Result<State, Error> {
        let saved = self.handle.save_state(session, self.mode).await;
        self.note(session);
        saved
    }

    /// Applies the events at `range` in the frames they were sent in (cut at its ends).
    async fn apply_framed(
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

    /// Applies the events at `range` one per call; the first that fails is named by its
    /// position.
    async fn apply_each(
        &mut self,
        session: &mut Session,
        checkpoint: &Checkpoint,
        range: Range<usize>,
    ) -> Result<(), (usize, Error)> {
        let mut position = range.start;
        for (frame, events) in checkpoint.pieces(range) {
            for event in events {
                let mut single = std::mem::take(&mut self.single);
                single.clear();
                single.extend_from(frame, event..event + 1);
                let result = self.apply(session, &single).await;
                self.single = single;
                result.map_err(|failure| (position, failure.error))?;
                position += 1;
            }
        }
        Ok(())
    }
}

/// What replaying a blamed event found.
enum Confirmed {
    /// It fails alone, after the events before it: the state before it, and the error.
    Failed(State, Error),
    /// It applies: the instance holding the state after it, and the state before it.
    Applied(Session, State),
    /// The replay failed before reaching it: the blame cannot be checked this way.
    Inconclusive,
}

/// A fold in frames.
struct Framed<'a> {
    calls: Calls<'a>,
    checkpoint: Checkpoint,
    config: FoldConfig,
    /// The instance holding the state after `checkpoint.end()` events; `None` before the first
    /// frame.
    session: Option<Session>,
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
                single: FrameWriter::new(),
            },
            checkpoint: Checkpoint::new(state, 0, config),
            config,
            session: None,
        }
    }

    /// Sends every event in frames, recovering from failed frames as the module says.
    async fn run<E: Borrow<Event>>(
        &mut self,
        mut events: impl Iterator<Item = E>,
    ) -> Result<(), Box<FoldError>> {
        loop {
            let mut frame = self.checkpoint.spare();
            fill_frame(&mut frame, &mut events, &self.config);
            if frame.is_empty() {
                return Ok(());
            }
            let start = self.checkpoint.end();
            self.checkpoint.record(frame);
            let mut session = match self.session.take() {
                Some(session) => session,
                // The first frame: the state the fold starts from is loaded, and a state the
                // view refuses fails the first event, as a `reduce` of it would.
                None => self.fresh_at_checkpoint().await?,
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
            if self.checkpoint.due() {
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
                    drop(session);
                    return Err(self.unsavable(end, error).await);
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
                Err(self.unsavable(end, error).await)
            }
        }
    }

    /// Finds the failing event after a frame starting at `start` failed; on success the fold
    /// goes on from `self.session`.
    async fn recover(&mut self, start: usize, failure: FrameFailure) -> Result<(), Box<FoldError>> {
        let end = self.checkpoint.end();
        let blamed = failure.blamed.map(|index| start + index);
        let Some(blamed) = blamed.filter(|&blamed| blamed < end) else {
            return self.settle(None).await;
        };
        match self.confirm(blamed).await? {
            Confirmed::Failed(good, error) => Err(self.error_at(blamed, good, error)),
            Confirmed::Inconclusive => self.settle(None).await,
            Confirmed::Applied(session, good) => {
                // The guest's evidence was wrong: trust none from this frame, and settle the
                // rest of it one event per call, from the cleared event on.
                self.checkpoint.advance(good, blamed);
                self.settle(Some((session, blamed + 1))).await
            }
        }
    }

    /// Replays up to the blamed event in frames and then applies it alone.
    async fn confirm(&mut self, blamed: usize) -> Result<Confirmed, Box<FoldError>> {
        let from = self.checkpoint.position;
        let mut session = self.fresh_at_checkpoint().await?;
        let before = self
            .calls
            .apply_framed(&mut session, &self.checkpoint, from..blamed)
            .await;
        if before.is_err() {
            return Ok(Confirmed::Inconclusive);
        }
        let good = match self.saved_at(&mut session, blamed).await {
            Ok(good) => good,
            Err(_) => return Ok(Confirmed::Inconclusive),
        };
        let alone = self.checkpoint.frame_of(blamed..blamed + 1);
        Ok(match self.calls.apply(&mut session, &alone).await {
            Err(failure) => Confirmed::Failed(good, failure.error),
            Ok(()) => Confirmed::Applied(session, good),
        })
    }

    /// Applies the events since the checkpoint one per call to find the first that fails (on a
    /// fresh instance, or on `resume`'s, which holds the state before its position), then
    /// replays the ones before it the same way for the state before it.
    async fn settle(&mut self, resume: Option<(Session, usize)>) -> Result<(), Box<FoldError>> {
        let (from, end) = (self.checkpoint.position, self.checkpoint.end());
        let (mut session, next) = match resume {
            Some(resumed) => resumed,
            None => (self.fresh_at_checkpoint().await?, from),
        };
        let found = self
            .calls
            .apply_each(&mut session, &self.checkpoint, next..end)
            .await;
        let Err((mut failing, mut error)) = found else {
            // Every event applies alone: only the frame failed.
            self.session = Some(session);
            return Ok(());
        };
        drop(session);
        // The replay makes the same calls from the same state, so it reaches `failing`; a
        // replay that fails earlier (only a wall-clock deadline can) names an earlier event,
        // and the search goes on from there, always backwards, so it ends.
        loop {
            let mut session = self.fresh_at_checkpoint().await?;
            match self
                .calls
                .apply_each(&mut session, &self.checkpoint, from..failing)
                .await
            {
                Ok(()) => match self.saved_at(&mut session, failing).await {
                    Ok(good) => return Err(self.error_at(failing, good, error)),
                    Err(unsaved) => {
                        drop(session);
                        return Err(self.unsavable(failing, unsaved).await);
                    }
                },
                Err((earlier, earlier_error)) => (failing, error) = (earlier, earlier_error),
            }
        }
    }

    /// The state after `unsaved_at` events could not be saved (with `error`): finds, by
    /// bisection over replays from the checkpoint, the first event after which it cannot, and
    /// fails the fold there with the state before it, as one `reduce` per event would.
    async fn unsavable(&mut self, unsaved_at: usize, error: Error) -> Box<FoldError> {
        let from = self.checkpoint.position;
        let (mut savable, mut unsaved, mut error) = (from, unsaved_at, error);
        let mut good = self.checkpoint.state.clone();
        while unsaved - savable > 1 {
            let middle = savable + (unsaved - savable) / 2;
            let mut session = match self.fresh_at_checkpoint().await {
                Ok(session) => session,
                Err(failed) => return failed,
            };
            let replayed = self
                .calls
                .apply_framed(&mut session, &self.checkpoint, from..middle)
                .await;
            let saved = match replayed {
                Ok(()) => self.calls.save(&mut session).await,
                Err(e) => Err(e),
            };
            match saved {
                Ok(state) => (savable, good) = (middle, state),
                Err(e) => (unsaved, error) = (middle, e),
            }
        }
        self.error_at(savable, good, error)
    }

    /// The state `session` holds, which is the state after `position` events: saved, or at the
    /// checkpoint the state the checkpoint has (which may be the caller's "no state yet").
    async fn saved_at(&mut self, session: &mut Session, position: usize) -> Result<State, Error> {
        if position == self.checkpoint.position {
            Ok(self.checkpoint.state.clone())
        } else {
            self.calls.save(session).await
        }
    }

    /// A fresh instance holding the checkpoint's state; if there is none to be had, the fold
    /// fails at the checkpoint with that error.
    async fn fresh_at_checkpoint(&mut self) -> Result<Session, Box<FoldError>> {
        match self.calls.fresh(&self.checkpoint.state).await {
            Ok(session) => Ok(session),
            Err(error) => {
                let position = self.checkpoint.position;
                let state = self.checkpoint.state.clone();
                Err(self.error_at(position, state, error))
            }
        }
    }

    fn error_at(&self, index: usize, state: State, source: Error) -> Box<FoldError> {
        Box::new(FoldError {
            index,
            event_id: self.checkpoint.id(index).to_owned(),
            state,
            source,
            fuel_consumed: self.calls.usage.fuel,
            peak_memory_bytes: self.calls.usage.peak_memory,
        })
    }
}

/// Refills `frame` from `events` up to the frame limits (events and bytes); empty when `events`
/// is.
fn fill_frame<E: Borrow<Event>>(
    frame: &mut FrameWriter,
    events: &mut impl Iterator<Item = E>,
    config: &FoldConfig,
) {
    frame.clear();
    while frame.len() < config.frame_events.max(1) && frame.byte_len() < config.frame_bytes {
        match events.next() {
            Some(event) => frame.push(event.borrow()),
            None => break,
        }
    }
}
