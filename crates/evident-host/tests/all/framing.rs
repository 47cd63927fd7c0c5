//! Folding in frames (`state-view-batch`) gives what one call per event gives, however the
//! events are framed and wherever checkpoints fall: the same state, or the same failing event,
//! the same kind of error and the same last good state. Limits apply to each event of a frame
//! as to one call.

use evident_host::{Error, ErrorKind, FoldConfig, FoldError, Folded, Limits, StateView};
use evident_types::{Event, Parameters, State};
use proptest::prelude::*;

use crate::{event_counter, own_view, view};

/// `view` folding in frames of `frame_events` events (1: one `reduce` per event) and of at most
/// `frame_bytes`, checkpointing every `checkpoint_bytes` of frames.
fn framed(
    view: &StateView,
    frame_events: usize,
    frame_bytes: usize,
    checkpoint_bytes: usize,
) -> StateView {
    view.clone().with_fold_config(FoldConfig {
        frame_events,
        frame_bytes,
        checkpoint_bytes,
        checkpoint_state_multiple: 1,
        ..FoldConfig::default()
    })
}

fn per_event(view: &StateView) -> StateView {
    framed(view, 1, usize::MAX, usize::MAX)
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

/// A fold's outcome, framing aside: the final state, or where it failed, how, and the state
/// before.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Folded(State),
    Failed {
        index: usize,
        kind: ErrorKind,
        code: Option<String>,
        state: State,
    },
}

fn outcome(result: Result<Folded, Box<FoldError>>) -> Outcome {
    match result {
        Ok(folded) => Outcome::Folded(folded.state),
        Err(failed) => Outcome::Failed {
            index: failed.index,
            kind: ErrorKind::of(&failed.source),
            code: failed.source.guest_code().map(str::to_owned),
            state: failed.state,
        },
    }
}

/// The fold-probe guest with little fuel per call, so an endless loop ends in milliseconds.
fn probe() -> StateView {
    let probe = view("fold-probe");
    let limits = Limits {
        fuel: 3_000_000,
        ..probe.limits()
    };
    probe.with_limits(limits)
}

fn probe_events(types: &[&str]) -> Vec<Event> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| Event::new(format!("p{i}"), "/probe", *ty))
        .collect()
}

