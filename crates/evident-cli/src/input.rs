//! Reading events, states and commands from files or stdin.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use evident_types::{State, content_type};

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

/// Opens a file, or stdin for `-`.
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

fn is_cbor(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "cbor" || ext == "cborseq")
}

/// The format given, or the one the file name says (`.cbor`: a CBOR sequence).
pub(crate) fn format_of(path: &Path, format: Option<EventsFormat>) -> EventsFormat {
    format.unwrap_or(if is_cbor(path) {
        EventsFormat::CborSeq
    } else {
        EventsFormat::JsonLines
    })
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
