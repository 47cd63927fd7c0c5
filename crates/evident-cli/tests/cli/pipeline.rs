//! The seed's validators and transformations from the command line, on `examples/payments`: a
//! manifest whose validator guards appends and whose upcasters let a v3 view fold a log of v1,
//! v2 and v3 payments; `evident validate` and `evident transform` on files.

use super::*;

fn payments(file: &str) -> PathBuf {
    workspace_root().join("examples/payments").join(file)
}

/// The totals of `examples/payments/events.jsonl`, read as v3.
fn expected_totals() -> serde_json::Value {
    serde_json::json!({
        "cents": {"EUR": 13869, "USD": 12604},
        "methods": {"card": 2, "transfer": 2, "unknown": 8},
        "payments": 12
    })
}

fn state_of(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output).unwrap_or_else(|e| {
        panic!(
            "not a JSON state ({e}): {}",
            String::from_utf8_lossy(output)
        )
    })
}

#[test]
fn a_refused_event_refuses_the_whole_append_naming_the_line_the_event_and_the_validator() {
    let store = tempfile::tempdir().unwrap();
    evident_on_guest_dirs()
        .args(["store", "append", "--validate", "--views"])
        .arg(payments("evident.toml"))
        .arg(payments("refused.jsonl"))
        .arg("--store")
        .arg(store.path())
        .assert()
        .code(2)
        .stderr(contains(
            "refused.jsonl, line 2: event `pay-101`: validator `payment-rules` refused it: [not-positive]",
        ))
        .stderr(contains("nothing was appended"));
    evident()
        .args(["store", "head", "--store"])
        .arg(store.path())
        .assert()
        .success()
        .stdout("{\"position\":0}\n");
}

#[test]
fn the_view_folds_the_mixed_log_through_its_upcasters_in_the_store_and_from_a_file() {
    let store = tempfile::tempdir().unwrap();
    evident_on_guest_dirs()
        .args(["store", "append", "--validate", "--views"])
        .arg(payments("evident.toml"))
        .arg(payments("events.jsonl"))
        .arg("--store")
        .arg(store.path())
        .assert()
        .success()
        .stdout("{\"appended\":15,\"position\":15}\n");
    let shown = evident_on_guest_dirs()
        .args(["view", "payment-totals", "--views"])
        .arg(payments("evident.toml"))
        .arg("--store")
        .arg(store.path())
        .assert()
        .success();
    assert_eq!(state_of(&shown.get_output().stdout), expected_totals());

    let folded = evident_on_guest_dirs()
        .args(["fold", "guests/payment-totals", "--views"])
        .arg(payments("evident.toml"))
        .arg("--events")
        .arg(payments("events.jsonl"))
        .assert()
        .success();
    assert_eq!(state_of(&folded.get_output().stdout), expected_totals());

    // Without the manifest the view meets a v1 payment on line 1 and says why.
    evident_on_guest_dirs()
        .args(["fold", "guests/payment-totals", "--events"])
        .arg(payments("events.jsonl"))
        .assert()
        .failure()
        .stderr(contains("line 1").and(contains("[old-version]")));
}

#[test]
fn validate_prints_every_refused_event_and_exits_2() {
    let checked = evident_on_guest_dirs()
        .args(["validate", "guests/payment-validator", "--events"])
        .arg(payments("refused.jsonl"))
        .assert()
        .code(2)
        .stderr(contains("checked 3 events: 2 refused"));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&checked.get_output().stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let codes: Vec<(&str, &str)> = lines
        .iter()
        .map(|line| (line["at"].as_str().unwrap(), line["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [("line 2", "not-positive"), ("line 3", "unknown-currency")]
    );
    evident_on_guest_dirs()
        .args([
            "validate",
            "guests/payment-validator",
            "--param",
            "currencies=EUR,GBP",
        ])
        .args(["--events"])
        .arg(payments("refused.jsonl"))
        .assert()
        .code(2)
        .stderr(contains("checked 3 events: 1 refused"));
}

#[test]
fn transform_writes_the_events_each_event_becomes() {
    let converted = evident_on_guest_dirs()
        .args(["transform", "guests/csv-to-json", "--events"])
        .arg(payments("uploads.jsonl"))
        .assert()
        .success()
        .stderr(contains("transformed 3 events into 4"));
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&converted.get_output().stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["upload-1-1", "upload-1-2", "upload-1-3", "note-1"]);
    assert_eq!(
        events[2]["data"],
        serde_json::json!({"sku": "C-3", "price": "12.00", "currency": "USD"})
    );
    // A v1 payment given to the v2-to-v3 step is refused, naming the line.
    evident_on_guest_dirs()
        .args([
            "transform",
            "guests/payment-upcaster",
            "--param",
            "step=nonsense",
            "--events",
        ])
        .arg(payments("events.jsonl"))
        .assert()
        .code(2)
        .stderr(contains("line 1: event `pay-1`").and(contains("[invalid-parameter]")));
}

#[test]
fn a_manifest_naming_an_undeclared_upcaster_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("evident.toml");
    std::fs::write(
        &manifest,
        "[[view]]\nname = \"t\"\ncomponent = \"t\"\nupcasters = [\"missing\"]\n",
    )
    .unwrap();
    evident()
        .args(["fold", "guests/payment-totals", "--views"])
        .arg(&manifest)
        .arg("--events")
        .arg(payments("events.jsonl"))
        .assert()
        .failure()
        .stderr(contains("evident.toml:4").and(contains("upcaster `missing`")));
}

#[test]
fn an_event_an_upcaster_refuses_is_named_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let payment = |id: &str, data: &str| {
        format!(
            r#"{{"specversion":"1.0","id":"{id}","source":"/shop","type":"payment.received","dataschema":"urn:evident:payment:v1","data":{data}}}"#
        )
    };
    let lines = [
        payment("p1", r#"{"amount_cents":100,"currency":"EUR"}"#),
        payment("p2", r#"{"currency":"EUR"}"#),
    ];
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    evident_on_guest_dirs()
        .args(["fold", "guests/payment-totals", "--views"])
        .arg(payments("evident.toml"))
        .arg("--events")
        .arg(&events)
        .assert()
        .failure()
        .stderr(
            contains("events.jsonl, line 2: upcaster `payment-v1-to-v2`")
                .and(contains("(id `p2`)"))
                .and(contains("[invalid-v1]")),
        );
}
