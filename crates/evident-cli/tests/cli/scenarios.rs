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
    evident_on_guest_dirs()
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

/// A database decider's scenarios: given events in a fresh store, the manifest's views over
/// it (found in the guest directory), then the events appended, a refusal, or the condition.
#[test]
fn the_course_scenarios_pass_on_a_database_decider() {
    evident()
        .args([
            "test",
            "guests/course-subscriptions",
            "examples/courses/scenarios.yaml",
        ])
        .env_remove("EVIDENT_VIEWS")
        .assert()
        .success()
        .stdout(contains("7 passed, 0 failed"));
}

#[test]
fn a_database_deciders_wrong_condition_or_code_fails_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "wrong.yaml",
        r#"scenarios:
  - name: wrong condition
    given:
      events:
        - {specversion: "1.0", id: c1, source: /courses, type: course.defined, course: c1, datacontenttype: application/json, data: {capacity: 1, course: c1}}
    when:
      command: {type: subscribe, course: c1, student: s1}
    then:
      condition: {failIfEventsMatch: {items: [{tags: ["course:c1"]}]}, after: 1}
  - name: wrong code
    given:
      events:
        - {specversion: "1.0", id: c1, source: /courses, type: course.defined, course: c1, datacontenttype: application/json, data: {capacity: 1, course: c1}}
        - {specversion: "1.0", id: c1/s1, source: /courses, type: student.subscribed, course: c1, student: s1, datacontenttype: application/json, data: {course: c1, student: s1}}
    when:
      command: {type: subscribe, course: c1, student: s2}
    then:
      error: already-subscribed
  - name: a state is not given to a database decider
    given:
      state: {}
    when:
      command: {type: subscribe, course: c1, student: s2}
    then:
      error: course-full
"#,
    );
    evident()
        .arg("test")
        .arg(component("course-subscriptions"))
        .arg(&file)
        .arg("--views")
        .arg(workspace_root().join("guests/course-subscriptions/evident.toml"))
        .assert()
        .code(1)
        .stdout(
            contains("expected condition {\"failIfEventsMatch\":{\"items\":[{\"tags\":[\"course:c1\"]}]},\"after\":1}")
                .and(contains("got condition      {\"failIfEventsMatch\""))
                .and(contains("expected error \"already-subscribed\", got [course-full]"))
                .and(contains("is given `events` (appended to a fresh store), not a `state`"))
                .and(contains("0 passed, 3 failed")),
        );
}
