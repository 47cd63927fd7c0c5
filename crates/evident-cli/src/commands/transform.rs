//! `evident transform`: run events through a transform and print the events it makes.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use evident_types::{Event, Parameters};

use super::REFUSED;
use crate::args::ComponentOnEvents;
use crate::component;
use crate::stream::{EventSource, EventStream};

/// Events transformed per call: the transform's frame form takes this many at once.
const CHUNK_EVENTS: usize = 1_000;

/// Run events through a transform (a converter or an upcaster) and print what it makes, as
/// CloudEvents JSON lines.
#[derive(Args)]
#[command(after_help = "Examples:
  evident transform guests/csv-to-json --events examples/payments/uploads.jsonl
  evident transform guests/payment-upcaster --param step=v1-to-v2 --events old.jsonl > new.jsonl

Each input event becomes zero, one or many events, printed in order. A refusal stops the
run, naming the line and the event (the events before it are printed).

Exit codes: 0 done, 2 the transform refused an event, 1 an error.")]
pub(crate) struct TransformCommand {
    #[command(flatten)]
    on: ComponentOnEvents,
}

impl TransformCommand {
    /// Transforms every event, printing the output as it goes.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let runtime = component::runtime(Some(&self.on.run))?;
        let transform =
            component::load_transform(&runtime, &self.on.component.component, self.on.run.wasi)?;
        let parameters = Parameters::from(self.on.run.parameters.clone());
        let mut input = EventStream::open(&self.on.events, None)?;
        let mut out = BufWriter::new(std::io::stdout().lock());
        let (mut read, mut written) = (0usize, 0usize);
        loop {
            let chunk: Vec<Event> = input.by_ref().take(CHUNK_EVENTS).collect();
            if chunk.is_empty() {
                break;
            }
            match transform.transform(&chunk, &parameters) {
                Ok(events) => {
                    for event in &events {
                        writeln!(out, "{}", event.to_json()).context("cannot write to stdout")?;
                    }
                    written += events.len();
                }
                Err(failed) => {
                    out.flush().context("cannot write to stdout")?;
                    let at = format!("{}, {}", input.name(), input.origin(read + failed.index));
                    if failed.error.refusal().is_some() {
                        eprintln!("error: {at}: event `{}`: {}", failed.id, failed.error);
                        return Ok(ExitCode::from(REFUSED));
                    }
                    anyhow::bail!("{at}: event `{}`: {}", failed.id, failed.error);
                }
            }
            read += chunk.len();
        }
        out.flush().context("cannot write to stdout")?;
        input.finish()?;
        eprintln!("transformed {read} events into {written}");
        Ok(ExitCode::SUCCESS)
    }
}
