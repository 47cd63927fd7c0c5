//! What a fold in frames does when the frame path fails: the failure is checked on the
//! reference path, one `reduce` per event, whose verdict is the fold's outcome.
//!
//! When a frame fails:
//!
//! 1. *The state before it*: on a fresh instance, the frames sent between the checkpoint and
//!    the failed one are replayed as they were sent (they applied then) and the state saved. If
//!    they do not apply or save again, the view's frames disagree with themselves, and step 2
//!    starts at the checkpoint instead.
//! 2. *The verdict*: from that state, the failed frame's events (or every event since the
//!    checkpoint) go one `reduce` per event on one fresh instance, the host carrying the state.
//!    The first that fails is the failing event, with its error and the state before it; if the
//!    frame blamed another event or failed otherwise, the error keeps what it said.
//! 3. *Resuming*: if every event applies, the checkpoint moves past them to the state the
//!    reference path reached. A frame of several events that ran into a limit that grows with a
//!    frame (fuel, deadline, memory, tables) failed for being a frame: later frames are half as
//!    big. Any other failure, a frame of one event, or a failed replay in step 1 is a lie: the
//!    rest of the fold goes one `reduce` per event.
//!
//! The frame path failing outside a frame (a state it cannot save, or will not load) is settled
//! the same way from the checkpoint, and is a lie too. Every step keeps at most one instance
//! alive, replays only the events since the checkpoint (within the replay window), and moves
//! the checkpoint past what it confirmed, so no event is replayed twice.

use std::borrow::Borrow;
use std::ops::Range;

use evident_types::{Event, State};

use crate::error::{Error, FoldError, FrameDisagreement};
use crate::metrics::ErrorKind;
use crate::view::exports::{FrameFailure, instance_survives};
use crate::view::fold::Framed;

/// What the frame path said when it failed: the events it was applying, the event it blamed
/// (its position in the fold), and the error.
struct Claim {
    frame: Range<usize>,
    blamed: Option<usize>,
    error: Error,
}

