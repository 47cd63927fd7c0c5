//! The PostgreSQL backend against a real server: the suite, then what only many connections
//! and processes on one database can show. Each test gets a database of its own, created on the
//! server `EVIDENT_TEST_POSTGRES` names and dropped afterwards, so the tests run in parallel.
//!
//! Without `EVIDENT_TEST_POSTGRES` the tests skip with one line on stderr, except under CI,
//! where they fail: `.ci/postgres start` starts a throwaway server and prints the variable.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Once, mpsc};
use std::time::{Duration, Instant};

use evident_store::{
    AppendCondition, AppendError, Existing, PostgresStore, Query, QueryItem, Store, StoreError, Tag,
};

use crate::common::{TestStore, assert_gapless, event, everything, run_children};
use crate::dcb;
use crate::snapshots;

/// The variable naming the server the tests create their databases on.
const VARIABLE: &str = "EVIDENT_TEST_POSTGRES";

/// The server's URL, or `None` (after saying so once) when the tests skip.
fn server() -> Option<String> {
    if let Ok(url) = std::env::var(VARIABLE)
        && !url.trim().is_empty()
    {
        return Some(url);
    }
    let ci = std::env::var("CI").is_ok_and(|ci| !matches!(ci.as_str(), "" | "false" | "0"));
    assert!(
        !ci,
        "{VARIABLE} is not set: under CI the PostgreSQL tests run against a real server. \
         Start one with `eval \"$(.ci/postgres start)\"` (it sets \
         {VARIABLE}=postgresql://evident@127.0.0.1:54329/postgres), or set {VARIABLE} to a \
         server where this user may create databases"
    );
    static SKIPPED: Once = Once::new();
    SKIPPED.call_once(|| {
        let line = format!(
            "*** SKIPPED: set {VARIABLE}=postgresql://… to run the PostgreSQL tests \
             (see .ci/postgres) ***\n"
        );
        // libtest captures `eprint!`; the terminal's stderr gets the line anyway.
        let tty = std::fs::OpenOptions::new().write(true).open("/dev/stderr");
        if tty
            .and_then(|mut tty| tty.write_all(line.as_bytes()))
            .is_err()
        {
            eprint!("{line}");
        }
    });
    None
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, parameters) = url.split_once('?').map_or((url, ""), |(b, p)| (b, p));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host_start..].find('/') {
        Some(slash) => &base[..host_start + slash],
        None => base,
    };
    let parameters = if parameters.is_empty() {
        String::new()
    } else {
        format!("?{parameters}")
    };
    format!("{base}/{name}{parameters}")
}

/// A database of its own for one test, dropped with it.
struct Database {
    server: String,
    name: String,
    url: String,
}

impl Database {
    fn create() -> Option<Database> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let server = server()?;
        let name = format!(
            "evident_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            crate::common::random(1 << 40)
        );
        let mut admin = ::postgres::Client::connect(&server, ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {VARIABLE}: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = with_database(&server, &name);
        Some(Database { server, name, url })
    }

    fn store(&self) -> PostgresStore {
        PostgresStore::connect(&self.url).unwrap()
    }

