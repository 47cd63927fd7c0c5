//! Input that would cost too much or mean two things (issue 24, items 6 to 9): refused with an
//! error that says why, the same on every path.

use std::io::{BufReader, Read};

use evident_types::{
    DEFAULT_MAX_LINE_BYTES, Event, EventError, JsonLinesErrorKind, LineRead, MAX_DEPTH,
    MAX_EXTENSIONS, read_bounded_line, read_json_lines,
};

const ATTRIBUTES: &str = r#""specversion":"1.0","id":"1","source":"/s","type":"t""#;

/// An event with `count` extension members `e0`, `e1`, … as JSON text.
fn with_extensions(count: usize, value: impl Fn(usize) -> String) -> String {
    let members: String = (0..count)
        .map(|i| format!(r#","e{i}":{}"#, value(i)))
        .collect();
    format!("{{{ATTRIBUTES}{members}}}")
}

// Item 6: extension attributes.

#[test]
fn fifty_thousand_extensions_are_refused_naming_the_count() {
    let text = with_extensions(50_000, |_| r#""v""#.into());
    let expected = EventError::TooManyExtensions {
        count: 50_000,
        limit: MAX_EXTENSIONS,
    };
    assert_eq!(text.parse::<Event>(), Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        format!("the event has 50000 extension attributes; at most {MAX_EXTENSIONS} are allowed")
    );
    // The same through serde (the general path alone) and through JSON lines.
    let through_serde = serde_json::from_str::<Event>(&text).unwrap_err();
    assert_eq!(through_serde.to_string(), expected.to_string());
    let err = read_json_lines(format!("{text}\n").as_bytes())
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(err.to_string(), format!("line 1: {expected}"));
}

#[test]
fn many_allowed_extensions_parse_as_the_general_path_does() {
    // Each name twice: the last value counts, once.
    let twice = {
        let first: String = (0..MAX_EXTENSIONS)
            .map(|i| format!(r#","e{i}":true"#))
            .collect();
        let again: String = (0..MAX_EXTENSIONS)
            .map(|i| format!(r#","e{i}":"last""#))
            .collect();
        format!("{{{ATTRIBUTES}{first}{again}}}")
    };
    let cases = [
        // As many as allowed: the fast path takes them.
        with_extensions(MAX_EXTENSIONS, |i| format!("{}", i % 3)),
        // More members than allowed, but the `null` ones are no extension: the fast path gives
        // up and the general path takes them.
        with_extensions(MAX_EXTENSIONS + 100, |i| {
            if i % 11 == 0 {
                "null".into()
            } else {
                r#""v""#.into()
            }
        }),
        twice,
    ];
    for text in &cases {
        let parsed: Event = text.parse().unwrap();
        let general: Event = serde_json::from_str(text).unwrap();
        assert_eq!(parsed, general);
        assert!(parsed.extensions.len() <= MAX_EXTENSIONS);
    }
    let twice: Event = cases[2].parse().unwrap();
    assert_eq!(twice.extensions.len(), MAX_EXTENSIONS);
    assert!(twice.extensions.values().all(|v| v == "last"));
}

#[test]
fn validate_and_cbor_refuse_too_many_extensions_too() {
    let mut event = Event::new("1", "/s", "t");
    for i in 0..MAX_EXTENSIONS {
        event = event.with_extension(format!("e{i}"), "v");
    }
    assert_eq!(event.validate(), Ok(()));
    let event = event.with_extension("one", "more");
    assert_eq!(
        event.validate(),
        Err(EventError::TooManyExtensions {
            count: MAX_EXTENSIONS + 1,
            limit: MAX_EXTENSIONS
        })
    );
    let mut cbor = cbor_event();
    let ciborium::Value::Map(members) = &mut cbor else {
        unreachable!()
    };
    members.extend((0..=MAX_EXTENSIONS).map(|i| (format!("e{i}").into(), true.into())));
    assert!(matches!(
        Event::from_cbor(cbor),
        Err(EventError::TooManyExtensions { .. })
    ));
}

// Item 7: lines.

/// An input of `len` bytes of `x` and no newline, counting what is read of it.
struct Endless {
    left: usize,
    read: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Read for Endless {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = buffer.len().min(self.left);
        buffer[..n].fill(b'x');
        self.left -= n;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

#[test]
fn an_over_long_line_is_refused_without_being_read_into_memory() {
    let read = std::rc::Rc::default();
    let input = Endless {
        left: 64 << 20,
        read: std::rc::Rc::clone(&read),
    };
    let limit = 1 << 16;
    let mut lines = read_json_lines(BufReader::new(input)).with_max_line_bytes(limit);
    let err = lines.next().unwrap().unwrap_err();
    assert_eq!(err.line, 1);
    assert!(matches!(err.kind, JsonLinesErrorKind::TooLong { limit: l } if l == limit));
    assert_eq!(
        err.to_string(),
        "line 1: the line is longer than 65536 bytes"
    );
    // Stopped at the limit (and one `BufReader` buffer), not at the end of the line.
    assert!(read.get() <= limit + 8192, "read {} bytes", read.get());
    // Going on skips the rest of the line, which is the last.
    assert!(lines.next().is_none());
    assert_eq!(read.get(), 64 << 20);
}

#[test]
fn reading_goes_on_after_an_over_long_line_and_counts_lines() {
    let good = format!("{{{ATTRIBUTES}}}");
    let long = format!(r#"{{{ATTRIBUTES},"data":"{}"}}"#, "y".repeat(500));
    let input = format!("{good}\n{long}\n\n{good}\n");
    let limit = good.len() + 10;
    let results: Vec<_> = read_json_lines(input.as_bytes())
        .with_max_line_bytes(limit)
        .collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[2].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("line 2: the line is longer than {limit} bytes")
    );
    let mut lines = read_json_lines(input.as_bytes()).with_max_line_bytes(limit);
    lines.by_ref().for_each(drop);
    assert_eq!(lines.line(), 5);
}

#[test]
fn the_default_limit_takes_a_line_of_exactly_that_many_bytes() {
    let event = |len: usize| {
        let shell = format!(r#"{{{ATTRIBUTES},"data":""}}"#);
        format!(
            r#"{{{ATTRIBUTES},"data":"{}"}}"#,
            "z".repeat(len - shell.len())
        )
    };
    let input = format!(
        "{}\r\n{}\n",
        event(DEFAULT_MAX_LINE_BYTES - 1),
        event(DEFAULT_MAX_LINE_BYTES + 1)
    );
    let results: Vec<_> = read_json_lines(input.as_bytes()).collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_eq!(
        results[1].as_ref().unwrap_err().to_string(),
        format!("line 2: the line is longer than {DEFAULT_MAX_LINE_BYTES} bytes")
    );
}

#[test]
fn invalid_utf8_is_refused_naming_its_line_and_reading_goes_on() {
    let good = format!("{{{ATTRIBUTES}}}");
    let mut input = format!("{good}\n").into_bytes();
    input.extend_from_slice(b"{\"id\":\"\xff\xfe\"}\n");
    input.extend_from_slice(format!("{good}\n").as_bytes());
    let results: Vec<_> = read_json_lines(&input[..]).collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[2].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.line, 2);
    assert!(matches!(err.kind, JsonLinesErrorKind::NotUtf8(_)), "{err}");
    assert!(
        err.to_string().starts_with("line 2: the line is not UTF-8"),
        "{err}"
    );
}

#[test]
fn a_bounded_line_is_read_across_small_buffers_to_exactly_its_limit() {
    let text = b"abc\nabcd\nabcde\r\nlast";
    let mut reader = BufReader::with_capacity(2, &text[..]);
    let mut line = Vec::new();
    let mut next = |reader: &mut BufReader<&[u8]>| {
        line.clear();
        let read = read_bounded_line(reader, &mut line, 4).unwrap();
        (read, String::from_utf8(line.clone()).unwrap())
    };
    assert_eq!(
        next(&mut reader),
        (LineRead::Line { consumed: 4 }, "abc".into())
    );
    assert_eq!(
        next(&mut reader),
        (LineRead::Line { consumed: 5 }, "abcd".into())
    );
    assert_eq!(next(&mut reader), (LineRead::TooLong, "abcd".into()));
    // The caller skips the rest of that line (`e\r\n`) itself.
    let mut rest = Vec::new();
    std::io::BufRead::read_until(&mut reader, b'\n', &mut rest).unwrap();
    assert_eq!(rest, b"e\r\n");
    assert_eq!(
        next(&mut reader),
        (LineRead::Line { consumed: 4 }, "last".into())
    );
    assert_eq!(next(&mut reader), (LineRead::End, String::new()));
    let mut line = Vec::new();
    let mut empty = &b"\n"[..];
    assert_eq!(
        read_bounded_line(&mut empty, &mut line, 0).unwrap(),
        LineRead::Line { consumed: 1 }
    );
}

// Item 8, through the public API (the property test is beside the fast path).

#[test]
fn every_reader_draws_the_depth_line_in_the_same_place() {
    let nested = |depth: usize, sp: &str| {
        format!(
            "{}1{}",
            format!("[{sp}").repeat(depth),
            format!("{sp}]").repeat(depth)
        )
    };
    let event = |data: &str| format!(r#"{{{ATTRIBUTES},"data":{data}}}"#);
    let too_deep = EventError::TooDeep { limit: MAX_DEPTH };
    for sp in ["", " "] {
        let deepest = event(&nested(MAX_DEPTH - 1, sp));
        let parsed: Event = deepest.parse().unwrap();
        assert_eq!(serde_json::from_str::<Event>(&deepest).unwrap(), parsed);
        for depth in [MAX_DEPTH, 126, 127, 200] {
            let text = event(&nested(depth, sp));
            assert_eq!(
                text.parse::<Event>(),
                Err(too_deep.clone()),
                "{depth} {sp:?}"
            );
            assert!(serde_json::from_str::<Event>(&text).is_err());
        }
    }
    assert_eq!(
        too_deep.to_string(),
        format!(
            "the event nests arrays and objects more than {MAX_DEPTH} levels deep (its own \
             object counts as one)"
        )
    );
    // CBOR draws it in the same place.
    let nested_cbor = |depth: usize| {
        (0..depth).fold(ciborium::Value::from(1), |inner, _| {
            ciborium::Value::Array(vec![inner])
        })
    };
    let with_data = |data| {
        let mut cbor = cbor_event();
        let ciborium::Value::Map(members) = &mut cbor else {
            unreachable!()
        };
        members.push(("data".into(), data));
        cbor
    };
    assert!(Event::from_cbor(with_data(nested_cbor(MAX_DEPTH - 1))).is_ok());
    assert_eq!(
        Event::from_cbor(with_data(nested_cbor(MAX_DEPTH))),
        Err(too_deep)
    );
}

#[test]
fn data_built_deeper_than_the_limit_prints_as_base64_and_reads_back() {
    let data = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let event = Event::new("1", "/s", "t").with_data("application/json", data);
    let printed = event.to_json();
    assert!(printed.contains("data_base64"), "{printed}");
    assert_eq!(printed.parse::<Event>(), Ok(event));
}

// Item 9: CBOR.

fn cbor_event() -> ciborium::Value {
    ciborium::Value::Map(vec![
        ("specversion".into(), "1.0".into()),
        ("id".into(), "1".into()),
        ("source".into(), "/s".into()),
        ("type".into(), "t".into()),
    ])
}

fn cbor_with(name: &str, value: ciborium::Value) -> ciborium::Value {
    let ciborium::Value::Map(mut members) = cbor_event() else {
        unreachable!()
    };
    members.retain(|(key, _)| key.as_text() != Some(name));
    members.push((name.into(), value));
    ciborium::Value::Map(members)
}

#[test]
fn cbor_attributes_of_the_wrong_type_are_refused_naming_them() {
    use ciborium::Value as Cbor;
    let big = Cbor::from(u64::MAX);
    let tagged = |v: &str| Cbor::Tag(32, Box::new(v.into()));
    for (name, value, reason) in [
        (
            "id",
            Cbor::Bytes(vec![1, 2, 3]),
            "must be a text string, found a byte string",
        ),
        (
            "source",
            Cbor::from(7),
            "must be a text string, found an integer",
        ),
        (
            "type",
            Cbor::Float(f64::NAN),
            "must be a text string, found a float",
        ),
        (
            "specversion",
            Cbor::Bytes(b"1.0".to_vec()),
            "must be a text string, found a byte string",
        ),
        (
            "time",
            tagged("2018-04-05T17:31:00Z"),
            "must be a text string, found a value with tag 32",
        ),
        (
            "subject",
            Cbor::Bool(true),
            "must be a text string, found a boolean",
        ),
        (
            "datacontenttype",
            Cbor::Array(vec![]),
            "must be a text string, found an array",
        ),
        (
            "data_base64",
            Cbor::Bytes(vec![0]),
            "must be a text string, found a byte string",
        ),
        (
            "ext",
            Cbor::Bytes(vec![0]),
            "must be a text string, boolean or integer, found a byte string",
        ),
        (
            "ext",
            Cbor::Float(f64::NAN),
            "must be a text string, boolean or integer, found a float",
        ),
        (
            "ext",
            Cbor::Float(1.0),
            "must be a text string, boolean or integer, found a float",
        ),
        (
            "ext",
            big,
            "is 18446744073709551615; a number must be a 32-bit integer",
        ),
        (
            "ext",
            Cbor::from(1i64 << 31),
            "is 2147483648; a number must be a 32-bit integer",
        ),
    ] {
        let err = Event::from_cbor(cbor_with(name, value)).unwrap_err();
        assert_eq!(err.attribute(), Some(name), "{err}");
        assert_eq!(err.to_string(), format!("attribute `{name}` {reason}"));
    }
    assert_eq!(
        Event::from_cbor(cbor_with("id", ciborium::Value::Null)),
        Err(EventError::Missing("id"))
    );
    for (not_an_event, reason) in [
        (
            ciborium::Value::from("x"),
            "expected a map, found a text string",
        ),
        (
            ciborium::Value::Map(vec![(1.into(), "1.0".into())]),
            "a member's key must be a text string, found an integer",
        ),
    ] {
        assert_eq!(
            Event::from_cbor(not_an_event),
            Err(EventError::NotCbor(reason.into()))
        );
    }
}

#[test]
fn a_cbor_event_is_its_json_twin_and_data_is_converted_as_documented() {
    use ciborium::Value as Cbor;
    let cbor = Cbor::Map(vec![
        ("specversion".into(), "1.0".into()),
        ("id".into(), "1".into()),
        ("source".into(), "/s".into()),
        ("type".into(), "t".into()),
        ("time".into(), "2018-04-05T17:31:00Z".into()),
        ("count".into(), 10.into()),
        ("flag".into(), true.into()),
        ("gone".into(), Cbor::Null),
        (
            "data".into(),
            Cbor::Map(vec![
                ("bytes".into(), Cbor::Bytes(vec![1, 2, 3])),
                (
                    "huge".into(),
                    Cbor::Integer(ciborium::value::Integer::try_from(-(1i128 << 64)).unwrap()),
                ),
                ("nan".into(), Cbor::Float(f64::NAN)),
                ("tagged".into(), Cbor::Tag(1, Box::new(5.into()))),
                (2.into(), "two".into()),
            ]),
        ),
    ]);
    let data = r#"{"2":"two","bytes":"AQID","huge":"-18446744073709551616","nan":null,"tagged":5}"#;
    let json = format!(
        r#"{{{ATTRIBUTES},"time":"2018-04-05T17:31:00Z","count":10,"flag":true,"gone":null,"data":{data}}}"#
    );
    assert_eq!(Event::from_cbor(cbor), json.parse());
}
