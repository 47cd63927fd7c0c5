//! Profiling a guest (feature `profiling`): at every epoch tick of the calls of a view given a
//! [`Profiler`], the guest's stack is sampled, into a profile for the Firefox Profiler
//! (Wasmtime's [`wasmtime::GuestProfiler`]) and into folded stacks for a flamegraph.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use wasmtime::component::Component;
use wasmtime::{AsContext, Engine, GuestProfiler, WasmBacktrace};

use crate::error::Error;

/// Samples of a component's stacks, from every call made on the handles it was given to (see
/// [`crate::StateView::with_profiler`]). The sampling interval is the runtime's epoch tick, so
/// a runtime built for profiling wants a short one (e.g. 1 ms) and epoch deadlines on.
#[derive(Clone)]
pub struct Profiler {
    inner: Arc<Mutex<Samples>>,
}

struct Samples {
    /// `None` once written out.
    guest: Option<GuestProfiler>,
    /// Stacks, outermost frame first, `;`-separated, and how often each was sampled.
    stacks: BTreeMap<String, u64>,
    last: Instant,
}

impl Profiler {
    /// A profiler of `component`, sampling every `interval`.
    pub(crate) fn new(
        engine: &Engine,
        name: &str,
        component: &Component,
        interval: Duration,
    ) -> Result<Self, Error> {
        let guest = GuestProfiler::new_component(engine, name, interval, component.clone(), [])
            .map_err(|e| Error::Setup(format!("cannot profile `{name}`: {e:#}")))?;
        Ok(Profiler {
            inner: Arc::new(Mutex::new(Samples {
                guest: Some(guest),
                stacks: BTreeMap::new(),
                last: Instant::now(),
            })),
        })
    }

    /// Takes one sample of the stack of the guest `store` is running.
    pub(crate) fn sample(&self, store: &impl AsContext) {
        let mut samples = self.inner.lock();
        let now = Instant::now();
        let delta = now - samples.last;
        samples.last = now;
        if let Some(guest) = &mut samples.guest {
            guest.sample(store, delta);
        }
        let backtrace = WasmBacktrace::capture(store);
        let stack: Vec<String> = backtrace
            .frames()
            .iter()
            .rev()
            .map(|frame| {
                // Rust names demangled without their hash (`hash_chain::sha256::compress`);
                // other names pass through unchanged.
                frame
                    .func_name()
                    .map(|name| format!("{:#}", rustc_demangle::demangle(name)))
                    .unwrap_or_else(|| format!("wasm-function[{}]", frame.func_index()))
            })
            .collect();
        if !stack.is_empty() {
            *samples.stacks.entry(stack.join(";")).or_default() += 1;
        }
    }

    /// Samples taken so far.
    pub fn samples(&self) -> u64 {
        self.inner.lock().stacks.values().sum()
    }

    /// The samples as folded stacks (`outer;inner count` per line), the input of flamegraph
    /// tools such as `inferno` and Brendan Gregg's `flamegraph.pl`.
    pub fn folded_stacks(&self) -> String {
        self.inner
            .lock()
            .stacks
            .iter()
            .map(|(stack, count)| format!("{stack} {count}\n"))
            .collect()
    }

    /// Writes the profile in the Firefox Profiler's format (open it at
    /// <https://profiler.firefox.com>); samples taken after this are kept only as folded stacks.
    pub fn write_firefox_profile(&self, out: impl std::io::Write) -> Result<(), Error> {
        let guest = self.inner.lock().guest.take();
        match guest {
            Some(guest) => guest
                .finish(out)
                .map_err(|e| Error::Setup(format!("cannot write the profile: {e:#}"))),
            None => Err(Error::Setup("the profile was already written".into())),
        }
    }
}

impl std::fmt::Debug for Profiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profiler")
            .field("samples", &self.samples())
            .finish_non_exhaustive()
    }
}
