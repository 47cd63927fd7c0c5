//! A guest's word on which event of a frame failed is checked before the host believes it, and
//! a guest that lies cannot make the replay cost more than a bounded number of passes, live
//! instances, or memory.

use std::process::Command;

use evident_host::{ErrorKind, FoldConfig, Runtime, RuntimeConfig, StateView};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State};

use crate::view;

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
        .load_view("liar", &component_bytes("hostile-false-blame").unwrap())
        .unwrap();
    let events = events(vec!["ok"; 5_000]);
    let parameters = Parameters::new().with("lie", "last");
    let failed = liar
        .fold(State::default(), &events, &parameters)
        .unwrap_err();
    // Alone, every event is the last of its frame: the first one fails, as one call per event
    // says it does.
    assert_eq!(failed.index, 0);
    assert_eq!(
        ErrorKind::of(&failed.source),
        ErrorKind::Guest,
        "{}",
        failed.source
    );
    let metrics = liar.metrics();
    assert!(
        metrics.instances <= 4,
        "{} instances for one fold",
        metrics.instances
    );
    assert!(
        metrics.guest_calls <= 12,
        "{} calls into the guest",
        metrics.guest_calls
    );
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
