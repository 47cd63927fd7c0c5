//! Group commit: every append queued while the previous commit was flushing is committed in
//! one transaction, with one flush, by the appender that leads the group (see [`Writer`]).
//!
//! Each append of a group is checked in order, against the log and against the appends ahead
//! of it in the group (they are already in the transaction, so the same SQL sees them): its
//! condition, then its events' (`source`, `id`). An append that fails either check writes
//! nothing and fails alone. The transaction holds SQLite's write lock, so no other process can
//! write between the checks and the inserts. No append is acknowledged before the group's
//! commit has returned, which with `synchronous=FULL` is after the WAL is flushed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex};
use rusqlite::{Connection, params};

use super::{BACKEND, select};
use crate::error::{AppendError, Existing};
use crate::record::Record;
use crate::{AppendCondition, Position, StoreError};

/// The most appends one transaction takes; more wait for the next.
const MAX_GROUP: usize = 256;

/// Where an append's outcome goes: set by the leader that committed it.
type Outcome = Arc<Mutex<Option<Result<Position, AppendError>>>>;

/// An append waiting to be committed.
struct Pending {
    records: Vec<Record>,
    condition: Option<AppendCondition>,
    outcome: Outcome,
}

/// The appends queued, and whether an appender is committing a group now.
#[derive(Default)]
struct Queue {
    pending: Vec<Pending>,
    leading: bool,
}

/// The write side of a store: a queue of appends and the connection that commits them.
///
/// There is no writer thread. An appender queues its append; if no other appender is
/// committing, it becomes the leader, takes everything queued (its own append and any that
/// arrived while the previous group was flushing), commits it as one group, hands each
/// appender its outcome and wakes them; the others wait, and one still unanswered leads the
/// next group. A lone appender commits its own append on its own thread, with no hand-off.
pub(super) struct Writer {
    connection: Mutex<Connection>,
    queue: Mutex<Queue>,
    answered: Condvar,
    /// The head after the last commit, for [`crate::Store::wait_for`].
    pub(super) head: AtomicU64,
    /// Commits made, and appends they held: fewer commits than appends means appends shared
    /// a flush.
    pub(super) commits: AtomicU64,
    pub(super) appends: AtomicU64,
}

impl Writer {
    pub(super) fn new(connection: Connection, head: Position) -> Self {
        Writer {
            connection: Mutex::new(connection),
            queue: Mutex::new(Queue::default()),
            answered: Condvar::new(),
            head: AtomicU64::new(head),
            commits: AtomicU64::new(0),
            appends: AtomicU64::new(0),
        }
    }

    /// Commits `records` under `condition`, in a group with whatever else is queued.
    pub(super) fn append(
        &self,
        records: Vec<Record>,
        condition: Option<AppendCondition>,
    ) -> Result<Position, AppendError> {
        let outcome: Outcome = Arc::new(Mutex::new(None));
        let mut queue = self.queue.lock();
        queue.pending.push(Pending {
            records,
            condition,
            outcome: outcome.clone(),
        });
        loop {
            if let Some(result) = outcome.lock().take() {
                return result;
            }
            if queue.leading {
                self.answered.wait(&mut queue);
                continue;
            }
            queue.leading = true;
            let take = queue.pending.len().min(MAX_GROUP);
            let group: Vec<Pending> = queue.pending.drain(..take).collect();
            drop(queue);
            let lead = Lead {
                writer: self,
                outcomes: group.iter().map(|p| p.outcome.clone()).collect(),
            };
            self.commit_group(group);
            drop(lead);
            queue = self.queue.lock();
        }
    }

    /// Commits a group and answers each of its appenders.
    fn commit_group(&self, group: Vec<Pending>) {
        let outcomes = {
            let mut connection = self.connection.lock();
            match commit(&mut connection, &group) {
                Ok((outcomes, head)) => {
                    self.head.fetch_max(head, Ordering::AcqRel);
                    self.commits.fetch_add(1, Ordering::Relaxed);
                    self.appends
                        .fetch_add(group.len() as u64, Ordering::Relaxed);
                    outcomes
                }
                // Nothing of the group was committed: every append in it fails.
                Err(error) => group
                    .iter()
                    .map(|_| Err(AppendError::Store(StoreError::backend(BACKEND, &error))))
                    .collect(),
            }
        };
        for (pending, outcome) in group.iter().zip(outcomes) {
            *pending.outcome.lock() = Some(outcome);
        }
    }

    /// Waits until the head passes `after` or `deadline`; returns whether it did.
    pub(super) fn wait_past(&self, after: Position, deadline: std::time::Instant) -> bool {
        let mut queue = self.queue.lock();
        while self.head.load(Ordering::Acquire) <= after {
            if self.answered.wait_until(&mut queue, deadline).timed_out() {
                return self.head.load(Ordering::Acquire) > after;
            }
        }
        true
    }
}

/// A leader's turn, ended when dropped (even by a panic): the next appender may lead, and
/// everyone waiting looks at their outcome again.
struct Lead<'w> {
    writer: &'w Writer,
    outcomes: Vec<Outcome>,
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        // An append of a group whose commit was interrupted fails rather than waits for ever.
        for outcome in &self.outcomes {
            outcome.lock().get_or_insert_with(|| {
                Err(AppendError::Store(StoreError::backend(
                    BACKEND,
                    "the commit of this append's group was interrupted; nothing was acknowledged",
                )))
            });
        }
        self.writer.queue.lock().leading = false;
        self.writer.answered.notify_all();
    }
}

