//! One materialized view: a state view's state under one set of parameters, kept at the newest
//! position read and saved as snapshots in the store.

use std::sync::Arc;

use evident_store::{Position, Query, Snapshot, SnapshotKey, StoredEvent};
use evident_types::{Event, Parameters, State};
use parking_lot::Mutex;

use super::error::ViewStateError;
use super::{Inner, query};
use crate::error::FoldError;
use crate::registry::Versioned;
use crate::upcast::{UpcastError, Upcasters};
use crate::view::StateView;

/// A view's state at a position, and how it was had.
#[derive(Debug, Clone)]
pub struct ViewState {
    /// The state after every event of the view up to `position`.
    pub state: State,
    /// The position the state is at.
    pub position: Position,
    /// Where folding started: the position of the state kept in memory or of the snapshot read
    /// from the store (0: from the start).
    pub from: Position,
    /// Whether `from` is a snapshot read from the store for this answer (rather than the state
    /// kept in memory, or the start).
    pub from_snapshot: bool,
    /// The view's events folded from `from` to `position`.
    pub events_folded: u64,
    /// Fuel the folding used.
    pub fuel_consumed: u64,
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// The position the view now stands at: the head when the rebuild began.
    pub position: Position,
    /// The view's events folded.
    pub events_folded: u64,
    /// Snapshots of the view deleted before refolding.
    pub snapshots_deleted: u64,
    /// Snapshots saved while refolding (the last at `position`).
    pub snapshots_saved: u64,
    /// Fuel the folding used.
    pub fuel_consumed: u64,
}

pub(crate) struct Materialized {
    name: String,
    view: StateView,
    parameters: Parameters,
    key: SnapshotKey,
    query: Query,
    upcasters: Upcasters,
    cache: Mutex<Cache>,
}

/// The state kept in memory, and where it stands.
#[derive(Default)]
struct Cache {
    /// Whether the newest snapshot was looked for (the first read does it).
    loaded: bool,
    state: State,
    position: Position,
    /// The view's events and their bytes folded since the last snapshot saved or read.
    events_since_snapshot: u64,
    bytes_since_snapshot: u64,
    /// The event that failed, and why: the view answers nothing at or after it.
    stalled: Option<(Position, Arc<FoldError>)>,
    /// The state kept before the last move forward, and its position: a decision reading just
    /// behind the head (another decision moved the view on meanwhile) folds from it rather
    /// than from a snapshot.
    previous: Option<(Position, State)>,
}

/// What folding forward did.
#[derive(Default)]
struct Progress {
    events: u64,
    fuel: u64,
    snapshots: u64,
}

