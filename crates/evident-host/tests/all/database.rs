//! Materialized views over an event store, and deciders that read them through the `database`
//! import (evident:db 0.4.0): `guests/course-subscriptions` over the views
//! `guests/course-capacity` and `guests/student-courses`.

use std::sync::{Arc, Barrier};

use evident_host::{
    ComponentKind, Database, DatabaseConfig, DatabaseDecider, DatabaseError, Read, Registry,
    Sandbox, ViewStateError,
};
use evident_store::{AppendError, MemoryStore, Query, QueryItem, SqliteStore, Store};
use evident_testkit::guests;
use evident_types::{Command, Event, Parameters};
use serde_json::{Value, json};

/// A registry with the two course views, a database over `store` declaring their queries.
pub(super) fn course_database(store: Arc<dyn Store>, config: DatabaseConfig) -> Database {
    let registry = Registry::new(guests::runtime().clone());
    for view in ["course-capacity", "student-courses"] {
        let bytes = guests::component_bytes(view).unwrap_or_else(|e| panic!("{e}"));
        registry
            .register(view, "1.0.0", &bytes, ComponentKind::View, Sandbox::Strict)
            .unwrap();
    }
    let database = Database::with_config(store, Arc::new(registry), config);
    database.declare_view(
        "course-capacity",
        Query::item(
            QueryItem::types([
                "course.defined",
                "course.capacity-changed",
                "student.subscribed",
            ])
            .with_tags(["course:{course}".parse().unwrap()]),
        ),
    );
    database.declare_view(
        "student-courses",
        Query::item(
            QueryItem::types(["student.subscribed"])
                .with_tags(["student:{student}".parse().unwrap()]),
        ),
    );
    database
}

