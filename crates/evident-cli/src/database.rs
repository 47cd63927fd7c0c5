//! The database commands: `evident decide` for a database decider (evident:db 0.4.0), and
//! `evident view` (a materialized view's state at a position, and `view rebuild`), over an
//! event store with the views of a manifest (`evident.toml`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use evident_host::{
    Database, DatabaseConfig, DatabaseError, Error, Read, Registry, ViewState, ViewStateError,
};
use evident_store::{
    AppendError, DEFAULT_LOCATION, Existing, Position, Query, Store, StoreOptions,
};
use evident_types::{Command, Parameters};

use crate::RunOptions;
use crate::component;
use crate::input::{self, PayloadFormat};
use crate::manifest::{self, Manifest, ViewEntry};
use crate::output::print_state;

/// Exit code for a refusal.
const REFUSED: u8 = 2;
/// Exit code for a decision whose append kept conflicting.
const CONFLICT: u8 = 3;
/// Exit code for a decision holding an event the log already has.
const DUPLICATE: u8 = 4;
/// Decisions made before a conflict is given up on, unless `--attempts` says.
pub(crate) const DEFAULT_ATTEMPTS: u32 = 5;

/// What `evident decide` needs for a database decider.
pub(crate) struct DecideArgs<'a> {
    /// As given on the command line (a guest directory's `evident.toml` is looked for).
    pub(crate) component: &'a Path,
    /// The component file (built, if `component` is a guest directory).
    pub(crate) file: &'a Path,
    pub(crate) wasi: bool,
    pub(crate) command: &'a Path,
    pub(crate) command_format: Option<PayloadFormat>,
    pub(crate) store: Option<&'a str>,
    pub(crate) views: Option<&'a Path>,
    pub(crate) attempts: Option<u32>,
    pub(crate) snapshot_every: Option<u64>,
    pub(crate) run: &'a RunOptions,
}

fn config(snapshot_every: Option<u64>) -> DatabaseConfig {
    let mut config = DatabaseConfig::default();
    if let Some(events) = snapshot_every {
        config.snapshot_every_events = events.max(1);
    }
    config
}

fn store_name(store: &dyn Store) -> String {
    format!("store {}", store.location())
}

/// `{course=c1, …}` for messages; empty without parameters.
fn shown_parameters(parameters: &Parameters) -> String {
    if parameters.as_slice().is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(" {{{}}}", pairs.join(", "))
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn decide(args: DecideArgs<'_>) -> Result<ExitCode> {
    let (content_type, bytes) = input::read_payload(args.command, args.command_format)?;
    let command = Command::new(content_type, bytes);
    let guest_dir = args.component.is_dir().then_some(args.component);
    let manifest = Manifest::find(args.views, guest_dir)?;
    let location = args.store.unwrap_or(DEFAULT_LOCATION);
    let store: Arc<dyn Store> = Arc::from(evident_store::open(location, StoreOptions::default())?);
    let runtime = component::runtime(Some(args.run))?;
    let registry = Arc::new(Registry::new(runtime));
    let database =
        Database::with_config(store.clone(), registry.clone(), config(args.snapshot_every));
    match manifest {
        Some(manifest) => {
            let entries: Vec<&ViewEntry> = manifest.views.iter().collect();
            manifest::install(&entries, Some(&manifest.path), &registry, &database)?;
        }
        None => eprintln!(
            "note: no views manifest (--views FILE, EVIDENT_VIEWS, {} in the guest directory or here): the decider reads no views",
            manifest::FILE_NAME
        ),
    }
    let decider = component::load_database_decider(registry.runtime(), args.file, args.wasi)?;
    let parameters = Parameters::from(args.run.parameters.clone());
    let attempts = args.attempts.unwrap_or(DEFAULT_ATTEMPTS);
    let started = Instant::now();
    let appended = match database.decide_and_append(&decider, &command, &parameters, attempts) {
        Ok(appended) => appended,
        Err(error) => return decide_failed(error, store.as_ref()),
    };
    let elapsed = started.elapsed();
    let mut out = std::io::stdout().lock();
    for (position, event) in &appended.events {
        // As `evident store read` prints it: the event with its position as an attribute.
        let mut event = event.clone();
        event
            .extensions
            .insert("position".to_owned(), position.to_string());
        writeln!(out, "{}", event.to_json())?;
    }
    out.flush()?;
    let decided = &appended.decided;
    let what = match (appended.events.first(), appended.events.last()) {
        (Some((first, _)), Some((last, _))) if first == last => {
            format!("1 event appended at position {first}")
        }
        (Some((first, _)), Some((last, _))) => format!(
            "{} appended at positions {first}..{last}",
            plural(appended.events.len() as u64, "event", "events")
        ),
        _ => "no events, nothing appended".to_owned(),
    };
    eprintln!(
        "decided at revision {} after {} in {:.1} ms: {what}, fuel used {}",
        decided.revision,
        plural(u64::from(appended.attempts), "attempt", "attempts"),
        elapsed.as_secs_f64() * 1e3,
        decided.fuel_consumed
    );
    match (&decided.condition, decided.derived) {
        (Some(condition), true) => eprintln!(
            "condition (derived from its reads): {}",
            condition.to_json()
        ),
        (Some(condition), false) => {
            eprintln!("condition (the decider's): {}", condition.to_json())
        }
        (None, _) => eprintln!("condition: none (it read nothing and gave none)"),
    }
    for read in &decided.reads {
        eprintln!("read: {}", shown_read(read));
    }
    Ok(ExitCode::SUCCESS)
}

fn shown_read(read: &Read) -> String {
    match read {
        Read::View { name, query } => format!("view {name} {}", query.to_json()),
        Read::Events(query) => format!("events {}", query.to_json()),
    }
}

/// Reports a decision that was not appended, with the exit code scripts branch on.
fn decide_failed(error: DatabaseError, store: &dyn Store) -> Result<ExitCode> {
    match error {
        DatabaseError::Decide(Error::Guest {
            code,
            message,
            details,
            ..
        }) => {
            eprintln!("refused: [{}] {message}", code.as_deref().unwrap_or("-"));
            if let Some(details) = details {
                eprintln!("details: {}", String::from_utf8_lossy(&details));
            }
            Ok(ExitCode::from(REFUSED))
        }
        error @ DatabaseError::Conflict { .. } => {
            eprintln!(
                "error: {error}; nothing was appended (decide again later, or give more --attempts)"
            );
            Ok(ExitCode::from(CONFLICT))
        }
        DatabaseError::Append(AppendError::Duplicate {
            id,
            event_source,
            existing,
            ..
        }) => {
            let why = match existing {
                Existing::InLog => format!(
                    "{} holds an event with that source and id",
                    store_name(store)
                ),
                Existing::InBatch(_) => "the decision holds it twice".to_owned(),
            };
            eprintln!(
                "error: the decision's event `{id}` of source `{event_source}` is a duplicate: {why}; nothing was appended"
            );
            Ok(ExitCode::from(DUPLICATE))
        }
        other => {
            Err(anyhow::Error::new(other).context(format!("deciding on {}", store_name(store))))
        }
    }
}

/// `evident view`: a view's state, or `view rebuild`.
#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    disable_version_flag = true
)]
pub(crate) struct ViewCli {
    #[command(subcommand)]
    command: Option<ViewCommand>,
    #[command(flatten)]
    show: ShowArgs,
}

