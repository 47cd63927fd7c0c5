//! `evident test`: run scenario files against a component (the work is `scenario`'s).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::args::DeciderViews;
use crate::scenario;

/// Run given/when/then scenario files (JSON or YAML) against a component.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident test guests/bank-account examples/scenarios/bank-*.yaml\n\nA scenario file holds `scenarios:`, each with `name`, optional `parameters`, `given` (`events`, a `state`, or both),\n`when` (a command, for changes and deciders) and `then` (`state`, `events`, `error`, `max_fuel_per_event`,\n`condition`).\nA view folds the given events; a change decides on the given state; a decider folds the given events\n(after the given state) and decides on the result. A database decider (evident:db 0.4.0) decides on a\nfresh in-memory store holding the given events, with the views of the manifest (--views, else\nevident.toml in its guest directory, else ./evident.toml); `then` gives the events it appends, a refusal's\n`error` code, and/or the append `condition` (DCB JSON: {failIfEventsMatch: {items: [...]}, after: P})."
)]
pub(crate) struct TestCommand {
    /// A component (.wasm), a precompiled artifact (.cwasm), or a guest directory.
    component: PathBuf,
    /// Scenario files.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Run a component that imports WASI with every WASI capability denied.
    #[arg(long)]
    wasi: bool,
    #[command(flatten)]
    views: DeciderViews,
}

impl TestCommand {
    /// Runs every scenario, printing PASS or FAIL for each; fails if any failed.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        scenario::run_files(
            &self.component,
            &self.scenarios,
            self.wasi,
            self.views.views.as_deref(),
        )
    }
}
