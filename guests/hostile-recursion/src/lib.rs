//! Hostile guest: `reduce` recurses without end until the wasm stack overflows.
//!
//! ```no_run
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let _ = view::reduce::<hostile_recursion::Abyss>(&State::default(), &Event::new("1", "/", "t"), &Parameters::new());
//! ```

use evident_guest_sdk::prelude::*;

/// How deep it went (never returned).
#[derive(Default, Serialize, Deserialize)]
pub struct Abyss {
    depth: u64,
}

#[inline(never)]
#[allow(unconditional_recursion)] // the point of this guest
fn dive(depth: u64) -> u64 {
    let below = dive(std::hint::black_box(depth + 1));
    std::hint::black_box(below) + 1
}

#[state_view]
impl StateView for Abyss {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Abyss::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        self.depth = dive(0);
        Ok(())
    }
}
