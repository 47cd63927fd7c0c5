//! `logging` (every release): a guest's log lines, tagged with its name, bounded per call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::StoreContextMut;
use wasmtime::component::LinkerInstance;

use super::host_call_cost;
use crate::bindings::LogLevel;
use crate::store::{self, StoreData};

/// Longest log line kept from a guest; the rest is cut so a guest cannot flood the host's log.
pub const MAX_LOG_LINE_BYTES: usize = 16 * 1024;

/// Most log lines one call (or one event of a frame) may write; the rest of the call's lines
/// are dropped, with one line saying so.
pub const MAX_LOG_LINES_PER_CALL: u32 = 1_000;

/// The log lines of the current call (or event of a frame): those of `logging.log` and, in
/// the WASI mode, of stdout and stderr, which count against the same
/// [`MAX_LOG_LINES_PER_CALL`] (shared, as the WASI streams have no store to count in).
#[derive(Clone, Default)]
pub(crate) struct LineBudget(Arc<AtomicU64>);

/// Whether a line may reach the log.
#[derive(PartialEq, Eq)]
pub(crate) enum Admitted {
    Yes,
    /// The first line past the cap: dropped, and the log told so.
    FirstDropped,
    Dropped,
}

impl LineBudget {
    /// A new call (or event) starts with the whole budget.
    pub(crate) fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }

    /// Counts a line, and says whether it may be written; the first line dropped writes a
    /// warning saying so, naming `component`.
    pub(crate) fn admit(&self, component: &str) -> Admitted {
        let lines = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        let cap = u64::from(MAX_LOG_LINES_PER_CALL);
        if lines <= cap {
            return Admitted::Yes;
        }
        if lines == cap + 1 {
            tracing::warn!(
                target: "evident::guest",
                component,
                "more than {MAX_LOG_LINES_PER_CALL} log lines in one call; the rest are dropped"
            );
            return Admitted::FirstDropped;
        }
        Admitted::Dropped
    }
}

/// Links `log`.
pub(super) fn link(instance: &mut LinkerInstance<'_, StoreData>) -> wasmtime::Result<()> {
    instance.func_wrap(
        "log",
        |mut store: StoreContextMut<'_, StoreData>, (level, message): (LogLevel, String)| {
            store::charge_fuel(&mut store, host_call_cost(message.len()))?;
            log(store.data_mut(), level, message);
            Ok(())
        },
    )?;
    Ok(())
}

/// A guest log line to `tracing`, tagged with the component's name, cut at
/// [`MAX_LOG_LINE_BYTES`]; past [`MAX_LOG_LINES_PER_CALL`] lines in the call, dropped (an
/// error line is still kept, cut, as the one a trap reports).
fn log(data: &mut StoreData, level: LogLevel, mut message: String) {
    if message.len() > MAX_LOG_LINE_BYTES {
        let mut cut = MAX_LOG_LINE_BYTES;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str("… [truncated]");
    }
    if data.log_lines.admit(&data.component) != Admitted::Yes {
        if level == LogLevel::Error {
            data.last_error_log = Some(message);
        }
        return;
    }
    let component = &*data.component;
    match level {
        LogLevel::Error => tracing::error!(target: "evident::guest", component, "{message}"),
        LogLevel::Warn => tracing::warn!(target: "evident::guest", component, "{message}"),
        LogLevel::Info => tracing::info!(target: "evident::guest", component, "{message}"),
        LogLevel::Debug => tracing::debug!(target: "evident::guest", component, "{message}"),
        LogLevel::Trace => tracing::trace!(target: "evident::guest", component, "{message}"),
    }
    if level == LogLevel::Error {
        data.last_error_log = Some(message);
    }
}
