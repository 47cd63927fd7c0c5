//! The PostgreSQL tables and the two functions appends and reads call, created at connect
//! inside a transaction that holds an advisory lock, so that two processes creating the store
//! at once do not collide (`CREATE … IF NOT EXISTS` alone races on the catalog).
//!
//! - `evident_events`: each event's body (a one-event frame, as every backend stores it) under
//!   its position, with `UNIQUE (source, id)` (CloudEvents' identity) and an index on
//!   `(type, position)` for items of types alone;
//! - `evident_tags`: `(tag, position)`, the index a tag's query walks in position order;
//! - `evident_positions`: the sequence positions are drawn from;
//! - `evident_append(…)`: a whole append in one statement: the advisory locks one by one in
//!   the order given (sorted by the caller, so no two appends wait on each other in a cycle),
//!   then the condition, the duplicate look, and (under the gate) positions and rows, each a
//!   query with a snapshot of its own;
//! - `evident_head()`: takes the gate exclusively and returns the last event, at a moment when
//!   no append holds a position it has not yet committed or rolled back;
//! - `evident_snapshots`: views' snapshots (see `crate::snapshot`) under their key and
//!   position. It came after layout 1 without changing it (older builds ignore the table), so
//!   it is created whenever the database lacks it, not by the layout's version.

use postgres::Client;

use super::locks::{GATE, SCHEMA};

/// PostgreSQL 12: `plan_cache_mode`, which `evident_append` sets.
const MINIMUM_SERVER: i32 = 120_000;

/// The layout this code writes, kept in `evident_schema`.
const VERSION: i32 = 1;

/// Creates what is missing, inside a transaction guarded by an advisory lock; refuses a
/// database whose layout is newer than this build's.
pub(super) fn prepare(client: &mut Client) -> Result<(), String> {
    let server: i32 = client
        .query_one("SELECT current_setting('server_version_num')::integer", &[])
        .and_then(|row| row.try_get(0))
        .map_err(|e| e.to_string())?;
    if server < MINIMUM_SERVER {
        return Err(format!(
            "the server is PostgreSQL {}.{}; the event store needs 12 or later",
            server / 10000,
            server % 10000 / 100
        ));
    }
    let mut transaction = client.transaction().map_err(|e| e.to_string())?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA])
        .map_err(|e| e.to_string())?;
    let exists: bool = transaction
        .query_one("SELECT to_regclass('evident_schema') IS NOT NULL", &[])
        .and_then(|row| row.try_get(0))
        .map_err(|e| e.to_string())?;
    let version: i32 = if exists {
        transaction
            .query_one("SELECT coalesce(max(version), 0) FROM evident_schema", &[])
            .and_then(|row| row.try_get(0))
            .map_err(|e| e.to_string())?
    } else {
        0
    };
    if version > VERSION {
        return Err(format!(
            "the database has the event store's layout {version}; this build reads layout \
             {VERSION} (upgrade evident)"
        ));
    }
    if version < VERSION {
        transaction
            .batch_execute(&ddl())
            .map_err(|e| e.to_string())?;
        transaction
            .execute(
                "INSERT INTO evident_schema (version) VALUES ($1)",
                &[&VERSION],
            )
            .map_err(|e| e.to_string())?;
    }
    let has_snapshots: bool = transaction
        .query_one("SELECT to_regclass('evident_snapshots') IS NOT NULL", &[])
        .and_then(|row| row.try_get(0))
        .map_err(|e| e.to_string())?;
    if !has_snapshots {
        transaction
            .batch_execute(SNAPSHOTS)
            .map_err(|e| e.to_string())?;
    }
    transaction.commit().map_err(|e| e.to_string())
}

