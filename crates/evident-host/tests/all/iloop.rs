//! A guest that never returns: fuel stops it; with unlimited fuel, the epoch deadline does (in a
//! runtime that keeps them), and without one nothing is there to stop it.

use std::time::Duration;

use evident_host::{Error, Limits};
use evident_types::Parameters;

use crate::{any_event, own_view, reduce_is_contained, view, view_with_deadlines};

#[test]
fn an_infinite_loop_is_stopped_by_fuel() {
    let limits = Limits {
        fuel: 20_000_000,
        ..Limits::default()
    };
    let spinner = own_view("hostile-loop").with_limits(limits);
    let err = reduce_is_contained(&spinner, &any_event(), &Parameters::new());
    assert!(
        matches!(
            err,
            Error::FuelExhausted {
                limit: 20_000_000,
                function: "reduce",
                ..
            }
        ),
        "{err}"
    );
    // The failed call is the expensive one: its fuel is in the metrics.
    let metrics = spinner.metrics();
    assert!(metrics.fuel_consumed >= 20_000_000, "{metrics:?}");
}

#[test]
fn with_unlimited_fuel_the_deadline_stops_it() {
    let limits = Limits {
        fuel: u64::MAX,
        deadline: Duration::from_millis(100),
        ..Limits::default()
    };
    let spinner = view_with_deadlines("hostile-loop").with_limits(limits);
    let err = reduce_is_contained(&spinner, &any_event(), &Parameters::new());
    match &err {
        Error::DeadlineExceeded { deadline, .. } => {
            assert_eq!(*deadline, Duration::from_millis(100))
        }
        other => panic!("expected DeadlineExceeded, got {other}"),
    }
    assert!(err.to_string().contains("safety net"), "{err}");
}

#[test]
fn the_default_limits_stop_it_with_fuel_before_the_deadline() {
    let err = reduce_is_contained(&view("hostile-loop"), &any_event(), &Parameters::new());
    assert!(matches!(err, Error::FuelExhausted { .. }), "{err}");
}
