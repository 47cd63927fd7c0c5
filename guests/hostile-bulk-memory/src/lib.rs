//! Hostile guest: `reduce` copies a 16 MiB buffer onto another, over and over. Each copy is
//! one `memory.copy` instruction, which fuel charges per byte, so fuel stops it in bounded
//! time.
//!
//! ```
//! // Natively only `initialize` ends: `reduce` runs until something stops it.
//! let state = evident_guest_sdk::view::initialize::<hostile_bulk_memory::Copies>(&Default::default())?;
//! assert_eq!(state.content_type, "application/json");
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Copies made.
#[derive(Default, Serialize, Deserialize)]
pub struct Copies {
    copies: u64,
}

#[state_view]
impl StateView for Copies {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Copies::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        let from = vec![1u8; 16 << 20];
        let mut to = vec![0u8; 16 << 20];
        loop {
            to.copy_from_slice(std::hint::black_box(&from));
            self.copies += 1;
            std::hint::black_box(&mut to);
        }
    }
}
