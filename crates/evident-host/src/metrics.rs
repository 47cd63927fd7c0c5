//! What each loaded component has done: calls, errors by kind, fuel, latency, memory. Counted
//! with atomics on every call; read as a plain [`MetricsSnapshot`] (and, with the `prometheus`
//! feature, through [`crate::Registry::encode_prometheus`]).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Upper bounds of the latency histogram's buckets; the last bucket takes everything slower.
pub const LATENCY_BUCKETS: [Duration; 12] = [
    Duration::from_micros(5),
    Duration::from_micros(10),
    Duration::from_micros(25),
    Duration::from_micros(50),
    Duration::from_micros(100),
    Duration::from_micros(250),
    Duration::from_micros(500),
    Duration::from_millis(1),
    Duration::from_millis(10),
    Duration::from_millis(100),
    Duration::from_secs(1),
    Duration::from_secs(10),
];

/// How a failed call failed, for counting: the distinctions an operator alerts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// The guest refused ([`Error::Guest`]).
    Guest,
    /// The guest trapped ([`Error::Trap`]).
    Trap,
    /// It ran out of fuel.
    Fuel,
    /// It ran past its deadline.
    Deadline,
    /// It hit the memory or table limit.
    Memory,
    /// Anything else: output limits, invalid output, host failures.
    Other,
}

impl ErrorKind {
    /// Every kind, in the order snapshots list them.
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Guest,
        ErrorKind::Trap,
        ErrorKind::Fuel,
        ErrorKind::Deadline,
        ErrorKind::Memory,
        ErrorKind::Other,
    ];

    /// The label exporters use.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Guest => "guest",
            ErrorKind::Trap => "trap",
            ErrorKind::Fuel => "fuel",
            ErrorKind::Deadline => "deadline",
            ErrorKind::Memory => "memory",
            ErrorKind::Other => "other",
        }
    }

    /// The kind of `error`.
    pub fn of(error: &Error) -> Self {
        match error {
            Error::Guest { .. } => ErrorKind::Guest,
            Error::Trap { .. } => ErrorKind::Trap,
            Error::FuelExhausted { .. } => ErrorKind::Fuel,
            Error::DeadlineExceeded { .. } => ErrorKind::Deadline,
            Error::MemoryLimit { .. } | Error::TableLimit { .. } => ErrorKind::Memory,
            _ => ErrorKind::Other,
        }
    }
}

/// The live counters of one loaded component; shared by every clone of its handle.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    calls: AtomicU64,
    events: AtomicU64,
    errors: [AtomicU64; ErrorKind::ALL.len()],
    fuel: AtomicU64,
    peak_memory: AtomicUsize,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    latency_nanos: AtomicU64,
    instances: AtomicU64,
    replays: AtomicU64,
    guest_calls: AtomicU64,
}

/// What one call did, for [`Metrics::record`].
pub(crate) struct Outcome<'a> {
    pub(crate) started: Instant,
    pub(crate) events: u64,
    pub(crate) fuel: u64,
    pub(crate) peak_memory: usize,
    pub(crate) error: Option<&'a Error>,
}

impl Metrics {
    /// One more instance created.
    pub(crate) fn count_instance(&self) {
        self.instances.fetch_add(1, Ordering::Relaxed);
    }

    /// One more call into the component.
    pub(crate) fn count_guest_call(&self) {
        self.guest_calls.fetch_add(1, Ordering::Relaxed);
    }

    /// One more failed frame replayed to find the failing event.
    pub(crate) fn count_replay(&self) {
        self.replays.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record(&self, outcome: Outcome<'_>) {
        let elapsed = outcome.started.elapsed();
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.events.fetch_add(outcome.events, Ordering::Relaxed);
        self.fuel.fetch_add(outcome.fuel, Ordering::Relaxed);
        self.peak_memory
            .fetch_max(outcome.peak_memory, Ordering::Relaxed);
        if let Some(error) = outcome.error {
            let kind = ErrorKind::of(error);
            let index = ErrorKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
            self.errors[index].fetch_add(1, Ordering::Relaxed);
        }
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|bound| elapsed <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.latency_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> MetricsSnapshot {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MetricsSnapshot {
            calls: load(&self.calls),
            events: load(&self.events),
            errors: ErrorKind::ALL
                .iter()
                .zip(&self.errors)
                .map(|(kind, count)| (*kind, load(count)))
                .collect(),
            fuel_consumed: load(&self.fuel),
            instances: load(&self.instances),
            fold_replays: load(&self.replays),
            guest_calls: load(&self.guest_calls),
            peak_memory_bytes: self.peak_memory.load(Ordering::Relaxed),
            latency: LatencySnapshot {
                buckets: LATENCY_BUCKETS
                    .iter()
                    .map(|bound| Some(*bound))
                    .chain([None])
                    .zip(&self.latency_buckets)
                    .map(|(bound, count)| (bound, load(count)))
                    .collect(),
                total: Duration::from_nanos(load(&self.latency_nanos)),
            },
        }
    }
}

/// A component's counters at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Calls made (`initialize`, `reduce`, `fold`, `process`, `validate`; a fold is one call).
    pub calls: u64,
    /// Events applied by `reduce` and `fold` calls that succeeded, and before the failure in
    /// those that did not.
    pub events: u64,
    /// Failed calls by kind, every kind listed.
    pub errors: Vec<(ErrorKind, u64)>,
    /// Fuel used by all calls, failed ones included.
    pub fuel_consumed: u64,
    /// Instances created: one per fresh-instance call, one per fold, and one per replay of a
    /// failed frame.
    pub instances: u64,
    /// Frames that failed and were replayed from their fold's last checkpoint to find the
    /// failing event; after one, the fold goes on in frames.
    pub fold_replays: u64,
    /// Calls into the component's exports (a fold makes one per frame, `save-state` and
    /// `load-state` too, and those its replays make).
    pub guest_calls: u64,
    /// The largest linear memory any call saw.
    pub peak_memory_bytes: usize,
    /// How long calls took.
    pub latency: LatencySnapshot,
}

impl MetricsSnapshot {
    /// Failed calls of `kind`.
    pub fn errors_of(&self, kind: ErrorKind) -> u64 {
        self.errors
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, count)| *count)
    }

    /// Failed calls of every kind.
    pub fn errors_total(&self) -> u64 {
        self.errors.iter().map(|(_, count)| count).sum()
    }
}

/// A latency histogram: calls per bucket (not cumulative), by upper bound (`None`: slower than
/// every bound), and the time all calls took together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencySnapshot {
    /// `(upper bound, calls)` per bucket, fastest first.
    pub buckets: Vec<(Option<Duration>, u64)>,
    /// The sum of every call's duration.
    pub total: Duration,
}

impl LatencySnapshot {
    /// Calls counted.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|(_, count)| count).sum()
    }
}
