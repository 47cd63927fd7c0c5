//! Precompiled artifacts and the AOT cache: components compiled once and loaded as native code.
//!
//! Deserialising an artifact is running code Wasmtime compiled, as it is: `unsafe` in
//! Wasmtime, and so in the functions here that take a path, with the contract spelled out. The
//! cache is the one place the host deserialises on its own, and it checks that no one but its
//! own user could have put a file there.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use crate::change::StateChange;
use crate::component::{self, STATE_CHANGE, STATE_VIEW};
use crate::error::Error;
use crate::runtime::{Runtime, component_name};
use crate::view::StateView;

impl Runtime {
    /// Compiles component bytes ahead of time into an artifact that
    /// [`Runtime::load_view_precompiled`] loads in microseconds instead of milliseconds. The
    /// artifact only loads into a runtime of the same Wasmtime version and engine settings.
    pub fn precompile(&self, name: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        self.engine()
            .precompile_component(bytes)
            .map_err(|e| Error::InvalidComponent {
                component: name.into(),
                expected: "component",
                reason: format!("{e:#}"),
            })
    }
}

/// Precompiled artifacts: Wasmtime's deserialisation is `unsafe` (the artifact is native code),
/// and so are these, with the contract spelled out.
#[allow(unsafe_code)]
impl Runtime {
    /// The file [`RuntimeConfig::aot_cache_dir`] keeps `bytes` compiled in (whether or not it
    /// exists yet), or `None` without a cache.
    pub fn aot_cache_path(&self, bytes: &[u8]) -> Option<PathBuf> {
        use sha2::Digest as _;
        let dir = self.config().aot_cache_dir.as_ref()?;
        let mut engine = std::hash::DefaultHasher::new();
        self.engine()
            .precompile_compatibility_hash()
            .hash(&mut engine);
        let content = sha2::Sha256::digest(bytes);
        let content: String = content.iter().map(|b| format!("{b:02x}")).collect();
        Some(dir.join(format!("{content}-{:016x}.cwasm", engine.finish())))
    }

    /// Compiles `bytes`, through the AOT cache when there is one.
    pub(crate) fn compile(
        &self,
        name: &str,
        bytes: &[u8],
        kind: component::Kind,
    ) -> Result<Component, Error> {
        let Some(path) = self.aot_cache_path(bytes) else {
            return component::compile(self, name, bytes, kind);
        };
        let dir = path.parent().unwrap_or(&path);
        if let Err(reason) =
            std::fs::metadata(dir).map_or(Ok(()), |metadata| this_users_alone(dir, &metadata))
        {
            tracing::warn!(
                component = name,
                "not using the AOT cache ({reason}): anyone who can write there could make this host run their code"
            );
            return component::compile(self, name, bytes, kind);
        }
        if path.is_file() {
            let loaded = read_own_file(&path).and_then(|artifact| {
                // SAFETY: `Component::deserialize` requires bytes Wasmtime compiled, unchanged:
                // the entry was read from a file this host's user owns and only it (and root)
                // may write, in a directory of the same kind (both checked just above, the file
                // on the handle it was read from), under a name that binds the component's hash
                // to this engine's compatibility hash; Wasmtime checks its version and settings
                // again before it runs anything.
                unsafe { Component::deserialize(self.engine(), &artifact) }
            });
            match loaded {
                Ok(component) => return Ok(component),
                Err(e) => tracing::warn!(
                    component = name,
                    "AOT cache entry {} is unusable and will be rebuilt: {e:#}",
                    path.display()
                ),
            }
        }
        let component = component::compile(self, name, bytes, kind)?;
        if let Err(e) = component
            .serialize()
            .map_err(|e| format!("{e:#}"))
            .and_then(|artifact| write_atomically(&path, &artifact).map_err(|e| e.to_string()))
        {
            tracing::warn!(
                component = name,
                "cannot write AOT cache entry {}: {e}",
                path.display()
            );
        }
        Ok(component)
    }

    /// Loads a state view from an artifact made by [`Runtime::precompile`].
    ///
    /// # Safety
    /// The artifact is native code that Wasmtime runs as is: load only artifacts this host (or
    /// one you trust) produced, and that no one else could write. A stale or foreign artifact
    /// (other Wasmtime version or settings) is detected and refused.
    pub unsafe fn load_view_precompiled(&self, path: impl AsRef<Path>) -> Result<StateView, Error> {
        // SAFETY: the caller vouches for the artifact, as this function's contract requires.
        let (name, component) = unsafe { self.deserialize(path.as_ref(), "state view")? };
        StateView::prepare(self, &name, &component, STATE_VIEW)
    }

    /// Loads a state change from an artifact made by [`Runtime::precompile`].
    ///
    /// # Safety
    /// As for [`Runtime::load_view_precompiled`].
    pub unsafe fn load_change_precompiled(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<StateChange, Error> {
        // SAFETY: the caller vouches for the artifact, as this function's contract requires.
        let (name, component) = unsafe { self.deserialize(path.as_ref(), "state change")? };
        StateChange::prepare(self, &name, &component, STATE_CHANGE)
    }

    /// # Safety
    /// See [`Runtime::load_view_precompiled`].
    unsafe fn deserialize(
        &self,
        path: &Path,
        expected: &'static str,
    ) -> Result<(String, Component), Error> {
        let name = component_name(path);
        // Read, not mapped: an artifact replaced or truncated under a mapping would crash the
        // process.
        let artifact = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        // SAFETY: the caller vouches for the artifact (see the public functions' contracts);
        // Wasmtime itself checks the version and settings it was compiled with.
        let component =
            unsafe { Component::deserialize(self.engine(), &artifact) }.map_err(|e| {
                Error::InvalidComponent {
                    component: name.as_str().into(),
                    expected,
                    reason: format!("not a usable precompiled artifact: {e:#}"),
                }
            })?;
        Ok((name, component))
    }
}

/// Writes via a unique temporary file and a rename, so a concurrent reader never sees half an
/// artifact; the directory (made if missing) and the file are its owner's alone. A failed write
/// leaves no temporary file behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut dir = std::fs::DirBuilder::new();
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
        dir.mode(0o700);
        file.mode(0o600);
    }
    if let Some(parent) = path.parent() {
        dir.recursive(true).create(parent)?;
    }
    let temporary = path.with_extension(format!("tmp{}-{unique}", std::process::id()));
    let written = file
        .open(&temporary)
        .and_then(|mut file| std::io::Write::write_all(&mut file, bytes))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// The bytes of the cache entry at `path`, if the file (checked on the handle it is read from)
/// is this user's alone. Read, not mapped: a file changed under a mapping would crash the
/// process.
fn read_own_file(path: &Path) -> wasmtime::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    this_users_alone(path, &file.metadata()?).map_err(wasmtime::Error::msg)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

/// Fails unless what `metadata` describes is owned by the user this process runs as and
/// writable by no group or other user (on Unix; elsewhere that is the deployment's to ensure).
fn this_users_alone(path: &Path, metadata: &std::fs::Metadata) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let mode = metadata.mode();
        if mode & 0o022 != 0 {
            return Err(format!(
                "{} is writable by others (mode {:o})",
                path.display(),
                mode & 0o777
            ));
        }
        let user = rustix::process::geteuid().as_raw();
        if metadata.uid() != user {
            return Err(format!(
                "{} belongs to user {}, not to this process's user {user}",
                path.display(),
                metadata.uid()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, metadata);
    Ok(())
}
