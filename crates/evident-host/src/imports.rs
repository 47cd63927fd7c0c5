//! What the host grants a component: `logging` (every release), and from 0.3.0 `refusal` and
//! `frame-progress`. Nothing else is linked, so anything else a component imports fails the
//! load-time check.

use evident_types::{Bytes, GuestError};
use wasmtime::StoreContextMut;
use wasmtime::component::Linker;

use crate::bindings::{LogLevel, wit};
use crate::component::WIT_VERSIONS;
use crate::store::{self, StoreData};

/// Longest log line kept from a guest; the rest is cut so a guest cannot flood the host's log.
pub const MAX_LOG_LINE_BYTES: usize = 16 * 1024;

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
/// [`MAX_LOG_LINE_BYTES`].
fn log(data: &mut StoreData, level: LogLevel, mut message: String) {
    if message.len() > MAX_LOG_LINE_BYTES {
        let mut cut = MAX_LOG_LINE_BYTES;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str("… [truncated]");
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
