//! The log in memory: for tests and fixtures, with the same promises as the durable backends
//! except durability.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, RwLock};

use crate::error::{AppendError, Existing};
use crate::record::{self, Record};
use crate::snapshot::check_position;
use crate::{
    AppendCondition, Events, Position, Query, Snapshot, SnapshotKey, Store, StoreError,
    StoreOptions, StoredEvent,
};

/// Events read per lock taken, so a long read never holds writers back for long.
const PAGE: usize = 256;

/// A log held in memory, lost when dropped.
#[derive(Default)]
pub struct MemoryStore {
    log: RwLock<Log>,
    options: StoreOptions,
    /// Signalled after every append, for [`Store::wait_for`].
    appended: Condvar,
    appended_lock: Mutex<()>,
    /// Each key's snapshots by position (their states share their bytes with the caller's).
    snapshots: Mutex<HashMap<SnapshotKey, BTreeMap<Position, Snapshot>>>,
}

#[derive(Default)]
struct Log {
    /// The event at position `p` is `events[p - 1]`, with its record's tags.
    events: Vec<(evident_types::Event, Vec<String>)>,
    ids: HashSet<(String, String)>,
    /// The positions of each tag's events, in order.
    by_tag: HashMap<String, Vec<Position>>,
}

impl MemoryStore {
    /// An empty log.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// An empty log with these limits.
    pub fn with_options(options: StoreOptions) -> Self {
        MemoryStore {
            options,
            ..MemoryStore::default()
        }
    }
}

impl Log {
    fn head(&self) -> Position {
        self.events.len() as Position
    }

    /// The first event after `after` that `query` matches.
    fn first_match(&self, query: &Query, after: Position) -> Option<Position> {
        self.matching(query, after, self.head()).next()
    }

    /// Positions in `(after, upto]` that `query` matches, in order.
    fn matching<'a>(
        &'a self,
        query: &'a Query,
        after: Position,
        upto: Position,
    ) -> impl Iterator<Item = Position> + 'a {
        // A query of one tagged item walks that tag's positions; anything else scans.
        let candidates: Box<dyn Iterator<Item = Position> + 'a> = match query.items.as_slice() {
            _ if after >= upto => Box::new(std::iter::empty()),
            [item] if !item.tags.is_empty() => {
                let positions = self
                    .by_tag
                    .get(&item.tags[0].to_string())
                    .map_or(&[][..], Vec::as_slice);
                let start = positions.partition_point(|&p| p <= after);
                Box::new(positions[start..].iter().copied())
            }
            _ => Box::new(after + 1..=upto),
        };
        candidates
            .take_while(move |&p| p <= upto)
            .filter(move |&p| query.matches(&self.events[(p - 1) as usize].0))
    }
}

impl Store for MemoryStore {
    fn append(
        &self,
        events: &[evident_types::Event],
        condition: Option<&AppendCondition>,
    ) -> Result<Position, AppendError> {
        let records = record::prepare(events, self.options.max_event_bytes)?;
        let mut log = self.log.write();
        if let Some(condition) = condition {
            let after = condition.after_position();
            if let Some(position) = log.first_match(&condition.fail_if_events_match, after) {
                return Err(AppendError::Conflict { position, after });
            }
        }
        for (index, Record { source, id, .. }) in records.iter().enumerate() {
            if log.ids.contains(&(source.clone(), id.clone())) {
                return Err(AppendError::Duplicate {
                    index,
                    id: id.clone(),
                    event_source: source.clone(),
                    existing: Existing::InLog,
                });
            }
        }
        for (event, record) in events.iter().zip(records) {
            let position = log.head() + 1;
            for tag in &record.tags {
                log.by_tag.entry(tag.clone()).or_default().push(position);
            }
            log.ids.insert((record.source, record.id));
            log.events.push((event.clone(), record.tags));
        }
        let head = log.head();
        drop(log);
        let _guard = self.appended_lock.lock();
        self.appended.notify_all();
        Ok(head)
    }

    fn read(
        &self,
        query: &Query,
        after: Position,
        limit: Option<u64>,
    ) -> Result<Events<'_>, StoreError> {
        let upto = self.log.read().head();
        let query = query.clone();
        let mut cursor = after;
        let mut left = limit.unwrap_or(u64::MAX);
        let mut page = Vec::new().into_iter();
        Ok(Box::new(std::iter::from_fn(move || {
            loop {
                if left == 0 {
                    return None;
                }
                if let Some(stored) = page.next() {
                    left -= 1;
                    return Some(Ok(stored));
                }
                let log = self.log.read();
                let found: Vec<StoredEvent> = log
                    .matching(&query, cursor, upto)
                    .take(PAGE)
                    .map(|position| StoredEvent {
                        position,
                        event: log.events[(position - 1) as usize].0.clone(),
                    })
                    .collect();
                cursor = found.last()?.position;
                page = found.into_iter();
            }
        })))
    }

    fn head(&self) -> Result<Position, StoreError> {
        Ok(self.log.read().head())
    }

    fn wait_for(&self, after: Position, timeout: Duration) -> Result<Position, StoreError> {
        let deadline = Instant::now() + timeout;
        let mut guard = self.appended_lock.lock();
        loop {
            let head = self.log.read().head();
            if head > after || self.appended.wait_until(&mut guard, deadline).timed_out() {
                return Ok(self.log.read().head());
            }
        }
    }

    fn location(&self) -> String {
        "memory".into()
    }

    fn save_snapshot(&self, key: &SnapshotKey, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut snapshots = self.snapshots.lock();
        // The head only grows, so a position at or before it now stays so.
        check_position(snapshot.position, self.log.read().head())?;
        let kept = snapshots.entry(key.clone()).or_default();
        kept.insert(snapshot.position, snapshot.clone());
        while kept.len() > self.options.snapshots_kept {
            kept.pop_first();
        }
        if kept.is_empty() {
            snapshots.remove(key);
        }
        Ok(())
    }

    fn snapshot(&self, key: &SnapshotKey, at: Position) -> Result<Option<Snapshot>, StoreError> {
        Ok(self
            .snapshots
            .lock()
            .get(key)
            .and_then(|kept| kept.range(..=at).next_back())
            .map(|(_, snapshot)| snapshot.clone()))
    }

    fn delete_snapshots(&self, view: &str) -> Result<u64, StoreError> {
        let mut deleted = 0;
        self.snapshots.lock().retain(|key, kept| {
            let of_view = key.view == view;
            if of_view {
                deleted += kept.len() as u64;
            }
            !of_view
        });
        Ok(deleted)
    }
}
