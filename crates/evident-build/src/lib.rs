//! Builds a guest, in any language the Evident SDKs cover, into an Evident component.
//!
//! [`build_guest`] tells the language from the files in the directory ([`Language::detect`]) and
//! builds with that language's toolchain: a Rust crate with cargo (for `wasm32-unknown-unknown`,
//! at opt-level 3) and `wit-component`; Python and JavaScript with componentize-py and
//! componentize-js; Go, C, C++ and AssemblyScript with their compilers, the result made a
//! component here ([`encode::componentize`]). Toolchains other than Rust's are installed at a
//! pinned version on first use ([`toolchain`]). Builds are incremental: nothing is redone when no
//! input changed.
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
mod go;
mod guest_dir;
mod javascript;
mod python;
mod rust;
pub mod sdk;
#[cfg(test)]
mod sdk_tests;
pub mod toolchain;

pub use javascript::COMPONENTIZE_JS_VERSION;
pub use python::COMPONENTIZE_PY_VERSION;

/// A language a guest can be written in, as [`build_guest`] recognises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// A crate (`Cargo.toml`) using `evident-guest-sdk`.
    Rust,
    /// `app.py` and `guest.json`.
    Python,
    /// `app.js` and `guest.json`.
    JavaScript,
    /// `go.mod` and `guest.json`.
    Go,
    /// `*.c` files and `guest.json`.
    C,
    /// `*.cpp` files and `guest.json`.
    Cpp,
    /// `assembly/index.ts` and `guest.json`.
    AssemblyScript,
}

impl Language {
    /// The language of the guest in `dir`, by the files it holds.
    pub fn detect(dir: &Path) -> Option<Self> {
        let has = |file: &str| dir.join(file).is_file();
        let has_extension = |extension: &str| {
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|entry| entry.path().extension().is_some_and(|e| e == extension))
            })
        };
        if has("Cargo.toml") {
            Some(Language::Rust)
        } else if has("app.py") {
            Some(Language::Python)
        } else if has("app.js") {
            Some(Language::JavaScript)
        } else if has("go.mod") {
            Some(Language::Go)
        } else if has("assembly/index.ts") {
            Some(Language::AssemblyScript)
        } else if has_extension("cpp") {
            Some(Language::Cpp)
        } else if has_extension("c") {
            Some(Language::C)
        } else {
            None
        }
    }

    /// The language's name, as `evident new --lang` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "js",
            Language::Go => "go",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::AssemblyScript => "assemblyscript",
        }
    }

    /// Whether its components import WASI (their toolchain's runtime does), and so must be
    /// loaded in the host's deny-all WASI mode.
    pub fn needs_wasi(self) -> bool {
        matches!(self, Language::Python | Language::JavaScript | Language::Go)
    }
}

/// Builds the guest in `dir` into a component, with the toolchain of its language.
pub fn build_guest(dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let language = Language::detect(dir).ok_or_else(|| BuildError::NotAGuestCrate {
        dir: dir.to_owned(),
        reason: "no guest here: expected a Cargo.toml (Rust), app.py (Python), app.js \
                 (JavaScript), go.mod (Go), assembly/index.ts (AssemblyScript), or .c/.cpp \
                 files (C/C++), each but Rust with a guest.json naming its world"
            .into(),
    })?;
    match language {
        Language::Rust => rust::build(dir, options),
        Language::Python => python::build(dir, options),
        Language::JavaScript => javascript::build(dir, options),
        Language::Go => go::build(dir, options),
        Language::C | Language::Cpp => c::build(dir, options, language),
        Language::AssemblyScript => assemblyscript::build(dir, options),
    }
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

/// Profile settings for guests: fast code (opt-level 3 folds ~30 % faster than "s" for ~10 %
/// more bytes), one codegen unit, no debug info.
pub(crate) const GUEST_PROFILE: [&str; 6] = [
    "profile.release.opt-level=3",
    "profile.release.lto=true",
    "profile.release.codegen-units=1",
    "profile.release.debug=false",
    "profile.release.strip=\"debuginfo\"", // keep the name section: traps show function names
    "profile.release.panic=\"abort\"",
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
    /// A Python or JavaScript toolchain could not be installed (no network, no `pip`/`npm`...).
    #[error("cannot install {tool} {version}: {reason}")]
    ToolInstall {
        /// The tool.
        tool: &'static str,
        /// The pinned version.
        version: &'static str,
        /// What the installer said.
        reason: String,
    },
    /// A Python or JavaScript toolchain failed to build the guest; `output` is what it printed.
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
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|source| BuildError::Spawn {
            program: rustc.to_string_lossy().into_owned(),
            source,
        })?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if sysroot.join("lib/rustlib").join(triple).is_dir() {
        Ok(())
    } else {
        Err(BuildError::MissingTarget(triple))
    }
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
