//! `evident new`: create a guest from the templates (the work is `scaffold`'s).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::scaffold;

/// Create a guest: a state view or a state change, in any SDK language, with a test and a
/// README.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  evident new view order-totals\n  cd order-totals && cargo test\n\n  evident new change tally --lang go\n  cd tally && evident build && evident test . scenarios.yaml"
)]
pub(crate) struct NewCommand {
    /// What to create.
    kind: scaffold::Kind,
    /// The guest's name (and directory).
    name: String,
    /// The language to write it in.
    #[arg(long, value_enum, default_value = "rust")]
    lang: scaffold::Lang,
    /// A checkout of the Evident repository whose crates a Rust guest uses instead of the
    /// published ones (default: the one `evident` was built from, if it is still there).
    #[arg(long, value_name = "DIR", conflicts_with = "registry_sdk")]
    sdk_path: Option<PathBuf>,
    /// Depend on the published SDK crates only, even if a checkout is around.
    #[arg(long)]
    registry_sdk: bool,
}

impl NewCommand {
    /// Writes the guest's files into a new directory named after it.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let sdk = scaffold::SdkSource::choose(self.sdk_path.as_deref(), self.registry_sdk)?;
        scaffold::new(self.kind, &self.name, self.lang, &sdk)
    }
}
