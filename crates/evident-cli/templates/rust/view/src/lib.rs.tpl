//! {{name}}: a state view. It sums the `amount` in each event's JSON data, by event type.

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;

/// The state: totals by event type. It is stored as JSON between calls.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of `amount` by event type.
    pub by_type: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
struct Payload {
    amount: i64,
}

#[state_view]
impl StateView for Totals {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Totals::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        // Events without data count for nothing; data without an amount is refused, and the
        // host keeps the previous state.
        if event.data.is_none() {
            return Ok(());
        }
        let payload: Payload = event.data_json()?;
        *self.by_type.entry(event.event_type.to_owned()).or_default() += payload.amount;
        debug!("{} +{}", event.id, payload.amount);
        Ok(())
    }
}
