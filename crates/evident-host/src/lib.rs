//! The runtime a database embeds to run Evident components: sandboxed, limited, typed.
//!
//! A [`Runtime`] holds one Wasmtime engine (component model, fuel, optional epoch deadlines) and
//! a linker that grants a component nothing but the `evident:db` imports (`logging`, `refusal`,
//! `frame-progress`, and for deciders `database`). Loading ([`Runtime::load`], one builder for
//! every [`ComponentKind`]) checks that a component exports the interface it is loaded as and
//! imports nothing else. Every call runs under [`Limits`] (fuel, memory,
//! tables, output; a deadline if asked); whatever goes wrong comes back as one [`Error`]
//! that says what happened, and the caller's state is never touched by a failed call. A
//! [`Registry`] keeps components by name and version, swaps versions atomically, reloads rebuilt
//! files, and reports each component's [`MetricsSnapshot`].
//!
//! ```no_run
//! use evident_host::{Runtime, RuntimeConfig};
//! use evident_types::{Event, Parameters};
//!
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let view = runtime.load_file("event_counter.wasm").view()?;
//! let parameters = Parameters::new();
//! let initial = view.initialize(&parameters)?;
//! let events = [Event::new("1", "/shop", "order.placed"), Event::new("2", "/shop", "order.paid")];
//! let folded = view.fold(initial, &events, &parameters)?;
//! println!("{} events -> {}", folded.events_applied, String::from_utf8_lossy(&folded.state.bytes));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod aot;
mod bindings;
mod change;
mod component;
mod config;
mod database;
mod decider;
mod diff;
mod error;
mod event_function;
mod imports;
mod limits;
mod load;
mod metrics;
#[cfg(feature = "profiling")]
mod profile;
mod registry;
mod runtime;
mod store;
mod transform;
mod upcast;
mod validator;
mod view;
#[cfg(feature = "wasi")]
mod wasi;
mod wire;

pub use change::StateChange;
pub use component::WIT_VERSIONS;
pub use config::{AddressSpace, FUEL_PER_ASYNC_YIELD, FUEL_PER_GROWN_PAGE, RuntimeConfig};
pub use database::{
    Appended, Database, DatabaseConfig, DatabaseDecider, DatabaseError, Decided, Follower, Read,
    Rebuilt, ViewState, ViewStateError,
};
pub use decider::{DecideError, Decider, Decision, Snapshot};
pub use diff::{Diff, DiffError, DiffOutcome, Divergence, DivergentEvent};
pub use error::{Error, FoldError, FrameDisagreement, TrapCode};
pub use event_function::EventRefused;
pub use imports::{
    FUEL_PER_HOST_CALL, FUEL_PER_LOG_CALL, MAX_LOG_LINE_BYTES, MAX_LOG_LINES_PER_CALL,
};
pub use limits::Limits;
pub use load::{ComponentKind, Load, Loaded, Sandbox};
pub use metrics::{ErrorKind, LATENCY_BUCKETS, LatencySnapshot, MetricsSnapshot};
#[cfg(feature = "profiling")]
pub use profile::Profiler;
pub use registry::{
    ComponentInfo, ContentHash, Registry, RegistryError, Reloaded, ShadowError, ShadowRun,
    Shadowed, Version, Versioned, Watcher,
};
pub use runtime::Runtime;
pub use transform::Transform;
pub use upcast::{Upcast, UpcastError, Upcaster, Upcasters};
pub use validator::Validator;
pub use view::{FoldConfig, Folded, StateView, ViewInstance};
