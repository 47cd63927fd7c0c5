//! Deciders end to end: the given/when/then fixture, an event store with optimistic appends
//! under concurrent writers, and decisions that replay to the same bytes anywhere.

use std::sync::Arc;

use evident_host::{Decider, Runtime, RuntimeConfig, Snapshot};
use evident_testkit::event_store::{AppendError, EventStore, decide_and_append};
use evident_testkit::fixture::DeciderFixture;
use evident_testkit::guests::{self, component_bytes};
use evident_types::{Command, Event, Parameters, State};
use proptest::prelude::*;
use serde_json::json;

fn bank() -> Decider {
    guests::load_decider("bank-account").unwrap_or_else(|e| panic!("{e}"))
}

fn command(value: serde_json::Value) -> Command {
    Command::json(&value).unwrap()
}

fn open() -> Command {
    command(json!({"type": "open", "account_id": "a1", "owner": "Ann"}))
}

/// The events of opening a1 and depositing `amounts`, as the decider emits them.
fn history(amounts: &[u64]) -> Vec<Event> {
    let bank = bank();
    let store = EventStore::new();
    let parameters = Parameters::new();
    decide_and_append(&bank, &store, "a1", &open(), &parameters, 1).unwrap();
    for amount in amounts {
        let deposit = command(json!({"type": "deposit", "amount": amount}));
        decide_and_append(&bank, &store, "a1", &deposit, &parameters, 1).unwrap();
    }
    store.read("a1")
}

#[test]
fn given_events_when_a_command_then_events_refusals_and_state() {
    let bank = bank();
    DeciderFixture::new(&bank)
        .when(open())
        .then_event_types(&["bank.account.opened"]);
    let decision = DeciderFixture::new(&bank)
        .given(history(&[100]))
        .when_json(json!({"type": "withdraw", "amount": 30}))
        .then_state(json!({"account_id": "a1", "owner": "Ann", "balance": 70, "version": 3}));
    assert_eq!(decision.position, 2, "based on the two events given");
    assert_eq!(decision.events[0].id, "a1-3");
    DeciderFixture::new(&bank)
        .given(history(&[100]))
        .when_json(json!({"type": "withdraw", "amount": 101}))
        .then_refused("insufficient-funds");
    DeciderFixture::new(&bank)
        .given(history(&[]))
        .when(open())
        .then_refused("account-already-open");
}

#[test]
fn a_decision_from_a_snapshot_equals_one_from_the_whole_history() {
    let bank = bank();
    let events = history(&[5, 7, 11]);
    let parameters = Parameters::new();
    let withdraw = command(json!({"type": "withdraw", "amount": 3}));
    let whole = bank
        .decide(Snapshot::default(), &events, &withdraw, &parameters)
        .unwrap();
    let snapshot = bank
        .view()
        .fold(State::default(), &events[..2], &parameters)
        .unwrap();
    let from_snapshot = bank
        .decide(
            Snapshot {
                state: snapshot.state,
                position: 2,
            },
            &events[2..],
            &withdraw,
            &parameters,
        )
        .unwrap();
    // The same decision; only the fuel differs (decoding the snapshot against folding the
    // events it stands for).
    assert_eq!(from_snapshot.events, whole.events);
    assert_eq!(from_snapshot.state, whole.state);
    assert_eq!(from_snapshot.position, whole.position);
    assert_eq!(whole.position, 4);
}

#[test]
fn a_view_and_a_change_from_two_languages_decide_as_one_decider_does() {
    let Some(python_view) = guests::or_skip(guests::load_view("python-bank-account")) else {
        return;
    };
    let Some(python_change) = guests::or_skip(guests::load_change("python-bank-account")) else {
        return;
    };
    let rust = bank();
    let events = history(&[100, 20]);
    let parameters = Parameters::new();
    let withdraw = command(json!({"type": "withdraw", "amount": 30}));
    let expected = rust
        .decide(Snapshot::default(), &events, &withdraw, &parameters)
        .unwrap();
    for paired in [
        Decider::new(python_view, rust.change().clone()),
        Decider::new(rust.view().clone(), python_change),
    ] {
        let decision = paired
            .decide(Snapshot::default(), &events, &withdraw, &parameters)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decision.position, expected.position);
        assert_eq!(decision.events.len(), 1);
        let (got, want) = (&decision.events[0], &expected.events[0]);
        assert_eq!(
            (&got.id, &got.event_type, &got.subject),
            (&want.id, &want.event_type, &want.subject)
        );
        let data = |event: &Event| -> serde_json::Value {
            serde_json::from_slice(event.data.as_deref().unwrap_or_default()).unwrap()
        };
        assert_eq!(data(got), data(want));
        assert_eq!(data(got)["balance"], 90);
    }
}

