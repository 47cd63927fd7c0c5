//! What the host grants a component: `logging` (every release), and from 0.3.0 `refusal` and
//! `frame-progress`. Nothing else is linked, so anything else a component imports fails the
//! load-time check. Every call of an import is charged to the calling guest's fuel:
//! [`FUEL_PER_HOST_CALL`], and one unit per byte it hands the host.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use evident_types::{Bytes, GuestError};
use wasmtime::StoreContextMut;
use wasmtime::component::Linker;

use crate::bindings::{LogLevel, wit};
use crate::component::WIT_VERSIONS;
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

/// Fuel every call of a host import costs (`log`, `refuse`, `begin-event`, and in the WASI mode
/// each write to stdout or stderr), besides one unit per byte it hands the host: what it costs
/// the host is charged to the guest, so a guest cannot burn host time cheaply in fuel.
pub const FUEL_PER_HOST_CALL: u64 = 1_000;

/// Fuel a `log` call costs, besides one unit per byte of its message: [`FUEL_PER_HOST_CALL`],
/// as for every import.
pub const FUEL_PER_LOG_CALL: u64 = FUEL_PER_HOST_CALL;

/// The fuel a host call handing the host `bytes` bytes costs.
pub(crate) fn host_call_cost(bytes: usize) -> u64 {
    FUEL_PER_HOST_CALL.saturating_add(u64::try_from(bytes).unwrap_or(u64::MAX))
}

/// Links every import of every served release: `logging` and the type-only `types` since 0.1.0
/// (a release never changes an interface, so one host function serves them all), `refusal` and
/// `frame-progress` since 0.3.0.
pub(crate) fn link(linker: &mut Linker<StoreData>) -> wasmtime::Result<()> {
    for version in WIT_VERSIONS {
        linker.instance(&format!("evident:db/types@{version}"))?;
        linker
            .instance(&format!("evident:db/logging@{version}"))?
            .func_wrap(
                "log",
                |mut store: StoreContextMut<'_, StoreData>,
                 (level, message): (LogLevel, String)| {
                    store::charge_fuel(&mut store, host_call_cost(message.len()))?;
                    log(store.data_mut(), level, message);
                    Ok(())
                },
            )?;
        if version_at_least(version, "0.3.0") {
            linker
                .instance(&format!("evident:db/refusal@{version}"))?
                .func_wrap(
                    "refuse",
                    |mut store: StoreContextMut<'_, StoreData>, (error,): (wit::Error,)| {
                        let bytes = error.code.len()
                            + error.message.len()
                            + error.details.as_ref().map_or(0, Vec::len);
                        store::charge_fuel(&mut store, host_call_cost(bytes))?;
                        store.data_mut().refusal = Some(GuestError {
                            code: error.code,
                            message: error.message,
                            details: error.details.map(Bytes::from),
                        });
                        Ok(())
                    },
                )?;
            linker
                .instance(&format!("evident:db/frame-progress@{version}"))?
                .func_wrap(
                    "begin-event",
                    |store: StoreContextMut<'_, StoreData>, (): ()| store::begin_event(store),
                )?;
        }
    }
    Ok(())
}

/// Whether release `version` is `at_least` or newer (both `major.minor.patch`).
pub(crate) fn version_at_least(version: &str, at_least: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(version) >= parts(at_least)
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