#[test]
fn a_fold_in_frames_equals_one_reduce_per_event_and_uses_less_fuel() {
    let events = events(2_500);
    let counter = event_counter();
    let expected = fold(&per_event(&counter), &events, &Parameters::new()).unwrap();
    for frame in [2, 7, 1_000, 10_000] {
        let folded = fold(
            &framed(&counter, frame, 1 << 20, 4 << 20),
            &events,
            &Parameters::new(),
        )
        .unwrap();
        assert_eq!(folded.state, expected.state, "frames of {frame}");
        assert_eq!(folded.events_applied, 2_500);
        assert!(
            folded.fuel_consumed < expected.fuel_consumed,
            "frames of {frame} used {} fuel, one call per event {}",
            folded.fuel_consumed,
            expected.fuel_consumed
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    /// Any events, any failure anywhere, any framing and any checkpoints: the outcome of one
    /// call per event.
    #[test]
    fn the_outcome_of_a_fold_does_not_depend_on_its_framing(
        types in proptest::collection::vec(
            prop_oneof![24 => Just("ok"), 1 => Just("refuse"), 1 => Just("panic"), 1 => Just("spin")],
            0..120,
        ),
        frame_events in 2usize..70,
        frame_bytes in prop_oneof![Just(usize::MAX), 60usize..4_000],
        checkpoint_bytes in prop_oneof![Just(usize::MAX), 0usize..3_000],
    ) {
        let events = probe_events(&types);
        let probe = probe();
        let expected = outcome(fold(&per_event(&probe), &events, &Parameters::new()));
        let framed = framed(&probe, frame_events, frame_bytes, checkpoint_bytes);
        let actual = outcome(fold(&framed, &events, &Parameters::new()));
        prop_assert_eq!(actual, expected);
    }
}

#[test]
fn a_frame_whose_work_exceeds_one_calls_fuel_folds_as_one_call_per_event() {
    // Enough fuel for any one event, far too little for a frame of 1,000: a frame gets one
    // call's fuel, so frames fail, are replayed one `reduce` per event, and halve until one
    // fits.
    let events = events(3_000);
    let counter = own_view("event-counter");
    let one = fold(&per_event(&counter), &events[..1], &Parameters::new()).unwrap();
    let limits = Limits {
        fuel: one.fuel_consumed * 4,
        ..Limits::default()
    };
    let tight = framed(&counter, 1_000, 1 << 20, 4 << 20).with_limits(limits);
    let before = tight.metrics();
    let folded = fold(&tight, &events, &Parameters::new()).unwrap();
    let expected = fold(&per_event(&counter), &events, &Parameters::new()).unwrap();
    assert_eq!(folded.state, expected.state);
    assert!(
        folded.fuel_consumed > limits.fuel * 10,
        "the frames used {} fuel in all",
        folded.fuel_consumed
    );
    let after = tight.metrics();
    let replays = after.fold_replays - before.fold_replays;
    assert!(
        (1..=10).contains(&replays),
        "{replays} frames failed: from 1,000 events, ten halvings reach frames of one"
    );
}

#[test]
fn after_a_frame_fails_for_being_a_frame_the_fold_goes_back_to_frames() {
    // Events of 300 KiB: a frame of them does not fit in a 4 MiB memory, each alone does.
    let mut events = events(20_000);
    let big = vec![b'x'; 300 << 10];
    for event in &mut events[..12] {
        event.data = Some(big.clone().into());
        event.datacontenttype = Some("application/octet-stream".into());
    }
    let counter = own_view("event-counter");
    let limits = Limits {
        memory_bytes: 4 << 20,
        ..Limits::default()
    };
    let tight = framed(&counter, 1_000, 8 << 20, 64 << 20).with_limits(limits);
    let before = tight.metrics();
    let folded = fold(&tight, &events, &Parameters::new()).unwrap();
    let after = tight.metrics();
    let expected = fold(&per_event(&counter), &events, &Parameters::new()).unwrap();
    assert_eq!(folded.state, expected.state);
    assert_eq!(
        after.fold_replays - before.fold_replays,
        1,
        "the one frame that failed"
    );
    // The failed frame's 1,000 events are sent again as halves, the half holding the big
    // events halved until its pieces fit (a few dozen calls, where one `reduce` per event
    // took 1,000), and the 19,000 after it go in 38 frames of 500, half the frame that failed
    // for its size (one call per event would be 20,000 calls).
    let calls = after.guest_calls - before.guest_calls;
    assert!(
        (40..200).contains(&calls),
        "{calls} calls into the guest for the fold"
    );
}

#[test]
fn a_refusal_after_a_checkpoint_names_the_event_and_keeps_the_last_good_state() {
    let mut events = events(1_000);
    events[737].data = None; // refused under `require-data`
    let parameters = Parameters::new().with("require-data", "true");
    let counter = event_counter();
    let expected = *fold(&per_event(&counter), &events, &parameters).unwrap_err();
    // A checkpoint after every frame of 100 events: the failure comes after seven of them.
    let failed = *fold(&framed(&counter, 100, 1 << 20, 1), &events, &parameters).unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (737, "e737"));
    assert_eq!(failed.state, expected.state, "the last good state");
    assert_eq!(ErrorKind::of(&failed.source), ErrorKind::Guest);
    assert_eq!(message(&failed.source), "event e737 has no data");
    assert_eq!(message(&failed.source), message(&expected.source));
}

#[test]
fn a_trap_inside_a_frame_is_pinned_to_its_event_and_names_the_call() {
    let mut types = vec!["ok"; 300];
    types[250] = "panic";
    let events = probe_events(&types);
    let failed = *fold(
        &framed(&probe(), 64, usize::MAX, usize::MAX),
        &events,
        &Parameters::new(),
    )
    .unwrap_err();
    let expected = *fold(&per_event(&probe()), &events, &Parameters::new()).unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (250, "p250"));
    assert_eq!(failed.state, expected.state);
    // The frame blamed event 250 and trapped, as one `reduce` per event does: its own error,
    // confirmed, is the fold's.
    assert!(failed.frame_disagreement.is_none());
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
                    .contains("event p250 asked for a panic")
            );
        }
        other => panic!("expected a trap, got {other}"),
    }
    let applied: serde_json::Value = serde_json::from_slice(&failed.state.bytes).unwrap();
    assert_eq!(applied["applied"], 250);
}

