//! `evident fold`: events from files, stdin and CBOR, limits, and failures named by line and id.

use super::*;

#[test]
fn with_wasi_folds_a_python_guest_to_the_rust_guests_state() {
    let Some(python) = evident_testkit::guests::or_skip(component_path("python-event-counter"))
    else {
        return;
    };
    let rust = fold("event-counter", sample_events()).assert().success();
    let expected = String::from_utf8(rust.get_output().stdout.clone()).unwrap();
    evident()
        .arg("fold")
        .arg(&python)
        .arg("--events")
        .arg(sample_events())
        .arg("--wasi")
        .assert()
        .success()
        .stdout(expected);
    // Without --wasi the host keeps its strict mode and names the WASI import it refuses.
    evident()
        .arg("fold")
        .arg(&python)
        .arg("--events")
        .arg(sample_events())
        .assert()
        .failure()
        .stderr(contains("wasi:"));
}

#[test]
fn folds_the_sample_events_and_summarises() {
    evident()
        .args(["fold"])
        .arg(component("event-counter"))
        .arg("--events")
        .arg(sample_events())
        .assert()
        .success()
        .stdout(contains("\"total\": 3000"))
        .stderr(
            contains("folded 3000 events")
                .and(contains("events/s"))
                .and(contains("fuel used"))
                .and(contains("peak guest memory")),
        );
}

#[test]
fn builds_a_guest_crate_directory_first() {
    evident()
        .args(["fold", "guests/event-counter", "--events"])
        .arg(sample_events())
        .assert()
        .success()
        .stdout(contains("\"total\": 3000"));
}

#[test]
fn a_failing_event_is_reported_by_line_and_id_and_the_last_good_state_printed() {
    let dir = tempfile::tempdir().unwrap();
    let no_data = r#"{"specversion":"1.0","id":"bad7","source":"/s","type":"a"}"#;
    let events = write(
        dir.path(),
        "events.jsonl",
        &format!("{EVENT}\n\n{no_data}\n{EVENT}\n"),
    );
    let saved = dir.path().join("state.json");
    fold("event-counter", &events)
        .args(["--param", "require-data=true", "-o"])
        .arg(&saved)
        .assert()
        .failure()
        .stdout(contains("\"total\": 1"))
        .stderr(
            contains("line 3")
                .and(contains("\"bad7\""))
                .and(contains("event bad7 has no data")),
        );
    assert_eq!(
        std::fs::read_to_string(saved).unwrap(),
        r#"{"by_type":{"a":1},"total":1}"#
    );
}

#[test]
fn reads_stdin_and_names_the_bad_line() {
    evident()
        .arg("fold")
        .arg(component("event-counter"))
        .args(["--events", "-"])
        .write_stdin(format!("{EVENT}\n{{\"id\":\"x\"}}\n"))
        .assert()
        .failure()
        .stderr(contains(
            "-: line 2: missing required attribute `specversion`",
        ));
}

#[test]
fn reads_a_cbor_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for id in ["c1", "c2"] {
        let event = serde_json::json!({"specversion": "1.0", "id": id, "source": "/s", "type": "cbor.event"});
        ciborium::into_writer(&event, &mut bytes).unwrap();
    }
    let events = dir.path().join("events.cbor");
    std::fs::write(&events, bytes).unwrap();
    fold("event-counter", events)
        .assert()
        .success()
        .stdout(contains("\"cbor.event\": 2"));
}

#[test]
fn starts_from_an_initial_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = write(
        dir.path(),
        "state.json",
        r#"{"by_type":{"a":41},"total":41}"#,
    );
    let events = write(dir.path(), "events.jsonl", EVENT);
    fold("event-counter", events)
        .arg("--initial-state")
        .arg(state)
        .assert()
        .success()
        .stdout(contains("\"total\": 42"));
}

#[test]
fn limits_come_from_the_command_line() {
    fold("event-counter", sample_events())
        .args(["--limit-fuel", "1000"])
        .assert()
        .failure()
        .stderr(contains("ran out of fuel").and(contains("limit 1000 units")));
    fold("hostile-memory-bomb", sample_events())
        .args(["--limit-memory", "4MiB", "--deadline", "5s"])
        .assert()
        .failure()
        .stderr(contains("memory limit").and(contains("limit 4194304")));
    // Fuel alone bounds a call by default; a deadline asked for is kept.
    fold("hostile-loop", sample_events())
        .args(["--limit-fuel", "1000000000000000", "--deadline", "200ms"])
        .assert()
        .failure()
        .stderr(contains("deadline").and(contains("200ms")));
}

/// A fold that fails early in a long input ends at once: the reader, far ahead and
/// waiting to hand over more events, is told to stop.
#[test]
fn a_fold_that_fails_early_in_a_long_input_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut events = String::from("\n\n");
    for i in 0..50_000 {
        events.push_str(&format!(
            "{{\"specversion\":\"1.0\",\"id\":\"e{i}\",\"source\":\"/s\",\"type\":\"a\"}}\n"
        ));
    }
    let events = write(dir.path(), "events.jsonl", &events);
    fold("event-counter", events)
        .args(["--param", "require-data=true"])
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .failure()
        .stderr(contains("line 3").and(contains("event e0 has no data")));
}

#[test]
fn a_missing_file_says_which() {
    fold("event-counter", "no/such/events.jsonl")
        .assert()
        .failure()
        .stderr(contains("cannot open no/such/events.jsonl"));
    evident()
        .args(["fold", "no/such/component.wasm", "--events"])
        .arg(sample_events())
        .assert()
        .failure()
        .stderr(contains("no/such/component.wasm does not exist"));
}

#[test]
fn guest_logs_reach_stderr_with_the_component_name() {
    fold("event-counter", sample_events())
        .args(["--param", "prefix=com.example.order"])
        .assert()
        .success()
        .stderr(
            contains("INFO")
                .and(contains("counting events whose type starts with"))
                .and(contains("event_counter")),
        );
}
