//! The deadline bounds every call and every event of a frame, whatever the guest calls: a frame
//! whose guest never reports its progress, or reports it only to be given more time, is stopped
//! within one call's deadline, and the fold fails where one `reduce` per event fails.

use std::sync::mpsc;
use std::time::Duration;

use evident_host::{ErrorKind, FoldConfig, FoldError, Folded, Limits, StateView};
use evident_types::{Event, Parameters, State};

use crate::view_with_deadlines;

/// The deadline each call gets in these tests.
const DEADLINE: Duration = Duration::from_millis(500);

/// How long a fold whose every call is stopped by its deadline may take: a few deadlines and
/// the work between them, on a noisy machine, with room to spare.
const BOUND: Duration = Duration::from_secs(60);

/// `guest` in a runtime that keeps deadlines, with fuel out of the way, folding in frames of
/// `frame_events` (1: one `reduce` per event).
fn timed(guest: &str, frame_events: usize) -> StateView {
    let view = view_with_deadlines(guest).with_limits(Limits {
        fuel: u64::MAX,
        deadline: DEADLINE,
        ..Limits::default()
    });
    view.with_fold_config(FoldConfig {
        frame_events,
        ..FoldConfig::default()
    })
}

/// Folds on a thread of its own and waits at most [`BOUND`] for the outcome: a fold that is
/// not stopped fails the test rather than hanging it.
fn fold_within_bound(
    view: StateView,
    events: Vec<Event>,
    parameters: Parameters,
) -> Result<Folded, Box<FoldError>> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(view.fold(State::default(), &events, &parameters));
    });
    receiver
        .recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("the fold was still running after {BOUND:?}"))
}

fn events(types: &[&str]) -> Vec<Event> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| Event::new(format!("d{i}"), "/deadline", *ty))
        .collect()
}

/// 2,000 events, of which the 1,001st spins.
fn spin_at_1000() -> Vec<Event> {
    let mut types = vec!["ok"; 2_000];
    types[1_000] = "spin";
    events(&types)
}

#[test]
fn a_frame_whose_guest_never_reports_progress_is_stopped_by_the_deadline() {
    // Its second `apply-events` call spins without calling `begin-event` (the guest does not
    // even import it), and one `reduce` per event spins at event 1,000.
    let parameters = Parameters::new().with("lie", "calls");
    let failed = fold_within_bound(
        timed("hostile-lying-replay", 1_000),
        spin_at_1000(),
        parameters.clone(),
    )
    .unwrap_err();
    let expected = fold_within_bound(timed("hostile-lying-replay", 1), spin_at_1000(), parameters)
        .unwrap_err();
    assert_eq!(
        ErrorKind::of(&failed.source),
        ErrorKind::Deadline,
        "{}",
        failed.source
    );
    assert_eq!((failed.index, failed.event_id.as_str()), (1_000, "d1000"));
    assert_eq!(expected.index, 1_000);
    assert_eq!(failed.state, expected.state);
}

#[test]
fn a_frame_whose_guest_reports_progress_to_get_more_time_is_stopped_by_the_deadline() {
    // The spinning event calls `begin-event` after every chunk of its work, as if each chunk
    // were another event; 1,000 calls of a chunk just under the deadline each would run for
    // minutes if each call restarted the deadline.
    let mut types = vec!["ok"; 1_000];
    types[0] = "spin";
    let parameters = Parameters::new().with("chunk", "50000000");
    let failed =
        fold_within_bound(timed("hostile-pooling", 1_000), events(&types), parameters).unwrap_err();
    assert_eq!(
        ErrorKind::of(&failed.source),
        ErrorKind::Deadline,
        "{}",
        failed.source
    );
    assert_eq!((failed.index, failed.event_id.as_str()), (0, "d0"));
    assert_eq!(
        &failed.state.bytes[..],
        b"",
        "no event applied: the state given"
    );
}
