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
use crate::limits::Limits;
use crate::metrics::{Metrics, Outcome};
use crate::runtime::Runtime;
use crate::store::{self, CallSite, StoreData};

/// What a component is loaded as.
#[derive(Clone, Copy)]
pub(crate) struct Kind {
    /// For messages: "state view".
    pub(crate) label: &'static str,
    /// The interface it must export, without version.
    pub(crate) export: &'static str,
    /// Whether WASI imports are allowed, to be satisfied with every capability denied.
    pub(crate) wasi: bool,
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
};

pub(crate) const STATE_CHANGE: Kind = Kind {
    label: "state change",
    export: "evident:db/state-change",
    wasi: false,
};

/// Interfaces a component may import: the log, and the type-only interface records come from.
const GRANTED_IMPORTS: [&str; 2] = ["evident:db/logging", "evident:db/types"];

/// Every release of the `evident:db` package this host serves, oldest first. The newest is
/// `wit/`; the others are frozen in `wit/versions/`. A component built against any of them
/// loads and runs: the host links each release's imports and finds each release's exports.
pub const WIT_VERSIONS: [&str; 2] = ["0.1.0", "0.2.0"];

/// Compiles component bytes, naming the component in the error.
pub(crate) fn compile(
    runtime: &Runtime,
    name: &str,
    bytes: &[u8],
    kind: Kind,
) -> Result<Component, Error> {
    Component::new(runtime.engine(), bytes).map_err(|e| invalid(name, kind, format!("{e:#}")))
}

/// Checks a compiled component's imports and exports against `kind`, ready to instantiate;
/// returns it with the interface it exports as `kind` and that interface's version.
pub(crate) fn prepare(
    runtime: &Runtime,
    name: &str,
    component: &Component,
    kind: Kind,
) -> Result<(InstancePre<StoreData>, Interface), Error> {
    let engine = runtime.engine();
    let ty = component.component_type();
    let imports: Vec<&str> = ty.imports(engine).map(|(import, _)| import).collect();
    let granted = |import: &str| {
        GRANTED_IMPORTS.contains(&unversioned(import)) || (kind.wasi && import.starts_with("wasi:"))
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
    Ok((pre, interface))
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

impl<S: Signature> Bound<S> {
    #[allow(unsafe_code)]
    pub(crate) fn call(
        &self,
        store: impl AsContextMut,
        params: S::Params<'_>,
    ) -> wasmtime::Result<S::Results> {
        // SAFETY: `Export::find` typechecked this function against `S` (lifetimes do not enter
        // a component type) before `Export::bind` handed it out, as wasmtime's own bindgen does.
        let typed = unsafe { TypedFunc::<S::Params<'_>, S::Results>::new_unchecked(self.func) };
        typed.call(store, params)
    }

    /// [`Bound::call`] through `call_async`, for a store armed by `store::arm_async`.
    #[cfg(feature = "async")]
    #[allow(unsafe_code)]
    pub(crate) async fn call_async(
        &self,
        store: &mut Store<StoreData>,
        params: S::Params<'_>,
    ) -> wasmtime::Result<S::Results>
    where
        S::Results: 'static,
    {
        // SAFETY: as for `Bound::call`.
        let typed = unsafe { TypedFunc::<S::Params<'_>, S::Results>::new_unchecked(self.func) };
        typed.call_async(store, params).await
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
    pub(crate) limits: Limits,
    /// Shared by every clone: they are the same component.
    pub(crate) metrics: Arc<Metrics>,
}

/// What a call used, for the metrics.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub(crate) fuel: u64,
    pub(crate) peak_memory: usize,
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
        let (pre, interface) = prepare(runtime, name, component, kind)?;
        let exports = find(&pre, interface).map_err(|reason| invalid(name, kind, reason))?;
        Ok(Handle {
            runtime: runtime.clone(),
            name: name.into(),
            pre,
            exports,
            wit_version: interface.version,
            limits: runtime.config().limits,
            metrics: Arc::default(),
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
    ) -> Result<(), Error> {
        store::arm(store, site, self.runtime.metering())
    }

    /// [`Handle::arm`] for an async call.
    #[cfg(feature = "async")]
    pub(crate) fn arm_async(
        &self,
        store: &mut Store<StoreData>,
        site: CallSite<'_>,
    ) -> Result<(), Error> {
        store::arm_async(store, site, self.runtime.metering())
    }

    /// A fresh store with this handle's limits, armed for the call `site` describes (so that
    /// instantiation, which may run guest code, runs under them too).
    pub(crate) fn armed_store(&self, site: CallSite<'_>) -> Result<Store<StoreData>, Error> {
        let mut store = store::new_store(self.runtime.engine(), self.name.clone(), &self.limits);
        self.arm(&mut store, site)?;
        Ok(store)
    }

    /// What the last call on `store` used.
    pub(crate) fn usage(&self, store: &Store<StoreData>) -> Usage {
        Usage {
            fuel: self.fuel_used(store),
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

    /// Fuel the last call on `store` used (0 when fuel is not metered).
    pub(crate) fn fuel_used(&self, store: &Store<StoreData>) -> u64 {
        if self.runtime.metering().fuel {
            let left = store.get_fuel().unwrap_or(0);
            self.limits.fuel.saturating_sub(left)
        } else {
            0
        }
    }

    /// [`Handle::instantiate`], instantiating through the async path.
    #[cfg(feature = "async")]
    pub(crate) async fn instantiate_async(
        &self,
        site: CallSite<'_>,
    ) -> Result<(Store<StoreData>, Instance), Error> {
        let mut store = store::new_store(self.runtime.engine(), self.name.clone(), &self.limits);
        self.arm_async(&mut store, site)?;
        match self.pre.instantiate_async(&mut store).await {
            Ok(instance) => Ok((store, instance)),
            Err(e) => Err(store::classify(e, &mut store, site)),
        }
    }

    /// A fresh, armed instance, or the failure named.
    pub(crate) fn instantiate(
        &self,
        site: CallSite<'_>,
    ) -> Result<(Store<StoreData>, Instance), Error> {
        let mut store = self.armed_store(site)?;
        match self.pre.instantiate(&mut store) {
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
