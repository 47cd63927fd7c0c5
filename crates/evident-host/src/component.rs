//! Loading: compile, then refuse anything that is not exactly the world it claims to be.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{
    Component, ComponentExportIndex, ComponentNamedList, Func, Instance, InstancePre, Lift, Lower,
    TypedFunc,
};
use wasmtime::{AsContextMut, Store};

use crate::error::Error;
use crate::imports::IMPORTS;
use crate::limits::Limits;
use crate::metrics::{Metrics, Outcome};
use crate::runtime::Runtime;
use crate::store::{self, CallSite, Mode, StoreData};

/// What a component is loaded as.
#[derive(Clone, Copy)]
pub(crate) struct Kind {
    /// For messages: "state view".
    pub(crate) label: &'static str,
    /// The interface it must export, without version.
    pub(crate) export: &'static str,
    /// Whether WASI imports are allowed, to be satisfied with every capability denied.
    pub(crate) wasi: bool,
    /// Whether it may import `database` (deciders that read the database; never views).
    pub(crate) database: bool,
}

impl Kind {
    /// The same kind, loaded in the deny-all WASI mode.
    #[cfg(feature = "wasi")]
    pub(crate) const fn with_wasi(self) -> Kind {
        Kind { wasi: true, ..self }
    }
}

pub(crate) const STATE_VIEW: Kind = Kind {
    label: "state view",
    export: "evident:db/state-view",
    wasi: false,
    database: false,
};

pub(crate) const STATE_CHANGE: Kind = Kind {
    label: "state change",
    export: "evident:db/state-change",
    wasi: false,
    database: false,
};

pub(crate) const DATABASE_DECIDER: Kind = Kind {
    label: "database decider",
    export: "evident:db/decider",
    wasi: false,
    database: true,
};

pub(crate) const VALIDATOR: Kind = Kind {
    label: "validator",
    export: "evident:db/validator",
    wasi: false,
    database: false,
};

pub(crate) const TRANSFORM: Kind = Kind {
    label: "transform",
    export: "evident:db/transform",
    wasi: false,
    database: false,
};

/// Every release of the `evident:db` package this host serves, oldest first. The newest is
/// `wit/`; the others are frozen in `wit/versions/`. A component built against any of them
/// loads and runs: the host links each release's imports and finds each release's exports.
pub const WIT_VERSIONS: [&str; 5] = ["0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0"];

/// Compiles component bytes, naming the component in the error.
pub(crate) fn compile(
    runtime: &Runtime,
    name: &str,
    bytes: &[u8],
    kind: Kind,
) -> Result<Component, Error> {
    Component::new(runtime.engine(), bytes).map_err(|e| invalid(name, kind, format!("{e:#}")))
}

/// What the load-time check found in a component.
pub(crate) struct Prepared {
    pub(crate) pre: InstancePre<StoreData>,
    /// The interface it exports as its kind, and that interface's release.
    pub(crate) interface: Interface,
    /// Whether it calls `frame-progress.begin-event`, so a failed frame names the event it was at.
    pub(crate) meters_events: bool,
}

