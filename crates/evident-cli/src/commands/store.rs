//! `evident store`: append events to the event log, read them back, ask for its head.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use evident_store::{
    AppendCondition, AppendError, Event, Existing, Position, Store, StoreOptions, StoredEvent,
};

use evident_host::{Database, DatabaseError, Registry};

use super::{CONFLICT, DUPLICATE};
use crate::args::{Location, Selection};
use crate::component;
use crate::manifest::{self, Manifest};
use crate::store::{open_existing, store_name};
use crate::stream::{EventSource, EventStream};

/// Exit code for input the store refuses: a line that is not a CloudEvent, an event over the
/// size limit, a condition or query that is not JSON.
const BAD_INPUT: u8 = 2;

/// Append events to the event log, read them back, ask for its head.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  evident store append examples/courses/events.jsonl\n  evident store read --tag course:c1\n  evident store head\n\nThe store is a directory holding a SQLite file (./evident-store unless --store or\nEVIDENT_STORE names another), or a PostgreSQL database: --store postgres://user@host/db."
)]
pub(crate) struct StoreCommand {
    #[command(subcommand)]
    command: StoreSubcommand,
}

/// The `store` subcommands.
#[derive(Subcommand)]
enum StoreSubcommand {
    Append(AppendCommand),
    Read(ReadCommand),
    Head(HeadCommand),
}

impl StoreCommand {
    /// Runs the subcommand given.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        match self.command {
            StoreSubcommand::Append(append) => append.execute(),
            StoreSubcommand::Read(read) => read.execute(),
            StoreSubcommand::Head(head) => head.execute(),
        }
    }
}

/// Append CloudEvents (JSON lines) to the log in one atomic append, optionally under a
/// Dynamic Consistency Boundary condition; prints `{"appended":N,"position":P}`.
#[derive(Args)]
#[command(after_help = "Examples:
  evident store append examples/courses/events.jsonl
  evident decide guests/bank-account --given examples/bank/history.jsonl \\
      --command examples/bank/withdraw.json | evident store append -
  evident store append --condition examples/courses/condition.json examples/courses/subscribe.jsonl
  evident store append --batch-size 10000 big-import.jsonl
  evident store append --validate --views examples/payments/evident.toml examples/payments/events.jsonl

Every event of the input is appended, or none: the append is atomic (with --batch-size, each
batch is). An empty input appends nothing. A condition file holds the query the decision read
and the position it read up to; the append fails if a matching event came after it:
  {\"failIfEventsMatch\":{\"items\":[{\"tags\":[\"course:c1\"]}]},\"after\":7}

With --validate, the validators of the manifest ([[validator]] tables of --views FILE, else
./evident.toml) check the events first; one refusal refuses the append (exit code 2, the line,
event and validator named; nothing written).

Exit codes: 2 bad input (the line and attribute are named; nothing written), 3 conflict (the
condition failed; nothing written), 4 duplicate (an event's source and id are in the log
already, or twice in the input; nothing written).")]
pub(crate) struct AppendCommand {
    /// The events: CloudEvents as JSON lines (or a CBOR sequence, .cbor); `-` reads stdin.
    #[arg(value_name = "FILE|-")]
    events: PathBuf,
    /// Append only if no event matching the condition's query was appended after its
    /// `after` position: `{"failIfEventsMatch":{"items":[…]},"after":P}`.
    #[arg(long, value_name = "FILE")]
    condition: Option<PathBuf>,
    /// Append in batches of N events, each atomic but NOT atomic together: a failure in
    /// one leaves the batches before it appended (for imports too big for one append).
    #[arg(long, value_name = "N", conflicts_with = "condition", value_parser = clap::value_parser!(u64).range(1..))]
    batch_size: Option<u64>,
    /// The largest event taken, in bytes as stored (default 1 MiB).
    #[arg(long, value_name = "BYTES")]
    max_event_bytes: Option<usize>,
    /// Run the manifest's validators on the events before appending them.
    #[arg(long)]
    validate: bool,
    /// The manifest whose validators --validate runs (default: ./evident.toml).
    #[arg(
        long,
        value_name = "FILE",
        env = "EVIDENT_VIEWS",
        hide_env_values = true,
        requires = "validate"
    )]
    views: Option<PathBuf>,
    #[command(flatten)]
    location: Location,
}

