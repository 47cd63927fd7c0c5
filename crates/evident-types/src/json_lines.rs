//! Reading a stream of events written one JSON object per line.

use std::io::{self, BufRead};

use crate::cloudevents_json::{self, EventError};
use crate::event::Event;

/// The longest line [`JsonLines`] takes unless told otherwise, in bytes (its `\n` not counted):
/// 1 MiB, the same number as the event store's default `max_event_bytes`.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// Reads CloudEvents from JSON lines; blank lines are skipped.
///
/// Each item is one event or the error of one line; reading goes on after a bad line, so a
/// caller may report every bad line or stop at the first. A line longer than
/// [`DEFAULT_MAX_LINE_BYTES`] (see [`JsonLines::with_max_line_bytes`]) is an error without
/// being held in memory, and the reading goes on at the next line.
pub fn read_json_lines<R: BufRead>(reader: R) -> JsonLines<R> {
    JsonLines {
        reader,
        line: 0,
        buffer: Vec::new(),
        max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        inside_long_line: false,
        failed_io: false,
    }
}

/// The iterator [`read_json_lines`] returns.
#[derive(Debug)]
pub struct JsonLines<R> {
    reader: R,
    line: usize,
    buffer: Vec<u8>,
    max_line_bytes: usize,
    /// The last line was too long and the reader still stands inside it.
    inside_long_line: bool,
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
    /// The line is longer than the reader takes; it was not read into memory.
    #[error("the line is longer than {limit} bytes")]
    TooLong {
        /// The longest line taken, in bytes.
        limit: usize,
    },
    /// The line is not UTF-8, so it cannot be JSON.
    #[error("the line is not UTF-8: {0}")]
    NotUtf8(#[from] std::str::Utf8Error),
    /// The input could not be read.
    #[error("cannot read input: {0}")]
    Io(#[from] io::Error),
}

impl<R> JsonLines<R> {
    /// The 1-based line number of the item last returned, so a caller can say where an event
    /// it later fails on came from.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Sets the longest line taken, in bytes without its `\n`, so a caller can match its own
    /// event size limit; a longer line is a [`JsonLinesErrorKind::TooLong`] error.
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> Self {
        self.max_line_bytes = max_line_bytes;
        self
    }

    fn error(&self, kind: impl Into<JsonLinesErrorKind>) -> Option<Result<Event, JsonLinesError>> {
        Some(Err(JsonLinesError {
            line: self.line,
            kind: kind.into(),
        }))
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Event, JsonLinesError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed_io {
            return None;
        }
        if self.inside_long_line {
            self.inside_long_line = false;
            if let Err(e) = skip_line(&mut self.reader) {
                self.failed_io = true;
                return self.error(e);
            }
        }
        loop {
            self.buffer.clear();
            self.line += 1;
            match read_bounded_line(&mut self.reader, &mut self.buffer, self.max_line_bytes) {
                Ok(LineRead::End) => return None,
                Ok(LineRead::TooLong) => {
                    // Skipped when the next item is asked for: a caller that stops here does
                    // not wait for the rest of the line.
                    self.inside_long_line = true;
                    return self.error(JsonLinesErrorKind::TooLong {
                        limit: self.max_line_bytes,
                    });
                }
                Ok(LineRead::Line { .. }) => {}
                Err(e) => {
                    // A reader that failed once is not trusted to resume at a line boundary.
                    self.failed_io = true;
                    return self.error(e);
                }
            }
            let text = match std::str::from_utf8(&self.buffer) {
                Ok(text) => text,
                Err(e) => return self.error(e),
            };
            if text.trim().is_empty() {
                continue;
            }
            return match cloudevents_json::from_json_str(text) {
                Ok(event) => Some(Ok(event)),
                Err(e) => self.error(e),
            };
        }
    }
}

/// What [`read_bounded_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// The input had ended: no line was left.
    End,
    /// A whole line was read: its bytes, without the `\n`, were appended to the buffer.
    Line {
        /// The bytes taken from the reader, the `\n` (if the line had one) included.
        consumed: usize,
    },
    /// The line has more than `max` bytes before its `\n`: its first `max` bytes were
    /// appended and consumed, the reader stands inside the line.
    TooLong,
}

/// Reads one line of at most `max` bytes (its `\n` not counted) into `line`, so that no input
/// however long makes a reader hold more than `max` bytes of it.
///
/// The bytes are appended without the `\n`; a last line without one is still a line. A line
/// with more than `max` bytes stops the read at `max` bytes with [`LineRead::TooLong`]; the
/// caller stops, or skips to the next line by reading up to its `\n`. Nothing is checked to be
/// UTF-8: that is the caller's, which knows the line's number.
///
/// ```
/// use evident_types::{LineRead, read_bounded_line};
///
/// let mut input = &b"short\nmuch too long\n"[..];
/// let mut line = Vec::new();
/// assert_eq!(read_bounded_line(&mut input, &mut line, 8)?, LineRead::Line { consumed: 6 });
/// assert_eq!(line, b"short");
/// line.clear();
/// assert_eq!(read_bounded_line(&mut input, &mut line, 8)?, LineRead::TooLong);
/// assert_eq!(line, b"much too");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_bounded_line<R: BufRead + ?Sized>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    let mut taken = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if taken == 0 {
                LineRead::End
            } else {
                LineRead::Line { consumed: taken }
            });
        }
        // Only as far as the limit and one byte beyond it, which must be the `\n`.
        let window = &available[..available.len().min((max - taken).saturating_add(1))];
        match window.iter().position(|&b| b == b'\n') {
            Some(end) => {
                line.extend_from_slice(&window[..end]);
                reader.consume(end + 1);
                return Ok(LineRead::Line {
                    consumed: taken + end + 1,
                });
            }
            None if taken + window.len() > max => {
                let rest = max - taken;
                line.extend_from_slice(&window[..rest]);
                reader.consume(rest);
                return Ok(LineRead::TooLong);
            }
            None => {
                let read = window.len();
                line.extend_from_slice(window);
                reader.consume(read);
                taken += read;
            }
        }
    }
}

/// Reads up to and past the next `\n` (or to the end of the input) without keeping the bytes.
fn skip_line<R: BufRead + ?Sized>(reader: &mut R) -> io::Result<()> {
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(());
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(end) => {
                reader.consume(end + 1);
                return Ok(());
            }
            None => {
                let read = available.len();
                reader.consume(read);
            }
        }
    }
}
