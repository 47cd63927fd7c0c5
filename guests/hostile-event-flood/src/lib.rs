//! Hostile guest: `process` emits `count` events (from the command; default 10 million).
//!
//! ```
//! use evident_guest_sdk::{change, Command, Parameters, State};
//! let command = Command::json(&serde_json::json!({"count": 3})).unwrap();
//! let events = change::process::<hostile_event_flood::Flood>(&State::default(), &command, &Parameters::new())?;
//! assert_eq!(events.len(), 3);
//! # Ok::<(), evident_guest_sdk::GuestError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// No state to speak of.
#[derive(Default, Serialize, Deserialize)]
pub struct Flood;

/// How many events to emit.
#[derive(Deserialize)]
pub struct FloodCommand {
    /// Default 10,000,000.
    pub count: Option<u64>,
}

#[state_change]
impl StateChange for Flood {
    type Codec = Json;
    type Command = FloodCommand;

    fn process(
        &self,
        command: FloodCommand,
        _parameters: &Parameters,
    ) -> Result<Vec<Event>, GuestError> {
        let count = command.count.unwrap_or(10_000_000);
        Ok((0..count)
            .map(|i| Event::new(i.to_string(), "/flood", "flood.drop"))
            .collect())
    }
}
