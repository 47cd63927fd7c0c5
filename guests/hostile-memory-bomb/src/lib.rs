//! Hostile guest: `reduce` hoards 1 MiB blocks until memory growth is refused.
//!
//! ```no_run
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! // Natively this eats all memory; in the host it stops at the memory limit.
//! let _ = view::reduce::<hostile_memory_bomb::Hoard>(&State::default(), &Event::new("1", "/", "t"), &Parameters::new());
//! ```

use evident_guest_sdk::prelude::*;

/// Blocks held so far.
#[derive(Default, Serialize, Deserialize)]
pub struct Hoard {
    blocks: u64,
}

#[state_view]
impl StateView for Hoard {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Hoard::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(std::hint::black_box(vec![0xAB; 1 << 20]));
            self.blocks = hoard.len() as u64;
        }
    }
}
