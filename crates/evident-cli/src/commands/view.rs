//! `evident view`: a materialized view's state at a position of the store, and
//! `view rebuild`, over an event store with the views of a manifest (`evident.toml`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use evident_host::{Database, Registry, ViewState, ViewStateError};
use evident_store::{Position, Query, Store, StoreOptions};
use evident_types::Parameters;

use super::database_config;
use crate::args::{Location, RunOptions};
use crate::component;
use crate::manifest::{self, Manifest, ViewEntry};
use crate::output::{plural, print_state};
use crate::store::store_name;

/// Show a materialized view's state at a position of the store, or rebuild it.
#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    disable_version_flag = true,
    after_help = "Examples:
  evident view course-capacity --store ./evident-store --param course=c1 --views guests/course-subscriptions/evident.toml
  evident view course-capacity --param course=c1 --at 4
  evident view guests/event-counter --store ./evident-store
  evident view rebuild course-capacity --param course=c1

A view is named in the views manifest (--views FILE, EVIDENT_VIEWS, else ./evident.toml), with
its component and the query selecting its events; a component or guest directory given instead
folds every event unless a manifest lists it. The state goes to stdout (JSON pretty-printed);
where folding started (a snapshot, or the start), the events folded and the position to stderr.
States are saved as snapshots in the store every --snapshot-every events of the view, so a
later run starts from the newest one at or before the position asked for."
)]
pub(crate) struct ViewCommand {
    #[command(subcommand)]
    command: Option<ViewSubcommand>,
    #[command(flatten)]
    show: ShowCommand,
}

/// `view show` and `view rebuild`; a plain `view` shows.
#[derive(Subcommand)]
enum ViewSubcommand {
    /// Print a view's state at a position (what `evident view NAME` does; spelt out for a
    /// view called `rebuild` or `show`).
    #[command(disable_version_flag = true)]
    Show(ShowCommand),
    /// Refold a view from the start of the log: deletes its snapshots, folds every event of
    /// the view up to the head, saving snapshots as it goes and one at the end.
    #[command(
        after_help = "Examples:
  evident view rebuild course-capacity --param course=c1 --views guests/course-subscriptions/evident.toml

Progress goes to stderr (position of head, positions/s), then what was folded and the snapshots
deleted and saved; the state to stdout. An event that does not fold stops the rebuild: the error
names it and the last good position (whose state is printed), and the exit code is 1.",
        disable_version_flag = true
    )]
    Rebuild(RebuildCommand),
}

/// What `view` and `view show` take.
#[derive(Args)]
struct ShowCommand {
    /// A view's name in the manifest, or a state view component (.wasm) or guest directory.
    #[arg(value_name = "NAME|COMPONENT", required = true)]
    target: Option<String>,
    /// The position to show the state at (default: the head).
    #[arg(long, value_name = "POSITION")]
    at: Option<Position>,
    #[command(flatten)]
    options: ViewOptions,
}

/// What `view rebuild` takes.
#[derive(Args)]
struct RebuildCommand {
    /// A view's name in the manifest, or a state view component (.wasm) or guest directory.
    #[arg(value_name = "NAME|COMPONENT")]
    target: String,
    #[command(flatten)]
    options: ViewOptions,
}

/// What `view` and `view rebuild` share.
#[derive(Args)]
struct ViewOptions {
    #[command(flatten)]
    location: Location,
    /// The views manifest (default: ./evident.toml).
    #[arg(
        long,
        value_name = "FILE",
        env = "EVIDENT_VIEWS",
        hide_env_values = true
    )]
    views: Option<PathBuf>,
    /// The view's version (default: the active one, the first the manifest lists).
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,
    /// Save a snapshot of the view's state each time this many of its events were folded
    /// (default 10000).
    #[arg(long, value_name = "EVENTS", value_parser = clap::value_parser!(u64).range(1..))]
    snapshot_every: Option<u64>,
    #[command(flatten)]
    run: RunOptions,
}

