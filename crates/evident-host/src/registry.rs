//! Components by name and version: register, look up, activate a version, reload a rebuilt
//! component, and read what each one has done.
//!
//! The catalog is an immutable snapshot behind an [`ArcSwap`]: a lookup is a lock-free load and
//! an `Arc` clone, and a writer builds the next snapshot and swaps it in whole. A call runs on
//! the handle its lookup returned, so a swap never reaches a call already running: it finishes
//! on the version it started with, and the next lookup gets the new one. No lock is held while
//! a guest runs.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use wasmtime::component::Component;

pub use semver::Version;

use crate::change::StateChange;
use crate::component::{STATE_CHANGE, STATE_VIEW};
use crate::error::Error;
use crate::metrics::MetricsSnapshot;
use crate::runtime::Runtime;
use crate::view::StateView;

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

/// What a registered component is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// A state view.
    View,
    /// A state change.
    Change,
}

impl ComponentKind {
    fn label(self) -> &'static str {
        match self {
            ComponentKind::View => "state view",
            ComponentKind::Change => "state change",
        }
    }
}

/// Why a registry operation was refused. Nothing is changed by a refused operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No component has that name.
    #[error("no component is registered as `{name}`")]
    UnknownName {
        /// The name asked for.
        name: String,
    },
    /// The name is known, the version is not.
    #[error("`{name}` has no version {version}")]
    UnknownVersion {
        /// The name.
        name: String,
        /// The version asked for.
        version: Version,
    },
    /// The component is not of the kind asked for.
    #[error("`{name}` {version} is a {found}, not a {expected}")]
    WrongKind {
        /// The name.
        name: String,
        /// Its version.
        version: Version,
        /// What was asked for.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// The version text is not semver.
    #[error("`{text}` is not a semantic version: {reason}")]
    InvalidVersion {
        /// The text given.
        text: String,
        /// Why.
        reason: String,
    },
    /// Versions are immutable: other bytes under a registered name and version are refused.
    #[error("`{name}` {version} is already registered with other bytes ({existing})")]
    VersionTaken {
        /// The name.
        name: String,
        /// The version.
        version: Version,
        /// The hash of the bytes already registered.
        existing: ContentHash,
    },
    /// The active version cannot be removed; activate another first.
    #[error("`{name}` {version} is the active version; activate another before removing it")]
    RemovingActive {
        /// The name.
        name: String,
        /// The version.
        version: Version,
    },
    /// Only a component registered from a file can be reloaded.
    #[error("`{name}` {version} was registered from bytes, not a file: nothing to reload")]
    NoSourceFile {
        /// The name.
        name: String,
        /// The version.
        version: Version,
    },
    /// The component (or its rebuilt file) does not load; what was serving keeps serving.
    #[error("`{name}` {version} does not load: {source}")]
    Load {
        /// The name.
        name: String,
        /// The version.
        version: Version,
        /// Why, as the runtime says it.
        #[source]
        source: Box<Error>,
    },
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

/// What [`Registry::reload`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// The file has the bytes already serving.
    Unchanged,
    /// The file's new bytes loaded and now serve under the same version.
    Replaced {
        /// The hash that served before.
        previous: ContentHash,
        /// The hash that serves now.
        current: ContentHash,
    },
}

#[derive(Clone)]
enum Loaded {
    View(StateView),
    Change(StateChange),
}

/// One registered version. Immutable: a reload makes a new one.
struct Deployment {
    hash: ContentHash,
    loaded: Loaded,
    source: Option<Source>,
    last_reload_error: Option<String>,
}

impl Deployment {
    fn kind(&self) -> ComponentKind {
        match self.loaded {
            Loaded::View(_) => ComponentKind::View,
            Loaded::Change(_) => ComponentKind::Change,
        }
    }
}

#[derive(Clone)]
struct Source {
    path: PathBuf,
    /// Size and modification time when last read, so a watcher rereads only what changed.
    stamp: Option<(u64, SystemTime)>,
}

