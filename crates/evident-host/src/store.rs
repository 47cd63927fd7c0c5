//! One store per component instance: its limits, its data, how each call is armed with fuel and
//! a deadline, and how its failures are named.

use std::sync::Arc;
use std::time::Duration;

use evident_types::GuestError;
use wasmtime::{Engine, PoolConcurrencyLimitError, Store, Trap, WasmBacktrace};

use crate::error::Error;
use crate::limits::{LimitExceeded, Limiter, Limits};

/// What the host keeps per store.
pub(crate) struct StoreData {
    /// Tags log lines and errors.
    pub(crate) component: Arc<str>,
    limiter: Limiter,
    /// The last error-level line logged in the current call (a panic message, usually).
    pub(crate) last_error_log: Option<String>,
    /// The code and details the current call gave its refusal with `refusal.refuse`.
    pub(crate) refusal: Option<GuestError>,
    /// How the current call is metered, event by event when it applies a frame.
    pub(crate) meter: Meter,
    /// The deny-all WASI state, for components loaded in WASI mode; made on first use.
    #[cfg(feature = "wasi")]
    pub(crate) wasi: Option<Box<crate::wasi::DenyAll>>,
}

/// The fuel and deadline of the call a store is armed for, and the events of the frame it
/// applies, if any (see `frame-progress` in the WIT).
pub(crate) struct Meter {
    metering: Metering,
    /// Fuel one call (or one event of a frame) gets.
    fuel: u64,
    /// Epoch ticks one call (or one event of a frame) gets.
    deadline_ticks: u64,
    /// Ticks left before an async call's deadline traps; each tick yields to the executor.
    #[cfg(feature = "async")]
    ticks_left: Option<u64>,
    /// Events in the frame being applied; 0 outside `apply-events`.
    frame_events: u32,
    /// `begin-event` calls in the current frame.
    pub(crate) events_begun: u32,
    /// The fuel the tank was last filled with.
    tank: u64,
    /// Fuel used in this call before the tank was last refilled (by `begin-event`).
    fuel_banked: u64,
}

/// The component and export a call is for, and the limits it runs under.
#[derive(Clone, Copy)]
pub(crate) struct CallSite<'a> {
    pub(crate) component: &'a Arc<str>,
    pub(crate) function: &'static str,
    pub(crate) limits: &'a Limits,
}

/// Which of the two meters a runtime runs (both, unless a benchmark measures their cost).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metering {
    /// Fuel is counted and [`Limits::fuel`] enforced.
    pub(crate) fuel: bool,
    /// Epochs advance this often and [`Limits::deadline`] is enforced.
    pub(crate) epoch_tick: Option<Duration>,
}

/// How a call is made: which Wasmtime entry point, and so how its deadline behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `call`: the deadline traps.
    Sync,
    /// `call_async`: every epoch tick yields to the executor, and the deadline then traps.
    #[cfg(feature = "async")]
    Async,
}

pub(crate) fn new_store(
    engine: &Engine,
    component: Arc<str>,
    limits: &Limits,
    metering: Metering,
) -> Store<StoreData> {
    let mut store = Store::new(
        engine,
        StoreData {
            component,
            limiter: Limiter::new(*limits),
            last_error_log: None,
            refusal: None,
            meter: Meter {
                metering,
                fuel: limits.fuel,
                deadline_ticks: metering
                    .epoch_tick
                    .map_or(0, |tick| deadline_ticks(limits.deadline, tick)),
                #[cfg(feature = "async")]
                ticks_left: None,
                frame_events: 0,
                events_begun: 0,
                tank: 0,
                fuel_banked: 0,
            },
            #[cfg(feature = "wasi")]
            wasi: None,
        },
    );
    store.limiter(|data| &mut data.limiter);
    // Nothing a guest returns may exceed the output limit, so the host never copies more than
    // that out of it (plus room for the records around the bytes).
    store.set_hostcall_fuel(limits.max_output_bytes.saturating_add(HOSTCALL_SLACK_BYTES));
    store
}

/// What Wasmtime may copy out of a guest beyond [`Limits::max_output_bytes`]: the strings and
/// records around the bytes the limit counts (ids, types, one record per emitted event).
const HOSTCALL_SLACK_BYTES: usize = 8 << 20;

/// The largest linear memory the store's component has had.
pub(crate) fn peak_memory_bytes(store: &Store<StoreData>) -> usize {
    store.data().limiter.peak_memory_bytes
}

