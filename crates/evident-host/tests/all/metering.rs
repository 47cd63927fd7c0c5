//! Fuel alone bounds every hostile guest: with epoch deadlines off, each is stopped within the
//! default limits, by fuel (charged per byte for bulk memory, per page for `memory.grow`, per
//! byte and per call for log lines) or by the memory limit, and soon.

use std::time::{Duration, Instant};

use evident_host::{Error, ErrorKind, Runtime, RuntimeConfig, StateView};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State};

use crate::any_event;

/// `guest` in a runtime that meters fuel and keeps no deadline (the default, spelled out).
fn fuel_only(guest: &str) -> StateView {
    let runtime = Runtime::new(RuntimeConfig {
        epoch_deadlines: false,
        ..RuntimeConfig::default()
    })
    .unwrap();
    runtime
        .load_view(guest, &component_bytes(guest).unwrap())
        .unwrap()
}

/// How long a hostile call may take before it counts as unbounded: far more than any of them
/// takes, far less than forever.
const BOUND: Duration = Duration::from_secs(30);

#[test]
fn every_hostile_guest_is_stopped_by_fuel_or_memory_without_a_deadline() {
    for (guest, parameters, expected) in [
        ("hostile-loop", Parameters::new(), ErrorKind::Fuel),
        ("hostile-bulk-memory", Parameters::new(), ErrorKind::Fuel),
        ("hostile-log-flood", Parameters::new(), ErrorKind::Fuel),
        ("hostile-grow-storm", Parameters::new(), ErrorKind::Memory),
        (
            "hostile-grow-storm",
            Parameters::new().with("grow", "0"),
            ErrorKind::Fuel,
        ),
        (
            "hostile-allocation-storm",
            Parameters::new(),
            ErrorKind::Memory,
        ),
        ("hostile-memory-bomb", Parameters::new(), ErrorKind::Memory),
        ("hostile-recursion", Parameters::new(), ErrorKind::Trap),
    ] {
        let view = fuel_only(guest);
        let started = Instant::now();
        let error = view
            .reduce(&State::default(), &any_event(), &parameters)
            .unwrap_err();
        let took = started.elapsed();
        let kind = ErrorKind::of(&error);
        assert!(
            kind == expected || (guest == "hostile-allocation-storm" && kind == ErrorKind::Fuel),
            "{guest} {parameters:?}: {error}"
        );
        assert!(took < BOUND, "{guest} ran {took:?} before it was stopped");
        // Seen with `--nocapture`: how long each took to stop.
        println!("{guest} {parameters:?}: {kind:?} after {took:?}");
    }
}

#[test]
fn a_log_flood_reaches_the_log_as_a_bounded_number_of_lines() {
    let view = crate::view("hostile-log-flood");
    let lines = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || Counter(counted.clone()))
        .with_max_level(tracing::Level::INFO)
        .finish();
    let error = tracing::subscriber::with_default(subscriber, || {
        view.reduce(&State::default(), &any_event(), &Parameters::new())
            .unwrap_err()
    });
    assert!(matches!(error, Error::FuelExhausted { .. }), "{error}");
    let lines = lines.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        lines <= evident_host::MAX_LOG_LINES_PER_CALL as usize + 1,
        "{lines} lines reached the log"
    );
    assert!(lines > 0);
}

/// Counts the lines written through it.
struct Counter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl std::io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        self.0
            .fetch_add(lines, std::sync::atomic::Ordering::Relaxed);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_fold_without_deadlines_is_still_stopped_at_the_runaway_event() {
    let view = fuel_only("hostile-loop");
    let events: Vec<Event> = (0..10)
        .map(|i| Event::new(format!("{i}"), "/m", "t"))
        .collect();
    let failed = view
        .fold(State::default(), &events, &Parameters::new())
        .unwrap_err();
    assert_eq!(failed.index, 0);
    assert!(
        matches!(failed.source, Error::FuelExhausted { .. }),
        "{}",
        failed.source
    );
}
