//! Rust guests: a crate using `evident-guest-sdk`, compiled by cargo for
//! `wasm32-unknown-unknown` and encoded as a component with `wit-component`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::freshness::Stamp;
use crate::toolchain::{Detection, Tool, Toolchain};
use crate::{
    BuildError, BuildOptions, BuiltGuest, GUEST_PROFILE, GuestTarget, Language, encode_component,
    ensure_target, read, write_atomically,
};

/// The toolchain of Rust guests: cargo and rustc as rustup provides them (cargo's fingerprints
/// track their version), and the component encoder in this crate.
pub(crate) struct Rust;

impl Toolchain for Rust {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn name(&self) -> &'static str {
        "rust"
    }

    fn title(&self) -> &'static str {
        "Rust"
    }

    fn summary(&self) -> &'static str {
        "A crate using evident-guest-sdk"
    }

    fn marker(&self) -> &'static str {
        "Cargo.toml"
    }

    fn detect(&self, dir: &Path) -> Detection {
        Detection::by_file(dir, "Cargo.toml")
    }

    /// The encoder, pinned by this crate's version: cargo, not this crate, decides when the
    /// core module is stale, and it fingerprints the compiler itself.
    fn tool(&self) -> Tool {
        Tool {
            name: "wit-component (in evident-build)",
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Finds the toolchain's sysroot, failing with the command to run if it cannot build for
    /// [`WASM_TARGET`](crate::WASM_TARGET).
    fn install(&self) -> Result<PathBuf, BuildError> {
        ensure_target(crate::WASM_TARGET)?;
        crate::sysroot()
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(self, dir, options)
    }

    fn next_steps(&self) -> &'static str {
        "cargo test   (then `evident build` for the component)"
    }
}

/// Builds the Rust guest crate in `crate_dir` with cargo, then encodes it with wit-component.
fn build(rust: &Rust, crate_dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
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
            language: Language::Rust,
        });
    }
    let component = out_dir.join(format!("{}.component.wasm", package.lib_name));
    let stamp = Stamp::new(rust.tool(), &[]);
    if !stamp.is_fresh(&component, std::slice::from_ref(&core_module)) {
        let bytes = read(&core_module)?;
        let encoded = encode_component(&bytes).map_err(|reason| BuildError::Encode {
            module: core_module.clone(),
            reason,
        })?;
        write_atomically(&component, &encoded)?;
        stamp.record(&component)?;
    }
    Ok(BuiltGuest {
        package: package.name,
        core_module,
        component,
        language: Language::Rust,
    })
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
