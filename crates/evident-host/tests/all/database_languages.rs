//! The Dynamic Consistency Boundary invoice numbers (evident:db 0.4.0, world
//! `database-decider`) in the languages whose components import WASI: `guests/js-invoice-numbers`
//! and its Go twin `guests/go-invoice-numbers`, each loaded with
//! `load_database_decider_wasi` and run through the real host over a real store. A language
//! whose toolchain cannot be installed is skipped outside CI and fails the test under CI
//! ([`guests::or_skip`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use evident_host::{Database, DatabaseDecider, DatabaseError, Decided, Limits, Read, Registry};
use evident_store::{AppendError, MemoryStore, Position, Query, QueryItem, SqliteStore, Store};
use evident_testkit::guests;
use evident_types::{Command, Event, Parameters};
use serde_json::{Value, json};

/// The two deciders, JavaScript first.
const LANGUAGES: [&str; 2] = ["js-invoice-numbers", "go-invoice-numbers"];

/// `guests/<name>` built and loaded once per process, or `None` if its toolchain is missing
/// (outside CI).
fn invoice_decider(name: &str) -> Option<DatabaseDecider> {
    static LOADED: Mutex<Option<HashMap<String, Option<DatabaseDecider>>>> = Mutex::new(None);
    let mut loaded = LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let loaded = loaded.get_or_insert_with(HashMap::new);
    if let Some(decider) = loaded.get(name) {
        return decider.clone();
    }
    let decider = guests::or_skip(guests::component_bytes(name)).map(|bytes| {
        guests::runtime()
            .load(name, &bytes)
            .wasi()
            .database_decider()
            .unwrap_or_else(|e| panic!("{e}"))
    });
    loaded.insert(name.to_owned(), decider.clone());
    decider
}

/// The deciders whose toolchains are at hand, with their names.
fn deciders() -> Vec<(&'static str, DatabaseDecider)> {
    LANGUAGES
        .iter()
        .filter_map(|name| invoice_decider(name).map(|decider| (*name, decider)))
        .collect()
}

/// A database over `store`: the invoice deciders read no view, so its registry is empty.
fn database(store: Arc<dyn Store>) -> Database {
    Database::new(store, Arc::new(Registry::new(guests::runtime().clone())))
}

fn memory_database() -> Database {
    database(Arc::new(MemoryStore::new()))
}

fn create(invoice: &str, amount: Value) -> Command {
    Command::json(&json!({"type": "create-invoice", "invoice": invoice, "amount": amount})).unwrap()
}

/// Every `invoice.created` event: what the number depends on, and the guests' own condition.
fn invoices() -> Query {
    Query::item(QueryItem::types(["invoice.created"]))
}

/// An `invoice.created` event as the deciders write it.
fn invoice_created(invoice: &str, number: u64, amount: Value) -> Event {
    Event::new(invoice, "/invoices", "invoice.created")
        .with_extension("invoice", invoice)
        .with_json_data(&json!({"invoice": invoice, "number": number, "amount": amount}))
        .unwrap()
}

/// An event of the same store that is no invoice: the deciders must not count it.
fn other(id: &str) -> Event {
    Event::new(id, "/orders", "order.placed")
        .with_extension("invoice", id)
        .with_json_data(&json!({"number": 999}))
        .unwrap()
}

/// Every attribute of `event`, its data parsed as JSON (the languages write the data's keys
/// and numbers each in its own way).
fn shape(event: &Event) -> Value {
    let data = event.data.as_deref().map(|data| {
        serde_json::from_slice::<Value>(data)
            .unwrap_or_else(|e| panic!("event {}: data is not JSON: {e}", event.id))
    });
    json!({
        "id": event.id,
        "source": event.source,
        "specversion": event.spec_version,
        "type": event.event_type,
        "datacontenttype": event.datacontenttype,
        "dataschema": event.dataschema,
        "subject": event.subject,
        "time": event.time.as_ref().map(Event::format_time),
        "extensions": event.extensions,
        "data": data,
    })
}

