//! `evident store`: append events to the event log, read them back, ask for its head; and the
//! store's read as a source of events for `evident fold`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use evident_store::{
    AppendCondition, AppendError, DEFAULT_LOCATION, Event, Events, Existing, Position, Query,
    QueryItem, Store, StoreError, StoreOptions, StoredEvent, Tag,
};

use crate::stream::{EventSource, EventStream, Progress, Unit};

/// Exit code for input the store refuses: a line that is not a CloudEvent, an event over the
/// size limit, a condition or query that is not JSON.
const BAD_INPUT: u8 = 2;
/// Exit code for an append whose condition failed.
const CONFLICT: u8 = 3;
/// Exit code for an append holding an event the log already has.
const DUPLICATE: u8 = 4;

/// The `store` subcommands.
#[derive(Subcommand)]
pub(crate) enum StoreCommand {
    /// Append CloudEvents (JSON lines) to the log in one atomic append, optionally under a
    /// Dynamic Consistency Boundary condition; prints `{"appended":N,"position":P}`.
    #[command(after_help = "Examples:
  evident store append examples/courses/events.jsonl
  evident decide guests/bank-account --given examples/bank/history.jsonl \\
      --command examples/bank/withdraw.json | evident store append -
  evident store append --condition examples/courses/condition.json examples/courses/subscribe.jsonl
  evident store append --batch-size 10000 big-import.jsonl

Every event of the input is appended, or none: the append is atomic (with --batch-size, each
batch is). An empty input appends nothing. A condition file holds the query the decision read
and the position it read up to; the append fails if a matching event came after it:
  {\"failIfEventsMatch\":{\"items\":[{\"tags\":[\"course:c1\"]}]},\"after\":7}

Exit codes: 2 bad input (the line and attribute are named; nothing written), 3 conflict (the
condition failed; nothing written), 4 duplicate (an event's source and id are in the log
already, or twice in the input; nothing written).")]
    Append {
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
        #[command(flatten)]
        location: Location,
    },
    /// Print the events a query selects, in log order, as CloudEvents JSON lines, each with
    /// its position in the extension attribute `position`.
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
    Read {
        #[command(flatten)]
        selection: Selection,
        /// At most this many events.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        #[command(flatten)]
        location: Location,
    },
    /// Print the position of the last event: `{"position":P}` (0 for an empty log).
    #[command(after_help = "Example:
  evident store head --store ./evident-store")]
    Head {
        #[command(flatten)]
        location: Location,
    },
}

/// `--store`, with its default and `EVIDENT_STORE`.
#[derive(Args)]
pub(crate) struct Location {
    /// The store: a directory (SQLite, created by the first append) or a PostgreSQL URL.
    #[arg(
        long = "store",
        value_name = "PATH|postgres://…",
        env = "EVIDENT_STORE",
        hide_env_values = true,
        default_value = DEFAULT_LOCATION
    )]
    pub(crate) store: String,
}

/// Which events a read takes: `--type`, `--tag`, `--query`, `--after`.
#[derive(Args)]
pub(crate) struct Selection {
    /// Events of this type (repeatable: any of them).
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Events carrying this tag, `name:value` (repeatable: all of them).
    #[arg(long = "tag", value_name = "NAME:VALUE")]
    tags: Vec<Tag>,
    /// A DCB query in JSON, `{"items":[{"types":[…],"tags":[…]},…]}`, instead of --type and
    /// --tag.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["types", "tags"])]
    query: Option<PathBuf>,
    /// Only events after this position.
    #[arg(long, value_name = "POSITION")]
    after: Option<Position>,
}

impl Selection {
    /// The query the options make: every event when none is given.
    fn query(&self) -> Result<Query> {
        if let Some(path) = &self.query {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return Query::from_json(&text).with_context(|| path.display().to_string());
        }
        if self.types.is_empty() && self.tags.is_empty() {
            return Ok(Query::all());
        }
        Ok(Query::item(
            QueryItem::types(self.types.iter().cloned()).with_tags(self.tags.iter().cloned()),
        ))
    }

    fn after(&self) -> Position {
        self.after.unwrap_or(0)
    }
}