impl Materialized {
    pub(crate) fn new(
        name: &str,
        view: Versioned<StateView>,
        parameters: Parameters,
        canonical_parameters: String,
        query: Query,
        upcasters: Upcasters,
    ) -> Self {
        // A view read through upcasters folds other events than the view alone: its snapshots
        // carry the upcasters' key beside the component's digest.
        let component_digest = match upcasters.key() {
            Some(upcasters) => format!("{}+upcasters:{upcasters}", view.hash),
            None => view.hash.to_string(),
        };
        let key = SnapshotKey {
            view: name.to_owned(),
            component_digest,
            wit_release: view.component.wit_version().to_owned(),
            parameters: canonical_parameters,
        };
        Materialized {
            name: name.to_owned(),
            view: view.component,
            parameters,
            key,
            query,
            upcasters,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The events this view folds.
    pub(crate) fn query(&self) -> &Query {
        &self.query
    }

    /// The state at `at` (at or before the head).
    pub(crate) fn state_at(
        &self,
        inner: &Inner,
        at: Position,
    ) -> Result<ViewState, ViewStateError> {
        let mut cache = self.cache.lock();
        if let Some((failed_at, error)) = &cache.stalled
            && at >= *failed_at
        {
            return Err(self.stalled(cache.position, *failed_at, error.clone()));
        }
        let mut from_snapshot = false;
        if !cache.loaded {
            if let Some(snapshot) = self.snapshot(inner, at)? {
                cache.state = snapshot.state;
                cache.position = snapshot.position;
                from_snapshot = true;
            }
            cache.loaded = true;
        }
        if at >= cache.position {
            let from = cache.position;
            // Already there (the common case for a warm view): nothing to read.
            let done = if at == from {
                Progress::default()
            } else {
                cache.previous = Some((from, cache.state.clone()));
                self.fold_forward(inner, &mut cache, at, true, &mut |_, _| {})?
            };
            self.initialized(&mut cache.state)?;
            return Ok(ViewState {
                state: cache.state.clone(),
                position: at,
                from,
                from_snapshot,
                events_folded: done.events,
                fuel_consumed: done.fuel,
            });
        }
        // Before the state kept: from the state kept before it if that is not after `at`, else
        // from the newest snapshot at or before `at`; folded apart from the kept state.
        let previous = cache
            .previous
            .clone()
            .filter(|(position, _)| *position <= at);
        drop(cache);
        let mut past = Cache {
            loaded: true,
            ..Cache::default()
        };
        let mut from_snapshot = false;
        if let Some((position, state)) = previous {
            past.state = state;
            past.position = position;
        } else if let Some(snapshot) = self.snapshot(inner, at)? {
            past.state = snapshot.state;
            past.position = snapshot.position;
            from_snapshot = true;
        }
        let from = past.position;
        let done = self.fold_forward(inner, &mut past, at, false, &mut |_, _| {})?;
        self.initialized(&mut past.state)?;
        Ok(ViewState {
            state: past.state,
            position: at,
            from,
            from_snapshot,
            events_folded: done.events,
            fuel_consumed: done.fuel,
        })
    }

    /// Refolds from the start to the head, saving snapshots as it goes and one at the end.
    pub(crate) fn rebuild(
        &self,
        inner: &Inner,
        snapshots_deleted: u64,
        progress: &mut dyn FnMut(Position, Position),
    ) -> Result<Rebuilt, ViewStateError> {
        let mut cache = self.cache.lock();
        *cache = Cache {
            loaded: true,
            ..Cache::default()
        };
        let head = inner.store.head().map_err(ViewStateError::Store)?;
        let mut done = self.fold_forward(inner, &mut cache, head, true, progress)?;
        if cache.events_since_snapshot > 0 {
            self.save(inner, &mut cache);
            done.snapshots += 1;
        }
        progress(head, head);
        Ok(Rebuilt {
            position: head,
            events_folded: done.events,
            snapshots_deleted,
            snapshots_saved: done.snapshots,
            fuel_consumed: done.fuel,
        })
    }

    /// Folds the view's events after `cache.position` up to `at` into `cache`, in frames; saves
    /// snapshots as the spacing says if `snapshots`; tells `progress` each frame's end.
    fn fold_forward(
        &self,
        inner: &Inner,
        cache: &mut Cache,
        at: Position,
        snapshots: bool,
        progress: &mut dyn FnMut(Position, Position),
    ) -> Result<Progress, ViewStateError> {
        let mut done = Progress::default();
        let frame_events = inner.config.catch_up_frame_events.max(1);
        let mut read = inner
            .store
            .read(&self.query, cache.position, None)
            .map_err(ViewStateError::Store)?;
        let mut frame: Vec<Event> = Vec::with_capacity(frame_events.min(1024));
        let mut positions: Vec<Position> = Vec::with_capacity(frame_events.min(1024));
        let mut ended = false;
        while !ended {
            frame.clear();
            positions.clear();
            while frame.len() < frame_events {
                match read.next() {
                    Some(Ok(StoredEvent { position, event })) if position <= at => {
                        positions.push(position);
                        frame.push(event);
                    }
                    Some(Ok(_)) | None => {
                        ended = true;
                        break;
                    }
                    Some(Err(e)) => return Err(ViewStateError::Store(e)),
                }
            }
            if frame.is_empty() {
                break;
            }
            let bytes: usize = frame.iter().map(query::event_bytes).sum();
            let stored_events = frame.len() as u64;
            // Upcast events keep the position of the stored event they came from.
            let upcast = self
                .upcasters
                .upcast(std::mem::take(&mut frame))
                .map_err(|error| {
                    let failed_at = match &error {
                        UpcastError::Failed { source, .. } => positions[source.index],
                        UpcastError::Cycle { index, .. } => positions[*index],
                        _ => cache.position + 1,
                    };
                    ViewStateError::Upcast {
                        view: self.name.clone(),
                        failed_at,
                        error: Box::new(error),
                    }
                })?;
            let (folding, origins) = (upcast.events, upcast.origins);
            let state = std::mem::take(&mut cache.state);
            // A stored event upcast into several events is folded whole or not at all: if one of
            // its events fails after another folded, the state before it is refolded from here.
            let one_to_one = folding.len() as u64 == stored_events;
            let frame_start = (!one_to_one).then(|| state.clone());
            match self.view.fold(state, &folding, &self.parameters) {
                Ok(folded) => {
                    cache.state = folded.state;
                    cache.position = *positions.last().unwrap_or(&cache.position);
                    done.events += stored_events;
                    done.fuel = done.fuel.saturating_add(folded.fuel_consumed);
                    cache.events_since_snapshot += stored_events;
                    cache.bytes_since_snapshot += bytes as u64;
                }
                Err(failed) => {
                    let origin = origins[failed.index];
                    let failed_at = positions[origin];
                    // The events before the failing one's stored event are all folded.
                    let good = if origin == 0 {
                        cache.position
                    } else {
                        positions[origin - 1]
                    };
                    let first = origins.iter().position(|o| *o == origin);
                    cache.state = match (first, frame_start) {
                        (Some(first), Some(start)) if first < failed.index => self
                            .view
                            .fold(start, &folding[..first], &self.parameters)
                            .map_or_else(|refolded| refolded.state.clone(), |f| f.state),
                        _ => failed.state.clone(),
                    };
                    cache.position = good;
                    let error: Arc<FoldError> = Arc::from(failed);
                    tracing::error!(
                        target: "evident::views",
                        view = %self.name,
                        "stalled at position {good}: the event at {failed_at} did not fold: {error}"
                    );
                    cache.stalled = Some((failed_at, error.clone()));
                    return Err(self.stalled(good, failed_at, error));
                }
            }
            if snapshots
                && (cache.events_since_snapshot >= inner.config.snapshot_every_events
                    || cache.bytes_since_snapshot >= inner.config.snapshot_every_bytes)
            {
                self.save(inner, cache);
                done.snapshots += 1;
            }
            progress(cache.position, at);
        }
        // Every event of the view up to `at` is folded: the state is the state at `at`.
        cache.position = cache.position.max(at);
        Ok(done)
    }

    /// Makes "no state yet" (no event of the view folded) the view's initial state, as a fold
    /// would start from it.
    fn initialized(&self, state: &mut State) -> Result<(), ViewStateError> {
        if state.content_type.is_empty() {
            *state = self.view.initialize(&self.parameters).map_err(|error| {
                ViewStateError::Initialize {
                    view: self.name.clone(),
                    error: Box::new(error),
                }
            })?;
        }
        Ok(())
    }

    /// Saves the kept state as a snapshot. A failure is logged, not returned: the state is
    /// right, only the next process will fold more.
    fn save(&self, inner: &Inner, cache: &mut Cache) {
        let snapshot = Snapshot {
            position: cache.position,
            state: cache.state.clone(),
        };
        match inner.store.save_snapshot(&self.key, &snapshot) {
            Ok(()) => {
                cache.events_since_snapshot = 0;
                cache.bytes_since_snapshot = 0;
            }
            Err(e) => tracing::warn!(
                target: "evident::views",
                view = %self.name,
                "saving a snapshot at position {}: {e}",
                cache.position
            ),
        }
    }

    fn snapshot(&self, inner: &Inner, at: Position) -> Result<Option<Snapshot>, ViewStateError> {
        inner
            .store
            .snapshot(&self.key, at)
            .map_err(ViewStateError::Store)
    }

    fn stalled(
        &self,
        position: Position,
        failed_at: Position,
        error: Arc<FoldError>,
    ) -> ViewStateError {
        ViewStateError::Stalled {
            view: self.name.clone(),
            position,
            failed_at,
            error,
        }
    }
}
