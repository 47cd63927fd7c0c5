//! `diff-counter-v1` with a change of meaning, for `evident diff` and the registry's shadow runs
//! to find: once `double-after` events (default 1,500) were counted, each event whose type ends
//! in `cancelled` counts twice. Before that, and for every other type, it agrees with v1.
//!
//! ```
//! use diff_counter_v2::Counts;
//! use evident_guest_sdk::{view, Event, Parameters, State};
//!
//! let parameters = Parameters::new().with("double-after", "1");
//! let mut state = State::default();
//! for (id, ty) in [("1", "order.placed"), ("2", "order.cancelled")] {
//!     state = view::reduce::<Counts>(&state, &Event::new(id, "/shop", ty), &parameters)?;
//! }
//! assert_eq!(&state.bytes[..], br#"{"by_type":{"order.cancelled":2,"order.placed":1},"total":3}"#);
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;

/// Events counted before cancellations start counting twice, unless `double-after` says.
const DOUBLE_AFTER: u64 = 1_500;

/// How many events of each type the view has seen (cancellations twice, past the threshold).
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

    fn initialize(parameters: &Parameters) -> Result<Self, ViewError> {
        parameters.parse::<u64>("double-after")?;
        Ok(Counts::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let threshold = parameters
            .parse::<u64>("double-after")?
            .unwrap_or(DOUBLE_AFTER);
        let weight = if self.total >= threshold && event.event_type.ends_with("cancelled") {
            2
        } else {
            1
        };
        self.total += weight;
        *self.by_type.entry(event.event_type.to_owned()).or_default() += weight;
        Ok(())
    }
}
