//! The engine, the linker and the epoch ticker, built once and shared by every component.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Engine, EngineWeak};

use crate::config::{AddressSpace, RuntimeConfig, engine_config};
use crate::error::Error;
use crate::imports;
use crate::store::{Metering, StoreData};

/// The sandbox components run in: one engine (compiled code, epoch clock) and one linker that
/// grants nothing but the `evident:db` imports (and, for components loaded in the WASI sandbox,
/// WASI with every capability denied). Build one per process and share it; clones are cheap.
/// Components are loaded with [`Runtime::load`] (see [`crate::Load`]).
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<StoreData>,
    config: RuntimeConfig,
    /// The address space layout in effect: the configured one, or its fallback.
    address_space: AddressSpace,
}

impl Runtime {
    /// Builds the engine, its linker and the thread that advances epochs.
    pub fn new(config: RuntimeConfig) -> Result<Self, Error> {
        if config.epoch_tick.is_zero() {
            return Err(Error::Setup(
                "the epoch tick must be longer than zero".into(),
            ));
        }
        let (engine, address_space) = engine(&config)?;
        let linker = linker(&engine).map_err(|e| Error::Setup(format!("{e:#}")))?;
        if config.epoch_deadlines {
            spawn_epoch_ticker(engine.weak(), config.epoch_tick)?;
        }
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine,
                linker,
                config,
                address_space,
            }),
        })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// How linear memories are laid out: the configured [`AddressSpace`], or
    /// [`AddressSpace::Bounded`] if reserving the configured one failed.
    pub fn address_space(&self) -> AddressSpace {
        self.inner.address_space
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

/// The engine for `config`; if its pool's address space cannot be reserved, one with bounded
/// memories allocated on demand, and a warning saying so.
fn engine(config: &RuntimeConfig) -> Result<(Engine, AddressSpace), Error> {
    let setup = |e: wasmtime::Error| Error::Setup(format!("{e:#}"));
    let wanted = config.address_space;
    match Engine::new(&engine_config(config, wanted)) {
        Ok(engine) => Ok((engine, wanted)),
        Err(e) if wanted == AddressSpace::Reserved && config.pooled_instances.is_some() => {
            tracing::warn!(
                "cannot reserve the address space of {} pooled instances with 4 GiB memories \
                 ({e:#}); falling back to instances allocated on demand whose memories reserve \
                 only their limit, with bounds checks (memory accesses and instantiation are slower)",
                config.pooled_instances.unwrap_or_default()
            );
            let engine =
                Engine::new(&engine_config(config, AddressSpace::Bounded)).map_err(setup)?;
            Ok((engine, AddressSpace::Bounded))
        }
        Err(e) => Err(setup(e)),
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

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
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

/// A component is named after its file: `event_counter.component.wasm` is `event_counter`.
pub(crate) fn component_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|file| file.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    file.split('.').next().unwrap_or(&file).to_owned()
}
