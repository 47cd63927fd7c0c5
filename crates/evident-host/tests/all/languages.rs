//! Every guest language the SDKs cover, against the Rust guests: the event counter of each
//! language folds the same events to the same bytes (in frames and one call per event) and
//! fails at the same event with the same message and last good state; the tally of each emits
//! the same events and refuses with the same codes; hostile Go and C guests are contained.
//! Python, JavaScript and Go components import WASI and run in the deny-all WASI mode.
//!
//! The toolchains are installed by pinned version on first use; if one cannot be installed,
//! its tests fail under `CI` and are skipped elsewhere, saying so on the terminal
//! (`guests::or_skip`).

use evident_host::{Error, FoldConfig, StateChange, StateView};
use evident_testkit::guests;
use evident_types::{Command, Event, Parameters, State};
use proptest::prelude::*;

use crate::event_counter;

/// The sample guest `base` in every language but Rust (`guests/<base>`, the reference):
/// `python-<base>`, `js-<base>`...
fn in_other_languages(base: &str) -> impl Iterator<Item = String> {
    guests::Language::ALL
        .into_iter()
        .filter(|language| *language != guests::Language::Rust)
        .map(move |language| guests::in_language(language, base))
}

/// The event counter in every language but Rust (`guests/event-counter`, the reference), and
/// the JavaScript SDK's from TypeScript (`guests/ts-event-counter`, compiled by tsc first).
fn counters() -> Vec<StateView> {
    in_other_languages("event-counter")
        .chain(["ts-event-counter".to_owned()])
        .filter_map(|name| guests::or_skip(guests::load_view(&name)))
        .collect()
}

/// The tally in every language but Rust (`guests/tally`).
fn tallies() -> Vec<StateChange> {
    in_other_languages("tally")
        .filter_map(|name| guests::or_skip(guests::load_change(&name)))
        .collect()
}

fn one_call_per_event(view: &StateView) -> StateView {
    view.clone().with_fold_config(FoldConfig {
        frame_events: 1,
        ..view.fold_config()
    })
}

