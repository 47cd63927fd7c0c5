//! Python guests: `app.py` and `guest.json`, made a component by componentize-py (from PyPI,
//! installed at a pinned version on first use), with the Python SDK (`sdk/python`, the
//! `evident` package) on its path. The component imports WASI, so the host loads it in its
//! deny-all WASI mode.

use std::path::Path;
use std::process::Command;

use crate::encode::wit_dir;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Installer, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The componentize-py release Python guests are built with.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// Builds the Python guest in `dir`.
pub(crate) fn build(dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, Language::Python, options)?;
    let component = guest.component_path("componentize-py")?;
    // Written once per content of the SDK: a changed SDK is another directory, and the stamp
    // beside the component names the one it was built with.
    let sdk = crate::sdk::write("python", &guest.target_dir)?;
    let stamp = component.with_extension("sdk");
    let same_sdk =
        std::fs::read(&stamp).is_ok_and(|built| built == sdk.as_os_str().as_encoded_bytes());
    if same_sdk && guest.is_up_to_date(&component, &[], &[sdk.clone(), sdk.join("evident")]) {
        return Ok(guest.built(component.clone(), component));
    }
    let tool = toolchain::install(
        &toolchain::tools_dir(),
        "componentize-py",
        COMPONENTIZE_PY_VERSION,
        Installer::Pip {
            package: "componentize-py",
        },
    )?;
    let building = component.with_extension(format!("building-{}.wasm", std::process::id()));
    let mut command = Command::new(tool.join("bin").join("componentize-py"));
    command
        .env("PYTHONPATH", &tool)
        .arg("-d")
        .arg(wit_dir())
        .arg("-w")
        .arg(guest.qualified_world()?)
        .arg("componentize")
        .arg("-p")
        .arg(&guest.dir)
        .arg("-p")
        .arg(&sdk)
        .arg("app")
        .arg("-o")
        .arg(&building);
    run(&mut command, "componentize-py", options.verbose)?;
    let mut bytes = crate::read(&building)?;
    let _ = std::fs::remove_file(&building);
    crate::encode::append_sdk_label(&mut bytes, Language::Python);
    write_atomically(&component, &bytes)?;
    write_atomically(&stamp, sdk.as_os_str().as_encoded_bytes())?;
    Ok(guest.built(component.clone(), component))
}
