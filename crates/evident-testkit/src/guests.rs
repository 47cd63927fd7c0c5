//! The sample guests of this repository, built and loaded once per process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use parking_lot::Mutex;

use evident_build::{BuildError, BuildOptions, GuestTarget, build_guest};
use evident_host::{Runtime, RuntimeConfig, StateChange, StateView};

/// Why a sample guest could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum GuestLoadError {
    /// Building it failed (missing wasm target, compile error...).
    #[error("building guest `{name}`: {source}")]
    Build {
        /// The guest's directory name under `guests/`.
        name: String,
        /// Why.
        #[source]
        source: BuildError,
    },
    /// The host refused it.
    #[error("loading guest `{name}`: {source}")]
    Load {
        /// The guest's directory name.
        name: String,
        /// Why.
        #[source]
        source: Box<evident_host::Error>,
    },
}

/// The repository root (the directory holding `guests/` and `wit/`).
pub fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("crates/evident-testkit sits two levels below the root")
            .to_owned()
    })
}

/// The runtime every test in the process shares, with default limits.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| Runtime::new(RuntimeConfig::default()).expect("the default runtime starts"))
}

/// Builds `guests/<name>` (cargo's incremental build makes repeats cheap) and returns the
/// component's path. Concurrent callers for the same guest wait for one build.
pub fn component_path(name: &str) -> Result<PathBuf, GuestLoadError> {
    component_path_for(name, GuestTarget::Unknown)
}

/// Like [`component_path`], for another target (e.g. a WASI guest the host must refuse).
pub fn component_path_for(name: &str, target: GuestTarget) -> Result<PathBuf, GuestLoadError> {
    static BUILT: OnceLock<Mutex<HashMap<(String, GuestTarget), PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock();
    let key = (name.to_owned(), target);
    if let Some(path) = built.get(&key) {
        return Ok(path.clone());
    }
    let dir = workspace_root().join("guests").join(name);
    let options = BuildOptions {
        target,
        ..BuildOptions::default()
    };
    let guest = build_guest(&dir, &options).map_err(|source| GuestLoadError::Build {
        name: name.to_owned(),
        source,
    })?;
    built.insert(key, guest.component.clone());
    Ok(guest.component)
}

/// The component bytes of `guests/<name>`.
pub fn component_bytes(name: &str) -> Result<Vec<u8>, GuestLoadError> {
    let path = component_path(name)?;
    std::fs::read(&path).map_err(|source| GuestLoadError::Build {
        name: name.to_owned(),
        source: BuildError::Io { path, source },
    })
}

/// `guests/<name>` loaded as a state view in [`runtime`], compiled once per process.
pub fn load_view(name: &str) -> Result<StateView, GuestLoadError> {
    static VIEWS: OnceLock<Mutex<HashMap<String, StateView>>> = OnceLock::new();
    cached(&VIEWS, name, |bytes| runtime().load_view(name, bytes))
}

/// `guests/<name>` loaded as a state change in [`runtime`], compiled once per process.
pub fn load_change(name: &str) -> Result<StateChange, GuestLoadError> {
    static CHANGES: OnceLock<Mutex<HashMap<String, StateChange>>> = OnceLock::new();
    cached(&CHANGES, name, |bytes| runtime().load_change(name, bytes))
}

fn cached<T: Clone>(
    cache: &OnceLock<Mutex<HashMap<String, T>>>,
    name: &str,
    load: impl FnOnce(&[u8]) -> Result<T, evident_host::Error>,
) -> Result<T, GuestLoadError> {
    let mut loaded = cache.get_or_init(Default::default).lock();
    if let Some(handle) = loaded.get(name) {
        return Ok(handle.clone());
    }
    let handle = load(&component_bytes(name)?).map_err(|source| GuestLoadError::Load {
        name: name.to_owned(),
        source: Box::new(source),
    })?;
    loaded.insert(name.to_owned(), handle.clone());
    Ok(handle)
}

/// Builds the guest crate in `dir` (any crate using the SDK, e.g. one made by `evident new`) and
/// loads it as a state view.
pub fn load_view_from_dir(dir: &Path) -> Result<StateView, GuestLoadError> {
    let (name, bytes) = build_dir(dir)?;
    runtime()
        .load_view(&name, &bytes)
        .map_err(|source| GuestLoadError::Load {
            name,
            source: Box::new(source),
        })
}

/// Builds the guest crate in `dir` and loads it as a state change.
pub fn load_change_from_dir(dir: &Path) -> Result<StateChange, GuestLoadError> {
    let (name, bytes) = build_dir(dir)?;
    runtime()
        .load_change(&name, &bytes)
        .map_err(|source| GuestLoadError::Load {
            name,
            source: Box::new(source),
        })
}

fn build_dir(dir: &Path) -> Result<(String, Vec<u8>), GuestLoadError> {
    let name = dir.display().to_string();
    let build_error = |source| GuestLoadError::Build {
        name: name.clone(),
        source,
    };
    let guest = build_guest(dir, &BuildOptions::default()).map_err(build_error)?;
    let bytes = std::fs::read(&guest.component).map_err(|source| {
        build_error(BuildError::Io {
            path: guest.component.clone(),
            source,
        })
    })?;
    Ok((guest.package, bytes))
}
