//! A state view that counts events by type: the "old" side of the `evident diff` samples, which
//! `diff-counter-v2` and `diff-counter-v2-reordered` are compared against.
//!
//! ```
//! use diff_counter_v1::Counts;
//! use evident_guest_sdk::{view, Event, Parameters, State};
//!
//! let event = Event::new("1", "/shop", "order.cancelled");
//! let state = view::reduce::<Counts>(&State::default(), &event, &Parameters::new())?;
//! assert_eq!(&state.bytes[..], br#"{"by_type":{"order.cancelled":1},"total":1}"#);
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;

/// How many events of each type the view has seen.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Events counted, by CloudEvents `type`.
    pub by_type: BTreeMap<String, u64>,
    /// Events counted in all.
    pub total: u64,
}

#[state_view]
impl StateView for Counts {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Counts::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        self.total += 1;
        *self.by_type.entry(event.event_type.to_owned()).or_default() += 1;
        Ok(())
    }
}