#[derive(Clone, Default)]
struct Named {
    versions: BTreeMap<Version, Arc<Deployment>>,
    active: Option<Version>,
}

/// The registry's content at one moment; replaced whole by every change.
#[derive(Clone, Default)]
struct Catalog {
    names: BTreeMap<String, Named>,
}

/// Components by name and version, for a host that runs many and replaces them while events
/// keep flowing. Share it behind an `Arc`; every method takes `&self`.
///
/// ```no_run
/// use evident_host::{Registry, Runtime, RuntimeConfig};
/// use evident_types::{Parameters, State};
///
/// let registry = Registry::new(Runtime::new(RuntimeConfig::default())?);
/// registry.register_view_file("counter", "1.0.0", "event_counter.component.wasm")?;
/// registry.register_view_file("counter", "1.1.0", "event_counter_v2.component.wasm")?;
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
    /// Compiled code by content, so the same bytes compile once whatever they are registered as.
    compiled: Mutex<HashMap<ContentHash, Component>>,
}

impl Registry {
    /// An empty registry loading into `runtime`.
    pub fn new(runtime: Runtime) -> Self {
        Registry {
            runtime,
            catalog: ArcSwap::default(),
            writer: Mutex::new(()),
            compiled: Mutex::default(),
        }
    }

    /// The runtime components are loaded into.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Registers a state view under `name` and `version` (semver). The first version of a name
    /// becomes active; later ones wait for [`Registry::activate`]. The same bytes again are
    /// accepted and change nothing; other bytes under a taken version are refused.
    pub fn register_view(
        &self,
        name: &str,
        version: &str,
        bytes: &[u8],
    ) -> Result<ComponentInfo, RegistryError> {
        self.register(name, version, bytes, ComponentKind::View, None)
    }

    /// Registers a state change, as [`Registry::register_view`] does a view.
    pub fn register_change(
        &self,
        name: &str,
        version: &str,
        bytes: &[u8],
    ) -> Result<ComponentInfo, RegistryError> {
        self.register(name, version, bytes, ComponentKind::Change, None)
    }

    /// Registers the state view in a file, and remembers the file for [`Registry::reload`].
    pub fn register_view_file(
        &self,
        name: &str,
        version: &str,
        path: impl AsRef<Path>,
    ) -> Result<ComponentInfo, RegistryError> {
        self.register_file(name, version, path.as_ref(), ComponentKind::View)
    }

    /// Registers the state change in a file, and remembers the file for [`Registry::reload`].
    pub fn register_change_file(
        &self,
        name: &str,
        version: &str,
        path: impl AsRef<Path>,
    ) -> Result<ComponentInfo, RegistryError> {
        self.register_file(name, version, path.as_ref(), ComponentKind::Change)
    }

    /// Makes `version` the one lookups by `name` get, in one atomic swap.
    pub fn activate(&self, name: &str, version: &str) -> Result<(), RegistryError> {
        let version = parse_version(version)?;
        self.update(|catalog| {
            let named = named_mut(catalog, name)?;
            if !named.versions.contains_key(&version) {
                return Err(unknown_version(name, &version));
            }
            named.active = Some(version);
            Ok(())
        })
    }

