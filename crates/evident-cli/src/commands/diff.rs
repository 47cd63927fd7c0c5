//! `evident diff`: fold the same events, from a file or a store, through two versions of a state
//! view, and name the first event after which their states differ.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::{ArgGroup, Args};
use evident_host::{Diff, DiffError, DiffOutcome, Divergence};
use evident_types::Parameters;

use super::DIVERGED;
use crate::args::{EventsFile, RunOptions, Selection};
use crate::component;
use crate::store::{self, StoreEvents};
use crate::stream::{EventSource, EventStream};

/// Fold the same events through two versions of a state view and name the first event after
/// which their states differ (compared as JSON: key order does not count).
#[derive(Args)]
#[command(
    after_help = "Exit codes: 0 the views agree on every event; 5 their states differ (the first divergence, both states and their diff are printed); 1 an error (a view failed on an event, the events cannot be read).\n\nExamples:\n  evident diff guests/diff-counter-v1 guests/diff-counter-v2 --events examples/events.jsonl\n  evident diff old.wasm new.wasm --store ./evident-store --type com.example.order.cancelled",
    group(ArgGroup::new("input").required(true).args(["events", "store"])),
    group(
        ArgGroup::new("store_selection")
            .multiple(true)
            .args(["types", "tags", "query", "after"])
            .conflicts_with("events")
    )
)]
pub(crate) struct DiffCommand {
    /// The old version: a component (.wasm), a precompiled artifact (.cwasm), or a guest crate
    /// directory.
    old: PathBuf,
    /// The new version, in any of the same forms.
    new: PathBuf,
    #[command(flatten)]
    events: EventsFile,
    /// Read the events from a store instead (a directory, or a PostgreSQL URL), all of
    /// them or those --type, --tag or --query select.
    #[arg(long, value_name = "PATH|postgres://…")]
    store: Option<String>,
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    run: RunOptions,
}

impl DiffCommand {
    /// Folds the events through both views: "agree on N events", or the first divergence.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let runtime = component::runtime(Some(&self.run))?;
        let old = component::load_view(&runtime, &self.old, self.run.wasi)?;
        let new = component::load_view(&runtime, &self.new, self.run.wasi)?;
        let parameters = Parameters::from(self.run.parameters.clone());
        let started = Instant::now();
        let opened; // the store the events are read from, if they are
        let mut events: Box<dyn EventSource + '_> = match (&self.events.events, &self.store) {
            (Some(path), _) => Box::new(EventStream::open(path, self.events.events_format)?),
            (None, Some(location)) => {
                opened = store::open_existing(location)?;
                Box::new(StoreEvents::read(opened.as_ref(), &self.selection)?)
            }
            (None, None) => bail!("give the events to compare: --events FILE, or --store"),
        };
        let progress = events.progress();
        let bar = progress.bar();
        let outcome = Diff::new(&old, &new, &parameters).run(events.by_ref().enumerate().map(
            |(i, event)| {
                if i % 4096 == 0 {
                    progress.show(&bar);
                }
                event
            },
        ));
        bar.finish_and_clear();
        let read = events.finish();
        let elapsed = started.elapsed();
        match (outcome, read) {
            (Ok(DiffOutcome::Agree { events: agreed }), Ok(())) => {
                println!("agree on {agreed} events");
                eprintln!(
                    "compared in {:.1} ms ({:.0} events/s, reading included)",
                    elapsed.as_secs_f64() * 1e3,
                    agreed as f64 / elapsed.as_secs_f64().max(1e-9)
                );
                Ok(ExitCode::SUCCESS)
            }
            (Ok(DiffOutcome::Agree { events: agreed }), Err(unread)) => {
                bail!("{unread:#}\nthe {agreed} events before it agree")
            }
            (Ok(DiffOutcome::Diverge(divergence)), _) => {
                print_divergence(&divergence, events.as_ref());
                Ok(ExitCode::from(DIVERGED))
            }
            (Err(DiffError::Old(failed)), _) => bail!(
                "{}, {}: the old view failed at event {:?}, after {} events: {}",
                events.name(),
                events.origin(failed.index),
                failed.event_id,
                failed.index,
                failed.source
            ),
            (Err(DiffError::New(failed)), _) => bail!(
                "{}, {}: the new view failed at event {:?}, after {} events: {}",
                events.name(),
                events.origin(failed.index),
                failed.event_id,
                failed.index,
                failed.source
            ),
            (Err(error), _) => Err(error.into()),
        }
    }
}

/// The first divergence on stdout: where, both states, and a unified diff of the two.
fn print_divergence(divergence: &Divergence, events: &dyn EventSource) {
    match &divergence.after {
        Some(event) => println!(
            "diverge after event {} ({} of {}), id {:?}, type {:?}",
            event.index,
            events.origin(event.index as usize),
            events.name(),
            event.id,
            event.event_type
        ),
        None => println!("diverge before any event: the initial states differ"),
    }
    println!(
        "old state:
{}",
        divergence.old_state
    );
    println!(
        "new state:
{}",
        divergence.new_state
    );
    let (old, new) = (
        format!("{}\n", divergence.old_state),
        format!("{}\n", divergence.new_state),
    );
    let diff = similar::TextDiff::from_lines(&old, &new);
    print!(
        "{}",
        diff.unified_diff().context_radius(3).header("old", "new")
    );
}
