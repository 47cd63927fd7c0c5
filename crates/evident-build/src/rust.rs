//! Rust guests: a crate using `evident-guest-sdk`, compiled by cargo for
//! `wasm32-unknown-unknown` and encoded as a component with `wit-component`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{
    BuildError, BuildOptions, BuiltGuest, GUEST_PROFILE, GuestTarget, Language, encode_component,
    ensure_target, read, write_atomically,
};

/// Builds the Rust guest crate in `crate_dir` with cargo, then encodes it with wit-component.
pub(crate) fn build(crate_dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
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

/// Tells whether `output` is missing or older than `input`.
fn is_stale(output: &Path, input: &Path) -> Result<bool, BuildError> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified());
    let input_time = modified(input).map_err(|source| BuildError::Io {
        path: input.to_owned(),
        source,
    })?;
    Ok(modified(output).map_or(true, |output_time| output_time < input_time))
}
