//! Guests in Python and JavaScript, made into components by their own toolchains
//! (componentize-py from PyPI, componentize-js from npm), installed by pinned version into the
//! target directory on first use.
//!
//! A guest directory holds `app.py` or `app.js` and a `guest.json` naming the world of
//! `evident:db` it implements, e.g. `{"world": "state-view-basic"}`. These toolchains make
//! components that import WASI, so the host must load them with `load_view_wasi` /
//! `load_change_wasi` (every WASI capability denied).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{BuildError, BuildOptions, BuiltGuest, write_atomically};

/// The componentize-py release Python guests are built with.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";
/// The componentize-js release JavaScript guests are built with.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// A language whose toolchain builds the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptLanguage {
    /// `app.py`, built by componentize-py.
    Python,
    /// `app.js`, built by componentize-js.
    JavaScript,
}

impl ScriptLanguage {
    /// The language of the guest in `dir`, if it is a scripted guest.
    pub fn detect(dir: &Path) -> Option<Self> {
        if dir.join("app.py").is_file() {
            Some(ScriptLanguage::Python)
        } else if dir.join("app.js").is_file() {
            Some(ScriptLanguage::JavaScript)
        } else {
            None
        }
    }

    fn tool(self) -> &'static str {
        match self {
            ScriptLanguage::Python => "componentize-py",
            ScriptLanguage::JavaScript => "componentize-js",
        }
    }

    fn version(self) -> &'static str {
        match self {
            ScriptLanguage::Python => COMPONENTIZE_PY_VERSION,
            ScriptLanguage::JavaScript => COMPONENTIZE_JS_VERSION,
        }
    }
}

/// The WIT package guests build against: this crate's copy of the repository's `wit/`.
pub(crate) fn wit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wit")
}

fn default_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// Builds the scripted guest in `dir` (see the module documentation).
pub(crate) fn build(
    dir: &Path,
    language: ScriptLanguage,
    options: &BuildOptions,
) -> Result<BuiltGuest, BuildError> {
    let not_a_guest = |reason: String| BuildError::NotAGuestCrate {
        dir: dir.to_owned(),
        reason,
    };
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().replace('-', "_"))
        .ok_or_else(|| not_a_guest("has no name".into()))?;
    let manifest = dir.join("guest.json");
    let world = std::fs::read_to_string(&manifest)
        .map_err(|e| not_a_guest(format!("cannot read guest.json: {e}")))
        .and_then(|text| {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| not_a_guest(format!("guest.json: {e}")))?;
            value["world"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| not_a_guest("guest.json names no \"world\"".into()))
        })?;
    let wit = wit_dir();
    let world = format!("evident:db/{world}@{}", package_version(&wit)?);
    let target_dir = options
        .target_dir
        .clone()
        .unwrap_or_else(|| default_target_dir().join("guests"));
    let out_dir = target_dir.join(language.tool());
    std::fs::create_dir_all(&out_dir).map_err(|source| BuildError::Io {
        path: out_dir.clone(),
        source,
    })?;
    let component = out_dir.join(format!("{name}.component.wasm"));
    let inputs = [dir.to_owned(), wit.join("evident.wit")];
    if !is_older_than_any(&component, &inputs) {
        return Ok(BuiltGuest {
            package: name,
            core_module: component.clone(),
            component,
        });
    }
    let tool = install(language, &target_dir.join("tools"))?;
    let building = out_dir.join(format!("{name}.building-{}.wasm", std::process::id()));
    let mut command = match language {
        ScriptLanguage::Python => {
            let mut command = Command::new(tool.join("bin").join("componentize-py"));
            command
                .env("PYTHONPATH", &tool)
                .arg("-d")
                .arg(&wit)
                .arg("-w")
                .arg(&world)
                .arg("componentize")
                .arg("-p")
                .arg(dir)
                .arg("app")
                .arg("-o")
                .arg(&building);
            command
        }
        ScriptLanguage::JavaScript => {
            let mut command = Command::new(tool.join("node_modules/.bin/componentize-js"));
            command
                .arg(dir.join("app.js"))
                .arg("--wit")
                .arg(&wit)
                .arg("--world-name")
                .arg(&world)
                // No fetch: the host grants no HTTP.
                .args(["--disable", "http", "fetch-event"])
                .arg("--out")
                .arg(&building);
            command
        }
    };
    run(&mut command, language.tool(), options.verbose)?;
    let bytes = std::fs::read(&building).map_err(|source| BuildError::Io {
        path: building.clone(),
        source,
    })?;
    let _ = std::fs::remove_file(&building);
    write_atomically(&component, &bytes)?;
    Ok(BuiltGuest {
        package: name,
        core_module: component.clone(),
        component,
    })
}

/// `0.2.0`, from `package evident:db@0.2.0;`.
fn package_version(wit: &Path) -> Result<String, BuildError> {
    let path = wit.join("evident.wit");
    let text = std::fs::read_to_string(&path).map_err(|source| BuildError::Io {
        path: path.clone(),
        source,
    })?;
    text.lines()
        .find_map(|line| line.trim().strip_prefix("package evident:db@"))
        .map(|version| version.trim_end_matches(';').to_owned())
        .ok_or(BuildError::NotAGuestCrate {
            dir: wit.to_owned(),
            reason: "wit/evident.wit has no `package evident:db@...;` line".into(),
        })
}

/// Installs the language's toolchain at its pinned version under `tools` unless it is there;
/// returns its directory. Installs into a fresh directory and renames it into place, so
/// concurrent builds never see (or break) a half-installed tool.
fn install(language: ScriptLanguage, tools: &Path) -> Result<PathBuf, BuildError> {
    let tool = language.tool();
    let version = language.version();
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
    let mut command = match language {
        ScriptLanguage::Python => {
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
                .arg(format!("componentize-py=={version}"));
            command
        }
        ScriptLanguage::JavaScript => {
            let mut command = Command::new("npm");
            command
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&staging)
                .arg(format!("@bytecodealliance/componentize-js@{version}"));
            command
        }
    };
    let installed = run(&mut command, tool, false);
    if let Err(error) = installed {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(BuildError::ToolInstall {
            tool,
            version,
            reason: error.to_string(),
        });
    }
    if std::fs::rename(&staging, &dir).is_err() {
        // Another build installed it first.
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(dir)
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

fn run(command: &mut Command, tool: &'static str, verbose: bool) -> Result<(), BuildError> {
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
fn is_older_than_any(output: &Path, inputs: &[PathBuf]) -> bool {
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
