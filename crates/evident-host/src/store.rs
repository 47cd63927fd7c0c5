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
    /// Log lines written in the current call (or event of a frame).
    pub(crate) log_lines: crate::imports::LineBudget,
    /// The code and details the current call gave its refusal with `refusal.refuse`.
    pub(crate) refusal: Option<GuestError>,
    /// How the current call is metered, event by event when it applies a frame.
    pub(crate) meter: Meter,
    /// The database a decision reads through the `database` import; none outside `decide`.
    pub(crate) database: Option<crate::database::Session>,
    /// The deny-all WASI state, for components loaded in WASI mode; made on first use.
    #[cfg(feature = "wasi")]
    pub(crate) wasi: Option<Box<crate::wasi::DenyAll>>,
    /// The fuel the component's stdout and stderr writes owe (WASI mode), charged as each
    /// write returns to the guest.
    #[cfg(feature = "wasi")]
    pub(crate) write_charges: crate::wasi::WriteCharges,
}

/// The fuel and deadline of the call a store is armed for, and the events of the frame it
/// applies, if any (see `frame-progress` in the WIT).
///
/// A call that applies a frame gets the fuel and the deadline of one call for the whole frame,
/// whatever the guest reports: `begin-event` counts the events begun (so the host knows which
/// one was running when a limit stopped the frame) and gives each its own log lines, but
/// refills nothing. So no event of a frame can use more than one call's fuel or time; a frame
/// that runs out is replayed one `reduce` per event, each call with those limits of its own.
pub(crate) struct Meter {
    metering: Metering,
    /// Fuel one call (or one frame) gets.
    fuel: u64,
    /// Epoch ticks one call (or one frame) gets.
    deadline_ticks: u64,
    /// For a deadline kept by a callback at every tick (to yield to an async executor, or to
    /// sample for a profiler): the ticks left before the call traps, and whether ticks yield.
    counted: Option<(u64, bool)>,
    /// Samples the guest's stack at every tick (feature `profiling`).
    #[cfg(feature = "profiling")]
    pub(crate) profiler: Option<crate::profile::Profiler>,
    /// Events in the frame being applied; 0 outside `apply-events`.
    frame_events: u32,
    /// `begin-event` calls in the current frame.
    pub(crate) events_begun: u32,
    /// The fuel the current call was given.
    tank: u64,
    /// Whether the store has made an async call (or was instantiated for one): Wasmtime may
    /// then refuse it synchronous calls (it does once the store yields as it burns fuel, or was
    /// instantiated asynchronously).
    #[cfg(feature = "async")]
    pub(crate) async_only: bool,
}

/// The component and export a call is for, and the limits it runs under.
#[derive(Clone, Copy)]
pub(crate) struct CallSite<'a> {
    pub(crate) component: &'a Arc<str>,
    pub(crate) function: &'static str,
    pub(crate) limits: &'a Limits,
}

/// Which meters a runtime runs: fuel, and epochs if it keeps deadlines (or neither, when a
/// benchmark measures what metering costs).
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
    /// `call_async`: the call yields to the executor at every epoch tick (until the deadline,
    /// which then traps) or, without epoch deadlines, every
    /// [`crate::FUEL_PER_ASYNC_YIELD`] units of fuel.
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
            log_lines: Default::default(),
            refusal: None,
            meter: Meter {
                metering,
                fuel: limits.fuel,
                deadline_ticks: metering
                    .epoch_tick
                    .map_or(0, |tick| deadline_ticks(limits.deadline, tick)),
                counted: None,
                #[cfg(feature = "profiling")]
                profiler: None,
                frame_events: 0,
                events_begun: 0,
                tank: 0,
                #[cfg(feature = "async")]
                async_only: false,
            },
            database: None,
            #[cfg(feature = "wasi")]
            wasi: None,
            #[cfg(feature = "wasi")]
            write_charges: Default::default(),
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

