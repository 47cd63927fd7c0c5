//! The event frame: the events of one guest call as one byte string, so they cross the
//! component boundary as a single `list<u8>` instead of one record (and a dozen allocations)
//! per event.
//!
//! Layout, all integers little-endian: a `u32` event count, then per event `id`, `source`,
//! `specversion`, `type`, `datacontenttype`?, `dataschema`?, `subject`?, `time`?, `data`?, and
//! the extensions. A string or byte string is a `u32` length and the bytes; an absent optional
//! attribute is the length `0xffff_ffff`. `time` is a flag byte (0 absent, 1 present) and then
//! `i64` Unix seconds, `u32` nanoseconds and `i32` UTC offset in seconds, so nothing is parsed
//! per event. Extensions are a `u32` pair count and the names and values as strings.
//!
//! [`FrameWriter`] is the host's side; [`FrameReader`] the guest's, lending each event as an
//! [`EventRef`] into the frame, so that a frame allocates nothing per event.

use chrono::{DateTime, FixedOffset};

use crate::event::Event;
use crate::event_ref::{EventRef, Extensions, Repr};

const ABSENT: u32 = u32::MAX;

/// Why a frame could not be read; the guest reports it as the frame's error (WIT `batch-error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The frame ended inside an event.
    #[error("the event frame is truncated in event {index} ({what})")]
    Truncated {
        /// The event's position in the frame.
        index: usize,
        /// The attribute being read.
        what: &'static str,
    },
    /// A string attribute was not UTF-8.
    #[error("the event frame's event {index} has a `{what}` that is not UTF-8")]
    NotUtf8 {
        /// The event's position in the frame.
        index: usize,
        /// The attribute.
        what: &'static str,
    },
    /// `time` was out of range, or an extension was named twice.
    #[error("the event frame's event {index} has an invalid `{what}`")]
    Invalid {
        /// The event's position in the frame.
        index: usize,
        /// The attribute.
        what: &'static str,
    },
    /// Bytes were left after the last event.
    #[error("the event frame has {0} bytes after its last event")]
    TrailingBytes(usize),
}

/// Builds a frame event by event; reuse one across frames to keep its buffer.
///
/// ```
/// use evident_types::{Event, frame::{FrameReader, FrameWriter}};
///
/// let mut writer = FrameWriter::new();
/// writer.push(&Event::new("1", "/shop", "order.placed"));
/// writer.push(&Event::new("2", "/shop", "order.paid").with_subject("o-7"));
/// assert_eq!(writer.len(), 2);
///
/// let mut reader = FrameReader::new(writer.as_bytes())?;
/// let mut types = Vec::new();
/// while let Some(event) = reader.next_event()? {
///     types.push(event.event_type);
/// }
/// assert_eq!(types, ["order.placed", "order.paid"]);
/// # Ok::<(), evident_types::frame::FrameError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameWriter {
    bytes: Vec<u8>,
    /// Where each event starts in `bytes`, so a frame can be cut or copied event by event.
    starts: Vec<usize>,
}

impl Default for FrameWriter {
    fn default() -> Self {
        FrameWriter::new()
    }
}

impl FrameWriter {
    /// An empty frame.
    pub fn new() -> Self {
        FrameWriter {
            bytes: vec![0; 4],
            starts: Vec::new(),
        }
    }

    /// Empties the frame, keeping its buffer.
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Keeps the first `events` events (all of them if there are fewer).
    pub fn truncate(&mut self, events: usize) {
        if events >= self.starts.len() {
            return;
        }
        self.bytes.truncate(self.starts[events]);
        self.starts.truncate(events);
        self.write_count();
    }

    /// Events in the frame.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the frame holds no event.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Appends events `range` of `other` as they are, without decoding them: how a host
    /// re-frames events it framed before.
    ///
    /// # Panics
    /// If `range` is not within `other`'s events.
    pub fn extend_from(&mut self, other: &FrameWriter, range: std::ops::Range<usize>) {
        assert!(
            range.start <= range.end && range.end <= other.len(),
            "events {range:?} of a frame of {}",
            other.len()
        );
        let offset = |index: usize| other.starts.get(index).copied();
        let start = offset(range.start).unwrap_or(other.bytes.len());
        let end = offset(range.end).unwrap_or(other.bytes.len());
        let here = self.bytes.len();
        self.starts
            .extend(other.starts[range].iter().map(|&at| at - start + here));
        self.bytes.extend_from_slice(&other.bytes[start..end]);
        self.write_count();
    }

