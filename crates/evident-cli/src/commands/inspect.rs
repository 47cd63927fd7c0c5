//! `evident inspect`: what a component imports and exports, and whether this host takes it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::REFUSED;
use crate::component::{self, Loaded};
use crate::output;

/// Show what a component imports and exports and whether this host accepts it.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident inspect target/guests/wasm32-unknown-unknown/release/event_counter.component.wasm"
)]
pub(crate) struct InspectCommand {
    /// A component file (.wasm).
    component: PathBuf,
    /// Check it as the deny-all WASI mode would load it (Python, JavaScript and Go
    /// components need it).
    #[arg(long)]
    wasi: bool,
}

impl InspectCommand {
    /// Prints the report; exits with [`REFUSED`] if this host would not load the component.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let path = &self.component;
        let wasi = self.wasi;
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "file:     {}", path.display())?;
        writeln!(out, "size:     {}", output::size(bytes.len() as u64))?;
        if is_precompiled_artifact(&bytes) {
            writeln!(
                out,
                "kind:     precompiled artifact (from `evident compile`)"
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        if !bytes.starts_with(b"\0asm") {
            writeln!(out, "kind:     not a WebAssembly file")?;
            return Ok(ExitCode::from(REFUSED));
        }
        let sections = match component::read_sections(&bytes) {
            Ok(sections) => sections,
            Err(reason) => {
                writeln!(out, "kind:     not a component: {reason}")?;
                return Ok(ExitCode::from(REFUSED));
            }
        };
        writeln!(
            out,
            "kind:     {}",
            if sections.is_component {
                "component"
            } else {
                "core module (not a component)"
            }
        )?;
        let exports = |prefix: &str| sections.exports.iter().any(|e| e.starts_with(prefix));
        let world = match (
            exports("evident:db/state-view"),
            exports("evident:db/state-change"),
        ) {
            _ if exports("evident:db/decider@") => {
                "database decider: reads the database (evident:db/database-decider)"
            }
            (true, true) => "decider: state view and state change (evident:db/decider-component)",
            (true, false) => "state view (evident:db/state-view-component)",
            (false, true) => "state change (evident:db/state-change-component)",
            (false, false) => "none of this host's worlds",
        };
        writeln!(out, "world:    {world}")?;
        writeln!(out, "exports:  {}", list(&sections.exports))?;
        writeln!(out, "imports:  {}", list(&sections.imports))?;
        writeln!(
            out,
            "sdk:      {}",
            match sections
                .sdk_version
                .as_deref()
                .map(|label| label.split_once(' '))
            {
                None => "not built with an Evident SDK".to_owned(),
                // The Rust SDK writes its bare version; evident-build labels the others.
                Some(None) => format!(
                    "evident-guest-sdk {}",
                    sections.sdk_version.as_deref().unwrap_or_default()
                ),
                Some(Some((language, version))) => format!("the {language} SDK {version}"),
            }
        )?;
        let runtime = component::runtime(None)?;
        let folding = |view: &evident_host::StateView| {
            let fold = match (view.folds_in_batches(), view.meters_events()) {
                (true, true) => "folds in frames metered as one call each, reporting each event",
                (true, false) => "folds in frames metered as one call each",
                (false, _) => "folds with one reduce call per event",
            };
            format!("evident:db@{} ({fold})", view.wit_version())
        };
        let mode = if wasi {
            " in the deny-all WASI mode"
        } else {
            ""
        };
        let (verdict, wit) = match component::load_any(&runtime, path, wasi) {
            Ok(Loaded::View(view)) => (
                format!("valid state view for this host{mode}"),
                folding(&view),
            ),
            Ok(Loaded::Change(change)) => (
                format!("valid state change for this host{mode}"),
                format!("evident:db@{}", change.wit_version()),
            ),
            Ok(Loaded::Decider(decider)) => (
                format!("valid decider (state view and state change) for this host{mode}"),
                folding(decider.view()),
            ),
            Ok(Loaded::DatabaseDecider(decider)) => (
                format!(
                    "valid database decider for this host{mode} (run it with `evident decide --store`)"
                ),
                format!("evident:db@{}", decider.wit_version()),
            ),
            Ok(Loaded::Validator(validator)) => (
                format!(
                    "valid validator for this host{mode} (run it with `evident validate` or `evident store append --validate`)"
                ),
                format!("evident:db@{}", validator.wit_version()),
            ),
            Ok(Loaded::Transform(transform)) => (
                format!("valid transform for this host{mode} (run it with `evident transform`)"),
                format!("evident:db@{}", transform.wit_version()),
            ),
            Err(e) => {
                // Only a refused WASI import gets the hint; a component that imports WASI may be
                // refused for other reasons.
                let refused_wasi = e.chain().any(|cause| {
                    matches!(
                        cause.downcast_ref::<evident_host::Error>(),
                        Some(evident_host::Error::ForbiddenImport { import, .. })
                            if import.starts_with("wasi:")
                    )
                });
                let hint = if refused_wasi && !wasi {
                    " (it needs WASI: check it with --wasi, the deny-all WASI mode its language needs)"
                } else {
                    ""
                };
                (format!("REFUSED: {e:#}{hint}"), "unknown".to_owned())
            }
        };
        writeln!(out, "wit:      {wit}")?;
        writeln!(out, "host:     {verdict}")?;
        // An artifact beside the component is never loaded (loading one runs its native code): it
        // is up to date if it is, byte for byte, what this host compiles from the component.
        let artifact = path.with_extension("cwasm");
        let aot = if !artifact.exists() && exports("evident:db/decider@") {
            "none: a database decider is loaded from its .wasm (its compiled code is cached)"
                .to_owned()
        } else if !artifact.exists() {
            format!(
                "no artifact ({} absent; `evident compile` makes one)",
                artifact.display()
            )
        } else {
            let fresh = runtime.precompile(&path.display().to_string(), &bytes);
            match (std::fs::read(&artifact), fresh) {
                (Ok(found), Ok(fresh)) if found == fresh => format!(
                    "{} is up to date: it is what this host compiles from this component",
                    artifact.display()
                ),
                (Ok(_), Ok(_)) => format!(
                    "{} is stale or foreign: it is not what this host compiles from this component (`evident compile` remakes it)",
                    artifact.display()
                ),
                (Err(e), _) => format!("{} cannot be read: {e}", artifact.display()),
                (_, Err(e)) => format!("cannot compile the component to compare: {e}"),
            }
        };
        writeln!(out, "aot:      {aot}")?;
        let cache = match runtime.aot_cache_path(&bytes) {
            None => "off (EVIDENT_AOT_CACHE=off)".to_owned(),
            Some(entry) if entry.is_file() => format!("compiled, {}", entry.display()),
            Some(entry) => format!("not compiled yet (would be {})", entry.display()),
        };
        writeln!(out, "cache:    {cache}")?;
        Ok(if verdict.starts_with("REFUSED") {
            ExitCode::from(REFUSED)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// Whether `bytes` are a precompiled artifact rather than a component.
fn is_precompiled_artifact(bytes: &[u8]) -> bool {
    // Wasmtime artifacts are ELF files.
    bytes.starts_with(b"\x7fELF")
}

/// Items for a report line, `(none)` for none.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}
