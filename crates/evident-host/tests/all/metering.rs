//! Fuel alone bounds every hostile guest: with epoch deadlines off, each is stopped within the
//! default limits, by fuel (charged per byte for bulk memory, per page for `memory.grow`, per
//! call and per byte for every host import and every WASI write) or by the memory limit, and
//! soon.

use std::time::{Duration, Instant};

use evident_build::GuestTarget;
use evident_host::{Error, ErrorKind, Limits, Runtime, RuntimeConfig, StateView};
use evident_testkit::guests::{component_bytes, component_path_for};
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
        .load(guest, &component_bytes(guest).unwrap())
        .view()
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
        ("hostile-refuse-flood", Parameters::new(), ErrorKind::Fuel),
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

/// `guests/<guest>`, built for `wasm32-wasip2`, in the deny-all WASI mode of a runtime that
/// meters fuel and keeps no deadline.
fn wasi_fuel_only(guest: &str) -> StateView {
    let runtime = Runtime::new(RuntimeConfig {
        epoch_deadlines: false,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let path = component_path_for(guest, GuestTarget::Wasip2).unwrap();
    runtime
        .load(guest, &std::fs::read(path).unwrap())
        .wasi()
        .view()
        .unwrap()
}

#[test]
fn a_wasi_write_flood_is_stopped_by_fuel_without_a_deadline() {
    let view = wasi_fuel_only("hostile-wasi-write-flood");
    let started = Instant::now();
    let error = view
        .reduce(&State::default(), &any_event(), &Parameters::new())
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, Error::FuelExhausted { .. }), "{error}");
    assert!(
        took < BOUND,
        "the write flood ran {took:?} before it was stopped"
    );
    println!("hostile-wasi-write-flood: fuel after {took:?}");
}

/// A call whose guest is cheap but makes the host copy much: `refuse` called 20 times with a
/// 4 MiB message, 80 MiB for the host to copy and check.
#[test]
fn the_bytes_of_a_refusal_are_charged_to_the_call() {
    let view = crate::own_view("hostile-refuse-flood").with_limits(Limits {
        fuel: 40_000_000,
        ..Limits::default()
    });
    let flood = |calls: u32| {
        let parameters = Parameters::new()
            .with("bytes", (4 << 20).to_string())
            .with("calls", calls.to_string());
        view.reduce(&State::default(), &any_event(), &parameters)
            .unwrap_err()
    };
    // One refusal fits in the fuel: the guest's own work is small. (The errors are told by
    // their kind: a refusal's message is the 4 MiB.)
    let once = flood(1);
    assert_eq!(
        once.guest_code(),
        Some("flood"),
        "{:?}",
        ErrorKind::of(&once)
    );
    let twenty = flood(20);
    assert!(
        matches!(
            twenty,
            Error::FuelExhausted {
                limit: 40_000_000,
                ..
            }
        ),
        "{:?}",
        ErrorKind::of(&twenty)
    );
}

/// The same for a WASI guest writing to stdout: 64 writes of 1 MiB are 64 MiB for the host to
/// copy and scan for line ends.
#[test]
fn the_bytes_a_wasi_guest_writes_are_charged_to_the_call() {
    let view = wasi_fuel_only("hostile-wasi-write-flood").with_limits(Limits {
        fuel: 40_000_000,
        ..Limits::default()
    });
    let flood = |writes: u32| {
        let parameters = Parameters::new()
            .with("bytes", (1 << 20).to_string())
            .with("writes", writes.to_string());
        view.reduce(&State::default(), &any_event(), &parameters)
    };
    let once = flood(1).unwrap();
    assert_eq!(&once.bytes[..], br#"{"bytes":1048576}"#);
    let many = flood(64).unwrap_err();
    assert!(
        matches!(
            many,
            Error::FuelExhausted {
                limit: 40_000_000,
                ..
            }
        ),
        "{many}"
    );
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