/// The number of the invoice `event` created.
fn number(event: &Event) -> u64 {
    let data: Value = event.data_json().unwrap();
    data["number"]
        .as_u64()
        .unwrap_or_else(|| panic!("no invoice number in {data}"))
}

/// The condition a decider appends under, as the store applies it: a missing `after` is the
/// same as 0 (after any position), which JavaScript sends and Go leaves out.
fn condition(decided: &Decided) -> (Query, Position) {
    let condition = decided.condition.as_ref().expect("a condition");
    (
        condition.fail_if_events_match.clone(),
        condition.after_position(),
    )
}

/// A decision as the languages must agree on it.
fn decision(decided: &Decided) -> Value {
    let (query, after) = condition(decided);
    json!({
        "events": decided.events.iter().map(shape).collect::<Vec<_>>(),
        "condition": {"query": query.to_json(), "after": after},
        "derived": decided.derived,
        "revision": decided.revision,
        "reads": decided.reads.iter().map(|read| format!("{read:?}")).collect::<Vec<_>>(),
    })
}

/// The refusal's code and message.
fn refusal(error: &DatabaseError) -> (String, String) {
    let (code, message) = error
        .refusal()
        .unwrap_or_else(|| panic!("not a refusal: {error}"));
    (code.to_owned(), message.to_owned())
}

/// Five invoices created one after the other on `store` get the numbers 1 to 5, each appended
/// under the decider's own condition (the invoices after the revision it read at).
fn five_invoices_in_a_row(name: &str, decider: &DatabaseDecider, store: Arc<dyn Store>) {
    let database = database(store);
    let none = Parameters::new();
    for n in 1..=5u64 {
        let invoice = format!("i-{n}");
        let amount = json!(100 * n);
        let appended = database
            .decide_and_append(decider, &create(&invoice, amount.clone()), &none, 5)
            .unwrap_or_else(|e| panic!("{name}: invoice {n}: {e}"));
        assert_eq!(appended.attempts, 1, "{name}");
        assert_eq!(appended.positions(), [n], "{name}");
        let decided = &appended.decided;
        assert!(!decided.derived, "{name}: the guest gave its own condition");
        assert_eq!(decided.revision, n - 1, "{name}");
        assert_eq!(condition(decided), (invoices(), n - 1), "{name}");
        assert_eq!(
            shape(&appended.events[0].1),
            shape(&invoice_created(&invoice, n, amount)),
            "{name}"
        );
    }
    let logged: Vec<u64> = database
        .store()
        .read(&invoices(), 0, None)
        .unwrap()
        .map(|stored| number(&stored.unwrap().event))
        .collect();
    assert_eq!(logged, [1, 2, 3, 4, 5], "{name}");
}

#[test]
fn number_five_invoices_in_a_row_one_to_five() {
    for (name, decider) in deciders() {
        five_invoices_in_a_row(name, &decider, Arc::new(MemoryStore::new()));
    }
}

#[test]
fn number_invoices_and_conflict_on_sqlite() {
    for (name, decider) in deciders() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("events")).unwrap());
        five_invoices_in_a_row(name, &decider, store.clone());
        // A rival appended between the decision and its append: the condition catches it.
        let database = database(store.clone());
        let none = Parameters::new();
        let late = create("i-late", json!(7));
        let decided = database.decide(&decider, &late, &none).unwrap();
        assert_eq!(number(&decided.events[0]), 6, "{name}");
        store
            .append(&[invoice_created("i-rival", 6, json!(1))], None)
            .unwrap();
        let error = store
            .append(&decided.events, decided.condition.as_ref())
            .unwrap_err();
        assert!(
            matches!(
                error,
                AppendError::Conflict {
                    position: 6,
                    after: 5
                }
            ),
            "{name}: {error}"
        );
        let appended = database
            .decide_and_append(&decider, &late, &none, 5)
            .unwrap();
        assert_eq!(appended.positions(), [7], "{name}");
        assert_eq!(number(&appended.events[0].1), 7, "{name}");
    }
}

