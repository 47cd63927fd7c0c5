//! Components by name and version: register, look up, activate a version, reload a rebuilt
//! component, and read what each one has done.
//!
//! The catalog is an immutable snapshot behind an [`ArcSwap`]: a lookup is a lock-free load and
//! an `Arc` clone, and a writer builds the next snapshot and swaps it in whole. A call runs on
//! the handle its lookup returned, so a swap never reaches a call already running: it finishes
//! on the version it started with, and the next lookup gets the new one. No lock is held while
//! a guest runs. Compiled code is held by the versions that use it, and freed with the last.

mod catalog;
mod error;
#[cfg(feature = "prometheus")]
mod prometheus;
mod reload;
mod shadow;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;

pub use semver::Version;

pub use error::RegistryError;
pub use reload::{Reloaded, Watcher};
pub use shadow::{ShadowError, ShadowRun, Shadowed};

use crate::change::StateChange;
use crate::database::DatabaseDecider;
use crate::decider::Decider;
use crate::error::Error;
use crate::load::{ComponentKind, Loaded, Sandbox};
use crate::metrics::MetricsSnapshot;
use crate::runtime::Runtime;
use crate::transform::Transform;
use crate::validator::Validator;
use crate::view::StateView;
use catalog::{Catalog, Deployment, Source, unknown_version};

/// The SHA-256 of a component's bytes: two registrations with the same hash are the same
/// component, compiled once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest as _;
        ContentHash(sha2::Sha256::digest(bytes).into())
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

/// A registered component, as [`Registry::list`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentInfo {
    /// The name it is registered under.
    pub name: String,
    /// Its version.
    pub version: Version,
    /// Whether lookups by name get this version.
    pub active: bool,
    /// Its bytes' hash.
    pub hash: ContentHash,
    /// View or change.
    pub kind: ComponentKind,
    /// The sandbox it runs in.
    pub sandbox: Sandbox,
    /// The release of `evident:db` it was built against.
    pub wit_version: &'static str,
    /// The file it was registered from, if any ([`Registry::reload`] rereads it).
    pub source: Option<PathBuf>,
    /// Why the last reload of that file failed, until one succeeds.
    pub last_reload_error: Option<String>,
}

/// A handle from a lookup, with the version and hash it belongs to: everything a call on it
/// returns comes from exactly this version.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    /// The version.
    pub version: Version,
    /// Its bytes' hash.
    pub hash: ContentHash,
    /// The handle to call.
    pub component: T,
}

impl<T> std::ops::Deref for Versioned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.component
    }
}

/// Components by name and version, for a host that runs many and replaces them while events
/// keep flowing. Share it behind an `Arc`; every method takes `&self`.
///
/// ```no_run
/// use evident_host::ComponentKind::View;
/// use evident_host::Sandbox::Strict;
/// use evident_host::{Registry, Runtime, RuntimeConfig};
/// use evident_types::{Parameters, State};
///
/// let registry = Registry::new(Runtime::new(RuntimeConfig::default())?);
/// registry.register_file("counter", "1.0.0", "event_counter.component.wasm", View, Strict)?;
/// registry.register_file("counter", "1.1.0", "event_counter_v2.component.wasm", View, Strict)?;
/// registry.activate("counter", "1.1.0")?; // atomic: running calls finish on 1.0.0
/// let counter = registry.view("counter")?;
/// let state = counter.initialize(&Parameters::new())?;
/// println!("{} {} -> {} bytes", counter.version, counter.hash, state.bytes.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Registry {
    runtime: Runtime,
    catalog: ArcSwap<Catalog>,
    /// Serialises writers; readers never take it.
    writer: Mutex<()>,
}

impl Registry {
    /// An empty registry loading into `runtime`.
    pub fn new(runtime: Runtime) -> Self {
        Registry {
            runtime,
            catalog: ArcSwap::default(),
            writer: Mutex::new(()),
        }
    }

    /// The runtime components are loaded into.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Registers component bytes under `name` and `version` (semver) as `kind`, to run in
    /// `sandbox` (the WASI mode needs the `wasi` feature). The first version of a name becomes
    /// active; later ones wait for [`Registry::activate`]. The same bytes again are accepted and
    /// change nothing; other bytes under a taken version are refused.
    pub fn register(
        &self,
        name: &str,
        version: &str,
        bytes: &[u8],
        kind: ComponentKind,
        sandbox: Sandbox,
    ) -> Result<ComponentInfo, RegistryError> {
        self.register_source(name, version, bytes, kind, sandbox, None)
    }

