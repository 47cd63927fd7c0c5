//! The engine, the linker and the epoch ticker, built once and shared by every component.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Enabled, Engine, EngineWeak, InstanceAllocationStrategy, PoolingAllocationConfig,
};

use crate::change::StateChange;
use crate::component::{self, STATE_CHANGE, STATE_VIEW};
use crate::imports;
use crate::error::Error;
use crate::limits::Limits;
use crate::store::{Metering, StoreData};
use crate::view::{FoldConfig, StateView};

/// How a [`Runtime`] is set up.
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
    /// no such cap. Past the cap a call fails with [`Error::Host`] until another finishes.
    pub pooled_instances: Option<u32>,
    /// Where compiled components are kept between runs, keyed by the component's SHA-256 and
    /// the engine's compatibility hash, so a restart loads in microseconds instead of
    /// compiling; a missing, stale or corrupt entry is recompiled and replaced. `None` (the
    /// default) compiles on every load. The directory must be writable by this host alone:
    /// its files are native code that Wasmtime runs as they are.
    pub aot_cache_dir: Option<PathBuf>,
    /// How views fold: frames and checkpoints (each view may have its own, see
    /// [`StateView::with_fold_config`]).
    pub fold: FoldConfig,
    /// Counts fuel and enforces [`Limits::fuel`]. Turning it off is for measuring what metering
    /// costs; without it a runaway guest is stopped only by the deadline, and a fold is no
    /// longer guaranteed to replay identically.
    pub fuel_metering: bool,
    /// Advances the epoch and enforces [`Limits::deadline`]. Turning it off is, again, for
    /// measuring; without it nothing stops a guest that fuel does not stop.
    pub epoch_deadlines: bool,
}

impl Default for RuntimeConfig {
    /// Default [`Limits`], a 10 ms epoch tick, 512 KiB of wasm stack, a pool of 1,000 instances,
    /// the default [`FoldConfig`], fuel and deadlines on.
    fn default() -> Self {
        RuntimeConfig {
            limits: Limits::default(),
            epoch_tick: Duration::from_millis(10),
            max_wasm_stack: 512 * 1024,
            pooled_instances: Some(1_000),
            aot_cache_dir: None,
            fold: FoldConfig::default(),
            fuel_metering: true,
            epoch_deadlines: true,
        }
    }
}

/// The sandbox components run in: one engine (compiled code, epoch clock) and one linker that
/// grants nothing but `logging`. Build one per process and share it; clones are cheap.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<StoreData>,
    config: RuntimeConfig,
}