    /// A client of the test's database, for what the store's API cannot do.
    fn client(&self) -> ::postgres::Client {
        ::postgres::Client::connect(&self.url, ::postgres::NoTls).unwrap()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = ::postgres::Client::connect(&self.server, ::postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn open() -> Option<TestStore> {
    let database = Database::create()?;
    Some(TestStore {
        store: Box::new(database.store()),
        location: Some(database.url.clone()),
        _guard: Box::new(database),
    })
}

conformance!(open);

fn tag(text: &str) -> Tag {
    text.parse().unwrap()
}

fn course(id: &str) -> Query {
    Query::item(QueryItem::tags([tag(&format!("course:{id}"))]))
}

/// FNV-1a, 64 bits: the advisory key the backend documents for a tag or type.
fn key(text: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash as i64
}

/// Starts an append on `client` as the backend makes one, inside a transaction left open:
/// its locks held (shared on the tag `course:<course>`, by the key the backend documents), its
/// position drawn, its event inserted, not committed. Returns the position.
fn begin_append_by_hand(client: &mut ::postgres::Client, id: &str, course: &str) -> i64 {
    let e = event(id, "t", &[("course", course)]);
    let body = evident_types::frame::encode([&e]);
    let tags = vec![format!("source:{}", e.source), format!("course:{course}")];
    let mut keys = vec![
        key(&format!("tag:course:{course}")),
        key(&format!("tag:source:{}", e.source)),
        key("type:t"),
    ];
    keys.sort_unstable();
    let shared = vec![false; keys.len()];
    client.batch_execute("BEGIN").unwrap();
    let row = client
        .query_one(
            "SELECT outcome, at FROM evident_append($1, $2, NULL, 0, $3, $4, $5, $6, $7, $8)",
            &[
                &keys,
                &shared,
                &vec!["t"],
                &vec![e.source.as_str()],
                &vec![id],
                &vec![body.as_slice()],
                &tags,
                &vec![1i32, 1],
            ],
        )
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 0, "appended");
    row.get(1)
}

#[test]
fn a_conditional_append_waits_for_a_concurrent_append_it_could_conflict_with_and_then_sees_it() {
    let Some(database) = Database::create() else {
        return;
    };
    let store = database.store();
    let mut other = database.client();
    // Another connection is appending an event of course c1: locked, drawn, not committed.
    assert_eq!(begin_append_by_hand(&mut other, "theirs", "c1"), 1);
    let (sender, answer) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let condition = AppendCondition::new(course("c1"), Some(0));
            let outcome =
                store.append(&[event("ours", "t", &[("course", "c1")])], Some(&condition));
            sender.send(outcome).unwrap();
        });
        assert!(
            answer.recv_timeout(Duration::from_millis(300)).is_err(),
            "the conditional append decided while a matching append was in flight"
        );
        other.batch_execute("COMMIT").unwrap();
        let outcome = answer.recv_timeout(Duration::from_secs(10)).unwrap();
        // Its check ran after the lock was granted, in a snapshot that holds the other commit.
        assert!(
            matches!(
                outcome,
                Err(AppendError::Conflict {
                    position: 1,
                    after: 0
                })
            ),
            "{outcome:?}"
        );
    });
    // An append on another course never waited.
    let mut other = database.client();
    begin_append_by_hand(&mut other, "theirs-2", "c1");
    let condition = AppendCondition::new(course("c2"), Some(0));
    let started = Instant::now();
    store
        .append(
            &[event("c2-first", "t", &[("course", "c2")])],
            Some(&condition),
        )
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    other.batch_execute("ROLLBACK").unwrap();
}

#[test]
fn the_head_waits_for_a_lower_position_still_committing() {
    let Some(database) = Database::create() else {
        return;
    };
    let store = database.store();
    let mut other = database.client();
    // Position 1 is drawn by a transaction still open; position 2 commits first.
    assert_eq!(begin_append_by_hand(&mut other, "slow", "c1"), 1);
    assert_eq!(
        store
            .append(&[event("fast", "t", &[("course", "c2")])], None)
            .unwrap(),
        2
    );
    let (sender, answer) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let read: Vec<u64> = store
                .read(&Query::all(), 0, None)
                .unwrap()
                .map(|e| e.unwrap().position)
                .collect();
            sender.send(read).unwrap();
        });
        assert!(
            answer.recv_timeout(Duration::from_millis(300)).is_err(),
            "a read began while position 1 was unsettled: it would have skipped it"
        );
        other.batch_execute("COMMIT").unwrap();
        assert_eq!(
            answer.recv_timeout(Duration::from_secs(10)).unwrap(),
            [1, 2]
        );
    });
    // A position drawn and rolled back is a gap, and nothing waits for it.
    begin_append_by_hand(&mut other, "rolled-back", "c1");
    other.batch_execute("ROLLBACK").unwrap();
    assert_eq!(store.head().unwrap(), 2);
    assert_eq!(
        store.append(&[event("after-gap", "t", &[])], None).unwrap(),
        4
    );
    assert_eq!(store.head().unwrap(), 4);
    let positions: Vec<u64> = everything(&store).iter().map(|e| e.position).collect();
    assert_eq!(positions, [1, 2, 4]);
}