#[test]
fn concurrent_writers_lose_nothing_and_duplicate_nothing() {
    let bank = Arc::new(bank());
    let store = Arc::new(EventStore::new());
    let parameters = Parameters::new();
    decide_and_append(&bank, &store, "a1", &open(), &parameters, 1).unwrap();
    let threads: Vec<_> = (0..4u64)
        .map(|thread| {
            let (bank, store) = (bank.clone(), store.clone());
            std::thread::spawn(move || {
                let mut results = Vec::new();
                for i in 0..20u64 {
                    let amount = thread * 100 + i + 1;
                    let deposit = command(json!({"type": "deposit", "amount": amount}));
                    let result =
                        decide_and_append(&bank, &store, "a1", &deposit, &Parameters::new(), 64);
                    results.push((amount, result));
                }
                results
            })
        })
        .collect();
    let results: Vec<_> = threads
        .into_iter()
        .flat_map(|thread| thread.join().unwrap())
        .collect();
    let mut deposited = 0;
    let mut retried = 0;
    for (amount, result) in &results {
        match result {
            Ok(appended) => {
                deposited += amount;
                retried += appended.attempts - 1;
            }
            Err(AppendError::Conflicts { .. }) => {}
            Err(other) => panic!("deposit of {amount}: {other}"),
        }
    }
    let events = store.read("a1");
    let accepted = results.iter().filter(|(_, r)| r.is_ok()).count();
    assert_eq!(
        events.len(),
        1 + accepted,
        "one event per accepted deposit, no more"
    );
    for (i, event) in events.iter().enumerate() {
        assert_eq!(
            event.id,
            format!("a1-{}", i + 1),
            "ids follow the stream, none twice"
        );
    }
    // The state every writer saw at the end is the state of replaying the stream in order.
    let replayed = bank
        .view()
        .fold(State::default(), &events, &parameters)
        .unwrap();
    let account = replayed.state.to_json().unwrap();
    assert_eq!(
        account["balance"], deposited,
        "every accepted deposit counted once"
    );
    let last = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .max_by_key(|appended| appended.position)
        .unwrap();
    assert_eq!(last.state, replayed.state);
    assert!(accepted >= 60, "only {accepted} of 80 deposits got in");
    eprintln!("{accepted} of 80 deposits appended, {retried} retries after conflicts");
}

/// Valid and invalid bank commands.
fn bank_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(open()),
        (0u64..300).prop_map(|amount| command(json!({"type": "deposit", "amount": amount}))),
        (0u64..300).prop_map(|amount| command(json!({"type": "withdraw", "amount": amount}))),
        Just(command(json!({"type": "close"}))),
    ]
}

/// The bank account in a runtime of its own.
fn elsewhere() -> &'static Decider {
    static DECIDER: std::sync::OnceLock<Decider> = std::sync::OnceLock::new();
    DECIDER.get_or_init(|| {
        Runtime::new(RuntimeConfig::default())
            .unwrap()
            .load("bank-account", &component_bytes("bank-account").unwrap())
            .decider()
            .unwrap()
    })
}

/// The stream and states a sequence of commands leaves, decided one by one with `decider`.
fn replay(decider: &Decider, commands: &[Command]) -> (Vec<String>, Vec<Option<State>>) {
    let store = EventStore::new();
    let states = commands
        .iter()
        .map(|command| {
            decide_and_append(decider, &store, "s", command, &Parameters::new(), 1)
                .ok()
                .map(|appended| appended.state)
        })
        .collect();
    let events = store.read("s").iter().map(Event::to_json).collect();
    (events, states)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32),
        ..ProptestConfig::default()
    })]

    /// The same history and commands give byte-identical events and states on fresh instances
    /// and on a second runtime: nothing in a decision comes from a clock or randomness.
    #[test]
    fn decisions_replay_to_the_same_bytes(commands in proptest::collection::vec(bank_command(), 1..12)) {
        let here = replay(&bank(), &commands);
        let again = replay(&bank(), &commands);
        prop_assert_eq!(&here, &again);
        prop_assert_eq!(&here, &replay(elsewhere(), &commands));
    }
}
