//! `evident test`: given/when/then scenario files, fuel budgets, and failures that say why.

use super::*;

#[test]
fn the_sample_scenarios_pass() {
    evident()
        .args([
            "test",
            "guests/bank-account",
            "examples/scenarios/bank-account-states.yaml",
            "examples/scenarios/bank-account-story.yaml",
        ])
        .assert()
        .success()
        .stdout(contains("9 passed, 0 failed"));
    evident()
        .arg("test")
        .arg(component("event-counter"))
        .arg("examples/scenarios/event-counter.json")
        .assert()
        .success()
        .stdout(contains("2 passed, 0 failed"));
}

/// `max_fuel_per_event` catches a guest that got slower, deterministically: by fuel.
#[test]
fn a_fuel_budget_too_small_fails_with_the_fuel_measured() {
    let dir = tempfile::tempdir().unwrap();
    let budget = |fuel: u64| {
        format!(
            "scenarios:\n  - name: cheap enough\n    given:\n      events:\n        - {{specversion: '1.0', id: '1', source: /s, type: a}}\n        - {{specversion: '1.0', id: '2', source: /s, type: b}}\n    then:\n      max_fuel_per_event: {fuel}\n"
        )
    };
    let generous = write(dir.path(), "generous.yaml", &budget(10_000_000));
    evident()
        .arg("test")
        .arg(component("event-counter"))
        .arg(&generous)
        .assert()
        .success()
        .stdout(contains("1 passed, 0 failed"));
    let tight = write(dir.path(), "tight.yaml", &budget(10));
    evident()
        .arg("test")
        .arg(component("event-counter"))
        .arg(&tight)
        .assert()
        .code(1)
        .stdout(
            contains("FAIL")
                .and(contains("fuel per event"))
                .and(contains("over the budget of 10")),
        );
}

/// The same story, told to the Python decider: it emits the Rust account's events and
/// refuses with its codes.
#[test]
fn the_bank_account_story_passes_in_python_too() {
    if evident_testkit::guests::or_skip(component_path("python-bank-account")).is_none() {
        return;
    }
    evident()
        .args([
            "test",
            "guests/python-bank-account",
            "examples/scenarios/bank-account-states.yaml",
            "examples/scenarios/bank-account-story.yaml",
        ])
        .assert()
        .success()
        .stdout(contains("9 passed, 0 failed"));
}

#[test]
fn a_failing_scenario_fails_the_run_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "wrong.yaml",
        "scenarios:\n  - name: wrong total\n    given:\n      events:\n        - {specversion: '1.0', id: '1', source: /s, type: a}\n    then:\n      state: {by_type: {a: 1}, total: 2}\n",
    );
    evident()
        .arg("test")
        .arg(component("event-counter"))
        .arg(file)
        .assert()
        .code(1)
        .stdout(
            contains("FAIL")
                .and(contains("wrong total"))
                .and(contains("0 passed, 1 failed")),
        );
}

#[test]
fn a_malformed_scenario_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.yaml", "scenarios:\n  - nam: typo\n");
    evident()
        .arg("test")
        .arg(component("event-counter"))
        .arg(&file)
        .assert()
        .failure()
        .stderr(contains("bad.yaml is not a scenario file").and(contains("nam")));
}
