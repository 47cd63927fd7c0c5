//! {{name}}: a state change. A counter that can be incremented up to a limit.

use evident_guest_sdk::prelude::*;

/// The state: the counter's value. It is stored as CBOR between calls.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counter {
    /// The current value.
    pub value: u64,
}

/// Commands, as JSON or CBOR: `{"type": "increment", "by": 2}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum CounterCommand {
    /// Adds `by` to the counter.
    Increment {
        /// How much to add.
        by: u64,
    },
}

#[state_change]
impl StateChange for Counter {
    type Codec = Cbor;
    type Command = CounterCommand;

    fn process(&self, command: CounterCommand, parameters: &Parameters) -> Result<Vec<Event>, GuestError> {
        let limit = parameters.parse::<u64>("limit")?.unwrap_or(100);
        match command {
            CounterCommand::Increment { by } => {
                let value = self.value.saturating_add(by);
                if value > limit {
                    return Err(GuestError::new("over-limit", format!("{value} is over the limit of {limit}")));
                }
                let event = Event::new(format!("counter-{value}"), "/counter", "counter.incremented")
                    .with_json_data(&serde_json::json!({ "by": by, "value": value }))
                    .map_err(|e| GuestError::new("internal", e.to_string()))?;
                Ok(vec![event])
            }
        }
    }
}
