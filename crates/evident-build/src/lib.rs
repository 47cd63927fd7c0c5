//! Builds a guest, in any language the Evident SDKs cover, into an Evident component.
//!
//! [`build_guest`] tells the language from the files in the directory ([`Language::detect`]) and
//! builds with that language's [`Toolchain`]: a Rust crate with cargo (for `wasm32-unknown-unknown`,
//! at opt-level 3) and `wit-component`; Python and JavaScript with componentize-py and
//! componentize-js; Go, C, C++ and AssemblyScript with their compilers, the result made a
//! component here ([`encode::componentize`]). Toolchains other than Rust's are installed at a
//! pinned version on first use ([`toolchain`]). Builds are incremental, by one rule for every
//! language: nothing is redone unless an input file changed or the pinned tool did.
//!
//! ```no_run
//! let built = evident_build::build_guest("guests/event-counter".as_ref(), &Default::default())?;
//! println!("{} ({} bytes)", built.component.display(), std::fs::metadata(&built.component)?.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

mod assemblyscript;
mod c;
pub mod encode;
mod freshness;
mod go;
mod guest_dir;
mod javascript;
mod language;
mod python;
mod rust;
pub mod sdk;
#[cfg(test)]
mod sdk_tests;
pub mod toolchain;
mod typescript;

pub use javascript::COMPONENTIZE_JS_VERSION;
pub use language::Language;
pub use python::COMPONENTIZE_PY_VERSION;
pub use toolchain::{Detection, Tool, Toolchain};
pub use typescript::TYPESCRIPT_VERSION;

/// Builds the guest in `dir` into a component, with the toolchain of its language.
pub fn build_guest(dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let language = Language::detect(dir).ok_or_else(|| BuildError::NotAGuestCrate {
        dir: dir.to_owned(),
        reason: format!(
            "no guest here: expected {}, each but Rust with a guest.json naming its world",
            Language::expected_markers()
        ),
    })?;
    language.toolchain().build(dir, options)
}

/// The target guests are built for: no WASI, so the component imports nothing it does not ask for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Which Rust target a guest is compiled for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum GuestTarget {
    /// `wasm32-unknown-unknown`, encoded with `wit-component`: imports only what the world asks.
    #[default]
    Unknown,
    /// `wasm32-wasip2`: the toolchain emits a component that imports WASI (files, clocks...),
    /// which the Evident host refuses. Only useful to prove that it does.
    Wasip2,
}

impl GuestTarget {
    /// The target triple.
    pub fn triple(self) -> &'static str {
        match self {
            GuestTarget::Unknown => WASM_TARGET,
            GuestTarget::Wasip2 => "wasm32-wasip2",
        }
    }
}

/// The settings Rust guests are built with: fast code (opt-level 3 folds ~30 % faster than "s"
/// for ~10 % more bytes), one codegen unit, no debug info, and room to allocate in the memory
/// they start with (a target `rustflags` setting, so a `build.rustflags` of the guest's own
/// cargo configuration does not apply to these builds).
pub(crate) const GUEST_PROFILE: [&str; 7] = [
    "profile.release.opt-level=3",
    "profile.release.lto=true",
    "profile.release.codegen-units=1",
    "profile.release.debug=false",
    "profile.release.strip=\"debuginfo\"", // keep the name section: traps show function names
    "profile.release.panic=\"abort\"",
    // 1 MiB of heap in the memory a module starts with, which the SDK's allocator uses before
    // it grows the memory (see evident-guest-sdk's documentation).
    "target.wasm32-unknown-unknown.rustflags=[\"-Clink-arg=--initial-heap=1048576\"]",
];

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where the build's output goes; default: for a Rust crate `<its target dir>/guests`
    /// (apart from host builds, so a guest build never waits on or invalidates them), for
    /// other guests `<the guest's directory>/target/guests`.
    pub target_dir: Option<PathBuf>,
    /// Show cargo's progress on stderr instead of capturing it.
    pub verbose: bool,
    /// The Rust target; [`GuestTarget::Unknown`] unless you are testing the host's refusals.
    pub target: GuestTarget,
}

/// A guest built into a component.
#[derive(Debug, Clone)]
pub struct BuiltGuest {
    /// The package name (the directory's, for guests other than Rust ones).
    pub package: String,
    /// The core wasm module the toolchain produced (the component itself, for toolchains that
    /// make components).
    pub core_module: PathBuf,
    /// The component.
    pub component: PathBuf,
    /// The language it was written in.
    pub language: Language,
}

/// Why a guest could not be built; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The Rust standard library for the wasm target is not installed.
    #[error("the {0} target is not installed; run: rustup target add {0}")]
    MissingTarget(&'static str),
    /// `cargo` or `rustc` could not be run at all.
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The directory is not a crate cargo can build as a guest.
    #[error("{}: {reason}", dir.display())]
    NotAGuestCrate {
        /// The directory given.
        dir: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// cargo failed; `output` is what it printed (empty when it printed to the terminal).
    #[error("cargo could not build {package} for {target}:\n{output}")]
    Cargo {
        /// The package.
        package: String,
        /// The target triple.
        target: &'static str,
        /// cargo's stderr.
        output: String,
    },
    /// The core module could not be encoded as a component (e.g. it was not built with the SDK).
    #[error("cannot encode {} as a component: {reason}", module.display())]
    Encode {
        /// The core module.
        module: PathBuf,
        /// What wit-component said.
        reason: String,
    },
    /// A language's pinned tool could not be installed (no network, no `pip`/`npm`...).
    #[error("cannot install {tool} {version}: {reason}")]
    ToolInstall {
        /// The tool.
        tool: &'static str,
        /// The pinned version.
        version: &'static str,
        /// What the installer said.
        reason: String,
    },
    /// A language's tool failed to build the guest; `output` is what it printed.
    #[error("{tool} could not build the guest:\n{output}")]
    Tool {
        /// The tool.
        tool: &'static str,
        /// What it printed.
        output: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Encodes a core module built with the guest SDK as a component, validating the result.
pub fn encode_component(core_module: &[u8]) -> Result<Vec<u8>, String> {
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(core_module)
        .and_then(|encoder| encoder.encode())
        .map_err(|e| format!("{e:#}"))
}

/// Fails with the exact command to run if the standard library for `triple` is missing.
pub fn ensure_target(triple: &'static str) -> Result<(), BuildError> {
    if sysroot()?.join("lib/rustlib").join(triple).is_dir() {
        Ok(())
    } else {
        Err(BuildError::MissingTarget(triple))
    }
}

/// The sysroot of the Rust toolchain that builds Rust guests (`$RUSTC`, or `rustc`).
pub(crate) fn sysroot() -> Result<PathBuf, BuildError> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|source| BuildError::Spawn {
            program: rustc.to_string_lossy().into_owned(),
            source,
        })?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|source| BuildError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes via a temporary file and a rename, so concurrent builds never see half a component.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = path.with_extension(format!("tmp{}-{unique}", std::process::id()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|source| BuildError::Io {
            path: path.to_owned(),
            source,
        })
}
