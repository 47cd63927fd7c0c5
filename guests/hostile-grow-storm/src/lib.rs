//! Hostile guest: `reduce` grows its linear memory one page at a time (`memory.grow`, which
//! fuel charges per page) until the memory limit refuses, or, with the parameter `grow` set to
//! `0`, asks to grow by nothing over and over.
//!
//! ```
//! // Natively only `initialize` ends: `reduce` runs until something stops it.
//! let state = evident_guest_sdk::view::initialize::<hostile_grow_storm::Pages>(&Default::default())?;
//! assert_eq!(state.content_type, "application/json");
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Pages grown.
#[derive(Default, Serialize, Deserialize)]
pub struct Pages {
    grown: u64,
}

#[state_view]
impl StateView for Pages {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Pages::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let delta = parameters.parse::<usize>("grow")?.unwrap_or(1);
        loop {
            #[cfg(target_arch = "wasm32")]
            std::hint::black_box(core::arch::wasm32::memory_grow(0, delta));
            self.grown += delta as u64;
        }
    }
}
