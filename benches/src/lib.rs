//! Shared workloads for the Evident benchmarks: the repository's sample events, runtimes set up
//! the ways the benchmarks compare, and states of a chosen size.
//!
//! Each bench runs the same guest logic natively (through the SDK) and as a component (through
//! the host), so the cost of the sandbox is the difference between two lines of one report. The
//! criterion benches (`cargo bench -p evident-benches`) and the `bench-report` binary share
//! these.
//!
//! ```
//! let events = evident_benches::sample_events();
//! assert_eq!(events.len(), 3000);
//! let many = evident_benches::cycle(&events, 10_000);
//! assert_eq!(many.len(), 10_000);
//! ```

use std::collections::BTreeMap;

pub mod corpus;

use event_counter::EventCounts;

use evident_guest_sdk::view;
use evident_host::{FoldConfig, Runtime, RuntimeConfig, StateChange, StateView};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State, read_json_lines};

/// The 3,000 CloudEvents of `examples/events.jsonl`.
pub fn sample_events() -> Vec<Event> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/events.jsonl");
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_json_lines(std::io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `count` events, going round `events` as often as needed.
pub fn cycle(events: &[Event], count: usize) -> Vec<Event> {
    events.iter().cycle().take(count).cloned().collect()
}

/// How a benchmark's runtime differs from the default one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// The default: pooling allocator, frames of 1,000 events, fuel on, epoch deadlines off.
    Default,
    /// One `reduce` call per event, as for components built against `evident:db@0.1.0`.
    PerEvent,
    /// No fuel and no epoch deadlines: what metering costs.
    Unmetered,
    /// Epoch deadlines without fuel.
    EpochOnly,
    /// Fuel and epoch deadlines both.
    FuelAndEpochs,
    /// Instances allocated on demand instead of from the pool.
    OnDemand,
}

/// A runtime set up as `setup` says.
pub fn runtime(setup: Setup) -> Runtime {
    let default = RuntimeConfig::default();
    let config = match setup {
        Setup::Default => default,
        Setup::PerEvent => RuntimeConfig {
            fold: FoldConfig {
                frame_events: 1,
                ..default.fold
            },
            ..default
        },
        Setup::Unmetered => RuntimeConfig {
            fuel_metering: false,
            epoch_deadlines: false,
            ..default
        },
        Setup::EpochOnly => RuntimeConfig {
            fuel_metering: false,
            epoch_deadlines: true,
            ..default
        },
        Setup::FuelAndEpochs => RuntimeConfig {
            fuel_metering: true,
            epoch_deadlines: true,
            ..default
        },
        Setup::OnDemand => RuntimeConfig {
            pooled_instances: None,
            ..default
        },
    };
    Runtime::new(config).unwrap_or_else(|e| panic!("{e}"))
}

/// The sample guest `name` (a directory under `guests/`) as a view in `runtime`.
pub fn view(runtime: &Runtime, name: &str) -> StateView {
    let bytes = component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    runtime
        .load(name, &bytes)
        .view()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The sample guest `name` in any language as a view in `runtime` (in the deny-all WASI mode if
/// its language needs it); `None` if its toolchain cannot be installed here.
pub fn view_any(runtime: &Runtime, name: &str) -> Option<StateView> {
    let bytes = match component_bytes(name) {
        Ok(bytes) => bytes,
        Err(e) if e.is_missing_tool() => return None,
        Err(e) => panic!("{e}"),
    };
    let loaded = if evident_testkit::guests::needs_wasi(name) {
        runtime.load(name, &bytes).wasi().view()
    } else {
        runtime.load(name, &bytes).view()
    };
    Some(loaded.unwrap_or_else(|e| panic!("{e}")))
}

/// The size of the sample guest `name`'s component, in bytes.
pub fn component_size(name: &str) -> usize {
    component_bytes(name).map_or(0, |bytes| bytes.len())
}

/// The sample guest `name` as a state change in `runtime`.
pub fn change(runtime: &Runtime, name: &str) -> StateChange {
    let bytes = component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    runtime
        .load(name, &bytes)
        .change()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// An event counter state of about `bytes` bytes of JSON: many event types seen once each.
pub fn counter_state_of(bytes: usize) -> State {
    let mut counts = EventCounts::default();
    let mut next = 0u64;
    loop {
        let state = view::encode(&counts).expect("counts encode");
        if state.bytes.len() >= bytes {
            return state;
        }
        let grow = ((bytes - state.bytes.len()) / 24).max(1);
        for _ in 0..grow {
            counts
                .by_type
                .insert(format!("com.example.type.{next:07}"), 1);
            counts.total += 1;
            next += 1;
        }
    }
}

/// The event counter's logic natively on an in-memory state: no encoding, no boundary; the
/// speed of the logic itself.
pub fn native_in_memory(events: &[Event], parameters: &Parameters) -> EventCounts {
    use evident_guest_sdk::StateView as _;
    let mut counts = EventCounts::initialize(parameters).expect("initialize");
    for event in events {
        counts
            .reduce(&event.as_event_ref(), parameters)
            .expect("reduce");
    }
    counts
}

/// The event counter natively the way one `reduce` call per event runs it: decode, apply,
/// encode, per event.
pub fn native_per_event(events: &[Event], parameters: &Parameters) -> State {
    events.iter().fold(State::default(), |state, event| {
        view::reduce::<EventCounts>(&state, event, parameters).expect("reduce")
    })
}

/// Counts by type, to check that two folds agree.
pub fn by_type(state: &State) -> BTreeMap<String, u64> {
    let counts: EventCounts = serde_json::from_slice(&state.bytes).expect("a counter state");
    counts.by_type
}
