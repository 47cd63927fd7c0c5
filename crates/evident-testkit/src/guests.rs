//! The sample guests of this repository, built and loaded once per process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use parking_lot::Mutex;

use evident_build::{BuildError, BuildOptions, GuestTarget, build_guest};
use evident_host::{Decider, Runtime, RuntimeConfig, StateChange, StateView};

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

impl GuestLoadError {
    /// Whether the guest's toolchain (componentize-py, Go, ...) could not be installed: the one
    /// failure a test may skip on (see [`or_skip`]).
    pub fn is_missing_tool(&self) -> bool {
        matches!(
            self,
            GuestLoadError::Build {
                source: BuildError::ToolInstall { .. },
                ..
            }
        )
    }
}

/// A guest that could not be built because its toolchain could not be installed: under `CI`
/// (set, as CI services set it) this panics, failing the test; elsewhere the test is skipped,
/// with a line written to the terminal directly, past the test harness's capture of output, so
/// whoever runs the tests sees it. Any other failure panics.
#[track_caller]
pub fn or_skip<T>(loaded: Result<T, GuestLoadError>) -> Option<T> {
    match loaded {
        Ok(loaded) => Some(loaded),
        Err(e) if e.is_missing_tool() && std::env::var_os("CI").is_none() => {
            use std::io::Write as _;
            let line = format!(
                "\n*** SKIPPED {}: {e} (set CI=1 to make this a failure) ***\n",
                std::panic::Location::caller()
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
            None
        }
        Err(e) => panic!("{e}"),
    }
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

/// The runtime every test in the process shares, with default limits. Compiled components are
/// cached in `<target dir>/aot-cache`, so the large Python, JavaScript and Go guests compile
/// once per machine rather than once per test binary.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let config = RuntimeConfig {
            aot_cache_dir: Some(target_dir().join("aot-cache")),
            ..RuntimeConfig::default()
        };
        Runtime::new(config).expect("the default runtime starts")
    })
}

/// Where this process builds and caches, so tools beside the tests share it:
/// `$CARGO_TARGET_DIR`; else the repository's `target/` when the testkit is this repository's;
/// else `target/` of the directory the tests run in (a guest crate's own, under `cargo test`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    if in_repository() {
        return workspace_root().join("target");
    }
    PathBuf::from("target")
}

/// Whether this testkit is the one of the Evident repository (not a packaged copy).
fn in_repository() -> bool {
    workspace_root().join("guests").is_dir()
        && workspace_root().join("crates/evident-testkit").is_dir()
}

/// Builds `guests/<name>` and returns the component's path.
pub fn component_path(name: &str) -> Result<PathBuf, GuestLoadError> {
    component_path_for(name, GuestTarget::Unknown)
}

/// Like [`component_path`], for another target (e.g. a WASI guest the host must refuse).
pub fn component_path_for(name: &str, target: GuestTarget) -> Result<PathBuf, GuestLoadError> {
    build_once(&guest_dir(name), target)
}

/// The component bytes of `guests/<name>`.
pub fn component_bytes(name: &str) -> Result<Vec<u8>, GuestLoadError> {
    read_component(&guest_dir(name), &component_path(name)?)
}

/// `guests/<name>` loaded as a state view in [`runtime`], compiled once per process: in the
/// deny-all WASI mode if its language needs WASI (Python, JavaScript, Go).
pub fn load_view(name: &str) -> Result<StateView, GuestLoadError> {
    if needs_wasi(name) {
        return load_view_wasi(name);
    }
    load_view_from_dir(&guest_dir(name))
}

/// `guests/<name>` loaded as a state change in [`runtime`], compiled once per process (in the
/// deny-all WASI mode if its language needs WASI).
pub fn load_change(name: &str) -> Result<StateChange, GuestLoadError> {
    if needs_wasi(name) {
        return load_change_wasi(name);
    }
    load_change_from_dir(&guest_dir(name))
}

/// The languages guests are written in, re-exported so tests and benchmarks list them from
/// [`Language::ALL`] without depending on `evident-build`.
pub use evident_build::Language;

/// The name of the sample guest `base` (e.g. `event-counter`) written in `language`: the Rust
/// one is `guests/<base>`, the others `guests/<language's name>-<base>` (`go-event-counter`).
pub fn in_language(language: Language, base: &str) -> String {
    match language {
        Language::Rust => base.to_owned(),
        other => format!("{}-{base}", other.name()),
    }
}

/// Whether the guest in `guests/<name>` is in a language whose components import WASI.
pub fn needs_wasi(name: &str) -> bool {
    evident_build::Language::detect(&guest_dir(name))
        .is_some_and(evident_build::Language::needs_wasi)
}