    /// Forgets one version. Calls already running on it finish; the active version cannot be
    /// removed while it is active.
    pub fn remove(&self, name: &str, version: &str) -> Result<(), RegistryError> {
        let version = parse_version(version)?;
        self.update(|catalog| {
            let named = named_mut(catalog, name)?;
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
        let (version, deployment) = self.active(name)?;
        as_view(name, version, &deployment)
    }

    /// A given version of the state view `name`, active or not.
    pub fn view_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Versioned<StateView>, RegistryError> {
        let (version, deployment) = self.version(name, version)?;
        as_view(name, version, &deployment)
    }

    /// The active version of the state change `name`.
    pub fn change(&self, name: &str) -> Result<Versioned<StateChange>, RegistryError> {
        let (version, deployment) = self.active(name)?;
        as_change(name, version, &deployment)
    }

    /// A given version of the state change `name`, active or not.
    pub fn change_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Versioned<StateChange>, RegistryError> {
        let (version, deployment) = self.version(name, version)?;
        as_change(name, version, &deployment)
    }

    /// Every registered version, by name then version.
    pub fn list(&self) -> Vec<ComponentInfo> {
        let catalog = self.catalog.load();
        catalog
            .names
            .iter()
            .flat_map(|(name, named)| {
                named.versions.iter().map(move |(version, deployment)| {
                    info(
                        name,
                        version,
                        named.active.as_ref() == Some(version),
                        deployment,
                    )
                })
            })
            .collect()
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
                    let snapshot = match &deployment.loaded {
                        Loaded::View(view) => view.metrics(),
                        Loaded::Change(change) => change.metrics(),
                    };
                    (info(name, version, active, deployment), snapshot)
                })
            })
            .collect()
    }

    /// Rereads the file the active version of `name` was registered from. New bytes that load
    /// and pass the checks replace it (same version, new hash) in one swap; bytes that do not
    /// are refused, recorded as its `last_reload_error`, and the working component keeps
    /// serving.
    pub fn reload(&self, name: &str) -> Result<Reloaded, RegistryError> {
        let (version, serving) = self.active(name)?;
        let Some(source) = &serving.source else {
            return Err(RegistryError::NoSourceFile {
                name: name.to_owned(),
                version,
            });
        };
        let source = Source {
            path: source.path.clone(),
            stamp: stamp(&source.path),
        };
        let attempt = std::fs::read(&source.path)
            .map_err(|e| Error::Io {
                path: source.path.clone(),
                source: e,
            })
            .and_then(|bytes| match ContentHash::of(&bytes) {
                hash if hash == serving.hash => Ok(None),
                hash => self
                    .load(name, &bytes, hash, serving.kind())
                    .map(|l| Some((hash, l))),
            });
        let unchanged = |last_reload_error| Deployment {
            hash: serving.hash,
            loaded: serving.loaded.clone(),
            source: Some(source.clone()),
            last_reload_error,
        };
        let (next, result) = match attempt {
            Ok(None) => (unchanged(None), Ok(Reloaded::Unchanged)),
            Ok(Some((hash, loaded))) => {
                tracing::info!(component = name, %version, %hash, "reloaded from {}", source.path.display());
                let next = Deployment {
                    hash,
                    loaded,
                    source: Some(source.clone()),
                    last_reload_error: None,
                };
                let replaced = Reloaded::Replaced {
                    previous: serving.hash,
                    current: hash,
                };
                (next, Ok(replaced))
            }
            Err(e) => {
                tracing::error!(component = name, %version, "reload refused, the previous build keeps serving: {e}");
                let next = unchanged(Some(e.to_string()));
                let refused = RegistryError::Load {
                    name: name.to_owned(),
                    version: version.clone(),
                    source: Box::new(e),
                };
                (next, Err(refused))
            }
        };
        self.update(|catalog| {
            let named = named_mut(catalog, name)?;
            // Only over the deployment read above: a concurrent change wins.
            if named
                .versions
                .get(&version)
                .is_some_and(|current| Arc::ptr_eq(current, &serving))
            {
                named.versions.insert(version.clone(), Arc::new(next));
            }
            Ok(())
        })?;
        result
    }

    /// Starts a thread that checks, every `interval`, the files active versions were registered
    /// from, and reloads those whose size or modification time changed (reporting failures as
    /// [`Registry::reload`] does). It stops when the [`Watcher`] is dropped.
    pub fn watch(self: &Arc<Self>, interval: Duration) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let registry = Arc::downgrade(self);
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("evident-registry-watch".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(interval);
                    let Some(registry) = registry.upgrade() else {
                        return;
                    };
                    for name in registry.changed_sources() {
                        // Failures are logged and recorded by `reload`.
                        let _ = registry.reload(&name);
                    }
                }
            })
            .expect("spawning the registry watcher");
        Watcher {
            stop,
            thread: Some(thread),
        }
    }

    /// Names whose active version's source file has another size or time than when read.
    fn changed_sources(&self) -> Vec<String> {
        let catalog = self.catalog.load();
        catalog
            .names
            .iter()
            .filter(|(_, named)| {
                let active = named.active.as_ref().and_then(|v| named.versions.get(v));
                active
                    .and_then(|deployment| deployment.source.as_ref())
                    .is_some_and(|source| stamp(&source.path) != source.stamp)
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn register_file(
        &self,
        name: &str,
        version: &str,
        path: &Path,
        kind: ComponentKind,
    ) -> Result<ComponentInfo, RegistryError> {
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
            stamp: stamp(path),
        };
        self.register(name, version, &bytes, kind, Some(source))
    }

    fn register(
        &self,
        name: &str,
        version: &str,
        bytes: &[u8],
        kind: ComponentKind,
        source: Option<Source>,
    ) -> Result<ComponentInfo, RegistryError> {
        let version = parse_version(version)?;
        let hash = ContentHash::of(bytes);
        if let Ok((_, existing)) = self.version(name, &version.to_string()) {
            return if existing.hash == hash {
                Ok(self.info_of(name, &version))
            } else {
                Err(RegistryError::VersionTaken {
                    name: name.to_owned(),
                    version,
                    existing: existing.hash,
                })
            };
        }
        let loaded = self
            .load(name, bytes, hash, kind)
            .map_err(|e| RegistryError::Load {
                name: name.to_owned(),
                version: version.clone(),
                source: Box::new(e),
            })?;
        self.update(|catalog| {
            let named = catalog.names.entry(name.to_owned()).or_default();
            if let Some(existing) = named.versions.get(&version) {
                if existing.hash != hash {
                    return Err(RegistryError::VersionTaken {
                        name: name.to_owned(),
                        version: version.clone(),
                        existing: existing.hash,
                    });
                }
                return Ok(());
            }
            let deployment = Deployment {
                hash,
                loaded,
                source,
                last_reload_error: None,
            };
            named.versions.insert(version.clone(), Arc::new(deployment));
            named.active.get_or_insert_with(|| version.clone());
            Ok(())
        })?;
        Ok(self.info_of(name, &version))
    }

    /// Compiles `bytes` once per content, and checks them as `kind` under `name`.
    fn load(
        &self,
        name: &str,
        bytes: &[u8],
        hash: ContentHash,
        kind: ComponentKind,
    ) -> Result<Loaded, Error> {
        let what = match kind {
            ComponentKind::View => STATE_VIEW,
            ComponentKind::Change => STATE_CHANGE,
        };
        let compiled = self.compiled.lock().get(&hash).cloned();
        let compiled = match compiled {
            Some(compiled) => compiled,
            None => {
                // Compiled outside the lock: a compile takes milliseconds.
                let compiled = self.runtime.compile(name, bytes, what)?;
                self.compiled.lock().insert(hash, compiled.clone());
                compiled
            }
        };
        let loaded = match kind {
            ComponentKind::View => {
                StateView::prepare(&self.runtime, name, &compiled, what).map(Loaded::View)
            }
            ComponentKind::Change => {
                StateChange::prepare(&self.runtime, name, &compiled, what).map(Loaded::Change)
            }
        };
        if loaded.is_err() {
            self.compiled.lock().remove(&hash);
        }
        loaded
    }

    /// Builds the next catalog from the current one with `change` and swaps it in, unless
    /// `change` refuses.
    fn update(
        &self,
        change: impl FnOnce(&mut Catalog) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let _writer = self.writer.lock();
        let mut next = Catalog::clone(&self.catalog.load());
        change(&mut next)?;
        self.catalog.store(Arc::new(next));
        Ok(())
    }

    fn active(&self, name: &str) -> Result<(Version, Arc<Deployment>), RegistryError> {
        let catalog = self.catalog.load();
        let named = catalog.names.get(name).ok_or_else(|| unknown_name(name))?;
        let version = named.active.clone().ok_or_else(|| unknown_name(name))?;
        let deployment = named.versions[&version].clone();
        Ok((version, deployment))
    }

    fn version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<(Version, Arc<Deployment>), RegistryError> {
        let version = parse_version(version)?;
        let catalog = self.catalog.load();
        let named = catalog.names.get(name).ok_or_else(|| unknown_name(name))?;
        let deployment = named
            .versions
            .get(&version)
            .cloned()
            .ok_or_else(|| unknown_version(name, &version))?;
        Ok((version, deployment))
    }

    fn info_of(&self, name: &str, version: &Version) -> ComponentInfo {
        let catalog = self.catalog.load();
        let named = &catalog.names[name];
        info(
            name,
            version,
            named.active.as_ref() == Some(version),
            &named.versions[version],
        )
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("components", &self.list())
            .finish_non_exhaustive()
    }
}

/// Stops [`Registry::watch`]'s thread when dropped.
#[derive(Debug)]
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}

