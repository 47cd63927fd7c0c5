//! The one error type of the host, and how Wasmtime's errors map onto it.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use evident_types::{Bytes, State};

/// Why a trap happened, as Wasmtime reports it (e.g. `UnreachableCodeReached`).
pub use wasmtime::Trap as TrapCode;

/// Everything that can go wrong loading or calling a component, told apart so a caller can
/// react: retry with more fuel, show the guest's refusal to a user, quarantine a broken component.
///
/// Every call error names the component and the export that was running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The component returned an error on purpose (`Err` from the export).
    #[error("component `{component}` refused in `{function}`: {}", describe_refusal(code.as_deref(), message))]
    Guest {
        /// The component's name.
        component: Arc<str>,
        /// The export that refused.
        function: &'static str,
        /// The error code, for exports that return the WIT `error` record (state changes).
        code: Option<String>,
        /// The message the component gave.
        message: String,
        /// Machine-readable detail, if the component gave any.
        details: Option<Bytes>,
    },
    /// The component trapped: a Rust panic, `unreachable`, a division by zero, a stack overflow...
    #[error("component `{component}` trapped in `{function}`: {code}{}", guest_said(last_error_log.as_deref()))]
    Trap {
        /// The component's name.
        component: Arc<str>,
        /// The export that trapped.
        function: &'static str,
        /// Why it trapped; its `Display` says it in words.
        code: TrapCode,
        /// The wasm stack at the trap, innermost frame first.
        backtrace: Option<String>,
        /// The last error-level line the component logged during the call; a guest built with
        /// the SDK logs its panic message there just before it traps.
        last_error_log: Option<String>,
    },
    /// The call used all the fuel it was given ([`crate::Limits::fuel`]).
    #[error(
        "component `{component}` ran out of fuel in `{function}` (limit {limit} units per call)"
    )]
    FuelExhausted {
        /// The component's name.
        component: Arc<str>,
        /// The export that was running.
        function: &'static str,
        /// The fuel the call was given.
        limit: u64,
    },
    /// The call ran past its wall-clock deadline ([`crate::Limits::deadline`]). The deadline is
    /// a safety net: where it stops a call depends on the machine, so outcomes that must replay
    /// identically are decided by fuel.
    #[error(
        "component `{component}` exceeded its {deadline:?} wall-clock deadline in `{function}` (a safety net; fuel is the deterministic limit)"
    )]
    DeadlineExceeded {
        /// The component's name.
        component: Arc<str>,
        /// The export that was running.
        function: &'static str,
        /// The deadline the call was given.
        deadline: Duration,
    },
    /// The component tried to grow its memory past [`crate::Limits::memory_bytes`].
    #[error(
        "component `{component}` hit its memory limit in `{function}`: asked for {requested} bytes, limit {limit}"
    )]
    MemoryLimit {
        /// The component's name.
        component: Arc<str>,
        /// The export that was running.
        function: &'static str,
        /// The size the memory would have grown to.
        requested: usize,
        /// The limit.
        limit: usize,
    },
    /// The component tried to grow a table past [`crate::Limits::table_elements`].
    #[error(
        "component `{component}` hit its table limit in `{function}`: asked for {requested} elements, limit {limit}"
    )]
    TableLimit {
        /// The component's name.
        component: Arc<str>,
        /// The export that was running.
        function: &'static str,
        /// The size the table would have grown to.
        requested: usize,
        /// The limit.
        limit: usize,
    },
    /// The component handed back more than [`crate::Limits::max_output_bytes`] or
    /// [`crate::Limits::max_events`] allow.
    #[error(
        "component `{component}` returned too much from `{function}`: {} {what}, limit {limit}",
        actual.map_or_else(|| "more".to_owned(), |actual| actual.to_string())
    )]
    OutputLimit {
        /// The component's name.
        component: Arc<str>,
        /// The export that returned it.
        function: &'static str,
        /// What was counted: `state bytes`, `events`, `event data bytes`, or `bytes copied out
        /// of the guest` when Wasmtime stopped copying a result at the limit.
        what: &'static str,
        /// How much it returned, when the host got to count it.
        actual: Option<usize>,
        /// The limit.
        limit: usize,
    },
    /// The component returned something the host cannot accept (e.g. an event that is not a
    /// valid CloudEvent).
    #[error("component `{component}` returned an invalid result from `{function}`: {reason}")]
    InvalidOutput {
        /// The component's name.
        component: Arc<str>,
        /// The export that returned it.
        function: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The bytes are not a component this host can run: not a component at all, the wrong
    /// world, or exports of the wrong shape.
    #[error("`{component}` is not a valid {expected}: {reason}")]
    InvalidComponent {
        /// The component's name.
        component: Arc<str>,
        /// What it was loaded as (`state view`, `state change`).
        expected: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The component imports something the sandbox does not grant; only `evident:db/logging`
    /// (and the type-only `evident:db/types`) may be imported.
    #[error(
        "`{component}` imports `{import}`, which the sandbox does not provide (a component may import only evident:db's logging, frame-progress and refusal, and WASI when loaded in the deny-all WASI mode)"
    )]
    ForbiddenImport {
        /// The component's name.
        component: Arc<str>,
        /// The import that is refused.
        import: String,
    },
    /// A component file could not be read.
    #[error("cannot read component file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Every pooled instance slot is in use ([`crate::RuntimeConfig::pooled_instances`]): the
    /// call did not start and may be retried once other calls finish.
    #[error(
        "component `{component}` could not start `{function}`: {reason}; retry when other calls have finished"
    )]
    PoolExhausted {
        /// The component's name.
        component: Arc<str>,
        /// The export that was to run.
        function: &'static str,
        /// What Wasmtime said.
        reason: String,
    },
    /// The runtime could not be set up (engine configuration, ticker thread).
    #[error("cannot set up the runtime: {0}")]
    Setup(String),
    /// Wasmtime failed in a way none of the above describes.
    #[error("component `{component}` failed in `{function}`: {message}")]
    Host {
        /// The component's name.
        component: Arc<str>,
        /// The export that was running.
        function: &'static str,
        /// What Wasmtime said.
        message: String,
    },
}

