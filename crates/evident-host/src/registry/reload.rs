//! Reloading a rebuilt component file, and the thread that watches files for it.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::load::Loaded;
use crate::registry::catalog::{Deployment, Source};
use crate::registry::{ContentHash, Registry, RegistryError};

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

impl Registry {
    /// Rereads the file the active version of `name` was registered from. New bytes that load
    /// and pass the checks replace it (same version, new hash) in one swap; bytes that do not
    /// are refused, recorded as its `last_reload_error`, and the working component keeps
    /// serving. If the version changes meanwhile (another reload, a removal), nothing is
    /// replaced and the reload says so ([`RegistryError::ReloadRaced`]).
    pub fn reload(&self, name: &str) -> Result<Reloaded, RegistryError> {
        let unchecked = |_: &Loaded, _: &Loaded| Ok::<(), std::convert::Infallible>(());
        self.reload_checked(name, unchecked)
            .map_err(|refused| match refused {
                Refused::Registry(e) => e,
                Refused::Check(never) => match never {},
            })
    }

    /// [`Registry::reload`], with new bytes that load swapped in only if `check` (given the
    /// serving component and the new one) passes; if it fails, it is refused as a failed load
    /// is: recorded as the `last_reload_error`, the serving component kept.
    pub(crate) fn reload_checked<E: std::fmt::Display>(
        &self,
        name: &str,
        check: impl FnOnce(&Loaded, &Loaded) -> Result<(), E>,
    ) -> Result<Reloaded, Refused<E>> {
        let (version, serving) = self.active(name)?;
        let Some(source) = &serving.source else {
            return Err(Refused::Registry(RegistryError::NoSourceFile {
                name: name.to_owned(),
                version,
            }));
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
                    .load(name, &bytes, hash, serving.kind(), serving.sandbox)
                    .map(|loaded| Some((hash, loaded))),
            });
        let unchanged = |last_reload_error| Deployment {
            source: Some(source.clone()),
            last_reload_error,
            ..Deployment::clone(&serving)
        };
        let refused = match &attempt {
            Ok(Some((_, loaded))) => check(&serving.loaded, loaded).err(),
            _ => None,
        };
        let (next, result) = match (attempt, refused) {
            (_, Some(refused)) => {
                tracing::error!(component = name, %version, "reload refused, the previous build keeps serving: {refused}");
                (
                    unchanged(Some(refused.to_string())),
                    Err(Refused::Check(refused)),
                )
            }
            (Ok(None), None) => (unchanged(None), Ok(Reloaded::Unchanged)),
            (Ok(Some((hash, loaded))), None) => {
                let next = Deployment {
                    hash,
                    loaded,
                    sandbox: serving.sandbox,
                    source: Some(source.clone()),
                    last_reload_error: None,
                };
                let replaced = Reloaded::Replaced {
                    previous: serving.hash,
                    current: hash,
                };
                (next, Ok(replaced))
            }
            (Err(e), None) => {
                tracing::error!(component = name, %version, "reload refused, the previous build keeps serving: {e}");
                let next = unchanged(Some(e.to_string()));
                let refused = RegistryError::Load {
                    name: name.to_owned(),
                    version: version.clone(),
                    source: Box::new(e),
                };
                (next, Err(Refused::Registry(refused)))
            }
        };
        self.update(|catalog| {
            let named = catalog.named_mut(name)?;
            // Only over the deployment read above: a concurrent change wins, and is reported.
            match named.versions.get(&version) {
                Some(current) if Arc::ptr_eq(current, &serving) => {
                    named.versions.insert(version.clone(), Arc::new(next));
                    Ok(())
                }
                _ => Err(RegistryError::ReloadRaced {
                    name: name.to_owned(),
                    version: version.clone(),
                }),
            }
        })
        .map_err(Refused::Registry)?;
        if let Ok(Reloaded::Replaced { current, .. }) = &result {
            tracing::info!(component = name, %version, hash = %current, "reloaded from {}", source.path.display());
        }
        result
    }

    /// Starts a thread that checks, every `interval`, the files active versions were registered
    /// from, and reloads those whose size or modification time changed (reporting failures as
    /// [`Registry::reload`] does). It stops when the [`Watcher`] is dropped, without waiting
    /// for the interval to end, or when the registry is dropped.
    pub fn watch(self: &Arc<Self>, interval: Duration) -> Result<Watcher, RegistryError> {
        let (stop, stopped) = mpsc::channel::<()>();
        let registry = Arc::downgrade(self);
        let thread = std::thread::Builder::new()
            .name("evident-registry-watch".into())
            .spawn(move || {
                // Until the watcher is dropped (a disconnected channel) or says stop.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                    let Some(registry) = registry.upgrade() else {
                        return;
                    };
                    for name in registry.changed_sources() {
                        // Failures are logged and recorded by `reload`.
                        let _ = registry.reload(&name);
                    }
                }
            })
            .map_err(|e| RegistryError::Watch {
                reason: e.to_string(),
            })?;
        Ok(Watcher {
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Names whose active version's source file has another size or time than when read.
    fn changed_sources(&self) -> Vec<String> {
        let catalog = self.catalog.load();
        catalog
            .names
            .iter()
            .filter(|(_, named)| {
                named
                    .active()
                    .and_then(|(_, deployment)| deployment.source.as_ref())
                    .is_some_and(|source| stamp(&source.path) != source.stamp)
            })
            .map(|(name, _)| name.clone())
            .collect()
    }
}

/// Why [`Registry::reload_checked`] refused: as [`Registry::reload`] does, or by its check.
pub(crate) enum Refused<E> {
    Registry(RegistryError),
    Check(E),
}

impl<E> From<RegistryError> for Refused<E> {
    fn from(error: RegistryError) -> Self {
        Refused::Registry(error)
    }
}

/// Stops [`Registry::watch`]'s thread when dropped.
#[derive(Debug)]
pub struct Watcher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // Disconnecting wakes the thread at once; it then finishes the reloads it is making.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A file's size and modification time, to tell whether it changed.
pub(crate) fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}
