//! Golden vectors for the SDKs that read event frames and event times themselves:
//! `crates/evident-build/sdk/testdata/frames.json`, made here with the host's `FrameWriter`, the
//! Rust SDK's `FrameReader` and `Event::parse_time` / `Event::format_time`, so that an SDK's own
//! test (the Go SDK's `golden_test.go`) checks it reads what the host writes as the Rust SDK
//! reads it: leap seconds, the edges of the time range, non-ASCII attributes, and the frames
//! and texts the Rust SDK refuses.
//!
//! The test fails when the file is not what this crate makes; `EVIDENT_BLESS=1 cargo test -p
//! evident-types --test sdk_golden` rewrites it.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use evident_types::Event;
use evident_types::frame::{FrameReader, FrameWriter};
use serde_json::{Value, json};

#[test]
fn the_sdks_golden_vectors_are_what_the_rust_sdk_reads() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../evident-build/sdk/testdata/frames.json");
    let made = serde_json::to_string_pretty(&golden()).unwrap() + "\n";
    if std::env::var_os("EVIDENT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &made).unwrap();
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == made,
        "{} is not what this crate makes: rewrite it with EVIDENT_BLESS=1 cargo test -p evident-types --test sdk_golden",
        path.display()
    );
}

fn golden() -> Value {
    json!({
        "about": concat!(
            "Written by crates/evident-types/tests/sdk_golden.rs (EVIDENT_BLESS=1 rewrites it): ",
            "frames as the host writes them and the Rust SDK reads them, and time texts as the ",
            "Rust SDK parses and writes them. Hex strings are bytes; a time is Unix seconds, ",
            "nanoseconds (a billion or more in a leap second, the 59th second of a minute) ",
            "and the UTC offset in seconds.",
        ),
        "frames": frames(),
        "times": times(),
    })
}

/// A date and time of day, in UTC; `nanos` of a billion or more make a leap second at :59.
fn utc(ymd: (i32, u32, u32), hms: (u32, u32, u32), nanos: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2)
        .and_then(|date| date.and_hms_nano_opt(hms.0, hms.1, hms.2, nanos))
        .unwrap()
        .and_utc()
}

fn offset(seconds: i32) -> FixedOffset {
    FixedOffset::east_opt(seconds).unwrap()
}

fn frames() -> Vec<Value> {
    let leap = utc((2016, 12, 31), (23, 59, 59), 1_500_000_000);
    let timed = |id: &str, time: DateTime<FixedOffset>| Event::new(id, "/t", "t").with_time(time);
    let mut cases = vec![
        written(
            "leap seconds",
            &[
                timed("utc", leap.fixed_offset()),
                timed(
                    "whole",
                    utc((2016, 12, 31), (23, 59, 59), 1_000_000_000).fixed_offset(),
                ),
                timed("east", leap.with_timezone(&offset(5 * 3600 + 1800))),
                timed(
                    "west",
                    utc((1969, 12, 31), (0, 59, 59), 1_999_999_999).with_timezone(&offset(-3600)),
                ),
            ],
        ),
        written(
            "the time range's edges",
            &[
                timed("first", DateTime::<Utc>::MIN_UTC.fixed_offset()),
                timed("last", DateTime::<Utc>::MAX_UTC.fixed_offset()),
                timed("year 0", utc((0, 1, 1), (0, 0, 0), 0).fixed_offset()),
                timed(
                    "year 9999",
                    utc((9999, 12, 31), (23, 59, 59), 999_999_999).fixed_offset(),
                ),
                timed(
                    "east",
                    utc((2026, 1, 1), (0, 0, 0), 1).with_timezone(&offset(86_399)),
                ),
                timed(
                    "west",
                    utc((2026, 1, 1), (0, 0, 0), 1).with_timezone(&offset(-86_399)),
                ),
                timed("epoch", DateTime::UNIX_EPOCH.fixed_offset()),
                timed(
                    "before",
                    utc((1969, 12, 31), (23, 59, 59), 999_999_999).fixed_offset(),
                ),
            ],
        ),
        written(
            "non-ASCII attributes",
            &[Event::new("é-1", "/ünï/☃", "🎉.happened")
                .with_subject("日本語")
                .with_data("text/plain; charset=utf-8", "Grüße, 世界 🌍")
                .with_extension("partition", "Ω≈ç√")
                .with_extension("trace", "\u{0}\u{7f}\u{80}\u{ffff}\u{10ffff}")],
        ),
        written(
            "bytes that are not text",
            &[Event::new("1", "/t", "t")
                .with_data("application/octet-stream", vec![0u8, 0xff, 0xc3, 0x28])],
        ),
    ];
    let first = DateTime::<Utc>::MIN_UTC.timestamp();
    let last = DateTime::<Utc>::MAX_UTC.timestamp();
    for (name, seconds, nanos, offset) in [
        ("a leap second not at :59", 1_483_228_798, 1_500_000_000, 0),
        (
            "two seconds of nanoseconds",
            1_483_228_799,
            2_000_000_000,
            0,
        ),
        ("before the first second", first - 1, 0, 0),
        ("after the last second", last + 1, 0, 0),
        ("an offset of a day", 0, 0, 86_400),
        ("an offset of minus a day", 0, 0, -86_400),
        ("a leap second at the last second", last, 1_000_000_000, 0),
    ] {
        cases.push(raw(name, seconds, nanos, offset));
    }
    let mut not_utf8 = FrameWriter::new();
    not_utf8.push(&Event::new("é", "/t", "t"));
    let mut bytes = not_utf8.as_bytes().to_vec();
    bytes[9] = 0xff; // the second byte of `é`
    cases.push(case("an id that is not UTF-8", &bytes));
    cases
}

