//! `evident fold`: fold events, from a file or a store, through a state view.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args};
use evident_host::{Registry, Upcasters};
use evident_types::Parameters;

use crate::args::{ComponentPath, EventsFile, RunOptions, Selection};
use crate::component;
use crate::input;
use crate::manifest::Manifest;
use crate::output::{self, print_state};
use crate::store::{self, StoreEvents};
use crate::stream::{EventSource, EventStream};
use crate::upcasting;

/// Fold events through a state view and print the final state.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  evident fold guests/event-counter --events examples/events.jsonl\n  cat events.jsonl | evident fold view.wasm --events - --param prefix=order. --limit-fuel 1000000\n  evident fold guests/event-counter --store ./evident-store --tag course:c1 --after 100",
    group(ArgGroup::new("input").required(true).args(["events", "store"])),
    group(
        ArgGroup::new("store_selection")
            .multiple(true)
            .args(["types", "tags", "query", "after"])
            .conflicts_with("events")
    )
)]
pub(crate) struct FoldCommand {
    #[command(flatten)]
    component: ComponentPath,
    #[command(flatten)]
    events: EventsFile,
    /// Read the events from a store instead (a directory, or a PostgreSQL URL), all of
    /// them or those --type, --tag or --query select.
    #[arg(long, value_name = "PATH|postgres://…")]
    store: Option<String>,
    #[command(flatten)]
    selection: Selection,
    /// Start from this state instead of the view's initial one.
    #[arg(long, value_name = "FILE")]
    initial_state: Option<PathBuf>,
    /// Read the events through the upcasters the view has in this manifest (the `[[view]]`
    /// whose `component` is this component).
    #[arg(long, value_name = "FILE")]
    views: Option<PathBuf>,
    /// Write the final state's bytes here as well (the last good state if an event fails).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

impl FoldCommand {
    /// The upcasters the manifest at `path` gives this view.
    fn upcasters(
        &self,
        runtime: &evident_host::Runtime,
        path: &std::path::Path,
    ) -> Result<Upcasters> {
        let manifest = Manifest::read(path)?;
        let component = &self.component.component;
        let Some(entry) = manifest.by_component(component) else {
            bail!(
                "{} declares no view whose component is {} (it declares: {})",
                manifest.path.display(),
                component.display(),
                manifest.names().join(", ")
            );
        };
        let registry = Registry::new(runtime.clone());
        manifest.upcaster_chain(&entry.upcasters, &registry)
    }

    /// Folds the events, printing the final state (the last good one if an event fails).
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let runtime = component::runtime(Some(&self.run))?;
        let view = component::load_view(&runtime, &self.component.component, self.run.wasi)?;
        let parameters = Parameters::from(self.run.parameters.clone());
        let started = Instant::now();
        let initial = match self.initial_state.as_deref() {
            Some(path) => input::read_state(path, None)?,
            None => view.initialize(&parameters)?,
        };
        let opened; // the store the events are read from, if they are
        let mut events: Box<dyn EventSource + '_> = match (&self.events.events, &self.store) {
            (Some(path), _) => Box::new(EventStream::open(path, self.events.events_format)?),
            (None, Some(location)) => {
                opened = store::open_existing(location)?;
                Box::new(StoreEvents::read(opened.as_ref(), &self.selection)?)
            }
            (None, None) => bail!("give the events to fold: --events FILE, or --store"),
        };
        let upcasters = match self.views.as_deref() {
            Some(path) => self.upcasters(&runtime, path)?,
            None => Upcasters::default(),
        };
        let progress = events.progress();
        let bar = progress.bar();
        let read_events = events.by_ref().enumerate().map(|(i, event)| {
            if i % 4096 == 0 {
                progress.show(&bar);
            }
            event
        });
        let (result, upcasting) = if upcasters.is_empty() {
            (view.fold(initial, read_events, &parameters), None)
        } else {
            let (upcast, upcasting) = upcasting::upcast(read_events, upcasters);
            (view.fold(initial, upcast, &parameters), Some(upcasting))
        };
        bar.finish_and_clear();
        let read = events.finish();
        // The input event an event folded came from (upcasting may change their number).
        let origin = |index: usize| {
            upcasting
                .as_ref()
                .map_or(index, |upcasting| upcasting.borrow().origin(index))
        };
        let upcast_failed = upcasting
            .as_ref()
            .and_then(|u| u.borrow_mut().failed.take());
        let elapsed = started.elapsed();
        let state = match &result {
            Ok(folded) => &folded.state,
            Err(failed) => &failed.state,
        };
        print_state(state)?;
        if let Some(path) = self.output.as_deref() {
            std::fs::write(path, &state.bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let saved = if self.output.as_deref().is_some() {
            " and saved"
        } else {
            ""
        };
        match (result, read) {
            (Ok(folded), Ok(())) if upcast_failed.is_some() => {
                let error = upcast_failed.map(|e| e.to_string()).unwrap_or_default();
                let at = upcasting
                    .as_ref()
                    .and_then(|u| u.borrow().failed_at)
                    .map(|index| format!(", {}", events.origin(index)))
                    .unwrap_or_default();
                bail!(
                    "{}{at}: {error}\nthe {} events upcast before it were folded; the state printed{saved} is the state after them",
                    events.name(),
                    folded.events_applied
                )
            }
            (Ok(folded), Ok(())) => {
                eprintln!(
                    "folded {} events in {:.1} ms ({:.0} events/s, reading included), fuel used {}, peak guest memory {}",
                    folded.events_applied,
                    elapsed.as_secs_f64() * 1e3,
                    folded.events_applied as f64 / elapsed.as_secs_f64().max(1e-9),
                    folded.fuel_consumed,
                    output::size(folded.peak_memory_bytes as u64)
                );
                Ok(ExitCode::SUCCESS)
            }
            (Ok(folded), Err(unread)) => bail!(
                "{unread:#}\nthe {} events before it were folded; the state printed{saved} is the state after them",
                folded.events_applied
            ),
            (Err(failed), _) => bail!(
                "{}, {}: event {:?} failed after {} good events (the state printed{saved} is the last good one): {}",
                events.name(),
                events.origin(origin(failed.index)),
                failed.event_id,
                failed.index,
                failed.source
            ),
        }
    }
}
