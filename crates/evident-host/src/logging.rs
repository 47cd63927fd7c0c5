//! The `logging` import: guest log lines go to `tracing`, tagged with the component's name.

use crate::bindings::logging::{Host, LogLevel};
use crate::bindings::wit;
use crate::store::StoreData;

/// Longest log line kept from a guest; the rest is cut so a guest cannot flood the host's log.
pub const MAX_LOG_LINE_BYTES: usize = 16 * 1024;

impl wit::Host for StoreData {}

impl Host for StoreData {
    fn log(&mut self, level: LogLevel, mut message: String) {
        if message.len() > MAX_LOG_LINE_BYTES {
            let mut cut = MAX_LOG_LINE_BYTES;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push_str("… [truncated]");
        }
        let component = &*self.component;
        match level {
            LogLevel::Error => tracing::error!(target: "evident::guest", component, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "evident::guest", component, "{message}"),
            LogLevel::Info => tracing::info!(target: "evident::guest", component, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "evident::guest", component, "{message}"),
            LogLevel::Trace => tracing::trace!(target: "evident::guest", component, "{message}"),
        }
        if level == LogLevel::Error {
            self.last_error_log = Some(message);
        }
    }
}