fn parse_version(text: &str) -> Result<Version, RegistryError> {
    Version::parse(text).map_err(|e| RegistryError::InvalidVersion {
        text: text.to_owned(),
        reason: e.to_string(),
    })
}

fn unknown_name(name: &str) -> RegistryError {
    RegistryError::UnknownName {
        name: name.to_owned(),
    }
}

fn unknown_version(name: &str, version: &Version) -> RegistryError {
    RegistryError::UnknownVersion {
        name: name.to_owned(),
        version: version.clone(),
    }
}

fn named_mut<'a>(catalog: &'a mut Catalog, name: &str) -> Result<&'a mut Named, RegistryError> {
    catalog
        .names
        .get_mut(name)
        .ok_or_else(|| unknown_name(name))
}

fn info(name: &str, version: &Version, active: bool, deployment: &Deployment) -> ComponentInfo {
    let wit_version = match &deployment.loaded {
        Loaded::View(view) => view.wit_version(),
        Loaded::Change(change) => change.wit_version(),
    };
    ComponentInfo {
        name: name.to_owned(),
        version: version.clone(),
        active,
        hash: deployment.hash,
        kind: deployment.kind(),
        wit_version,
        source: deployment.source.as_ref().map(|s| s.path.clone()),
        last_reload_error: deployment.last_reload_error.clone(),
    }
}