impl Runtime {
    /// Builds the engine, its linker and the thread that advances epochs.
    pub fn new(config: RuntimeConfig) -> Result<Self, Error> {
        if config.epoch_tick.is_zero() {
            return Err(Error::Setup(
                "the epoch tick must be longer than zero".into(),
            ));
        }
        let engine =
            Engine::new(&engine_config(&config)).map_err(|e| Error::Setup(format!("{e:#}")))?;
        let linker = linker(&engine).map_err(|e| Error::Setup(format!("{e:#}")))?;
        if config.epoch_deadlines {
            spawn_epoch_ticker(engine.weak(), config.epoch_tick)?;
        }
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine,
                linker,
                config,
            }),
        })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// Compiles a state view from component bytes and checks it exports `state-view` and
    /// imports nothing but `logging`. `name` tags its logs and errors.
    pub fn load_view(&self, name: &str, bytes: &[u8]) -> Result<StateView, Error> {
        StateView::prepare(
            self,
            name,
            &self.compile(name, bytes, STATE_VIEW)?,
            STATE_VIEW,
        )
    }

    /// Like [`Runtime::load_view`], from a file; the component is named after the file.
    pub fn load_view_file(&self, path: impl AsRef<Path>) -> Result<StateView, Error> {
        let (name, bytes) = read_component(path.as_ref())?;
        self.load_view(&name, &bytes)
    }

    /// Compiles a state change from component bytes, with the same checks as views.
    pub fn load_change(&self, name: &str, bytes: &[u8]) -> Result<StateChange, Error> {
        StateChange::prepare(
            self,
            name,
            &self.compile(name, bytes, STATE_CHANGE)?,
            STATE_CHANGE,
        )
    }

    /// Like [`Runtime::load_change`], from a file.
    pub fn load_change_file(&self, path: impl AsRef<Path>) -> Result<StateChange, Error> {
        let (name, bytes) = read_component(path.as_ref())?;
        self.load_change(&name, &bytes)
    }

    /// Like [`Runtime::load_view`], for a component that imports WASI (as componentize-py and
    /// componentize-js make them): its WASI imports are satisfied with every capability denied
    /// (no files, network, environment or real clock; pinned clocks and a fixed random stream,
    /// so replays agree; stdout and stderr to the log). Any other import is still refused.
    #[cfg(feature = "wasi")]
    pub fn load_view_wasi(&self, name: &str, bytes: &[u8]) -> Result<StateView, Error> {
        let kind = STATE_VIEW.with_wasi();
        StateView::prepare(self, name, &self.compile(name, bytes, kind)?, kind)
    }

    /// Like [`Runtime::load_change`], in the deny-all WASI mode of [`Runtime::load_view_wasi`].
    #[cfg(feature = "wasi")]
    pub fn load_change_wasi(&self, name: &str, bytes: &[u8]) -> Result<StateChange, Error> {
        let kind = STATE_CHANGE.with_wasi();
        StateChange::prepare(self, name, &self.compile(name, bytes, kind)?, kind)
    }

    /// Compiles component bytes ahead of time into an artifact that
    /// [`Runtime::load_view_precompiled`] loads in microseconds instead of milliseconds. The
    /// artifact only loads into a runtime of the same Wasmtime version and engine settings.
    pub fn precompile(&self, name: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner
            .engine
            .precompile_component(bytes)
            .map_err(|e| Error::InvalidComponent {
                component: name.into(),
                expected: "component",
                reason: format!("{e:#}"),
            })
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn linker(&self) -> &Linker<StoreData> {
        &self.inner.linker
    }

    pub(crate) fn metering(&self) -> Metering {
        let config = &self.inner.config;
        Metering {
            fuel: config.fuel_metering,
            epoch_tick: config.epoch_deadlines.then_some(config.epoch_tick),
        }
    }
}

/// A linker that grants what `imports` links, and WASI (every capability denied) for components
/// loaded in the WASI mode.
fn linker(engine: &Engine) -> wasmtime::Result<Linker<StoreData>> {
    let mut linker = Linker::new(engine);
    imports::link(&mut linker)?;
    #[cfg(feature = "wasi")]
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    Ok(linker)
}

/// Precompiled artifacts: Wasmtime's deserialisation is `unsafe` (the artifact is native code),
/// and so are these, with the contract spelled out.
#[allow(unsafe_code)]
impl Runtime {
    /// The file [`RuntimeConfig::aot_cache_dir`] keeps `bytes` compiled in (whether or not it
    /// exists yet), or `None` without a cache.
    pub fn aot_cache_path(&self, bytes: &[u8]) -> Option<PathBuf> {
        use sha2::Digest as _;
        let dir = self.inner.config.aot_cache_dir.as_ref()?;
        let mut engine = std::hash::DefaultHasher::new();
        self.inner
            .engine
            .precompile_compatibility_hash()
            .hash(&mut engine);
        let content = sha2::Sha256::digest(bytes);
        let content: String = content.iter().map(|b| format!("{b:02x}")).collect();
        Some(dir.join(format!("{content}-{:016x}.cwasm", engine.finish())))
    }

    /// Compiles `bytes`, through the AOT cache when there is one.
    pub(crate) fn compile(
        &self,
        name: &str,
        bytes: &[u8],
        kind: component::Kind,
    ) -> Result<Component, Error> {
        let Some(path) = self.aot_cache_path(bytes) else {
            return component::compile(self, name, bytes, kind);
        };
        if path.is_file() {
            // SAFETY: the cache directory is the host's own (see `RuntimeConfig::aot_cache_dir`)
            // and the file name binds the component's hash to this engine's configuration;
            // Wasmtime checks its version and settings again.
            // Read, not mapped: a file changed under a mapping would crash the process.
            let artifact = std::fs::read(&path);
            match artifact
                .map_err(wasmtime::Error::from)
                .and_then(|artifact| unsafe {
                    Component::deserialize(&self.inner.engine, &artifact)
                }) {
                Ok(component) => return Ok(component),
                Err(e) => tracing::warn!(
                    component = name,
                    "AOT cache entry {} is unusable and will be rebuilt: {e:#}",
                    path.display()
                ),
            }
        }
        let component = component::compile(self, name, bytes, kind)?;
        if let Err(e) = component
            .serialize()
            .map_err(|e| format!("{e:#}"))
            .and_then(|artifact| write_atomically(&path, &artifact).map_err(|e| e.to_string()))
        {
            tracing::warn!(
                component = name,
                "cannot write AOT cache entry {}: {e}",
                path.display()
            );
        }
        Ok(component)
    }

