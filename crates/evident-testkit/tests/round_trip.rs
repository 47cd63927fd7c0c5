//! Every sample guest, natively (through the SDK) and as a component (through the host), on
//! proptest-generated inputs: both must produce identical states, events and errors.

use bank_account::BankAccount;
use event_counter::EventCounts;
use evident_guest_sdk::{Cbor, Codec, change, view};
use evident_testkit::{guests, round_trip, strategies};
use evident_types::{Command, Event, Parameters, State};
use proptest::prelude::*;

/// The bar is 256 cases per guest; more under `PROPTEST_CASES`.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(256),
        ..ProptestConfig::default()
    }
}

fn counter_parameters() -> impl Strategy<Value = Parameters> {
    (
        proptest::option::of(prop_oneof![Just("order."), Just("account."), Just("x")]),
        proptest::option::of(prop_oneof![Just("true"), Just("false"), Just("perhaps")]),
    )
        .prop_map(|(prefix, require_data)| {
            let mut parameters = Parameters::new();
            if let Some(prefix) = prefix {
                parameters = parameters.with("prefix", prefix);
            }
            if let Some(require_data) = require_data {
                parameters = parameters.with("require-data", require_data);
            }
            parameters
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn event_counter_agrees_natively_and_as_a_component(
        events in strategies::events(12),
        parameters in counter_parameters(),
    ) {
        let view = guests::load_view("event-counter").unwrap();
        let native = |state: &State, event: &Event, parameters: &Parameters| {
            view::reduce::<EventCounts>(state, event, parameters).map_err(|e| e.to_string())
        };
        let result = round_trip::view_agrees(&view, native, &State::default(), &events, &parameters);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }

    #[test]
    fn bank_account_agrees_natively_and_as_a_component(
        commands in proptest::collection::vec(bank_command(), 1..12),
        source in proptest::option::of("/[a-z]{1,6}"),
    ) {
        let change = guests::load_change("bank-account").unwrap();
        let parameters = source.map_or_else(Parameters::new, |s| Parameters::new().with("source", s));
        let advance = |state: &State, events: &[Event]| {
            events.iter().fold(state.clone(), |state, event| {
                view::reduce::<BankAccount>(&state, event, &Parameters::new())
                    .expect("an event the change emitted")
            })
        };
        let result = round_trip::change_agrees(
            &change,
            change::process::<BankAccount>,
            change::validate::<BankAccount>,
            advance,
            &State::default(),
            &commands,
            &parameters,
        );
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}

/// Valid and invalid bank commands, as JSON or CBOR.
fn bank_command() -> impl Strategy<Value = Command> {
    let amount = prop_oneof![8 => 0u64..500, 1 => Just(0u64), 1 => Just(u64::MAX)];
    let body = prop_oneof![
        ("[a-z0-9]{0,6}", "[A-Za-z ]{0,10}").prop_map(|(id, owner)| {
            serde_json::json!({"type": "open", "account_id": id, "owner": owner})
        }),
        amount
            .clone()
            .prop_map(|amount| serde_json::json!({"type": "deposit", "amount": amount})),
        amount.prop_map(|amount| serde_json::json!({"type": "withdraw", "amount": amount})),
        Just(serde_json::json!({"type": "close"})),
        Just(serde_json::json!({"type": "deposit", "amount": "ten"})),
        Just(serde_json::json!({"amount": 5})),
    ];
    (body, any::<bool>()).prop_map(|(body, as_cbor)| {
        if as_cbor {
            Command::new(Cbor::CONTENT_TYPE, Cbor::encode(&body).unwrap())
        } else {
            Command::json(&body).unwrap()
        }
    })
}