fn describe_refusal(code: Option<&str>, message: &str) -> String {
    match code {
        Some(code) => format!("[{code}] {message}"),
        None => message.to_owned(),
    }
}

fn guest_said(last_error_log: Option<&str>) -> String {
    last_error_log
        .map(|line| format!(" (the component logged: {line})"))
        .unwrap_or_default()
}

impl Error {
    /// The code and message of a refusal that carries a code: what callers match on.
    pub fn refusal(&self) -> Option<(&str, &str)> {
        match self {
            Error::Guest {
                code: Some(code),
                message,
                ..
            } => Some((code, message)),
            _ => None,
        }
    }

    /// The guest's error code, for refusals that carry one.
    pub fn guest_code(&self) -> Option<&str> {
        match self {
            Error::Guest { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Tells whether the same call may succeed if made again later, unchanged: the host ran out
    /// of a shared resource ([`Error::PoolExhausted`]), not the component of one of its limits.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::PoolExhausted { .. })
    }

    /// Tells whether the component broke a sandbox limit (fuel, deadline, memory, table).
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            Error::FuelExhausted { .. }
                | Error::DeadlineExceeded { .. }
                | Error::MemoryLimit { .. }
                | Error::TableLimit { .. }
                | Error::OutputLimit { .. }
        )
    }
}

/// A fold that stopped at an event: which one, why, the state before it, and what the fold
/// used, the failed calls included.
///
/// The event, the error and the state are what one `reduce` per event gives, however the fold
/// framed its events; when the failed frame said otherwise, [`FoldError::frame_disagreement`]
/// keeps what it said.
#[derive(thiserror::Error)]
#[error(
    "fold stopped at event {index} (id {event_id:?}): {source}{}",
    frame_said(frame_disagreement.as_deref())
)]
pub struct FoldError {
    /// The 0-based position of the failing event in the input; as many events were applied
    /// before it.
    pub index: usize,
    /// The failing event's id.
    pub event_id: String,
    /// The state after the last event that succeeded: nothing before the failure is lost.
    pub state: State,
    /// Why the event failed.
    #[source]
    pub source: Error,
    /// Fuel used by every call of the fold, those that failed and those that replayed included.
    pub fuel_consumed: u64,
    /// The largest any instance of the fold grew its linear memory to.
    pub peak_memory_bytes: usize,
    /// What the failed frame said, when one `reduce` per event found otherwise: another event
    /// blamed, or another kind of failure.
    pub frame_disagreement: Option<Box<FrameDisagreement>>,
}

fn frame_said(disagreement: Option<&FrameDisagreement>) -> String {
    disagreement
        .map(|said| {
            format!(" (as one `reduce` per event finds; in frames the view said otherwise: {said})")
        })
        .unwrap_or_default()
}

/// What a failed frame said that one `reduce` per event did not confirm: kept to tell what
/// happened, never the outcome (which is the one of one `reduce` per event).
#[derive(Debug, thiserror::Error)]
#[error(
    "the frame of events {}..{} failed{}: {error}",
    frame.start,
    frame.end,
    blamed.map(|event| format!(" at event {event}")).unwrap_or_default()
)]
pub struct FrameDisagreement {
    /// The positions in the fold of the frame's events.
    pub frame: Range<usize>,
    /// The event it blamed (its position in the fold), if it named one.
    pub blamed: Option<usize>,
    /// How it failed.
    pub error: Error,
}

impl std::fmt::Debug for FoldError {
    /// The state's size and content type, not its bytes, which may be megabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoldError")
            .field("index", &self.index)
            .field("event_id", &self.event_id)
            .field(
                "state",
                &format_args!(
                    "<{} bytes of {:?}>",
                    self.state.bytes.len(),
                    self.state.content_type
                ),
            )
            .field("source", &self.source)
            .field("fuel_consumed", &self.fuel_consumed)
            .field("peak_memory_bytes", &self.peak_memory_bytes)
            .field("frame_disagreement", &self.frame_disagreement)
            .finish()
    }
}