    /// The id of event `index`, read back from the frame.
    ///
    /// # Panics
    /// If there is no such event.
    pub fn id(&self, index: usize) -> &str {
        let at = self.starts[index];
        let len = u32::from_le_bytes(self.bytes[at..at + 4].try_into().expect("4 bytes"));
        std::str::from_utf8(&self.bytes[at + 4..at + 4 + len as usize])
            .expect("this writer wrote the id from a str")
    }

    /// The frame's size in bytes, to cap a frame by size as well as by count.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The frame as it crosses the boundary.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Appends one event.
    ///
    /// # Panics
    /// If an attribute is 4 GiB or longer, or the frame holds 4 G events: limits no host
    /// reaches, since a component's memory is at most 4 GiB.
    pub fn push(&mut self, event: &Event) {
        assert!(self.starts.len() < ABSENT as usize, "fewer than 4 G events");
        self.starts.push(self.bytes.len());
        self.string(&event.id);
        self.string(&event.source);
        self.string(&event.spec_version);
        self.string(&event.event_type);
        self.optional(event.datacontenttype.as_deref().map(str::as_bytes));
        self.optional(event.dataschema.as_deref().map(str::as_bytes));
        self.optional(event.subject.as_deref().map(str::as_bytes));
        match &event.time {
            None => self.bytes.push(0),
            Some(time) => {
                self.bytes.push(1);
                self.bytes
                    .extend_from_slice(&time.timestamp().to_le_bytes());
                let nanos = time.timestamp_subsec_nanos();
                self.bytes.extend_from_slice(&nanos.to_le_bytes());
                let offset = time.offset().local_minus_utc();
                self.bytes.extend_from_slice(&offset.to_le_bytes());
            }
        }
        self.optional(event.data.as_deref());
        self.length(event.extensions.len());
        for (name, value) in &event.extensions {
            self.string(name);
            self.string(value);
        }
        self.write_count();
    }

    fn write_count(&mut self) {
        let count = self.starts.len() as u32;
        self.bytes[..4].copy_from_slice(&count.to_le_bytes());
    }

    fn length(&mut self, length: usize) {
        let length = u32::try_from(length)
            .ok()
            .filter(|&length| length != ABSENT)
            .expect("an attribute shorter than 4 GiB");
        self.bytes.extend_from_slice(&length.to_le_bytes());
    }

    fn string(&mut self, value: &str) {
        self.length(value.len());
        self.bytes.extend_from_slice(value.as_bytes());
    }

    fn optional(&mut self, value: Option<&[u8]>) {
        match value {
            None => self.bytes.extend_from_slice(&ABSENT.to_le_bytes()),
            Some(value) => {
                self.length(value.len());
                self.bytes.extend_from_slice(value);
            }
        }
    }
}

/// Reads a frame's events one by one, each lent as an [`EventRef`] into the frame's bytes:
/// nothing is copied or allocated per event.
///
/// It checks structure: lengths within the frame, UTF-8 strings, a representable `time`,
/// extension names given once. It does not check the CloudEvents rules again; the host checked
/// them when it read the events ([`Event::validate`] is that check).
#[derive(Debug)]
pub struct FrameReader<'a> {
    frame: &'a [u8],
    position: usize,
    remaining: u32,
    index: usize,
}

impl<'a> FrameReader<'a> {
    /// Starts reading `frame`.
    pub fn new(frame: &'a [u8]) -> Result<Self, FrameError> {
        let count = frame.get(..4).ok_or(FrameError::Truncated {
            index: 0,
            what: "event count",
        })?;
        let remaining = u32::from_le_bytes(count.try_into().expect("4 bytes"));
        Ok(FrameReader {
            frame,
            position: 4,
            remaining,
            index: 0,
        })
    }

    /// Events not read yet.
    pub fn remaining(&self) -> usize {
        self.remaining as usize
    }