    /// Registers the component in a file as `kind`, to run in `sandbox`, and remembers the
    /// file for [`Registry::reload`].
    pub fn register_file(
        &self,
        name: &str,
        version: &str,
        path: impl AsRef<Path>,
        kind: ComponentKind,
        sandbox: Sandbox,
    ) -> Result<ComponentInfo, RegistryError> {
        let path = path.as_ref();
        let parsed = parse_version(version)?;
        let bytes = std::fs::read(path).map_err(|source| RegistryError::Load {
            name: name.to_owned(),
            version: parsed,
            source: Box::new(Error::Io {
                path: path.to_owned(),
                source,
            }),
        })?;
        let source = Source {
            path: path.to_owned(),
            stamp: reload::stamp(path),
        };
        self.register_source(name, version, &bytes, kind, sandbox, Some(source))
    }

    /// Makes `version` the one lookups by `name` get, in one atomic swap.
    pub fn activate(&self, name: &str, version: &str) -> Result<(), RegistryError> {
        let version = parse_version(version)?;
        self.update(|catalog| {
            let named = catalog.named_mut(name)?;
            if !named.versions.contains_key(&version) {
                return Err(unknown_version(name, &version));
            }
            named.active = Some(version);
            Ok(())
        })
    }

    /// Forgets one version. Calls already running on it finish; the active version cannot be
    /// removed while other versions remain. The compiled code goes with the last version using
    /// it, once no call holds it.
    pub fn remove(&self, name: &str, version: &str) -> Result<(), RegistryError> {
        let version = parse_version(version)?;
        self.update(|catalog| {
            let named = catalog.named_mut(name)?;
            if named.active.as_ref() == Some(&version) && named.versions.len() > 1 {
                return Err(RegistryError::RemovingActive {
                    name: name.to_owned(),
                    version,
                });
            }
            if named.versions.remove(&version).is_none() {
                return Err(unknown_version(name, &version));
            }
            if named.versions.is_empty() {
                catalog.names.remove(name);
            }
            Ok(())
        })
    }

    /// The active version of the state view `name`.
    pub fn view(&self, name: &str) -> Result<Versioned<StateView>, RegistryError> {
        self.active_as(name, ComponentKind::View, |loaded| match loaded {
            Loaded::View(view) => Some(view),
            _ => None,
        })
    }

    /// A given version of the state view `name`, active or not.
    pub fn view_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Versioned<StateView>, RegistryError> {
        self.version_as(name, version, ComponentKind::View, |loaded| match loaded {
            Loaded::View(view) => Some(view),
            _ => None,
        })
    }

    /// The active version of the state change `name`.
    pub fn change(&self, name: &str) -> Result<Versioned<StateChange>, RegistryError> {
        self.active_as(name, ComponentKind::Change, |loaded| match loaded {
            Loaded::Change(change) => Some(change),
            _ => None,
        })
    }

    /// A given version of the state change `name`, active or not.
    pub fn change_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Versioned<StateChange>, RegistryError> {
        self.version_as(
            name,
            version,
            ComponentKind::Change,
            |loaded| match loaded {
                Loaded::Change(change) => Some(change),
                _ => None,
            },
        )
    }

    /// The active version of the decider (a view and a change over one state) `name`.
    pub fn decider(&self, name: &str) -> Result<Versioned<Decider>, RegistryError> {
        self.active_as(name, ComponentKind::Decider, |loaded| match loaded {
            Loaded::Decider(decider) => Some(decider),
            _ => None,
        })
    }

    /// The active version of the database decider `name`.
    pub fn database_decider(
        &self,
        name: &str,
    ) -> Result<Versioned<DatabaseDecider>, RegistryError> {
        self.active_as(
            name,
            ComponentKind::DatabaseDecider,
            |loaded| match loaded {
                Loaded::DatabaseDecider(decider) => Some(decider),
                _ => None,
            },
        )
    }

    /// A given version of the database decider `name`, active or not.
    pub fn database_decider_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Versioned<DatabaseDecider>, RegistryError> {
        self.version_as(
            name,
            version,
            ComponentKind::DatabaseDecider,
            |loaded| match loaded {
                Loaded::DatabaseDecider(decider) => Some(decider),
                _ => None,
            },
        )
    }

    /// The active version of the validator `name`.
    pub fn validator(&self, name: &str) -> Result<Versioned<Validator>, RegistryError> {
        self.active_as(name, ComponentKind::Validator, |loaded| match loaded {
            Loaded::Validator(validator) => Some(validator),
            _ => None,
        })
    }

    /// The active version of the transform `name`.
    pub fn transform(&self, name: &str) -> Result<Versioned<Transform>, RegistryError> {
        self.active_as(name, ComponentKind::Transform, |loaded| match loaded {
            Loaded::Transform(transform) => Some(transform),
            _ => None,
        })
    }

    /// The active version of `name`, whatever its kind.
    pub fn component(&self, name: &str) -> Result<Versioned<Loaded>, RegistryError> {
        let (version, deployment) = self.active(name)?;
        Ok(Versioned {
            version,
            hash: deployment.hash,
            component: deployment.loaded.clone(),
        })
    }

    /// Every registered version, by name then version.
    pub fn list(&self) -> Vec<ComponentInfo> {
        self.metrics().into_iter().map(|(info, _)| info).collect()
    }