pub(super) fn decider(name: &str) -> DatabaseDecider {
    let bytes = guests::component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    guests::runtime()
        .load(name, &bytes)
        .database_decider()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn command(value: Value) -> Command {
    Command::json(&value).unwrap()
}

pub(super) fn define(course: &str, capacity: u32) -> Command {
    command(json!({"type": "define-course", "course": course, "capacity": capacity}))
}

fn subscribe(course: &str, student: &str) -> Command {
    command(json!({"type": "subscribe", "course": course, "student": student}))
}

fn capacity(database: &Database, course: &str) -> Value {
    let parameters = Parameters::new().with("course", course);
    let read = database
        .view_state("course-capacity", None, &parameters, None)
        .unwrap();
    serde_json::from_slice(&read.state.bytes).unwrap()
}

fn refusal(error: &DatabaseError) -> &str {
    error
        .refusal()
        .unwrap_or_else(|| panic!("not a refusal: {error}"))
        .0
}

#[test]
fn a_course_fills_up_and_refuses_as_its_views_say() {
    let database = course_database(Arc::new(MemoryStore::new()), DatabaseConfig::default());
    let courses = decider("course-subscriptions");
    let none = Parameters::new();
    let defined = database
        .decide_and_append(&courses, &define("c1", 2), &none, 5)
        .unwrap();
    assert_eq!(defined.positions(), [1]);
    let first = database
        .decide_and_append(&courses, &subscribe("c1", "s1"), &none, 5)
        .unwrap();
    assert_eq!(first.events[0].1.event_type, "student.subscribed");
    assert_eq!(first.attempts, 1);
    let again = database
        .decide_and_append(&courses, &subscribe("c1", "s1"), &none, 5)
        .unwrap_err();
    assert_eq!(refusal(&again), "already-subscribed");
    database
        .decide_and_append(&courses, &subscribe("c1", "s2"), &none, 5)
        .unwrap();
    let full = database
        .decide_and_append(&courses, &subscribe("c1", "s3"), &none, 5)
        .unwrap_err();
    assert_eq!(refusal(&full), "course-full");
    let unknown = database
        .decide_and_append(&courses, &subscribe("c9", "s1"), &none, 5)
        .unwrap_err();
    assert_eq!(refusal(&unknown), "no-such-course");
    assert_eq!(capacity(&database, "c1")["subscribed"], 2);
    assert_eq!(database.store().head().unwrap(), 3);
}

#[test]
fn a_student_holds_at_most_five_courses() {
    let database = course_database(Arc::new(MemoryStore::new()), DatabaseConfig::default());
    let courses = decider("course-subscriptions");
    let none = Parameters::new();
    for course in ["c1", "c2", "c3", "c4", "c5", "c6"] {
        database
            .decide_and_append(&courses, &define(course, 10), &none, 5)
            .unwrap();
    }
    for course in ["c1", "c2", "c3", "c4", "c5"] {
        database
            .decide_and_append(&courses, &subscribe(course, "s1"), &none, 5)
            .unwrap();
    }
    let sixth = database
        .decide_and_append(&courses, &subscribe("c6", "s1"), &none, 5)
        .unwrap_err();
    assert_eq!(refusal(&sixth), "student-at-limit");
}

#[test]
fn the_derived_condition_covers_what_was_read_and_conflicts_with_a_racing_append() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let database = course_database(store.clone(), DatabaseConfig::default());
    let courses = decider("course-subscriptions");
    let none = Parameters::new();
    database
        .decide_and_append(&courses, &define("c1", 5), &none, 5)
        .unwrap();
    let decided = database
        .decide(&courses, &subscribe("c1", "s1"), &none)
        .unwrap();
    assert!(decided.derived, "the guest returned no condition");
    assert_eq!(decided.revision, 1);
    let read_views: Vec<&str> = decided
        .reads
        .iter()
        .filter_map(|read| match read {
            Read::View { name, .. } => Some(name.as_str()),
            Read::Events(_) => None,
        })
        .collect();
    assert_eq!(read_views, ["course-capacity", "student-courses"]);
    let condition = decided.condition.clone().unwrap();
    assert_eq!(condition.after, Some(1));
    // Another course's event does not touch what the decision read ...
    let other = Event::new("c2", "/courses", "course.defined").with_extension("course", "c2");
    store.append(&[other], None).unwrap();
    // ... a racing subscription to c1 does.
    let racing = Event::new("c1/s9", "/courses", "student.subscribed")
        .with_extension("course", "c1")
        .with_extension("student", "s9");
    store.append(&[racing], None).unwrap();
    let conflict = store
        .append(&decided.events, decided.condition.as_ref())
        .unwrap_err();
    assert!(
        matches!(
            conflict,
            AppendError::Conflict {
                position: 3,
                after: 1
            }
        ),
        "{conflict}"
    );
    // decide_and_append decides again at the new head, and succeeds.
    let appended = database
        .decide_and_append(&courses, &subscribe("c1", "s1"), &none, 5)
        .unwrap();
    assert_eq!(appended.decided.revision, 3);
    assert_eq!(capacity(&database, "c1")["subscribed"], 2);
}

#[test]
fn a_guest_written_condition_is_used_as_given() {
    let database = course_database(Arc::new(MemoryStore::new()), DatabaseConfig::default());
    let users = decider("unique-username");
    let none = Parameters::new();
    let register =
        |user: &str| command(json!({"type": "register", "user": user, "username": "ann"}));
    let first = database
        .decide_and_append(&users, &register("u1"), &none, 5)
        .unwrap();
    assert!(!first.decided.derived);
    assert_eq!(first.decided.reads.len(), 1);
    let taken = database
        .decide_and_append(&users, &register("u2"), &none, 5)
        .unwrap_err();
    assert_eq!(refusal(&taken), "username-taken");
}

