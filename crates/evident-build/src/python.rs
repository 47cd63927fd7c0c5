//! Python guests: `app.py` and `guest.json`, made a component by componentize-py (from PyPI,
//! installed at a pinned version on first use), with the Python SDK (the `evident` package) on
//! its path: the `evident-sdk` wheel installed in the guest's virtual environment
//! (`$VIRTUAL_ENV`, else `<guest>/.venv`) if there is one, else the copy this crate carries
//! (`sdk/python`). The component imports WASI, so the host loads it in its deny-all WASI mode.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::encode::wit_dir;
use crate::freshness::Stamp;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Detection, Installer, Tool, Toolchain, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The componentize-py release Python guests are built with.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// The toolchain of Python guests: componentize-py.
pub(crate) struct Python;

impl Toolchain for Python {
    fn language(&self) -> Language {
        Language::Python
    }

    fn name(&self) -> &'static str {
        "python"
    }

    fn title(&self) -> &'static str {
        "Python"
    }

    fn summary(&self) -> &'static str {
        "`app.py`, on the Python SDK (componentize-py)"
    }

    fn marker(&self) -> &'static str {
        "app.py"
    }

    fn detect(&self, dir: &Path) -> Detection {
        Detection::by_file(dir, "app.py")
    }

    fn tool(&self) -> Tool {
        Tool {
            name: "componentize-py",
            version: COMPONENTIZE_PY_VERSION,
        }
    }

    fn install(&self) -> Result<PathBuf, BuildError> {
        toolchain::install_tool(
            self.tool(),
            Installer::Pip {
                package: "componentize-py",
            },
        )
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(self, dir, options)
    }

    fn needs_wasi(&self) -> bool {
        true
    }

    fn carries_a_runtime(&self) -> bool {
        true
    }
}

/// Builds the Python guest in `dir`.
fn build(python: &Python, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, Language::Python, options)?;
    let component = guest.component_path("componentize-py")?;
    let sdk = Sdk::choose(python, &guest.dir, &guest.target_dir)?;
    // The stamp names where the SDK came from, so switching between an installed package and
    // the embedded copy rebuilds (an embedded copy of another content is another directory).
    let stamp = Stamp::new(python.tool(), &[&sdk.fact()]);
    let sdk_inputs = [sdk.path().to_owned(), sdk.path().join("evident")];
    if guest.is_up_to_date(&component, &stamp, &[], &sdk_inputs) {
        return Ok(guest.built(component.clone(), component));
    }
    let tool = python.install()?;
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
        .arg(sdk.path())
        .arg("app")
        .arg("-o")
        .arg(&building);
    run(&mut command, "componentize-py", options.verbose)?;
    let mut bytes = crate::read(&building)?;
    let _ = std::fs::remove_file(&building);
    crate::encode::append_sdk_label(&mut bytes, Language::Python);
    write_atomically(&component, &bytes)?;
    stamp.record(&component)?;
    Ok(guest.built(component.clone(), component))
}

/// Where a Python guest's `evident` package comes from.
#[derive(Debug, PartialEq, Eq)]
enum Sdk {
    /// The `site-packages` of the guest's virtual environment, which holds an installed
    /// `evident-sdk` (its `evident/` package).
    Installed(PathBuf),
    /// The SDK this crate carries, written out under the target directory.
    Embedded(PathBuf),
}

impl Sdk {
    /// The installed package if the guest has a virtual environment holding it (`$VIRTUAL_ENV`,
    /// else `<guest>/.venv`), else the embedded SDK.
    fn choose(python: &Python, guest: &Path, target_dir: &Path) -> Result<Self, BuildError> {
        let active = std::env::var_os("VIRTUAL_ENV").map(PathBuf::from);
        match installed_sdk(active.as_deref(), guest) {
            Some(site) => Ok(Sdk::Installed(site)),
            None => crate::sdk::write(python.name(), target_dir).map(Sdk::Embedded),
        }
    }

    /// The directory componentize-py gets on its path: it holds `evident/`.
    fn path(&self) -> &Path {
        match self {
            Sdk::Installed(path) | Sdk::Embedded(path) => path,
        }
    }

    /// The line of the stamp that says which SDK the component was built with.
    fn fact(&self) -> String {
        match self {
            Sdk::Installed(path) => format!("sdk: installed {}", path.display()),
            Sdk::Embedded(path) => format!("sdk: embedded {}", path.display()),
        }
    }
}

/// The `site-packages` holding an installed `evident` package: of the virtual environment
/// `active` (`$VIRTUAL_ENV`), else of `<guest>/.venv`.
fn installed_sdk(active: Option<&Path>, guest: &Path) -> Option<PathBuf> {
    let local = guest.join(".venv");
    let venvs = active.into_iter().chain(std::iter::once(local.as_path()));
    venvs.filter_map(site_packages).next()
}

/// The `site-packages` of the virtual environment `venv` if it holds `evident/__init__.py`:
/// `lib/python3.X/site-packages` (POSIX), `Lib/site-packages` (Windows).
fn site_packages(venv: &Path) -> Option<PathBuf> {
    let mut candidates = vec![venv.join("Lib").join("site-packages")];
    if let Ok(entries) = std::fs::read_dir(venv.join("lib")) {
        let mut versions: Vec<PathBuf> = entries
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("python"))
            .map(|entry| entry.path().join("site-packages"))
            .collect();
        versions.sort();
        candidates.extend(versions);
    }
    candidates
        .into_iter()
        .find(|site| site.join("evident").join("__init__.py").is_file())
}