    /// What each registered version has done so far.
    pub fn metrics(&self) -> Vec<(ComponentInfo, MetricsSnapshot)> {
        let catalog = self.catalog.load();
        catalog
            .names
            .iter()
            .flat_map(|(name, named)| {
                named.versions.iter().map(move |(version, deployment)| {
                    let active = named.active.as_ref() == Some(version);
                    let snapshot = deployment.loaded.metrics();
                    (catalog::info(name, version, active, deployment), snapshot)
                })
            })
            .collect()
    }

    fn register_source(
        &self,
        name: &str,
        version: &str,
        bytes: &[u8],
        kind: ComponentKind,
        sandbox: Sandbox,
        source: Option<Source>,
    ) -> Result<ComponentInfo, RegistryError> {
        let version = parse_version(version)?;
        let hash = ContentHash::of(bytes);
        let taken = |existing: ContentHash| RegistryError::VersionTaken {
            name: name.to_owned(),
            version: version.clone(),
            existing,
        };
        if let Ok((_, existing)) = self.version(name, &version.to_string())
            && existing.hash != hash
        {
            return Err(taken(existing.hash));
        }
        let loaded =
            self.load(name, bytes, hash, kind, sandbox)
                .map_err(|e| RegistryError::Load {
                    name: name.to_owned(),
                    version: version.clone(),
                    source: Box::new(e),
                })?;
        self.update(|catalog| {
            let named = catalog.names.entry(name.to_owned()).or_default();
            match named.versions.get(&version) {
                Some(existing) if existing.hash != hash => return Err(taken(existing.hash)),
                Some(_) => {}
                None => {
                    let deployment = Deployment {
                        hash,
                        loaded,
                        sandbox,
                        source,
                        last_reload_error: None,
                    };
                    named.versions.insert(version.clone(), Arc::new(deployment));
                    named.active.get_or_insert_with(|| version.clone());
                }
            }
            // Read inside the update: a concurrent `remove` cannot come between.
            Ok(catalog.info(name, &version).expect("just registered"))
        })
    }

    /// Compiles `bytes` (unless a registered version already has the same content) and checks
    /// them as `kind` under `name`.
    fn load(
        &self,
        name: &str,
        bytes: &[u8],
        hash: ContentHash,
        kind: ComponentKind,
        sandbox: Sandbox,
    ) -> Result<Loaded, Error> {
        let load = match self.catalog.load().compiled(hash) {
            Some(compiled) => self.runtime.load_compiled(name, compiled),
            None => self.runtime.load(name, bytes),
        };
        load.sandbox(sandbox).as_kind(kind)
    }

    /// Builds the next catalog from the current one with `change` and swaps it in, unless
    /// `change` refuses.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut Catalog) -> Result<T, RegistryError>,
    ) -> Result<T, RegistryError> {
        let _writer = self.writer.lock();
        let mut next = Catalog::clone(&self.catalog.load());
        let result = change(&mut next)?;
        self.catalog.store(Arc::new(next));
        Ok(result)
    }

    fn active(&self, name: &str) -> Result<(Version, Arc<Deployment>), RegistryError> {
        let catalog = self.catalog.load();
        let (version, deployment) = catalog
            .named(name)?
            .active()
            .ok_or_else(|| catalog::unknown_name(name))?;
        Ok((version.clone(), deployment.clone()))
    }

    fn version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<(Version, Arc<Deployment>), RegistryError> {
        let version = parse_version(version)?;
        let catalog = self.catalog.load();
        let deployment = catalog
            .named(name)?
            .versions
            .get(&version)
            .cloned()
            .ok_or_else(|| unknown_version(name, &version))?;
        Ok((version, deployment))
    }
}

impl Registry {
    /// The active version of `name`, as the kind `pick` takes.
    fn active_as<T: Clone>(
        &self,
        name: &str,
        expected: ComponentKind,
        pick: impl FnOnce(&Loaded) -> Option<&T>,
    ) -> Result<Versioned<T>, RegistryError> {
        let (version, deployment) = self.active(name)?;
        catalog::versioned(name, version, &deployment, expected, pick)
    }

    /// A given version of `name`, as the kind `pick` takes.
    fn version_as<T: Clone>(
        &self,
        name: &str,
        version: &str,
        expected: ComponentKind,
        pick: impl FnOnce(&Loaded) -> Option<&T>,
    ) -> Result<Versioned<T>, RegistryError> {
        let (version, deployment) = self.version(name, version)?;
        catalog::versioned(name, version, &deployment, expected, pick)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("components", &self.list())
            .finish_non_exhaustive()
    }
}

fn parse_version(text: &str) -> Result<Version, RegistryError> {
    Version::parse(text).map_err(|e| RegistryError::InvalidVersion {
        text: text.to_owned(),
        reason: e.to_string(),
    })
}
