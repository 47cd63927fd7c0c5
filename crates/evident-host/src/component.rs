//! Loading: compile, then refuse anything that is not exactly the world it claims to be.

use wasmtime::component::{Component, InstancePre};

use crate::error::Error;
use crate::runtime::Runtime;
use crate::store::StoreData;

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
