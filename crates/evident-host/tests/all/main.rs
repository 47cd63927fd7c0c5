//! Host integration tests: one binary, a module per concern (as Wasmtime's `tests/all`), so the
//! guests are built and compiled once. Hostile guests live in `guests/hostile-*`; every test of
//! one checks the call's typed error, that the caller's state is unchanged, and that the same
//! runtime serves a well-behaved guest correctly right after.

mod aot_cache;
mod asynchronous;
mod database;
mod database_languages;
mod deadlines;
mod determinism;
mod diff;
mod framing;
mod iloop;
mod languages;
mod limits;
mod loading;
mod metering;
mod pool;
mod pooling;
mod registry;
mod replay;
mod soak;
mod stack_overflow;
mod state_change;
mod state_view;
mod traps;
mod upcasting;
mod validators;
mod versions;

use evident_host::{Error, StateChange, StateView};
use evident_testkit::fixture::ViewFixture;
use evident_types::{Event, Parameters};

fn view(name: &str) -> StateView {
    evident_testkit::guests::load_view(name).unwrap_or_else(|e| panic!("{e}"))
}

/// `guests/<name>` loaded anew: a handle of its own, whose metrics no other test moves.
fn own_view(name: &str) -> StateView {
    let bytes = evident_testkit::guests::component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    evident_testkit::guests::runtime()
        .load(name, &bytes)
        .view()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `guests/<name>` in a runtime that keeps epoch deadlines (off by default), so that
/// [`evident_host::Limits::deadline`] is enforced.
fn view_with_deadlines(name: &str) -> StateView {
    static RUNTIME: std::sync::OnceLock<evident_host::Runtime> = std::sync::OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        evident_host::Runtime::new(evident_host::RuntimeConfig {
            epoch_deadlines: true,
            ..Default::default()
        })
        .unwrap()
    });
    let bytes = evident_testkit::guests::component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    runtime
        .load(name, &bytes)
        .view()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn change(name: &str) -> StateChange {
    evident_testkit::guests::load_change(name).unwrap_or_else(|e| panic!("{e}"))
}

fn event_counter() -> StateView {
    view("event-counter")
}

fn bank_account() -> StateChange {
    change("bank-account")
}

/// The runtime still gives a well-behaved guest the right answer.
#[track_caller]
fn assert_runtime_serves_well_behaved_guests() {
    ViewFixture::new(&event_counter())
        .given([Event::new("1", "/t", "a"), Event::new("2", "/t", "b")])
        .expect_json(serde_json::json!({"by_type": {"a": 1, "b": 1}, "total": 2}));
}

/// Calls `reduce` on a hostile view from its own initial state and returns the error, having
/// checked that the caller's state is unchanged and the runtime still healthy.
#[track_caller]
fn reduce_is_contained(view: &StateView, event: &Event, parameters: &Parameters) -> Error {
    let state = view
        .initialize(parameters)
        .unwrap_or_else(|e| panic!("initialize: {e}"));
    let before = state.clone();
    let error = match view.reduce(&state, event, parameters) {
        Ok(state) => panic!(
            "the hostile call succeeded with {} bytes",
            state.bytes.len()
        ),
        Err(error) => error,
    };
    assert_eq!(state, before, "a failed call changed the caller's state");
    assert_runtime_serves_well_behaved_guests();
    error
}

/// An event with nothing special about it.
fn any_event() -> Event {
    Event::new("e1", "/t", "any")
}
