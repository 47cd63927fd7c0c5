//! Hostile guest: a state view built for `wasm32-wasip2` that reads `/etc/passwd` and the wall
//! clock. Its component imports WASI interfaces, so the host must refuse it at load time.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! // Natively it can read the file; in the sandbox it never gets to run.
//! let state = view::reduce::<hostile_wasi::Snoop>(&State::default(), &Event::new("1", "/", "t"), &Parameters::new())?;
//! assert!(!state.bytes.is_empty());
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// What it found out.
#[derive(Default, Serialize, Deserialize)]
pub struct Snoop {
    passwd_bytes: usize,
    now_secs: u64,
}

#[state_view]
impl StateView for Snoop {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Snoop::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        self.passwd_bytes = std::fs::read("/etc/passwd").map_or(0, |bytes| bytes.len());
        self.now_secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Ok(())
    }
}
