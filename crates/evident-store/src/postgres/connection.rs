//! A connection of the pool and what it sends: an append (one statement, one round trip), the
//! head under the gate, and the lookups around them.

use std::collections::HashMap;

use postgres::{Client, Config, NoTls, Statement};

use super::{locks, select, to_sql};
use crate::error::{AppendError, Existing};
use crate::pool::Reusable;
use crate::record::Record;
use crate::{AppendCondition, Position};

/// Idle connections kept for the next caller; more are closed when returned.
pub(super) const MAX_IDLE: usize = 32;

/// Statements prepared per connection before the cache starts over (queries of many shapes).
const MAX_STATEMENTS: usize = 128;

/// An append, whole (see `schema`): sent outside an explicit transaction, it commits when the
/// statement ends.
const APPEND: &str =
    "SELECT outcome, at FROM evident_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// The head, under the gate.
const HEAD: &str = "SELECT evident_head()";

/// The last position drawn, settled or not: a cheap look that needs no lock.
pub(super) const DRAWN: &str =
    "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM evident_positions";

/// The first event of a batch (from 1) whose (`source`, `id`) the log holds.
const DUPLICATE: &str = "SELECT min(b.n) FROM unnest($1::text[], $2::text[]) \
     WITH ORDINALITY AS b(source, id, n) \
     WHERE EXISTS (SELECT 1 FROM evident_events e WHERE e.source = b.source AND e.id = b.id)";

/// The session settings an append relies on: READ COMMITTED, whatever the database's default
/// (each statement of `evident_append` then sees what committed before it), and
/// `synchronous_commit` back on if the server turned it off (an acknowledged append must
/// survive a crash of the server).
const SESSION: &str = "SELECT set_config('default_transaction_isolation', 'read committed', false), \
     CASE WHEN current_setting('synchronous_commit') = 'off' \
     THEN set_config('synchronous_commit', 'on', false) END";

/// A client and the statements prepared on it.
pub(super) struct Connection {
    pub(super) client: Client,
    statements: HashMap<String, Statement>,
}

impl Connection {
    pub(super) fn open(config: &Config) -> Result<Connection, postgres::Error> {
        let mut client = config.connect(NoTls)?;
        client.execute(SESSION, &[])?;
        Ok(Connection {
            client,
            statements: HashMap::new(),
        })
    }

    /// `sql` prepared on this connection, once.
    pub(super) fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(super) fn position(&mut self, sql: &str) -> Result<Position, postgres::Error> {
        let statement = self.statement(sql)?;
        let value: i64 = self.client.query_one(&statement, &[])?.try_get(0)?;
        Ok(value.max(0) as Position)
    }

    /// The last event, every position up to it settled.
    pub(super) fn head(&mut self) -> Result<Position, postgres::Error> {
        self.position(HEAD)
    }

    /// Runs an append: `Ok(Err(_))` is a refusal, `Err(_)` a failure of the database. Either
    /// way its transaction is over (committed, or rolled back with nothing written).
    pub(super) fn append(
        &mut self,
        append: &Append<'_>,
    ) -> Result<Result<Position, AppendError>, postgres::Error> {
        let statement = self.statement(APPEND)?;
        let row = self.client.query_one(
            &statement,
            &[
                &append.keys,
                &append.exclusive,
                &append.condition,
                &append.after,
                &append.types,
                &append.sources,
                &append.ids,
                &append.bodies,
                &append.tags,
                &append.tag_events,
            ],
        )?;
        let (outcome, at): (i32, i64) = (row.try_get(0)?, row.try_get(1)?);
        Ok(match outcome {
            0 => Ok(at as Position),
            1 => Err(AppendError::Conflict {
                position: at as Position,
                after: append.after as Position,
            }),
            _ => Err(append.duplicate((at - 1).max(0) as usize)),
        })
    }

    /// After a unique violation: which event of the batch the log already holds.
    pub(super) fn duplicate_in_log(
        &mut self,
        append: &Append<'_>,
    ) -> Result<Option<usize>, postgres::Error> {
        let statement = self.statement(DUPLICATE)?;
        let first: Option<i64> = self
            .client
            .query_one(&statement, &[&append.sources, &append.ids])?
            .try_get(0)?;
        Ok(first.map(|n| (n - 1) as usize))
    }
}

/// An append as the parameters `evident_append` takes.
pub(super) struct Append<'r> {
    records: &'r [Record],
    /// The advisory keys, sorted, and whether each is taken exclusively.
    keys: Vec<i64>,
    exclusive: Vec<bool>,
    /// The condition's items as JSON, if there is a condition.
    condition: Option<String>,
    after: i64,
    types: Vec<&'r str>,
    sources: Vec<&'r str>,
    ids: Vec<&'r str>,
    bodies: Vec<&'r [u8]>,
    tags: Vec<&'r str>,
    /// The event (from 1) each tag belongs to.
    tag_events: Vec<i32>,
}

impl<'r> Append<'r> {
    pub(super) fn new(records: &'r [Record], condition: Option<&AppendCondition>) -> Append<'r> {
        let (keys, exclusive) = locks::plan(condition, records).into_iter().unzip();
        let mut tags = Vec::new();
        let mut tag_events = Vec::new();
        for (n, record) in (1..).zip(records) {
            for tag in &record.tags {
                tags.push(tag.as_str());
                tag_events.push(n);
            }
        }
        Append {
            records,
            keys,
            exclusive,
            condition: condition.map(|c| select::condition_json(&c.fail_if_events_match)),
            after: to_sql(condition.map_or(0, AppendCondition::after_position)),
            types: records.iter().map(|r| r.event_type.as_str()).collect(),
            sources: records.iter().map(|r| r.source.as_str()).collect(),
            ids: records.iter().map(|r| r.id.as_str()).collect(),
            bodies: records.iter().map(|r| r.body.as_slice()).collect(),
            tags,
            tag_events,
        }
    }

    /// The refusal of the batch because its event `index` is in the log.
    pub(super) fn duplicate(&self, index: usize) -> AppendError {
        let index = index.min(self.records.len() - 1);
        let record = &self.records[index];
        AppendError::Duplicate {
            index,
            id: record.id.clone(),
            event_source: record.source.clone(),
            existing: Existing::InLog,
        }
    }
}

impl Reusable for Connection {
    fn reusable(&self) -> bool {
        !self.client.is_closed()
    }
}
