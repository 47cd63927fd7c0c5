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
//! [`EventRef`](crate::EventRef) into the frame, so that a frame allocates nothing per event.

mod reader;
mod writer;

pub use reader::FrameReader;
pub use writer::FrameWriter;

use crate::event::Event;

/// The length that marks an absent optional attribute.
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
    use chrono::{DateTime, FixedOffset};

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

    /// Events whose attributes take every length the writer copies differently (0 to 40
    /// bytes, non-ASCII included), with and without extensions and data, and times before
    /// 1970, on many days and on one, and in leap seconds.
    fn any_event() -> impl proptest::strategy::Strategy<Value = Event> {
        use proptest::prelude::*;
        let text = || "[a-zé€0-9./-]{0,40}";
        let time = prop_oneof![
            Just(None),
            (
                -5_000_000_000i64..5_000_000_000,
                0u32..1_000_000_000,
                -50_000i32..50_000
            )
                .prop_map(|(seconds, nanos, offset)| Some((seconds, nanos, offset))),
            (0i64..3, 0u32..1_000_000_000).prop_map(|(day, nanos)| {
                // 23:59:59 plus a leap second's nanoseconds.
                Some((
                    day * 86_400 + 86_399,
                    1_000_000_000 + nanos % 1_000_000_000,
                    0,
                ))
            }),
        ];
        (
            (text(), text(), text(), text()),
            proptest::option::of(text()),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
            time,
            proptest::collection::btree_map(text(), text(), 0..4),
        )
            .prop_map(
                |((id, source, ty, subject), schema, data, time, extensions)| {
                    let mut event = Event::new(id, source, ty).with_subject(subject);
                    event.dataschema = schema;
                    if let Some(data) = data {
                        event = event.with_data("application/octet-stream", data);
                    }
                    event.time = time.map(|(seconds, nanos, offset)| {
                        DateTime::from_timestamp(seconds, nanos)
                            .expect("in range")
                            .with_timezone(&FixedOffset::east_opt(offset).expect("in range"))
                    });
                    event.extensions = extensions;
                    event
                },
            )
    }

    proptest::proptest! {
        #[test]
        fn frames_read_back_as_written_checked_or_not(
            events in proptest::collection::vec(any_event(), 0..20)
        ) {
            let frame = encode(&events);
            proptest::prop_assert_eq!(&decode(&frame).unwrap(), &events);
            // What `new_unchecked` makes outside debug builds (inside them it checks).
            let mut reader = FrameReader::start(&frame, false).unwrap();
            let mut read = Vec::new();
            while let Some(event) = reader.next_event().unwrap() {
                read.push(event.to_event());
            }
            proptest::prop_assert_eq!(read, events);
        }
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
