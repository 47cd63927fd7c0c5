//! Hostile guest: panics on an event whose type is `panic`; otherwise its state is the number of
//! calls the instance it runs in has served, which shows whether an instance is ever reused.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let state = view::reduce::<hostile_panic::Calls>(&State::default(), &Event::new("1", "/", "ok"), &Parameters::new())?;
//! assert!(state.bytes.starts_with(br#"{"served_by_this_instance":"#));
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use evident_guest_sdk::prelude::*;

static CALLS: AtomicU64 = AtomicU64::new(0);

/// Calls served by this instance, this one included.
#[derive(Default, Serialize, Deserialize)]
pub struct Calls {
    served_by_this_instance: u64,
}

#[state_view]
impl StateView for Calls {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Calls::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        self.served_by_this_instance = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
        if event.event_type == "panic" {
            panic!("event {} asked for it", event.id);
        }
        Ok(())
    }
}