fn as_view(
    name: &str,
    version: Version,
    deployment: &Deployment,
) -> Result<Versioned<StateView>, RegistryError> {
    match &deployment.loaded {
        Loaded::View(view) => Ok(Versioned {
            version,
            hash: deployment.hash,
            component: view.clone(),
        }),
        Loaded::Change(_) => Err(wrong_kind(name, version, ComponentKind::View)),
    }
}

fn as_change(
    name: &str,
    version: Version,
    deployment: &Deployment,
) -> Result<Versioned<StateChange>, RegistryError> {
    match &deployment.loaded {
        Loaded::Change(change) => Ok(Versioned {
            version,
            hash: deployment.hash,
            component: change.clone(),
        }),
        Loaded::View(_) => Err(wrong_kind(name, version, ComponentKind::Change)),
    }
}

fn wrong_kind(name: &str, version: Version, expected: ComponentKind) -> RegistryError {
    let found = match expected {
        ComponentKind::View => ComponentKind::Change,
        ComponentKind::Change => ComponentKind::View,
    };
    RegistryError::WrongKind {
        name: name.to_owned(),
        version,
        expected: expected.label(),
        found: found.label(),
    }
}

/// The Prometheus exporter (feature `prometheus`): the same snapshots, encoded by
/// `prometheus-client`.
#[cfg(feature = "prometheus")]
mod prometheus {
    use prometheus_client::collector::Collector;
    use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
    use prometheus_client::metrics::MetricType;
    use prometheus_client::metrics::counter::ConstCounter;
    use prometheus_client::metrics::gauge::ConstGauge;

