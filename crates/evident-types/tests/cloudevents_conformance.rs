//! The CloudEvents project's JSON-format conformance cases (tests/data/cloudevents-json).

use std::collections::BTreeMap;
use std::path::Path;

use evident_types::Event;
use serde_json::Value;

fn cases(file: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cloudevents-json")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    let tests = doc["tests"].as_array().expect("a `tests` array").clone();
    assert!(!tests.is_empty(), "{file} has no cases");
    tests
}

fn parse_batch(batch: &Value) -> Result<Vec<Event>, String> {
    let items = batch.as_array().ok_or("a batch is a JSON array")?;
    items
        .iter()
        .map(|item| serde_json::from_value::<Event>(item.clone()).map_err(|e| e.to_string()))
        .collect()
}

/// Every valid case parses, and all cases naming one `sampleId` parse to equal values.
fn check_valid<T: PartialEq + std::fmt::Debug>(
    file: &str,
    key: &str,
    parse: impl Fn(&Value) -> Result<T, String>,
) {
    let mut samples: BTreeMap<String, (String, T)> = BTreeMap::new();
    for case in cases(file) {
        let id = case["id"].as_str().unwrap().to_owned();
        let parsed = parse(&case[key]).unwrap_or_else(|e| panic!("{id}: valid case rejected: {e}"));
        let sample = case["sampleId"].as_str().unwrap().to_owned();
        match samples.get(&sample) {
            Some((first, expected)) => assert_eq!(
                &parsed, expected,
                "{id} and {first} share sampleId {sample} but parse differently"
            ),
            None => {
                samples.insert(sample, (id, parsed));
            }
        }
    }
}

fn check_invalid<T: std::fmt::Debug>(
    file: &str,
    key: &str,
    parse: impl Fn(&Value) -> Result<T, String>,
) {
    for case in cases(file) {
        let id = case["id"].as_str().unwrap();
        match parse(&case[key]) {
            Ok(parsed) => panic!("{id}: invalid case accepted as {parsed:?}"),
            Err(reason) => assert!(!reason.is_empty(), "{id}: rejected without a reason"),
        }
    }
}

fn parse_event(value: &Value) -> Result<Event, String> {
    // Through the text form, as a reader of a file would see it.
    value
        .to_string()
        .parse::<Event>()
        .map_err(|e| e.to_string())
}

#[test]
fn valid_events_are_accepted_and_equal_per_sample() {
    check_valid("valid-events.json", "event", parse_event);
}

#[test]
fn invalid_events_are_rejected_with_a_reason() {
    check_invalid("invalid-events.json", "event", parse_event);
}

#[test]
fn valid_batches_are_accepted_and_equal_per_sample() {
    check_valid("valid-batches.json", "batch", parse_batch);
}

#[test]
fn invalid_batches_are_rejected_with_a_reason() {
    check_invalid("invalid-batches.json", "batch", parse_batch);
}

#[test]
fn every_valid_case_survives_print_and_parse() {
    for case in cases("valid-events.json") {
        let event = parse_event(&case["event"]).unwrap();
        let reparsed: Event = event.to_json().parse().unwrap();
        assert_eq!(reparsed, event, "{}", case["id"]);
    }
}