/// A case of the frame `FrameWriter` writes of `events`.
fn written(name: &str, events: &[Event]) -> Value {
    let mut writer = FrameWriter::new();
    for event in events {
        writer.push(event);
    }
    case(name, writer.as_bytes())
}

/// A case of a one-event frame whose time is as given, whatever chrono makes of it.
fn raw(name: &str, seconds: i64, nanos: u32, offset: i32) -> Value {
    let mut writer = FrameWriter::new();
    writer.push(&Event::new("1", "/t", "t").with_time(DateTime::UNIX_EPOCH.fixed_offset()));
    let mut bytes = writer.as_bytes().to_vec();
    // The time's fields, just before `data` (absent) and the extension count.
    let at = bytes.len() - 4 - 4 - 16;
    bytes[at..at + 8].copy_from_slice(&seconds.to_le_bytes());
    bytes[at + 8..at + 12].copy_from_slice(&nanos.to_le_bytes());
    bytes[at + 12..at + 16].copy_from_slice(&offset.to_le_bytes());
    case(name, &bytes)
}

/// What the Rust SDK reads from `frame`: its events, or its error.
fn case(name: &str, frame: &[u8]) -> Value {
    let mut events = Vec::new();
    let error = FrameReader::new(frame).and_then(|mut reader| {
        while let Some(event) = reader.next_event()? {
            events.push(event.to_event());
        }
        Ok(())
    });
    json!({
        "name": name,
        "frame": hex(frame),
        "error": error.err().map(|e| e.to_string()),
        "events": events.iter().map(event).collect::<Vec<_>>(),
    })
}

fn event(event: &Event) -> Value {
    json!({
        "id": event.id,
        "source": event.source,
        "specversion": event.spec_version,
        "type": event.event_type,
        "datacontenttype": event.datacontenttype,
        "dataschema": event.dataschema,
        "subject": event.subject,
        "time": event.time.as_ref().map(time),
        "data": event.data.as_deref().map(hex),
        "extensions": event
            .extensions
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect::<Vec<_>>(),
    })
}

fn time(time: &DateTime<FixedOffset>) -> Value {
    json!({
        "seconds": time.timestamp(),
        "nanos": time.timestamp_subsec_nanos(),
        "offset": time.offset().local_minus_utc(),
        "text": Event::format_time(time),
    })
}

/// Texts of `time` as an event record carries it (one call per event): what the Rust SDK
/// parses each to, or that it refuses it.
fn times() -> Vec<Value> {
    [
        "2016-12-31T23:59:60.5Z",
        "2016-12-31T23:59:60Z",
        "2016-12-31 23:59:60.500z",
        "2017-01-01T05:29:60.999999999+05:30",
        "1969-12-31T23:59:60.000001-01:00",
        "2016-12-31T12:30:60Z",
        "2016-12-31T23:59:61Z",
        "2016-12-31T23:60:00Z",
        "2016-12-31T24:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:60.999999999Z",
        "0000-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-00:01",
        "2026-01-01T00:00:00+23:59",
        "2026-01-01T00:00:00-23:59",
        "2026-01-01T00:00:00+24:00",
        "2024-02-29T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-01-01T00:00:00.1Z",
        "2026-01-01T00:00:00.000001Z",
        "2026-01-01T00:00:00Z",
        "2026-01-01t00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "-0001-12-31T00:00:00Z",
        "2026-01-01T00:00:00+00:00:30",
    ]
    .into_iter()
    .map(|text| match Event::parse_time(text) {
        Ok(parsed) => json!({"text": text, "time": time(&parsed)}),
        Err(_) => json!({"text": text, "time": null}),
    })
    .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
