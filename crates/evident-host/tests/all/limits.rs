//! Memory, allocation and output limits.

use evident_host::{Error, Limits};
use evident_types::{Command, Parameters, State};

use crate::{
    any_event, assert_runtime_serves_well_behaved_guests, change, reduce_is_contained, view,
};

const MIB: usize = 1 << 20;

#[test]
fn a_memory_bomb_stops_at_the_default_memory_limit() {
    let err = reduce_is_contained(
        &view("hostile-memory-bomb"),
        &any_event(),
        &Parameters::new(),
    );
    assert!(
        matches!(err, Error::MemoryLimit { limit, requested, .. } if limit == 64 * MIB && requested > limit),
        "{err}"
    );
}

#[test]
fn a_memory_limit_can_be_set_per_component() {
    let limits = Limits {
        memory_bytes: 8 * MIB,
        ..Limits::default()
    };
    let bomb = view("hostile-memory-bomb").with_limits(limits);
    let err = reduce_is_contained(&bomb, &any_event(), &Parameters::new());
    assert!(
        matches!(err, Error::MemoryLimit { limit, .. } if limit == 8 * MIB),
        "{err}"
    );
}

#[test]
fn an_allocation_storm_is_stopped_by_a_limit_and_a_small_one_completes() {
    let storm = view("hostile-allocation-storm");
    let err = reduce_is_contained(&storm, &any_event(), &Parameters::new());
    assert!(err.is_limit(), "expected a limit, got {err}");

    let parameters = Parameters::new().with("allocations", "100000");
    let state = storm
        .reduce(&State::default(), &any_event(), &parameters)
        .unwrap();
    assert_eq!(&state.bytes[..], br#"{"allocated":100000}"#);
}

#[test]
fn a_500_mib_state_is_stopped_by_the_memory_limit() {
    let err = reduce_is_contained(
        &view("hostile-huge-state"),
        &any_event(),
        &Parameters::new(),
    );
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err}");
}

#[test]
fn a_state_over_the_output_limit_is_refused_even_when_memory_allows_it() {
    let limits = Limits {
        memory_bytes: 128 * MIB,
        max_output_bytes: 4 * MIB,
        ..Limits::default()
    };
    let ballast = view("hostile-huge-state").with_limits(limits);
    let parameters = Parameters::new().with("bytes", (5 * MIB).to_string());
    let err = reduce_is_contained(&ballast, &any_event(), &parameters);
    assert!(
        matches!(err, Error::OutputLimit { what: "state bytes", limit, actual, .. } if limit == 4 * MIB && actual.is_some_and(|actual| actual > limit)),
        "{err}"
    );
    // Under the limit the same guest is served.
    let parameters = Parameters::new().with("bytes", MIB.to_string());
    assert!(
        ballast
            .reduce(&State::default(), &any_event(), &parameters)
            .is_ok()
    );
}

fn flood(count: Option<u64>) -> Command {
    Command::json(&serde_json::json!({ "count": count })).unwrap()
}

#[test]
fn ten_million_events_are_stopped_by_the_memory_limit() {
    let err = change("hostile-event-flood")
        .process(&State::default(), &flood(None), &Parameters::new())
        .unwrap_err();
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err}");
    assert_runtime_serves_well_behaved_guests();
}

#[test]
fn more_events_than_the_event_limit_are_refused() {
    let limits = Limits {
        memory_bytes: 256 * MIB,
        max_events: 1_000,
        ..Limits::default()
    };
    let flood_change = change("hostile-event-flood").with_limits(limits);
    let err = flood_change
        .process(&State::default(), &flood(Some(1_001)), &Parameters::new())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutputLimit {
                what: "events",
                actual: Some(1_001),
                limit: 1_000,
                ..
            }
        ),
        "{err}"
    );
    let events = flood_change
        .process(&State::default(), &flood(Some(1_000)), &Parameters::new())
        .unwrap();
    assert_eq!(events.len(), 1_000);
    assert_runtime_serves_well_behaved_guests();
}

#[test]
fn a_state_too_large_to_copy_out_is_the_output_limit_not_a_host_failure() {
    // Memory allows 64 MiB of state; the host stops copying it out at the output limit.
    let limits = Limits {
        memory_bytes: 512 * MIB,
        max_output_bytes: MIB,
        fuel: 10_000_000_000,
        ..Limits::default()
    };
    let ballast = view("hostile-huge-state").with_limits(limits);
    let parameters = Parameters::new().with("bytes", (64 * MIB).to_string());
    let err = reduce_is_contained(&ballast, &any_event(), &parameters);
    assert!(
        matches!(
            err,
            Error::OutputLimit {
                actual: None,
                limit,
                ..
            } if limit == MIB
        ),
        "{err}"
    );
}

