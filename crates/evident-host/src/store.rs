//! One store per component instance: its limits, its data, and how its failures are named.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Engine, Store, Trap, WasmBacktrace};

use crate::error::Error;
use crate::limits::{LimitExceeded, Limiter, Limits};

/// What the host keeps per store.
pub(crate) struct StoreData {
    /// Tags log lines and errors.
    pub(crate) component: Arc<str>,
    limiter: Limiter,
    /// The last error-level line logged in the current call (a panic message, usually).
    pub(crate) last_error_log: Option<String>,
    /// The deny-all WASI state, for components loaded in WASI mode; made on first use.
    #[cfg(feature = "wasi")]
    pub(crate) wasi: Option<Box<crate::wasi::DenyAll>>,
    /// Whether the epoch deadline yields to an async executor (set by [`arm_async`]).
    #[cfg(feature = "async")]
    yields: bool,
}

/// The component and export a call is for, and the limits it runs under.
#[derive(Clone, Copy)]
pub(crate) struct CallSite<'a> {
    pub(crate) component: &'a Arc<str>,
    pub(crate) function: &'static str,
    pub(crate) limits: &'a Limits,
}

pub(crate) fn new_store(engine: &Engine, component: Arc<str>, limits: &Limits) -> Store<StoreData> {
    let mut store = Store::new(
        engine,
        StoreData {
            component,
            limiter: Limiter::new(*limits),
            last_error_log: None,
            #[cfg(feature = "wasi")]
            wasi: None,
            #[cfg(feature = "async")]
            yields: false,
        },
    );
    store.limiter(|data| &mut data.limiter);
    store
}

/// The largest linear memory the store's component has had.
pub(crate) fn peak_memory_bytes(store: &Store<StoreData>) -> usize {
    store.data().limiter.peak_memory_bytes
}

/// Which of the two meters a runtime runs (both, unless a benchmark measures their cost).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metering {
    /// Fuel is counted and [`Limits::fuel`] enforced.
    pub(crate) fuel: bool,
    /// Epochs advance this often and [`Limits::deadline`] is enforced.
    pub(crate) epoch_tick: Option<Duration>,
}

/// Gives the store a fresh fuel tank and deadline for the next call.
pub(crate) fn arm(
    store: &mut Store<StoreData>,
    site: CallSite<'_>,
    metering: Metering,
) -> Result<(), Error> {
    if metering.fuel {
        store
            .set_fuel(site.limits.fuel)
            .map_err(|e| classify(e, store, site))?;
    }
    if let Some(tick) = metering.epoch_tick {
        #[cfg(feature = "async")]
        if std::mem::take(&mut store.data_mut().yields) {
            store.epoch_deadline_trap();
        }
        store.set_epoch_deadline(deadline_ticks(site.limits.deadline, tick));
    }
    store.data_mut().last_error_log = None;
    Ok(())
}

/// [`arm`], with the deadline of a call made with `call_async`: at every epoch tick the call
/// yields to the executor, so a long call does not hold a thread other tasks need; once the
/// deadline's ticks are spent it traps, as a synchronous call would.
#[cfg(feature = "async")]
pub(crate) fn arm_async(
    store: &mut Store<StoreData>,
    site: CallSite<'_>,
    metering: Metering,
) -> Result<(), Error> {
    arm(store, site, metering)?;
    if let Some(tick) = metering.epoch_tick {
        let mut ticks_left = deadline_ticks(site.limits.deadline, tick);
        store.data_mut().yields = true;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if ticks_left == 0 {
                return Ok(wasmtime::UpdateDeadline::Interrupt);
            }
            ticks_left -= 1;
            Ok(wasmtime::UpdateDeadline::Yield(1))
        });
    }
    Ok(())
}

/// Epoch ticks that cover `deadline`: rounded up, plus one because the first tick may come at
/// any moment after the deadline is set.
fn deadline_ticks(deadline: Duration, epoch_tick: Duration) -> u64 {
    let tick = epoch_tick.as_nanos().max(1);
    let ticks = deadline.as_nanos().div_ceil(tick);
    u64::try_from(ticks).unwrap_or(u64::MAX).saturating_add(1)
}

/// Names a Wasmtime failure by the limit or fault behind it.
pub(crate) fn classify(
    error: wasmtime::Error,
    store: &mut Store<StoreData>,
    site: CallSite<'_>,
) -> Error {
    let component = site.component.clone();
    let function = site.function;
    if let Some(limit) = error.downcast_ref::<LimitExceeded>() {
        return match *limit {
            LimitExceeded::Memory { requested, limit } => Error::MemoryLimit {
                component,
                function,
                requested,
                limit,
            },
            LimitExceeded::Table { requested, limit } => Error::TableLimit {
                component,
                function,
                requested,
                limit,
            },
        };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Error::FuelExhausted {
            component,
            function,
            limit: site.limits.fuel,
        },
        Some(Trap::Interrupt) => Error::DeadlineExceeded {
            component,
            function,
            deadline: site.limits.deadline,
        },
        Some(code) => Error::Trap {
            component,
            function,
            code: *code,
            backtrace: error
                .downcast_ref::<WasmBacktrace>()
                .map(|bt| bt.to_string()),
            last_error_log: store.data_mut().last_error_log.take(),
        },
        None => Error::Host {
            component,
            function,
            message: format!("{error:#}"),
        },
    }
}

/// Refuses an output larger than the call's limit.
pub(crate) fn check_output(
    site: CallSite<'_>,
    what: &'static str,
    actual: usize,
    limit: usize,
) -> Result<(), Error> {
    if actual > limit {
        Err(Error::OutputLimit {
            component: site.component.clone(),
            function: site.function,
            what,
            actual,
            limit,
        })
    } else {
        Ok(())
    }
}
