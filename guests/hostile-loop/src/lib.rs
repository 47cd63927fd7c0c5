//! Hostile guest: `reduce` spins forever. Fuel stops it; with unlimited fuel the epoch deadline
//! does.
//!
//! ```no_run
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! // Natively this never returns, which is the point: only a sandbox can stop it.
//! let _ = view::reduce::<hostile_loop::Spinner>(&State::default(), &Event::new("1", "/", "t"), &Parameters::new());
//! ```

use evident_guest_sdk::prelude::*;

/// The spin count, never returned.
#[derive(Default, Serialize, Deserialize)]
pub struct Spinner {
    spins: u64,
}

#[state_view]
impl StateView for Spinner {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Spinner::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        loop {
            self.spins = std::hint::black_box(self.spins.wrapping_add(1));
        }
    }
}
