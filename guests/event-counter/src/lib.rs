//! A state view that counts events by type: the spec's first example, written against the SDK.
//!
//! Parameters:
//! - `prefix`: count only events whose type starts with it;
//! - `require-data` (`true`/`false`): refuse events that carry no data.
//!
//! ```
//! use event_counter::EventCounts;
//! use evident_guest_sdk::{view, Event, Parameters, State};
//!
//! let event = Event::new("1", "/shop", "order.placed");
//! let state = view::reduce::<EventCounts>(&State::default(), &event, &Parameters::new())?;
//! assert_eq!(&state.bytes[..], br#"{"by_type":{"order.placed":1},"total":1}"#);
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;

/// How many events of each type the view has seen.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCounts {
    /// Events counted, by CloudEvents `type`.
    pub by_type: BTreeMap<String, u64>,
    /// Events counted in all.
    pub total: u64,
}

#[state_view]
impl StateView for EventCounts {
    type Codec = Json;

    fn initialize(parameters: &Parameters) -> Result<Self, ViewError> {
        if let Some(prefix) = parameters.get("prefix") {
            info!("counting events whose type starts with {prefix:?}");
        }
        Ok(EventCounts::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        if parameters.parse::<bool>("require-data")?.unwrap_or(false) && event.data.is_none() {
            return Err(ViewError::new(format!("event {} has no data", event.id)));
        }
        if parameters
            .get("prefix")
            .is_some_and(|prefix| !event.event_type.starts_with(prefix))
        {
            return Ok(());
        }
        self.total += 1;
        match self.by_type.get_mut(event.event_type) {
            Some(count) => *count += 1,
            None => {
                self.by_type.insert(event.event_type.to_owned(), 1);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::view;

    fn event(id: &str, ty: &str) -> Event {
        Event::new(id, "/test", ty)
    }

    #[test]
    fn counts_by_type_from_no_state() {
        let params = Parameters::new();
        let mut state = State::default();
        for (id, ty) in [("1", "a"), ("2", "b"), ("3", "a")] {
            state = view::reduce::<EventCounts>(&state, &event(id, ty), &params).unwrap();
        }
        assert_eq!(state.content_type, "application/json");
        assert_eq!(&state.bytes[..], br#"{"by_type":{"a":2,"b":1},"total":3}"#);
    }

    #[test]
    fn prefix_filters_and_require_data_refuses() {
        let params = Parameters::new().with("prefix", "bank.");
        let state =
            view::reduce::<EventCounts>(&State::default(), &event("1", "shop.sold"), &params);
        assert_eq!(&state.unwrap().bytes[..], br#"{"by_type":{},"total":0}"#);

        let params = Parameters::new().with("require-data", "true");
        let err =
            view::reduce::<EventCounts>(&State::default(), &event("7", "a"), &params).unwrap_err();
        assert_eq!(err.message(), "event 7 has no data");

        let params = Parameters::new().with("require-data", "maybe");
        let err =
            view::reduce::<EventCounts>(&State::default(), &event("7", "a"), &params).unwrap_err();
        assert!(err.message().contains("require-data"), "{err}");
    }
}