/// Gives the store a fresh fuel tank and deadline for the next call, made as `mode` says; a call
/// that applies a frame of `frame_events` events gets them per event when the component meters
/// events (`frame-progress`), and `frame_events` times one call's otherwise.
pub(crate) fn arm(
    store: &mut Store<StoreData>,
    site: CallSite<'_>,
    mode: Mode,
    frame: Option<(u32, bool)>,
) -> Result<(), Error> {
    let meter = &mut store.data_mut().meter;
    let metering = meter.metering;
    let (events, per_event) = frame.unwrap_or((0, false));
    let times = if per_event {
        1
    } else {
        u64::from(events.max(1))
    };
    meter.frame_events = events;
    meter.events_begun = 0;
    meter.fuel_banked = 0;
    let fuel = meter.fuel.saturating_mul(times);
    let ticks = meter.deadline_ticks.saturating_mul(times);
    meter.tank = fuel;
    if metering.fuel {
        store.set_fuel(fuel).map_err(|e| classify(e, store, site))?;
    }
    if metering.epoch_tick.is_some() {
        arm_deadline(store, mode, ticks);
    }
    let data = store.data_mut();
    data.last_error_log = None;
    data.refusal = None;
    Ok(())
}

/// Sets the deadline `ticks` epoch ticks away. In [`Mode::Async`] the call yields to the
/// executor at every tick until the ticks are spent, then traps as a synchronous call would.
fn arm_deadline(store: &mut Store<StoreData>, mode: Mode, ticks: u64) {
    match mode {
        Mode::Sync => {
            #[cfg(feature = "async")]
            if store.data_mut().meter.ticks_left.take().is_some() {
                store.epoch_deadline_trap();
            }
            store.set_epoch_deadline(ticks);
        }
        #[cfg(feature = "async")]
        Mode::Async => {
            let first = store.data_mut().meter.ticks_left.replace(ticks).is_none();
            store.set_epoch_deadline(1);
            if first {
                store.epoch_deadline_callback(|mut context| {
                    let left = &mut context.data_mut().meter.ticks_left;
                    match left {
                        Some(0) | None => Ok(wasmtime::UpdateDeadline::Interrupt),
                        Some(ticks) => {
                            *ticks -= 1;
                            Ok(wasmtime::UpdateDeadline::Yield(1))
                        }
                    }
                });
            }
        }
    }
}

/// `frame-progress.begin-event`: the next event of the frame starts, with one call's fuel and
/// deadline of its own.
pub(crate) fn begin_event(
    mut store: wasmtime::StoreContextMut<'_, StoreData>,
) -> wasmtime::Result<()> {
    let meter = &mut store.data_mut().meter;
    if meter.events_begun >= meter.frame_events {
        return Err(ProtocolBreach::TooManyEvents {
            events: meter.frame_events,
        }
        .into());
    }
    meter.events_begun += 1;
    let (metering, fuel, ticks) = (meter.metering, meter.fuel, meter.deadline_ticks);
    if metering.fuel {
        let left = store.get_fuel()?;
        let meter = &mut store.data_mut().meter;
        meter.fuel_banked += meter.tank.saturating_sub(left);
        meter.tank = fuel;
        store.set_fuel(fuel)?;
    }
    if metering.epoch_tick.is_some() {
        #[cfg(feature = "async")]
        if let Some(left) = &mut store.data_mut().meter.ticks_left {
            *left = ticks;
            store.set_epoch_deadline(1);
            return Ok(());
        }
        store.set_epoch_deadline(ticks);
    }
    Ok(())
}

/// Fuel the last call on `store` used, across every refill (0 when fuel is not metered).
pub(crate) fn fuel_used(store: &Store<StoreData>) -> u64 {
    let meter = &store.data().meter;
    if !meter.metering.fuel {
        return 0;
    }
    let left = store.get_fuel().unwrap_or(0);
    meter.fuel_banked + meter.tank.saturating_sub(left)
}

/// A guest broke the rules of an import it called; the call fails with this.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProtocolBreach {
    #[error("called `frame-progress.begin-event` more often than the frame has events ({events})")]
    TooManyEvents { events: u32 },
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
    if let Some(breach) = error.downcast_ref::<ProtocolBreach>() {
        return Error::InvalidOutput {
            component,
            function,
            reason: breach.to_string(),
        };
    }
    if let Some(exhausted) = error.downcast_ref::<PoolConcurrencyLimitError>() {
        return Error::PoolExhausted {
            component,
            function,
            reason: exhausted.to_string(),
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
        // Wasmtime's own cap on what it copies out of a guest, which `new_store` sets from the
        // output limit; its error type is private, so it is known by its message.
        None if format!("{error:#}").contains("too much data is being copied") => {
            Error::OutputLimit {
                component,
                function,
                what: "bytes copied out of the guest",
                actual: None,
                limit: site.limits.max_output_bytes,
            }
        }
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
            actual: Some(actual),
            limit,
        })
    } else {
        Ok(())
    }
}

/// The error a call refused with: its bare `message`, with the code, message and details the
/// guest gave with `refusal.refuse` if it did.
pub(crate) fn refusal(store: &mut Store<StoreData>, site: CallSite<'_>, message: String) -> Error {
    let given = store.data_mut().refusal.take();
    let (code, message, details) = match given {
        Some(error) => (Some(error.code), error.message, error.details),
        None => (None, message, None),
    };
    Error::Guest {
        component: site.component.clone(),
        function: site.function,
        code,
        message,
        details,
    }
}