fn sample_events() -> Vec<Event> {
    let path = guests::workspace_root().join("examples/events.jsonl");
    let file = std::fs::File::open(&path).unwrap();
    evident_types::read_json_lines(std::io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Types that sort differently by bytes, by UTF-16 units and as JavaScript integer keys, with
/// characters JSON must escape.
const AWKWARD_TYPES: [&str; 10] = [
    "shop.order.placed",
    "ünïcode.type",
    "10",
    "9",
    "emoji.😀",
    "cjk.\u{ff61}",
    "quote\"backslash\\",
    "tab\tnewline\n",
    "control\u{1}",
    "line\u{2028}separator",
];

fn awkward_events() -> Vec<Event> {
    (0..400)
        .map(|i| {
            Event::new(
                format!("e{i}"),
                "/languages",
                AWKWARD_TYPES[i % AWKWARD_TYPES.len()],
            )
            .with_json_data(&serde_json::json!({ "n": i }))
            .unwrap()
        })
        .collect()
}

/// `guest` folds `events` under `parameters` to the bytes the Rust counter does, in frames and
/// one call per event, or fails at the same event the same way.
fn agrees(guest: &StateView, events: &[Event], parameters: &Parameters) -> Result<(), String> {
    let rust = event_counter().fold(State::default(), events, parameters);
    for (how, view) in [
        ("in frames", guest.clone()),
        ("per event", one_call_per_event(guest)),
    ] {
        let folded = view.fold(State::default(), events, parameters);
        let name = guest.name();
        match (&rust, folded) {
            (Ok(expected), Ok(folded)) => {
                if folded.state != expected.state {
                    return Err(format!(
                        "{name} {how}: {}\n  Rust: {}",
                        String::from_utf8_lossy(&folded.state.bytes),
                        String::from_utf8_lossy(&expected.state.bytes)
                    ));
                }
            }
            (Err(expected), Err(failed)) => {
                let refusal = |e: &Error| match e {
                    Error::Guest { code, message, .. } => Some((code.clone(), message.clone())),
                    _ => None,
                };
                let (got, want) = (refusal(&failed.source), refusal(&expected.source));
                if (failed.index, &failed.state, got.as_ref().map(|g| &g.0))
                    != (expected.index, &expected.state, want.as_ref().map(|w| &w.0))
                    || (want.as_ref().is_some_and(|w| w.0.is_none()) && got != want)
                {
                    return Err(format!(
                        "{name} {how} failed at {} with {}; Rust at {} with {}",
                        failed.index, failed.source, expected.index, expected.source
                    ));
                }
            }
            (expected, folded) => {
                return Err(format!(
                    "{name} {how}: {:?}, Rust: {:?}",
                    folded.map(|f| f.state),
                    expected.as_ref().map(|f| &f.state)
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn every_languages_counter_folds_the_sample_events_to_the_rust_counters_bytes() {
    let events = sample_events();
    for guest in counters() {
        for parameters in [
            Parameters::new(),
            Parameters::new().with("prefix", "com.example.order."),
        ] {
            agrees(&guest, &events, &parameters).unwrap();
        }
    }
}

#[test]
fn every_languages_counter_orders_and_escapes_types_as_rust_does() {
    let events = awkward_events();
    for guest in counters() {
        agrees(&guest, &events, &Parameters::new()).unwrap();
        agrees(&guest, &events, &Parameters::new().with("prefix", "e")).unwrap();
    }
}

#[test]
fn every_languages_counter_fails_where_the_rust_counter_does() {
    let mut events = awkward_events();
    events[123].data = None;
    let strict = Parameters::new().with("require-data", "true");
    let bad_parameter = Parameters::new().with("require-data", "maybe");
    let expected = event_counter()
        .fold(State::default(), &events, &strict)
        .unwrap_err();
    assert_eq!(expected.index, 123);
    for guest in counters() {
        agrees(&guest, &events, &strict).unwrap();
        let failed = guest
            .fold(State::default(), &events, &bad_parameter)
            .unwrap_err();
        assert_eq!(
            failed.source.guest_code(),
            Some("invalid-parameter"),
            "{}: {}",
            guest.name(),
            failed.source
        );
    }
}

#[test]
fn every_languages_counter_tells_no_state_yet_from_a_state_without_a_content_type() {
    let event = Event::new("1", "/t", "a");
    let parameters = Parameters::new();
    let expected = event_counter()
        .reduce(&State::default(), &event, &parameters)
        .unwrap();
    let stray = State::new("", br#"{"by_type":{},"total":9}"#.to_vec());
    let refused = event_counter()
        .reduce(&stray, &event, &parameters)
        .unwrap_err();
    let code = refused.guest_code().map(str::to_owned);
    assert_eq!(code.as_deref(), Some("invalid-state"));
    for guest in counters() {
        let none_yet = guest
            .reduce(&State::default(), &event, &parameters)
            .unwrap_or_else(|e| panic!("{}: {e}", guest.name()));
        assert_eq!(none_yet.bytes, expected.bytes, "{}", guest.name());
        for result in [
            guest.reduce(&stray, &event, &parameters),
            guest
                .fold(stray.clone(), [event.clone()], &parameters)
                .map(|folded| folded.state)
                .map_err(|failed| failed.source),
        ] {
            let err = result.expect_err(guest.name());
            assert_eq!(err.guest_code(), code.as_deref(), "{}: {err}", guest.name());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    /// Random events and parameters through every language's counter.
    #[test]
    fn random_events_fold_alike_in_every_language(
        events in evident_testkit::strategies::events(40),
        prefix in proptest::option::of(prop_oneof![Just("order."), Just("account."), Just("")]),
        require_data in proptest::option::of(any::<bool>()),
    ) {
        let mut parameters = Parameters::new();
        if let Some(prefix) = prefix {
            parameters = parameters.with("prefix", prefix);
        }
        if let Some(require_data) = require_data {
            parameters = parameters.with("require-data", require_data.to_string());
        }
        for guest in counters() {
            let agreed = agrees(&guest, &events, &parameters);
            prop_assert!(agreed.is_ok(), "{}", agreed.unwrap_err());
        }
    }
}

fn add(amount: serde_json::Value) -> Command {
    Command::json(&serde_json::json!({"type": "add", "amount": amount})).unwrap()
}

#[test]
fn every_languages_tally_emits_the_same_events_and_refusals() {
    let rust = guests::load_change("tally").unwrap();
    let parameters = Parameters::new();
    let with_source = Parameters::new().with("source", "/elsewhere");
    let states = [
        State::default(),
        State::new("application/json", br#"{"total":10}"#.to_vec()),
    ];
    let commands = [
        add(5.into()),
        add(1.into()),
        add(0.into()),
        add((-1).into()),
        add("5".into()),
        add(1.5.into()),
        Command::json(&serde_json::json!({"type": "multiply"})).unwrap(),
        Command::json(&serde_json::json!({"amount": 5})).unwrap(),
        Command::new("application/cbor", {
            let mut bytes = Vec::new();
            ciborium::into_writer(&serde_json::json!({"type": "add", "amount": 7}), &mut bytes)
                .unwrap();
            bytes
        }),
        Command::new("text/plain", b"add 5".to_vec()),
    ];
    for tally in tallies() {
        for state in &states {
            for command in &commands {
                for parameters in [&parameters, &with_source] {
                    let expected = rust.process(state, command, parameters);
                    let got = tally.process(state, command, parameters);
                    match (&expected, &got) {
                        (Ok(expected), Ok(got)) => assert_eq!(got, expected, "{}", tally.name()),
                        (Err(expected), Err(got)) => assert_eq!(
                            got.guest_code(),
                            expected.guest_code(),
                            "{}: {got} vs Rust's {expected}",
                            tally.name()
                        ),
                        _ => panic!("{}: {got:?}, Rust: {expected:?}", tally.name()),
                    }
                    let valid = tally.validate(state, command).unwrap();
                    assert_eq!(valid, expected.is_ok(), "{} validate", tally.name());
                }
            }
        }
    }
}

#[test]
fn hostile_go_and_c_guests_are_stopped_with_typed_errors() {
    let fuel: fn(&Error) -> bool = |e| matches!(e, Error::FuelExhausted { .. });
    let memory: fn(&Error) -> bool = |e| matches!(e, Error::MemoryLimit { .. });
    for (name, event_type, expected) in [
        ("go-hostile-loop", "spin", fuel),
        ("c-hostile-loop", "spin", fuel),
        ("go-hostile-memory-bomb", "bomb", memory),
        ("c-hostile-memory-bomb", "bomb", memory),
    ] {
        let Some(guest) = guests::or_skip(guests::load_view(name)) else {
            continue;
        };
        let failed = guest
            .fold(
                State::default(),
                [Event::new("1", "/h", event_type)],
                &Parameters::new(),
            )
            .unwrap_err();
        assert!(expected(&failed.source), "{name}: {}", failed.source);
    }
    crate::assert_runtime_serves_well_behaved_guests();
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
    let Some(hostile) = guests::or_skip(guests::load_view("python-hostile-wasi")) else {
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
    let Some(hostile) = guests::or_skip(guests::load_view("python-hostile-wasi")) else {
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

    // stdout counts against the call's budget of log lines, as `logging.log` does.
    log_of(&hostile, "print-flood");
}

/// The lines reaching the log while `hostile` tries `kind`, checked against the line cap.
fn log_of(hostile: &evident_host::StateView, kind: &str) {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || LogWriter(writer.clone()))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    // Python's `print` is not cheap in fuel: room for all of them.
    let hostile = hostile.clone().with_limits(evident_host::Limits {
        fuel: 5_000_000_000,
        ..hostile.limits()
    });
    let outcome = tracing::subscriber::with_default(subscriber, || got(&hostile, kind));
    assert_eq!(outcome, "flooded");
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let floods = log.lines().filter(|line| line.contains("flood ")).count();
    assert_eq!(
        floods,
        evident_host::MAX_LOG_LINES_PER_CALL as usize,
        "the first lines, then none"
    );
    assert!(log.contains("the rest are dropped"), "{log}");
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
    let Some(hostile) = guests::or_skip(guests::load_view("js-hostile-wasi")) else {
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
    for name in ["python-event-counter", "go-event-counter"] {
        let Some(bytes) = guests::or_skip(guests::component_bytes(name)) else {
            continue;
        };
        let refused = guests::runtime().load(name, &bytes).view().unwrap_err();
        assert!(
            matches!(&refused, Error::ForbiddenImport { import, .. } if import.starts_with("wasi:")),
            "{name}: {refused}"
        );
    }
}