/// Print the events a query selects, in log order, as CloudEvents JSON lines, each with
/// its position in the extension attribute `position`.
#[derive(Args)]
#[command(after_help = "Examples:
  evident store read
  evident store read --tag course:c1
  evident store read --type student.subscribed --tag course:c1 --tag student:s2
  evident store read --query query.json --after 120 --limit 100
  evident store read --store postgres://evident@localhost/evident | head

--type and --tag make one query item: any of the types, all of the tags. A tag is
`name:value` and matches an event whose attribute `name` (source, subject, dataschema or an
extension attribute) equals `value`. --query reads a DCB query of several items, OR'd:
  {\"items\":[{\"types\":[\"course.defined\"],\"tags\":[\"course:c1\"]},{\"tags\":[\"student:s1\"]}]}")]
pub(crate) struct ReadCommand {
    #[command(flatten)]
    selection: Selection,
    /// At most this many events.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    #[command(flatten)]
    location: Location,
}

/// Print the position of the last event: `{"position":P}` (0 for an empty log).
#[derive(Args)]
#[command(after_help = "Example:
  evident store head --store ./evident-store")]
pub(crate) struct HeadCommand {
    #[command(flatten)]
    location: Location,
}

impl HeadCommand {
    /// Prints `{"position":P}`.
    fn execute(self) -> Result<ExitCode> {
        let store = open_existing(&self.location.store)?;
        let head = store.head().with_context(|| store_name(store.as_ref()))?;
        println!("{}", serde_json::json!({ "position": head }));
        Ok(ExitCode::SUCCESS)
    }
}

impl AppendCommand {
    /// Appends the events, all or none (or batch by batch), and prints what was appended.
    fn execute(self) -> Result<ExitCode> {
        let condition = match self.condition.as_deref() {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                match AppendCondition::from_json(&text) {
                    Ok(condition) => Some(condition),
                    Err(e) => return refuse(BAD_INPUT, format_args!("{}: {e}", path.display())),
                }
            }
        };
        let mut options = StoreOptions::default();
        if let Some(limit) = self.max_event_bytes {
            options.max_event_bytes = limit;
        }
        // A store is created by the first append.
        let store: Arc<dyn Store> = Arc::from(evident_store::open(&self.location.store, options)?);
        let database = if self.validate {
            Some(validating(store.clone(), self.views.as_deref())?)
        } else {
            None
        };
        let mut input = EventStream::open(&self.events, None)?;
        let progress = input.progress();
        let bar = progress.bar();
        // Events per append; without --batch-size, all in one.
        let batch_size = self
            .batch_size
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        // Events of the input appended so far, and the position of the last.
        let (mut appended, mut position) = (0usize, None);
        let mut read = 0usize;
        // What was appended before a failure, for its message (a batched append only).
        let done_before = |appended: usize, position: Option<Position>| match position {
            Some(position) if appended > 0 => format!(
                "; the {appended} events of the batches before it were appended, up to position {position}"
            ),
            _ => "; nothing was appended".to_owned(),
        };
        loop {
            let batch: Vec<Event> = input
                .by_ref()
                .take(batch_size)
                .inspect(|_| {
                    read += 1;
                    if read.is_multiple_of(4096) {
                        progress.show(&bar);
                    }
                })
                .collect();
            let ended = batch.len() < batch_size;
            if ended && let Err(error) = input.finish() {
                bar.finish_and_clear();
                let before = done_before(appended, position);
                if error.chain().any(|cause| cause.is::<std::io::Error>()) {
                    anyhow::bail!("{error:#}{before}");
                }
                return refuse(BAD_INPUT, format_args!("{error:#}{before}"));
            }
            if batch.is_empty() {
                break;
            }
            let result = match &database {
                Some(database) => database.append(&batch, condition.as_ref()),
                None => store
                    .append(&batch, condition.as_ref())
                    .map_err(DatabaseError::Append),
            };
            match result {
                Ok(last) => {
                    appended += batch.len();
                    position = Some(last);
                }
                Err(error) => {
                    bar.finish_and_clear();
                    let before = done_before(appended, position);
                    let error = match error {
                        DatabaseError::Append(error) => error,
                        DatabaseError::Conflict { last, .. } => last,
                        DatabaseError::Refused { validator, source } => {
                            let at = format!(
                                "{}, {}",
                                input.name(),
                                input.origin(appended + source.index)
                            );
                            let why = match source.error.refusal() {
                                Some((code, message)) => format!("[{code}] {message}"),
                                None => source.error.to_string(),
                            };
                            return refuse(
                                BAD_INPUT,
                                format_args!(
                                    "{at}: event `{}`: validator `{validator}` refused it: {why}{before}",
                                    source.id
                                ),
                            );
                        }
                        other => return Err(anyhow::Error::new(other)),
                    };
                    return refused(error, &input, appended, &before, store.as_ref());
                }
            }
            if ended {
                break;
            }
        }
        bar.finish_and_clear();
        let position = match position {
            Some(position) => position,
            None => store.head().with_context(|| store_name(store.as_ref()))?,
        };
        println!(
            "{}",
            serde_json::json!({ "appended": appended, "position": position })
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// A database over `store` running the validators of the manifest (`views`, else
/// ./evident.toml).
fn validating(store: Arc<dyn Store>, views: Option<&Path>) -> Result<Database> {
    let Some(manifest) = Manifest::find(views, None)? else {
        anyhow::bail!(
            "--validate runs the validators of a manifest: give --views FILE or run where {} is",
            manifest::FILE_NAME
        );
    };
    if manifest.validators.is_empty() {
        anyhow::bail!(
            "{} declares no [[validator]]: --validate would check nothing",
            manifest.path.display()
        );
    }
    let registry = Arc::new(Registry::new(component::runtime(None)?));
    let database = Database::new(store, registry.clone());
    manifest.install_validators(&registry, &database)?;
    Ok(database)
}

impl ReadCommand {
    /// Prints the selected events as JSON lines, each with its position.
    fn execute(self) -> Result<ExitCode> {
        let store = open_existing(&self.location.store)?;
        let query = self.selection.query()?;
        let events = store
            .read(&query, self.selection.after(), self.limit)
            .with_context(|| store_name(store.as_ref()))?;
        let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        for stored in events {
            let StoredEvent {
                position,
                mut event,
            } = stored.with_context(|| store_name(store.as_ref()))?;
            event
                .extensions
                .insert("position".to_owned(), position.to_string());
            let line = event.to_json();
            let written = out
                .write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n"));
            if let Err(error) = written {
                return closed_or(error);
            }
        }
        match out.flush() {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(error) => closed_or(error),
        }
    }
}

/// Prints `message` as `error: …` and exits with `code`.
fn refuse(code: u8, message: impl std::fmt::Display) -> Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(code))
}

