//! `evident search`: the components an OCI registry holds, and their versions.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::push::RegistryOptions;

/// List the components (repositories) of an OCI registry and their versions (tags).
#[derive(Args)]
#[command(after_help = "Example:\n  evident search 127.0.0.1:5055 event-counter")]
pub(crate) struct SearchCommand {
    /// The registry: host[:port].
    registry: String,
    /// Only names containing this text.
    text: Option<String>,
    #[command(flatten)]
    options: RegistryOptions,
}

impl SearchCommand {
    /// Prints `name  version, version, …` per component, oldest version first.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let repositories = self.options.client()?.list(&self.registry)?;
        let matching: Vec<_> = repositories
            .iter()
            .filter(|r| {
                self.text
                    .as_deref()
                    .is_none_or(|text| r.name.contains(text))
            })
            .collect();
        if matching.is_empty() {
            match &self.text {
                Some(text) => eprintln!("no components named *{text}* in {}", self.registry),
                None => eprintln!("no components in {}", self.registry),
            }
        }
        let width = matching.iter().map(|r| r.name.len()).max().unwrap_or(0);
        for repository in matching {
            println!("{:width$}  {}", repository.name, repository.tags.join(", "));
        }
        Ok(ExitCode::SUCCESS)
    }
}