/// What one try at committing a group came to.
enum Attempt {
    /// Committed: each append's outcome, and the new head.
    Committed(Vec<Result<Position, AppendError>>, Position),
    /// Append `append` repeats an event of the log (its event `index`); nothing was committed.
    Repeated { append: usize, index: usize },
}

/// Commits the group in one transaction; an append that repeats an event fails alone, and the
/// group is committed again without it.
fn commit(
    connection: &mut Connection,
    group: &[Pending],
) -> rusqlite::Result<(Vec<Result<Position, AppendError>>, Position)> {
    let mut repeated: Vec<Option<AppendError>> = group.iter().map(|_| None).collect();
    loop {
        match try_commit(connection, group, &repeated)? {
            Attempt::Committed(mut outcomes, head) => {
                for (outcome, refusal) in outcomes.iter_mut().zip(&mut repeated) {
                    if let Some(refusal) = refusal.take() {
                        *outcome = Err(refusal);
                    }
                }
                return Ok((outcomes, head));
            }
            Attempt::Repeated { append, index } => {
                let record = &group[append].records[index];
                repeated[append] = Some(AppendError::Duplicate {
                    index,
                    id: record.id.clone(),
                    event_source: record.source.clone(),
                    existing: Existing::InLog,
                });
            }
        }
    }
}

/// One try at the group, skipping the appends already found to repeat an event. Each append
/// is checked in order against the log and the appends ahead of it (already in the
/// transaction): its condition, then (by the unique index, as it is inserted) its events'
/// (`source`, `id`). A repeat rolls the whole transaction back, for the caller to try again
/// without that append: repeats are rare, and spotting them on insert spares a look-up per
/// event, and a savepoint per append (with the copy of every page it touches).
fn try_commit(
    connection: &mut Connection,
    group: &[Pending],
    repeated: &[Option<AppendError>],
) -> rusqlite::Result<Attempt> {
    let transaction = Transaction::begin(connection)?;
    let mut head = super::head_of(transaction.0)?;
    let mut outcomes = Vec::with_capacity(group.len());
    for (append, request) in group.iter().enumerate() {
        if repeated[append].is_some() {
            // Answered by the caller.
            outcomes.push(Ok(0));
            continue;
        }
        if let Some(condition) = &request.condition {
            let scans = select::scans(&condition.fail_if_events_match, false);
            let after = condition.after_position();
            if let Some(position) = select::first_match(transaction.0, &scans, after)? {
                outcomes.push(Err(AppendError::Conflict { position, after }));
                continue;
            }
        }
        match insert(transaction.0, &request.records, head)? {
            Ok(last) => {
                head = last;
                outcomes.push(Ok(last));
            }
            // Dropping the transaction rolls it back.
            Err(index) => return Ok(Attempt::Repeated { append, index }),
        }
    }
    transaction.commit()?;
    Ok(Attempt::Committed(outcomes, head))
}

/// A write transaction whose `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` are prepared once per
/// connection (rusqlite's own transaction parses them at every commit); rolled back if dropped
/// before [`Transaction::commit`].
struct Transaction<'c>(&'c Connection);

impl<'c> Transaction<'c> {
    /// Takes SQLite's write lock (waiting up to the busy timeout for another process's).
    fn begin(connection: &'c Connection) -> rusqlite::Result<Self> {
        if !connection.is_autocommit() {
            // A rollback that failed left the last transaction open: end it now.
            connection.prepare_cached("ROLLBACK")?.execute([])?;
        }
        connection.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(Transaction(connection))
    }

    /// Commits; if that fails, dropping `self` rolls back what is left of the transaction.
    fn commit(self) -> rusqlite::Result<()> {
        self.0.prepare_cached("COMMIT")?.execute([])?;
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            // A failure here leaves the transaction open; the next `begin` rolls it back first.
            let _ = self
                .0
                .prepare_cached("ROLLBACK")
                .and_then(|mut rollback| rollback.execute([]));
        }
    }
}

/// Inserts an append's events after `head`; returns the position of the last, or the index
/// of an event whose (`source`, `id`) the log already holds.
fn insert(
    connection: &Connection,
    records: &[Record],
    head: Position,
) -> rusqlite::Result<Result<Position, usize>> {
    let mut events = connection.prepare_cached(
        "INSERT INTO events (position, type, source, id, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut tags = connection.prepare_cached("INSERT INTO tags (tag, position) VALUES (?1, ?2)")?;
    let mut position = head;
    for (index, record) in records.iter().enumerate() {
        position += 1;
        let inserted = events.execute(params![
            position as i64,
            record.event_type,
            record.source,
            record.id,
            record.body
        ]);
        match inserted {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                return Ok(Err(index));
            }
            other => {
                other?;
            }
        }
        for tag in &record.tags {
            tags.execute(params![tag, position as i64])?;
        }
    }
    Ok(Ok(position))
}
