//! Transforms and upcasters (evident:db 0.5.0, world `transform-component`): a view written for
//! v3 of `payment.received` (`guests/payment-totals`) folds a log holding v1, v2 and v3 through
//! the chain of `guests/payment-upcaster` exactly as it folds the same payments written as v3;
//! the stored events are never rewritten, and the view's snapshots are keyed by its upcasters.

use std::sync::Arc;

use evident_host::{
    ComponentKind, Database, DatabaseConfig, Registry, Sandbox, StateView, Transform, UpcastError,
    Upcaster, Upcasters, ViewStateError,
};
use evident_store::{SqliteStore, Store};
use evident_testkit::guests;
use evident_types::{Event, Parameters, State};
use proptest::prelude::*;
use serde_json::{Value, json};

const V1: &str = "urn:evident:payment:v1";
const V2: &str = "urn:evident:payment:v2";
const V3: &str = "urn:evident:payment:v3";

fn transform(name: &str) -> Transform {
    let bytes = guests::component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    guests::runtime()
        .load(name, &bytes)
        .transform()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn totals() -> StateView {
    super::view("payment-totals")
}

fn step(name: &str, schema: Option<&str>, step: &str) -> Upcaster {
    Upcaster {
        name: name.into(),
        digest: "test".into(),
        transform: transform("payment-upcaster"),
        event_type: "payment.received".into(),
        dataschema: schema.map(Into::into),
        parameters: Parameters::from(vec![("step".to_owned(), step.to_owned())]),
    }
}

/// v1 → v2 → v3.
fn chain() -> Upcasters {
    Upcasters::new(vec![
        step("v1-to-v2", Some(V1), "v1-to-v2"),
        step("v2-to-v3", Some(V2), "v2-to-v3"),
    ])
    .unwrap()
}

/// One payment, the same whichever version it is written in.
#[derive(Debug, Clone)]
struct Payment {
    cents: i64,
    currency: &'static str,
    method: Option<&'static str>,
    version: u8,
}

fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    )
}

impl Payment {
    /// As stored: in its own version (a v1 or v2 payment has no method).
    fn stored(&self, id: usize) -> Event {
        let (data, schema) = match self.version {
            1 => (
                json!({"amount_cents": self.cents, "currency": self.currency}),
                V1,
            ),
            2 => (
                json!({"amount": {"value": decimal(self.cents), "currency": self.currency}}),
                V2,
            ),
            _ => (self.v3_data(), V3),
        };
        self.event(id, data, schema)
    }

    /// As it would have been written had v3 always existed: what the upcasters must give.
    fn written_as_v3(&self, id: usize) -> Event {
        self.event(id, self.v3_data(), V3)
    }

    fn v3_data(&self) -> Value {
        let method = if self.version == 3 {
            self.method.unwrap_or("card")
        } else {
            "unknown"
        };
        json!({"amount": {"value": decimal(self.cents), "currency": self.currency}, "method": method})
    }

    fn event(&self, id: usize, data: Value, schema: &str) -> Event {
        let mut event = Event::new(format!("p{id}"), "/shop", "payment.received")
            .with_json_data(&data)
            .unwrap();
        event.dataschema = Some(schema.into());
        event
    }
}

fn fold(view: &StateView, events: &[Event]) -> State {
    view.fold(State::default(), events, &Parameters::new())
        .unwrap_or_else(|e| panic!("{e}"))
        .state
}

