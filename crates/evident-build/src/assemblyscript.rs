//! AssemblyScript guests: `assembly/index.ts` and `guest.json`, compiled by asc (npm
//! `assemblyscript`, installed at a pinned version on first use) against the SDK in
//! `sdk/assemblyscript`, then made a component here. The SDK writes the canonical ABI by hand, so
//! the component imports only `evident:db` interfaces (no WASI).
//!
//! The guest imports the SDK as `"evident"`: asc resolves it through `--path` to the package
//! installed in the guest's `node_modules/evident` (npm `evident-assemblyscript`, under that
//! alias) if there is one, else to the SDK written under the target directory. Beside `assembly/index.ts`, asc compiles the SDK's export files for
//! the guest's world as entries (`exports/common.ts` and `view.ts`, `batch.ts` or `change.ts`);
//! the SDK's transform gives their exports, and its imports, the names wit-component expects for
//! the `evident:db` release this crate embeds (passed as `EVIDENT_WIT_VERSION`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::encode::{componentize, wit_version};
use crate::freshness::Stamp;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Detection, Installer, Tool, Toolchain, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The AssemblyScript release guests are compiled with.
pub const ASSEMBLYSCRIPT_VERSION: &str = "0.28.20";

/// The toolchain of AssemblyScript guests: asc.
pub(crate) struct AssemblyScript;

impl Toolchain for AssemblyScript {
    fn language(&self) -> Language {
        Language::AssemblyScript
    }

    fn name(&self) -> &'static str {
        "assemblyscript"
    }

    fn title(&self) -> &'static str {
        "AssemblyScript"
    }

    fn summary(&self) -> &'static str {
        "AssemblyScript on its SDK"
    }

    fn marker(&self) -> &'static str {
        "assembly/index.ts"
    }

    fn detect(&self, dir: &Path) -> Detection {
        Detection::by_file(dir, "assembly/index.ts")
    }

    fn tool(&self) -> Tool {
        Tool {
            name: "assemblyscript",
            version: ASSEMBLYSCRIPT_VERSION,
        }
    }

    fn install(&self) -> Result<PathBuf, BuildError> {
        toolchain::install_tool(
            self.tool(),
            Installer::Npm {
                package: "assemblyscript",
            },
        )
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(self, dir, options)
    }
}

/// Builds the AssemblyScript guest in `dir`.
fn build(
    assemblyscript: &AssemblyScript,
    dir: &Path,
    options: &BuildOptions,
) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, Language::AssemblyScript, options)?;
    let entries = export_entries(&guest)?;
    let component = guest.component_path("assemblyscript")?;
    let core = component.with_file_name(format!("{}.core.wasm", guest.name));
    // The export files and the transform always come from the SDK this crate carries; the
    // `evident` package they and the guest import is the one installed in the guest's
    // node_modules (`npm install`, the package `evident-assemblyscript` under the alias
    // `evident`) if there is one, else the carried copy.
    let sdk = crate::sdk::write(assemblyscript.name(), &guest.target_dir)?;
    let installed = guest.dir.join("node_modules").join("evident");
    let installed = installed
        .join("package.json")
        .is_file()
        .then_some(installed);
    // asc's `--path`: a directory whose `evident/` is the package.
    let (package_root, sdk_fact) = match &installed {
        Some(package) => (
            guest.dir.join("node_modules"),
            format!("sdk: installed {}", package.display()),
        ),
        None => (sdk.clone(), format!("sdk: embedded {}", sdk.display())),
    };
    let sdk_dirs = [
        sdk.clone(),
        package_root.join("evident"),
        sdk.join("exports"),
    ];
    let stamp = Stamp::new(
        assemblyscript.tool(),
        &[&sdk.display().to_string(), &sdk_fact],
    );
    if guest.is_up_to_date(&component, &stamp, &["assembly"], &sdk_dirs) {
        return Ok(guest.built(core, component));
    }
    let tool = assemblyscript.install()?;
    let building = core.with_extension(format!("building-{}.wasm", std::process::id()));
    let mut command = Command::new(tool.join("node_modules/.bin/asc"));
    command
        .current_dir(&guest.dir)
        .env("EVIDENT_WIT_VERSION", wit_version()?)
        .env(
            "EVIDENT_SDK_LABEL",
            crate::encode::sdk_label(Language::AssemblyScript),
        )
        .arg("assembly/index.ts")
        .args(entries.iter().map(|entry| sdk.join("exports").join(entry)))
        .arg("--path")
        .arg(&package_root)
        .arg("--transform")
        .arg(sdk.join("transform.mjs"))
        .args(["--runtime", "incremental", "-O3"])
        // A failed assert or bounds check logs its message, then traps.
        .args(["--use", "abort=~lib/evident/log/abortHandler"])
        .arg("-o")
        .arg(&building);
    let compiled = run(&mut command, "asc", options.verbose);
    let bytes = compiled.and_then(|()| crate::read(&building));
    let _ = std::fs::remove_file(&building);
    let bytes = bytes?;
    write_atomically(&core, &bytes)?;
    let encoded = componentize(&bytes, &guest.world).map_err(|reason| BuildError::Encode {
        module: core.clone(),
        reason,
    })?;
    write_atomically(&component, &encoded)?;
    stamp.record(&component)?;
    Ok(guest.built(core, component))
}

/// The SDK's export files (under `exports/`) that implement the guest's world.
fn export_entries(guest: &GuestDir) -> Result<Vec<PathBuf>, BuildError> {
    let files: &[&str] = match guest.world.as_str() {
        "state-view-component" => &["common.ts", "view.ts", "batch.ts"],
        "state-view-basic" => &["common.ts", "view.ts"],
        "state-change-component" => &["common.ts", "change.ts"],
        "decider-component" => &["common.ts", "view.ts", "batch.ts", "change.ts"],
        other => {
            return Err(BuildError::NotAGuestCrate {
                dir: guest.dir.clone(),
                reason: format!(
                    "guest.json names the world {other:?}; an AssemblyScript guest implements \
                     state-view-component, state-view-basic, state-change-component or \
                     decider-component"
                ),
            });
        }
    };
    Ok(files.iter().map(PathBuf::from).collect())
}
