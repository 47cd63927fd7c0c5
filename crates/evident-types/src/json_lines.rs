//! Reading a stream of events written one JSON object per line.

use std::io::BufRead;

use crate::cloudevents_json::{self, EventError};
use crate::event::Event;

/// Reads CloudEvents from JSON lines; blank lines are skipped.
///
/// Each item is one event or the error of one line; reading goes on after a bad line, so a
/// caller may report every bad line or stop at the first.
pub fn read_json_lines<R: BufRead>(reader: R) -> JsonLines<R> {
    JsonLines {
        reader,
        line: 0,
        buffer: String::new(),
        failed_io: false,
    }
}

/// The iterator [`read_json_lines`] returns.
#[derive(Debug)]
pub struct JsonLines<R> {
    reader: R,
    line: usize,
    buffer: String,
    failed_io: bool,
}

/// A line that is not a valid event, or a read that failed; `line` counts from 1.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct JsonLinesError {
    /// The 1-based line number in the input.
    pub line: usize,
    /// What went wrong there.
    pub kind: JsonLinesErrorKind,
}

/// What went wrong on one line.
#[derive(Debug, thiserror::Error)]
pub enum JsonLinesErrorKind {
    /// The line is not a valid CloudEvent.
    #[error(transparent)]
    Event(#[from] EventError),
    /// The input could not be read (or is not UTF-8).
    #[error("cannot read input: {0}")]
    Io(#[from] std::io::Error),
}

impl<R> JsonLines<R> {
    /// The 1-based line number of the item last returned, so a caller can say where an event
    /// it later fails on came from.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Event, JsonLinesError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed_io {
            return None;
        }
        loop {
            self.buffer.clear();
            self.line += 1;
            match self.reader.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) if self.buffer.trim().is_empty() => continue,
                Ok(_) => {
                    return Some(cloudevents_json::from_json_str(&self.buffer).map_err(|e| {
                        JsonLinesError {
                            line: self.line,
                            kind: e.into(),
                        }
                    }));
                }
                Err(e) => {
                    // A reader that failed once is not trusted to resume at a line boundary.
                    self.failed_io = true;
                    return Some(Err(JsonLinesError {
                        line: self.line,
                        kind: e.into(),
                    }));
                }
            }
        }
    }
}
