//! One shared runtime, several threads, well-behaved and hostile guests mixed: no crash, no hang,
//! every good result right, every hostile call its typed error.
//!
//! `EVIDENT_SOAK_CALLS` sets the calls per thread (default 5,000, so 20,000 in all); the ignored
//! `long_soak` runs 25,000 per thread.

use std::time::Duration;

use evident_host::{Error, Limits};
use evident_types::{Event, Parameters, State};

use crate::view;

fn soak(calls_per_thread: usize) {
    let counter = view("event-counter");
    let panicker = view("hostile-panic");
    let spinner = view("hostile-loop").with_limits(Limits {
        fuel: 200_000,
        deadline: Duration::from_secs(5),
        ..Limits::default()
    });
    let bomb = view("hostile-memory-bomb").with_limits(Limits {
        memory_bytes: 4 << 20,
        ..Limits::default()
    });
    let parameters = Parameters::new();
    let threads = 4;
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let (counter, panicker, spinner, bomb) = (&counter, &panicker, &spinner, &bomb);
            let parameters = &parameters;
            scope.spawn(move || {
                let mut state = State::default();
                let mut expected_total = 0u64;
                for call in 0..calls_per_thread {
                    let event = Event::new(format!("{thread}-{call}"), "/soak", "tick");
                    match (call + thread) % 5 {
                        0 | 1 => {
                            state = counter.reduce(&state, &event, parameters).unwrap();
                            expected_total += 1;
                            let counts: serde_json::Value =
                                serde_json::from_slice(&state.bytes).unwrap();
                            assert_eq!(counts["total"], expected_total);
                        }
                        2 => {
                            let panic = Event::new(event.id.clone(), "/soak", "panic");
                            let err = panicker
                                .reduce(&State::default(), &panic, parameters)
                                .unwrap_err();
                            assert!(matches!(err, Error::Trap { .. }), "{err}");
                        }
                        3 => {
                            let err = spinner
                                .reduce(&State::default(), &event, parameters)
                                .unwrap_err();
                            assert!(matches!(err, Error::FuelExhausted { .. }), "{err}");
                        }
                        _ => {
                            let err = bomb
                                .reduce(&State::default(), &event, parameters)
                                .unwrap_err();
                            assert!(matches!(err, Error::MemoryLimit { .. }), "{err}");
                        }
                    }
                }
            });
        }
    });
}

#[test]
fn a_shared_runtime_survives_mixed_hostile_traffic_on_all_cores() {
    let calls = std::env::var("EVIDENT_SOAK_CALLS")
        .ok()
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(5_000);
    soak(calls);
}

#[test]
#[ignore = "long: 100,000 calls; run with --ignored"]
fn long_soak() {
    soak(25_000);
}
