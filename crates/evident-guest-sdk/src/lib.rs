//! Write Evident state views and state changes as plain Rust types.
//!
//! A guest author implements [`StateView`] (fold events into a state) or [`StateChange`] (turn a
//! command into events) for an ordinary serde type and puts one attribute on the impl. The
//! attribute emits the WebAssembly component glue; the SDK decodes and encodes the state with the
//! [`Codec`] the author picks ([`Json`] or [`Cbor`]), lends each event to `reduce` as an
//! [`EventRef`] (attributes borrowed from the frame it arrived in, nothing copied), and routes
//! [`info!`]/[`warn!`]/... to the host's log. Guest code never names a generated binding, and
//! the same type runs natively through [`view::reduce`] and [`change::process`], which is how
//! tests compare it with its component. A type with both attributes is a decider: one
//! component that folds its own events and decides on the state they make.
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

pub mod change;
pub mod codec;
pub mod log;
mod progress;
pub mod view;

pub use change::StateChange;
pub use codec::{Cbor, Codec, CodecError, Json};
pub use evident_guest_sdk_macros::{state_change, state_view};
pub use evident_types::{Bytes, Command, Event, EventRef, GuestError, Parameters, State};
pub use log::LogLevel;
pub use view::{BatchError, StateView, ViewError};

/// Everything a guest usually needs, in one `use`.
pub mod prelude {
    pub use crate::{
        Cbor, Command, Event, EventRef, GuestError, Json, Parameters, State, StateChange,
        StateView, ViewError, state_change, state_view,
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
            world: "guest-imports",
            path: "wit",
            generate_unused_types: true,
        });
    }
}

mod wire;