pub(crate) fn run(command: StoreCommand) -> Result<ExitCode> {
    match command {
        StoreCommand::Append {
            events,
            condition,
            batch_size,
            max_event_bytes,
            location,
        } => {
            let mut options = StoreOptions::default();
            if let Some(limit) = max_event_bytes {
                options.max_event_bytes = limit;
            }
            append(AppendArgs {
                location: &location.store,
                events: &events,
                condition: condition.as_deref(),
                batch_size: batch_size.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
                options,
            })
        }
        StoreCommand::Read {
            selection,
            limit,
            location,
        } => read(&location.store, &selection, limit),
        StoreCommand::Head { location } => {
            let store = open_existing(&location.store)?;
            let head = store.head().with_context(|| store_name(store.as_ref()))?;
            println!("{}", serde_json::json!({ "position": head }));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens the store at `location`, creating a SQLite store if there is none.
fn open(location: &str, options: StoreOptions) -> Result<Box<dyn Store>> {
    Ok(evident_store::open(location, options)?)
}

/// Opens a store that must exist already: reading a misspelt path finds no store rather than
/// creating an empty one.
pub(crate) fn open_existing(location: &str) -> Result<Box<dyn Store>> {
    Ok(evident_store::open_existing(
        location,
        StoreOptions::default(),
    )?)
}

fn store_name(store: &dyn Store) -> String {
    format!("store {}", store.location())
}

struct AppendArgs<'a> {
    location: &'a str,
    events: &'a Path,
    condition: Option<&'a Path>,
    /// Events per append; `None`: all in one.
    batch_size: Option<usize>,
    options: StoreOptions,
}

/// Prints `message` as `error: …` and exits with `code`.
fn refuse(code: u8, message: impl std::fmt::Display) -> Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(code))
}

fn append(args: AppendArgs<'_>) -> Result<ExitCode> {
    let condition = match args.condition {
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
    let store = open(args.location, args.options)?;
    let mut input = EventStream::open(args.events, None)?;
    let progress = input.progress();
    let bar = progress.bar();
    let batch_size = args.batch_size.unwrap_or(usize::MAX);
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
        match store.append(&batch, condition.as_ref()) {
            Ok(last) => {
                appended += batch.len();
                position = Some(last);
            }
            Err(error) => {
                bar.finish_and_clear();
                let before = done_before(appended, position);
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

fn read(location: &str, selection: &Selection, limit: Option<u64>) -> Result<ExitCode> {
    let store = open_existing(location)?;
    let query = selection.query()?;
    let events = store
        .read(&query, selection.after(), limit)
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

/// A reader that went away (`| head`) ends the output quietly; any other write error fails.
fn closed_or(error: std::io::Error) -> Result<ExitCode> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(error).context("cannot write to stdout")
    }
}

/// The events a store's read selects, as a source for a fold.
pub(crate) struct StoreEvents<'s> {
    store: &'s dyn Store,
    query: Query,
    after: Position,
    events: Events<'s>,
    /// Positions read past `after`, for a progress bar.
    read_to: Arc<AtomicU64>,
    /// Positions from `after` to the head when the read began.
    span: u64,
    /// What stopped the read early, once known.
    failed: Option<StoreError>,
}

impl<'s> StoreEvents<'s> {
    /// Starts reading what `selection` selects from `store`.
    pub(crate) fn read(store: &'s dyn Store, selection: &Selection) -> Result<Self> {
        let query = selection.query()?;
        let after = selection.after();
        let head = store.head().with_context(|| store_name(store))?;
        let events = store
            .read(&query, after, None)
            .with_context(|| store_name(store))?;
        Ok(StoreEvents {
            store,
            query,
            after,
            events,
            read_to: Arc::new(AtomicU64::new(0)),
            span: head.saturating_sub(after),
            failed: None,
        })
    }
}

impl Iterator for StoreEvents<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        match self.events.next()? {
            Ok(stored) => {
                self.read_to
                    .store(stored.position - self.after, Ordering::Relaxed);
                Some(stored.event)
            }
            Err(error) => {
                self.failed = Some(error);
                None
            }
        }
    }
}

impl EventSource for StoreEvents<'_> {
    fn name(&self) -> String {
        store_name(self.store)
    }

    /// The position of the event at `index`, found by reading again: the read's first events
    /// never change (the log only grows at its end), and keeping every position would make the
    /// fold's memory grow with the events it folds.
    fn origin(&self, index: usize) -> String {
        let nth = self
            .store
            .read(&self.query, self.after, Some(index as u64 + 1))
            .and_then(|events| events.last().transpose());
        match nth {
            Ok(Some(stored)) => format!("position {}", stored.position),
            _ => format!("event {} of the read", index + 1),
        }
    }

    fn finish(&mut self) -> Result<()> {
        match self.failed.take() {
            Some(error) => Err(anyhow::Error::new(error).context(self.name())),
            None => Ok(()),
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            done: self.read_to.clone(),
            total: Some(self.span),
            unit: Unit::Positions,
        }
    }
}
