//! Write Evident state views, state changes and database deciders as plain Rust types.
//!
//! A guest author implements [`StateView`] (fold events into a state), [`StateChange`] (turn a
//! command into events) or [`DatabaseDecider`] (turn a command into events by reading the
//! database) for an ordinary type and puts one attribute on the impl. The attribute emits the
//! WebAssembly component glue; the SDK decodes and encodes the state with the [`Codec`] the
//! author picks ([`Json`] or [`Cbor`]), lends each event to `reduce` as an [`EventRef`]
//! (attributes borrowed from the frame it arrived in, nothing copied), and routes
//! [`info!`]/[`warn!`]/... to the host's log. Guest code never names a generated binding, and
//! the same type runs natively through [`view::reduce`], [`change::process`] and
//! [`decider::decide`], which is how tests check it without WebAssembly. A type with both view
//! and change attributes is a decider over one state (world `decider-component`): one component
//! that folds its own events and decides on the state they make.
//!
//! A database decider (`#[database_decider]`, world `database-decider`) is handed a
//! [`Database`]: the event log, read with Dynamic Consistency Boundary [`Query`]s, and the
//! states of the materialized views, both as of one revision. It returns a [`Decision`]: the
//! events to append and, optionally, the [`AppendCondition`] to append them under (without one
//! the host derives it from the reads). Natively, [`database::InMemory`] stands in for the
//! database and records what the decision read; see [`DatabaseDecider`] for an example.
//!
//! ```
//! use evident_guest_sdk::prelude::*;
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Total {
//!     events: u64,
//! }
//!
//! #[state_view]
//! impl StateView for Total {
//!     type Codec = Json;
//!
//!     fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
//!         Ok(Total::default())
//!     }
//!
//!     fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
//!         self.events += 1;
//!         Ok(())
//!     }
//! }
//!
//! // Natively, the same path the component takes, minus the boundary:
//! let event = Event::new("1", "/test", "tick");
//! let state = evident_guest_sdk::view::reduce::<Total>(&State::default(), &event, &Parameters::new())?;
//! assert_eq!(&state.bytes[..], br#"{"events":1}"#);
//! # Ok::<(), ViewError>(())
//! ```
//!
//! Build a guest crate (`crate-type = ["cdylib", "rlib"]`) for `wasm32-unknown-unknown` and
//! encode it as a component with `evident-build` (or the `evident` CLI).
//!
//! On `wasm32-unknown-unknown` the SDK sets the guest's global allocator (feature `allocator`,
//! on by default; turn it off for a guest with an allocator of its own): dlmalloc, as the
//! standard library's, but a release that allocates from the memory the module starts with (the
//! linker's `__heap_base` to `__heap_end`) before it grows the memory. `evident-build` links
//! guests with 1 MiB there, so a fresh instance whose calls fit in it never grows its memory:
//! in the host's pooling allocator every growth is an `mprotect` of the instance's memory slot,
//! and shrinking the slot back for the next instance is another, which all threads wait on.

/// See the crate's documentation: the guest's allocator, which starts in its initial memory.
#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "allocator"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

pub mod change;
pub mod codec;
pub mod database;
pub mod decider;
pub mod log;
mod memcmp;
mod progress;
pub mod transform;
pub mod validator;
pub mod view;

pub use change::StateChange;
pub use codec::{Cbor, Codec, CodecError, Json};
pub use database::{Database, StoredEvent};
pub use decider::{DatabaseDecider, Decision};
pub use evident_guest_sdk_macros::{
    database_decider, state_change, state_view, transform, validator,
};
pub use evident_types::query::{AppendCondition, Query, QueryItem, Tag};
pub use evident_types::{Bytes, Command, Event, EventRef, GuestError, Parameters, State};
pub use log::LogLevel;
pub use transform::Transform;
pub use validator::Validator;
pub use view::{BatchError, StateView, ViewError};

/// The Dynamic Consistency Boundary query model a decider reads and conditions with, the one
/// the event store uses, so a guest's query means what it means to the store.
pub use evident_types::query;

/// Everything a guest usually needs, in one `use`.
pub mod prelude {
    pub use crate::{
        AppendCondition, Cbor, Command, Database, DatabaseDecider, Decision, Event, EventRef,
        GuestError, Json, Parameters, Query, QueryItem, State, StateChange, StateView, Tag,
        Transform, Validator, ViewError, database_decider, state_change, state_view, transform,
        validator,
    };
    pub use crate::{debug, error, info, trace, warn};
    pub use serde::{Deserialize, Serialize};
}

/// Glue the attribute macros expand to; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::wire::*;
    pub use wit_bindgen;

    /// Bindings of the imports every guest shares, generated once here so that each guest's own
    /// export bindings reuse these types.
    #[allow(unsafe_code, missing_docs, clippy::all)]
    pub mod bindings {
        wit_bindgen::generate!({
            world: "database-guest-imports",
            path: "wit",
            generate_unused_types: true,
        });
    }
}

mod wire;