fn payments() -> impl Strategy<Value = Vec<Payment>> {
    let payment = (
        -100_000i64..100_000,
        prop_oneof![Just("EUR"), Just("USD"), Just("JPY")],
        prop_oneof![Just(None), Just(Some("card")), Just(Some("transfer"))],
        1u8..=3,
    )
        .prop_map(|(cents, currency, method, version)| Payment {
            cents,
            currency,
            method,
            version,
        });
    proptest::collection::vec(payment, 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    /// A log of v1, v2 and v3 payments, read through the upcasters, folds to the state the same
    /// payments written as v3 fold to; and the upcast events are those v3 events.
    #[test]
    fn the_v3_view_folds_a_mixed_log_as_it_folds_the_same_payments_written_as_v3(
        payments in payments(),
    ) {
        let stored: Vec<Event> = payments.iter().enumerate().map(|(i, p)| p.stored(i)).collect();
        let as_v3: Vec<Event> = payments.iter().enumerate().map(|(i, p)| p.written_as_v3(i)).collect();
        let upcast = chain().upcast(stored).unwrap();
        prop_assert_eq!(&upcast.origins, &(0..payments.len()).collect::<Vec<_>>());
        for (got, want) in upcast.events.iter().zip(&as_v3) {
            prop_assert_eq!(got.dataschema.as_deref(), Some(V3));
            prop_assert_eq!(got.data_json::<Value>().unwrap(), want.data_json::<Value>().unwrap());
        }
        let view = totals();
        prop_assert_eq!(fold(&view, &upcast.events), fold(&view, &as_v3));
    }
}

#[test]
fn without_its_upcasters_the_view_refuses_an_old_version() {
    let old = Payment {
        cents: 1_234,
        currency: "EUR",
        method: None,
        version: 1,
    }
    .stored(0);
    let error = totals()
        .fold(State::default(), [&old], &Parameters::new())
        .unwrap_err();
    assert_eq!(
        error.source.refusal().map(|(code, _)| code),
        Some("old-version")
    );
}

#[test]
fn upcasters_that_would_go_round_in_a_circle_or_take_the_same_events_are_refused() {
    let v3 = Payment {
        cents: 1,
        currency: "EUR",
        method: None,
        version: 3,
    }
    .stored(0);
    // v2-to-v3 registered for v3 events writes v3 again: it would never stop.
    let circle = Upcasters::new(vec![step("again", Some(V3), "v2-to-v3")]).unwrap();
    let error = circle.upcast(vec![v3]).unwrap_err();
    assert!(
        matches!(error, UpcastError::Cycle { index: 0, .. }),
        "{error}"
    );
    let error = Upcasters::new(vec![
        step("one", Some(V1), "v1-to-v2"),
        step("two", Some(V1), "v1-to-v2"),
    ])
    .unwrap_err();
    assert!(matches!(error, UpcastError::Ambiguous { .. }), "{error}");
}

#[test]
fn an_upcaster_that_fails_names_the_stored_event() {
    let mut broken = Payment {
        cents: 1,
        currency: "EUR",
        method: None,
        version: 1,
    }
    .stored(7);
    broken.data = Some(br#"{"currency": "EUR"}"#.to_vec().into());
    let fine = Payment {
        cents: 5,
        currency: "EUR",
        method: None,
        version: 1,
    };
    let events = vec![fine.stored(0), fine.stored(1), broken];
    let UpcastError::Failed { upcaster, source } = chain().upcast(events).unwrap_err() else {
        panic!("expected a failure");
    };
    assert_eq!(
        (upcaster.as_str(), source.index, source.id.as_str()),
        ("v1-to-v2", 2, "p7")
    );
    assert_eq!(
        source.error.refusal().map(|(code, _)| code),
        Some("invalid-v1")
    );
}

/// A database over `store` with the totals view and, if `upcast`, its upcasters.
fn payments_database(store: Arc<dyn Store>, upcast: bool) -> Database {
    let registry = Registry::new(guests::runtime().clone());
    let bytes = guests::component_bytes("payment-totals").unwrap_or_else(|e| panic!("{e}"));
    registry
        .register(
            "payment-totals",
            "1.0.0",
            &bytes,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    let config = DatabaseConfig {
        snapshot_every_events: 1,
        catch_up_frame_events: 7,
        ..DatabaseConfig::default()
    };
    let database = Database::with_config(store, Arc::new(registry), config);
    if upcast {
        database.declare_upcasters("payment-totals", chain());
    }
    database
}

#[test]
fn a_materialized_view_reads_the_log_through_its_upcasters_and_keys_its_snapshots_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let payments: Vec<Payment> = (0..40)
        .map(|i| Payment {
            cents: 100 * i + 1,
            currency: ["EUR", "USD"][i as usize % 2],
            method: Some("card"),
            version: (i % 3 + 1) as u8,
        })
        .collect();
    let stored: Vec<Event> = payments
        .iter()
        .enumerate()
        .map(|(i, p)| p.stored(i))
        .collect();
    store.append(&stored, None).unwrap();
    let as_v3: Vec<Event> = payments
        .iter()
        .enumerate()
        .map(|(i, p)| p.written_as_v3(i))
        .collect();

    let upcasting = payments_database(store.clone(), true);
    let state = upcasting
        .view_state("payment-totals", None, &Parameters::new(), None)
        .unwrap();
    assert_eq!(state.state, fold(&totals(), &as_v3));
    assert_eq!(state.events_folded, 40);
    // The log is as it was written.
    let read: Vec<Event> = store
        .read(&evident_store::Query::all(), 0, None)
        .unwrap()
        .map(|stored| stored.unwrap().event)
        .collect();
    assert_eq!(read, stored);

    // The same view without upcasters finds none of those snapshots (they are keyed by the
    // upcasters), folds the log itself and stops at the first old payment.
    let plain = payments_database(store, false);
    let error = plain
        .view_state("payment-totals", None, &Parameters::new(), None)
        .unwrap_err();
    let ViewStateError::Stalled { failed_at, .. } = error else {
        panic!("expected the view to stall, got {error}");
    };
    assert_eq!(failed_at, 1);
}
