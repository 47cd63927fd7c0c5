//! The event store's tests, one module per concern, in one test binary. `conformance` is the
//! suite every backend passes; each backend's module runs it and adds what is its own.

// First: the other modules use its macro.
#[macro_use]
mod conformance;

mod child;
mod common;
mod crash;
mod dcb;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod snapshots;
mod sqlite;