/// The snapshots' table. `parameters` is `bytea` so that keys compare byte for byte (and may
/// hold any bytes); the unique index takes its SHA-256, as a B-tree entry is limited to about
/// 2.7 kB and parameters may be longer.
const SNAPSHOTS: &str = "
CREATE TABLE IF NOT EXISTS evident_snapshots (
    view             text   NOT NULL,
    component_digest text   NOT NULL,
    wit_release      text   NOT NULL,
    parameters       bytea  NOT NULL,
    position         bigint NOT NULL,
    content_type     text   NOT NULL,
    schema_id        text,
    state            bytea  NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS evident_snapshots_by_key
    ON evident_snapshots (view, component_digest, wit_release, sha256(parameters), position);
";

/// The layout, every statement idempotent.
fn ddl() -> String {
    format!(
        r#"
CREATE TABLE IF NOT EXISTS evident_schema (version integer NOT NULL);

CREATE SEQUENCE IF NOT EXISTS evident_positions AS bigint MINVALUE 1 START 1 NO CYCLE;

CREATE TABLE IF NOT EXISTS evident_events (
    position bigint PRIMARY KEY,
    type     text   NOT NULL,
    source   text   NOT NULL,
    id       text   NOT NULL,
    body     bytea  NOT NULL,
    CONSTRAINT evident_events_source_id UNIQUE (source, id)
);
CREATE INDEX IF NOT EXISTS evident_events_by_type ON evident_events (type, position);

CREATE TABLE IF NOT EXISTS evident_tags (
    tag      text   NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (tag, position)
);

-- An append, whole, as one statement: called outside an explicit transaction, it commits (and
-- PostgreSQL flushes) when the statement ends, in the one round trip that sent it.
--   outcome 0: appended, `at` the last position;
--   outcome 1: the condition failed, `at` the first matching position after `after`;
--   outcome 2: event `at` (from 1) of the batch is in the log already.
-- `condition` is NULL, or a JSON array of items {{"tags": [...], "types": [...]}} ({{}} matches
-- every event). Each query below runs with a snapshot of its own (a VOLATILE function under
-- READ COMMITTED), taken after the locks are held.
CREATE OR REPLACE FUNCTION evident_append(
    keys bigint[], exclusive boolean[], condition text, after bigint,
    types text[], sources text[], ids text[], bodies bytea[], tags text[], tag_events integer[],
    OUT outcome integer, OUT at bigint
) LANGUAGE plpgsql VOLATILE
-- Plan each query once per session: left to choose, PostgreSQL keeps re-planning the
-- condition's queries on every call (their custom plans look cheaper), which cost more than
-- the append. Each generic plan walks the index meant for it (see select.rs for the types').
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    item record;
    want_tags text[];
    want_types text[];
    want_type text;
    found bigint;
    positions bigint[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'an append needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    -- The locks, one by one in the order given: sorted by the caller, so that every append
    -- takes its locks in one global order and none waits on another in a cycle.
    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
        IF exclusive[i] THEN
            PERFORM pg_advisory_xact_lock(keys[i]);
        ELSE
            PERFORM pg_advisory_xact_lock_shared(keys[i]);
        END IF;
    END LOOP;
    -- The condition: the first position after `after` any item matches.
    IF condition IS NOT NULL THEN
        FOR item IN SELECT coalesce(x.tags, '{{}}') AS tags, coalesce(x.types, '{{}}') AS types
                      FROM jsonb_to_recordset(condition::jsonb) AS x(tags text[], types text[])
        LOOP
            want_tags := item.tags;
            want_types := item.types;
            found := NULL;
            IF cardinality(want_tags) > 0 AND cardinality(want_types) = 0 THEN
                SELECT t.position INTO found FROM evident_tags t
                 WHERE t.tag = want_tags[1] AND t.position > after
                   AND NOT EXISTS (
                       SELECT 1 FROM unnest(want_tags[2:]) AS r(tag)
                        WHERE NOT EXISTS (SELECT 1 FROM evident_tags o
                                           WHERE o.tag = r.tag AND o.position = t.position))
                 ORDER BY t.position LIMIT 1;
            ELSIF cardinality(want_tags) > 0 THEN
                SELECT t.position INTO found
                  FROM evident_tags t JOIN evident_events e ON e.position = t.position
                 WHERE t.tag = want_tags[1] AND t.position > after
                   AND e.type = ANY(want_types)
                   AND NOT EXISTS (
                       SELECT 1 FROM unnest(want_tags[2:]) AS r(tag)
                        WHERE NOT EXISTS (SELECT 1 FROM evident_tags o
                                           WHERE o.tag = r.tag AND o.position = t.position))
                 ORDER BY t.position LIMIT 1;
            ELSIF cardinality(want_types) > 0 THEN
                FOREACH want_type IN ARRAY want_types LOOP
                    -- A row comparison only the (type, position) index answers (see select.rs).
                    SELECT least(found, (
                        SELECT e.position FROM evident_events e
                         WHERE (e.type, e.position) > (want_type, after)
                           AND (e.type, e.position) <= (want_type, 9223372036854775807)
                         ORDER BY e.type, e.position LIMIT 1)) INTO found;
                END LOOP;
            ELSE
                SELECT e.position INTO found FROM evident_events e
                 WHERE e.position > after ORDER BY e.position LIMIT 1;
            END IF;
            at := least(at, found);
        END LOOP;
        IF at IS NOT NULL THEN
            outcome := 1;
            RETURN;
        END IF;
    END IF;
    -- Events the log holds already: the first one's index, nothing written.
    IF cardinality(ids) = 1 THEN
        IF EXISTS (SELECT 1 FROM evident_events e WHERE e.source = sources[1] AND e.id = ids[1])
        THEN
            outcome := 2;
            at := 1;
            RETURN;
        END IF;
    ELSE
        SELECT min(b.n) INTO at
          FROM unnest(sources, ids) WITH ORDINALITY AS b(source, id, n)
         WHERE EXISTS (SELECT 1 FROM evident_events e
                        WHERE e.source = b.source AND e.id = b.id);
        IF at IS NOT NULL THEN
            outcome := 2;
            RETURN;
        END IF;
    END IF;
    -- Positions, drawn under the gate (shared, held to commit), and the rows.
    PERFORM pg_advisory_xact_lock_shared({GATE});
    IF cardinality(ids) = 1 THEN
        at := nextval('evident_positions');
        INSERT INTO evident_events (position, type, source, id, body)
        VALUES (at, types[1], sources[1], ids[1], bodies[1]);
        INSERT INTO evident_tags (tag, position) SELECT g.tag, at FROM unnest(tags) AS g(tag);
    ELSE
        SELECT array_agg(p ORDER BY p) INTO positions
          FROM (SELECT nextval('evident_positions') AS p
                  FROM generate_series(1, cardinality(ids))) AS drawn;
        INSERT INTO evident_events (position, type, source, id, body)
        SELECT positions[u.n], u.type, u.source, u.id, u.body
          FROM unnest(types, sources, ids, bodies) WITH ORDINALITY
               AS u(type, source, id, body, n);
        INSERT INTO evident_tags (tag, position)
        SELECT g.tag, positions[g.event] FROM unnest(tags, tag_events) AS g(tag, event);
        at := positions[cardinality(positions)];
    END IF;
    outcome := 0;
END
$$;

-- The last event, at a moment when no append holds a drawn but unsettled position: every
-- position up to the result is committed or rolled back for good.
CREATE OR REPLACE FUNCTION evident_head()
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    horizon bigint;
BEGIN
    PERFORM pg_advisory_xact_lock({GATE});
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO horizon FROM evident_positions;
    RETURN coalesce(
        (SELECT max(position) FROM evident_events WHERE position <= horizon), 0);
END
$$;
"#
    )
}