#[test]
fn decide_alike_on_the_same_store() {
    let (Some(js), Some(go)) = (invoice_decider(LANGUAGES[0]), invoice_decider(LANGUAGES[1]))
    else {
        return;
    };
    let database = memory_database();
    let store = database.store().clone();
    let none = Parameters::new();
    let commands = [
        create("i-1", json!(100)),
        create("i-2", json!(12.5)),
        create("i-3", json!(0.1)),
        create("i-4", json!(1e21)),
        create("i-5", json!(3)),
        create("i-6", json!(u64::MAX)),
    ];
    for (i, command) in commands.iter().enumerate() {
        // Events that are no invoices, before and between the invoices: the revision is not
        // the count of invoices, and the last page of invoices ends before the revision.
        store.append(&[other(&format!("o-{i}"))], None).unwrap();
        let by_js = database.decide(&js, command, &none).unwrap();
        let by_go = database.decide(&go, command, &none).unwrap();
        assert_eq!(decision(&by_js), decision(&by_go), "command {i}");
        assert_eq!(number(&by_js.events[0]), i as u64 + 1);
        // The languages take turns appending: each decides on the other's events.
        let appended = if i % 2 == 0 { by_js } else { by_go };
        store
            .append(&appended.events, appended.condition.as_ref())
            .unwrap();
    }
    let refused = [
        command_value(json!({"type": "create-invoice", "invoice": "i-x", "amount": 0})),
        command_value(json!({"type": "create-invoice", "invoice": "i-x", "amount": -5})),
        command_value(json!({"type": "create-invoice", "invoice": "i-x", "amount": "100"})),
        command_value(json!({"type": "create-invoice", "invoice": "i-x"})),
        command_value(json!({"type": "create-invoice", "invoice": "", "amount": 1})),
        command_value(json!({"type": "create-invoice", "invoice": 7, "amount": 1})),
        command_value(json!({"type": "cancel-invoice", "invoice": "i-1"})),
        command_value(json!([1, 2])),
        command_value(json!(null)),
    ];
    for command in &refused {
        let by_js = refusal(&database.decide(&js, command, &none).unwrap_err());
        let by_go = refusal(&database.decide(&go, command, &none).unwrap_err());
        assert_eq!(
            by_js,
            by_go,
            "{:?}",
            String::from_utf8_lossy(&command.bytes)
        );
        assert_eq!(by_js.0, "validation");
    }
    // An invoice.created event with no number fails both the same way.
    store
        .append(
            &[Event::new("broken", "/invoices", "invoice.created")
                .with_json_data(&json!({"invoice": "broken"}))
                .unwrap()],
            None,
        )
        .unwrap();
    let next = create("i-next", json!(1));
    let by_js = refusal(&database.decide(&js, &next, &none).unwrap_err());
    let by_go = refusal(&database.decide(&go, &next, &none).unwrap_err());
    assert_eq!(by_js.0, "internal", "{by_js:?}");
    assert_eq!(by_go.0, "internal", "{by_go:?}");
}

fn command_value(value: Value) -> Command {
    Command::json(&value).unwrap()
}

