//! Python and JavaScript guests (componentize-py, componentize-js) in the deny-all WASI mode:
//! the same results as the Rust guests, and a denial for whatever they reach for.
//!
//! The toolchains are installed by pinned version on first use; if that install fails (no
//! network), these tests say so loudly on stderr and pass without running, never silently.

use evident_host::{Error, StateChange, StateView};
use evident_testkit::guests;
use evident_types::{Command, Event, Parameters, State};

use crate::event_counter;

fn wasi_view(name: &str) -> Option<StateView> {
    guests::or_skip(guests::load_view_wasi(name))
}

fn wasi_change(name: &str) -> Option<StateChange> {
    guests::or_skip(guests::load_change_wasi(name))
}

fn events() -> Vec<Event> {
    (0..300)
        .map(|i| {
            let ty = [
                "shop.order.placed",
                "shop.order.paid",
                "bank.deposited",
                "ünïcode.type",
            ][i % 4];
            Event::new(format!("e{i}"), "/languages", ty)
                .with_json_data(&serde_json::json!({ "n": i }))
                .unwrap()
        })
        .collect()
}

#[test]
fn the_rust_python_and_javascript_counters_agree() {
    let (Some(python), Some(javascript)) = (
        wasi_view("python-event-counter"),
        wasi_view("js-event-counter"),
    ) else {
        return;
    };
    let rust = event_counter();
    let events = events();
    for parameters in [Parameters::new(), Parameters::new().with("prefix", "shop.")] {
        let expected = rust.fold(State::default(), &events, &parameters).unwrap();
        for guest in [&python, &javascript] {
            let folded = guest.fold(State::default(), &events, &parameters).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&folded.state.bytes),
                String::from_utf8_lossy(&expected.state.bytes),
                "{} with {parameters:?}",
                guest.name()
            );
            assert_eq!(folded.state.content_type, expected.state.content_type);
        }
    }

    // The same refusal at the same event, with the same message and last good state.
    let mut events = events;
    events[123].data = None;
    let strict = Parameters::new().with("require-data", "true");
    let expected = rust.fold(State::default(), &events, &strict).unwrap_err();
    for guest in [&python, &javascript] {
        let failed = guest.fold(State::default(), &events, &strict).unwrap_err();
        assert_eq!(
            (failed.index, failed.event_id.as_str()),
            (123, "e123"),
            "{}",
            guest.name()
        );
        assert_eq!(failed.state, expected.state, "{}", guest.name());
        match &failed.source {
            Error::Guest { message, .. } => assert_eq!(message, "event e123 has no data"),
            other => panic!("{}: expected a refusal, got {other}", guest.name()),
        }
    }
}

#[test]
fn the_python_and_javascript_state_changes_agree() {
    let (Some(python), Some(javascript)) = (wasi_change("python-tally"), wasi_change("js-tally"))
    else {
        return;
    };
    let add =
        |amount: i64| Command::json(&serde_json::json!({"type": "add", "amount": amount})).unwrap();
    let parameters = Parameters::new();
    let state = State::new("application/json", br#"{"total":10}"#.to_vec());
    let by_python = python.process(&state, &add(5), &parameters).unwrap();
    let by_javascript = javascript.process(&state, &add(5), &parameters).unwrap();
    assert_eq!(by_python, by_javascript);
    assert_eq!(by_python.len(), 1);
    assert_eq!(
        (by_python[0].id.as_str(), by_python[0].event_type.as_str()),
        ("tally-15", "tally.added")
    );
    assert_eq!(
        by_python[0].data.as_deref(),
        Some(&br#"{"amount":5,"total":15}"#[..])
    );

    let unknown = Command::json(&serde_json::json!({"type": "multiply"})).unwrap();
    for (command, code) in [(add(-1), "invalid-amount"), (unknown, "unknown-command")] {
        for change in [&python, &javascript] {
            match change.process(&state, &command, &parameters).unwrap_err() {
                Error::Guest {
                    code: Some(got), ..
                } => assert_eq!(got, code, "{}", change.name()),
                other => panic!("{}: expected a refusal, got {other}", change.name()),
            }
            assert!(!change.validate(&state, &command).unwrap());
        }
    }
    assert!(python.validate(&state, &add(1)).unwrap());
    assert!(javascript.validate(&state, &add(1)).unwrap());
}

/// What the hostile guest got when it reached for `capability`, on a fresh instance.
fn got(guest: &StateView, capability: &str) -> String {
    let state = guest
        .reduce(
            &State::default(),
            &Event::new("h", "/hostile", capability),
            &Parameters::new(),
        )
        .unwrap_or_else(|e| panic!("{capability}: {e}"));
    let outcome: serde_json::Value = serde_json::from_slice(&state.bytes).unwrap();
    outcome["got"].as_str().unwrap().to_owned()
}

#[test]
fn a_hostile_python_guest_gets_denials_not_resources() {
    let Some(hostile) = wasi_view("python-hostile-wasi") else {
        return;
    };
    let file = got(&hostile, "file");
    assert!(
        file.starts_with("denied"),
        "reading /etc/passwd gave {file:?}"
    );
    let socket = got(&hostile, "socket");
    assert!(socket.starts_with("denied"), "connecting gave {socket:?}");
    let clock: f64 = got(&hostile, "clock").parse().unwrap();
    assert!(
        clock < 1.0,
        "the clock read {clock} s after the epoch, not the pinned time"
    );
    assert_eq!(got(&hostile, "env"), "{}", "the environment is empty");
    assert_eq!(
        got(&hostile, "random"),
        got(&hostile, "random"),
        "randomness replays"
    );
}

#[test]
fn stdout_becomes_the_components_log() {
    let Some(hostile) = wasi_view("python-hostile-wasi") else {
        return;
    };
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || LogWriter(writer.clone()))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let printed = tracing::subscriber::with_default(subscriber, || got(&hostile, "print"));
    assert_eq!(printed, "printed");
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|line| line.contains("hello from python on stdout"))
        .unwrap_or_else(|| panic!("not in the log:\n{log}"));
    assert!(line.contains("component=\"python-hostile-wasi\""), "{line}");
    assert!(line.contains("stream=\"stdout\""), "{line}");
}

struct LogWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_hostile_javascript_guest_gets_denials_not_resources() {
    let Some(hostile) = wasi_view("js-hostile-wasi") else {
        return;
    };
    // The component is built without fetch (the host grants no HTTP): reaching for the network
    // aborts the engine, a trap that leaves the caller's state as it was.
    let before = hostile.initialize(&Parameters::new()).unwrap();
    let network = Event::new("n", "/hostile", "network");
    match hostile.reduce(&before, &network, &Parameters::new()) {
        Err(Error::Trap { .. }) => {}
        other => panic!("fetch should trap, got {other:?}"),
    }
    let clock: f64 = got(&hostile, "clock").parse().unwrap();
    assert!(
        clock < 1_000.0,
        "Date.now() read {clock} ms after the epoch, not the pinned time"
    );
    assert_eq!(
        got(&hostile, "random"),
        got(&hostile, "random"),
        "randomness replays"
    );
}

#[test]
fn a_wasi_component_is_refused_unless_loaded_in_the_wasi_mode() {
    let Some(bytes) = guests::or_skip(guests::component_bytes("python-event-counter")) else {
        return;
    };
    let refused = guests::runtime().load_view("python", &bytes).unwrap_err();
    assert!(
        matches!(&refused, Error::ForbiddenImport { import, .. } if import.starts_with("wasi:")),
        "{refused}"
    );
}
