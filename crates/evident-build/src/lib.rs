//! Builds a guest into an Evident component.
//!
//! A Rust guest crate (one that uses `evident-guest-sdk`, with `crate-type = ["cdylib", "rlib"]`)
//! is compiled by cargo for `wasm32-unknown-unknown` at opt-level 3, and its core module is
//! encoded as a component with `wit-component`. The result has no WASI imports: only what the
//! guest's world declares. Builds are incremental (cargo's) and the encoding is redone only when
//! the core module changed. A Python or JavaScript guest ([`scripted`]) is built by its own
//! toolchain, installed at a pinned version on first use.
//!
//! ```no_run
//! let built = evident_build::build_guest("guests/event-counter".as_ref(), &Default::default())?;
//! println!("{} ({} bytes)", built.component.display(), std::fs::metadata(&built.component)?.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub mod scripted;

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
const GUEST_PROFILE: [&str; 6] = [
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
    /// Where cargo puts its output; default `<crate's target dir>/guests`, apart from host
    /// builds so a guest build never waits on (or invalidates) them.
    pub target_dir: Option<PathBuf>,
    /// Show cargo's progress on stderr instead of capturing it.
    pub verbose: bool,
    /// The Rust target; [`GuestTarget::Unknown`] unless you are testing the host's refusals.
    pub target: GuestTarget,
}

/// A guest crate built into a component.
#[derive(Debug, Clone)]
pub struct BuiltGuest {
    /// The package name.
    pub package: String,
    /// The core wasm module cargo produced (for a Python or JavaScript guest, the component).
    pub core_module: PathBuf,
    /// The component, next to it.
    pub component: PathBuf,
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

/// Builds the guest in `crate_dir` into a component: a Rust crate with cargo and wit-component,
/// or a Python or JavaScript guest (`app.py` / `app.js`, see [`scripted`]) with its toolchain.
pub fn build_guest(crate_dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    if let Some(language) = scripted::ScriptLanguage::detect(crate_dir) {
        return scripted::build(crate_dir, language, options);
    }
    let triple = options.target.triple();
    ensure_target(triple)?;
    let package = inspect_crate(crate_dir)?;
    let target_dir = options
        .target_dir
        .clone()
        .unwrap_or_else(|| package.target_directory.join("guests"));
    let mut cargo = Command::new(cargo_program());
    cargo
        .arg("build")
        .arg("--manifest-path")
        .arg(&package.manifest_path)
        .args(["--lib", "--release", "--target", triple])
        .arg("--target-dir")
        .arg(&target_dir);
    for setting in GUEST_PROFILE {
        cargo.args(["--config", setting]);
    }
    // Settings meant for the outer build (a test run, a build script) are not the guest's.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
    ] {
        cargo.env_remove(var);
    }
    cargo.stdout(Stdio::null()).stderr(if options.verbose {
        Stdio::inherit()
    } else {
        Stdio::piped()
    });
    let output = cargo.output().map_err(|source| BuildError::Spawn {
        program: "cargo".into(),
        source,
    })?;
    if !output.status.success() {
        return Err(BuildError::Cargo {
            package: package.name,
            target: triple,
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let out_dir = target_dir.join(triple).join("release");
    let core_module = out_dir.join(format!("{}.wasm", package.lib_name));
    if options.target == GuestTarget::Wasip2 {
        // The toolchain's linker already wrote a component.
        return Ok(BuiltGuest {
            package: package.name,
            component: core_module.clone(),
            core_module,
        });
    }
    let component = out_dir.join(format!("{}.component.wasm", package.lib_name));
    if is_stale(&component, &core_module)? {
        let bytes = read(&core_module)?;
        let encoded = encode_component(&bytes).map_err(|reason| BuildError::Encode {
            module: core_module.clone(),
            reason,
        })?;
        write_atomically(&component, &encoded)?;
    }
    Ok(BuiltGuest {
        package: package.name,
        core_module,
        component,
    })
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

fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

struct Package {
    name: String,
    lib_name: String,
    manifest_path: PathBuf,
    target_directory: PathBuf,
}

/// Asks `cargo metadata` for the package in `dir` and its `cdylib` target.
fn inspect_crate(dir: &Path) -> Result<Package, BuildError> {
    let not_a_guest = |reason: String| BuildError::NotAGuestCrate {
        dir: dir.to_owned(),
        reason,
    };
    let manifest_path = dir.join("Cargo.toml");
    if !manifest_path.is_file() {
        return Err(not_a_guest("no Cargo.toml here".into()));
    }
    let manifest_path = manifest_path
        .canonicalize()
        .map_err(|source| BuildError::Io {
            path: manifest_path.clone(),
            source,
        })?;
    let output = Command::new(cargo_program())
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(&manifest_path)
        .output()
        .map_err(|source| BuildError::Spawn {
            program: "cargo".into(),
            source,
        })?;
    if !output.status.success() {
        return Err(not_a_guest(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| not_a_guest(format!("cargo metadata printed unreadable JSON: {e}")))?;
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest_path.as_path()))
        .ok_or_else(|| not_a_guest("cargo metadata does not list this package".into()))?;
    let name = package["name"].as_str().unwrap_or_default().to_owned();
    let lib_name = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            t["crate_types"]
                .as_array()
                .is_some_and(|types| types.iter().any(|k| k == "cdylib"))
        })
        .and_then(|t| t["name"].as_str())
        .map(|lib| lib.replace('-', "_"))
        .ok_or_else(|| {
            not_a_guest(format!(
                "package {name} has no cdylib library; add `[lib] crate-type = [\"cdylib\", \"rlib\"]`"
            ))
        })?;
    let target_directory = metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| not_a_guest("cargo metadata names no target directory".into()))?;
    Ok(Package {
        name,
        lib_name,
        manifest_path,
        target_directory,
    })
}

fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|source| BuildError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Tells whether `output` is missing or older than `input`.
fn is_stale(output: &Path, input: &Path) -> Result<bool, BuildError> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified());
    let input_time = modified(input).map_err(|source| BuildError::Io {
        path: input.to_owned(),
        source,
    })?;
    Ok(modified(output).map_or(true, |output_time| output_time < input_time))
}

/// Writes via a temporary file and a rename, so concurrent builds never see half a component.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
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
