//! Opening a store a command reads, and a store's read as a source of events for
//! `evident fold`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use evident_store::{Event, Events, Position, Query, Store, StoreError, StoreOptions};

use crate::args::Selection;
use crate::stream::{EventSource, Progress, Unit};

/// Opens a store that must exist already: reading a misspelt path finds no store rather than
/// creating an empty one.
pub(crate) fn open_existing(location: &str) -> Result<Box<dyn Store>> {
    Ok(evident_store::open_existing(
        location,
        StoreOptions::default(),
    )?)
}

/// `store <location>`, the store as messages name it.
pub(crate) fn store_name(store: &dyn Store) -> String {
    format!("store {}", store.location())
}

/// The events a store's read selects, as a source for a fold.
pub(crate) struct StoreEvents<'s> {
    store: &'s dyn Store,
    query: Query,
    after: Position,
    events: Events<'s>,
    /// Positions read past `after`, for a progress bar.
    read_to: Arc<AtomicU64>,
    /// Positions from `after` to the head when the read began.
    span: u64,
    /// What stopped the read early, once known.
    failed: Option<StoreError>,
}

impl<'s> StoreEvents<'s> {
    /// Starts reading what `selection` selects from `store`.
    pub(crate) fn read(store: &'s dyn Store, selection: &Selection) -> Result<Self> {
        let query = selection.query()?;
        let after = selection.after();
        let head = store.head().with_context(|| store_name(store))?;
        let events = store
            .read(&query, after, None)
            .with_context(|| store_name(store))?;
        Ok(StoreEvents {
            store,
            query,
            after,
            events,
            read_to: Arc::new(AtomicU64::new(0)),
            span: head.saturating_sub(after),
            failed: None,
        })
    }
}

impl Iterator for StoreEvents<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        match self.events.next()? {
            Ok(stored) => {
                self.read_to
                    .store(stored.position - self.after, Ordering::Relaxed);
                Some(stored.event)
            }
            Err(error) => {
                self.failed = Some(error);
                None
            }
        }
    }
}

impl EventSource for StoreEvents<'_> {
    fn name(&self) -> String {
        store_name(self.store)
    }

    /// The position of the event at `index`, found by reading again: the read's first events
    /// never change (the log only grows at its end), and keeping every position would make the
    /// fold's memory grow with the events it folds.
    fn origin(&self, index: usize) -> String {
        let nth = self
            .store
            .read(&self.query, self.after, Some(index as u64 + 1))
            .and_then(|events| events.last().transpose());
        match nth {
            Ok(Some(stored)) => format!("position {}", stored.position),
            _ => format!("event {} of the read", index + 1),
        }
    }

    fn finish(&mut self) -> Result<()> {
        match self.failed.take() {
            Some(error) => Err(anyhow::Error::new(error).context(self.name())),
            None => Ok(()),
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            done: self.read_to.clone(),
            total: Some(self.span),
            unit: Unit::Positions,
        }
    }
}
