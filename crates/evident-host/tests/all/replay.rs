//! A guest's word on which event of a frame failed is checked before the host believes it, and
//! a guest that lies cannot make the replay cost more than a bounded number of passes, live
//! instances, or memory.

use std::process::Command;

use evident_host::{ErrorKind, FoldConfig, Limits, Runtime, RuntimeConfig, StateView};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State};

use crate::{own_view, view};

fn events(types: impl IntoIterator<Item = &'static str>) -> Vec<Event> {
    types
        .into_iter()
        .enumerate()
        .map(|(i, ty)| Event::new(format!("e{i}"), "/lies", ty))
        .collect()
}

fn in_frames_of(view: StateView, frame_events: usize) -> StateView {
    view.with_fold_config(FoldConfig {
        frame_events,
        ..FoldConfig::default()
    })
}

#[test]
fn a_wrong_index_in_a_batch_error_is_checked_before_it_is_believed() {
    let mut types = vec!["ok"; 1_000];
    types[250] = "bad";
    let events = events(types);
    let liar = view("hostile-false-blame");
    let parameters = Parameters::new().with("lie", "first");
    let expected = in_frames_of(liar.clone(), 1)
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    let failed = in_frames_of(liar, 64)
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    // The frame of events 192..256 says its first event failed; the host finds event 250.
    assert_eq!((failed.index, failed.event_id.as_str()), (250, "e250"));
    assert_eq!(expected.index, 250);
    assert_eq!(&failed.state.bytes[..], br#"{"applied":250}"#);
    assert_eq!(failed.state, expected.state);
    assert_eq!(ErrorKind::of(&failed.source), ErrorKind::Guest);
}

#[test]
fn an_index_past_the_frame_in_a_batch_error_is_checked_too() {
    let mut types = vec!["ok"; 1_000];
    types[250] = "bad";
    let events = events(types);
    let parameters = Parameters::new().with("lie", "beyond");
    let failed = in_frames_of(view("hostile-false-blame"), 64)
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    // The frame of events 192..256 blames index 71, past its 64 events; the host finds 250.
    assert_eq!((failed.index, failed.event_id.as_str()), (250, "e250"));
    assert_eq!(&failed.state.bytes[..], br#"{"applied":250}"#);
    assert_eq!(ErrorKind::of(&failed.source), ErrorKind::Guest);
}

#[test]
fn a_guest_that_fails_the_last_event_of_every_frame_costs_a_bounded_replay() {
    // Two pooled instances at most: a replay that kept more alive would be refused.
    let runtime = Runtime::new(RuntimeConfig {
        pooled_instances: Some(2),
        ..RuntimeConfig::default()
    })
    .unwrap();
    let liar = runtime
        .load("liar", &component_bytes("hostile-false-blame").unwrap())
        .view()
        .unwrap();
    let events = events(vec!["ok"; 5_000]);
    let parameters = Parameters::new().with("lie", "last");
    // Its `reduce` refuses nothing, so neither does the fold: after the first frame's lie, the
    // fold goes one `reduce` per event.
    let folded = liar.fold(State::default(), &events, &parameters).unwrap();
    assert_eq!(&folded.state.bytes[..], br#"{"applied":5000}"#);
    let metrics = liar.metrics();
    assert!(
        metrics.instances <= 4,
        "{} instances for one fold",
        metrics.instances
    );
    // One call per event, and the first frame's load and apply.
    assert!(
        metrics.guest_calls <= 5_000 + 10,
        "{} calls into the guest",
        metrics.guest_calls
    );
}

/// 2,000 events of which the 1,001st spins, however it comes.
fn spin_at_1000() -> Vec<Event> {
    let mut types = vec!["ok"; 2_000];
    types[1_000] = "spin";
    events(types)
}

fn small_fuel(view: StateView) -> StateView {
    let limits = Limits {
        fuel: 5_000_000,
        ..view.limits()
    };
    view.with_limits(limits)
}

#[test]
fn a_frame_that_fails_by_a_limit_is_blamed_as_one_reduce_per_event_blames_it() {
    // The guest's second `apply-events` call on an instance spins, whatever its events; one
    // `reduce` per event spins at event 1,000 only. Replaying the failed frame's events one per
    // call on one instance would blame event 1, the second call.
    let parameters = Parameters::new().with("lie", "calls");
    let liar = small_fuel(own_view("hostile-lying-replay"));
    let expected = in_frames_of(liar.clone(), 1)
        .fold(State::default(), spin_at_1000(), &parameters)
        .unwrap_err();
    let failed = in_frames_of(liar, 1_000)
        .fold(State::default(), spin_at_1000(), &parameters)
        .unwrap_err();
    assert_eq!((expected.index, failed.index), (1_000, 1_000));
    assert_eq!(failed.event_id, "e1000");
    assert_eq!(
        ErrorKind::of(&failed.source),
        ErrorKind::Fuel,
        "{}",
        failed.source
    );
    assert!(failed.state.bytes.starts_with(br#"{"applied":1000,"#));
    assert_eq!(failed.state, expected.state);
}

#[test]
fn when_the_frames_and_one_reduce_per_event_disagree_the_error_says_so() {
    let mut types = vec!["ok"; 1_000];
    types[250] = "bad";
    let parameters = Parameters::new().with("lie", "first");
    let failed = in_frames_of(view("hostile-false-blame"), 64)
        .fold(State::default(), events(types), &parameters)
        .unwrap_err();
    assert_eq!(failed.index, 250);
    // The frame of events 192..256 blamed its first event.
    let said = failed
        .frame_disagreement
        .as_deref()
        .expect("the frame said otherwise");
    assert_eq!((said.frame.clone(), said.blamed), (192..256, Some(192)));
    let message = failed.to_string();
    assert!(
        message.contains("event 192") && message.contains("one `reduce` per event"),
        "{message}"
    );
}

#[test]
fn a_guest_that_breaks_the_frame_protocol_folds_as_one_reduce_per_event() {
    let mut types = vec!["ok"; 1_000];
    types[250] = "bad";
    let events = events(types);
    let parameters = Parameters::new().with("lie", "overrun");
    let liar = in_frames_of(own_view("hostile-false-blame"), 64);
    let expected = in_frames_of(liar.clone(), 1)
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    let failed = liar
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    // Its first frame calls `begin-event` once too often and is stopped; its events apply one
    // `reduce` per event, and so does the rest of the fold, up to event 250's refusal.
    assert_eq!(
        (failed.index, ErrorKind::of(&failed.source)),
        (250, ErrorKind::Guest)
    );
    assert_eq!(failed.state, expected.state);
    assert_eq!(&failed.state.bytes[..], br#"{"applied":250}"#);
    assert_eq!(liar.metrics().fold_replays, 1, "one frame, then no more");
}

#[test]
fn a_guest_that_fails_every_frame_costs_a_replay_linear_in_the_events() {
    // Every frame of more than one event fails with an index past its end, and names no event
    // running (the guest never calls `begin-event`); each event alone applies. The checkpoint
    // is never due in so few bytes of frames, so a replay of everything since it after each
    // frame would make about two million calls.
    let liar = in_frames_of(own_view("hostile-lying-replay"), 100);
    let events = events(vec!["ok"; 20_000]);
    let parameters = Parameters::new().with("lie", "range");
    let folded = liar.fold(State::default(), &events, &parameters).unwrap();
    assert_eq!(folded.events_applied, 20_000);
    assert!(folded.state.bytes.starts_with(br#"{"applied":20000,"#));
    let metrics = liar.metrics();
    assert!(
        metrics.guest_calls <= 20_000 + 300,
        "{} calls into the guest for 20,000 events",
        metrics.guest_calls
    );
    assert!(metrics.instances <= 5, "{} instances", metrics.instances);
}

/// The peak memory of a fold whose every frame lies, measured in a process of its own.
#[test]
fn replaying_a_lying_guest_takes_memory_linear_in_the_frame() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "replay::lying_fold_memory",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("EVIDENT_MEASURE_LYING_FOLD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let growth: u64 = stdout
        .lines()
        .find_map(|line| Some(line.split_once("peak resident growth: ")?.1))
        .and_then(|bytes| bytes.trim().parse().ok())
        .unwrap_or_else(|| panic!("the probe printed no measure:\n{stdout}"));
    // 10,000 events in frames of 1,000 (about 60 KiB each); a replay that decoded the events
    // of every nested attempt would hold hundreds of MiB.
    assert!(
        growth < 48 << 20,
        "the fold grew the process's resident memory by {} MiB",
        growth >> 20
    );
}

/// Run by `replaying_a_lying_guest_takes_memory_linear_in_the_frame` in a process of its own.
#[test]
#[ignore = "a probe the memory test runs in its own process"]
fn lying_fold_memory() {
    if std::env::var_os("EVIDENT_MEASURE_LYING_FOLD").is_none() {
        return;
    }
    let liar = in_frames_of(view("hostile-false-blame"), 1_000);
    let events = events(vec!["ok"; 10_000]);
    let parameters = Parameters::new().with("lie", "last");
    // Warm up: the first call maps the pool's first slot and compiles nothing later.
    let _ = liar.fold(State::default(), &events[..1], &parameters);
    // Writing 5 resets the peak resident set to the current one (Linux, proc(5)).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status("VmRSS:");
    let _ = liar.fold(State::default(), &events, &parameters);
    let peak = status("VmHWM:");
    println!("peak resident growth: {}", peak.saturating_sub(before));
}

/// A `/proc/self/status` figure, in bytes.
fn status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with(field)).unwrap();
    let kib: u64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}
