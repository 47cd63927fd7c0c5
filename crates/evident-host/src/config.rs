//! How a runtime is set up, and the Wasmtime engine configuration that follows from it.

use std::path::PathBuf;
use std::time::Duration;

use wasmtime::{Config, Enabled, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::limits::Limits;
use crate::view::FoldConfig;

/// How a [`Runtime`](crate::Runtime) is set up.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Limits every component gets unless it is given its own.
    pub limits: Limits,
    /// How often the epoch advances; deadlines are enforced to within one tick.
    pub epoch_tick: Duration,
    /// The most native stack wasm may use before a call traps with a stack overflow.
    pub max_wasm_stack: usize,
    /// Instances that may be alive at once, from a pre-allocated pool (instantiation then takes
    /// microseconds rather than tens of them); `None` allocates each instance on demand, with
    /// no such cap. Past the cap a call fails with [`crate::Error::PoolExhausted`] until
    /// another finishes.
    pub pooled_instances: Option<u32>,
    /// How much address space a linear memory reserves (see [`AddressSpace`]).
    pub address_space: AddressSpace,
    /// Where compiled components are kept between runs, keyed by the component's SHA-256 and
    /// the engine's compatibility hash, so a restart loads in microseconds instead of
    /// compiling; a missing, stale or corrupt entry is recompiled and replaced. `None` (the
    /// default) compiles on every load.
    ///
    /// Its files are native code that this host runs as it finds them, so no one but the
    /// host's own user may be able to write there: the directory is made readable and
    /// writable by its owner only, and a cache whose directory or entry another user owns, or
    /// group or others can write to, is not used (on Unix; elsewhere, that is the deployment's
    /// to ensure).
    pub aot_cache_dir: Option<PathBuf>,
    /// How views fold: frames and checkpoints (each view may have its own, see
    /// [`StateView::with_fold_config`](crate::StateView::with_fold_config)).
    pub fold: FoldConfig,
    /// Counts fuel and enforces [`Limits::fuel`]: what stops a runaway guest, at the same
    /// instruction on every replay. Turning it off is for measuring what metering costs;
    /// without it only the deadline (if [`RuntimeConfig::epoch_deadlines`] is on) stops a
    /// runaway guest, and a fold is no longer guaranteed to replay identically.
    pub fuel_metering: bool,
    /// Advances the epoch and enforces [`Limits::deadline`], a wall-clock safety net on top of
    /// fuel. Off by default: fuel alone bounds the time of every call (bulk memory operations
    /// are charged per byte, `memory.grow` per page, every host import and WASI write per call
    /// and per byte), and the
    /// epoch check Wasmtime compiles into every function and loop costs a fold several percent.
    /// Turn it on for a hard wall-clock bound anyway (say, for host functions an embedder adds
    /// that are slow for their fuel), or to sample a guest with a profiler, which runs at every
    /// tick. Without it an async call yields to its executor every
    /// [`FUEL_PER_ASYNC_YIELD`] units of fuel instead of at every tick.
    pub epoch_deadlines: bool,
}

impl Default for RuntimeConfig {
    /// Default [`Limits`], a 10 ms epoch tick, 512 KiB of wasm stack, a pool of 1,000 instances
    /// with [`AddressSpace::Reserved`], the default [`FoldConfig`], fuel on and epoch deadlines
    /// off.
    fn default() -> Self {
        RuntimeConfig {
            limits: Limits::default(),
            epoch_tick: Duration::from_millis(10),
            max_wasm_stack: 512 * 1024,
            pooled_instances: Some(1_000),
            address_space: AddressSpace::Reserved,
            aot_cache_dir: None,
            fold: FoldConfig::default(),
            fuel_metering: true,
            epoch_deadlines: false,
        }
    }
}

