//! Hostile guest: a state view built for `wasm32-wasip2`, run in the host's deny-all WASI mode,
//! whose `reduce` writes one buffer to stdout over and over. Each write makes the host copy the
//! bytes out of the guest and scan them for line ends, for a few instructions of the guest's,
//! so the host must charge it fuel per byte as it does a log line.
//!
//! Parameters: `bytes`, the buffer's size (1 MiB unless given); `writes`, how many times it is
//! written before `reduce` returns (without end unless given).
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! let parameters = Parameters::new().with("bytes", "4").with("writes", "2");
//! let state = view::reduce::<hostile_wasi_write_flood::Written>(&State::default(), &Event::new("1", "/", "t"), &parameters)?;
//! assert_eq!(&state.bytes[..], br#"{"bytes":8}"#);
//! # Ok::<(), evident_guest_sdk::ViewError>(())
//! ```

use std::io::Write as _;

use evident_guest_sdk::prelude::*;

/// Bytes written to stdout.
#[derive(Default, Serialize, Deserialize)]
pub struct Written {
    bytes: u64,
}

#[state_view]
impl StateView for Written {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Written::default())
    }

    fn reduce(&mut self, _event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let size = parameters.parse::<usize>("bytes")?.unwrap_or(1 << 20);
        let writes = parameters.parse::<u64>("writes")?.unwrap_or(u64::MAX);
        let mut buffer = vec![b'x'; size];
        if let Some(last) = buffer.last_mut() {
            *last = b'\n';
        }
        let mut stdout = std::io::stdout().lock();
        for _ in 0..writes {
            stdout
                .write_all(&buffer)
                .map_err(|e| ViewError::new(format!("stdout: {e}")))?;
            self.bytes += size as u64;
        }
        Ok(())
    }
}
