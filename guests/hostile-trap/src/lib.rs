//! Hostile guest: on an event of type `unreachable` it executes the wasm `unreachable`
//! instruction; on `divide-by-zero` it divides by zero (Rust checks the division, so this traps
//! with the panic message logged first).
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let state = view::reduce::<hostile_trap::Tripwire>(&State::default(), &Event::new("1", "/", "ok"), &Parameters::new())?;
//! assert_eq!(&state.bytes[..], br#"{"passed":1}"#);
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Events that passed without tripping.
#[derive(Default, Serialize, Deserialize)]
pub struct Tripwire {
    passed: u64,
}

#[state_view]
impl StateView for Tripwire {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Tripwire::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        match event.event_type {
            #[cfg(target_arch = "wasm32")]
            "unreachable" => core::arch::wasm32::unreachable(),
            "divide-by-zero" => {
                let zero = std::hint::black_box(self.passed.saturating_sub(self.passed));
                self.passed /= zero;
            }
            _ => self.passed += 1,
        }
        Ok(())
    }
}
