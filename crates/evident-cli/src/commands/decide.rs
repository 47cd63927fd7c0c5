//! `evident decide`: a database decider (evident:db 0.4.0) decides on a store and its events
//! are appended; a decider of the 0.3.0 `decider-component` world decides on a given history.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use evident_host::{Database, DatabaseError, DecideError, Error, Read, Registry, Snapshot};
use evident_store::{AppendError, DEFAULT_LOCATION, Existing, Store, StoreOptions};
use evident_types::{Command, Parameters, State};

use super::{CONFLICT, DUPLICATE, REFUSED, database_config};
use crate::args::{CommandFile, DeciderViews, RunOptions};
use crate::component;
use crate::input::{self, EventsFormat, PayloadFormat};
use crate::manifest::{self, Manifest, ViewEntry};
use crate::output::{self, plural};
use crate::store::store_name;
use crate::stream::EventStream;

/// Decisions made before a conflict is given up on, unless `--attempts` says.
const DEFAULT_ATTEMPTS: u32 = 5;

/// Decide a command: on a store, appending the events (a database decider, evident:db
/// 0.4.0), or on a given history (a 0.3.0 decider), printing them as JSON lines.
#[derive(Args)]
#[command(after_help = "Examples:
  evident decide guests/course-subscriptions --store ./evident-store --command examples/courses/subscribe-s1.json
  evident decide guests/bank-account --given examples/bank/history.jsonl --command examples/bank/withdraw.json

A database decider (world database-decider) reads the log and the views as of the store's head
and its events are appended under the condition its reads imply (or the one it returns); on a
conflict it decides again at the new head, up to --attempts times. Its views are those of the
manifest: --views FILE, else evident.toml in the decider's guest directory, else ./evident.toml.
The appended events are printed as `evident store read` prints them (with their `position`),
and the revision, attempts, condition, reads and fuel on stderr.

Exit codes: 2 refused (`refused: [code] message` on stderr; nothing appended), 3 a conflict on
every attempt, 4 an event the log already holds (same source and id), 1 any other error.")]
pub(crate) struct DecideCommand {
    /// A decider component (.wasm) or guest directory: a database decider, or a view and a
    /// change in one (a .cwasm of one, too).
    component: PathBuf,
    /// For a 0.3.0 decider: the stream's events so far (after the snapshot, if one is
    /// given), JSON lines or a CBOR sequence (.cbor); `-` reads stdin.
    #[arg(long, value_name = "FILE|-")]
    given: Option<PathBuf>,
    /// How the history is encoded, if the file name does not say.
    #[arg(long, value_enum, requires = "given")]
    given_format: Option<EventsFormat>,
    #[command(flatten)]
    command: CommandFile,
    /// For a 0.3.0 decider: a state to start from instead of "no state yet", a snapshot of
    /// the stream.
    #[arg(long, value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// Send a JSON snapshot file as CBOR (for deciders that store CBOR).
    #[arg(long, value_enum)]
    snapshot_format: Option<PayloadFormat>,
    /// How many events of the stream the snapshot folds (its position).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "snapshot")]
    snapshot_position: u64,
    /// For a database decider: the store it decides on and appends to, a directory
    /// (SQLite, created if missing; default ./evident-store) or a PostgreSQL URL.
    #[arg(
        long,
        value_name = "PATH|postgres://…",
        env = "EVIDENT_STORE",
        hide_env_values = true
    )]
    store: Option<String>,
    #[command(flatten)]
    views: DeciderViews,
    /// For a database decider: how many times to decide when appending conflicts
    /// (default 5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    attempts: Option<u32>,
    /// For a database decider: save a snapshot of a view each time this many of its events
    /// were folded (default 10000).
    #[arg(long, value_name = "EVENTS", value_parser = clap::value_parser!(u64).range(1..))]
    snapshot_every: Option<u64>,
    #[command(flatten)]
    run: RunOptions,
}

