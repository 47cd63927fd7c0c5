//! `evident build`: build a guest into a component with its language's toolchain.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use crate::{component, output};

/// Components above this size get a warning: the spec's deployment advice.
const LARGE_COMPONENT_BYTES: u64 = 10 * 1024 * 1024;

/// Build a guest into a component (release, opt-level 3), with its language's toolchain.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident build guests/event-counter\n\nEVIDENT_BUILD_DIR, if set, is where every guest is built (default: a Rust guest's cargo target\ndirectory, or the guest's own target/guests)."
)]
pub(crate) struct BuildCommand {
    /// The guest crate's directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
}

impl BuildCommand {
    /// Builds the guest, prints the component's path and warns if it is large.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let built = evident_build::build_guest(&self.dir, &component::build_options())?;
        let size = std::fs::metadata(&built.component)
            .with_context(|| format!("{}", built.component.display()))?
            .len();
        println!("{}", built.component.display());
        eprintln!("built {} ({})", built.package, output::size(size));
        // Python and JavaScript components carry their interpreter: their size is not the
        // author's to cut.
        let carries_a_runtime = built.language.carries_a_runtime();
        if size > LARGE_COMPONENT_BYTES && !carries_a_runtime {
            eprintln!(
                "warning: {} is over {}; keep components small (strip unused dependencies, use opt-level \"s\")",
                output::size(size),
                output::size(LARGE_COMPONENT_BYTES)
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}