#[test]
fn racing_appends_on_one_tag_from_many_connections_admit_exactly_one() {
    let Some(database) = Database::create() else {
        return;
    };
    // Two handles, as two processes would be: each thread on a connection of its own.
    let handles = [database.store(), database.store()];
    const RACERS: usize = 8;
    for round in 0..20 {
        let head = handles[0].head().unwrap();
        let barrier = Barrier::new(RACERS);
        // Every second round the condition also names the type, the same lock key.
        let mut query = course("c1");
        if round % 2 == 1 {
            query.items[0].types = vec!["seat.taken".into()];
        }
        let condition = AppendCondition::new(query, Some(head));
        let outcomes: Vec<Result<u64, AppendError>> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..RACERS)
                .map(|racer| {
                    let (barrier, condition, store) = (&barrier, &condition, &handles[racer % 2]);
                    scope.spawn(move || {
                        barrier.wait();
                        let e = event(
                            &format!("r{round}-{racer}"),
                            "seat.taken",
                            &[("course", "c1")],
                        );
                        store.append(&[e], Some(condition))
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let won: Vec<u64> = outcomes
            .iter()
            .filter_map(|o| o.as_ref().ok().copied())
            .collect();
        assert_eq!(won.len(), 1, "round {round}: {outcomes:?}");
        for outcome in &outcomes {
            match outcome {
                Ok(_) => {}
                Err(AppendError::Conflict { position, after }) => {
                    assert_eq!((*position, *after), (won[0], head), "round {round}");
                }
                Err(error) => panic!("round {round}: {error}"),
            }
        }
    }
    assert_eq!(assert_gapless(&handles[1]).len(), 20);
}

#[test]
fn conditional_appends_on_distinct_tags_from_eight_threads_all_succeed() {
    let Some(database) = Database::create() else {
        return;
    };
    let store = database.store();
    let positions: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..8)
            .map(|writer| {
                let store = &store;
                scope.spawn(move || {
                    let mine = course(&format!("w{writer}"));
                    let mut last = None;
                    (0..50)
                        .map(|i| {
                            let e = event(
                                &format!("w{writer}-{i}"),
                                "t",
                                &[("course", &format!("w{writer}"))],
                            );
                            let condition = AppendCondition::new(mine.clone(), last);
                            let position = store.append(&[e], Some(&condition)).unwrap();
                            last = Some(position);
                            position
                        })
                        .collect()
                })
            })
            .collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for writer in &positions {
        assert!(
            writer.windows(2).all(|w| w[0] < w[1]),
            "a writer's positions increase"
        );
    }
    let all: BTreeSet<u64> = positions.iter().flatten().copied().collect();
    assert_eq!(all.len(), 400, "positions are unique");
    assert_eq!(assert_gapless(&store).len(), 400);
}

#[test]
fn a_reader_following_racing_writers_never_skips_an_event() {
    let Some(database) = Database::create() else {
        return;
    };
    let writers_handle = database.store();
    let readers_handle = database.store();
    let done = AtomicBool::new(false);
    let (acknowledged, followed) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut seen = Vec::new();
            let mut last = 0;
            loop {
                let finished = done.load(Ordering::Acquire);
                for stored in readers_handle.read(&Query::all(), last, None).unwrap() {
                    let position = stored.unwrap().position;
                    assert!(position > last, "{position} after {last}");
                    last = position;
                    seen.push(position);
                }
                // The writers had stopped before this read began: it saw everything.
                if finished {
                    return seen;
                }
                readers_handle
                    .wait_for(last, Duration::from_millis(50))
                    .unwrap();
            }
        });
        let writers: Vec<_> = (0..6)
            .map(|writer| {
                let store = &writers_handle;
                scope.spawn(move || {
                    let mut acknowledged = Vec::new();
                    for i in 0..120 {
                        // Batches of 1 to 4 on distinct tags, committing in any order.
                        let size = 1 + (i * 7 + writer) % 4;
                        let batch: Vec<_> = (0..size)
                            .map(|j| {
                                event(
                                    &format!("w{writer}-{i}-{j}"),
                                    "t",
                                    &[("writer", &writer.to_string())],
                                )
                            })
                            .collect();
                        acknowledged.push((size, store.append(&batch, None).unwrap()));
                    }
                    acknowledged
                })
            })
            .collect();
        let acknowledged: Vec<(usize, u64)> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, Ordering::Release);
        (acknowledged, reader.join().unwrap())
    });
    let events: usize = acknowledged.iter().map(|(size, _)| size).sum();
    let all: Vec<u64> = everything(&writers_handle)
        .iter()
        .map(|e| e.position)
        .collect();
    assert_eq!(all.len(), events);
    assert_eq!(
        followed, all,
        "the follower read every event, once, in order"
    );
    for (_, last) in &acknowledged {
        assert!(
            all.binary_search(last).is_ok(),
            "acknowledged position {last} is in the log"
        );
    }
    // No append rolled back here, so no position was left unused.
    assert_gapless(&writers_handle);
}

