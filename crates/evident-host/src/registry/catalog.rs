//! The registry's content at one moment: names, their versions, and what each version is. A
//! catalog is never changed in place; the registry builds the next one and swaps it in.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use wasmtime::component::Component;

use crate::load::{ComponentKind, Loaded, Sandbox};
use crate::registry::{ComponentInfo, ContentHash, RegistryError, Version, Versioned};

/// One registered version. Immutable: a reload makes a new one.
#[derive(Clone)]
pub(crate) struct Deployment {
    pub(crate) hash: ContentHash,
    pub(crate) loaded: Loaded,
    pub(crate) sandbox: Sandbox,
    pub(crate) source: Option<Source>,
    pub(crate) last_reload_error: Option<String>,
}

impl Deployment {
    pub(crate) fn kind(&self) -> ComponentKind {
        self.loaded.kind()
    }
}

/// The file a version was registered from.
#[derive(Clone)]
pub(crate) struct Source {
    pub(crate) path: PathBuf,
    /// Size and modification time when last read, so a watcher rereads only what changed.
    pub(crate) stamp: Option<(u64, SystemTime)>,
}

/// The versions of one name.
#[derive(Clone, Default)]
pub(crate) struct Named {
    pub(crate) versions: BTreeMap<Version, Arc<Deployment>>,
    pub(crate) active: Option<Version>,
}

impl Named {
    /// The active version and its deployment.
    pub(crate) fn active(&self) -> Option<(&Version, &Arc<Deployment>)> {
        let version = self.active.as_ref()?;
        Some((version, self.versions.get(version)?))
    }
}

/// Every name and version.
#[derive(Clone, Default)]
pub(crate) struct Catalog {
    pub(crate) names: BTreeMap<String, Named>,
}

impl Catalog {
    pub(crate) fn named(&self, name: &str) -> Result<&Named, RegistryError> {
        self.names.get(name).ok_or_else(|| unknown_name(name))
    }

    pub(crate) fn named_mut(&mut self, name: &str) -> Result<&mut Named, RegistryError> {
        self.names.get_mut(name).ok_or_else(|| unknown_name(name))
    }

    /// The compiled component with this content, if any version has it.
    pub(crate) fn compiled(&self, hash: ContentHash) -> Option<Component> {
        self.names
            .values()
            .flat_map(|named| named.versions.values())
            .find(|deployment| deployment.hash == hash)
            .map(|deployment| deployment.loaded.component().clone())
    }

    /// How `list` reports `name` at `version`.
    pub(crate) fn info(&self, name: &str, version: &Version) -> Option<ComponentInfo> {
        let named = self.names.get(name)?;
        let deployment = named.versions.get(version)?;
        Some(info(
            name,
            version,
            named.active.as_ref() == Some(version),
            deployment,
        ))
    }
}

pub(crate) fn info(
    name: &str,
    version: &Version,
    active: bool,
    deployment: &Deployment,
) -> ComponentInfo {
    ComponentInfo {
        name: name.to_owned(),
        version: version.clone(),
        active,
        hash: deployment.hash,
        kind: deployment.kind(),
        sandbox: deployment.sandbox,
        wit_version: deployment.loaded.wit_version(),
        source: deployment.source.as_ref().map(|s| s.path.clone()),
        last_reload_error: deployment.last_reload_error.clone(),
    }
}

pub(crate) fn unknown_name(name: &str) -> RegistryError {
    RegistryError::UnknownName {
        name: name.to_owned(),
    }
}

pub(crate) fn unknown_version(name: &str, version: &Version) -> RegistryError {
    RegistryError::UnknownVersion {
        name: name.to_owned(),
        version: version.clone(),
    }
}

/// The deployment as the kind `pick` takes, or the error saying what it is instead.
pub(crate) fn versioned<T: Clone>(
    name: &str,
    version: Version,
    deployment: &Deployment,
    expected: ComponentKind,
    pick: impl FnOnce(&Loaded) -> Option<&T>,
) -> Result<Versioned<T>, RegistryError> {
    match pick(&deployment.loaded) {
        Some(component) => Ok(Versioned {
            version,
            hash: deployment.hash,
            component: component.clone(),
        }),
        None => Err(wrong_kind(name, version, expected, deployment)),
    }
}

fn wrong_kind(
    name: &str,
    version: Version,
    expected: ComponentKind,
    deployment: &Deployment,
) -> RegistryError {
    RegistryError::WrongKind {
        name: name.to_owned(),
        version,
        expected: expected.label(),
        found: deployment.kind().label(),
    }
}
