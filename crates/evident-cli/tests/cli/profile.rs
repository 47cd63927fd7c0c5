//! `evident profile`: a flamegraph and a Firefox profile of a fold.

use super::*;

/// `evident profile` writes a flamegraph, a Firefox Profiler profile and folded stacks
/// that name the guest's own functions.
#[test]
fn writes_a_flamegraph_that_names_reduce() {
    let dir = tempfile::tempdir().unwrap();
    // Enough events for the samples to land in the guest's code.
    let events: String = (0..200_000)
        .map(|i| {
            format!(
                "{{\"specversion\":\"1.0\",\"id\":\"{i}\",\"source\":\"/p\",\"type\":\"t{}\"}}\n",
                i % 7
            )
        })
        .collect();
    let events = write(dir.path(), "events.jsonl", &events);
    let output = dir.path().join("counter");
    evident()
        .arg("profile")
        .arg(component("event-counter"))
        .arg("--events")
        .arg(&events)
        .args(["--interval", "200us", "-o"])
        .arg(&output)
        .assert()
        .success();
    let folded = std::fs::read_to_string(output.with_extension("folded")).unwrap();
    let svg = std::fs::read_to_string(output.with_extension("svg")).unwrap();
    assert!(folded.contains("reduce"), "{folded}");
    // Rust names are demangled, without their hash.
    assert!(folded.contains("event_counter::"), "{folded}");
    assert!(!folded.contains("_ZN"), "{folded}");
    assert!(svg.contains("<svg") && svg.contains("reduce"));
    let firefox: serde_json::Value =
        serde_json::from_slice(&std::fs::read(output.with_extension("json")).unwrap()).unwrap();
    assert!(firefox["threads"].is_array(), "a Firefox Profiler profile");
}
