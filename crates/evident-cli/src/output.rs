//! Showing states and events to people.

use std::io::Write;

use anyhow::Result;
use evident_types::State;

/// Prints a state: JSON pretty-printed, CBOR shown as JSON, other UTF-8 as text, else a size.
pub(crate) fn print_state(state: &State) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match (state.to_json(), std::str::from_utf8(&state.bytes)) {
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

/// Bytes for people: `1.2 MiB`.
pub(crate) fn size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

/// `1 event`, `2 events`: a count with the noun it needs.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reports a guest's refusal on stderr as `refused: [code] message` (and its details), the line
/// scripts read beside the exit code.
pub(crate) fn refusal(code: Option<&str>, message: &str, details: Option<&[u8]>) {
    eprintln!("refused: [{}] {message}", code.unwrap_or("-"));
    if let Some(details) = details {
        eprintln!("details: {}", String::from_utf8_lossy(details));
    }
}
