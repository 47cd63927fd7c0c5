//! Finding, building and loading the component a command names.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
pub(crate) use evident_host::Loaded;
use evident_host::{
    ComponentKind, DatabaseDecider, Decider, Error, Limits, Load, Runtime, RuntimeConfig, Sandbox,
    StateChange, StateView, Transform, Validator,
};

use crate::args::RunOptions;

/// Where compiled components are cached between runs: `$EVIDENT_AOT_CACHE` (`off` disables
/// it), else `$XDG_CACHE_HOME/evident/aot`, else `~/.cache/evident/aot`.
pub(crate) fn aot_cache_dir() -> Option<PathBuf> {
    match std::env::var_os("EVIDENT_AOT_CACHE") {
        Some(dir) if dir == "off" => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
            .map(|cache| cache.join("evident/aot")),
    }
}

/// A runtime whose default limits are the command line's, with the AOT cache.
pub(crate) fn runtime(run: Option<&RunOptions>) -> Result<Runtime> {
    runtime_with(run, |_| {})
}

/// [`runtime`], its configuration adjusted by `adjust`.
pub(crate) fn runtime_with(
    run: Option<&RunOptions>,
    adjust: impl FnOnce(&mut RuntimeConfig),
) -> Result<Runtime> {
    let mut config = RuntimeConfig {
        aot_cache_dir: aot_cache_dir(),
        ..RuntimeConfig::default()
    };
    if let Some(run) = run {
        config.limits = limits(run, config.limits)?;
        // A deadline asked for is one kept: the runtime then keeps epoch deadlines.
        config.epoch_deadlines |= run.deadline.is_some();
    }
    adjust(&mut config);
    Ok(Runtime::new(config)?)
}

fn limits(run: &RunOptions, mut limits: Limits) -> Result<Limits> {
    if let Some(fuel) = run.limit_fuel {
        limits.fuel = fuel;
    }
    if let Some(memory) = run.limit_memory {
        limits.memory_bytes = usize::try_from(memory.as_u64())
            .context("--limit-memory is larger than this machine can address")?;
    }
    if let Some(deadline) = run.deadline {
        limits.deadline = deadline;
    }
    if let Some(memories) = run.limit_memories {
        limits.memories = memories as usize;
    }
    Ok(limits)
}

/// How the command line builds guests: showing the toolchain's progress, into
/// `$EVIDENT_BUILD_DIR` if set (so scripts and CI can share one build directory across guests and
/// runs), else where the language builds by default (see [`evident_build::BuildOptions`]).
pub(crate) fn build_options() -> evident_build::BuildOptions {
    evident_build::BuildOptions {
        verbose: true,
        target_dir: std::env::var_os("EVIDENT_BUILD_DIR").map(PathBuf::from),
        ..Default::default()
    }
}

/// A component file as given, or the component built from a guest directory, and whether it
/// needs the deny-all WASI mode: one built from a guest directory in a language whose
/// toolchain makes it import WASI does.
pub(crate) fn component_file(path: &Path) -> Result<(PathBuf, bool)> {
    if path.is_dir() {
        eprintln!("building {} ...", path.display());
        let built = evident_build::build_guest(path, &build_options())?;
        let wasi = built.language.needs_wasi();
        if wasi {
            eprintln!(
                "note: {} components import WASI; running it in the deny-all WASI mode (as --wasi does)",
                built.language.name()
            );
        }
        return Ok((built.component, wasi));
    }
    if !path.exists() {
        anyhow::bail!(
            "{} does not exist (give a component .wasm, a .cwasm from `evident compile`, or a guest crate directory)",
            path.display()
        );
    }
    Ok((path.to_owned(), false))
}

fn is_precompiled(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "cwasm")
}

/// The host's loader for a component, an artifact or a guest directory (built first), in the
/// deny-all WASI sandbox if `wasi` asks or the guest's language needs it.
fn loader<'a>(runtime: &'a Runtime, path: &Path, wasi: bool) -> Result<Load<'a>> {
    let (file, needs_wasi) = component_file(path)?;
    let load = if is_precompiled(&file) {
        // SAFETY: a .cwasm named on the command line is trusted like the binary being run;
        // Wasmtime still refuses artifacts from another version or configuration.
        #[allow(unsafe_code)]
        unsafe {
            runtime.load_precompiled(&file)
        }
    } else {
        runtime.load_file(&file)
    };
    Ok(load.sandbox(if wasi || needs_wasi {
        Sandbox::Wasi
    } else {
        Sandbox::Strict
    }))
}

/// Loads a state view from a component, an artifact or a guest directory.
pub(crate) fn load_view(runtime: &Runtime, path: &Path, wasi: bool) -> Result<StateView> {
    Ok(loader(runtime, path, wasi)?.view()?)
}