#[test]
fn a_folds_peak_memory_and_fuel_include_the_call_that_hit_the_limit() {
    let bomb = view("hostile-memory-bomb");
    let failed = bomb
        .fold(
            State::default(),
            [any_event(), any_event()],
            &Parameters::new(),
        )
        .unwrap_err();
    assert!(
        matches!(failed.source, Error::MemoryLimit { .. }),
        "{}",
        failed.source
    );
    assert!(
        failed.peak_memory_bytes > 60 * MIB,
        "the bomb grew its memory to {} bytes before the limit",
        failed.peak_memory_bytes
    );
    assert!(failed.fuel_consumed > 0);
    let metrics = bomb.metrics();
    assert!(metrics.peak_memory_bytes > 60 * MIB, "{metrics:?}");
    assert!(metrics.fuel_consumed >= failed.fuel_consumed, "{metrics:?}");
}

#[test]
fn a_table_limit_below_what_the_guest_needs_is_reported_as_such() {
    let limits = Limits {
        table_elements: 1,
        ..Limits::default()
    };
    let err = crate::event_counter()
        .with_limits(limits)
        .reduce(&State::default(), &any_event(), &Parameters::new())
        .unwrap_err();
    assert!(
        matches!(err, Error::TableLimit { limit: 1, requested, .. } if requested > 1),
        "{err}"
    );
    assert_runtime_serves_well_behaved_guests();
}

#[test]
fn an_event_that_breaks_the_cloudevents_rules_is_invalid_output() {
    let emitter = change("hostile-invalid-event");
    for (rule, attribute) in [
        ("empty-id", "id"),
        ("spec-0.9", "specversion"),
        ("bad-time", "time"),
        ("twice-named", "extensions"),
    ] {
        let command = Command::new("text/plain", rule.as_bytes().to_vec());
        let err = emitter
            .process(&State::default(), &command, &Parameters::new())
            .unwrap_err();
        match &err {
            Error::InvalidOutput { reason, .. } => {
                assert!(reason.contains(attribute), "{rule}: {reason}")
            }
            other => panic!("{rule}: expected InvalidOutput, got {other}"),
        }
    }
}

#[test]
fn a_guest_that_begins_more_events_than_its_frame_holds_is_stopped() {
    let liar = view("hostile-false-blame");
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || Log(writer.clone()))
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    let folded = tracing::subscriber::with_default(subscriber, || {
        liar.fold(
            State::default(),
            [any_event(), any_event()],
            &Parameters::new().with("lie", "overrun"),
        )
    })
    .unwrap();
    // The frame's call is stopped with the breach; its events, which one `reduce` per event
    // applies, are folded that way.
    assert_eq!(&folded.state.bytes[..], br#"{"applied":2}"#);
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        log.lines()
            .any(|line| line.contains("apply-events") && line.contains("begin-event")),
        "{log}"
    );
}

/// Collects what a tracing subscriber writes.
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes of linear memory a component starts with (the largest of its core modules').
fn initial_memory_bytes(component: &[u8]) -> usize {
    let mut pages = 0;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let wasmparser::Payload::MemorySection(memories) = payload.unwrap() {
            for memory in memories {
                pages = pages.max(memory.unwrap().initial);
            }
        }
    }
    usize::try_from(pages).unwrap() << 16
}

/// A fresh instance (each of these calls gets one) whose work fits in the heap a Rust guest is
/// linked with never grows its memory, which in the pool would cost two `mprotect`s of its slot.
#[test]
fn a_rust_guests_calls_that_fit_in_its_initial_heap_never_grow_its_memory() {
    for name in ["event-counter", "bank-account"] {
        let initial =
            initial_memory_bytes(&evident_testkit::guests::component_bytes(name).unwrap());
        assert!(initial >= 2 * MIB, "{name} starts with {initial} bytes");
    }
    let pinned = |name: &str| Limits {
        memory_bytes: initial_memory_bytes(
            &evident_testkit::guests::component_bytes(name).unwrap(),
        ),
        ..Limits::default()
    };
    let counter = view("event-counter").with_limits(pinned("event-counter"));
    let state = counter
        .reduce(&State::default(), &any_event(), &Parameters::new())
        .unwrap();
    counter
        .reduce(&state, &any_event(), &Parameters::new())
        .unwrap();
    let bank = change("bank-account").with_limits(pinned("bank-account"));
    let open =
        Command::json(&serde_json::json!({"type": "open", "account_id": "a1", "owner": "Ann"}))
            .unwrap();
    let opened = bank
        .process(&State::default(), &open, &Parameters::new())
        .unwrap();
    assert_eq!(opened.len(), 1);
}