    /// Loads a state view from an artifact made by [`Runtime::precompile`].
    ///
    /// # Safety
    /// The artifact is native code that Wasmtime runs as is: load only artifacts this host (or
    /// one you trust) produced, and that no one else could write. A stale or foreign artifact
    /// (other Wasmtime version or settings) is detected and refused.
    pub unsafe fn load_view_precompiled(&self, path: impl AsRef<Path>) -> Result<StateView, Error> {
        let (name, component) = unsafe { self.deserialize(path.as_ref(), "state view")? };
        StateView::prepare(self, &name, &component, STATE_VIEW)
    }

    /// Loads a state change from an artifact made by [`Runtime::precompile`].
    ///
    /// # Safety
    /// As for [`Runtime::load_view_precompiled`].
    pub unsafe fn load_change_precompiled(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<StateChange, Error> {
        let (name, component) = unsafe { self.deserialize(path.as_ref(), "state change")? };
        StateChange::prepare(self, &name, &component, STATE_CHANGE)
    }

    /// # Safety
    /// See [`Runtime::load_view_precompiled`].
    unsafe fn deserialize(
        &self,
        path: &Path,
        expected: &'static str,
    ) -> Result<(String, Component), Error> {
        let name = component_name(path);
        // Read, not mapped: an artifact replaced or truncated under a mapping would crash the
        // process.
        let artifact = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        // SAFETY: the caller vouches for the artifact (see the public functions' contracts);
        // Wasmtime itself checks the version and settings it was compiled with.
        let component =
            unsafe { Component::deserialize(&self.inner.engine, &artifact) }.map_err(|e| {
                Error::InvalidComponent {
                    component: name.as_str().into(),
                    expected,
                    reason: format!("not a usable precompiled artifact: {e:#}"),
                }
            })?;
        Ok((name, component))
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A Rust guest starts with ~1.1 MiB of linear memory and touches little of it per call.
const KEEP_RESIDENT_BYTES: usize = 2 << 20;

fn engine_config(config: &RuntimeConfig) -> Config {
    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .consume_fuel(config.fuel_metering)
        .epoch_interruption(config.epoch_deadlines)
        .max_wasm_stack(config.max_wasm_stack)
        // Replaying the same events must give the same bytes on any machine.
        .cranelift_nan_canonicalization(true)
        .relaxed_simd_deterministic(true);
    if let Some(instances) = config.pooled_instances {
        // Slots may hold memories up to wasm32's 4 GiB, so that `Limits::memory_bytes` (checked
        // by the store's limiter, with a typed error) is always the limit a guest meets first.
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(2))
            .total_memories(instances)
            .total_tables(instances.saturating_mul(2))
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

/// Advances the engine's epoch every `tick` until the engine is dropped.
fn spawn_epoch_ticker(engine: EngineWeak, tick: Duration) -> Result<(), Error> {
    std::thread::Builder::new()
        .name("evident-epoch-ticker".into())
        .spawn(move || {
            loop {
                std::thread::sleep(tick);
                match engine.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => return,
                }
            }
        })
        .map(drop)
        .map_err(|e| Error::Setup(format!("cannot start the epoch ticker thread: {e}")))
}

fn read_component(path: &Path) -> Result<(String, Vec<u8>), Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok((component_name(path), bytes))
}

/// A component is named after its file: `event_counter.component.wasm` is `event_counter`.
fn component_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|file| file.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    file.split('.').next().unwrap_or(&file).to_owned()
}

/// Writes via a unique temporary file and a rename, so a concurrent reader never sees half an
/// artifact.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension(format!("tmp{}-{unique}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}
