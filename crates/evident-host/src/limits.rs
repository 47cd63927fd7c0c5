//! What one call into a component may use, and the Wasmtime limiter that enforces it.

use std::time::Duration;

/// The resources one call may use; breaking any of them ends the call with a typed error and
/// leaves the caller's state as it was.
///
/// Fuel decides outcomes that must replay identically (it counts wasm instructions, so the same
/// input always stops at the same point); the deadline is an optional wall-clock safety net on
/// top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per call (roughly one unit per wasm instruction); a small `reduce` uses ~10,000 to
    /// 50,000. The default runs out in well under a second, so fuel, not the deadline, stops a
    /// runaway guest and the outcome replays identically.
    ///
    /// In a fold this is fuel **per event**, however the events are framed: a frame of events
    /// runs under one call's fuel as a whole (whatever the guest reports with
    /// `frame-progress.begin-event`), so no event in it can use more, and a frame that runs out
    /// is replayed one `reduce` per event, each with this much, so the event that fails, and the
    /// error, are those of a fold of one `reduce` per event.
    pub fuel: u64,
    /// Wall-clock time per call, enforced to within one epoch tick when the runtime keeps epoch
    /// deadlines ([`crate::RuntimeConfig::epoch_deadlines`], off by default); otherwise not
    /// enforced. In a fold, as for [`Limits::fuel`], a frame gets one call's deadline as a
    /// whole, and a frame that runs past it is replayed one `reduce` per event.
    pub deadline: Duration,
    /// Largest linear memory a component may grow to, in bytes.
    pub memory_bytes: usize,
    /// Largest table a component may grow to, in elements.
    pub table_elements: usize,
    /// Core instances a component may create (a component is several).
    pub instances: usize,
    /// Tables a component may create.
    pub tables: usize,
    /// Linear memories a component may create.
    pub memories: usize,
    /// Largest output a call may hand back: a state's bytes, or the data of all the events one
    /// `process` emits. (What a guest returns is first copied out of its memory, so the memory
    /// limit also bounds what the host ever copies.)
    pub max_output_bytes: usize,
    /// Most events one `process` may emit.
    pub max_events: usize,
}

impl Default for Limits {
    /// 100 million fuel, a 1 s deadline, 64 MiB of memory, 10,000 table elements, 16 MiB of
    /// output and 10,000 events per call.
    fn default() -> Self {
        Limits {
            fuel: 100_000_000,
            deadline: Duration::from_secs(1),
            memory_bytes: 64 << 20,
            table_elements: 10_000,
            instances: 16,
            tables: 16,
            memories: 1,
            max_output_bytes: 16 << 20,
            max_events: 10_000,
        }
    }
}

/// A limit a guest ran into; carried through Wasmtime as the error of the failed growth so the
/// host can report which limit it was.
#[derive(Debug, Clone, Copy, thiserror::Error)]
pub(crate) enum LimitExceeded {
    #[error("memory would grow to {requested} bytes, limit {limit}")]
    Memory { requested: usize, limit: usize },
    #[error("table would grow to {requested} elements, limit {limit}")]
    Table { requested: usize, limit: usize },
}

/// Enforces [`Limits`] on one store. Growth past a limit is an error (a trap), never a quiet
/// `-1` that a guest allocator would turn into an anonymous `unreachable`.
pub(crate) struct Limiter {
    limits: Limits,
    /// The largest linear memory granted so far in this store.
    pub(crate) peak_memory_bytes: usize,
}

impl Limiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Limiter {
            limits,
            peak_memory_bytes: 0,
        }
    }
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.memory_bytes {
            return Err(LimitExceeded::Memory {
                requested: desired,
                limit: self.limits.memory_bytes,
            }
            .into());
        }
        self.peak_memory_bytes = self.peak_memory_bytes.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.table_elements {
            return Err(LimitExceeded::Table {
                requested: desired,
                limit: self.limits.table_elements,
            }
            .into());
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.limits.instances
    }

    fn tables(&self) -> usize {
        self.limits.tables
    }

    fn memories(&self) -> usize {
        self.limits.memories
    }
}
