//! Loading: compile, then refuse anything that is not exactly the world it claims to be.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::Store;
use wasmtime::component::{Component, InstancePre};

use crate::error::Error;
use crate::limits::Limits;
use crate::runtime::Runtime;
use crate::store::{self, CallSite, StoreData};

/// What a component is loaded as.
#[derive(Clone, Copy)]
pub(crate) struct Kind {
    /// For messages: "state view".
    pub(crate) label: &'static str,
    /// The interface it must export, without version.
    pub(crate) export: &'static str,
}

pub(crate) const STATE_VIEW: Kind = Kind {
    label: "state view",
    export: "evident:db/state-view",
};

pub(crate) const STATE_CHANGE: Kind = Kind {
    label: "state change",
    export: "evident:db/state-change",
};

/// Interfaces a component may import: the log, and the type-only interface records come from.
const GRANTED_IMPORTS: [&str; 2] = ["evident:db/logging", "evident:db/types"];

/// Compiles component bytes, naming the component in the error.
pub(crate) fn compile(
    runtime: &Runtime,
    name: &str,
    bytes: &[u8],
    kind: Kind,
) -> Result<Component, Error> {
    Component::new(runtime.engine(), bytes).map_err(|e| invalid(name, kind, format!("{e:#}")))
}

/// Checks a compiled component's imports and exports against `kind`, ready to instantiate.
pub(crate) fn prepare(
    runtime: &Runtime,
    name: &str,
    component: &Component,
    kind: Kind,
) -> Result<InstancePre<StoreData>, Error> {
    let engine = runtime.engine();
    let ty = component.component_type();
    if let Some((import, _)) = ty
        .imports(engine)
        .find(|(import, _)| !GRANTED_IMPORTS.contains(&unversioned(import)))
    {
        return Err(Error::ForbiddenImport {
            component: name.into(),
            import: import.to_owned(),
        });
    }
    let exports: Vec<&str> = ty.exports(engine).map(|(export, _)| export).collect();
    if !exports
        .iter()
        .any(|export| unversioned(export) == kind.export)
    {
        let found = if exports.is_empty() {
            "nothing".to_owned()
        } else {
            exports.join(", ")
        };
        let reason = format!("it does not export {} (it exports {found})", kind.export);
        return Err(invalid(name, kind, reason));
    }
    runtime
        .linker()
        .instantiate_pre(component)
        .map_err(|e| invalid(name, kind, format!("{e:#}")))
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

/// What every handle holds: the runtime it runs in, its name, the component ready to
/// instantiate (typed by the bindings as `P`), and the limits its calls get.
#[derive(Clone)]
pub(crate) struct Handle<P> {
    pub(crate) runtime: Runtime,
    pub(crate) name: Arc<str>,
    pub(crate) pre: P,
    pub(crate) limits: Limits,
}

impl<P> Handle<P> {
    /// Checks `component` against `kind` and types it with `typed` (a bindings `Pre::new`).
    pub(crate) fn new(
        runtime: &Runtime,
        name: &str,
        component: &Component,
        kind: Kind,
        typed: impl FnOnce(InstancePre<StoreData>) -> wasmtime::Result<P>,
    ) -> Result<Self, Error> {
        let pre = prepare(runtime, name, component, kind)?;
        let pre = typed(pre).map_err(|e| invalid(name, kind, format!("{e:#}")))?;
        Ok(Handle {
            runtime: runtime.clone(),
            name: name.into(),
            pre,
            limits: runtime.config().limits,
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

    pub(crate) fn epoch_tick(&self) -> Duration {
        self.runtime.config().epoch_tick
    }

    /// A fresh store with this handle's limits, armed for the call `site` describes (so that
    /// instantiation, which may run guest code, runs under them too).
    pub(crate) fn armed_store(&self, site: CallSite<'_>) -> Result<Store<StoreData>, Error> {
        let mut store = store::new_store(self.runtime.engine(), self.name.clone(), &self.limits);
        store::arm(&mut store, site, self.epoch_tick())?;
        Ok(store)
    }
}

impl<P> std::fmt::Debug for Handle<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("name", &self.name)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}
