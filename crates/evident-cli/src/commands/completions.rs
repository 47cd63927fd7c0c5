//! `evident completions`: a shell completion script for the whole CLI.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory};

/// Print a shell completion script.
#[derive(Args)]
#[command(after_help = "Example:\n  evident completions bash > /etc/bash_completion.d/evident")]
pub(crate) struct CompletionsCommand {
    /// The shell.
    shell: clap_complete::Shell,
}

impl CompletionsCommand {
    /// Writes the script to stdout.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        clap_complete::generate(
            self.shell,
            &mut crate::Cli::command(),
            "evident",
            &mut std::io::stdout(),
        );
        Ok(ExitCode::SUCCESS)
    }
}