#[test]
fn a_state_that_cannot_be_saved_is_pinned_to_its_event_as_with_reduce() {
    let mut types = vec!["ok"; 300];
    types[190] = "unsavable";
    let events = probe_events(&types);
    let failed = *fold(
        &framed(&probe(), 64, usize::MAX, usize::MAX),
        &events,
        &Parameters::new(),
    )
    .unwrap_err();
    let expected = *fold(&per_event(&probe()), &events, &Parameters::new()).unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (190, "p190"));
    assert_eq!(expected.index, 190);
    assert_eq!(failed.state, expected.state);
    // `save-state` trapped in frames; one `reduce` per event traps in the `reduce` of the event
    // after which the state cannot be encoded, and that is the verdict.
    for source in [&failed.source, &expected.source] {
        match source {
            Error::Trap { function, .. } => {
                assert_eq!(*function, "reduce", "the call that trapped")
            }
            other => panic!("expected a trap, got {other}"),
        }
    }
}

#[test]
fn a_runaway_event_in_a_frame_is_stopped_by_one_calls_fuel_and_counted() {
    let mut types = vec!["ok"; 100];
    types[40] = "spin";
    let events = probe_events(&types);
    let probe = probe();
    let failed = *fold(
        &framed(&probe, 1_000, usize::MAX, usize::MAX),
        &events,
        &Parameters::new(),
    )
    .unwrap_err();
    assert_eq!(failed.index, 40);
    assert!(
        matches!(failed.source, Error::FuelExhausted { limit, .. } if limit == probe.limits().fuel),
        "{}",
        failed.source
    );
    assert!(
        failed.fuel_consumed >= probe.limits().fuel,
        "the fuel the runaway event burned is counted: {}",
        failed.fuel_consumed
    );
}

#[test]
fn a_float_state_folds_to_the_same_bits_wherever_checkpoints_fall() {
    let events = probe_events(&["ok"; 3_000]);
    let probe = probe();
    let expected = fold(
        &framed(&probe, 1_000, usize::MAX, usize::MAX),
        &events,
        &Parameters::new(),
    )
    .unwrap();
    // A checkpoint after every frame: the state is saved and loaded back 300 times.
    let checkpointed = fold(
        &framed(&probe, 10, usize::MAX, 0),
        &events,
        &Parameters::new(),
    )
    .unwrap();
    assert_eq!(checkpointed.state, expected.state);
    let state: serde_json::Value = serde_json::from_slice(&expected.state.bytes).unwrap();
    assert!(
        state["mean"].as_f64().unwrap().fract() != 0.0,
        "a float with a fraction"
    );
}

#[test]
fn an_undecodable_state_fails_at_the_first_event_as_with_reduce() {
    let state = State::new("application/cbor", vec![0xa0]);
    let events = events(10);
    let failed = event_counter()
        .fold(state.clone(), &events, &Parameters::new())
        .unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (0, "e0"));
    assert_eq!(failed.state, state);
    assert_eq!(
        failed.source.guest_code(),
        Some("invalid-state"),
        "{}",
        failed.source
    );
    assert!(
        failed.source.to_string().contains("load-state"),
        "{}",
        failed.source
    );
}

#[test]
fn a_kept_instance_serves_many_calls_and_is_replaced_after_a_trap() {
    let view = view("hostile-panic");
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
