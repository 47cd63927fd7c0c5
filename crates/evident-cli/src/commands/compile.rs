//! `evident compile`: precompile a component into an artifact (.cwasm).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::component::{self, Loaded};
use crate::output;

/// Precompile a component into an artifact the host loads without compiling.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident compile event_counter.component.wasm -o event_counter.cwasm"
)]
pub(crate) struct CompileCommand {
    /// The component file.
    component: PathBuf,
    /// The artifact to write (default: beside the component, with .cwasm).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl CompileCommand {
    /// Writes the artifact and prints its path.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let path = &self.component;
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let runtime = component::runtime(None)?;
        // Refuse now what the host would refuse at load, not after the artifact is deployed.
        if let Loaded::DatabaseDecider(_) = component::load_any(&runtime, path, false)? {
            bail!(
                "{}: a database decider is loaded from its component .wasm only (this host loads no precompiled database decider); its compiled code is kept in the AOT cache",
                path.display()
            );
        }
        let name = path.display().to_string();
        let artifact = runtime.precompile(&name, &bytes)?;
        let output = self.output.unwrap_or_else(|| path.with_extension("cwasm"));
        std::fs::write(&output, &artifact)
            .with_context(|| format!("cannot write {}", output.display()))?;
        println!("{}", output.display());
        eprintln!(
            "compiled {} ({}) into {} ({}); it loads only into this version of evident with the same settings",
            path.display(),
            output::size(bytes.len() as u64),
            output.display(),
            output::size(artifact.len() as u64)
        );
        Ok(ExitCode::SUCCESS)
    }
}