#[derive(Subcommand)]
enum ViewCommand {
    /// Print a view's state at a position (what `evident view NAME` does; spelt out for a
    /// view called `rebuild` or `show`).
    #[command(disable_version_flag = true)]
    Show(ShowArgs),
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
    Rebuild(RebuildArgs),
}

#[derive(Args)]
struct ShowArgs {
    /// A view's name in the manifest, or a state view component (.wasm) or guest directory.
    #[arg(value_name = "NAME|COMPONENT", required = true)]
    target: Option<String>,
    /// The position to show the state at (default: the head).
    #[arg(long, value_name = "POSITION")]
    at: Option<Position>,
    #[command(flatten)]
    options: ViewOptions,
}

#[derive(Args)]
struct RebuildArgs {
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
    location: crate::store::Location,
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

pub(crate) fn view(cli: ViewCli) -> Result<ExitCode> {
    match cli.command {
        Some(ViewCommand::Show(show)) => show_view(show),
        Some(ViewCommand::Rebuild(rebuild)) => rebuild_view(rebuild),
        None => show_view(cli.show),
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
    let database = Database::with_config(store, registry.clone(), config(options.snapshot_every));
    let wasi = options.run.wasi.then_some(true);
    let path = Path::new(target);
    let (entries, from): (Vec<ViewEntry>, Option<&Path>) = if path.exists() {
        match manifest
            .as_ref()
            .and_then(|m| m.by_component(path).map(|e| (m, e)))
        {
            Some((manifest, entry)) => (
                manifest.named(&entry.name).into_iter().cloned().collect(),
                Some(manifest.path.as_path()),
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
        (
            named.into_iter().cloned().collect(),
            Some(manifest.path.as_path()),
        )
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

fn show_view(args: ShowArgs) -> Result<ExitCode> {
    let target = args.target.context("name the view to show")?;
    let options = &args.options;
    let (database, name) = open_view(&target, options)?;
    let store = database.store().clone();
    let head = store.head().with_context(|| store_name(store.as_ref()))?;
    let at = args.at.unwrap_or(head);
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

fn rebuild_view(args: RebuildArgs) -> Result<ExitCode> {
    let options = &args.options;
    let (database, name) = open_view(&args.target, options)?;
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
            let state = database.view_state(&name, version, &parameters, Some(rebuilt.position));
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
