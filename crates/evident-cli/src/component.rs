//! Finding, building and loading the component a command names.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use evident_host::{
    DatabaseDecider, Decider, Error, Limits, Runtime, RuntimeConfig, StateChange, StateView,
};

use crate::RunOptions;

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
    Ok(limits)
}

/// A component file as given, or the component built from a guest directory, and whether it
/// needs the deny-all WASI mode: one built from a guest directory in a language whose
/// toolchain makes it import WASI does.
pub(crate) fn component_file(path: &Path) -> Result<(PathBuf, bool)> {
    if path.is_dir() {
        eprintln!("building {} ...", path.display());
        let options = evident_build::BuildOptions {
            verbose: true,
            ..Default::default()
        };
        let built = evident_build::build_guest(path, &options)?;
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

/// Loads a state view from a component, an artifact or a guest directory; `wasi` loads it in the
/// deny-all WASI mode.
pub(crate) fn load_view(runtime: &Runtime, path: &Path, wasi: bool) -> Result<StateView> {
    let (file, needs_wasi) = component_file(path)?;
    let wasi = wasi || needs_wasi;
    if wasi {
        let (name, bytes) = read_named(&file)?;
        return Ok(runtime.load_view_wasi(&name, &bytes)?);
    }
    if is_precompiled(&file) {
        // SAFETY: a .cwasm named on the command line is trusted like the binary being run;
        // Wasmtime still refuses artifacts from another version or configuration.
        #[allow(unsafe_code)]
        return Ok(unsafe { runtime.load_view_precompiled(&file) }?);
    }
    Ok(runtime.load_view_file(&file)?)
}

/// Loads a state change from a component, an artifact or a guest directory; `wasi` loads it in
/// the deny-all WASI mode.
pub(crate) fn load_change(runtime: &Runtime, path: &Path, wasi: bool) -> Result<StateChange> {
    let (file, needs_wasi) = component_file(path)?;
    let wasi = wasi || needs_wasi;
    if wasi {
        let (name, bytes) = read_named(&file)?;
        return Ok(runtime.load_change_wasi(&name, &bytes)?);
    }
    if is_precompiled(&file) {
        // SAFETY: as in `load_view`.
        #[allow(unsafe_code)]
        return Ok(unsafe { runtime.load_change_precompiled(&file) }?);
    }
    Ok(runtime.load_change_file(&file)?)
}

/// A component file's bytes, and the name the host would give it (`counter.component.wasm` is
/// `counter`).
fn read_named(file: &Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.split('.').next().unwrap_or_default().to_owned();
    Ok((name, bytes))
}

/// Loads a decider (one component that is a view and a change) from a component, an artifact
/// or a guest directory; `wasi` loads it in the deny-all WASI mode.
pub(crate) fn load_decider(runtime: &Runtime, path: &Path, wasi: bool) -> Result<Decider> {
    let (file, needs_wasi) = component_file(path)?;
    let wasi = wasi || needs_wasi;
    if is_precompiled(&file) {
        // SAFETY: as in `load_view`.
        #[allow(unsafe_code)]
        let (view, change) = unsafe {
            (
                runtime.load_view_precompiled(&file)?,
                runtime.load_change_precompiled(&file)?,
            )
        };
        return Ok(Decider::new(view, change));
    }
    let (name, bytes) = read_named(&file)?;
    if wasi {
        return Ok(runtime.load_decider_wasi(&name, &bytes)?);
    }
    Ok(runtime.load_decider(&name, &bytes)?)
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
    Ok(
        crate::commands::read_sections(&bytes).is_ok_and(|sections| {
            sections
                .exports
                .iter()
                .any(|export| export.starts_with("evident:db/decider@"))
        }),
    )
}

/// Loads a decider that reads the database (world `database-decider`) from a component file;
/// `wasi` loads it in the deny-all WASI mode.
pub(crate) fn load_database_decider(
    runtime: &Runtime,
    file: &Path,
    wasi: bool,
) -> Result<DatabaseDecider> {
    if is_precompiled(file) {
        anyhow::bail!(
            "{}: a database decider is loaded from its component .wasm, not a precompiled artifact (compiled code is cached on its own)",
            file.display()
        );
    }
    let (name, bytes) = read_named(file)?;
    if wasi {
        return Ok(runtime.load_database_decider_wasi(&name, &bytes)?);
    }
    Ok(runtime.load_database_decider(&name, &bytes)?)
}

/// A component loaded as whichever kind it is.
pub(crate) enum Loaded {
    View(StateView),
    Change(StateChange),
    /// A view and a change in one component.
    Decider(Box<Decider>),
    /// A decider that reads the database (evident:db 0.4.0).
    DatabaseDecider(DatabaseDecider),
}

/// Loads a component as a view, a change, or both (a decider); if it is neither, says why for
/// both.
pub(crate) fn load_any(runtime: &Runtime, path: &Path, wasi: bool) -> Result<Loaded> {
    let (file, needs_wasi) = component_file(path)?;
    let wasi = wasi || needs_wasi;
    if is_database_decider(&file)? {
        return Ok(Loaded::DatabaseDecider(load_database_decider(
            runtime, &file, wasi,
        )?));
    }
    if let Ok(decider) = load_decider(runtime, &file, wasi) {
        return Ok(Loaded::Decider(Box::new(decider)));
    }
    match load_view(runtime, &file, wasi) {
        Ok(view) => Ok(Loaded::View(view)),
        Err(as_view) => match load_change(runtime, &file, wasi) {
            Ok(change) => Ok(Loaded::Change(change)),
            Err(as_change) => {
                // A forbidden import or unreadable file is the same either way: say it once.
                // The host's error itself is returned, so callers can tell which it was.
                if matches!(
                    as_view.downcast_ref::<Error>(),
                    Some(Error::ForbiddenImport { .. } | Error::Io { .. })
                ) {
                    return Err(match as_view.downcast::<Error>() {
                        Ok(error) => error.into(),
                        Err(other) => other,
                    });
                }
                anyhow::bail!(
                    "{}: neither kind of component:\n  {as_view:#}\n  {as_change:#}",
                    file.display()
                )
            }
        },
    }
}
