//! JavaScript guests: `app.js` and `guest.json`, made a component by componentize-js (from npm,
//! installed at a pinned version on first use). The component imports WASI, so the host loads
//! it in its deny-all WASI mode.

use std::path::Path;
use std::process::Command;

use crate::encode::wit_dir;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Installer, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The componentize-js release JavaScript guests are built with.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// Builds the JavaScript guest in `dir`.
pub(crate) fn build(dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, Language::JavaScript, options)?;
    let component = guest.component_path("componentize-js")?;
    if guest.is_up_to_date(&component, &[], &[]) {
        return Ok(guest.built(component.clone(), component));
    }
    let tool = toolchain::install(
        &guest.tools_dir(),
        "componentize-js",
        COMPONENTIZE_JS_VERSION,
        Installer::Npm {
            package: "@bytecodealliance/componentize-js",
        },
    )?;
    let building = component.with_extension(format!("building-{}.wasm", std::process::id()));
    let mut command = Command::new(tool.join("node_modules/.bin/componentize-js"));
    command
        .arg(guest.dir.join("app.js"))
        .arg("--wit")
        .arg(wit_dir())
        .arg("--world-name")
        .arg(guest.qualified_world()?)
        // No fetch: the host grants no HTTP.
        .args(["--disable", "http", "fetch-event"])
        .arg("--out")
        .arg(&building);
    run(&mut command, "componentize-js", options.verbose)?;
    let bytes = crate::read(&building)?;
    let _ = std::fs::remove_file(&building);
    write_atomically(&component, &bytes)?;
    Ok(guest.built(component.clone(), component))
}
