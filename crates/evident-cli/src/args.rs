//! Argument groups several commands share, declared once and flattened into each command
//! (`#[command(flatten)]`) so an option reads and behaves the same wherever it appears.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use evident_store::{DEFAULT_LOCATION, Position, Query, QueryItem, Tag};

use crate::input::{EventsFormat, PayloadFormat};

/// Parameters and limits for running a component.
#[derive(Args)]
pub(crate) struct RunOptions {
    /// A parameter for the component, as NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_parameter)]
    pub(crate) parameters: Vec<(String, String)>,
    /// Fuel per call, and per event of a fold (default 100000000): what stops a runaway guest.
    #[arg(long, value_name = "UNITS")]
    pub(crate) limit_fuel: Option<u64>,
    /// Largest guest memory, e.g. 64MiB.
    #[arg(long, value_name = "SIZE")]
    pub(crate) limit_memory: Option<bytesize::ByteSize>,
    /// Linear memories a component may have (default 1); a composition (`evident compose`) has
    /// one per component it joins.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub(crate) limit_memories: Option<u32>,
    /// Wall-clock time per call (and per event of a fold), e.g. 500ms: a safety net on top of
    /// fuel, which alone bounds a call by default.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub(crate) deadline: Option<Duration>,
    /// Run a component that imports WASI (Python, JavaScript, Go) with every WASI capability
    /// denied: no files, network, environment or real clock; stdout and stderr to the log.
    /// Components built from a guest directory in those languages get it without asking.
    #[arg(long)]
    pub(crate) wasi: bool,
}

/// `--param NAME=VALUE`, split at the first `=`.
fn parse_parameter(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))
}

/// The component a running command (`fold`, `process`) takes, in any of its forms.
#[derive(Args)]
pub(crate) struct ComponentPath {
    /// A component (.wasm), a precompiled artifact (.cwasm), or a guest crate directory.
    pub(crate) component: PathBuf,
}

/// A file of events for `fold` and `profile`; optional here, as `fold` may read a store
/// instead (`profile` makes `--events` required).
#[derive(Args)]
pub(crate) struct EventsFile {
    /// The events: JSON lines, or a CBOR sequence (.cbor); `-` reads stdin.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) events: Option<PathBuf>,
    /// How the events are encoded, if the file name does not say.
    #[arg(long, value_enum, requires = "events")]
    pub(crate) events_format: Option<EventsFormat>,
}

/// A component run over a file of events, a chunk at a time (`validate`, `transform`).
#[derive(Args)]
pub(crate) struct ComponentOnEvents {
    #[command(flatten)]
    pub(crate) component: ComponentPath,
    /// The events: JSON lines, or a CBOR sequence (.cbor); `-` reads stdin.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) events: PathBuf,
    #[command(flatten)]
    pub(crate) run: RunOptions,
}

/// The command `process` and `decide` run.
#[derive(Args)]
pub(crate) struct CommandFile {
    /// The command (JSON or .cbor).
    #[arg(long, value_name = "FILE")]
    pub(crate) command: PathBuf,
    /// Send a JSON command file as CBOR.
    #[arg(long, value_enum)]
    pub(crate) command_format: Option<PayloadFormat>,
}

/// The views manifest a database decider reads its views from (`decide`, `test`).
#[derive(Args)]
pub(crate) struct DeciderViews {
    /// For a database decider: the views manifest (default: evident.toml in the guest
    /// directory, else ./evident.toml).
    #[arg(
        long,
        value_name = "FILE",
        env = "EVIDENT_VIEWS",
        hide_env_values = true
    )]
    pub(crate) views: Option<PathBuf>,
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
    pub(crate) fn query(&self) -> Result<Query> {
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

    /// The position the read starts after: 0, the start, unless `--after` says.
    pub(crate) fn after(&self) -> Position {
        self.after.unwrap_or(0)
    }
}
