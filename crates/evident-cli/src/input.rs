//! Reading events, states and commands from files or stdin.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use evident_types::{Event, EventError, State, content_type, read_json_lines};

/// How a file of events is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EventsFormat {
    /// One CloudEvent JSON object per line.
    JsonLines,
    /// A sequence of CBOR items (RFC 8742), each a CloudEvent in the JSON format's shape.
    CborSeq,
}

/// How to send a state or command file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PayloadFormat {
    /// As JSON (`application/json`).
    Json,
    /// As CBOR (`application/cbor`); a JSON file is converted.
    Cbor,
}

/// Events read, with where each came from ("line 12", "item 3") for error messages.
pub(crate) struct Events {
    pub(crate) events: Vec<Event>,
    pub(crate) origins: Vec<String>,
}

fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Box::new(BufReader::new(file)))
}

fn is_cbor(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "cbor" || ext == "cborseq")
}

/// Reads every event first, so a bad one is reported before any component runs.
pub(crate) fn read_events(path: &Path, format: Option<EventsFormat>) -> Result<Events> {
    let name = path.display();
    let format = format.unwrap_or(if is_cbor(path) {
        EventsFormat::CborSeq
    } else {
        EventsFormat::JsonLines
    });
    let reader = open(path)?;
    let mut read = Events {
        events: Vec::new(),
        origins: Vec::new(),
    };
    match format {
        EventsFormat::JsonLines => {
            let mut lines = read_json_lines(reader);
            while let Some(event) = lines.next() {
                read.events.push(event.with_context(|| format!("{name}"))?);
                read.origins.push(format!("line {}", lines.line()));
            }
        }
        EventsFormat::CborSeq => {
            let mut reader = reader;
            let mut item = 0;
            while !reader
                .fill_buf()
                .with_context(|| format!("{name}"))?
                .is_empty()
            {
                item += 1;
                let value: ciborium::Value = ciborium::from_reader(&mut reader)
                    .with_context(|| format!("{name}: item {item} is not CBOR"))?;
                let json = evident_types::cbor_to_json(value);
                let event: Event = serde_json::from_value(json)
                    .map_err(|e| EventError::NotJson(e.to_string()))
                    .with_context(|| format!("{name}: item {item}"))?;
                read.events.push(event);
                read.origins.push(format!("item {item}"));
            }
        }
    }
    Ok(read)
}

/// Reads a state or command file: `.cbor` files as CBOR, anything else as JSON, converted to
/// CBOR when `format` says so.
pub(crate) fn read_payload(
    path: &Path,
    format: Option<PayloadFormat>,
) -> Result<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    open(path)?
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if is_cbor(path) {
        if format == Some(PayloadFormat::Json) {
            bail!("{} is CBOR; it cannot be sent as JSON", path.display());
        }
        return Ok((content_type::CBOR.to_owned(), bytes));
    }
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON (name CBOR files *.cbor)", path.display()))?;
    match format {
        Some(PayloadFormat::Cbor) => {
            let mut cbor = Vec::new();
            ciborium::into_writer(&json, &mut cbor).context("cannot encode as CBOR")?;
            Ok((content_type::CBOR.to_owned(), cbor))
        }
        _ => Ok((content_type::JSON.to_owned(), bytes)),
    }
}

/// A state from a file.
pub(crate) fn read_state(path: &Path, format: Option<PayloadFormat>) -> Result<State> {
    let (content_type, bytes) = read_payload(path, format)?;
    Ok(State::new(content_type, bytes))
}
