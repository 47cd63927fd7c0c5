//! What a user of the event type relies on beyond the conformance cases.

use evident_types::{Event, EventError, JsonLinesErrorKind, read_json_lines};

fn minimal() -> serde_json::Value {
    serde_json::json!({"specversion": "1.0", "id": "e1", "source": "/s", "type": "t"})
}

fn parse(value: serde_json::Value) -> Result<Event, EventError> {
    value.to_string().parse()
}

#[test]
fn errors_name_the_attribute_at_fault() {
    for (attribute, change) in [
        ("id", serde_json::json!({"id": null})),
        ("source", serde_json::json!({"source": ""})),
        ("specversion", serde_json::json!({"specversion": "0.3"})),
        ("type", serde_json::json!({"type": 7})),
        ("time", serde_json::json!({"time": "yesterday"})),
        (
            "datacontenttype",
            serde_json::json!({"datacontenttype": "json"}),
        ),
        ("dataschema", serde_json::json!({"dataschema": "no-scheme"})),
        ("Ext", serde_json::json!({"Ext": "x"})),
        ("ext", serde_json::json!({"ext": [1]})),
    ] {
        let mut event = minimal();
        for (k, v) in change.as_object().unwrap() {
            event[k] = v.clone();
        }
        let err = parse(event).unwrap_err();
        assert_eq!(err.attribute(), Some(attribute), "{err}");
        assert!(err.to_string().contains(attribute), "{err}");
    }
}

#[test]
fn json_data_is_kept_as_json_text_and_printed_inline() {
    let mut value = minimal();
    value["data"] = serde_json::json!({"amount": 5, "tags": ["a"]});
    let event = parse(value).unwrap();
    assert_eq!(
        event.data.as_deref(),
        Some(&br#"{"amount":5,"tags":["a"]}"#[..])
    );
    let printed: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
    assert_eq!(printed["data"]["amount"], 5);
    #[derive(serde::Deserialize)]
    struct Amount {
        amount: u32,
    }
    assert_eq!(event.data_json::<Amount>().unwrap().amount, 5);
}

#[test]
fn binary_data_travels_as_base64() {
    let event =
        Event::new("e1", "/s", "t").with_data("application/octet-stream", vec![0u8, 159, 255]);
    let printed: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
    assert_eq!(printed["data_base64"], "AJ//");
    assert!(printed.get("data").is_none());
    assert_eq!(event.to_json().parse::<Event>().unwrap(), event);
}

#[test]
fn text_data_of_a_text_type_is_a_json_string() {
    let event = Event::new("e1", "/s", "t").with_data("text/plain", "hello");
    let printed: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
    assert_eq!(printed["data"], "hello");
}

#[test]
fn times_compare_as_instants_and_keep_their_offset_in_print() {
    let mut a = minimal();
    a["time"] = "2018-04-05T17:31:00Z".into();
    let mut b = minimal();
    b["time"] = "2018-04-05T18:31:00+01:00".into();
    let (a, b) = (parse(a).unwrap(), parse(b).unwrap());
    assert_eq!(a, b);
    assert!(b.to_json().contains("2018-04-05T18:31:00+01:00"));
}

#[test]
fn typed_extensions_become_canonical_strings() {
    let mut value = minimal();
    value["count"] = 10.into();
    value["flag"] = true.into();
    let event = parse(value).unwrap();
    assert_eq!(event.extensions["count"], "10");
    assert_eq!(event.extensions["flag"], "true");
}

#[test]
fn json_lines_skip_blank_lines_and_report_line_numbers() {
    let good = minimal().to_string();
    let input = format!(
        "{good}\n\n{good}\nnot json\n{{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t\"}}\n{good}\n"
    );
    let results: Vec<_> = read_json_lines(input.as_bytes()).collect();
    assert_eq!(results.len(), 5);
    assert!(results[0].is_ok() && results[1].is_ok() && results[4].is_ok());
    let not_json = results[2].as_ref().unwrap_err();
    assert_eq!(not_json.line, 4);
    assert!(matches!(
        not_json.kind,
        JsonLinesErrorKind::Event(EventError::NotJson(_))
    ));
    let no_source = results[3].as_ref().unwrap_err();
    assert_eq!(no_source.line, 5);
    assert_eq!(
        no_source.to_string(),
        "line 5: missing required attribute `source`"
    );
}

#[test]
fn json_lines_stop_after_an_io_error() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let mut lines = read_json_lines(std::io::BufReader::new(Broken));
    let err = lines.next().unwrap().unwrap_err();
    assert!(matches!(err.kind, JsonLinesErrorKind::Io(_)), "{err}");
    assert!(lines.next().is_none());
}

#[test]
fn built_events_validate_and_guest_mistakes_are_named() {
    assert_eq!(Event::new("1", "/s", "t").validate(), Ok(()));
    let err = Event::new("", "/s", "t").validate().unwrap_err();
    assert_eq!(err.attribute(), Some("id"));
    let err = Event::new("1", "/s", "t")
        .with_extension("Bad", "x")
        .validate()
        .unwrap_err();
    assert_eq!(err.attribute(), Some("Bad"));
}

#[test]
fn json_data_that_would_not_print_back_byte_for_byte_travels_as_base64() {
    let event = Event::new("e1", "/s", "t").with_data("application/json", " 1 ");
    let printed: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
    assert_eq!(printed["data_base64"], "IDEg");
    assert_eq!(event.to_json().parse::<Event>().unwrap(), event);
}
