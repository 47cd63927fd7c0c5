//! `evident process` and `validate`: a command in, events out.

use super::*;

#[test]
fn emits_events_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let open = write(
        dir.path(),
        "open.json",
        r#"{"type":"open","account_id":"a1","owner":"Ann"}"#,
    );
    let output = process("bank-account", open)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let line = String::from_utf8(output).unwrap();
    let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(event["type"], "bank.account.opened");
    assert_eq!(event["data"]["owner"], "Ann");
}

#[test]
fn a_refusal_shows_code_message_and_details_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let state = write(
        dir.path(),
        "state.json",
        r#"{"account_id":"a1","owner":"Ann","balance":10,"version":1}"#,
    );
    let withdraw = write(
        dir.path(),
        "withdraw.json",
        r#"{"type":"withdraw","amount":11}"#,
    );
    process("bank-account", &withdraw)
        .arg("--state")
        .arg(&state)
        .args(["--state-format", "cbor"])
        .assert()
        .code(2)
        .stderr(
            contains("refused: [insufficient-funds] cannot withdraw 11 from a balance of 10")
                .and(contains(r#"details: {"balance":10,"requested":11}"#)),
        );
    // Without the conversion the change cannot read the state, and the CLI says what to do.
    process("bank-account", &withdraw)
        .arg("--state")
        .arg(&state)
        .assert()
        .code(2)
        .stderr(contains("[invalid-state]").and(contains("--state-format cbor")));
}

#[test]
fn validate_answers_without_emitting() {
    let dir = tempfile::tempdir().unwrap();
    let deposit = write(
        dir.path(),
        "deposit.json",
        r#"{"type":"deposit","amount":1}"#,
    );
    process("bank-account", &deposit)
        .arg("--validate")
        .assert()
        .code(2)
        .stdout("false\n");
}

#[test]
fn a_view_is_not_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let command = write(dir.path(), "c.json", "{}");
    process("event-counter", command).assert().failure().stderr(
        contains("is not a valid state change: it does not export evident:db/state-change")
            .and(contains("it exports evident:db/state-view@0.5.0")),
    );
}
