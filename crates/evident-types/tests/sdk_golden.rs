//! Golden vectors for the SDKs that encode and decode the wire formats themselves.
//!
//! `crates/evident-build/sdk/testdata/wire.json` (the `wire` module below): states in the
//! JSON and CBOR encodings the SDKs' codecs write and read, parameter values as the typed
//! accessors parse them, and the event records a change may return, accepted or refused as the
//! host does.
//!
//! `crates/evident-build/sdk/testdata/frames.json`, made here with the host's `FrameWriter`, the
//! Rust SDK's `FrameReader` and `Event::parse_time` / `Event::format_time`, so that an SDK's own
//! test checks it reads what the host writes as the Rust SDK reads it: leap seconds, the edges
//! of the time range, non-ASCII attributes, and the frames and texts the Rust SDK refuses.
//!
//! Every SDK's unit tests read both files: Python `tests/test_golden.py`, JavaScript
//! `test/golden.test.js`, Go `golden_test.go`, C `tests/golden_test.c`, C++
//! `tests/golden_test.cpp` and AssemblyScript `tests/golden.test.mjs` (under
//! `crates/evident-build/sdk/<language>/`), run by `cargo test -p evident-build --lib sdk_tests`.
//!
//! A test fails when its file is not what this crate makes; `EVIDENT_BLESS=1 cargo test -p
//! evident-types --test sdk_golden` rewrites both.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use evident_types::Event;
use evident_types::frame::{FrameReader, FrameWriter};
use serde_json::{Value, json};

#[test]
fn the_sdks_golden_vectors_are_what_the_rust_sdk_reads() {
    check("frames.json", &golden());
}

#[test]
fn the_sdks_wire_vectors_are_what_evident_types_makes() {
    check("wire.json", &wire::golden());
}

