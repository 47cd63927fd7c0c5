//! `evident decide`: given a history, when a command, the new events or the refusal.

use super::*;

/// `evident decide guests/bank-account --given examples/bank/history.jsonl --command ...`.
fn decide(command: &str) -> Command {
    let mut decide = evident();
    decide
        .arg("decide")
        .arg(component("bank-account"))
        .args(["--given", "examples/bank/history.jsonl", "--command"])
        .arg(command);
    decide
}

#[test]
fn prints_the_events_decided_on_the_history() {
    let out = decide("examples/bank/withdraw.json")
        .assert()
        .success()
        .stderr(contains("decided on 3 events (position 3)"))
        .stderr(contains("1 new events, next position 4"));
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let event: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(event["type"], "bank.account.withdrawn");
    assert_eq!(event["id"], "a1-4", "the id follows the history");
    assert_eq!(
        event["data"],
        serde_json::json!({"amount": 30, "balance": 120})
    );
}

#[test]
fn an_overdraft_is_refused_with_its_code_and_exit_code_2() {
    decide("examples/bank/overdraw.json")
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("refused: [insufficient-funds]"))
        .stderr(contains(r#"details: {"balance":150,"requested":1000}"#));
}

#[test]
fn a_snapshot_stands_for_the_events_it_folds() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "none.jsonl", "");
    let snapshot = write(
        dir.path(),
        "account.json",
        r#"{"account_id":"a1","owner":"Ann","balance":150,"version":3}"#,
    );
    let out = evident()
        .arg("decide")
        .arg(component("bank-account"))
        .arg("--given")
        .arg(&empty)
        .arg("--snapshot")
        .arg(&snapshot)
        .args(["--snapshot-format", "cbor", "--snapshot-position", "3"])
        .args(["--command", "examples/bank/withdraw.json"])
        .assert()
        .success()
        .stderr(contains("decided on 0 events (position 3)"));
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains(r#""id":"a1-4""#), "{stdout}");
}

#[test]
fn a_history_event_the_view_refuses_is_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let history = write(
        dir.path(),
        "history.jsonl",
        &format!(
            "{}\n{EVENT}\n",
            std::fs::read_to_string(workspace_root().join("examples/bank/history.jsonl"))
                .unwrap()
                .lines()
                .next()
                .unwrap()
        ),
    );
    evident()
        .arg("decide")
        .arg(component("bank-account"))
        .arg("--given")
        .arg(&history)
        .args(["--command", "examples/bank/withdraw.json"])
        .assert()
        .failure()
        .stderr(contains("line 2"))
        .stderr(contains("not a bank account event"));
}
