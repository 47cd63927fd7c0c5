//! Calling a state change: events out, typed refusals with codes, validate.

use evident_host::Error;
use evident_testkit::fixture::ChangeFixture;
use evident_types::{Command, State};

use crate::bank_account;

fn cbor_state(value: &serde_json::Value) -> State {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).unwrap();
    State::new("application/cbor", bytes)
}

fn open_account(balance: u64) -> State {
    cbor_state(
        &serde_json::json!({"account_id": "a1", "owner": "Ann", "balance": balance, "version": 1}),
    )
}

#[test]
fn opening_an_account_emits_a_cloudevent() {
    let events = ChangeFixture::new(&bank_account())
        .when_json(serde_json::json!({"type": "open", "account_id": "a1", "owner": "Ann"}))
        .expect_event_types(&["bank.account.opened"]);
    let event = &events[0];
    assert_eq!(event.id, "a1-1");
    assert_eq!(event.source, "/accounts/a1");
    assert_eq!(event.subject.as_deref(), Some("a1"));
    let data: serde_json::Value = event.data_json().unwrap();
    assert_eq!(
        data,
        serde_json::json!({"account_id": "a1", "owner": "Ann"})
    );
}

#[test]
fn a_withdrawal_within_the_balance_is_accepted() {
    let events = ChangeFixture::new(&bank_account())
        .given_state(open_account(100))
        .when_json(serde_json::json!({"type": "withdraw", "amount": 30}))
        .expect_event_types(&["bank.account.withdrawn"]);
    assert_eq!(events[0].id, "a1-2");
    let data: serde_json::Value = events[0].data_json().unwrap();
    assert_eq!(data, serde_json::json!({"amount": 30, "balance": 70}));
}

#[test]
fn insufficient_funds_is_a_typed_error_with_details() {
    let err = ChangeFixture::new(&bank_account())
        .given_state(open_account(10))
        .when_json(serde_json::json!({"type": "withdraw", "amount": 11}))
        .expect_error_code("insufficient-funds");
    let Error::Guest {
        details,
        message,
        function,
        ..
    } = err
    else {
        unreachable!("checked by the fixture")
    };
    assert_eq!(function, "process");
    assert_eq!(message, "cannot withdraw 11 from a balance of 10");
    assert_eq!(
        details.as_deref(),
        Some(&br#"{"balance":10,"requested":11}"#[..])
    );
}

#[test]
fn an_unknown_command_is_a_typed_error() {
    ChangeFixture::new(&bank_account())
        .given_state(open_account(10))
        .when_json(serde_json::json!({"type": "close"}))
        .expect_error_code("unknown-command");
}

#[test]
fn commands_may_be_cbor() {
    let mut bytes = Vec::new();
    ciborium::into_writer(
        &serde_json::json!({"type": "deposit", "amount": 5}),
        &mut bytes,
    )
    .unwrap();
    ChangeFixture::new(&bank_account())
        .given_state(open_account(0))
        .when(Command::new("application/cbor", bytes))
        .expect_event_types(&["bank.account.deposited"]);
}

#[test]
fn a_command_in_an_unknown_format_is_refused_with_a_code() {
    ChangeFixture::new(&bank_account())
        .when(Command::new("text/csv", "deposit,5"))
        .expect_error_code("unsupported-content-type");
}

#[test]
fn validate_says_yes_to_what_process_accepts() {
    let change = bank_account();
    let state = open_account(10);
    let ok = Command::json(&serde_json::json!({"type": "deposit", "amount": 1})).unwrap();
    assert!(change.validate(&state, &ok).unwrap());
    let overdraw = Command::json(&serde_json::json!({"type": "withdraw", "amount": 11})).unwrap();
    assert!(!change.validate(&state, &overdraw).unwrap());
    let garbage = Command::new("application/json", "{not json");
    assert!(!change.validate(&state, &garbage).unwrap());
    // Against a state it cannot read, the change cannot judge any command.
    let unreadable = State::new("application/cbor", vec![0xff]);
    let err = change.validate(&unreadable, &ok).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Guest {
                function: "validate",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("cannot decode the state"), "{err}");
}

#[test]
fn a_source_parameter_overrides_the_event_source() {
    let events = ChangeFixture::new(&bank_account())
        .parameter("source", "urn:bank:eu")
        .when_json(serde_json::json!({"type": "open", "account_id": "b2", "owner": "Bo"}))
        .expect_events();
    assert_eq!(events[0].source, "urn:bank:eu");
}