impl ViewCommand {
    /// Shows the view's state, or rebuilds it.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        match self.command {
            Some(ViewSubcommand::Show(show)) => show.execute(),
            Some(ViewSubcommand::Rebuild(rebuild)) => rebuild.execute(),
            None => self.show.execute(),
        }
    }
}

/// A database over an existing store with the view `target` (a manifest's name, or a
/// component) registered and declared; returns the view's name.
fn open_view(target: &str, options: &ViewOptions) -> Result<(Database, String)> {
    let manifest = Manifest::find(options.views.as_deref(), None)?;
    let store: Arc<dyn Store> = Arc::from(evident_store::open_existing(
        &options.location.store,
        StoreOptions::default(),
    )?);
    let runtime = component::runtime(Some(&options.run))?;
    let registry = Arc::new(Registry::new(runtime));
    let database = Database::with_config(
        store,
        registry.clone(),
        database_config(options.snapshot_every),
    );
    let wasi = options.run.wasi.then_some(true);
    let path = Path::new(target);
    let (entries, from): (Vec<ViewEntry>, Option<&Manifest>) = if path.exists() {
        match manifest
            .as_ref()
            .and_then(|m| m.by_component(path).map(|e| (m, e)))
        {
            Some((manifest, entry)) => (
                manifest.named(&entry.name).into_iter().cloned().collect(),
                Some(manifest),
            ),
            None => {
                let name = component_name(path);
                eprintln!(
                    "note: {} is in no views manifest: it is the view `{name}`, folding every event",
                    path.display()
                );
                let entry = ViewEntry {
                    name,
                    version: options
                        .version
                        .clone()
                        .unwrap_or_else(|| manifest::DEFAULT_VERSION.to_owned()),
                    component: path.to_owned(),
                    query: Query::all(),
                    wasi,
                    upcasters: Vec::new(),
                    line: 0,
                };
                (vec![entry], None)
            }
        }
    } else {
        let Some(manifest) = manifest.as_ref() else {
            bail!(
                "`{target}` is neither a component nor a guest directory, and there is no views manifest to find a view of that name in (give --views FILE, set EVIDENT_VIEWS, or run where {} is)",
                manifest::FILE_NAME
            );
        };
        let named = manifest.named(target);
        if named.is_empty() {
            bail!(
                "{} declares no view `{target}` (it declares: {})",
                manifest.path.display(),
                match manifest.names() {
                    names if names.is_empty() => "none".to_owned(),
                    names => names.join(", "),
                }
            );
        }
        (named.into_iter().cloned().collect(), Some(manifest))
    };
    let entries: Vec<ViewEntry> = entries
        .into_iter()
        .map(|mut entry| {
            entry.wasi = entry.wasi.or(wasi);
            entry
        })
        .collect();
    let name = entries[0].name.clone();
    let refs: Vec<&ViewEntry> = entries.iter().collect();
    manifest::install(&refs, from, &registry, &database)?;
    Ok((database, name))
}

/// The name a component is shown under when no manifest names it: a guest directory's name,
/// or a file's name up to its first dot.
fn component_name(path: &Path) -> String {
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string());
    if path.is_dir() {
        name
    } else {
        name.split('.').next().unwrap_or_default().to_owned()
    }
}

/// `name 1.0.0 {course=c1}`.
fn shown_view(
    database: &Database,
    name: &str,
    version: Option<&str>,
    parameters: &Parameters,
) -> String {
    let version = match version {
        Some(version) => database.registry().view_version(name, version),
        None => database.registry().view(name),
    }
    .map(|view| format!(" {}", view.version))
    .unwrap_or_default();
    format!("{name}{version}{}", shown_parameters(parameters))
}

