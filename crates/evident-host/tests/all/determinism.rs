//! Replaying the same events gives the same bytes: on fresh instances, on one instance, and on
//! a second runtime; float arithmetic (NaNs included) too.

use evident_host::{Runtime, RuntimeConfig, StateView};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State};

fn sample_events() -> Vec<Event> {
    (0..200)
        .map(|i| {
            Event::new(format!("evt-{i}"), "/replay", ["a.b", "c.d", "e.f"][i % 3])
                .with_json_data(&serde_json::json!({"n": i}))
                .unwrap()
        })
        .collect()
}

/// Folds on one instance, and again one fresh instance per event; both must agree.
fn replay(view: &StateView, events: &[Event]) -> State {
    let parameters = Parameters::new();
    let initial = view.initialize(&parameters).unwrap();
    let folded = view
        .fold(initial.clone(), events, &parameters)
        .unwrap()
        .state;
    let stepped = events.iter().fold(initial, |state, event| {
        view.reduce(&state, event, &parameters).unwrap()
    });
    assert_eq!(folded, stepped, "one instance and fresh instances disagree");
    folded
}

fn on_two_runtimes(guest: &str) -> (State, State) {
    let bytes = component_bytes(guest).unwrap();
    let events = sample_events();
    let first = Runtime::new(RuntimeConfig::default()).unwrap();
    let second = Runtime::new(RuntimeConfig::default()).unwrap();
    let a = replay(&first.load(guest, &bytes).view().unwrap(), &events);
    let b = replay(&second.load(guest, &bytes).view().unwrap(), &events);
    (a, b)
}

#[test]
fn replaying_a_fold_gives_identical_bytes() {
    let (a, b) = on_two_runtimes("event-counter");
    assert_eq!(a.bytes, b.bytes);
    assert!(a.bytes.starts_with(br#"{"by_type":{"a.b":67,"#));
}

#[test]
fn float_arithmetic_with_nans_replays_identically_and_canonically() {
    let (a, b) = on_two_runtimes("float-mixer");
    assert_eq!(a.bytes, b.bytes);
    let state: serde_json::Value = serde_json::from_slice(&a.bytes).unwrap();
    let bits: Vec<u64> = state["bits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap())
        .collect();
    assert_eq!(bits.len(), 200 * 8);
    // Arithmetic that makes a NaN at run time makes the canonical one, whatever the CPU would
    // have made. (Result 4 is folded by the compiler, so it is merely the same every time.)
    const CANONICAL_F64_NAN: u64 = 0x7ff8_0000_0000_0000;
    const CANONICAL_F32_NAN: u64 = 0x7fc0_0000;
    for event in bits.chunks(8) {
        for (i, &result) in event[..4].iter().enumerate() {
            assert_eq!(result, CANONICAL_F64_NAN, "result {i}: {result:#x}");
        }
        assert_eq!(event[7], CANONICAL_F32_NAN, "{:#x}", event[7]);
    }
}
