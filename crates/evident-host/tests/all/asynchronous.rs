//! The `*_async` calls (feature `async`): the same results as the synchronous ones, and a long
//! call yields to the executor (as it burns fuel by default, at every epoch tick in a runtime
//! that keeps deadlines) instead of holding its thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use evident_host::{Error, Limits};
use evident_types::{Command, Event, Parameters, State};

use crate::{any_event, bank_account, event_counter, own_view, view, view_with_deadlines};

fn events(count: usize) -> Vec<Event> {
    (0..count)
        .map(|i| Event::new(format!("e{i}"), "/async", ["a", "b", "c"][i % 3]))
        .collect()
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn async_calls_give_what_sync_calls_give() {
    let events = events(2_500);
    let parameters = Parameters::new();
    for guest in [event_counter(), view("event-counter-wit-0-1")] {
        let sync = guest.fold(State::default(), &events, &parameters).unwrap();
        let asynchronous =
            block_on(guest.fold_async(State::default(), &events, &parameters)).unwrap();
        assert_eq!(asynchronous.state, sync.state, "{}", guest.name());
        assert_eq!(asynchronous.events_applied, 2_500);
        let initial = block_on(guest.initialize_async(&parameters)).unwrap();
        assert_eq!(initial, guest.initialize(&parameters).unwrap());
        let reduced = block_on(guest.reduce_async(&initial, &events[0], &parameters)).unwrap();
        assert_eq!(
            reduced,
            guest.reduce(&initial, &events[0], &parameters).unwrap()
        );
    }

    let bank = bank_account();
    let open = Command::json(&serde_json::json!({
        "type": "open", "account_id": "a1", "owner": "Ann"
    }))
    .unwrap();
    let sync = bank.process(&State::default(), &open, &parameters).unwrap();
    let asynchronous = block_on(bank.process_async(&State::default(), &open, &parameters)).unwrap();
    assert_eq!(asynchronous.len(), sync.len());
    assert_eq!(asynchronous[0].event_type, sync[0].event_type);
    assert!(block_on(bank.validate_async(&State::default(), &open)).unwrap());
}

#[test]
fn an_async_fold_fails_where_the_sync_one_does() {
    let mut events = events(1_000);
    events[321].data = None;
    for event in &mut events {
        if event.id != "e321" {
            event.data = Some("{}".into());
        }
    }
    let parameters = Parameters::new().with("require-data", "true");
    let view = own_view("event-counter");
    let before = view.metrics();
    let sync = view
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    let between = view.metrics();
    let asynchronous =
        block_on(view.fold_async(State::default(), &events, &parameters)).unwrap_err();
    let after = view.metrics();
    // The async fold finds the failing event as the sync one does, with the same calls: it
    // does not rerun the fold synchronously.
    assert_eq!(
        after.guest_calls - between.guest_calls,
        between.guest_calls - before.guest_calls
    );
    assert_eq!(asynchronous.fuel_consumed, sync.fuel_consumed);
    assert_eq!(
        (asynchronous.index, asynchronous.event_id.as_str()),
        (321, "e321")
    );
    assert_eq!(asynchronous.state, sync.state);
    assert_eq!(asynchronous.source.to_string(), sync.source.to_string());
}

/// Runs `call` on a single-threaded executor beside a task that counts how often it runs:
/// the call's error, and how many times the other task got the thread.
fn while_ticking<F: Future<Output = Error>>(call: impl FnOnce() -> F) -> (Error, usize) {
    let ticks = Arc::new(AtomicUsize::new(0));
    let error = block_on(async {
        let counter = ticks.clone();
        // Runs only when the guest's call yields: the runtime has a single thread.
        let ticker = tokio::spawn(async move {
            loop {
                counter.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        });
        let error = call().await;
        ticker.abort();
        error
    });
    (error, ticks.load(Ordering::Relaxed))
}

#[test]
fn a_runaway_async_call_yields_at_every_tick_until_its_deadline() {
    let looping = view_with_deadlines("hostile-loop").with_limits(Limits {
        fuel: u64::MAX,
        deadline: Duration::from_millis(300),
        ..Limits::default()
    });
    let (error, ticks) = while_ticking(|| async {
        let state = looping.initialize_async(&Parameters::new()).await.unwrap();
        looping
            .reduce_async(&state, &any_event(), &Parameters::new())
            .await
            .unwrap_err()
    });
    assert!(
        matches!(error, Error::DeadlineExceeded { deadline, .. } if deadline == Duration::from_millis(300)),
        "{error}"
    );
    assert!(
        ticks >= 10,
        "the executor ran other tasks only {ticks} times"
    );
}

#[test]
fn without_deadlines_a_runaway_async_call_yields_as_it_burns_fuel() {
    let fuel = 50 * evident_host::FUEL_PER_ASYNC_YIELD;
    let looping = view("hostile-loop").with_limits(Limits {
        fuel,
        ..Limits::default()
    });
    let (error, ticks) = while_ticking(|| async {
        looping
            .reduce_async(&State::default(), &any_event(), &Parameters::new())
            .await
            .unwrap_err()
    });
    assert!(
        matches!(error, Error::FuelExhausted { limit, .. } if limit == fuel),
        "{error}"
    );
    assert!(
        ticks >= 10,
        "the executor ran other tasks only {ticks} times"
    );
}

#[test]
fn a_kept_instance_serves_sync_calls_after_async_ones() {
    let mut instance = event_counter().instance().unwrap();
    let parameters = Parameters::new();
    let state = block_on(instance.initialize_async(&parameters)).unwrap();
    let event = Event::new("1", "/t", "a");
    let after_async = block_on(instance.reduce_async(&state, &event, &parameters)).unwrap();
    let after_sync = instance.reduce(&state, &event, &parameters).unwrap();
    assert_eq!(after_sync, after_async);
}
