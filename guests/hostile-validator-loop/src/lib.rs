//! Hostile guest: a validator whose `validate` spins forever. The append it guards is refused
//! with a limit error, and the store stays writable.
//!
//! ```no_run
//! use evident_guest_sdk::{validator, Event, Parameters};
//! // Natively this never returns, which is the point: only a sandbox can stop it.
//! let _ = validator::validate::<hostile_validator_loop::Spinner>(&Event::new("1", "/", "t"), &Parameters::new());
//! ```

use evident_guest_sdk::prelude::*;

/// Spins.
pub struct Spinner;

#[validator]
impl Validator for Spinner {
    fn validate(_event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), GuestError> {
        let mut spins: u64 = 0;
        loop {
            spins = std::hint::black_box(spins.wrapping_add(1));
        }
    }
}
