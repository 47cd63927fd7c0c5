//! `evident process`: run a command through a state change.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use evident_host::Error;
use evident_types::{Command, Parameters, State};

use super::REFUSED;
use crate::args::{CommandFile, ComponentPath, RunOptions};
use crate::input::{self, PayloadFormat};
use crate::{component, output};

/// Run a command through a state change and print the events it emits, as JSON lines.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident process guests/bank-account --state account.json --state-format cbor --command deposit.json"
)]
pub(crate) struct ProcessCommand {
    #[command(flatten)]
    component: ComponentPath,
    /// The current state (JSON or .cbor); omitted means "no state yet".
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Send a JSON state file as CBOR (for changes that store CBOR).
    #[arg(long, value_enum)]
    state_format: Option<PayloadFormat>,
    #[command(flatten)]
    command: CommandFile,
    /// Only ask whether the command would be accepted.
    #[arg(long)]
    validate: bool,
    #[command(flatten)]
    run: RunOptions,
}

impl ProcessCommand {
    /// Prints the events the change emits, or its refusal (exit code [`REFUSED`]).
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let state = match self.state.as_deref() {
            Some(path) => input::read_state(path, self.state_format)?,
            None => State::default(),
        };
        let (content_type, bytes) =
            input::read_payload(&self.command.command, self.command.command_format)?;
        let command = Command::new(content_type, bytes);
        let runtime = component::runtime(Some(&self.run))?;
        let change = component::load_change(&runtime, &self.component.component, self.run.wasi)?;
        if self.validate {
            let valid = change.validate(&state, &command).map_err(with_hint)?;
            println!("{valid}");
            return Ok(if valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(REFUSED)
            });
        }
        let parameters = Parameters::from(self.run.parameters.clone());
        match change.process(&state, &command, &parameters) {
            Ok(events) => {
                let mut out = std::io::stdout().lock();
                for event in &events {
                    writeln!(out, "{}", event.to_json())?;
                }
                eprintln!("{} events", events.len());
                Ok(ExitCode::SUCCESS)
            }
            Err(Error::Guest {
                code,
                message,
                details,
                ..
            }) => {
                output::refusal(code.as_deref(), &message, details.as_deref());
                if message.contains("stores \"application/cbor\"") {
                    eprintln!(
                        "hint: this change stores CBOR; pass --state-format cbor to convert a JSON state file"
                    );
                }
                Ok(ExitCode::from(REFUSED))
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// The error, with a hint to convert the state if the change stores CBOR.
fn with_hint(error: Error) -> anyhow::Error {
    let hint = error.to_string().contains("stores \"application/cbor\"");
    let error = anyhow::Error::from(error);
    if hint {
        error.context(
            "this change stores CBOR; pass --state-format cbor to convert a JSON state file",
        )
    } else {
        error
    }
}