/// Compares `testdata/<name>` with `vectors` (rewriting it first under `EVIDENT_BLESS`).
fn check(name: &str, vectors: &Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../evident-build/sdk/testdata")
        .join(name);
    let made = serde_json::to_string_pretty(vectors).unwrap() + "\n";
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

/// `wire.json`: what the SDKs' codecs, parameter accessors and event checks must agree on.
mod wire {
    use evident_types::{Event, Parameters, WireEvent, cbor_to_json};
    use serde_json::{Value, json};

    use super::hex;

    pub(super) fn golden() -> Value {
        json!({
            "about": concat!(
                "Written by crates/evident-types/tests/sdk_golden.rs (EVIDENT_BLESS=1 rewrites it) ",
                "with evident-types' own code and the libraries the Rust SDK's codecs use. Hex ",
                "strings are bytes. ",
                "`states`: a JSON value (`value`, JSON text, its keys in the order written) and ",
                "its encodings as the Rust SDK's codecs write a state: `json` (serde_json, compact, ",
                "object keys sorted by their UTF-8 bytes, i.e. by code point) and `cbor` (ciborium: ",
                "shortest integer and length heads, each float in the shortest of half, single and ",
                "double precision that holds it exactly, map keys in the same sorted order). ",
                "`floats` says the value holds a float (the texts of floats differ between ",
                "languages' JSON writers: compare those by value); `integral_floats` that one of ",
                "them has an integral value (1.0), which a language with one number type writes ",
                "as an integer; `big_integers` that an integer is beyond 2^53. ",
                "`cbor_reads`: CBOR items and the JSON value the host shows for them (`json`, ",
                "evident_types::cbor_to_json: byte strings as standard base64 text, tags ",
                "dropped, integers beyond 64 bits as their text), or `refused` (not one ",
                "well-formed item: an SDK's CBOR decoder must refuse it); `rust_sdk_json` is what ",
                "the Rust SDK's CBOR codec decodes into a serde_json::Value (keys sorted; null ",
                "where it refuses the item: byte strings, tags, integers beyond i64/u64). ",
                "`parameters`: a parameter's text and what the typed accessors make of it, as ",
                "Rust's str::parse does: `bool`, `i64`, `u64` (a number, or null when refused) and ",
                "`f64` (the hex of the float's IEEE 754 bits, big-endian, or null), with the ",
                "refusal message of evident_types::Parameters::parse for a parameter named `p` ",
                "(`*_error`). ",
                "`events`: event records (the WIT `event` a change returns; `data` in hex, ",
                "`extensions` as pairs in order) and the host's verdict: `error` null when it ",
                "accepts the record, else its message (evident_types::WireEvent into Event).",
            ),
            "states": states(),
            "cbor_reads": cbor_reads(),
            "parameters": parameters(),
            "events": events(),
        })
    }

    /// JSON texts of states: every CBOR head size, floats of each width, text that needs
    /// escaping or is not ASCII, and keys whose order differs by bytes, by UTF-16 and by length.
    const STATES: &[&str] = &[
        "null",
        "true",
        "false",
        "0",
        "23",
        "24",
        "255",
        "256",
        "65535",
        "65536",
        "4294967295",
        "4294967296",
        "9007199254740991",
        "9007199254740993",
        "18446744073709551615",
        "-1",
        "-24",
        "-25",
        "-256",
        "-257",
        "-65537",
        "-4294967297",
        "-9223372036854775808",
        "0.5",
        "-2.5",
        "1.0",
        "-0.0",
        "65504.0",
        "65536.0",
        "100000.0",
        "0.1",
        "1.1",
        "16777216.0",
        "16777217.0",
        "1e300",
        "-1e-300",
        "5e-324",
        "1.5e-7",
        "0.00006103515625",
        "1e21",
        "123456789.125",
        "\"\"",
        "\"a\"",
        "\"é\"",
        "\"日本語\"",
        "\"🎉\"",
        "\"\\u0000\\u0001\\u001f\\u007f \\\" \\\\ / \\b\\f\\n\\r\\t\"",
        "\"\\u2028\\u2029 <>&'\"",
        "\"\\ud83c\\udf89 \\uffff \\u0080\"",
        "\"xxxxxxxxxxxxxxxxxxxxxxxx\"",
        "[]",
        "{}",
        "[[]]",
        "[1,\"a\",null,true,[{}]]",
        "{\"b\":1,\"a\":2}",
        "{\"aa\":1,\"b\":2,\"a\":3,\"\":4,\"B\":5,\"é\":6,\"z\":7}",
        "{\"\\uffff\":1,\"🎉\":2,\"\\u00e9\":3,\"\\u0000\":4}",
        "{\"outer\":{\"z\":[3,2,1],\"y\":{\"d\":null,\"c\":false}},\"list\":[{\"b\":1,\"a\":2}]}",
        "{\"count\":3,\"total\":-12,\"mean\":-4.0,\"names\":[\"Ünïcödé\",\"日本\"],\"big\":18446744073709551615}",
        "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24]",
    ];

    fn states() -> Vec<Value> {
        STATES
            .iter()
            .map(|text| {
                let value: Value = serde_json::from_str(text).unwrap();
                // serde_json's parser (without `float_roundtrip`) may miss a float by an ulp.
                if let Ok(float) = text.parse::<f64>() {
                    assert_eq!(
                        value.as_f64().map(f64::to_bits),
                        Some(float.to_bits()),
                        "{text}"
                    );
                }
                let mut cbor = Vec::new();
                ciborium::into_writer(&value, &mut cbor).unwrap();
                // What the SDK writes must read back as the same value.
                let back: Value = ciborium::from_reader(&cbor[..]).unwrap();
                assert_eq!(back, value, "{text}");
                json!({
                    "value": text,
                    "json": hex(&serde_json::to_vec(&value).unwrap()),
                    "cbor": hex(&cbor),
                    "floats": any(&value, &|n| n.is_f64()),
                    "integral_floats": any(&value, &integral_float),
                    "big_integers": any(&value, &beyond_2_53),
                })
            })
            .collect()
    }

    fn integral_float(n: &serde_json::Number) -> bool {
        n.is_f64() && n.as_f64().is_some_and(|f| f.fract() == 0.0)
    }

    fn beyond_2_53(n: &serde_json::Number) -> bool {
        n.as_i64()
            .map_or(n.is_u64(), |i| i.unsigned_abs() > 1 << 53)
    }

    /// Whether a number in `value` is one `test` is true of.
    fn any(value: &Value, test: &dyn Fn(&serde_json::Number) -> bool) -> bool {
        match value {
            Value::Number(n) => test(n),
            Value::Array(items) => items.iter().any(|item| any(item, test)),
            Value::Object(members) => members.values().any(|member| any(member, test)),
            _ => false,
        }
    }

    /// CBOR items written otherwise than the SDKs write them (they must still read them), and
    /// bytes that are not one well-formed item.
    const CBOR_READS: &[(&str, &str)] = &[
        ("a byte string", "4400ff1028"),
        ("an empty byte string", "40"),
        ("an indefinite byte string", "5f4201024103ff"),
        ("an indefinite text string", "7f62c3a96161ff"),
        ("an indefinite array", "9f0102ff"),
        ("an indefinite map", "bf616101ff"),
        (
            "an integer in a longer head than needed",
            "1b0000000000000001",
        ),
        ("a negative integer beyond i64", "3bffffffffffffffff"),
        ("a tagged value", "c11a5f5e1000"),
        ("a half-precision float", "f93e00"),
        ("a single-precision float in a double", "fb3ff8000000000000"),
        ("a half subnormal", "f90001"),
        ("undefined", "f7"),
        (
            "a map of 24 entries",
            "b818616100616201616302616403616504616605616706616807616908616a09616b0a616c0b616d0c616e0d616f0e61700f617110617211617312617413617514617615617716617817",
        ),
        ("map keys not in order", "a2616201616102"),
        ("a map in a map", "a16161a1616202"),
        ("text of a non-BMP character", "64f09f8e89"),
        ("empty input", ""),
        ("a truncated head", "19ff"),
        ("a truncated text string", "636162"),
        ("a truncated array", "8201"),
        ("a text string that is not UTF-8", "62c328"),
        ("a reserved additional information", "1c"),
        ("a break outside an indefinite item", "ff"),
        ("an indefinite integer", "1f"),
        (
            "an indefinite string with a chunk of another type",
            "7f4161ff",
        ),
    ];

    fn cbor_reads() -> Vec<Value> {
        CBOR_READS
            .iter()
            .map(|(name, text)| {
                let bytes = unhex(text);
                let read = ciborium::from_reader::<ciborium::Value, _>(&bytes[..]);
                json!({
                    "name": name,
                    "cbor": text,
                    "refused": read.is_err(),
                    "json": read.ok().map(|value| cbor_to_json(value).to_string()),
                    "rust_sdk_json": ciborium::from_reader::<Value, _>(&bytes[..])
                        .ok()
                        .map(|value| value.to_string()),
                })
            })
            .collect()
    }

    const PARAMETERS: &[&str] = &[
        "",
        "true",
        "false",
        "True",
        "1",
        "0",
        "-0",
        "+0",
        "00",
        "+5",
        "-5",
        " 5",
        "5 ",
        "1_000",
        "0x10",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "1.5",
        ".5",
        "5.",
        "-.5e3",
        "1e",
        "e5",
        "1e400",
        "-1e400",
        "1e-400",
        "0.1",
        "inf",
        "-Infinity",
        "NaN",
        "nan",
        "infinite",
        "٣",
        "é",
    ];

    fn parameters() -> Vec<Value> {
        PARAMETERS
            .iter()
            .map(|text| {
                let parameters = Parameters::new().with("p", *text);
                let bools = parameters.parse::<bool>("p");
                let i64s = parameters.parse::<i64>("p");
                let u64s = parameters.parse::<u64>("p");
                let f64s = parameters.parse::<f64>("p");
                let message = |error: evident_types::GuestError| {
                    assert_eq!(error.code, "invalid-parameter");
                    error.message
                };
                json!({
                    "text": text,
                    "bool": bools.clone().ok().flatten(),
                    "bool_error": bools.err().map(message),
                    "i64": i64s.clone().ok().flatten(),
                    "i64_error": i64s.err().map(message),
                    "u64": u64s.clone().ok().flatten(),
                    "u64_error": u64s.err().map(message),
                    "f64": f64s.clone().ok().flatten().map(|f: f64| format!("{:016x}", f.to_bits())),
                    "f64_error": f64s.err().map(message),
                })
            })
            .collect()
    }

    fn events() -> Vec<Value> {
        let base = || WireEvent {
            id: "1".into(),
            source: "/s".into(),
            spec_version: "1.0".into(),
            event_type: "t".into(),
            ..WireEvent::default()
        };
        let with = |change: &dyn Fn(&mut WireEvent)| {
            let mut event = base();
            change(&mut event);
            event
        };
        let extensions = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let cases: Vec<(&str, WireEvent)> = vec![
            ("the least event", base()),
            (
                "every attribute",
                WireEvent {
                    datacontenttype: Some("application/json".into()),
                    dataschema: Some("https://example.com/schema".into()),
                    subject: Some("日本語".into()),
                    time: Some("2016-12-31T23:59:60.5Z".into()),
                    data: Some(b"{\"a\":1}".to_vec()),
                    extensions: extensions(&[("partition", "Ω≈ç√"), ("b2", "")]),
                    ..base()
                },
            ),
            ("an empty id", with(&|e| e.id.clear())),
            ("an empty source", with(&|e| e.source.clear())),
            ("a source with a space", with(&|e| e.source = "/a b".into())),
            ("a source with a tab", with(&|e| e.source = "/a\tb".into())),
            ("a non-ASCII source", with(&|e| e.source = "/ünï/☃".into())),
            ("an empty type", with(&|e| e.event_type.clear())),
            ("spec version 0.3", with(&|e| e.spec_version = "0.3".into())),
            ("an empty spec version", with(&|e| e.spec_version.clear())),
            (
                "an empty subject",
                with(&|e| e.subject = Some(String::new())),
            ),
            (
                "an empty content type",
                with(&|e| e.datacontenttype = Some(String::new())),
            ),
            (
                "a content type with parameters",
                with(&|e| e.datacontenttype = Some("text/plain; charset=utf-8".into())),
            ),
            (
                "a content type that is not a media type",
                with(&|e| e.datacontenttype = Some("json".into())),
            ),
            (
                "a relative data schema",
                with(&|e| e.dataschema = Some("/schema".into())),
            ),
            (
                "an empty data schema",
                with(&|e| e.dataschema = Some(String::new())),
            ),
            (
                "a data schema with a scheme",
                with(&|e| e.dataschema = Some("urn:example:1".into())),
            ),
            (
                "a time",
                with(&|e| e.time = Some("2026-01-01T00:00:00+05:30".into())),
            ),
            (
                "a time that is not RFC 3339",
                with(&|e| e.time = Some("2026-01-01".into())),
            ),
            (
                "a leap second not at :59",
                with(&|e| e.time = Some("2016-12-31T12:30:60Z".into())),
            ),
            ("empty data", with(&|e| e.data = Some(Vec::new()))),
            (
                "data that is not text",
                with(&|e| e.data = Some(vec![0, 0xff, 0xc3, 0x28])),
            ),
            (
                "an extension",
                with(&|e| e.extensions = extensions(&[("abc123", "v")])),
            ),
            (
                "an extension named with a capital",
                with(&|e| e.extensions = extensions(&[("Abc", "v")])),
            ),
            (
                "an extension named with a dash",
                with(&|e| e.extensions = extensions(&[("a-b", "v")])),
            ),
            (
                "an extension with an empty name",
                with(&|e| e.extensions = extensions(&[("", "v")])),
            ),
            (
                "an extension named as an attribute",
                with(&|e| e.extensions = extensions(&[("subject", "v")])),
            ),
            (
                "an extension named data",
                with(&|e| e.extensions = extensions(&[("data", "v")])),
            ),
            (
                "an extension named data_base64",
                with(&|e| e.extensions = extensions(&[("data_base64", "v")])),
            ),
            (
                "an extension given twice",
                with(&|e| e.extensions = extensions(&[("a", "1"), ("a", "2")])),
            ),
            (
                "an extension with an empty value",
                with(&|e| e.extensions = extensions(&[("a", "")])),
            ),
        ];
        cases
            .into_iter()
            .map(|(name, wire)| {
                let record = json!({
                    "id": wire.id,
                    "source": wire.source,
                    "specversion": wire.spec_version,
                    "type": wire.event_type,
                    "datacontenttype": wire.datacontenttype,
                    "dataschema": wire.dataschema,
                    "subject": wire.subject,
                    "time": wire.time,
                    "data": wire.data.as_deref().map(hex),
                    "extensions": wire.extensions.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                });
                let verdict = Event::try_from(wire);
                json!({
                    "name": name,
                    "event": record,
                    "error": verdict.err().map(|e| e.to_string()),
                })
            })
            .collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }
}
