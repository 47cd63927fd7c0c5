//! `evident pull`: fetch a component from an OCI registry, its digests verified, and show what
//! its manifest says about it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use evident_oci::Reference;

use super::push::RegistryOptions;
use crate::output;

/// Pull a component from an OCI registry, checking its digests.
#[derive(Args)]
#[command(after_help = "Examples:\n  \
    evident pull 127.0.0.1:5055/evident/event-counter:1.0.0 -o event_counter.wasm\n  \
    evident pull 127.0.0.1:5055/evident/event-counter@sha256:<digest printed by push>")]
pub(crate) struct PullCommand {
    /// What: <registry>/<name>:<tag> or <registry>/<name>@sha256:<digest>.
    #[arg(value_name = "REGISTRY/NAME(:TAG|@DIGEST)")]
    reference: String,
    /// Where to write the component (default: <name>.wasm here).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    registry: RegistryOptions,
}

impl PullCommand {
    /// Writes the component and prints its digests and annotations.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let reference: Reference = self.reference.parse()?;
        let pulled = self.registry.client()?.pull(&reference)?;
        let output = self
            .output
            .unwrap_or_else(|| PathBuf::from(format!("{}.wasm", reference.name())));
        std::fs::write(&output, &pulled.bytes)
            .with_context(|| format!("cannot write {}", output.display()))?;
        println!("pulled:  {}", pulled.reference);
        println!(
            "file:    {} ({})",
            output.display(),
            output::size(pulled.bytes.len() as u64)
        );
        println!("digest:  {}", pulled.digest);
        println!("layer:   {} (verified)", pulled.layer_digest);
        for (key, value) in &pulled.annotations {
            println!("  {key}: {value}");
        }
        Ok(ExitCode::SUCCESS)
    }
}