impl ShowCommand {
    /// Prints the view's state at the position asked for (the head by default).
    fn execute(self) -> Result<ExitCode> {
        let target = self.target.context("name the view to show")?;
        let options = &self.options;
        let (database, name) = open_view(&target, options)?;
        let store = database.store().clone();
        let head = store.head().with_context(|| store_name(store.as_ref()))?;
        let at = self.at.unwrap_or(head);
        if at > head {
            bail!(
                "position {at} is past the head of {} ({head})",
                store_name(store.as_ref())
            );
        }
        let parameters = Parameters::from(options.run.parameters.clone());
        let version = options.version.as_deref();
        let shown = shown_view(&database, &name, version, &parameters);
        let started = Instant::now();
        match database.view_state(&name, version, &parameters, Some(at)) {
            Ok(state) => {
                print_state(&state.state)?;
                eprintln!(
                    "{shown} at position {at} (head {head}): {}, {} folded in {:.1} ms, fuel used {}",
                    origin(&state),
                    plural(state.events_folded, "event", "events"),
                    started.elapsed().as_secs_f64() * 1e3,
                    state.fuel_consumed
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => view_failed(error, &shown),
        }
    }
}

/// Where a view's state was folded from.
fn origin(state: &ViewState) -> String {
    match (state.from_snapshot, state.from) {
        (true, from) => format!("from the snapshot at position {from}"),
        (false, 0) => "from the start (no snapshot)".to_owned(),
        (false, from) => format!("from the state kept at position {from}"),
    }
}

/// Reports a view that could not answer: a stalled view's last good state goes to stdout.
fn view_failed(error: ViewStateError, shown: &str) -> Result<ExitCode> {
    if let ViewStateError::Stalled {
        position,
        failed_at,
        error: failed,
        ..
    } = &error
    {
        print_state(&failed.state)?;
        bail!(
            "view {shown}: the event at position {failed_at} (id {:?}) does not fold: {}\nthe last good position is {position}; the state printed is the state there",
            failed.event_id,
            failed.source
        );
    }
    Err(anyhow::Error::new(error).context(format!("view {shown}")))
}

impl RebuildCommand {
    /// Refolds the view from the start, printing progress and then its state.
    fn execute(self) -> Result<ExitCode> {
        let options = &self.options;
        let (database, name) = open_view(&self.target, options)?;
        let parameters = Parameters::from(options.run.parameters.clone());
        let version = options.version.as_deref();
        let shown = shown_view(&database, &name, version, &parameters);
        eprintln!("rebuilding {shown} from the start");
        let started = Instant::now();
        // A line a second, and the last; the same position is not shown twice.
        let mut last_shown: Option<(Instant, Position)> = None;
        let mut progress = |position: Position, head: Position| {
            let now = Instant::now();
            let due = match last_shown {
                None => true,
                Some((_, shown)) if shown == position => false,
                Some((at, _)) => position >= head || now - at >= Duration::from_secs(1),
            };
            if !due {
                return;
            }
            last_shown = Some((now, position));
            let seconds = started.elapsed().as_secs_f64().max(1e-9);
            let percent = if head == 0 {
                100.0
            } else {
                position as f64 * 100.0 / head as f64
            };
            eprintln!(
                "position {position}/{head} ({percent:.0}%), {:.0} positions/s",
                position as f64 / seconds
            );
        };
        match database.rebuild(&name, version, &parameters, &mut progress) {
            Ok(rebuilt) => {
                let elapsed = started.elapsed();
                let state =
                    database.view_state(&name, version, &parameters, Some(rebuilt.position));
                if let Ok(state) = &state {
                    print_state(&state.state)?;
                }
                eprintln!(
                    "rebuilt {shown} to position {}: {} folded in {:.1} ms ({:.0} events/s), fuel used {}; snapshots deleted {}, saved {}",
                    rebuilt.position,
                    plural(rebuilt.events_folded, "event", "events"),
                    elapsed.as_secs_f64() * 1e3,
                    rebuilt.events_folded as f64 / elapsed.as_secs_f64().max(1e-9),
                    rebuilt.fuel_consumed,
                    rebuilt.snapshots_deleted,
                    rebuilt.snapshots_saved
                );
                state.map_err(|e| anyhow::Error::new(e).context(format!("view {shown}")))?;
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => view_failed(error, &shown),
        }
    }
}

/// `{course=c1, …}` for messages; empty without parameters.
fn shown_parameters(parameters: &Parameters) -> String {
    if parameters.as_slice().is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(" {{{}}}", pairs.join(", "))
}