#[test]
fn a_duplicate_racing_its_twin_is_refused_as_a_duplicate() {
    let Some(database) = Database::create() else {
        return;
    };
    let store = database.store();
    for round in 0..5 {
        let barrier = Barrier::new(8);
        let outcomes: Vec<Result<u64, AppendError>> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..8)
                .map(|racer| {
                    let (store, barrier) = (&store, &barrier);
                    scope.spawn(move || {
                        // Distinct tags: only the event's identity orders them.
                        let own = event(
                            &format!("own-{round}-{racer}"),
                            "t",
                            &[("racer", &racer.to_string())],
                        );
                        let twin = event(
                            &format!("twin-{round}"),
                            "t",
                            &[("racer", &racer.to_string())],
                        );
                        barrier.wait();
                        store.append(&[own, twin], None)
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        assert_eq!(
            outcomes.iter().filter(|o| o.is_ok()).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        for outcome in outcomes.iter().filter_map(|o| o.as_ref().err()) {
            assert!(
                matches!(outcome, AppendError::Duplicate { index: 1, existing: Existing::InLog, id, .. } if *id == format!("twin-{round}")),
                "round {round}: {outcome}"
            );
        }
    }
    // Five batches of two, whole; the twins waited for each other on the event's identity and
    // were refused before drawing a position, so none is missing.
    let all = assert_gapless(&store);
    assert_eq!(all.len(), 10);
    let plain = store
        .append(&[event("twin-0", "t", &[])], None)
        .unwrap_err();
    assert!(
        matches!(
            plain,
            AppendError::Duplicate {
                index: 0,
                existing: Existing::InLog,
                ..
            }
        ),
        "{plain}"
    );
}

#[test]
fn a_condition_already_violated_fails_with_the_first_matching_position() {
    let Some(database) = Database::create() else {
        return;
    };
    let store = database.store();
    let events: Vec<_> = (0..8)
        .map(|i| {
            let course = if i % 2 == 0 { "c1" } else { "c2" };
            let kind = if i < 4 {
                "course.defined"
            } else {
                "student.subscribed"
            };
            event(
                &format!("e{i}"),
                kind,
                &[("course", course), ("n", &i.to_string())],
            )
        })
        .collect();
    assert_eq!(store.append(&events, None).unwrap(), 8);
    let conflict = |query: Query, after: Option<u64>| match store.append(
        &[event("late", "t", &[])],
        Some(&AppendCondition::new(query, after)),
    ) {
        Err(AppendError::Conflict { position, after }) => (position, after),
        other => panic!("expected a conflict, got {other:?}"),
    };
    assert_eq!(conflict(course("c1"), Some(2)), (3, 2));
    assert_eq!(conflict(course("c1"), None), (1, 0));
    assert_eq!(
        conflict(
            Query::item(QueryItem::types(["student.subscribed"])),
            Some(1)
        ),
        (5, 1)
    );
    let subscribed_c2 = QueryItem::types(["student.subscribed"]).with_tags([tag("course:c2")]);
    assert_eq!(conflict(Query::item(subscribed_c2.clone()), None), (6, 0));
    let two = QueryItem::tags([tag("course:c1"), tag("n:6")]);
    assert_eq!(conflict(Query::item(two.clone()), Some(3)), (7, 3));
    // Items OR'd: the first position any of them matches.
    assert_eq!(
        conflict(Query::item(two).or(subscribed_c2), Some(3)),
        (6, 3)
    );
    assert_eq!(conflict(Query::all(), Some(7)), (8, 7));
    assert_eq!(store.head().unwrap(), 8, "no failed append wrote anything");
    let passes = AppendCondition::new(course("c1"), Some(7));
    assert_eq!(
        store
            .append(&[event("ok", "t", &[("course", "c1")])], Some(&passes))
            .unwrap(),
        9
    );
}

#[test]
fn handles_connecting_at_once_to_an_empty_database_all_find_one_log() {
    let Some(database) = Database::create() else {
        return;
    };
    let barrier = Barrier::new(6);
    let stores: Vec<PostgresStore> = std::thread::scope(|scope| {
        let connecting: Vec<_> = (0..6)
            .map(|_| {
                let (barrier, url) = (&barrier, &database.url);
                scope.spawn(move || {
                    barrier.wait();
                    PostgresStore::connect(url).unwrap()
                })
            })
            .collect();
        connecting.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for (i, store) in stores.iter().enumerate() {
        store
            .append(&[event(&format!("from-{i}"), "t", &[])], None)
            .unwrap();
    }
    assert_eq!(assert_gapless(&stores[0]).len(), 6);
    assert_eq!(
        stores[0].location(),
        database.url,
        "no password here to hide"
    );
}

#[test]
fn an_unreachable_server_is_an_open_error_without_the_password() {
    // Needs no server: nothing listens on port 1.
    let url = "postgresql://evident:hunter2@127.0.0.1:1/events?connect_timeout=5";
    let error = match PostgresStore::connect(url) {
        Err(error) => error,
        Ok(_) => panic!("connected to port 1"),
    };
    let text = error.to_string();
    assert!(matches!(error, StoreError::Open { .. }), "{text}");
    assert!(
        text.contains("evident:***@127.0.0.1:1") && !text.contains("hunter2"),
        "{text}"
    );
    let error = evident_store::open(url, Default::default()).err().unwrap();
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[test]
fn four_processes_appending_to_one_database_lose_nothing() {
    let Some(store) = open() else { return };
    let location = store.location.clone().unwrap();
    let arguments: Vec<Vec<String>> = (0..4)
        .map(|p| vec![format!("p{p}"), "2".into(), "30".into()])
        .collect();
    let acknowledged: Vec<String> = run_children("append", &location, &arguments)
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(acknowledged.len(), 4 * 2 * 30);
    let all = assert_gapless(&*store);
    assert_eq!(all.len(), 4 * 2 * 30 * crate::child::BATCH);
    for ack in acknowledged {
        let (batch, position) = ack.split_once(' ').unwrap();
        let position: u64 = position.parse().unwrap();
        assert_eq!(
            all[(position - 1) as usize].event.extensions["batch"],
            batch
        );
        let whole = all
            .iter()
            .filter(|e| e.event.extensions["batch"] == batch)
            .count();
        assert_eq!(whole, crate::child::BATCH, "batch {batch} whole");
    }
}

#[test]
fn course_capacity_holds_under_racing_processes() {
    let Some(store) = open() else { return };
    dcb::course_capacity_holds_under_racing_processes(&store);
}

#[test]
fn one_of_many_processes_claiming_a_username_wins() {
    let Some(store) = open() else { return };
    dcb::one_of_many_processes_claiming_a_username_wins(&store);
}

#[test]
fn invoice_numbers_hold_under_racing_processes() {
    let Some(store) = open() else { return };
    dcb::invoice_numbers_hold_under_racing_processes(&store);
}

/// A quick measure, not a benchmark: `cargo test -p evident-store --release postgres::rates --
/// --ignored --nocapture` with `EVIDENT_TEST_POSTGRES` set.
#[test]
#[ignore = "a measurement; run by hand"]
fn rates() {
    let Some(database) = Database::create() else {
        return;
    };
    let seconds = Duration::from_secs(3);
    let per_second = |count: u64, elapsed: Duration| count as f64 / elapsed.as_secs_f64();
    // PostgreSQL's own one-row commit, on one connection.
    let mut client = database.client();
    client
        .batch_execute("CREATE TABLE plain (n bigint)")
        .unwrap();
    let insert = client.prepare("INSERT INTO plain VALUES ($1)").unwrap();
    let (started, mut n) = (Instant::now(), 0i64);
    while started.elapsed() < seconds {
        client.execute(&insert, &[&n]).unwrap();
        n += 1;
    }
    let plain = per_second(n as u64, started.elapsed());
    let store = database.store();
    let conditional = |writers: usize| {
        let barrier = Barrier::new(writers);
        let (count, elapsed) = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..writers)
                .map(|w| {
                    let (store, barrier) = (&store, &barrier);
                    scope.spawn(move || {
                        let tag = format!("bench{writers}x{w}");
                        let query = course(&tag);
                        let warm = event(&format!("{tag}-warm"), "t", &[("course", &tag)]);
                        let mut last = Some(store.append(&[warm], None).unwrap());
                        barrier.wait();
                        let (started, mut n) = (Instant::now(), 0u64);
                        while started.elapsed() < seconds {
                            let e = event(&format!("{tag}-{n}"), "t", &[("course", &tag)])
                                .with_data("application/json", vec![b'x'; 100]);
                            let condition = AppendCondition::new(query.clone(), last);
                            last = Some(store.append(&[e], Some(&condition)).unwrap());
                            n += 1;
                        }
                        (n, started.elapsed())
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap())
                .fold((0, Duration::ZERO), |(n, d), (m, e)| (n + m, d.max(e)))
        });
        per_second(count, elapsed)
    };
    let one = conditional(1);
    let eight = conditional(8);
    let (started, mut batches) = (Instant::now(), 0);
    while started.elapsed() < seconds {
        let batch: Vec<_> = (0..100)
            .map(|i| {
                event(&format!("b{batches}-{i}"), "t", &[("course", "batch")])
                    .with_data("application/json", vec![b'x'; 100])
            })
            .collect();
        store.append(&batch, None).unwrap();
        batches += 1;
    }
    let batched = per_second(batches * 100, started.elapsed());
    eprintln!(
        "plain one-row commits: {plain:.0}/s; conditional appends, 1 connection: {one:.0}/s \
         ({:.2}x plain); 8 connections on distinct tags: {eight:.0}/s ({:.2}x one); \
         batches of 100: {batched:.0} events/s",
        one / plain,
        eight / one
    );
}

#[test]
fn a_database_from_before_snapshots_gets_their_table_at_connect() {
    let Some(database) = Database::create() else {
        return;
    };
    snapshots::append(&database.store(), 3);
    // What the previous version left: layout 1, without the snapshots table.
    database
        .client()
        .batch_execute("DROP TABLE evident_snapshots")
        .unwrap();
    let store = database.store();
    assert_eq!(assert_gapless(&store).len(), 3);
    let key = snapshots::key("balances");
    store.save_snapshot(&key, &snapshots::at(3)).unwrap();
    assert_eq!(store.snapshot(&key, 3).unwrap(), Some(snapshots::at(3)));
}

#[test]
fn saves_racing_on_one_key_from_eight_connections_never_keep_more_than_four() {
    let Some(database) = Database::create() else {
        return;
    };
    let store = database.store();
    snapshots::append(&store, 80);
    let key = snapshots::key("balances");
    std::thread::scope(|scope| {
        for thread in 0..8u64 {
            let (store, key, database) = (&store, &key, &database);
            scope.spawn(move || {
                let mut client = database.client();
                for n in 0..10 {
                    let snapshot = snapshots::at(thread * 10 + n + 1);
                    store.save_snapshot(key, &snapshot).unwrap();
                    let count: i64 = client
                        .query_one("SELECT count(*) FROM evident_snapshots", &[])
                        .unwrap()
                        .get(0);
                    assert!(count <= 4, "{count} kept: saves pruned side by side");
                }
            });
        }
    });
    assert_eq!(store.snapshot(&key, 77).unwrap(), Some(snapshots::at(77)));
    assert_eq!(store.snapshot(&key, 76).unwrap(), None);
    assert_eq!(store.delete_snapshots("balances").unwrap(), 4);
}