/// Checks a compiled component's imports and exports against `kind`, ready to instantiate.
pub(crate) fn prepare(
    runtime: &Runtime,
    name: &str,
    component: &Component,
    kind: Kind,
) -> Result<Prepared, Error> {
    let engine = runtime.engine();
    let ty = component.component_type();
    let imports: Vec<&str> = ty.imports(engine).map(|(import, _)| import).collect();
    let granted = |import: &str| {
        IMPORTS.iter().any(|granted| {
            granted.interface == unversioned(import) && (kind.database || !granted.deciders_only)
        }) || (kind.wasi && import.starts_with("wasi:"))
    };
    if let Some(import) = imports.iter().find(|import| !granted(import)) {
        return Err(Error::ForbiddenImport {
            component: name.into(),
            import: (*import).to_owned(),
        });
    }
    let exports: Vec<&str> = ty.exports(engine).map(|(export, _)| export).collect();
    if let Some(unknown) = imports
        .iter()
        .chain(&exports)
        .find(|item| item.starts_with("evident:db/") && version(item).is_none())
    {
        let reason = format!(
            "it was built against `{unknown}`, a release of evident:db this host does not \
             serve (it serves {})",
            WIT_VERSIONS.join(", ")
        );
        return Err(invalid(name, kind, reason));
    }
    let Some(interface) = Interface::find(component, kind.export) else {
        let found = if exports.is_empty() {
            "nothing".to_owned()
        } else {
            exports.join(", ")
        };
        let reason = format!("it does not export {} (it exports {found})", kind.export);
        return Err(invalid(name, kind, reason));
    };
    let pre = runtime
        .linker()
        .instantiate_pre(component)
        .map_err(|e| invalid(name, kind, format!("{e:#}")))?;
    let meters_events = imports
        .iter()
        .any(|import| unversioned(import) == "evident:db/frame-progress");
    Ok(Prepared {
        pre,
        interface,
        meters_events,
    })
}

pub(crate) fn invalid(name: &str, kind: Kind, reason: String) -> Error {
    Error::InvalidComponent {
        component: name.into(),
        expected: kind.label,
        reason,
    }
}

/// `evident:db/logging@0.1.0` -> `evident:db/logging`.
fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(name, _version)| name)
}

/// `evident:db/logging@0.1.0` -> `0.1.0`, if this host serves that release.
fn version(name: &str) -> Option<&'static str> {
    let (_, version) = name.split_once('@')?;
    WIT_VERSIONS.into_iter().find(|served| *served == version)
}

/// An interface a component exports, found at load time, and the release it comes from.
#[derive(Clone, Copy)]
pub(crate) struct Interface {
    index: ComponentExportIndex,
    pub(crate) version: &'static str,
}

impl Interface {
    /// Finds `interface` (unversioned) in any served release, newest first.
    pub(crate) fn find(component: &Component, interface: &str) -> Option<Self> {
        WIT_VERSIONS.into_iter().rev().find_map(|version| {
            let index = component.get_export_index(None, format!("{interface}@{version}"))?;
            Some(Interface { index, version })
        })
    }
}

/// The Rust types of one exported function: what its lookup is typechecked against at load
/// time and what every call then uses without checking again.
pub(crate) trait Signature {
    /// The function's name within its interface.
    const NAME: &'static str;
    /// Its parameters, borrowed for the call.
    type Params<'a>: ComponentNamedList + Lower;
    /// Its results.
    type Results: ComponentNamedList + Lift;
}

/// An exported function found and typechecked at load time.
pub(crate) struct Export<S> {
    index: ComponentExportIndex,
    signature: PhantomData<fn() -> S>,
}

impl<S> Clone for Export<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Export<S> {}

impl<S: Signature> Export<S> {
    /// Looks `S` up in `interface` and checks its type, with a reason for people if it is absent
    /// or of another type.
    pub(crate) fn find(pre: &InstancePre<StoreData>, interface: Interface) -> Result<Self, String> {
        let component = pre.component();
        let Some((item, index)) = component.get_export(Some(&interface.index), S::NAME) else {
            return Err(format!("it does not export the function `{}`", S::NAME));
        };
        let ComponentItem::ComponentFunc(func) = item else {
            return Err(format!("its export `{}` is not a function", S::NAME));
        };
        func.typecheck::<S::Params<'static>, S::Results>(&pre.instance_type())
            .map_err(|e| format!("its function `{}` has another type: {e:#}", S::NAME))?;
        Ok(Export {
            index,
            signature: PhantomData,
        })
    }

    /// The function in a live instance.
    pub(crate) fn bind(
        &self,
        store: impl AsContextMut,
        instance: &Instance,
    ) -> wasmtime::Result<Bound<S>> {
        let func = instance
            .get_func(store, self.index)
            .ok_or_else(|| wasmtime::format_err!("`{}` is missing from the instance", S::NAME))?;
        Ok(Bound {
            func,
            signature: PhantomData,
        })
    }
}

