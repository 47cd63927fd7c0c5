//! Validators (evident:db 0.5.0, world `validator-component`): every append through a
//! [`Database`] runs the validators registered for its events, one refusal refuses it all and
//! nothing is written; a hostile validator is stopped by its limits and never blocks the store.

use std::sync::Arc;

use evident_host::{Database, DatabaseError, Error, Registry, Validator};
use evident_store::{Query, QueryItem, SqliteStore, Store};
use evident_testkit::guests;
use evident_types::{Event, Parameters};
use serde_json::json;

fn validator(name: &str) -> Validator {
    let bytes = guests::component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    guests::runtime()
        .load(name, &bytes)
        .validator()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn payment(id: &str, cents: i64, currency: &str) -> Event {
    Event::new(id, "/shop", "payment.received")
        .with_json_data(&json!({"amount_cents": cents, "currency": currency}))
        .unwrap()
}

/// A database over a fresh SQLite store, with `payment-validator` registered for payments.
fn guarded() -> (Database, Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let registry = Arc::new(Registry::new(guests::runtime().clone()));
    let database = Database::new(store.clone(), registry);
    database.register_validator(
        "payment-rules",
        validator("payment-validator"),
        Query::item(QueryItem::types(["payment.received"])),
        Parameters::new(),
    );
    (database, store, dir)
}

#[test]
fn one_refused_event_refuses_the_whole_append_and_nothing_is_written() {
    let (database, store, _dir) = guarded();
    let events = [
        payment("p1", 1_250, "EUR"),
        Event::new("n1", "/shop", "note.added"),
        payment("p2", 0, "EUR"),
        payment("p3", 900, "USD"),
    ];
    let refused = database.append(&events, None).unwrap_err();
    let DatabaseError::Refused { validator, source } = &refused else {
        panic!("expected a refusal, got {refused}");
    };
    assert_eq!(validator, "payment-rules");
    assert_eq!((source.index, source.id.as_str()), (2, "p2"), "{refused}");
    assert_eq!(
        refused.refusal().map(|(code, _)| code),
        Some("not-positive")
    );
    assert!(
        refused.to_string().contains("event 2 (id `p2`)"),
        "{refused}"
    );
    assert_eq!(store.head().unwrap(), 0, "a refused append wrote something");

    let accepted = [payment("p1", 1_250, "EUR"), payment("p3", 900, "USD")];
    assert_eq!(database.append(&accepted, None).unwrap(), 2);
    assert_eq!(store.head().unwrap(), 2);
}

#[test]
fn a_validator_sees_only_the_events_it_is_registered_for() {
    let (database, _store, _dir) = guarded();
    // Not a payment: its data would be refused as a payment's, but the validator never sees it.
    let note = Event::new("n1", "/shop", "note.added").with_json_data(&json!({"amount_cents": -1}));
    database.append(&[note.unwrap()], None).unwrap();
}

#[test]
fn the_outcome_does_not_depend_on_how_many_events_are_checked_at_once() {
    let rules = validator("payment-validator");
    let mut events: Vec<Event> = (0..50)
        .map(|i| payment(&format!("p{i}"), 100 + i, "EUR"))
        .collect();
    rules.validate(&events, &Parameters::new()).unwrap();
    events[37] = payment("bad", 500, "GBP");
    let refused = rules.validate(&events, &Parameters::new()).unwrap_err();
    assert_eq!((refused.index, refused.id.as_str()), (37, "bad"));
    let alone = rules
        .validate(&events[37..38], &Parameters::new())
        .unwrap_err();
    assert_eq!(alone.error.refusal(), refused.error.refusal());
    assert_eq!(
        refused.error.refusal().map(|(code, _)| code),
        Some("unknown-currency")
    );
    let taken = Parameters::from(vec![("currencies".to_owned(), "EUR,GBP".to_owned())]);
    rules.validate(&events, &taken).unwrap();
}

#[test]
fn a_looping_validator_refuses_the_append_with_a_limit_error_and_never_blocks_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let registry = Arc::new(Registry::new(guests::runtime().clone()));
    let database = Database::new(store.clone(), registry);
    database.register_validator(
        "spinner",
        validator("hostile-validator-loop"),
        Query::item(QueryItem::types(["payment.received"])),
        Parameters::new(),
    );
    let refused = database
        .append(
            &[payment("p1", 100, "EUR"), payment("p2", 200, "EUR")],
            None,
        )
        .unwrap_err();
    let DatabaseError::Refused { validator, source } = &refused else {
        panic!("expected a refusal, got {refused}");
    };
    assert_eq!((validator.as_str(), source.index), ("spinner", 0));
    assert!(
        matches!(*source.error, Error::FuelExhausted { .. }),
        "{refused}"
    );
    assert_eq!(store.head().unwrap(), 0);
    // The store takes appends the spinner does not guard, and others' appends, right after.
    database
        .append(&[Event::new("n1", "/shop", "note.added")], None)
        .unwrap();
    store
        .append(&[Event::new("n2", "/shop", "note.added")], None)
        .unwrap();
    assert_eq!(store.head().unwrap(), 2);
}

#[test]
fn a_decision_whose_events_a_validator_refuses_appends_nothing() {
    use evident_host::DatabaseConfig;
    use evident_store::MemoryStore;

    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let database = super::database::course_database(store.clone(), DatabaseConfig::default());
    database.register_validator(
        "spinner",
        validator("hostile-validator-loop"),
        Query::item(QueryItem::types(["course.defined"])),
        Parameters::new(),
    );
    let decider = super::database::decider("course-subscriptions");
    let refused = database
        .decide_and_append(
            &decider,
            &super::database::define("c1", 3),
            &Parameters::new(),
            3,
        )
        .unwrap_err();
    assert!(
        matches!(&refused, DatabaseError::Refused { validator, .. } if validator == "spinner"),
        "{refused}"
    );
    assert!(!refused.is_retryable(), "a refusal is not a conflict");
    assert_eq!(store.head().unwrap(), 0);
}
