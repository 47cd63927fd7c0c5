//! `evident store` (append, read, head) and `evident fold --store`: the event log as a user
//! drives it, with the exit codes scripts branch on.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use super::*;

/// The DCB course example: courses c1 and c2, students subscribing, tagged `course:`/`student:`.
fn courses() -> PathBuf {
    workspace_root().join("examples/courses/events.jsonl")
}

/// `evident store <subcommand> --store <dir>/store`, to add arguments to.
fn store(dir: &Path, subcommand: &str) -> Command {
    let mut command = evident();
    command
        .args(["store", subcommand, "--store"])
        .arg(dir.join("store"));
    command
}

fn stdout(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

/// `store read` with these arguments: each event's id and `position` attribute.
fn read(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let out = stdout(store(dir, "read").args(args).assert().success());
    out.lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            let field = |name: &str| event[name].as_str().unwrap().to_owned();
            (field("id"), field("position"))
        })
        .collect()
}

fn head(dir: &Path) -> String {
    stdout(store(dir, "head").assert().success())
}

fn append_courses(dir: &Path) {
    store(dir, "append")
        .arg(courses())
        .assert()
        .success()
        .stdout("{\"appended\":6,\"position\":6}\n");
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(id, position)| (id.to_string(), position.to_string()))
        .collect()
}

#[test]
fn appended_events_read_back_by_tag_with_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    append_courses(dir.path());
    assert_eq!(
        read(dir.path(), &["--tag", "course:c1"]),
        pairs(&[
            ("c1", "1"),
            ("c1/s1", "3"),
            ("c1/capacity-3", "5"),
            ("c1/s2", "6")
        ])
    );
    // Each line is the event appended, plus its position.
    let first = stdout(
        store(dir.path(), "read")
            .args(["--limit", "1"])
            .assert()
            .success(),
    );
    let mut event: evident_types::Event = first.trim().parse().unwrap();
    assert_eq!(event.extensions.remove("position").as_deref(), Some("1"));
    let appended = std::fs::read_to_string(courses()).unwrap();
    let appended: evident_types::Event = appended.lines().next().unwrap().parse().unwrap();
    assert_eq!(event, appended);
    // EVIDENT_STORE names the store when --store does not.
    evident()
        .args(["store", "head"])
        .env("EVIDENT_STORE", dir.path().join("store"))
        .assert()
        .success()
        .stdout("{\"position\":6}\n");
}

#[test]
fn reads_select_by_type_and_tag_query_file_after_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    append_courses(dir.path());
    // Types any-of, tags all-of.
    let subscribed = ["--type", "student.subscribed", "--type", "course.defined"];
    assert_eq!(
        read(
            dir.path(),
            &[&subscribed[..], &["--tag", "course:c2"]].concat()
        ),
        pairs(&[("c2", "2"), ("c2/s1", "4")])
    );
    assert_eq!(
        read(dir.path(), &["--after", "2", "--limit", "3"]),
        pairs(&[("c1/s1", "3"), ("c2/s1", "4"), ("c1/capacity-3", "5")])
    );
    // A DCB query's items are OR'd.
    let query = write(
        dir.path(),
        "query.json",
        r#"{"items":[{"types":["course.defined"]},{"tags":["student:s2"]}]}"#,
    );
    let query = query.to_str().unwrap();
    assert_eq!(
        read(dir.path(), &["--query", query]),
        pairs(&[("c1", "1"), ("c2", "2"), ("c1/s2", "6")])
    );
    assert_eq!(
        read(
            dir.path(),
            &["--query", query, "--after", "1", "--limit", "1"]
        ),
        pairs(&[("c2", "2")])
    );
}

#[test]
fn a_stale_condition_is_a_conflict_with_exit_code_3_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    append_courses(dir.path());
    let subscribe = workspace_root().join("examples/courses/subscribe.jsonl");
    // The decision read course c1 up to position 5; c1/s2 came at 6.
    let stale = write(
        dir.path(),
        "stale.json",
        r#"{"failIfEventsMatch":{"items":[{"tags":["course:c1"]}]},"after":5}"#,
    );
    store(dir.path(), "append")
        .arg("--condition")
        .arg(stale)
        .arg(&subscribe)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "conflict: the event at position 6 matches the append condition",
        ));
    assert_eq!(head(dir.path()), "{\"position\":6}\n");
    // Read up to 6, the same decision appends.
    store(dir.path(), "append")
        .arg("--condition")
        .arg(workspace_root().join("examples/courses/condition.json"))
        .arg(&subscribe)
        .assert()
        .success()
        .stdout("{\"appended\":1,\"position\":7}\n");
}

#[test]
fn a_duplicate_exits_with_4_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    append_courses(dir.path());
    let new = r#"{"specversion":"1.0","id":"c3","source":"/university","type":"course.defined","course":"c3"}"#;
    let again = r#"{"specversion":"1.0","id":"c2","source":"/university","type":"course.defined","course":"c2"}"#;
    let events = write(dir.path(), "events.jsonl", &format!("{new}\n{again}\n"));
    store(dir.path(), "append")
        .arg(&events)
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            contains("events.jsonl, line 2: event `c2` of source `/university` is a duplicate")
                .and(contains("nothing was appended")),
        );
    let twice = write(dir.path(), "twice.jsonl", &format!("{new}\n\n{new}\n"));
    store(dir.path(), "append")
        .arg(&twice)
        .assert()
        .code(4)
        .stderr(contains(
            "twice.jsonl, line 3: event `c3` of source `/university` is a duplicate: line 1 has the same source and id",
        ));
    assert_eq!(head(dir.path()), "{\"position\":6}\n");
    assert_eq!(read(dir.path(), &["--tag", "course:c3"]), pairs(&[]));
}