impl DecideCommand {
    /// Decides with the component as whichever kind of decider it is.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let (file, needs_wasi) = component::component_file(&self.component)?;
        let wasi = self.run.wasi || needs_wasi;
        if component::is_database_decider(&file)? {
            if self.given.is_some() || self.snapshot.is_some() {
                bail!(
                    "{} is a database decider (evident:db 0.4.0): it reads the store (--store) and the views of the manifest, not --given or --snapshot",
                    self.component.display()
                );
            }
            return self.decide_on_store(&file, wasi);
        }
        if self.attempts.is_some() || self.snapshot_every.is_some() {
            bail!(
                "--attempts and --snapshot-every are for database deciders (evident:db 0.4.0, world database-decider); {} decides on the history given",
                self.component.display()
            );
        }
        let Some(given) = self.given.as_deref() else {
            bail!(
                "{} is not a database decider: give the history it decides on with --given FILE (a decider-component decides on one stream's events)",
                self.component.display()
            );
        };
        let (history, events) = EventStream::read_all(given, self.given_format)?;
        let (content_type, bytes) =
            input::read_payload(&self.command.command, self.command.command_format)?;
        let command = Command::new(content_type, bytes);
        let snapshot = Snapshot {
            state: match self.snapshot.as_deref() {
                Some(path) => input::read_state(path, self.snapshot_format)?,
                None => State::default(),
            },
            position: self.snapshot_position,
        };
        let runtime = component::runtime(Some(&self.run))?;
        let decider = component::load_decider(&runtime, &file, wasi)?;
        let parameters = Parameters::from(self.run.parameters.clone());
        let started = Instant::now();
        match decider.decide(snapshot, &history, &command, &parameters) {
            Ok(decision) => {
                let mut out = std::io::stdout().lock();
                for event in &decision.events {
                    writeln!(out, "{}", event.to_json())?;
                }
                eprintln!(
                    "decided on {} events (position {}) in {:.1} ms: {} new events, next position {}, fuel used {}",
                    history.len(),
                    decision.position,
                    started.elapsed().as_secs_f64() * 1e3,
                    decision.events.len(),
                    decision.position + decision.events.len() as u64,
                    decision.fuel_consumed
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(DecideError::Command(Error::Guest {
                code,
                message,
                details,
                ..
            })) => {
                output::refusal(code.as_deref(), &message, details.as_deref());
                Ok(ExitCode::from(REFUSED))
            }
            Err(DecideError::History(failed)) => bail!(
                "{}, {}: history event {:?} does not fold: {}",
                given.display(),
                events.origin(failed.index),
                failed.event_id,
                failed.source
            ),
            Err(other) => Err(other.into()),
        }
    }

    /// A database decider's decision: on the store, with the manifest's views, appended.
    fn decide_on_store(&self, file: &Path, wasi: bool) -> Result<ExitCode> {
        let (content_type, bytes) =
            input::read_payload(&self.command.command, self.command.command_format)?;
        let command = Command::new(content_type, bytes);
        let guest_dir = self.component.is_dir().then_some(self.component.as_path());
        let manifest = Manifest::find(self.views.views.as_deref(), guest_dir)?;
        let location = self.store.as_deref().unwrap_or(DEFAULT_LOCATION);
        let store: Arc<dyn Store> =
            Arc::from(evident_store::open(location, StoreOptions::default())?);
        let runtime = component::runtime(Some(&self.run))?;
        let registry = Arc::new(Registry::new(runtime));
        let database = Database::with_config(
            store.clone(),
            registry.clone(),
            database_config(self.snapshot_every),
        );
        match manifest {
            Some(manifest) => {
                let entries: Vec<&ViewEntry> = manifest.views.iter().collect();
                manifest::install(&entries, Some(&manifest), &registry, &database)?;
            }
            None => eprintln!(
                "note: no views manifest (--views FILE, EVIDENT_VIEWS, {} in the guest directory or here): the decider reads no views",
                manifest::FILE_NAME
            ),
        }
        let decider = component::load_database_decider(registry.runtime(), file, wasi)?;
        let parameters = Parameters::from(self.run.parameters.clone());
        let attempts = self.attempts.unwrap_or(DEFAULT_ATTEMPTS);
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
}

/// A read of the decision, for stderr.
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
            output::refusal(code.as_deref(), &message, details.as_deref());
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