/// How much address space each linear memory reserves: the trade between reserving and
/// checking bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressSpace {
    /// 4 GiB (and a guard region) per memory, reserved but not committed, so the compiled code
    /// needs no bounds checks. The pool reserves that for every slot: 1,000 slots take about
    /// 4 TiB of address space. Where the reservation fails (a 39-bit address space, `ulimit
    /// -v`, strict overcommit, emulators) the runtime falls back to [`AddressSpace::Bounded`]
    /// and logs a warning saying so.
    #[default]
    Reserved,
    /// Each memory reserves what [`Limits::memory_bytes`] allows (and moves when a component
    /// given more grows past it), instances are allocated on demand: little address space, but
    /// the compiled code checks the bounds of every memory access, and instantiation takes
    /// tens of microseconds.
    Bounded,
}

/// Fuel an async call burns between yields to its executor when the runtime keeps no epoch
/// deadlines: about as long as the default epoch tick, far more than a typical call uses.
pub const FUEL_PER_ASYNC_YIELD: u64 = 10_000_000;

/// Fuel per 64 KiB page a `memory.grow` adds. Wasmtime charges bulk memory and table
/// operations per byte and element already; growing memory is charged here too, so no
/// instruction does unbounded work for a constant cost.
pub const FUEL_PER_GROWN_PAGE: u8 = 64;

/// Wasmtime's operator costs, with [`FUEL_PER_GROWN_PAGE`].
fn operator_cost() -> wasmtime::OperatorCost {
    let mut cost = wasmtime::OperatorCost::new();
    cost.variable.memory_grow_per_page = FUEL_PER_GROWN_PAGE;
    cost
}

/// A Rust guest starts with ~2.1 MiB of linear memory (1 MiB of stack, its data, 1 MiB of heap)
/// and touches little of it per call.
const KEEP_RESIDENT_BYTES: usize = 2 << 20;

/// The address space a [`AddressSpace::Bounded`] memory reserves beyond what it needs when it
/// has to move to grow.
const BOUNDED_GROWTH_BYTES: u64 = 1 << 20;

/// The Wasmtime configuration for `config`, with memories laid out as `space` says.
pub(crate) fn engine_config(config: &RuntimeConfig, space: AddressSpace) -> Config {
    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .consume_fuel(config.fuel_metering)
        .epoch_interruption(config.epoch_deadlines)
        .max_wasm_stack(config.max_wasm_stack)
        // Replaying the same events must give the same bytes on any machine.
        .cranelift_nan_canonicalization(true)
        .relaxed_simd_deterministic(true);
    if config.fuel_metering {
        wasm.operator_cost(operator_cost());
    }
    if space == AddressSpace::Bounded {
        let limit = u64::try_from(config.limits.memory_bytes).unwrap_or(u64::MAX);
        wasm.memory_reservation(limit.next_multiple_of(1 << 16))
            .memory_guard_size(1 << 16)
            .memory_reservation_for_growth(BOUNDED_GROWTH_BYTES);
        return wasm;
    }
    if let Some(instances) = config.pooled_instances {
        // Slots may hold memories up to wasm32's 4 GiB, so that `Limits::memory_bytes` (checked
        // by the store's limiter, with a typed error) is always the limit a guest meets first.
        // Each component instance may use as many core instances, tables and memories as its
        // `Limits` allow, so the pool has room for that many of each per slot.
        let limits = &config.limits;
        let per_slot =
            |count: usize| instances.saturating_mul(u32::try_from(count).unwrap_or(u32::MAX));
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(instances)
            .total_core_instances(per_slot(limits.instances))
            .total_memories(per_slot(limits.memories))
            .total_tables(per_slot(limits.tables))
            .table_elements(limits.table_elements)
            .max_memory_size(4 << 30)
            // Reset a slot's first pages with memset (only the resident ones, where the kernel
            // can tell) instead of madvise, so the next instance does not fault them back in:
            // instantiation was mostly page faults and TLB flushes without this.
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(KEEP_RESIDENT_BYTES / 16)
            .pagemap_scan(Enabled::Auto);
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    // Threads are not compiled in (no `threads` feature), so nothing can race.
    wasm
}
