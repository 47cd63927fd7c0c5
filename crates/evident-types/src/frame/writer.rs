//! The host's side of a frame: events written into one buffer, one reservation per event.

use super::ABSENT;
use crate::event::Event;

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
    pub(super) bytes: Vec<u8>,
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
        let start = self.bytes.len();
        self.starts.push(start);
        // The event's size first, so that its bytes are one reservation and its attributes are
        // copied into place without a capacity check (or a `memcpy` call) each.
        let optional = |value: Option<&[u8]>| 4 + value.map_or(0, <[u8]>::len);
        let size = 4 * 4
            + event.id.len()
            + event.source.len()
            + event.spec_version.len()
            + event.event_type.len()
            + optional(event.datacontenttype.as_deref().map(str::as_bytes))
            + optional(event.dataschema.as_deref().map(str::as_bytes))
            + optional(event.subject.as_deref().map(str::as_bytes))
            + if event.time.is_some() { 1 + 16 } else { 1 }
            + optional(event.data.as_deref())
            + 4
            + extensions_size(event);
        self.bytes.resize(start + size, 0);
        let mut out = Cursor {
            bytes: &mut self.bytes[start..],
        };
        out.string(&event.id);
        out.string(&event.source);
        out.string(&event.spec_version);
        out.string(&event.event_type);
        out.optional(event.datacontenttype.as_deref().map(str::as_bytes));
        out.optional(event.dataschema.as_deref().map(str::as_bytes));
        out.optional(event.subject.as_deref().map(str::as_bytes));
        match &event.time {
            None => out.array([0]),
            Some(time) => {
                out.array([1]);
                out.array(time.timestamp().to_le_bytes());
                out.array(time.timestamp_subsec_nanos().to_le_bytes());
                out.array(time.offset().local_minus_utc().to_le_bytes());
            }
        }
        out.optional(event.data.as_deref());
        out.length(event.extensions.len());
        if !event.extensions.is_empty() {
            for (name, value) in &event.extensions {
                out.string(name);
                out.string(value);
            }
        }
        debug_assert!(out.bytes.is_empty(), "the size counted every byte written");
        self.write_count();
    }

    fn write_count(&mut self) {
        let count = self.starts.len() as u32;
        self.bytes[..4].copy_from_slice(&count.to_le_bytes());
    }
}

/// The bytes of `event`'s extensions in a frame, their count aside (most events have none, and
/// walking an empty map is not free).
#[inline(always)]
fn extensions_size(event: &Event) -> usize {
    if event.extensions.is_empty() {
        return 0;
    }
    event
        .extensions
        .iter()
        .map(|(name, value)| 8 + name.len() + value.len())
        .sum()
}

/// The rest of an event's reserved bytes, filled front to back.
struct Cursor<'a> {
    bytes: &'a mut [u8],
}

impl Cursor<'_> {
    #[inline(always)]
    fn array<const N: usize>(&mut self, value: [u8; N]) {
        self.put(&value);
    }

    #[inline(always)]
    fn length(&mut self, length: usize) {
        let length = u32::try_from(length)
            .ok()
            .filter(|&length| length != ABSENT)
            .expect("an attribute shorter than 4 GiB");
        self.array(length.to_le_bytes());
    }

    #[inline(always)]
    fn string(&mut self, value: &str) {
        self.length(value.len());
        self.put(value.as_bytes());
    }

    #[inline(always)]
    fn optional(&mut self, value: Option<&[u8]>) {
        match value {
            None => self.array(ABSENT.to_le_bytes()),
            Some(value) => {
                self.length(value.len());
                self.put(value);
            }
        }
    }

    /// Copies `value` to the front. Attributes are mostly a few dozen bytes, for which a call of
    /// `memcpy` costs more than the copy: up to 32 bytes are copied as two overlapping
    /// fixed-size moves, which compile to a few loads and stores.
    #[inline(always)]
    fn put(&mut self, value: &[u8]) {
        let (to, rest) = std::mem::take(&mut self.bytes).split_at_mut(value.len());
        let len = value.len();
        match len {
            0 => {}
            1..4 => to.iter_mut().zip(value).for_each(|(to, from)| *to = *from),
            4..8 => overlapping::<4>(to, value),
            8..16 => overlapping::<8>(to, value),
            16..=32 => overlapping::<16>(to, value),
            _ => to.copy_from_slice(value),
        }
        self.bytes = rest;
    }
}

/// Copies `from` (N to 2N bytes long) as its first and its last N bytes.
#[inline(always)]
fn overlapping<const N: usize>(to: &mut [u8], from: &[u8]) {
    let len = from.len();
    to[..N].copy_from_slice(&from[..N]);
    to[len - N..].copy_from_slice(&from[len - N..]);
}