/// An exported function of one live instance, ready to call.
pub(crate) struct Bound<S> {
    func: Func,
    signature: PhantomData<fn() -> S>,
}

impl<S: Signature> Bound<S>
where
    S::Results: 'static,
{
    /// Calls the function as `mode` says: `call`, or `call_async` (for a store armed for it).
    #[allow(unsafe_code)]
    pub(crate) async fn invoke(
        &self,
        mode: Mode,
        store: &mut Store<StoreData>,
        params: S::Params<'_>,
    ) -> wasmtime::Result<S::Results> {
        // SAFETY: `TypedFunc::new_unchecked` requires that the function has the type
        // `(S::Params, S::Results)`: `Export::find` typechecked exactly this pair against the
        // component at load time, and `Export::bind` only hands out functions of instances of
        // that component (lifetimes do not enter a component type), as wasmtime's bindgen does.
        let typed = unsafe { TypedFunc::<S::Params<'_>, S::Results>::new_unchecked(self.func) };
        match mode {
            Mode::Sync => typed.call(store, params),
            #[cfg(feature = "async")]
            Mode::Async => typed.call_async(store, params).await,
        }
    }
}

/// What every handle holds: the runtime it runs in, its name, the component ready to
/// instantiate with its exports found (`E`), and the limits its calls get.
#[derive(Clone)]
pub(crate) struct Handle<E> {
    pub(crate) runtime: Runtime,
    pub(crate) name: Arc<str>,
    pub(crate) pre: InstancePre<StoreData>,
    pub(crate) exports: E,
    /// The `evident:db` release the component was built against.
    pub(crate) wit_version: &'static str,
    /// Whether the component reports which event of a frame it is at (it calls `begin-event`).
    pub(crate) meters_events: bool,
    /// Whether it runs in the deny-all WASI mode, whose stdout and stderr writes are charged.
    #[cfg(feature = "wasi")]
    pub(crate) wasi: bool,
    pub(crate) limits: Limits,
    /// Shared by every clone: they are the same component.
    pub(crate) metrics: Arc<Metrics>,
    /// Samples the stacks of every call, when profiling.
    #[cfg(feature = "profiling")]
    pub(crate) profiler: Option<crate::profile::Profiler>,
}

/// What a call used, for the metrics.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub(crate) fuel: u64,
    pub(crate) peak_memory: usize,
}

impl Usage {
    /// Adds what another call used: fuel adds up, memory peaks.
    pub(crate) fn add(&mut self, other: Usage) {
        self.fuel = self.fuel.saturating_add(other.fuel);
        self.peak_memory = self.peak_memory.max(other.peak_memory);
    }
}

/// Runs a future made of synchronous calls ([`Mode::Sync`]) to its end on this thread: such a
/// future never waits, so one poll finishes it. The host's calls are written once, as async
/// functions over a [`Mode`], and the synchronous API runs them through this.
pub(crate) fn run_sync<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => {
            unreachable!("a synchronous call waited: only `Mode::Async` calls can")
        }
    }
}

impl<E> Handle<E> {
    /// Checks `component` against `kind` and finds its exports with `find`.
    pub(crate) fn new(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
        find: impl FnOnce(&InstancePre<StoreData>, Interface) -> Result<E, String>,
    ) -> Result<Self, Error> {
        let prepared = prepare(runtime, name, component, kind)?;
        let exports = find(&prepared.pre, prepared.interface)
            .map_err(|reason| invalid(name, kind, reason))?;
        Ok(Handle {
            runtime: runtime.clone(),
            name: name.into(),
            pre: prepared.pre,
            exports,
            wit_version: prepared.interface.version,
            meters_events: prepared.meters_events,
            #[cfg(feature = "wasi")]
            wasi: kind.wasi,
            limits: runtime.config().limits,
            metrics: Arc::default(),
            #[cfg(feature = "profiling")]
            profiler: None,
        })
    }