/// Gives the store a fresh fuel tank and deadline for the next call, made as `mode` says: one
/// call's, also for a call that applies a frame of `frame_events` events (see [`Meter`]).
pub(crate) fn arm(
    store: &mut Store<StoreData>,
    site: CallSite<'_>,
    mode: Mode,
    frame_events: Option<u32>,
) -> Result<(), Error> {
    let meter = &mut store.data_mut().meter;
    let metering = meter.metering;
    meter.frame_events = frame_events.unwrap_or(0);
    meter.events_begun = 0;
    let (fuel, ticks) = (meter.fuel, meter.deadline_ticks);
    meter.tank = fuel;
    #[cfg(feature = "async")]
    if mode == Mode::Async {
        let first = !std::mem::replace(&mut meter.async_only, true);
        // With no epoch ticks to yield at, an async call yields as it burns fuel.
        if first && metering.fuel && metering.epoch_tick.is_none() {
            store
                .fuel_async_yield_interval(Some(crate::config::FUEL_PER_ASYNC_YIELD))
                .map_err(|e| classify(e, store, site))?;
        }
    }
    if metering.fuel {
        store.set_fuel(fuel).map_err(|e| classify(e, store, site))?;
    }
    if metering.epoch_tick.is_some() {
        arm_deadline(store, mode, ticks);
    }
    let data = store.data_mut();
    data.last_error_log = None;
    data.log_lines.reset();
    data.refusal = None;
    #[cfg(feature = "wasi")]
    data.write_charges.clear();
    Ok(())
}

/// Takes `cost` units from the fuel of the call `store` is making, for work the host does on
/// its behalf; a call without that much left runs out of fuel.
pub(crate) fn charge_fuel(
    store: &mut wasmtime::StoreContextMut<'_, StoreData>,
    cost: u64,
) -> wasmtime::Result<()> {
    if !store.data().meter.metering.fuel {
        return Ok(());
    }
    let left = store.get_fuel()?;
    if left < cost {
        store.set_fuel(0)?;
        return Err(Trap::OutOfFuel.into());
    }
    store.set_fuel(left - cost)
}

/// Sets the deadline `ticks` epoch ticks away. A synchronous call simply traps there. An
/// async call ([`Mode::Async`]) yields to the executor at every tick until the ticks are spent,
/// then traps as a synchronous one would; a store with a profiler samples at every tick.
fn arm_deadline(store: &mut Store<StoreData>, mode: Mode, ticks: u64) {
    let yields = mode != Mode::Sync;
    #[cfg(feature = "profiling")]
    let counted = yields || store.data().meter.profiler.is_some();
    #[cfg(not(feature = "profiling"))]
    let counted = yields;
    if !counted {
        if store.data_mut().meter.counted.take().is_some() {
            store.epoch_deadline_trap();
        }
        store.set_epoch_deadline(ticks);
        return;
    }
    let first = store
        .data_mut()
        .meter
        .counted
        .replace((ticks, yields))
        .is_none();
    store.set_epoch_deadline(1);
    if first {
        store.epoch_deadline_callback(|mut context| {
            #[cfg(feature = "profiling")]
            if let Some(profiler) = context.data().meter.profiler.clone() {
                profiler.sample(&context);
            }
            let counted = &mut context.data_mut().meter.counted;
            match counted {
                Some((0, _)) | None => Ok(wasmtime::UpdateDeadline::Interrupt),
                Some((ticks, yields)) => {
                    *ticks -= 1;
                    // Only an async call asks to yield (`Yield` exists with Wasmtime's async).
                    #[cfg(feature = "async")]
                    if *yields {
                        return Ok(wasmtime::UpdateDeadline::Yield(1));
                    }
                    #[cfg(not(feature = "async"))]
                    let _ = yields;
                    Ok(wasmtime::UpdateDeadline::Continue(1))
                }
            }
        });
    }
}

/// `frame-progress.begin-event`: the next event of the frame starts. It is counted (the
/// evidence of which event a failed frame was at) and gets its own log lines; the fuel and the
/// deadline stay the frame's (see [`Meter`]). Charged as any host call.
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
    charge_fuel(&mut store, crate::imports::FUEL_PER_HOST_CALL)?;
    store.data().log_lines.reset();
    Ok(())
}

/// Fuel the last call on `store` used (0 when fuel is not metered).
pub(crate) fn fuel_used(store: &Store<StoreData>) -> u64 {
    let meter = &store.data().meter;
    if !meter.metering.fuel {
        return 0;
    }
    let left = store.get_fuel().unwrap_or(0);
    meter.tank.saturating_sub(left)
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
