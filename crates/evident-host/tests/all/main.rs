//! Host integration tests: one binary, a module per concern (as Wasmtime's `tests/all`), so the
//! sample guests are built and compiled once.

mod loading;
mod state_change;
mod state_view;

use evident_host::{StateChange, StateView};

fn event_counter() -> StateView {
    evident_testkit::guests::load_view("event-counter").unwrap_or_else(|e| panic!("{e}"))
}

fn bank_account() -> StateChange {
    evident_testkit::guests::load_change("bank-account").unwrap_or_else(|e| panic!("{e}"))
}
