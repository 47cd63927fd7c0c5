//! The engine, the linker and the epoch ticker, built once and shared by every component.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Engine, EngineWeak};

use crate::change::StateChange;
use crate::component::{self, DATABASE_DECIDER, STATE_CHANGE, STATE_VIEW};
use crate::config::{AddressSpace, RuntimeConfig, engine_config};
use crate::database::DatabaseDecider;
use crate::decider::Decider;
use crate::error::Error;
use crate::imports;
use crate::store::{Metering, StoreData};
use crate::view::StateView;

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

    /// Compiles a decider: one component that is both a state view and a state change over one
    /// state (world `decider-component`), checked as both.
    pub fn load_decider(&self, name: &str, bytes: &[u8]) -> Result<Decider, Error> {
        self.decider(name, bytes, STATE_VIEW, STATE_CHANGE)
    }

    /// Like [`Runtime::load_decider`], from a file.
    pub fn load_decider_file(&self, path: impl AsRef<Path>) -> Result<Decider, Error> {
        let (name, bytes) = read_component(path.as_ref())?;
        self.load_decider(&name, &bytes)
    }

    /// Like [`Runtime::load_decider`], in the deny-all WASI mode of [`Runtime::load_view_wasi`].
    #[cfg(feature = "wasi")]
    pub fn load_decider_wasi(&self, name: &str, bytes: &[u8]) -> Result<Decider, Error> {
        self.decider(
            name,
            bytes,
            STATE_VIEW.with_wasi(),
            STATE_CHANGE.with_wasi(),
        )
    }

    fn decider(
        &self,
        name: &str,
        bytes: &[u8],
        view: component::Kind,
        change: component::Kind,
    ) -> Result<Decider, Error> {
        let compiled = self.compile(name, bytes, view)?;
        let view = StateView::prepare(self, name, &compiled, view)?;
        let change = StateChange::prepare(self, name, &compiled, change)?;
        Ok(Decider::of_one_component(view, change))
    }

    /// Compiles a decider that reads the database (world `database-decider`, 0.4.0): it
    /// exports `decider` and may import `database`, which views may not. Run it with
    /// [`crate::Database::decide`].
    pub fn load_database_decider(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<DatabaseDecider, Error> {
        let kind = DATABASE_DECIDER;
        DatabaseDecider::prepare(self, name, &self.compile(name, bytes, kind)?, kind)
    }

    /// Like [`Runtime::load_database_decider`], from a file.
    pub fn load_database_decider_file(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<DatabaseDecider, Error> {
        let (name, bytes) = read_component(path.as_ref())?;
        self.load_database_decider(&name, &bytes)
    }

    /// Like [`Runtime::load_database_decider`], in the deny-all WASI mode of
    /// [`Runtime::load_view_wasi`].
    #[cfg(feature = "wasi")]
    pub fn load_database_decider_wasi(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<DatabaseDecider, Error> {
        let kind = DATABASE_DECIDER.with_wasi();
        DatabaseDecider::prepare(self, name, &self.compile(name, bytes, kind)?, kind)
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

fn read_component(path: &Path) -> Result<(String, Vec<u8>), Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok((component_name(path), bytes))
}

/// A component is named after its file: `event_counter.component.wasm` is `event_counter`.
pub(crate) fn component_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|file| file.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    file.split('.').next().unwrap_or(&file).to_owned()
}
