//! A guest cannot pool the limits of a frame's events on one of them: however it calls
//! `begin-event`, an event that runs out of fuel alone runs out of fuel in any frame, and the
//! fold's outcome is the one of one `reduce` per event for every framing.

use evident_host::{ErrorKind, FoldConfig, Limits, StateView};
use evident_types::{Event, Parameters, State};

use crate::own_view;

/// Fuel per call: the heavy event's work takes about four times that, in one go or in chunks.
const FUEL: u64 = 10_000_000;

fn pooler(frame_events: usize) -> StateView {
    own_view("hostile-pooling")
        .with_limits(Limits {
            fuel: FUEL,
            ..Limits::default()
        })
        .with_fold_config(FoldConfig {
            frame_events,
            ..FoldConfig::default()
        })
}

/// A heavy event followed by `light` light ones.
fn heavy_then(light: usize) -> Vec<Event> {
    std::iter::once("heavy")
        .chain(std::iter::repeat_n("ok", light))
        .enumerate()
        .map(|(i, ty)| Event::new(format!("h{i}"), "/pool", ty))
        .collect()
}

/// The heavy event's work: 4 million rounds (about ten units of fuel each), spread over 1,000
/// calls of `begin-event` in a frame of 1,000 events.
fn parameters() -> Parameters {
    Parameters::new()
        .with("work", "4000000")
        .with("chunk", "4000")
}

#[test]
fn an_event_too_heavy_for_one_call_fails_in_every_framing() {
    let events = heavy_then(999);
    let expected = pooler(1)
        .fold(State::default(), &events, &parameters())
        .unwrap_err();
    assert_eq!(expected.index, 0);
    assert_eq!(
        ErrorKind::of(&expected.source),
        ErrorKind::Fuel,
        "{}",
        expected.source
    );
    for frame_events in [1_000, 2_000, 500, 64, 2] {
        let failed = pooler(frame_events)
            .fold(State::default(), &events, &parameters())
            .unwrap_err();
        assert_eq!(
            (failed.index, ErrorKind::of(&failed.source)),
            (0, ErrorKind::Fuel),
            "frames of {frame_events}: {}",
            failed.source
        );
        assert_eq!(failed.state, expected.state, "frames of {frame_events}");
    }
}

#[test]
fn events_light_enough_for_one_call_fold_in_every_framing() {
    // An eighth of the work: one call's fuel is enough for the heavy event alone, and for a
    // frame holding it.
    let parameters = Parameters::new()
        .with("work", "500000")
        .with("chunk", "500");
    let events = heavy_then(999);
    let expected = pooler(1)
        .fold(State::default(), &events, &parameters)
        .unwrap();
    assert_eq!(&expected.state.bytes[..], br#"{"applied":1000}"#);
    for frame_events in [1_000, 64, 2] {
        let folded = pooler(frame_events)
            .fold(State::default(), &events, &parameters)
            .unwrap();
        assert_eq!(folded.state, expected.state, "frames of {frame_events}");
    }
}