/// Loads a state change from a component, an artifact or a guest directory.
pub(crate) fn load_validator(runtime: &Runtime, path: &Path, wasi: bool) -> Result<Validator> {
    Ok(loader(runtime, path, wasi)?.validator()?)
}

pub(crate) fn load_transform(runtime: &Runtime, path: &Path, wasi: bool) -> Result<Transform> {
    Ok(loader(runtime, path, wasi)?.transform()?)
}

pub(crate) fn load_change(runtime: &Runtime, path: &Path, wasi: bool) -> Result<StateChange> {
    Ok(loader(runtime, path, wasi)?.change()?)
}

/// Loads a decider (one component that is a view and a change) from a component, an artifact
/// or a guest directory.
pub(crate) fn load_decider(runtime: &Runtime, path: &Path, wasi: bool) -> Result<Decider> {
    Ok(loader(runtime, path, wasi)?.decider()?)
}

/// Whether the component file exports the `decider` interface of the `database-decider`
/// world (evident:db 0.4.0): a decider that reads the database. A precompiled artifact, or a
/// file that is not a component, is not.
pub(crate) fn is_database_decider(file: &Path) -> Result<bool> {
    if is_precompiled(file) {
        return Ok(false);
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if !bytes.starts_with(b"\0asm") {
        return Ok(false);
    }
    Ok(read_sections(&bytes).is_ok_and(|sections| {
        sections
            .exports
            .iter()
            .any(|export| export.starts_with("evident:db/decider@"))
    }))
}

/// Loads a decider that reads the database (world `database-decider`) from a component, an
/// artifact or a guest directory.
pub(crate) fn load_database_decider(
    runtime: &Runtime,
    path: &Path,
    wasi: bool,
) -> Result<DatabaseDecider> {
    Ok(loader(runtime, path, wasi)?.database_decider()?)
}

/// Loads a component as whichever kind it is: a database decider by its exports, else the
/// first of [`ComponentKind::ALL`]'s other kinds it loads as (a decider before the view and
/// the change it also is); if none, says why for each.
pub(crate) fn load_any(runtime: &Runtime, path: &Path, wasi: bool) -> Result<Loaded> {
    let (file, needs_wasi) = component_file(path)?;
    let wasi = wasi || needs_wasi;
    if is_database_decider(&file)? {
        return Ok(loader(runtime, &file, wasi)?.as_kind(ComponentKind::DatabaseDecider)?);
    }
    let mut refusals = Vec::new();
    for kind in [
        ComponentKind::Decider,
        ComponentKind::View,
        ComponentKind::Change,
        ComponentKind::Validator,
        ComponentKind::Transform,
    ] {
        match loader(runtime, &file, wasi)?.as_kind(kind) {
            Ok(loaded) => return Ok(loaded),
            // A forbidden import or an unreadable file is the same for every kind: say it once.
            // The host's error itself is returned, so callers can tell which it was.
            Err(error @ (Error::ForbiddenImport { .. } | Error::Io { .. })) => {
                return Err(error.into());
            }
            // Every view-and-change is a view: a decider's refusal says nothing the view's and
            // the change's do not.
            Err(_) if kind == ComponentKind::Decider => {}
            Err(error) => refusals.push(error),
        }
    }
    let why: Vec<String> = refusals.iter().map(|e| format!("  {e:#}")).collect();
    anyhow::bail!(
        "{}: no kind of component:\n{}",
        file.display(),
        why.join("\n")
    )
}

/// A component's own imports, exports and SDK version: what `inspect` shows, and what tells
/// a database decider.
pub(crate) struct Sections {
    pub(crate) is_component: bool,
    pub(crate) imports: Vec<String>,
    pub(crate) exports: Vec<String>,
    pub(crate) sdk_version: Option<String>,
}

/// The component's own imports and exports (not those of nested modules) and the SDK version
/// the guest macros embed.
pub(crate) fn read_sections(bytes: &[u8]) -> Result<Sections, String> {
    use wasmparser::{Encoding, Parser, Payload};
    let mut sections = Sections {
        is_component: false,
        imports: Vec::new(),
        exports: Vec::new(),
        sdk_version: None,
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::Version { encoding, .. } => {
                if depth == 0 {
                    sections.is_component = encoding == Encoding::Component;
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    sections
                        .imports
                        .push(import.map_err(|e| e.to_string())?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    sections
                        .exports
                        .push(export.map_err(|e| e.to_string())?.name.name.to_owned());
                }
            }
            Payload::CustomSection(reader)
                if reader.name() == evident_build::encode::SDK_VERSION_SECTION =>
            {
                sections.sdk_version = Some(String::from_utf8_lossy(reader.data()).into_owned());
            }
            _ => {}
        }
    }
    Ok(sections)
}
