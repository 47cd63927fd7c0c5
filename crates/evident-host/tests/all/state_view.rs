//! Calling a state view: results, guest errors, limits, and that failures lose nothing.

use evident_host::{Error, Limits};
use evident_testkit::fixture::ViewFixture;
use evident_types::{Event, Parameters, State};

use crate::event_counter;

fn events(types: &[&str]) -> Vec<Event> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| Event::new(format!("e{i}"), "/test", *ty))
        .collect()
}

#[test]
fn counts_events_by_type() {
    ViewFixture::new(&event_counter())
        .given(events(&["a", "b", "a"]))
        .expect_json(serde_json::json!({"by_type": {"a": 2, "b": 1}, "total": 3}));
}

#[test]
fn parameters_reach_the_guest() {
    ViewFixture::new(&event_counter())
        .parameter("prefix", "order.")
        .given(events(&["order.placed", "shop.opened", "order.paid"]))
        .expect_json(
            serde_json::json!({"by_type": {"order.paid": 1, "order.placed": 1}, "total": 2}),
        );
}

#[test]
fn a_guest_error_leaves_the_previous_state_intact() {
    let view = event_counter();
    let parameters = Parameters::new().with("require-data", "true");
    let with_data = Event::new("1", "/t", "a").with_json_data(&1).unwrap();
    let state = view
        .reduce(
            &view.initialize(&parameters).unwrap(),
            &with_data,
            &parameters,
        )
        .unwrap();
    let before = state.clone();

    let err = view
        .reduce(&state, &Event::new("2", "/t", "a"), &parameters)
        .unwrap_err();
    match &err {
        Error::Guest {
            component,
            function,
            code,
            message,
            ..
        } => {
            assert_eq!(&**component, "event-counter");
            assert_eq!(*function, "reduce");
            assert_eq!(*code, None);
            assert_eq!(message, "event 2 has no data");
        }
        other => panic!("expected a guest error, got {other:?}"),
    }
    assert_eq!(state, before);
    // The same handle keeps working after the refusal.
    let after = view.reduce(&state, &with_data, &parameters).unwrap();
    assert_ne!(after, before);
}

#[test]
fn a_failed_fold_names_the_event_and_returns_the_last_good_state() {
    let view = event_counter();
    let parameters = Parameters::new().with("require-data", "true");
    let mut input: Vec<Event> = (0..5)
        .map(|i| {
            Event::new(format!("ok{i}"), "/t", "a")
                .with_json_data(&i)
                .unwrap()
        })
        .collect();
    input.insert(3, Event::new("bad", "/t", "a"));
    let initial = view.initialize(&parameters).unwrap();

    let err = view.fold(initial, &input, &parameters).unwrap_err();
    assert_eq!(err.index, 3);
    assert_eq!(err.event_id, "bad");
    assert_eq!(err.index, 3);
    assert_eq!(&err.state.bytes[..], br#"{"by_type":{"a":3},"total":3}"#);
    assert!(matches!(err.source, Error::Guest { .. }));
    assert!(err.to_string().contains("event 3 (id \"bad\")"), "{err}");
}

#[test]
fn a_fold_reports_events_applied_and_fuel_used() {
    let view = event_counter();
    let parameters = Parameters::new();
    let folded = view
        .fold(State::default(), events(&["a"; 10]), &parameters)
        .unwrap();
    assert_eq!(folded.events_applied, 10);
    assert!(folded.fuel_consumed > 0);
    assert!(folded.fuel_consumed < 10 * view.limits().fuel);
}

#[test]
fn running_out_of_fuel_is_reported_with_the_limit() {
    let limits = Limits {
        fuel: 1_000,
        ..Limits::default()
    };
    let view = event_counter().with_limits(limits);
    let state = State::default();
    let err = view
        .reduce(&state, &Event::new("1", "/t", "a"), &Parameters::new())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::FuelExhausted {
                limit: 1_000,
                function: "reduce",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_limit());
}

#[test]
fn a_memory_limit_below_what_the_guest_needs_is_reported_as_such() {
    let limits = Limits {
        memory_bytes: 64 * 1024,
        ..Limits::default()
    };
    let view = event_counter().with_limits(limits);
    let err = view.initialize(&Parameters::new()).unwrap_err();
    assert!(
        matches!(err, Error::MemoryLimit { limit: 65_536, requested, .. } if requested > 65_536),
        "{err}"
    );
}

#[test]
fn a_state_in_another_format_is_refused_by_the_guest() {
    let view = event_counter();
    let state = State::new("application/cbor", vec![0xa0]);
    let err = view
        .reduce(&state, &Event::new("1", "/t", "a"), &Parameters::new())
        .unwrap_err();
    assert!(err.to_string().contains("application/cbor"), "{err}");
}

#[test]
fn a_views_refusal_keeps_its_code_across_the_boundary() {
    let err = event_counter()
        .reduce(
            &State::default(),
            &Event::new("1", "/t", "a"),
            &Parameters::new().with("require-data", "maybe"),
        )
        .unwrap_err();
    assert_eq!(err.guest_code(), Some("invalid-parameter"), "{err}");
    assert!(err.to_string().contains("require-data"), "{err}");
    // And in a fold, from a frame.
    let failed = event_counter()
        .fold(
            State::default(),
            [Event::new("1", "/t", "a")],
            &Parameters::new().with("require-data", "maybe"),
        )
        .unwrap_err();
    assert_eq!(failed.source.guest_code(), Some("invalid-parameter"));
}

#[test]
fn no_state_yet_is_a_state_without_content_type_and_without_bytes() {
    let view = event_counter();
    let event = Event::new("1", "/t", "a");
    let parameters = Parameters::new();
    let none_yet = view.reduce(&State::default(), &event, &parameters).unwrap();
    assert_eq!(&none_yet.bytes[..], br#"{"by_type":{"a":1},"total":1}"#);
    let stray = State::new("", br#"{"by_type":{},"total":9}"#.to_vec());
    for result in [
        view.reduce(&stray, &event, &parameters),
        view.fold(stray.clone(), [event.clone()], &parameters)
            .map(|folded| folded.state)
            .map_err(|failed| failed.source),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.guest_code(), Some("invalid-state"), "{err}");
        assert!(err.to_string().contains("no content type"), "{err}");
    }
}
