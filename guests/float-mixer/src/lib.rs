//! A state view whose state is the bit patterns of float arithmetic on each event, NaNs
//! included, so the determinism tests can check replay is byte-identical.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let state = view::reduce::<float_mixer::Mix>(&State::default(), &Event::new("1", "/", "t"), &Parameters::new())?;
//! assert!(state.bytes.starts_with(b"{\"bits\":["));
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Raw `f64`/`f32` bits of every result so far.
#[derive(Default, Serialize, Deserialize)]
pub struct Mix {
    bits: Vec<u64>,
}

#[state_view]
impl StateView for Mix {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Mix::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        let seed = std::hint::black_box(event.id.len() as f64);
        let zero = std::hint::black_box(0.0f64);
        #[allow(clippy::eq_op)] // 0/0 at run time is the point
        let nan = zero / zero;
        let results = [
            nan,
            (-seed).sqrt(),
            f64::INFINITY - f64::INFINITY * seed,
            nan * seed + 1.5,
            f64::from_bits(0x7ff4_0000_0000_0001) + seed, // a signalling NaN in, some NaN out
            -(nan),
            seed.mul_add(0.1, 0.2),
        ];
        self.bits.extend(results.iter().map(|f| f.to_bits()));
        let narrow = std::hint::black_box(f32::from_bits(0x7fc0_1234)) * seed as f32;
        self.bits.push(u64::from(narrow.to_bits()));
        Ok(())
    }
}
