//! Hostile guest: `reduce` writes 16 KiB log lines without end. Each line costs fuel per byte
//! and a call may write at most `MAX_LOG_LINES_PER_CALL` of them to the host's log, so the
//! flood reaches neither the log nor the host's time beyond a bound.
//!
//! ```
//! // Natively only `initialize` ends: `reduce` runs until something stops it.
//! let state = evident_guest_sdk::view::initialize::<hostile_log_flood::Lines>(&Default::default())?;
//! assert_eq!(state.content_type, "application/json");
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Lines written.
#[derive(Default, Serialize, Deserialize)]
pub struct Lines {
    lines: u64,
}

#[state_view]
impl StateView for Lines {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Lines::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        let line = "x".repeat(16 << 10);
        loop {
            info!("{line}");
            self.lines += 1;
        }
    }
}