    /// The position in the frame of the event the next read returns.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The next event; `Ok(None)` after the last one (or an error if bytes are left over).
    pub fn next_event(&mut self) -> Result<Option<EventRef<'a>>, FrameError> {
        if self.remaining == 0 {
            let trailing = self.frame.len() - self.position;
            return if trailing == 0 {
                Ok(None)
            } else {
                Err(FrameError::TrailingBytes(trailing))
            };
        }
        let event = EventRef {
            id: self.read_str("id")?,
            source: self.read_str("source")?,
            spec_version: self.read_str("specversion")?,
            event_type: self.read_str("type")?,
            datacontenttype: self.read_optional_str("datacontenttype")?,
            dataschema: self.read_optional_str("dataschema")?,
            subject: self.read_optional_str("subject")?,
            time: self.read_time()?,
            data: self.read_optional("data")?,
            extensions: self.read_extensions()?,
        };
        self.remaining -= 1;
        self.index += 1;
        Ok(Some(event))
    }

    fn take(&mut self, what: &'static str, len: usize) -> Result<&'a [u8], FrameError> {
        let start = self.position;
        let end = start
            .checked_add(len)
            .filter(|&end| end <= self.frame.len())
            .ok_or(FrameError::Truncated {
                index: self.index,
                what,
            })?;
        self.position = end;
        Ok(&self.frame[start..end])
    }

    fn read_array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FrameError> {
        Ok(self.take(what, N)?.try_into().expect("N bytes"))
    }

    fn read_u32(&mut self, what: &'static str) -> Result<u32, FrameError> {
        self.read_array(what).map(u32::from_le_bytes)
    }

    fn read_optional(&mut self, what: &'static str) -> Result<Option<&'a [u8]>, FrameError> {
        match self.read_u32(what)? {
            ABSENT => Ok(None),
            len => self.take(what, len as usize).map(Some),
        }
    }

    fn utf8(&self, what: &'static str, bytes: &'a [u8]) -> Result<&'a str, FrameError> {
        std::str::from_utf8(bytes).map_err(|_| FrameError::NotUtf8 {
            index: self.index,
            what,
        })
    }

    fn read_str(&mut self, what: &'static str) -> Result<&'a str, FrameError> {
        let len = self.read_u32(what)? as usize;
        let bytes = self.take(what, len)?;
        self.utf8(what, bytes)
    }

    fn read_optional_str(&mut self, what: &'static str) -> Result<Option<&'a str>, FrameError> {
        match self.read_optional(what)? {
            None => Ok(None),
            Some(bytes) => self.utf8(what, bytes).map(Some),
        }
    }

    fn read_time(&mut self) -> Result<Option<DateTime<FixedOffset>>, FrameError> {
        match self.read_array::<1>("time")? {
            [0] => Ok(None),
            [1] => {
                let seconds = i64::from_le_bytes(self.read_array("time")?);
                let nanos = u32::from_le_bytes(self.read_array("time")?);
                let offset = i32::from_le_bytes(self.read_array("time")?);
                let time = DateTime::from_timestamp(seconds, nanos)
                    .zip(FixedOffset::east_opt(offset))
                    .map(|(utc, offset)| utc.with_timezone(&offset))
                    .ok_or_else(|| self.invalid("time"))?;
                Ok(Some(time))
            }
            _ => Err(self.invalid("time")),
        }
    }

    /// Checks the name/value pairs (lengths, UTF-8, names given once) and lends them.
    fn read_extensions(&mut self) -> Result<Extensions<'a>, FrameError> {
        let count = self.read_u32("extensions")?;
        let start = self.position;
        let mut names: Vec<&str> = Vec::new();
        for _ in 0..count {
            let name = self.read_str("extension name")?;
            self.read_str("extension value")?;
            if names.contains(&name) {
                return Err(self.invalid("extensions"));
            }
            names.push(name);
        }
        Ok(Extensions(Repr::Frame {
            bytes: &self.frame[start..self.position],
            count,
        }))
    }

    fn invalid(&self, what: &'static str) -> FrameError {
        FrameError::Invalid {
            index: self.index,
            what,
        }
    }
}

/// Writes `events` as one frame.
pub fn encode<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<u8> {
    let mut writer = FrameWriter::new();
    for event in events {
        writer.push(event);
    }
    writer.bytes
}

/// Reads every event of a frame into owned events.
pub fn decode(frame: &[u8]) -> Result<Vec<Event>, FrameError> {
    let mut reader = FrameReader::new(frame)?;
    let mut events = Vec::with_capacity(reader.remaining().min(1 << 16));
    while let Some(event) = reader.next_event()? {
        events.push(event.to_event());
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_event() -> Event {
        let time = Event::parse_time("2026-11-25T19:03:21.123456789+05:30").unwrap();
        Event::new("42", "/bank/accounts", "bank.deposited")
            .with_subject("acc-1")
            .with_time(time)
            .with_data("application/octet-stream", vec![0, 1, 2, 255])
            .with_extension("traceparent", "00-abc")
            .with_extension("partition", "7")
    }

    #[test]
    fn every_attribute_survives_the_frame() {
        let mut sparse = Event::new("1", "/a", "t");
        sparse.dataschema = Some("https://example.com/schema".into());
        let events = vec![full_event(), sparse, full_event()];
        let decoded = decode(&encode(&events)).unwrap();
        assert_eq!(decoded, events);
        let offset = decoded[0].time.unwrap().offset().local_minus_utc();
        assert_eq!(
            offset,
            5 * 3600 + 30 * 60,
            "the offset is kept, not just the instant"
        );
    }

    #[test]
    fn an_empty_frame_has_no_events() {
        assert_eq!(decode(FrameWriter::new().as_bytes()), Ok(vec![]));
    }

    #[test]
    fn a_reused_writer_starts_over() {
        let mut writer = FrameWriter::new();
        writer.push(&full_event());
        writer.clear();
        writer.push(&Event::new("2", "/b", "u"));
        let decoded = decode(writer.as_bytes()).unwrap();
        assert_eq!(decoded, vec![Event::new("2", "/b", "u")]);
    }

    #[test]
    fn frames_are_cut_and_copied_event_by_event() {
        let events = [
            Event::new("a", "/a", "t"),
            full_event(),
            Event::new("c", "/c", "u").with_subject("s"),
        ];
        let mut writer = FrameWriter::new();
        for event in &events {
            writer.push(event);
        }
        assert_eq!(writer.id(1), "42");
        let mut copy = FrameWriter::new();
        copy.push(&events[0]);
        copy.extend_from(&writer, 1..3);
        assert_eq!(copy.as_bytes(), writer.as_bytes());
        let mut middle = FrameWriter::new();
        middle.extend_from(&writer, 1..2);
        assert_eq!(decode(middle.as_bytes()).unwrap(), events[1..2]);
        middle.extend_from(&writer, 2..2);
        assert_eq!(middle.len(), 1);
        writer.truncate(1);
        assert_eq!(decode(writer.as_bytes()).unwrap(), events[..1]);
    }

    #[test]
    fn every_truncation_is_an_error_naming_the_event() {
        let frame = encode(&[Event::new("1", "/a", "t"), full_event()]);
        for len in 0..frame.len() {
            let error = decode(&frame[..len]).unwrap_err();
            assert!(
                matches!(error, FrameError::Truncated { .. }),
                "{len}: {error}"
            );
        }
        let second = decode(&frame[..frame.len() - 1]).unwrap_err();
        assert_eq!(
            second.to_string(),
            "the event frame is truncated in event 1 (extension value)"
        );
    }

    #[test]
    fn malformed_frames_are_refused() {
        let mut frame = encode(&[Event::new("1", "/a", "t")]);
        frame.push(0);
        assert_eq!(decode(&frame), Err(FrameError::TrailingBytes(1)));

        let mut frame = encode(&[Event::new("\u{e9}", "/a", "t")]);
        frame[9] = 0xff; // inside the two-byte `id`
        let error = decode(&frame).unwrap_err();
        assert_eq!(
            error,
            FrameError::NotUtf8 {
                index: 0,
                what: "id"
            }
        );

        let mut writer = FrameWriter::new();
        writer.push(&Event::new("1", "/a", "t").with_extension("x", "1"));
        let mut frame = writer.as_bytes().to_vec();
        // Double the pair count and append the same pair again.
        let pairs_at = frame.len() - (4 + 1 + 4 + 1) - 4;
        frame[pairs_at] = 2;
        frame.extend_from_slice(&[1, 0, 0, 0, b'x', 1, 0, 0, 0, b'1']);
        let error = decode(&frame).unwrap_err();
        assert_eq!(
            error,
            FrameError::Invalid {
                index: 0,
                what: "extensions"
            }
        );
    }
}
