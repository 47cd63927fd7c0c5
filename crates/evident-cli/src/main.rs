//! `evident`: run Evident components from the command line.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use evident_host::{Runtime, RuntimeConfig, StateView};
use evident_types::{Event, Parameters, State, content_type, read_json_lines};

/// Run Evident WebAssembly components on events.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Fold a file of CloudEvents (JSON lines) through a state view and print the final state.
    Fold {
        /// A component file (.wasm), or a guest crate directory to build first.
        component: PathBuf,
        /// CloudEvents, one JSON object per line.
        #[arg(long)]
        events: PathBuf,
        /// A parameter for the view, as name=value (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_parameter)]
        parameters: Vec<(String, String)>,
    },
}

fn parse_parameter(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,evident::guest=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Commands::Fold {
            component,
            events,
            parameters,
        } => fold(&component, &events, &Parameters::from(parameters)),
    }
}

fn fold(component: &Path, events_path: &Path, parameters: &Parameters) -> Result<()> {
    let (events, lines) = read_events(events_path)?;
    let component = component_file(component)?;
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let view: StateView = runtime.load_view_file(&component)?;
    let started = Instant::now();
    let initial = view.initialize(parameters)?;
    let result = view.fold(initial, &events, parameters);
    let elapsed = started.elapsed();
    match result {
        Ok(folded) => {
            print_state(&folded.state)?;
            let per_second = folded.events_applied as f64 / elapsed.as_secs_f64().max(1e-9);
            eprintln!(
                "folded {} events in {:.1} ms ({:.0} events/s, {} fuel)",
                folded.events_applied,
                elapsed.as_secs_f64() * 1e3,
                per_second,
                folded.fuel_consumed
            );
            Ok(())
        }
        Err(error) => {
            print_state(&error.state)?;
            bail!(
                "{}:{}: event {:?} failed after {} good events (the state above is the last good one): {}",
                events_path.display(),
                lines[error.index],
                error.event_id,
                error.events_applied,
                error.source
            )
        }
    }
}

/// Reads every event first, so a bad line is reported before any component runs; returns each
/// event's line number alongside.
fn read_events(path: &Path) -> Result<(Vec<Event>, Vec<usize>)> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = read_json_lines(BufReader::new(file));
    let (mut events, mut lines) = (Vec::new(), Vec::new());
    while let Some(event) = reader.next() {
        events.push(event.with_context(|| path.display().to_string())?);
        lines.push(reader.line());
    }
    Ok((events, lines))
}

/// A component file as given, or the component built from a guest crate directory.
fn component_file(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        return Ok(path.to_owned());
    }
    eprintln!("building {} ...", path.display());
    let options = evident_build::BuildOptions {
        verbose: true,
        ..Default::default()
    };
    Ok(evident_build::build_guest(path, &options)?.component)
}

/// Prints a state for people: JSON pretty-printed, CBOR shown as JSON, anything else as text
/// if it is UTF-8, otherwise as a byte count.
fn print_state(state: &State) -> Result<()> {
    let json = match state.content_type.as_str() {
        content_type::JSON => serde_json::from_slice::<serde_json::Value>(&state.bytes).ok(),
        content_type::CBOR => ciborium::from_reader::<ciborium::Value, _>(&state.bytes[..])
            .ok()
            .map(cbor_to_json),
        _ => None,
    };
    let mut out = std::io::stdout().lock();
    match (json, std::str::from_utf8(&state.bytes)) {
        (Some(json), _) => writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?,
        (None, Ok(text)) => writeln!(out, "{text}")?,
        (None, Err(_)) => writeln!(
            out,
            "<{} bytes of {}>",
            state.bytes.len(),
            state.content_type
        )?,
    }
    Ok(())
}

/// CBOR as JSON: byte strings become base64, non-string map keys their JSON text, tags vanish.
fn cbor_to_json(value: ciborium::Value) -> serde_json::Value {
    use base64::Engine as _;
    use ciborium::Value as Cbor;
    use serde_json::Value as Json;
    match value {
        Cbor::Integer(i) => {
            let i = i128::from(i);
            i64::try_from(i)
                .map(Json::from)
                .or_else(|_| u64::try_from(i).map(Json::from))
                .unwrap_or_else(|_| Json::String(i.to_string()))
        }
        Cbor::Bytes(bytes) => Json::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        Cbor::Float(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Cbor::Text(text) => Json::String(text),
        Cbor::Bool(b) => Json::Bool(b),
        Cbor::Null => Json::Null,
        Cbor::Tag(_, inner) => cbor_to_json(*inner),
        Cbor::Array(items) => Json::Array(items.into_iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => Json::Object(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let key = match cbor_to_json(key) {
                        Json::String(text) => text,
                        other => other.to_string(),
                    };
                    (key, cbor_to_json(value))
                })
                .collect(),
        ),
        _ => Json::Null,
    }
}
