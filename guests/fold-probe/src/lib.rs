//! A view whose events say what to do with them, so tests can put a failure of any kind at any
//! place in a fold. By event type:
//!
//! - `ok`: applied (the state counts it and mixes its id into a digest, so a state tells which
//!   events made it, in which order);
//! - `refuse`: refused, with the code `probe-refused`;
//! - `panic`: a panic (a trap);
//! - `spin`: an endless loop (stopped by fuel, or the deadline);
//! - `hoard`: allocates 16 MiB and keeps it in the state (a memory limit, for a small one);
//! - `unsavable`: applied, but from then on encoding the state panics (a trap: in `save-state`
//!   in a fold, in `reduce` in a single `reduce` call).
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let state = view::reduce::<fold_probe::Probe>(&State::default(), &Event::new("1", "/p", "ok"), &Parameters::new())?;
//! assert!(state.bytes.starts_with(br#"{"applied":1,"#));
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// What the events so far did.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Probe {
    /// Events applied.
    pub applied: u64,
    /// An FNV-1a digest of the applied events' ids, in order.
    pub digest: u64,
    /// A running mean of a float drawn from each digest: a state whose floats must come back
    /// from the codec bit for bit, or folds would depend on where they restart.
    pub mean: f64,
    /// What `hoard` events keep.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hoard: Vec<u8>,
    /// Set by an `unsavable` event.
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        serialize_with = "panic_on_save"
    )]
    pub unsavable: bool,
}

/// How an `unsavable` state is encoded: it is not.
fn panic_on_save<S: serde::Serializer>(_: &bool, _: S) -> Result<S::Ok, S::Error> {
    panic!("this state holds an unsavable event")
}

#[state_view]
impl StateView for Probe {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Probe {
            digest: 0xcbf2_9ce4_8422_2325,
            ..Probe::default()
        })
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        match event.event_type {
            "refuse" => {
                return Err(ViewError::with_code(
                    "probe-refused",
                    format!("event {} asked to be refused", event.id),
                ));
            }
            "panic" => panic!("event {} asked for a panic", event.id),
            "spin" => loop {
                std::hint::black_box(&event.id);
            },
            "hoard" => self.hoard.resize(self.hoard.len() + (16 << 20), 1),
            "unsavable" => self.unsavable = true,
            _ => {}
        }
        self.applied += 1;
        for byte in event.id.bytes() {
            self.digest = (self.digest ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
        let drawn = (self.digest % 1_000_003) as f64 / 7.0;
        self.mean += (drawn - self.mean) / self.applied as f64;
        Ok(())
    }
}
