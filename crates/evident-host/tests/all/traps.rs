//! Panics and traps: typed, explained, and the trapped instance is never used again.

use evident_host::{Error, TrapCode};
use evident_types::{Event, Parameters, State};

use crate::{reduce_is_contained, view};

fn served(state: &State) -> u64 {
    let value: serde_json::Value = serde_json::from_slice(&state.bytes).unwrap();
    value["served_by_this_instance"].as_u64().unwrap()
}

#[test]
fn a_panic_is_a_trap_that_carries_the_panic_message() {
    let err = reduce_is_contained(
        &view("hostile-panic"),
        &Event::new("p1", "/t", "panic"),
        &Parameters::new(),
    );
    match &err {
        Error::Trap {
            code,
            last_error_log,
            backtrace,
            function,
            ..
        } => {
            assert_eq!(*code, TrapCode::UnreachableCodeReached);
            assert_eq!(*function, "reduce");
            let log = last_error_log.as_deref().unwrap_or_default();
            assert!(log.contains("event p1 asked for it"), "{log:?}");
            assert!(backtrace.is_some());
        }
        other => panic!("expected a trap, got {other}"),
    }
    assert!(err.to_string().contains("event p1 asked for it"), "{err}");
}

#[test]
fn a_trapped_instance_is_never_reused() {
    let guest = view("hostile-panic");
    let parameters = Parameters::new();
    let ok = |id: &str| Event::new(id, "/t", "ok");

    // A fold reuses its instance while calls succeed...
    let folded = guest
        .fold(State::default(), [ok("1"), ok("2"), ok("3")], &parameters)
        .unwrap();
    assert_eq!(served(&folded.state), 3);

    // ...stops at the panic with the last good state...
    let failed = guest
        .fold(
            State::default(),
            [ok("1"), ok("2"), Event::new("3", "/t", "panic"), ok("4")],
            &parameters,
        )
        .unwrap_err();
    assert_eq!((failed.index, failed.event_id.as_str()), (2, "3"));
    assert_eq!(served(&failed.state), 2);
    assert!(matches!(failed.source, Error::Trap { .. }));

    // ...and whatever runs next starts on a fresh instance.
    let next = guest.reduce(&failed.state, &ok("5"), &parameters).unwrap();
    assert_eq!(served(&next), 1);
    let refold = guest
        .fold(failed.state.clone(), [ok("5"), ok("6")], &parameters)
        .unwrap();
    assert_eq!(served(&refold.state), 2);
}

#[test]
fn unreachable_is_a_trap_with_its_code() {
    let err = reduce_is_contained(
        &view("hostile-trap"),
        &Event::new("u", "/t", "unreachable"),
        &Parameters::new(),
    );
    assert!(
        matches!(
            err,
            Error::Trap {
                code: TrapCode::UnreachableCodeReached,
                last_error_log: None,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn dividing_by_zero_traps_and_says_so() {
    let err = reduce_is_contained(
        &view("hostile-trap"),
        &Event::new("d", "/t", "divide-by-zero"),
        &Parameters::new(),
    );
    assert!(matches!(err, Error::Trap { .. }), "{err}");
    assert!(err.to_string().contains("divide by zero"), "{err}");
}
