//! A language's toolchain ([`Toolchain`], one implementation per language in its own module),
//! and installing its tool at a pinned version, and running it.
//!
//! Tools go under [`tools_dir`]`/<tool>-<version>`, shared by every guest built on the machine,
//! installed into a fresh directory and renamed into place, so concurrent builds never see (or
//! break) a half-installed tool.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{BuildError, BuildOptions, BuiltGuest, Language};

/// Everything the build, `evident new` and the CLI need to know of one language, so adding a
/// language is one implementation of this (and one [`Language`] variant), not edits everywhere.
pub trait Toolchain: Sync {
    /// The language it is the toolchain of.
    fn language(&self) -> Language;

    /// The language's short name: what `evident new --lang` takes, the template directory and
    /// the SDK's directory are called, and sample guests are prefixed with.
    fn name(&self) -> &'static str;

    /// The language's name in prose (`JavaScript`, `C++`), for messages.
    fn title(&self) -> &'static str;

    /// What a guest in it is, in a phrase (no full stop), for `evident new --lang`'s help.
    fn summary(&self) -> &'static str;

    /// What marks a guest of this language (`app.py`, `.c files`), for messages.
    fn marker(&self) -> &'static str;

    /// Whether `dir` holds a guest of this language, and how surely.
    fn detect(&self, dir: &Path) -> Detection;

    /// The tool it builds with, at its pinned version: recorded with each output, so a new
    /// version rebuilds (see the crate's freshness rule).
    fn tool(&self) -> Tool;

    /// Installs the pinned tool unless it is there (or finds it); returns its directory.
    fn install(&self) -> Result<PathBuf, BuildError>;

    /// Builds the guest in `dir` into a component, unless it is up to date.
    fn build(&self, dir: &Path, options: &BuildOptions) -> Result<BuiltGuest, BuildError>;

    /// Whether its components import WASI, so the host must load them in deny-all WASI mode.
    fn needs_wasi(&self) -> bool {
        false
    }

    /// Whether its components embed an interpreter (so size warnings do not apply).
    fn carries_a_runtime(&self) -> bool {
        false
    }

    /// The directory under the CLI's `templates/` holding `evident new`'s files for it.
    fn template_dir(&self) -> &'static str {
        self.name()
    }

    /// What to run in a guest `evident new` just made.
    fn next_steps(&self) -> &'static str {
        "evident build && evident test . scenarios.yaml   (a view: evident fold . --events events.jsonl)"
    }
}

/// How surely a directory holds a guest of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// It does not.
    No,
    /// It holds the language's source files, which a guest of another language may also hold
    /// (C files beside an AssemblyScript guest): this language unless another one has its
    /// [`Manifest`](Detection::Manifest).
    Sources,
    /// It holds a file only this language's guests have (`Cargo.toml`, `app.py`, `go.mod`...).
    Manifest,
}

impl Detection {
    /// [`Manifest`](Detection::Manifest) if `dir` holds the file `marker`.
    pub(crate) fn by_file(dir: &Path, marker: &str) -> Self {
        if dir.join(marker).is_file() {
            Detection::Manifest
        } else {
            Detection::No
        }
    }
}

/// A tool at its pinned version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// Its name, e.g. `componentize-py`.
    pub name: &'static str,
    /// The version guests are built with.
    pub version: &'static str,
}

/// Whether `dir` holds a file with `extension` (one level deep).
pub(crate) fn has_extension(dir: &Path, extension: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.path().extension().is_some_and(|e| e == extension))
    })
}

/// Where toolchains are installed: `$EVIDENT_TOOLS_DIR`, else `$XDG_CACHE_HOME/evident/tools`,
/// else `~/.cache/evident/tools` (a temporary directory if there is no home).
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EVIDENT_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("evident/tools")
}

/// A package to install, and how.
pub(crate) enum Installer<'a> {
    /// `python3 -m pip install --target DIR name==version`.
    Pip { package: &'a str },
    /// `npm install --prefix DIR name@version`.
    Npm { package: &'a str },
}

/// Installs the pinned `tool` with `installer` under [`tools_dir`] unless it is there; returns
/// its directory.
pub(crate) fn install_tool(tool: Tool, installer: Installer<'_>) -> Result<PathBuf, BuildError> {
    install(&tools_dir(), tool.name, tool.version, installer)
}

/// Installs `tool` at `version` with `installer` under `tools` unless it is there; returns its
/// directory.
pub(crate) fn install(
    tools: &Path,
    tool: &'static str,
    version: &'static str,
    installer: Installer<'_>,
) -> Result<PathBuf, BuildError> {
    let dir = tools.join(format!("{tool}-{version}"));
    if dir.is_dir() {
        return Ok(dir);
    }
    let staging = tools.join(format!(
        "{tool}-{version}.installing-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|source| BuildError::Io {
        path: staging.clone(),
        source,
    })?;
    let mut command = match installer {
        Installer::Pip { package } => {
            let mut command = Command::new(python());
            command
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg("--target")
                .arg(&staging)
                .arg(format!("{package}=={version}"));
            command
        }
        Installer::Npm { package } => {
            let mut command = Command::new("npm");
            command
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&staging)
                .arg(format!("{package}@{version}"));
            command
        }
    };
    if let Err(error) = run(&mut command, tool, false) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(BuildError::ToolInstall {
            tool,
            version,
            reason: error.to_string(),
        });
    }
    if let Err(source) = std::fs::rename(&staging, &dir) {
        let _ = std::fs::remove_dir_all(&staging);
        // Another build may have installed it first; any other failure is the caller's.
        if !dir.is_dir() {
            return Err(BuildError::Io { path: dir, source });
        }
    }
    Ok(dir)
}

/// The Python that installs and runs Python-based tools: `$PYTHON`, or `python3`.
pub(crate) fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs a tool; its output is captured into the error unless `verbose` shows it as it runs.
pub(crate) fn run(
    command: &mut Command,
    tool: &'static str,
    verbose: bool,
) -> Result<(), BuildError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = if verbose {
        command.status().map(|status| (status, String::new()))
    } else {
        command.output().map(|output| {
            let text = String::from_utf8_lossy(&output.stderr).into_owned()
                + &String::from_utf8_lossy(&output.stdout);
            (output.status, text)
        })
    };
    match output {
        Ok((status, _)) if status.success() => Ok(()),
        Ok((status, text)) => Err(BuildError::Tool {
            tool,
            output: format!("{status}\n{text}"),
        }),
        Err(source) => Err(BuildError::Spawn { program, source }),
    }
}