    /// Describes a call to `function` for limits and error messages.
    pub(crate) fn site(&self, function: &'static str) -> CallSite<'_> {
        CallSite {
            component: &self.name,
            function,
            limits: &self.limits,
        }
    }

    /// Gives `store` fresh fuel and a fresh deadline for the call `site` describes.
    pub(crate) fn arm(
        &self,
        store: &mut Store<StoreData>,
        site: CallSite<'_>,
        mode: Mode,
    ) -> Result<(), Error> {
        self.metrics.count_guest_call();
        store::arm(store, site, mode, None)
    }

    /// Arms `store` for a call that applies a frame of `events` events.
    pub(crate) fn arm_frame(
        &self,
        store: &mut Store<StoreData>,
        site: CallSite<'_>,
        mode: Mode,
        events: u32,
    ) -> Result<(), Error> {
        self.metrics.count_guest_call();
        store::arm(store, site, mode, Some(events))
    }

    /// What the last call on `store` used.
    pub(crate) fn usage(&self, store: &Store<StoreData>) -> Usage {
        Usage {
            fuel: store::fuel_used(store),
            peak_memory: store::peak_memory_bytes(store),
        }
    }

    /// Counts a finished call (started at `started`, applying `events` events) in the metrics.
    pub(crate) fn observe<T>(
        &self,
        started: Instant,
        events: u64,
        usage: Usage,
        result: &Result<T, Error>,
    ) {
        self.metrics.record(Outcome {
            started,
            events,
            fuel: usage.fuel,
            peak_memory: usage.peak_memory,
            error: result.as_ref().err(),
        });
    }

    /// A fresh instance with this handle's limits, its store armed for the call `site`
    /// describes (instantiation may run guest code, which then runs under them too).
    pub(crate) async fn instantiate(
        &self,
        site: CallSite<'_>,
        mode: Mode,
    ) -> Result<(Store<StoreData>, Instance), Error> {
        self.metrics.count_instance();
        let mut store = store::new_store(
            self.runtime.engine(),
            self.name.clone(),
            &self.limits,
            self.runtime.metering(),
        );
        #[cfg(feature = "profiling")]
        {
            store.data_mut().meter.profiler = self.profiler.clone();
        }
        #[cfg(feature = "wasi")]
        if self.wasi {
            crate::wasi::charge_writes(&mut store);
        }
        store::arm(&mut store, site, mode, None)?;
        let instance = match mode {
            Mode::Sync => self.pre.instantiate(&mut store),
            #[cfg(feature = "async")]
            Mode::Async => self.pre.instantiate_async(&mut store).await,
        };
        match instance {
            Ok(instance) => Ok((store, instance)),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }
}

impl<E> std::fmt::Debug for Handle<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("name", &self.name)
            .field("wit_version", &self.wit_version)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The accessors every handle type shares (`name`, `wit_version`, `limits`, `with_limits`,
/// `metrics`, and the crate's `component`), written once for a type holding a `handle` field.
macro_rules! handle_accessors {
    ($handle:ty) => {
        impl $handle {
            /// The name logs and errors carry.
            pub fn name(&self) -> &str {
                &self.handle.name
            }

            /// The compiled code.
            pub(crate) fn component(&self) -> &wasmtime::component::Component {
                self.handle.pre.component()
            }

            /// The release of `evident:db` the component was built against.
            pub fn wit_version(&self) -> &'static str {
                self.handle.wit_version
            }

            /// The limits each call runs under.
            pub fn limits(&self) -> crate::limits::Limits {
                self.handle.limits
            }

            /// The same component with other limits.
            pub fn with_limits(mut self, limits: crate::limits::Limits) -> Self {
                self.handle.limits = limits;
                self
            }

            /// The component's counters so far (shared by every clone of this handle).
            pub fn metrics(&self) -> crate::metrics::MetricsSnapshot {
                self.handle.metrics.snapshot()
            }
        }

        impl std::fmt::Debug for $handle {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($handle))
                    .field(&self.handle)
                    .finish()
            }
        }
    };
}
pub(crate) use handle_accessors;
