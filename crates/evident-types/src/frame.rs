//! The event frame: many events as one byte string, so a batch crosses the component boundary
//! as a single `list<u8>` instead of one record (and a dozen allocations) per event.
//!
//! Layout, all integers little-endian: a `u32` event count, then per event `id`, `source`,
//! `specversion`, `type`, `datacontenttype`?, `dataschema`?, `subject`?, `time`?, `data`?, and
//! the extensions. A string or byte string is a `u32` length and the bytes; an absent optional
//! attribute is the length `0xffff_ffff`. `time` is a flag byte (0 absent, 1 present) and then
//! `i64` Unix seconds, `u32` nanoseconds and `i32` UTC offset in seconds, so nothing is parsed
//! per event. Extensions are a `u32` pair count and the names and values as strings.
//!
//! [`FrameWriter`] is the host's side; [`FrameReader`] the guest's, decoding into one reused
//! [`Event`] so that a batch allocates (almost) nothing per event.

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};

use crate::event::Event;

const ABSENT: u32 = u32::MAX;

/// Why a frame could not be read; the guest reports it as the batch's error.
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

/// Builds a frame event by event; reuse one across batches to keep its buffer.
///
/// ```
/// use evident_types::{Event, frame::{FrameReader, FrameWriter}};
///
/// let mut writer = FrameWriter::new();
/// writer.push(&Event::new("1", "/shop", "order.placed"));
/// writer.push(&Event::new("2", "/shop", "order.paid").with_subject("o-7"));
/// assert_eq!(writer.len(), 2);
///
/// let mut reader = FrameReader::new(writer.as_bytes().to_vec().into())?;
/// let mut event = Event::new("", "", "");
/// let mut types = Vec::new();
/// while reader.read_into(&mut event)? {
///     types.push(event.event_type.clone());
/// }
/// assert_eq!(types, ["order.placed", "order.paid"]);
/// # Ok::<(), evident_types::frame::FrameError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameWriter {
    bytes: Vec<u8>,
    count: u32,
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
            count: 0,
        }
    }

    /// Empties the frame, keeping its buffer.
    pub fn clear(&mut self) {
        self.bytes.truncate(4);
        self.bytes[..4].fill(0);
        self.count = 0;
    }

    /// Events in the frame.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether the frame holds no event.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The frame's size in bytes, to cap a batch by size as well as by count.
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
        self.count = self.count.checked_add(1).expect("fewer than 4 G events");
        self.bytes[..4].copy_from_slice(&self.count.to_le_bytes());
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

/// Reads a frame's events one by one into a caller's [`Event`], reusing its buffers.
///
/// It checks structure (lengths, UTF-8, `time`, repeated extension names); [`Event::validate`]
/// remains the check of every CloudEvents rule.
#[derive(Debug)]
pub struct FrameReader {
    frame: Bytes,
    position: usize,
    remaining: u32,
    index: usize,
}