#[cfg(test)]
mod tests {
    use super::{Python, Sdk, installed_sdk};

    #[test]
    fn an_installed_package_in_the_guests_venv_or_the_active_one_is_preferred() {
        let scratch =
            std::env::temp_dir().join(format!("evident-python-sdk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let guest = scratch.join("guest");
        let active = scratch.join("active-venv");
        std::fs::create_dir_all(&guest).unwrap();
        assert_eq!(installed_sdk(None, &guest), None, "no venv");

        // A venv without the SDK does not count.
        let local_site = guest.join(".venv/lib/python3.12/site-packages");
        std::fs::create_dir_all(local_site.join("pip")).unwrap();
        assert_eq!(installed_sdk(None, &guest), None, "a venv without evident");
        std::fs::create_dir_all(local_site.join("evident")).unwrap();
        std::fs::write(local_site.join("evident/__init__.py"), "").unwrap();
        assert_eq!(installed_sdk(None, &guest), Some(local_site.clone()));
        // An active venv without the SDK: the guest's own.
        std::fs::create_dir_all(&active).unwrap();
        assert_eq!(installed_sdk(Some(&active), &guest), Some(local_site));
        // An active venv with it wins.
        let active_site = active.join("Lib/site-packages");
        std::fs::create_dir_all(active_site.join("evident")).unwrap();
        std::fs::write(active_site.join("evident/__init__.py"), "").unwrap();
        assert_eq!(installed_sdk(Some(&active), &guest), Some(active_site));

        // The embedded SDK otherwise, and the stamp tells the two apart.
        let embedded = Sdk::choose(&Python, &scratch.join("elsewhere"), &scratch.join("target"));
        let embedded = embedded.unwrap();
        if std::env::var_os("VIRTUAL_ENV").is_none() {
            assert!(matches!(embedded, Sdk::Embedded(_)), "{embedded:?}");
            assert!(embedded.path().join("evident/__init__.py").is_file());
        }
        let installed = Sdk::Installed(embedded.path().to_owned());
        assert_ne!(installed.fact(), embedded.fact());
        let _ = std::fs::remove_dir_all(&scratch);
    }

    /// Skips (returning `true`) with a line on stderr when `what` failed for want of a tool,
    /// except under `CI`, where that fails the test.
    fn skip(what: &str, output: &std::io::Result<std::process::Output>) -> bool {
        let why = match output {
            Ok(output) if output.status.success() => return false,
            Ok(output) => String::from_utf8_lossy(&output.stderr).into_owned(),
            Err(error) => error.to_string(),
        };
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} is needed under CI: {why}"
        );
        use std::io::Write as _;
        let line = format!("\n*** SKIPPED: {what} is not available: {why} ***\n");
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        true
    }

    /// The wheel `pip wheel` makes of the SDK (from a copy, so the SDK stays clean), installed
    /// with no index into the guest's `.venv`, as `.ci/packages` installs it: the guest builds
    /// with it, and the stamp says so.
    #[test]
    fn a_guest_builds_with_the_sdk_wheel_installed_in_its_venv() {
        use std::process::Command;

        let scratch =
            std::env::temp_dir().join(format!("evident-python-wheel-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let source = scratch.join("src");
        for (path, bytes) in crate::sdk::files("python") {
            let file = source.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
        let python = crate::toolchain::python();
        let dist = scratch.join("dist");
        let wheel = Command::new(&python)
            .args([
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--no-deps", "-w"])
            .arg(&dist)
            .arg(&source)
            .output();
        if skip("pip wheel (with setuptools)", &wheel) {
            return;
        }
        let wheel = std::fs::read_dir(&dist)
            .unwrap()
            .flatten()
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|ext| ext == "whl"))
            .expect("a wheel");

        let guest = scratch.join("python-event-counter");
        std::fs::create_dir_all(&guest).unwrap();
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../guests/python-event-counter");
        for file in ["app.py", "guest.json"] {
            std::fs::copy(sample.join(file), guest.join(file)).unwrap();
        }
        let venv = Command::new(&python)
            .args(["-m", "venv"])
            .arg(guest.join(".venv"))
            .output();
        if skip("python3 -m venv", &venv) {
            return;
        }
        let install = Command::new(guest.join(".venv/bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--no-index", "--no-deps"])
            .arg(&wheel)
            .output();
        let install = install.expect("the venv's pip runs");
        assert!(
            install.status.success(),
            "pip install of the wheel: {}",
            String::from_utf8_lossy(&install.stderr)
        );
        let site = installed_sdk(None, &guest).expect("the wheel is installed in .venv");

        // Not the test process's own virtual environment, if it has one.
        if std::env::var_os("VIRTUAL_ENV").is_some() {
            let _ = std::fs::remove_dir_all(&scratch);
            return;
        }
        let options = crate::BuildOptions {
            target_dir: Some(scratch.join("target")),
            ..Default::default()
        };
        let built = match super::build(&Python, &guest, &options) {
            Err(crate::BuildError::ToolInstall { reason, .. }) => {
                // Skipped (under CI, failed): componentize-py cannot be installed.
                skip("componentize-py", &Err(std::io::Error::other(reason)));
                return;
            }
            built => built.expect("the guest builds with the installed wheel"),
        };
        let stamp = std::fs::read_to_string(built.component.with_extension("stamp")).unwrap();
        assert!(
            stamp.contains(&format!("sdk: installed {}", site.display())),
            "{stamp}"
        );
        assert!(std::fs::metadata(&built.component).unwrap().len() > 0);
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
