//! Installing a language's toolchain at a pinned version, and running it.
//!
//! Tools go under [`tools_dir`]`/<tool>-<version>`, shared by every guest built on the machine,
//! installed into a fresh directory and renamed into place, so concurrent builds never see (or
//! break) a half-installed tool.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::BuildError;

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

/// Whether `output` is missing or older than a file in any of `inputs` (files or directories,
/// one level deep).
pub(crate) fn is_older_than_any(output: &Path, inputs: &[PathBuf]) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(built) = modified(output) else {
        return true;
    };
    inputs.iter().any(|input| {
        let files: Vec<PathBuf> = if input.is_dir() {
            std::fs::read_dir(input)
                .map(|entries| entries.flatten().map(|e| e.path()).collect())
                .unwrap_or_default()
        } else {
            vec![input.clone()]
        };
        files
            .iter()
            .any(|file| modified(file).is_none_or(|time| time > built))
    })
}