/// Reports an append the store refused; the events of the batch start at input index `start`.
fn refused(
    error: AppendError,
    input: &EventStream,
    start: usize,
    before: &str,
    store: &dyn Store,
) -> Result<ExitCode> {
    let at = |index: usize| format!("{}, {}", input.name(), input.origin(start + index));
    match error {
        AppendError::Conflict { .. } => {
            eprintln!(
                "{error}{before} (read again, decide again, and append with the new position)"
            );
            Ok(ExitCode::from(CONFLICT))
        }
        AppendError::Duplicate {
            index,
            id,
            event_source,
            existing,
        } => {
            let first = match existing {
                Existing::InLog => format!(
                    "{} holds an event with that source and id",
                    store_name(store)
                ),
                Existing::InBatch(first) => {
                    format!("{} has the same source and id", input.origin(start + first))
                }
            };
            refuse(
                DUPLICATE,
                format_args!(
                    "{}: event `{id}` of source `{event_source}` is a duplicate: {first}{before}",
                    at(index)
                ),
            )
        }
        AppendError::Invalid { index, id, error } => refuse(
            BAD_INPUT,
            format_args!("{}: event `{id}`: {error}{before}", at(index)),
        ),
        AppendError::TooLarge {
            index,
            id,
            size,
            limit,
        } => refuse(
            BAD_INPUT,
            format_args!(
                "{}: event `{id}` is {size} bytes, over the store's limit of {limit} bytes (--max-event-bytes){before}",
                at(index)
            ),
        ),
        other => {
            Err(anyhow::Error::new(other)
                .context(format!("cannot append to {}", store_name(store))))
        }
    }
}

/// A reader that went away (`| head`) ends the output quietly; any other write error fails.
fn closed_or(error: std::io::Error) -> Result<ExitCode> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(error).context("cannot write to stdout")
    }
}