impl FrameReader {
    /// Starts reading `frame`; `Bytes` so that each event's `data` is a slice of it, not a copy.
    pub fn new(frame: Bytes) -> Result<Self, FrameError> {
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

    /// Overwrites `event` with the next event; `Ok(false)` after the last one.
    pub fn read_into(&mut self, event: &mut Event) -> Result<bool, FrameError> {
        if self.remaining == 0 {
            let trailing = self.frame.len() - self.position;
            return if trailing == 0 {
                Ok(false)
            } else {
                Err(FrameError::TrailingBytes(trailing))
            };
        }
        self.read_string_into("id", &mut event.id)?;
        self.read_string_into("source", &mut event.source)?;
        self.read_string_into("specversion", &mut event.spec_version)?;
        self.read_string_into("type", &mut event.event_type)?;
        self.read_optional_string_into("datacontenttype", &mut event.datacontenttype)?;
        self.read_optional_string_into("dataschema", &mut event.dataschema)?;
        self.read_optional_string_into("subject", &mut event.subject)?;
        event.time = self.read_time()?;
        event.data = self
            .read_optional("data")?
            .map(|range| self.frame.slice(range));
        let pairs = self.read_u32("extensions")?;
        event.extensions.clear();
        for _ in 0..pairs {
            let name = self.read_str("extension name")?.to_owned();
            let value = self.read_str("extension value")?.to_owned();
            if event.extensions.insert(name, value).is_some() {
                return Err(self.invalid("extensions"));
            }
        }
        self.remaining -= 1;
        self.index += 1;
        Ok(true)
    }

    fn take(
        &mut self,
        what: &'static str,
        len: usize,
    ) -> Result<std::ops::Range<usize>, FrameError> {
        let start = self.position;
        let end = start
            .checked_add(len)
            .filter(|&end| end <= self.frame.len())
            .ok_or(FrameError::Truncated {
                index: self.index,
                what,
            })?;
        self.position = end;
        Ok(start..end)
    }

    fn read_array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FrameError> {
        let range = self.take(what, N)?;
        Ok(self.frame[range].try_into().expect("N bytes"))
    }

    fn read_u32(&mut self, what: &'static str) -> Result<u32, FrameError> {
        self.read_array(what).map(u32::from_le_bytes)
    }

    fn read_optional(
        &mut self,
        what: &'static str,
    ) -> Result<Option<std::ops::Range<usize>>, FrameError> {
        match self.read_u32(what)? {
            ABSENT => Ok(None),
            len => self.take(what, len as usize).map(Some),
        }
    }

    fn read_str(&mut self, what: &'static str) -> Result<&str, FrameError> {
        let len = self.read_u32(what)? as usize;
        let range = self.take(what, len)?;
        std::str::from_utf8(&self.frame[range]).map_err(|_| FrameError::NotUtf8 {
            index: self.index,
            what,
        })
    }

    fn read_string_into(
        &mut self,
        what: &'static str,
        into: &mut String,
    ) -> Result<(), FrameError> {
        let value = self.read_str(what)?;
        into.clear();
        into.push_str(value);
        Ok(())
    }

    fn read_optional_string_into(
        &mut self,
        what: &'static str,
        into: &mut Option<String>,
    ) -> Result<(), FrameError> {
        let Some(range) = self.read_optional(what)? else {
            *into = None;
            return Ok(());
        };
        let value = std::str::from_utf8(&self.frame[range]).map_err(|_| FrameError::NotUtf8 {
            index: self.index,
            what,
        })?;
        let into = into.get_or_insert_with(String::new);
        into.clear();
        into.push_str(value);
        Ok(())
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

/// Reads every event of a frame.
pub fn decode(frame: Bytes) -> Result<Vec<Event>, FrameError> {
    let mut reader = FrameReader::new(frame)?;
    let mut events = Vec::with_capacity(reader.remaining().min(1 << 16));
    let mut event = Event::new("", "", "");
    while reader.read_into(&mut event)? {
        events.push(event.clone());
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
        let decoded = decode(encode(&events).into()).unwrap();
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
        assert_eq!(
            decode(FrameWriter::new().as_bytes().to_vec().into()),
            Ok(vec![])
        );
    }

    #[test]
    fn a_reused_writer_starts_over() {
        let mut writer = FrameWriter::new();
        writer.push(&full_event());
        writer.clear();
        writer.push(&Event::new("2", "/b", "u"));
        let decoded = decode(writer.as_bytes().to_vec().into()).unwrap();
        assert_eq!(decoded, vec![Event::new("2", "/b", "u")]);
    }

    #[test]
    fn every_truncation_is_an_error_naming_the_event() {
        let frame = encode(&[Event::new("1", "/a", "t"), full_event()]);
        for len in 0..frame.len() {
            let error = decode(frame[..len].to_vec().into()).unwrap_err();
            assert!(
                matches!(error, FrameError::Truncated { .. }),
                "{len}: {error}"
            );
        }
        let second = decode(frame[..frame.len() - 1].to_vec().into()).unwrap_err();
        assert_eq!(
            second.to_string(),
            "the event frame is truncated in event 1 (extension value)"
        );
    }

    #[test]
    fn malformed_frames_are_refused() {
        let mut frame = encode(&[Event::new("1", "/a", "t")]);
        frame.push(0);
        assert_eq!(decode(frame.into()), Err(FrameError::TrailingBytes(1)));

        let mut frame = encode(&[Event::new("\u{e9}", "/a", "t")]);
        frame[9] = 0xff; // inside the two-byte `id`
        let error = decode(frame.into()).unwrap_err();
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
        let error = decode(frame.into()).unwrap_err();
        assert_eq!(
            error,
            FrameError::Invalid {
                index: 0,
                what: "extensions"
            }
        );
    }
}