#[test]
fn views_answer_from_the_newest_snapshot_and_a_new_process_starts_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let config = DatabaseConfig {
        snapshot_every_events: 2,
        ..DatabaseConfig::default()
    };
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let database = course_database(store.clone(), config.clone());
    let courses = decider("course-subscriptions");
    let none = Parameters::new();
    database
        .decide_and_append(&courses, &define("c1", 10), &none, 5)
        .unwrap();
    for student in ["s1", "s2", "s3", "s4", "s5"] {
        database
            .decide_and_append(&courses, &subscribe("c1", student), &none, 5)
            .unwrap();
    }
    let c1 = Parameters::new().with("course", "c1");
    let head = database
        .view_state("course-capacity", None, &c1, None)
        .unwrap();
    assert_eq!(head.position, 6);
    let future = database
        .view_state("course-capacity", None, &c1, Some(7))
        .unwrap_err();
    assert!(
        matches!(future, ViewStateError::PastHead { at: 7, head: 6 }),
        "{future}"
    );
    // Just behind the state kept (a decision reading while another moved the view on), from
    // the state kept before it.
    let behind = database
        .view_state("course-capacity", None, &c1, Some(5))
        .unwrap();
    let state: Value = serde_json::from_slice(&behind.state.bytes).unwrap();
    assert_eq!(state["subscribed"], 4);
    assert!(!behind.from_snapshot && behind.from == 5, "{behind:?}");
    // Further back, from a snapshot at or before it, not from the start.
    let earlier = database
        .view_state("course-capacity", None, &c1, Some(3))
        .unwrap();
    let state: Value = serde_json::from_slice(&earlier.state.bytes).unwrap();
    assert_eq!(state["subscribed"], 2);
    assert!(earlier.from_snapshot && earlier.from > 0, "{earlier:?}");
    drop(database);
    // A new database (another process, as far as the view knows) starts at the newest
    // snapshot and folds only the events after it.
    let reopened = course_database(store, config);
    let read = reopened
        .view_state("course-capacity", None, &c1, None)
        .unwrap();
    assert!(read.from_snapshot, "{read:?}");
    assert!(read.events_folded < 6, "{read:?}");
    let state: Value = serde_json::from_slice(&read.state.bytes).unwrap();
    assert_eq!(state["subscribed"], 5);
}

#[test]
fn a_changed_component_never_reuses_another_components_snapshot() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let config = DatabaseConfig {
        snapshot_every_events: 1,
        ..DatabaseConfig::default()
    };
    let database = course_database(store.clone(), config.clone());
    let courses = decider("course-subscriptions");
    database
        .decide_and_append(&courses, &define("c1", 3), &Parameters::new(), 5)
        .unwrap();
    let c1 = Parameters::new().with("course", "c1");
    database
        .view_state("course-capacity", None, &c1, None)
        .unwrap();
    // Version 2.0.0 of the view is another component: it folds from the start.
    let other = guests::component_bytes("event-counter").unwrap();
    database
        .registry()
        .register(
            "course-capacity",
            "2.0.0",
            &other,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    let read = database
        .view_state("course-capacity", Some("2.0.0"), &c1, None)
        .unwrap();
    assert!(!read.from_snapshot, "{read:?}");
    assert_eq!(read.from, 0);
    assert_eq!(read.events_folded, 1);
}