    use super::{ComponentInfo, MetricsSnapshot, Registry};
    use crate::metrics::ErrorKind;

    impl Registry {
        /// Every registered version's metrics in the Prometheus text exposition format, labelled
        /// `component` and `version`: `evident_component_calls_total`, `..._events_total`,
        /// `..._errors_total` (by `kind`), `..._fuel_consumed_total`,
        /// `..._peak_memory_bytes` and the histogram `..._call_duration_seconds`.
        pub fn encode_prometheus(&self) -> String {
            let mut registry = prometheus_client::registry::Registry::default();
            registry.register_collector(Box::new(Snapshots(self.metrics())));
            let mut text = String::new();
            prometheus_client::encoding::text::encode(&mut text, &registry)
                .expect("encoding into a String cannot fail");
            text
        }
    }

    #[derive(Debug)]
    struct Snapshots(Vec<(ComponentInfo, MetricsSnapshot)>);

    type Labels = Vec<(&'static str, String)>;

    fn labels(info: &ComponentInfo) -> Labels {
        vec![
            ("component", info.name.clone()),
            ("version", info.version.to_string()),
        ]
    }

    impl Snapshots {
        fn counter(
            &self,
            encoder: &mut DescriptorEncoder,
            name: &str,
            help: &str,
            value: impl Fn(&MetricsSnapshot) -> u64,
        ) -> std::fmt::Result {
            let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
            for (info, snapshot) in &self.0 {
                let labels = labels(info);
                let family = metric.encode_family(&labels)?;
                ConstCounter::new(value(snapshot)).encode(family)?;
            }
            Ok(())
        }
    }

    impl Collector for Snapshots {
        fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
            self.counter(&mut encoder, "evident_component_calls", "Calls made", |s| {
                s.calls
            })?;
            self.counter(
                &mut encoder,
                "evident_component_events",
                "Events applied",
                |s| s.events,
            )?;
            self.counter(
                &mut encoder,
                "evident_component_fuel_consumed",
                "Fuel used by all calls",
                |s| s.fuel_consumed,
            )?;
            let mut errors = encoder.encode_descriptor(
                "evident_component_errors",
                "Failed calls by kind",
                None,
                MetricType::Counter,
            )?;
            for (info, snapshot) in &self.0 {
                for kind in ErrorKind::ALL {
                    let mut labels = labels(info);
                    labels.push(("kind", kind.as_str().to_owned()));
                    let family = errors.encode_family(&labels)?;
                    ConstCounter::new(snapshot.errors_of(kind)).encode(family)?;
                }
            }
            let mut memory = encoder.encode_descriptor(
                "evident_component_peak_memory_bytes",
                "The largest linear memory any call saw",
                None,
                MetricType::Gauge,
            )?;
            for (info, snapshot) in &self.0 {
                let labels = labels(info);
                let family = memory.encode_family(&labels)?;
                let peak = i64::try_from(snapshot.peak_memory_bytes).unwrap_or(i64::MAX);
                ConstGauge::new(peak).encode(family)?;
            }
            let mut latency = encoder.encode_descriptor(
                "evident_component_call_duration_seconds",
                "How long calls took",
                None,
                MetricType::Histogram,
            )?;
            for (info, snapshot) in &self.0 {
                let buckets: Vec<(f64, u64)> = snapshot
                    .latency
                    .buckets
                    .iter()
                    .map(|(bound, count)| {
                        (bound.map_or(f64::INFINITY, |b| b.as_secs_f64()), *count)
                    })
                    .collect();
                let labels = labels(info);
                let mut family = latency.encode_family(&labels)?;
                family.encode_histogram::<Labels>(
                    snapshot.latency.total.as_secs_f64(),
                    snapshot.latency.count(),
                    &buckets,
                    None,
                )?;
            }
            Ok(())
        }
    }
}