/// `guests/<name>` loaded as a decider (a view and a change in one component), once per
/// process (in the deny-all WASI mode if its language needs WASI).
pub fn load_decider(name: &str) -> Result<Decider, GuestLoadError> {
    if needs_wasi(name) {
        return load_decider_wasi(name);
    }
    static DECIDERS: OnceLock<Mutex<HashMap<PathBuf, Decider>>> = OnceLock::new();
    cached(&DECIDERS, &guest_dir(name), |name, bytes| {
        runtime().load(name, bytes).decider()
    })
}

/// `guests/<name>` loaded as a decider in the deny-all WASI mode, once per process.
pub fn load_decider_wasi(name: &str) -> Result<Decider, GuestLoadError> {
    static DECIDERS: OnceLock<Mutex<HashMap<PathBuf, Decider>>> = OnceLock::new();
    cached(&DECIDERS, &guest_dir(name), |name, bytes| {
        runtime().load(name, bytes).wasi().decider()
    })
}

/// `guests/<name>`, a guest whose toolchain makes it import WASI (Python, JavaScript), loaded as a
/// state view in the deny-all WASI mode, once per process.
pub fn load_view_wasi(name: &str) -> Result<StateView, GuestLoadError> {
    static VIEWS: OnceLock<Mutex<HashMap<PathBuf, StateView>>> = OnceLock::new();
    cached(&VIEWS, &guest_dir(name), |name, bytes| {
        runtime().load(name, bytes).wasi().view()
    })
}

/// `guests/<name>` loaded as a state change in the deny-all WASI mode, once per process.
pub fn load_change_wasi(name: &str) -> Result<StateChange, GuestLoadError> {
    static CHANGES: OnceLock<Mutex<HashMap<PathBuf, StateChange>>> = OnceLock::new();
    cached(&CHANGES, &guest_dir(name), |name, bytes| {
        runtime().load(name, bytes).wasi().change()
    })
}

/// The guest crate in `dir` (any crate using the SDK, e.g. one made by `evident new`), built
/// and loaded as a state view, once per process; it is named after its directory.
pub fn load_view_from_dir(dir: &Path) -> Result<StateView, GuestLoadError> {
    static VIEWS: OnceLock<Mutex<HashMap<PathBuf, StateView>>> = OnceLock::new();
    cached(&VIEWS, dir, |name, bytes| {
        runtime().load(name, bytes).view()
    })
}

/// The guest crate in `dir`, built and loaded as a state change, once per process.
pub fn load_change_from_dir(dir: &Path) -> Result<StateChange, GuestLoadError> {
    static CHANGES: OnceLock<Mutex<HashMap<PathBuf, StateChange>>> = OnceLock::new();
    cached(&CHANGES, dir, |name, bytes| {
        runtime().load(name, bytes).change()
    })
}

fn guest_dir(name: &str) -> PathBuf {
    workspace_root().join("guests").join(name)
}

/// What errors and logs call the guest in `dir`: its directory's name.
fn guest_name(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Builds the guest crate in `dir` for `target` once per process and returns the component's
/// path; concurrent callers wait for that one build (cargo's incremental build makes the first
/// one cheap when nothing changed).
fn build_once(dir: &Path, target: GuestTarget) -> Result<PathBuf, GuestLoadError> {
    static BUILT: OnceLock<Mutex<HashMap<(PathBuf, GuestTarget), PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock();
    let key = (dir.to_owned(), target);
    if let Some(path) = built.get(&key) {
        return Ok(path.clone());
    }
    // The repository's guests build into one target directory; others into their own.
    let options = BuildOptions {
        target,
        target_dir: dir
            .starts_with(workspace_root())
            .then(|| target_dir().join("guests"))
            .filter(|_| in_repository()),
        ..BuildOptions::default()
    };
    let guest = build_guest(dir, &options).map_err(|source| GuestLoadError::Build {
        name: guest_name(dir),
        source,
    })?;
    built.insert(key, guest.component.clone());
    Ok(guest.component)
}

fn read_component(dir: &Path, path: &Path) -> Result<Vec<u8>, GuestLoadError> {
    std::fs::read(path).map_err(|source| GuestLoadError::Build {
        name: guest_name(dir),
        source: BuildError::Io {
            path: path.to_owned(),
            source,
        },
    })
}

/// Loads the guest in `dir` with `load` unless `cache` has it; the lock is held throughout, so
/// each guest is built and compiled once.
fn cached<T: Clone>(
    cache: &OnceLock<Mutex<HashMap<PathBuf, T>>>,
    dir: &Path,
    load: impl FnOnce(&str, &[u8]) -> Result<T, evident_host::Error>,
) -> Result<T, GuestLoadError> {
    let mut loaded = cache.get_or_init(Default::default).lock();
    if let Some(handle) = loaded.get(dir) {
        return Ok(handle.clone());
    }
    let bytes = read_component(dir, &build_once(dir, GuestTarget::Unknown)?)?;
    let name = guest_name(dir);
    let handle = load(&name, &bytes).map_err(|source| GuestLoadError::Load {
        name,
        source: Box::new(source),
    })?;
    loaded.insert(dir.to_owned(), handle.clone());
    Ok(handle)
}