#[test]
fn a_view_that_fails_stalls_at_its_last_good_position_and_rebuild_reports_it() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let registry = Registry::new(guests::runtime().clone());
    let bytes = guests::component_bytes("hostile-trap").unwrap();
    registry
        .register(
            "fragile",
            "1.0.0",
            &bytes,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    let database = Database::new(store.clone(), Arc::new(registry));
    store.append(&[Event::new("1", "/t", "ok")], None).unwrap();
    store
        .append(&[Event::new("2", "/t", "unreachable")], None)
        .unwrap();
    store.append(&[Event::new("3", "/t", "ok")], None).unwrap();
    let none = Parameters::new();
    let stalled = |result: Result<(), ViewStateError>| match result {
        Err(ViewStateError::Stalled {
            position,
            failed_at,
            ..
        }) => (position, failed_at),
        Err(other) => panic!("not stalled: {other}"),
        Ok(()) => panic!("folded past a trap"),
    };
    assert_eq!(
        stalled(
            database
                .view_state("fragile", None, &none, None)
                .map(|_| ())
        ),
        (1, 2)
    );
    // It keeps saying so, and still answers before the failing event.
    assert_eq!(
        stalled(
            database
                .view_state("fragile", None, &none, None)
                .map(|_| ())
        ),
        (1, 2)
    );
    let before = database
        .view_state("fragile", None, &none, Some(1))
        .unwrap();
    assert_eq!(&before.state.bytes[..], br#"{"passed":1}"#);
    let mut reports = Vec::new();
    let rebuilt = database.rebuild("fragile", None, &none, &mut |at, head| {
        reports.push((at, head))
    });
    assert_eq!(stalled(rebuilt.map(|_| ())), (1, 2));
}

#[test]
fn an_unknown_view_reads_as_none_and_a_view_needs_its_parameters() {
    let database = course_database(Arc::new(MemoryStore::new()), DatabaseConfig::default());
    let missing = database
        .view_state("course-capacity", None, &Parameters::new(), None)
        .unwrap_err();
    assert!(
        matches!(&missing, ViewStateError::Parameters { view, .. } if view == "course-capacity"),
        "{missing}"
    );
    let unknown = database
        .view_state("no-such-view", None, &Parameters::new(), None)
        .unwrap_err();
    assert!(matches!(unknown, ViewStateError::Unknown(_)), "{unknown}");
}

#[test]
fn a_view_cannot_be_loaded_as_a_database_decider_nor_a_decider_as_a_view() {
    let view = guests::component_bytes("course-capacity").unwrap();
    let error = guests::runtime()
        .load("course-capacity", &view)
        .database_decider()
        .expect_err("a view is not a decider");
    assert!(error.to_string().contains("evident:db/decider"), "{error}");
    let decider = guests::component_bytes("course-subscriptions").unwrap();
    let error = guests::runtime()
        .load("course-subscriptions", &decider)
        .view()
        .expect_err("a decider that imports `database` is not a view");
    assert!(error.to_string().contains("database"), "{error}");
}

/// Many threads subscribe distinct students to one course through `decide_and_append`:
/// exactly `capacity` succeed, every other is refused `course-full`, and the view equals a
/// sequential replay of the log.
fn race_subscriptions(store: Arc<dyn Store>) {
    const CAPACITY: usize = 3;
    const STUDENTS: usize = 12;
    let database = course_database(store.clone(), DatabaseConfig::default());
    let courses = decider("course-subscriptions");
    let none = Parameters::new();
    database
        .decide_and_append(&courses, &define("race", CAPACITY as u32), &none, 5)
        .unwrap();
    let barrier = Arc::new(Barrier::new(STUDENTS));
    let outcomes: Vec<Result<u32, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..STUDENTS)
            .map(|student| {
                let (database, courses, barrier) = (&database, &courses, barrier.clone());
                scope.spawn(move || {
                    barrier.wait();
                    let command = subscribe("race", &format!("s{student}"));
                    match database.decide_and_append(courses, &command, &Parameters::new(), 50) {
                        Ok(appended) => Ok(appended.attempts),
                        Err(e) => Err(e
                            .refusal()
                            .map(|(code, _)| code.to_owned())
                            .unwrap_or_else(|| e.to_string())),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let succeeded = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    assert_eq!(succeeded, CAPACITY, "{outcomes:?}");
    for outcome in &outcomes {
        if let Err(code) = outcome {
            assert_eq!(code, "course-full", "{outcomes:?}");
        }
    }
    let subscribed = store
        .read(
            &Query::item(QueryItem::types(["student.subscribed"])),
            0,
            None,
        )
        .unwrap()
        .count();
    assert_eq!(subscribed, CAPACITY);
    // The materialized view agrees with a sequential replay by a fresh database.
    let fresh = course_database(store, DatabaseConfig::default());
    assert_eq!(capacity(&database, "race"), capacity(&fresh, "race"));
    assert_eq!(capacity(&fresh, "race")["subscribed"], CAPACITY);
}

#[test]
fn racing_threads_fill_a_course_exactly_in_memory() {
    race_subscriptions(Arc::new(MemoryStore::new()));
}

#[test]
fn racing_threads_fill_a_course_exactly_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    race_subscriptions(Arc::new(
        SqliteStore::open(dir.path().join("store")).unwrap(),
    ));
}

#[test]
fn racing_threads_fill_a_course_exactly_on_postgres() {
    let Some(server) = postgres_server() else {
        return;
    };
    let name = format!("evident_host_test_{}", std::process::id());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to EVIDENT_TEST_POSTGRES: {e}"));
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("EVIDENT_TEST_POSTGRES has no database: {server}"),
    };
    let store = evident_store::PostgresStore::connect(&url).unwrap();
    race_subscriptions(Arc::new(store));
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
}

/// The PostgreSQL server the tests use (`EVIDENT_TEST_POSTGRES`, as `.ci/postgres start` sets
/// it); its absence fails the test under CI and skips it, saying so, elsewhere.
fn postgres_server() -> Option<String> {
    match std::env::var("EVIDENT_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|ci| !matches!(ci.as_str(), "" | "false" | "0")) => {
            panic!("EVIDENT_TEST_POSTGRES is not set: under CI this test runs against PostgreSQL")
        }
        _ => {
            eprintln!("*** SKIPPED: set EVIDENT_TEST_POSTGRES to race on PostgreSQL ***");
            None
        }
    }
}

#[test]
fn the_registry_holds_deciders_by_name_and_version_beside_views() {
    let registry = Registry::new(guests::runtime().clone());
    let bytes = guests::component_bytes("course-subscriptions").unwrap();
    let info = registry
        .register(
            "courses",
            "1.0.0",
            &bytes,
            ComponentKind::DatabaseDecider,
            Sandbox::Strict,
        )
        .unwrap();
    assert_eq!(
        (info.kind, info.wit_version),
        (ComponentKind::DatabaseDecider, "0.5.0")
    );
    let decider = registry.database_decider("courses").unwrap();
    assert_eq!(decider.version.to_string(), "1.0.0");
    let wrong = registry
        .view("courses")
        .expect_err("a decider is not a view");
    assert!(wrong.to_string().contains("database decider"), "{wrong}");
}

/// The Python twin of `course-subscriptions` makes the same decisions over the same views.
#[test]
fn the_python_twin_decides_as_the_rust_decider_does() {
    let Some(bytes) = guests::or_skip(guests::component_bytes("python-course-subscriptions"))
    else {
        return;
    };
    let python = guests::runtime()
        .load("python-course-subscriptions", &bytes)
        .wasi()
        .database_decider()
        .unwrap_or_else(|e| panic!("{e}"));
    let rust = decider("course-subscriptions");
    let none = Parameters::new();
    let story = [
        define("c1", 1),
        subscribe("c1", "s1"),
        subscribe("c1", "s1"),
        subscribe("c1", "s2"),
        subscribe("c2", "s1"),
    ];
    // The same events, data compared as JSON values (the twins order the data's keys as
    // their languages do).
    type Outcome = Result<Vec<(String, String, Value)>, String>;
    let run = |decider: &DatabaseDecider| -> Vec<Outcome> {
        let database = course_database(Arc::new(MemoryStore::new()), DatabaseConfig::default());
        story
            .iter()
            .map(|command| {
                database
                    .decide_and_append(decider, command, &none, 5)
                    .map(|appended| {
                        let events = appended.events.into_iter().map(|(_, event)| {
                            let data: Value =
                                serde_json::from_slice(event.data.as_deref().unwrap()).unwrap();
                            let rest = json!({
                                "source": event.source,
                                "datacontenttype": event.datacontenttype,
                                "extensions": event.extensions,
                                "data": data,
                            });
                            (event.id, event.event_type, rest)
                        });
                        events.collect()
                    })
                    .map_err(|e| refusal(&e).to_owned())
            })
            .collect()
    };
    assert_eq!(run(&python), run(&rust));
}

/// `guests/hostile-database` over a store of 1,500 events, with `fragile` (a view that traps
/// on events of type `unreachable`) registered.
fn hostile_database() -> (Database, DatabaseDecider) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let mut events: Vec<Event> = (0..1_500)
        .map(|i| Event::new(format!("e{i}"), "/t", "ok"))
        .collect();
    events[1_200].event_type = "unreachable".into();
    store.append(&events, None).unwrap();
    let registry = Registry::new(guests::runtime().clone());
    let trap = guests::component_bytes("hostile-trap").unwrap();
    registry
        .register(
            "fragile",
            "1.0.0",
            &trap,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    (
        Database::new(store, Arc::new(registry)),
        decider("hostile-database"),
    )
}

fn abuse(kind: &str) -> Command {
    command(json!({"type": kind}))
}

#[test]
fn a_decider_querying_in_a_loop_is_stopped_by_fuel() {
    let (database, abuser) = hostile_database();
    let error = database
        .decide(&abuser, &abuse("query-loop"), &Parameters::new())
        .unwrap_err();
    assert!(
        matches!(
            error,
            DatabaseError::Decide(evident_host::Error::FuelExhausted { .. })
        ),
        "{error}"
    );
    // The same database serves the well-behaved right after.
    let courses = decider("course-subscriptions");
    let error = database
        .decide(&courses, &subscribe("c1", "s1"), &Parameters::new())
        .unwrap_err();
    assert!(error.refusal().is_some(), "{error}");
}

#[test]
fn a_huge_limit_gets_one_capped_page() {
    let (database, abuser) = hostile_database();
    let error = database
        .decide(&abuser, &abuse("huge-limit"), &Parameters::new())
        .unwrap_err();
    assert_eq!(error.refusal(), Some(("count", "1000")));
}

#[test]
fn an_unknown_view_reads_as_none_in_a_decision() {
    let (database, abuser) = hostile_database();
    let error = database
        .decide(&abuser, &abuse("unknown-view"), &Parameters::new())
        .unwrap_err();
    assert_eq!(error.refusal().map(|(code, _)| code), Some("none"));
}

#[test]
fn a_view_that_traps_fails_the_decision_naming_the_view() {
    let (database, abuser) = hostile_database();
    let read = command(json!({"type": "read-view", "view": "fragile"}));
    let error = database
        .decide(&abuser, &read, &Parameters::new())
        .unwrap_err();
    match &error {
        DatabaseError::View(view) => match view.as_ref() {
            ViewStateError::Stalled {
                view, failed_at, ..
            } => assert_eq!((view.as_str(), *failed_at), ("fragile", 1_201)),
            other => panic!("{other}"),
        },
        other => panic!("{other}"),
    }
    assert!(error.to_string().contains("fragile"), "{error}");
}

#[test]
fn a_follower_keeps_materialized_views_at_the_head() {
    let database = course_database(Arc::new(MemoryStore::new()), DatabaseConfig::default());
    let courses = decider("course-subscriptions");
    let none = Parameters::new();
    database
        .decide_and_append(&courses, &define("c1", 50), &none, 5)
        .unwrap();
    let c1 = Parameters::new().with("course", "c1");
    database
        .view_state("course-capacity", None, &c1, None)
        .unwrap();
    // The view's metrics count the events it folds: counted from here.
    let view = database.registry().view("course-capacity").unwrap();
    let before = view.metrics().events;
    let _follower = database.follow();
    // Appended behind the view's back: the follower folds them, so a read finds nothing to do.
    for i in 0..20 {
        let event = Event::new(format!("c1/s{i}"), "/courses", "student.subscribed")
            .with_extension("course", "c1")
            .with_extension("student", format!("s{i}"));
        database.store().append(&[event], None).unwrap();
    }
    // Wait, without reading, until the view has folded them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while view.metrics().events < before + 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the follower never caught up"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let read = database
        .view_state("course-capacity", None, &c1, None)
        .unwrap();
    assert_eq!(read.events_folded, 0, "{read:?}");
    let state: Value = serde_json::from_slice(&read.state.bytes).unwrap();
    assert_eq!(state["subscribed"], 20);
}
