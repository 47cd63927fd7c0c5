//! A state change that adds to a tally: `{"type": "add", "amount": n}` emits `tally.added` with
//! the amount and the new total. Every guest language has this change, emitting the same events
//! byte for byte and refusing with the same codes: `unknown-command` and `invalid-amount` (and
//! the SDKs' own `invalid-command`, `unsupported-content-type`, `invalid-state`).
//!
//! The state is `{"total": n}` as JSON; the event's source is the `source` parameter, or
//! `/tally`.
//!
//! ```
//! use evident_guest_sdk::{change, Command, Parameters, State};
//! let add = Command::json(&serde_json::json!({"type": "add", "amount": 5})).unwrap();
//! let events = change::process::<tally::Tally>(&State::default(), &add, &Parameters::new())?;
//! assert_eq!(events[0].id, "tally-5");
//! assert_eq!(events[0].data.as_deref(), Some(&br#"{"amount":5,"total":5}"#[..]));
//! # Ok::<(), evident_guest_sdk::GuestError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// What has been added so far.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Tally {
    /// The sum of every amount added.
    pub total: i64,
}

#[derive(Serialize)]
struct Added {
    amount: i64,
    total: i64,
}

#[state_change]
impl StateChange for Tally {
    type Codec = Json;
    type Command = serde_json::Value;

    fn process(
        &self,
        command: serde_json::Value,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, GuestError> {
        let amount = amount(&command)?;
        let total = self
            .total
            .checked_add(amount)
            .ok_or_else(|| GuestError::new("invalid-amount", "the total would overflow"))?;
        let source = parameters.get("source").unwrap_or("/tally");
        let event = Event::new(format!("tally-{total}"), source, "tally.added")
            .with_json_data(&Added { amount, total })
            .map_err(|e| GuestError::new("internal", e.to_string()))?;
        Ok(vec![event])
    }
}

/// The amount an `add` command adds, or the refusal.
fn amount(command: &serde_json::Value) -> Result<i64, GuestError> {
    match command.get("type").and_then(serde_json::Value::as_str) {
        Some("add") => {}
        Some(other) => {
            let message = format!("unknown command '{other}'");
            return Err(GuestError::new("unknown-command", message));
        }
        None => {
            let message = "the command has no type";
            return Err(GuestError::new("unknown-command", message));
        }
    }
    command
        .get("amount")
        .and_then(serde_json::Value::as_i64)
        .filter(|&amount| amount > 0)
        .ok_or_else(|| GuestError::new("invalid-amount", "amount must be a positive integer"))
}