impl Framed<'_> {
    /// The frame of the events from `start` to the checkpoint's end failed with `failure`:
    /// finds the verdict on the reference path and, if no event fails, resumes after them.
    pub(super) async fn recover(
        &mut self,
        start: usize,
        failure: FrameFailure,
    ) -> Result<(), Box<FoldError>> {
        let end = self.checkpoint.end();
        let claim = Claim {
            frame: start..end,
            blamed: failure
                .blamed
                .map(|index| start + index)
                .filter(|&blamed| blamed < end),
            error: failure.error,
        };
        let for_its_size = grows_with_a_frame(&claim.error) && end - start > 1;
        let said = claim.error.to_string();
        let (from, state, replayed) = match self.state_before(start).await? {
            Some(state) => (start, state, true),
            None => (
                self.checkpoint.position,
                self.checkpoint.state.clone(),
                false,
            ),
        };
        if for_its_size && replayed {
            // Too big a frame, not (yet) a bad event: its halves go as frames of their own.
            // The events the frame finished before the limit stopped it took about one call's
            // limit: half as many is a hint for the size of the pieces, checked like any frame.
            let piece_events = claim.blamed.map(|blamed| (blamed - start) / 2);
            let (state, fitted) = self.split_pass(start..end, state, piece_events).await?;
            self.checkpoint.advance(state, end);
            match fitted {
                // Later frames are as big as the biggest piece that fitted.
                Some(fitted) => {
                    self.frame_events = fitted.max(1);
                    self.reference = None;
                }
                None => self.lie(&said),
            }
            return Ok(());
        }
        let state = self.reference_pass(from..end, state, claim).await?;
        self.checkpoint.advance(state, end);
        self.lie(&said);
        Ok(())
    }

    /// The frame of the events at `range` failed for its size after `state`: it is sent again in
    /// pieces of `piece_events` events (half as many as it finished before the limit stopped it, if
    /// it said) or in halves, each piece a frame of its own on a fresh instance with one call's
    /// limits, and a piece that fails for its size is halved. A single event that fails, or a piece that
    /// fails otherwise, is judged on the reference path, whose verdict is the fold's. Returns
    /// the state after `range` and the most events a piece that fitted held, or `None` if the
    /// frame path lied (a failure the reference path did not confirm; the rest of `range` then
    /// went one `reduce` per event).
    ///
    /// So an event needing most of a call's fuel costs about two frames of calls, not one
    /// `reduce` per event of the frame it was in; and no event gets more than one call's limits
    /// in any framing.
    async fn split_pass(
        &mut self,
        range: Range<usize>,
        mut state: State,
        piece_events: Option<usize>,
    ) -> Result<(State, Option<usize>), Box<FoldError>> {
        let halves = |piece: &Range<usize>| {
            let middle = piece.start + piece.len() / 2;
            [middle..piece.end, piece.start..middle]
        };
        // A stack of pieces still to send, the leftmost on top.
        let mut pending: Vec<Range<usize>> = match piece_events {
            Some(size) if size > 0 => {
                let starts = (range.start..range.end).step_by(size);
                let mut pieces: Vec<_> = starts.map(|s| s..(s + size).min(range.end)).collect();
                pieces.reverse();
                pieces
            }
            _ => halves(&range).into(),
        };
        let mut fitted = 0;
        while let Some(piece) = pending.pop() {
            if piece.is_empty() {
                continue;
            }
            let failure = match self.send_alone(&piece, &state).await? {
                Ok(after) => {
                    state = after;
                    fitted = fitted.max(piece.len());
                    continue;
                }
                Err(failure) => failure,
            };
            if grows_with_a_frame(&failure.error) && piece.len() > 1 {
                pending.extend(halves(&piece));
                continue;
            }
            // The pieces still pending are the rest of `range`, in order, after this one.
            let claim = Claim {
                frame: piece.clone(),
                blamed: failure
                    .blamed
                    .map(|index| piece.start + index)
                    .filter(|&blamed| blamed < piece.end),
                error: failure.error,
            };
            let state = self
                .reference_pass(piece.start..range.end, state, claim)
                .await?;
            return Ok((state, None));
        }
        Ok((state, Some(fitted)))
    }

    /// The events at `piece` as one frame after `state`, on a fresh instance: the state after
    /// them, or how the frame path failed (loading and saving included, with no event blamed).
    async fn send_alone(
        &mut self,
        piece: &Range<usize>,
        state: &State,
    ) -> Result<Result<State, FrameFailure>, Box<FoldError>> {
        let unblamed = |error| FrameFailure {
            blamed: None,
            error,
        };
        let mut session = match self.calls.instance().await {
            Ok(session) => session,
            Err(error) => return Err(self.error_at(piece.start, state.clone(), error)),
        };
        if let Err(error) = self.calls.load(&mut session, state).await {
            return Ok(Err(unblamed(error)));
        }
        let frame = self.checkpoint.frame_of(piece.clone());
        if let Err(failure) = self.calls.apply(&mut session, &frame).await {
            return Ok(Err(failure));
        }
        Ok(self.calls.save(&mut session).await.map_err(unblamed))
    }

    /// The frame path failed outside a frame with `error` (saving the state after the events
    /// since the checkpoint, or loading the checkpoint's state): those events go one `reduce`
    /// per event from the checkpoint, and so does the rest of the fold.
    pub(super) async fn frame_path_failed(&mut self, error: Error) -> Result<(), Box<FoldError>> {
        self.calls.handle.metrics.count_replay();
        let (from, end) = (self.checkpoint.position, self.checkpoint.end());
        let said = error.to_string();
        let claim = Claim {
            frame: from..end,
            blamed: None,
            error,
        };
        let state = self.checkpoint.state.clone();
        let state = self.reference_pass(from..end, state, claim).await?;
        self.checkpoint.advance(state, end);
        self.lie(&said);
        Ok(())
    }

    /// The state after the events before `start` (which were all sent since the checkpoint):
    /// the frames that held them, replayed on a fresh instance as they were sent, and saved.
    /// `None` if they do not apply, load or save again.
    async fn state_before(&mut self, start: usize) -> Result<Option<State>, Box<FoldError>> {
        let from = self.checkpoint.position;
        if start == from {
            return Ok(Some(self.checkpoint.state.clone()));
        }
        let Ok(mut session) = self.loaded_at_checkpoint().await? else {
            return Ok(None);
        };
        let replayed = self
            .calls
            .apply_framed(&mut session, &self.checkpoint, from..start)
            .await;
        if replayed.is_err() {
            return Ok(None);
        }
        Ok(self.calls.save(&mut session).await.ok())
    }

    /// The reference path: the events at `range` (sent since the checkpoint) one `reduce` per
    /// event from `state`, on one instance. Returns the state after them, or fails the fold at
    /// the first that fails, with the state before it, judged against what `claim` said.
    async fn reference_pass(
        &mut self,
        range: Range<usize>,
        state: State,
        claim: Claim,
    ) -> Result<State, Box<FoldError>> {
        if range.is_empty() {
            return Ok(state);
        }
        let mut session = match self.reference.take() {
            Some(session) => session,
            None => match self.calls.instance().await {
                Ok(session) => session,
                Err(error) => return Err(self.error_at(range.start, state, error)),
            },
        };
        let mut state = state;
        for (position, event) in (range.start..).zip(self.checkpoint.events(range)) {
            match self.calls.reduce(&mut session, &state, &event).await {
                Ok(next) => state = next,
                Err(error) => return Err(self.judged(position, event.id, state, error, claim)),
            }
        }
        self.reference = Some(session);
        Ok(state)
    }

    /// The fold fails at `index` after `state` with the reference path's `error`, or with the
    /// frame's own if it blamed that event and failed the same way; if it blamed another event
    /// or failed another way, the error says what it said.
    fn judged(
        &self,
        index: usize,
        event_id: String,
        state: State,
        error: Error,
        claim: Claim,
    ) -> Box<FoldError> {
        let same_kind = ErrorKind::of(&claim.error) == ErrorKind::of(&error);
        if claim.blamed == Some(index) && same_kind {
            return self.failed(index, event_id, state, claim.error);
        }
        let mut failed = self.failed(index, event_id, state, error);
        if claim.blamed.is_some() || !same_kind {
            failed.frame_disagreement = Some(Box::new(FrameDisagreement {
                frame: claim.frame,
                blamed: claim.blamed,
                error: claim.error,
            }));
        }
        failed
    }

    /// The frame path failed where the reference path did not (it said `said`): the rest of the
    /// fold goes one `reduce` per event.
    fn lie(&mut self, said: &str) {
        if !self.lied {
            tracing::warn!(
                component = &*self.calls.handle.name,
                "its frames failed where one `reduce` per event does not ({said}); the rest of \
                 the fold, from event {}, is one `reduce` per event",
                self.checkpoint.position
            );
        }
        self.lied = true;
        self.session = None;
    }

    /// Folds `events`, which follow the checkpoint (with no frame pending), one `reduce` per
    /// event: the reference path, for a view whose frames have lied.
    pub(super) async fn one_reduce_per_event<E: Borrow<Event>>(
        &mut self,
        events: impl Iterator<Item = E>,
    ) -> Result<(), Box<FoldError>> {
        for event in events {
            let event = event.borrow();
            let position = self.checkpoint.position;
            if self.reference.is_none() {
                match self.calls.instance().await {
                    Ok(session) => self.reference = Some(session),
                    Err(error) => return Err(self.failed_here(event, error)),
                }
            }
            let session = self.reference.as_mut().expect("made just above");
            match self
                .calls
                .reduce(session, &self.checkpoint.state, event)
                .await
            {
                Ok(next) => self.checkpoint.pass(next, position + 1),
                Err(error) => {
                    if !instance_survives(&error) {
                        self.reference = None;
                    }
                    return Err(self.failed_here(event, error));
                }
            }
        }
        Ok(())
    }

    /// The fold fails at `event`, the one after the checkpoint, with the checkpoint's state.
    fn failed_here(&self, event: &Event, error: Error) -> Box<FoldError> {
        let state = self.checkpoint.state.clone();
        self.failed(self.checkpoint.position, event.id.clone(), state, error)
    }
}

/// Whether `error` is a limit a frame may run into for being a frame, although each of its
/// events stays within the limits of one call.
fn grows_with_a_frame(error: &Error) -> bool {
    matches!(
        error,
        Error::FuelExhausted { .. }
            | Error::DeadlineExceeded { .. }
            | Error::MemoryLimit { .. }
            | Error::TableLimit { .. }
    )
}
