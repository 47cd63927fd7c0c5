//! The instance pool: what happens when it is full, without it, and where the address space to
//! reserve it is short.

use evident_host::{Error, Runtime, RuntimeConfig};
use evident_testkit::fixture::ViewFixture;
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters, State};

fn counter_in(config: RuntimeConfig) -> evident_host::StateView {
    let runtime = Runtime::new(config).unwrap();
    runtime
        .load("event-counter", &component_bytes("event-counter").unwrap())
        .view()
        .unwrap()
}

#[test]
fn a_full_pool_is_a_retryable_error_and_serves_again_once_an_instance_is_freed() {
    let counter = counter_in(RuntimeConfig {
        pooled_instances: Some(1),
        ..RuntimeConfig::default()
    });
    let kept = counter.instance().unwrap();
    let err = counter
        .reduce(
            &State::default(),
            &Event::new("1", "/p", "a"),
            &Parameters::new(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::PoolExhausted { .. }), "{err}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("retry"), "{err}");
    drop(kept);
    assert!(
        counter
            .reduce(
                &State::default(),
                &Event::new("1", "/p", "a"),
                &Parameters::new()
            )
            .is_ok()
    );
}

#[test]
fn without_a_pool_instances_are_allocated_on_demand() {
    let counter = counter_in(RuntimeConfig {
        pooled_instances: None,
        ..RuntimeConfig::default()
    });
    let kept: Vec<_> = (0..3).map(|_| counter.instance().unwrap()).collect();
    ViewFixture::new(&counter)
        .given((0..2_500).map(|i| Event::new(format!("{i}"), "/p", ["a", "b"][i % 2])))
        .expect_json(serde_json::json!({"by_type": {"a": 1250, "b": 1250}, "total": 2500}));
    drop(kept);
}

/// A runtime still starts, and folds, where the pool's address space cannot be reserved:
/// measured in a process of its own under `ulimit -v`.
#[test]
fn a_runtime_starts_with_its_address_space_capped() {
    let exe = std::env::current_exe().unwrap();
    // 6 GiB of address space: not enough for one 4 GiB pool slot and its neighbours, plenty for
    // the process and memories bounded by their 64 MiB limit.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 6291456 && exec \"$0\" --exact pool::capped_address_space --ignored --nocapture --test-threads=1")
        .arg(&exe)
        .env("EVIDENT_CAPPED_ADDRESS_SPACE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("address space: Bounded"), "{stdout}");
    assert!(stdout.contains("folded 2500 events"), "{stdout}");
}

/// Run by `a_runtime_starts_with_its_address_space_capped`, under `ulimit -v`.
#[test]
#[ignore = "a probe the address-space test runs in its own process"]
fn capped_address_space() {
    if std::env::var_os("EVIDENT_CAPPED_ADDRESS_SPACE").is_none() {
        return;
    }
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    println!("address space: {:?}", runtime.address_space());
    let counter = runtime
        .load("event-counter", &component_bytes("event-counter").unwrap())
        .view()
        .unwrap();
    let events: Vec<Event> = (0..2_500)
        .map(|i| Event::new(format!("{i}"), "/p", "a"))
        .collect();
    let folded = counter
        .fold(State::default(), &events, &Parameters::new())
        .unwrap();
    println!("folded {} events", folded.events_applied);
}
