//! Folding in frames (`state-view-batch`) gives exactly what one `reduce` per event gives:
//! the same state, and on failure the same event, the same error and the same last good state.

use evident_host::{
    Error, ErrorKind, FoldConfig, FoldError, Folded, Limits, Runtime, RuntimeConfig, StateView,
};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State};

/// The same guest on a runtime that folds in frames of `batch_events` (1: one call per event).
fn guest_in_frames_of(guest: &str, batch_events: usize) -> StateView {
    let default = RuntimeConfig::default();
    let runtime = Runtime::new(RuntimeConfig {
        fold: FoldConfig {
            frame_events: batch_events,
            ..default.fold
        },
        ..default
    })
    .unwrap();
    runtime
        .load_view(guest, &component_bytes(guest).unwrap())
        .unwrap()
}

fn events(count: usize) -> Vec<Event> {
    (0..count)
        .map(|i| {
            Event::new(format!("e{i}"), "/batch", ["a", "b", "c"][i % 3])
                .with_json_data(&serde_json::json!({ "n": i }))
                .unwrap()
        })
        .collect()
}

fn fold(
    view: &StateView,
    events: &[Event],
    parameters: &Parameters,
) -> Result<Folded, Box<FoldError>> {
    view.fold(State::default(), events, parameters)
}

#[test]
fn a_fold_in_frames_equals_one_reduce_per_event() {
    let events = events(2_500);
    let per_event = guest_in_frames_of("event-counter", 1);
    let expected = fold(&per_event, &events, &Parameters::new()).unwrap();
    for batch in [2, 7, 1_000, 10_000] {
        let folded = fold(
            &guest_in_frames_of("event-counter", batch),
            &events,
            &Parameters::new(),
        )
        .unwrap();
        assert_eq!(folded.state, expected.state, "frames of {batch}");
        assert_eq!(folded.events_applied, 2_500);
        assert!(
            folded.fuel_consumed < expected.fuel_consumed,
            "frames of {batch} used {} fuel, one call per event {}",
            folded.fuel_consumed,
            expected.fuel_consumed
        );
    }
}

#[test]
fn a_refusal_inside_a_frame_names_the_event_and_keeps_the_last_good_state() {
    let mut events = events(1_000);
    events[737].data = None; // refused under `require-data`
    let parameters = Parameters::new().with("require-data", "true");
    let expected = *fold(
        &guest_in_frames_of("event-counter", 1),
        &events,
        &parameters,
    )
    .unwrap_err();
    let failed = *fold(
        &guest_in_frames_of("event-counter", 100),
        &events,
        &parameters,
    )
    .unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (737, "e737"));
    assert_eq!(failed.state, expected.state, "the last good state");
    assert_eq!(ErrorKind::of(&failed.source), ErrorKind::of(&expected.source));
    assert_eq!(
        (failed.source.guest_code(), message(&failed.source)),
        (expected.source.guest_code(), message(&expected.source))
    );
    assert!(
        failed.source.to_string().contains("event e737 has no data"),
        "{}",
        failed.source
    );
}

#[test]
fn a_trap_inside_a_frame_is_replayed_to_the_exact_event() {
    let mut events: Vec<Event> = (0..300)
        .map(|i| Event::new(format!("{i}"), "/t", "ok"))
        .collect();
    events[250] = Event::new("boom", "/t", "panic");
    let failed = *fold(
        &guest_in_frames_of("hostile-panic", 64),
        &events,
        &Parameters::new(),
    )
    .unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (250, "boom"));
    match &failed.source {
        Error::Trap {
            function,
            last_error_log,
            ..
        } => {
            assert_eq!(*function, "apply-events", "the call that trapped");
            assert!(
                last_error_log
                    .as_deref()
                    .unwrap_or_default()
                    .contains("event boom asked for it")
            );
        }
        other => panic!("expected a trap, got {other}"),
    }
    let served: serde_json::Value = serde_json::from_slice(&failed.state.bytes).unwrap();
    assert_eq!(
        served["served_by_this_instance"], 250,
        "the last good state is the 250 events before the trap, replayed on one fresh instance"
    );
}

#[test]
fn a_frame_that_runs_out_of_fuel_is_replayed_one_event_at_a_time() {
    let events = events(2_000);
    let per_event = fold(
        &guest_in_frames_of("event-counter", 1),
        &events[..1],
        &Parameters::new(),
    )
    .unwrap();
    // Enough fuel for any single event, far too little for a frame of 1,000.
    let limits = Limits {
        fuel: per_event.fuel_consumed * 20,
        ..Limits::default()
    };
    let expected = fold(
        &guest_in_frames_of("event-counter", 1),
        &events,
        &Parameters::new(),
    )
    .unwrap();
    let view = guest_in_frames_of("event-counter", 1_000).with_limits(limits);
    let folded = fold(&view, &events, &Parameters::new()).unwrap();
    assert_eq!(folded.state, expected.state);
    assert_eq!(folded.events_applied, 2_000);
}

#[test]
fn an_undecodable_state_fails_at_the_first_event_as_with_reduce() {
    let state = State::new("application/cbor", vec![0xa0]);
    let events = events(10);
    let view = guest_in_frames_of("event-counter", 1_000);
    let failed = view
        .fold(state.clone(), &events, &Parameters::new())
        .unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (0, "e0"));
    assert_eq!(failed.state, state);
    assert!(
        failed.source.to_string().contains("this view stores"),
        "{}",
        failed.source
    );
}

#[test]
fn a_kept_instance_serves_many_calls_and_is_replaced_after_a_trap() {
    let view = guest_in_frames_of("hostile-panic", 1_000);
    let parameters = Parameters::new();
    let mut instance = view.instance().unwrap();
    let calls = |state: &State| -> u64 {
        let value: serde_json::Value = serde_json::from_slice(&state.bytes).unwrap();
        value["served_by_this_instance"].as_u64().unwrap()
    };
    let mut state = instance.initialize(&parameters).unwrap();
    for i in 0..5 {
        state = instance
            .reduce(&state, &Event::new(format!("{i}"), "/t", "ok"), &parameters)
            .unwrap();
    }
    assert_eq!(calls(&state), 5, "one instance served every call");
    let error = instance
        .reduce(&state, &Event::new("p", "/t", "panic"), &parameters)
        .unwrap_err();
    assert!(matches!(error, Error::Trap { .. }), "{error}");
    let after = instance
        .reduce(&state, &Event::new("6", "/t", "ok"), &parameters)
        .unwrap();
    assert_eq!(calls(&after), 1, "a fresh instance after the trap");
}

/// A refusal's message, whichever export refused.
fn message(error: &Error) -> &str {
    match error {
        Error::Guest { message, .. } => message,
        other => panic!("expected a refusal, got {other}"),
    }
}