#[test]
fn bad_input_exits_with_2_naming_the_line_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let no_type = r#"{"specversion":"1.0","id":"x","source":"/s"}"#;
    let events = write(
        dir.path(),
        "events.jsonl",
        &format!("{EVENT}\n\n{no_type}\n"),
    );
    store(dir.path(), "append")
        .arg(&events)
        .assert()
        .code(2)
        .stderr(contains(
            "events.jsonl: line 3: missing required attribute `type`",
        ));
    let big = format!(
        r#"{{"specversion":"1.0","id":"big","source":"/s","type":"a","data":"{}"}}"#,
        "x".repeat(600)
    );
    let events = write(dir.path(), "big.jsonl", &format!("{EVENT}\n{big}\n"));
    store(dir.path(), "append")
        .args(["--max-event-bytes", "500"])
        .arg(&events)
        .assert()
        .code(2)
        .stderr(
            contains(
                "big.jsonl, line 2: event `big` is 6", // 6xx bytes
            )
            .and(contains("over the store's limit of 500 bytes")),
        );
    let condition = write(dir.path(), "condition.json", r#"{"failIfEventsMatch":"#);
    store(dir.path(), "append")
        .arg("--condition")
        .arg(&condition)
        .arg(courses())
        .assert()
        .code(2)
        .stderr(contains("condition.json: not an append condition in JSON"));
    assert_eq!(head(dir.path()), "{\"position\":0}\n");
}

#[test]
fn batches_are_each_atomic_and_a_bad_line_stops_at_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        |i: usize| format!(r#"{{"specversion":"1.0","id":"b{i}","source":"/s","type":"a"}}"#);
    let lines: Vec<String> = (1..=4)
        .map(good)
        .chain(["{\"id\":\"b5\"}".into()])
        .collect();
    let events = write(dir.path(), "events.jsonl", &lines.join("\n"));
    store(dir.path(), "append")
        .args(["--batch-size", "2"])
        .arg(&events)
        .assert()
        .code(2)
        .stderr(contains("line 5").and(contains(
            "the 4 events of the batches before it were appended, up to position 4",
        )));
    assert_eq!(head(dir.path()), "{\"position\":4}\n");
    // A refusal names its line in the whole input, and what the batches before it appended.
    let lines = [good(5), good(6), good(7), good(1)];
    let more = write(dir.path(), "more.jsonl", &lines.join("\n"));
    store(dir.path(), "append")
        .args(["--batch-size", "2"])
        .arg(&more)
        .assert()
        .code(4)
        .stderr(contains("more.jsonl, line 4: event `b1`").and(contains(
            "the 2 events of the batches before it were appended, up to position 6",
        )));
    assert_eq!(head(dir.path()), "{\"position\":6}\n");
    // Batches are not atomic together, so a condition is refused with them.
    store(dir.path(), "append")
        .args(["--batch-size", "2", "--condition", "c.json"])
        .arg(&events)
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}

#[test]
fn fold_from_a_store_gives_the_state_a_fold_of_the_file_gives() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "append")
        .arg(sample_events())
        .assert()
        .success()
        .stdout("{\"appended\":3000,\"position\":3000}\n");
    let from_file = stdout(fold("event-counter", sample_events()).assert().success());
    let fold_store = || {
        let mut command = evident();
        command
            .arg("fold")
            .arg(component("event-counter"))
            .arg("--store")
            .arg(dir.path().join("store"));
        command
    };
    fold_store()
        .assert()
        .success()
        .stdout(from_file)
        .stderr(contains("folded 3000 events"));
    // A selection folds only what it selects.
    let orders = std::fs::read_to_string(sample_events())
        .unwrap()
        .lines()
        .filter(|line| line.contains(r#""source":"/shop/orders""#))
        .count();
    fold_store()
        .args(["--tag", "source:/shop/orders"])
        .assert()
        .success()
        .stdout(contains(format!("\"total\": {orders}\n")));
}

#[test]
fn fold_from_a_store_names_a_failing_event_by_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let no_data = r#"{"specversion":"1.0","id":"bad","source":"/s","type":"a"}"#;
    let events = write(
        dir.path(),
        "events.jsonl",
        &format!(
            "{EVENT}\n{}\n{}\n{no_data}\n",
            EVENT.replace("ok1", "ok2"),
            EVENT.replace("ok1", "ok3")
        ),
    );
    store(dir.path(), "append").arg(&events).assert().success();
    evident()
        .arg("fold")
        .arg(component("event-counter"))
        .arg("--store")
        .arg(dir.path().join("store"))
        .args(["--after", "1", "--param", "require-data=true"])
        .assert()
        .failure()
        .stdout(contains("\"total\": 2"))
        .stderr(contains("store ").and(contains(
            ", position 4: event \"bad\" failed after 2 good events",
        )));
    // --events and --store are one or the other.
    fold("event-counter", sample_events())
        .arg("--store")
        .arg(dir.path().join("store"))
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}

#[test]
fn read_ends_quietly_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "append")
        .arg(sample_events())
        .assert()
        .success();
    // `evident store read | head -1`: 3000 events are far more than a pipe holds.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_evident"))
        .args(["store", "read", "--store"])
        .arg(dir.path().join("store"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"position\":\"1\""), "{first}");
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn store_commands_have_help_with_examples() {
    for command in ["append", "read", "head"] {
        evident()
            .args(["store", command, "--help"])
            .assert()
            .success()
            .stdout(contains("Example").and(contains("--store")));
    }
}
