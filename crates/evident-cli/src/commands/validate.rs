//! `evident validate`: check a file of events with a validator, without a store.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use evident_types::{Event, Parameters};

use super::REFUSED;
use crate::args::ComponentOnEvents;
use crate::component;
use crate::stream::{EventSource, EventStream};

/// Events checked per call: the validator's frame form takes this many at once.
const CHUNK_EVENTS: usize = 1_000;

/// Check events with a validator and print each one it refuses.
#[derive(Args)]
#[command(after_help = "Example:
  evident validate guests/payment-validator --events examples/payments/events.jsonl

Each refused event is printed as a JSON line: its line in the file, its id, and the validator's
code and message. A summary goes to stderr.

Exit codes: 0 every event accepted, 2 at least one refused, 1 an error (the component, a limit
it hit, unreadable input).")]
pub(crate) struct ValidateCommand {
    #[command(flatten)]
    on: ComponentOnEvents,
}

impl ValidateCommand {
    /// Checks every event, printing the refused ones.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let runtime = component::runtime(Some(&self.on.run))?;
        let validator =
            component::load_validator(&runtime, &self.on.component.component, self.on.run.wasi)?;
        let parameters = Parameters::from(self.on.run.parameters.clone());
        let mut input = EventStream::open(&self.on.events, None)?;
        let (mut checked, mut refused) = (0usize, 0usize);
        loop {
            let chunk: Vec<Event> = input.by_ref().take(CHUNK_EVENTS).collect();
            if chunk.is_empty() {
                break;
            }
            // After a refusal, the rest of the chunk is checked on: every refusal is reported.
            let mut start = 0;
            while start < chunk.len() {
                match validator.validate(&chunk[start..], &parameters) {
                    Ok(()) => break,
                    Err(failed) => {
                        let index = checked + start + failed.index;
                        let Some((code, message)) = failed.error.refusal() else {
                            bail!(
                                "{}, {}: event `{}`: {}",
                                input.name(),
                                input.origin(index),
                                failed.id,
                                failed.error
                            );
                        };
                        println!(
                            "{}",
                            serde_json::json!({
                                "at": input.origin(index),
                                "id": failed.id,
                                "code": code,
                                "message": message,
                            })
                        );
                        refused += 1;
                        start += failed.index + 1;
                    }
                }
            }
            checked += chunk.len();
        }
        input.finish()?;
        eprintln!("checked {checked} events: {refused} refused");
        Ok(if refused == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(REFUSED)
        })
    }
}
