//! Test support for Evident components: real components, built from `guests/`, run in the host.
//!
//! - [`guests`] builds a sample guest crate into a component once per process and loads it into
//!   a shared [`evident_host::Runtime`];
//! - [`fixture`] gives given/when/then checks: given events, expect a state; given a state and a
//!   command, expect events or an error code; for a decider, given past events, when a command,
//!   then new events, a refusal or a state;
//! - [`event_store`] is an in-memory event store with optimistic appends, and the
//!   decide-and-append loop an embedder writes around a [`evident_host::Decider`];
//! - [`round_trip`] runs the same logic natively and as a component and insists they agree;
//!   [`strategies`] generates the events and commands for it with proptest.
//!
//! ```no_run
//! use evident_testkit::{fixture::ViewFixture, guests};
//! use evident_types::Event;
//!
//! let view = guests::load_view("event-counter")?;
//! ViewFixture::new(&view)
//!     .given([Event::new("1", "/shop", "order.placed")])
//!     .expect_json(serde_json::json!({"by_type": {"order.placed": 1}, "total": 1}));
//! # Ok::<(), evident_testkit::guests::GuestLoadError>(())
//! ```

pub mod event_store;
pub mod fixture;
pub mod guests;
pub mod round_trip;
pub mod strategies;
