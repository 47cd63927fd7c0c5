//! Hostile guest: `reduce` makes `allocations` small allocations (parameter; default 10 million),
//! keeping them all alive until the end.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let parameters = Parameters::new().with("allocations", "1000");
//! let state = view::reduce::<hostile_allocation_storm::Storm>(&State::default(), &Event::new("1", "/", "t"), &parameters)?;
//! assert_eq!(&state.bytes[..], br#"{"allocated":1000}"#);
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Allocations made by the last call.
#[derive(Default, Serialize, Deserialize)]
pub struct Storm {
    allocated: u64,
}

#[state_view]
impl StateView for Storm {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Storm::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let count = parameters
            .parse::<u64>("allocations")?
            .unwrap_or(10_000_000);
        let mut cells: Vec<Box<u64>> = Vec::new();
        for i in 0..count {
            cells.push(std::hint::black_box(Box::new(i)));
        }
        self.allocated = cells.len() as u64;
        Ok(())
    }
}
