//! Python guests: `app.py` and `guest.json`, made a component by componentize-py (from PyPI,
//! installed at a pinned version on first use). The component imports WASI, so the host loads
//! it in its deny-all WASI mode.

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
    if guest.is_up_to_date(&component, &[], &[]) {
        return Ok(guest.built(component.clone(), component));
    }
    let tool = toolchain::install(
        &guest.tools_dir(),
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
        .arg("app")
        .arg("-o")
        .arg(&building);
    run(&mut command, "componentize-py", options.verbose)?;
    let bytes = crate::read(&building)?;
    let _ = std::fs::remove_file(&building);
    write_atomically(&component, &bytes)?;
    Ok(guest.built(component.clone(), component))
}