#[test]
fn conflict_with_a_racing_invoice_then_take_the_next_number() {
    for (name, decider) in deciders() {
        let database = memory_database();
        let store = database.store().clone();
        let none = Parameters::new();
        for n in 1..=2 {
            database
                .decide_and_append(&decider, &create(&format!("i-{n}"), json!(10)), &none, 5)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        // Decided, not appended: number 3 at revision 2.
        let mine = create("i-mine", json!(50));
        let decided = database.decide(&decider, &mine, &none).unwrap();
        assert_eq!(number(&decided.events[0]), 3, "{name}");
        assert_eq!(condition(&decided), (invoices(), 2), "{name}");
        // Another writer takes number 3 behind its back.
        store
            .append(&[invoice_created("i-theirs", 3, json!(70))], None)
            .unwrap();
        let error = store
            .append(&decided.events, decided.condition.as_ref())
            .unwrap_err();
        assert!(
            matches!(
                error,
                AppendError::Conflict {
                    position: 3,
                    after: 2
                }
            ),
            "{name}: {error}"
        );
        assert_eq!(
            store.head().unwrap(),
            3,
            "{name}: the conflict appended nothing"
        );
        // Decided again on the log that holds the rival: the next number.
        let appended = database
            .decide_and_append(&decider, &mine, &none, 5)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(appended.attempts, 1, "{name}");
        assert_eq!(appended.positions(), [4], "{name}");
        assert_eq!(number(&appended.events[0].1), 4, "{name}");
        assert_eq!(condition(&appended.decided), (invoices(), 3), "{name}");
        // An unconditional append of the stale decision would have given 3 twice: the
        // condition is what kept the numbers unbroken.
        let numbers: Vec<u64> = store
            .read(&invoices(), 0, None)
            .unwrap()
            .map(|stored| number(&stored.unwrap().event))
            .collect();
        assert_eq!(numbers, [1, 2, 3, 4], "{name}");
    }
}

#[test]
fn page_past_the_hosts_cap_to_the_last_of_1500_invoices() {
    let deciders = deciders();
    if deciders.is_empty() {
        return;
    }
    let events: Vec<Event> = (1..=1_500u64)
        .map(|n| invoice_created(&format!("i-{n}"), n, json!(n)))
        .collect();
    for (name, decider) in deciders {
        // Reading every invoice is what the example shows, not what scales (see its README):
        // over 1,500 invoices the JavaScript decider burns some 600 million fuel (about 400,000
        // per event read), six times the default limit; the Go one some 33 million.
        let fuel = 2_000_000_000;
        let decider = decider.clone().with_limits(Limits {
            fuel,
            ..decider.limits()
        });
        let database = memory_database();
        database.store().append(&events, None).unwrap();
        let none = Parameters::new();
        let command = create("i-next", json!(1));
        let decided = database.decide(&decider, &command, &none).unwrap();
        assert_eq!(number(&decided.events[0]), 1_501, "{name}");
        assert_eq!(decided.revision, 1_500, "{name}");
        // Two reads: no read returns more than 1,000 events (the page the deciders ask for, and
        // the host's cap), so the last invoice is on the second page.
        assert_eq!(
            decided.reads,
            [Read::Events(invoices()), Read::Events(invoices())],
            "{name}"
        );
        assert!(!decided.derived, "{name}");
        assert_eq!(condition(&decided), (invoices(), 1_500), "{name}");
        let appended = database
            .decide_and_append(&decider, &command, &none, 5)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(appended.positions(), [1_501], "{name}");
        eprintln!(
            "{name}: deciding over 1,500 invoices took {} fuel",
            decided.fuel_consumed
        );
    }
}

#[test]
fn refuse_an_amount_of_zero_with_validation() {
    for (name, decider) in deciders() {
        let database = memory_database();
        let none = Parameters::new();
        database
            .decide_and_append(&decider, &create("i-1", json!(10)), &none, 5)
            .unwrap();
        let zero = create("i-zero", json!(0));
        let error = database.decide(&decider, &zero, &none).unwrap_err();
        let (code, message) = refusal(&error);
        assert_eq!(code, "validation", "{name}: {message}");
        assert!(!error.is_retryable(), "{name}");
        let error = database
            .decide_and_append(&decider, &zero, &none, 5)
            .unwrap_err();
        assert_eq!(refusal(&error).0, "validation", "{name}");
        assert_eq!(
            database.store().head().unwrap(),
            1,
            "{name}: nothing appended"
        );
    }
}
