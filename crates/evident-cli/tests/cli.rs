//! The `evident` binary as a user runs it: every command, and the errors that say what to do.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use evident_testkit::guests::{component_path, workspace_root};
use predicates::prelude::*;
use predicates::str::contains;

fn evident() -> Command {
    let mut command = Command::cargo_bin("evident").unwrap();
    command
        .current_dir(workspace_root())
        .env_remove("RUST_LOG")
        .env(
            "EVIDENT_AOT_CACHE",
            workspace_root().join("target/cli-test-aot-cache"),
        );
    command
}

fn component(name: &str) -> PathBuf {
    component_path(name).unwrap_or_else(|e| panic!("{e}"))
}

fn sample_events() -> PathBuf {
    workspace_root().join("examples/events.jsonl")
}

/// `evident process <guest's component> --command <command>`, to add options to.
fn process(guest: &str, command: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut process = evident();
    process
        .arg("process")
        .arg(component(guest))
        .arg("--command")
        .arg(command);
    process
}

/// `evident fold <guest's component> --events <events>`, to add options to.
fn fold(guest: &str, events: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = evident();
    command
        .arg("fold")
        .arg(component(guest))
        .arg("--events")
        .arg(events);
    command
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const EVENT: &str = r#"{"specversion":"1.0","id":"ok1","source":"/s","type":"a","data":{"n":1}}"#;

mod fold {
    use super::*;

    #[test]
    fn with_wasi_folds_a_python_guest_to_the_rust_guests_state() {
        let Some(python) = evident_testkit::guests::or_skip(component_path("python-event-counter"))
        else {
            return;
        };
        let rust = fold("event-counter", sample_events()).assert().success();
        let expected = String::from_utf8(rust.get_output().stdout.clone()).unwrap();
        evident()
            .arg("fold")
            .arg(&python)
            .arg("--events")
            .arg(sample_events())
            .arg("--wasi")
            .assert()
            .success()
            .stdout(expected);
        // Without --wasi the host keeps its strict mode and names the WASI import it refuses.
        evident()
            .arg("fold")
            .arg(&python)
            .arg("--events")
            .arg(sample_events())
            .assert()
            .failure()
            .stderr(contains("wasi:"));
    }

    #[test]
    fn folds_the_sample_events_and_summarises() {
        evident()
            .args(["fold"])
            .arg(component("event-counter"))
            .arg("--events")
            .arg(sample_events())
            .assert()
            .success()
            .stdout(contains("\"total\": 3000"))
            .stderr(
                contains("folded 3000 events")
                    .and(contains("events/s"))
                    .and(contains("fuel used"))
                    .and(contains("peak guest memory")),
            );
    }

    #[test]
    fn builds_a_guest_crate_directory_first() {
        evident()
            .args(["fold", "guests/event-counter", "--events"])
            .arg(sample_events())
            .assert()
            .success()
            .stdout(contains("\"total\": 3000"));
    }

    #[test]
    fn a_failing_event_is_reported_by_line_and_id_and_the_last_good_state_printed() {
        let dir = tempfile::tempdir().unwrap();
        let no_data = r#"{"specversion":"1.0","id":"bad7","source":"/s","type":"a"}"#;
        let events = write(
            dir.path(),
            "events.jsonl",
            &format!("{EVENT}\n\n{no_data}\n{EVENT}\n"),
        );
        let saved = dir.path().join("state.json");
        fold("event-counter", &events)
            .args(["--param", "require-data=true", "-o"])
            .arg(&saved)
            .assert()
            .failure()
            .stdout(contains("\"total\": 1"))
            .stderr(
                contains("line 3")
                    .and(contains("\"bad7\""))
                    .and(contains("event bad7 has no data")),
            );
        assert_eq!(
            std::fs::read_to_string(saved).unwrap(),
            r#"{"by_type":{"a":1},"total":1}"#
        );
    }

    #[test]
    fn reads_stdin_and_names_the_bad_line() {
        evident()
            .arg("fold")
            .arg(component("event-counter"))
            .args(["--events", "-"])
            .write_stdin(format!("{EVENT}\n{{\"id\":\"x\"}}\n"))
            .assert()
            .failure()
            .stderr(contains(
                "-: line 2: missing required attribute `specversion`",
            ));
    }

    #[test]
    fn reads_a_cbor_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        for id in ["c1", "c2"] {
            let event = serde_json::json!({"specversion": "1.0", "id": id, "source": "/s", "type": "cbor.event"});
            ciborium::into_writer(&event, &mut bytes).unwrap();
        }
        let events = dir.path().join("events.cbor");
        std::fs::write(&events, bytes).unwrap();
        fold("event-counter", events)
            .assert()
            .success()
            .stdout(contains("\"cbor.event\": 2"));
    }

    #[test]
    fn starts_from_an_initial_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = write(
            dir.path(),
            "state.json",
            r#"{"by_type":{"a":41},"total":41}"#,
        );
        let events = write(dir.path(), "events.jsonl", EVENT);
        fold("event-counter", events)
            .arg("--initial-state")
            .arg(state)
            .assert()
            .success()
            .stdout(contains("\"total\": 42"));
    }

    #[test]
    fn limits_come_from_the_command_line() {
        fold("event-counter", sample_events())
            .args(["--limit-fuel", "1000"])
            .assert()
            .failure()
            .stderr(contains("ran out of fuel").and(contains("limit 1000 units")));
        fold("hostile-memory-bomb", sample_events())
            .args(["--limit-memory", "4MiB", "--deadline", "5s"])
            .assert()
            .failure()
            .stderr(contains("memory limit").and(contains("limit 4194304")));
        // Fuel alone bounds a call by default; a deadline asked for is kept.
        fold("hostile-loop", sample_events())
            .args(["--limit-fuel", "1000000000000000", "--deadline", "200ms"])
            .assert()
            .failure()
            .stderr(contains("deadline").and(contains("200ms")));
    }

    /// A fold that fails early in a long input ends at once: the reader, far ahead and
    /// waiting to hand over more events, is told to stop.
    #[test]
    fn a_fold_that_fails_early_in_a_long_input_ends() {
        let dir = tempfile::tempdir().unwrap();
        let mut events = String::from("\n\n");
        for i in 0..50_000 {
            events.push_str(&format!(
                "{{\"specversion\":\"1.0\",\"id\":\"e{i}\",\"source\":\"/s\",\"type\":\"a\"}}\n"
            ));
        }
        let events = write(dir.path(), "events.jsonl", &events);
        fold("event-counter", events)
            .args(["--param", "require-data=true"])
            .timeout(std::time::Duration::from_secs(120))
            .assert()
            .failure()
            .stderr(contains("line 3").and(contains("event e0 has no data")));
    }

    #[test]
    fn a_missing_file_says_which() {
        fold("event-counter", "no/such/events.jsonl")
            .assert()
            .failure()
            .stderr(contains("cannot open no/such/events.jsonl"));
        evident()
            .args(["fold", "no/such/component.wasm", "--events"])
            .arg(sample_events())
            .assert()
            .failure()
            .stderr(contains("no/such/component.wasm does not exist"));
    }

    #[test]
    fn guest_logs_reach_stderr_with_the_component_name() {
        fold("event-counter", sample_events())
            .args(["--param", "prefix=com.example.order"])
            .assert()
            .success()
            .stderr(
                contains("INFO")
                    .and(contains("counting events whose type starts with"))
                    .and(contains("event_counter")),
            );
    }
}

mod process {
    use super::*;

    #[test]
    fn emits_events_as_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let open = write(
            dir.path(),
            "open.json",
            r#"{"type":"open","account_id":"a1","owner":"Ann"}"#,
        );
        let output = process("bank-account", open)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let line = String::from_utf8(output).unwrap();
        let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(event["type"], "bank.account.opened");
        assert_eq!(event["data"]["owner"], "Ann");
    }

    #[test]
    fn a_refusal_shows_code_message_and_details_with_exit_code_2() {
        let dir = tempfile::tempdir().unwrap();
        let state = write(
            dir.path(),
            "state.json",
            r#"{"account_id":"a1","owner":"Ann","balance":10,"version":1}"#,
        );
        let withdraw = write(
            dir.path(),
            "withdraw.json",
            r#"{"type":"withdraw","amount":11}"#,
        );
        process("bank-account", &withdraw)
            .arg("--state")
            .arg(&state)
            .args(["--state-format", "cbor"])
            .assert()
            .code(2)
            .stderr(
                contains("refused: [insufficient-funds] cannot withdraw 11 from a balance of 10")
                    .and(contains(r#"details: {"balance":10,"requested":11}"#)),
            );
        // Without the conversion the change cannot read the state, and the CLI says what to do.
        process("bank-account", &withdraw)
            .arg("--state")
            .arg(&state)
            .assert()
            .code(2)
            .stderr(contains("[invalid-state]").and(contains("--state-format cbor")));
    }

    #[test]
    fn validate_answers_without_emitting() {
        let dir = tempfile::tempdir().unwrap();
        let deposit = write(
            dir.path(),
            "deposit.json",
            r#"{"type":"deposit","amount":1}"#,
        );
        process("bank-account", &deposit)
            .arg("--validate")
            .assert()
            .code(2)
            .stdout("false\n");
    }

    #[test]
    fn a_view_is_not_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let command = write(dir.path(), "c.json", "{}");
        process("event-counter", command).assert().failure().stderr(
            contains("is not a valid state change: it does not export evident:db/state-change")
                .and(contains("it exports evident:db/state-view@0.3.0")),
        );
    }
}

mod inspect_and_compile {
    use super::*;

    #[test]
    fn inspect_shows_world_exports_imports_sdk_and_verdict() {
        evident()
            .arg("inspect")
            .arg(component("event-counter"))
            .assert()
            .success()
            .stdout(
                contains("world:    state view")
                    .and(contains("exports:  evident:db/state-view@0.3.0"))
                    .and(contains("imports:  evident:db/logging@0.3.0"))
                    .and(contains(
                        "wit:      evident:db@0.3.0 (folds in frames, each event metered as one call)",
                    ))
                    .and(contains("sdk:      evident-guest-sdk 0.1.0"))
                    .and(contains("host:     valid state view for this host"))
                    .and(contains("aot:"))
                    .and(contains("cache:    compiled, ")),
            );
    }

    #[test]
    fn inspect_tells_which_release_of_the_wit_a_component_was_built_against() {
        evident()
            .arg("inspect")
            .arg(component("event-counter-wit-0-1"))
            .assert()
            .success()
            .stdout(
                contains("wit:      evident:db@0.1.0 (folds with one reduce call per event)")
                    .and(contains("sdk:      not built with an Evident SDK"))
                    .and(contains("host:     valid state view for this host")),
            );
    }

    #[test]
    fn inspect_checks_a_wasi_component_in_the_deny_all_mode_when_asked() {
        let Some(python) = evident_testkit::guests::or_skip(component_path("python-event-counter"))
        else {
            return;
        };
        evident()
            .arg("inspect")
            .arg(&python)
            .assert()
            .code(2)
            .stdout(contains("it needs WASI: check it with --wasi"));
        evident()
            .args(["inspect", "--wasi"])
            .arg(&python)
            .assert()
            .success()
            .stdout(
                contains("host:     valid state view for this host in the deny-all WASI mode")
                    .and(contains("sdk:      the python SDK 0.1.0")),
            );
    }

    #[test]
    fn inspect_names_what_the_host_refuses() {
        evident()
            .arg("inspect")
            .arg(component("hostile-unknown-import"))
            .assert()
            .code(2)
            .stdout(
                contains("REFUSED")
                    .and(contains("hostile:unknown-import/secrets"))
                    .and(contains("not built with an Evident SDK")),
            );
        evident()
            .args(["inspect", "Cargo.toml"])
            .assert()
            .code(2)
            .stdout(contains("not a WebAssembly file"));
    }

    #[test]
    fn compile_makes_an_artifact_that_folds_and_inspect_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let wasm = dir.path().join("counter.wasm");
        std::fs::copy(component("event-counter"), &wasm).unwrap();
        evident()
            .arg("compile")
            .arg(&wasm)
            .assert()
            .success()
            .stdout(contains("counter.cwasm"));
        let artifact = dir.path().join("counter.cwasm");
        evident()
            .arg("inspect")
            .arg(&wasm)
            .assert()
            .success()
            .stdout(contains(
                "counter.cwasm is up to date: it is what this host compiles from this component",
            ));
        // An artifact of another component, renamed beside it, is not vouched for; nor is a
        // file that is not an artifact at all. Neither is loaded to find out.
        let other = dir.path().join("other.wasm");
        std::fs::copy(component("tally"), &other).unwrap();
        evident().arg("compile").arg(&other).assert().success();
        std::fs::rename(dir.path().join("other.cwasm"), &artifact).unwrap();
        evident()
            .arg("inspect")
            .arg(&wasm)
            .assert()
            .success()
            .stdout(contains("counter.cwasm is stale or foreign"));
        std::fs::write(&artifact, b"\x7fELF and whatever a stranger put here").unwrap();
        evident()
            .arg("inspect")
            .arg(&wasm)
            .assert()
            .success()
            .stdout(contains("counter.cwasm is stale or foreign"));
        evident().arg("compile").arg(&wasm).assert().success();
        evident()
            .arg("fold")
            .arg(&artifact)
            .arg("--events")
            .arg(sample_events())
            .assert()
            .success()
            .stdout(contains("\"total\": 3000"));
        std::fs::write(&artifact, b"\x7fELF but not really").unwrap();
        evident()
            .arg("fold")
            .arg(&artifact)
            .arg("--events")
            .arg(sample_events())
            .assert()
            .failure()
            .stderr(contains("not a usable precompiled artifact"));
    }

    #[test]
    fn compile_refuses_what_the_host_would_refuse() {
        let dir = tempfile::tempdir().unwrap();
        evident()
            .arg("compile")
            .arg(component("hostile-unknown-import"))
            .arg("-o")
            .arg(dir.path().join("x.cwasm"))
            .assert()
            .failure()
            .stderr(contains("hostile:unknown-import/secrets"));
        assert!(!dir.path().join("x.cwasm").exists());
    }
}

mod decide {
    use super::*;

    /// `evident decide guests/bank-account --given examples/bank/history.jsonl --command ...`.
    fn decide(command: &str) -> Command {
        let mut decide = evident();
        decide
            .arg("decide")
            .arg(component("bank-account"))
            .args(["--given", "examples/bank/history.jsonl", "--command"])
            .arg(command);
        decide
    }

    #[test]
    fn prints_the_events_decided_on_the_history() {
        let out = decide("examples/bank/withdraw.json")
            .assert()
            .success()
            .stderr(contains("decided on 3 events (position 3)"))
            .stderr(contains("1 new events, next position 4"));
        let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let event: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(event["type"], "bank.account.withdrawn");
        assert_eq!(event["id"], "a1-4", "the id follows the history");
        assert_eq!(
            event["data"],
            serde_json::json!({"amount": 30, "balance": 120})
        );
    }

    #[test]
    fn an_overdraft_is_refused_with_its_code_and_exit_code_2() {
        decide("examples/bank/overdraw.json")
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains("refused: [insufficient-funds]"))
            .stderr(contains(r#"details: {"balance":150,"requested":1000}"#));
    }

    #[test]
    fn a_snapshot_stands_for_the_events_it_folds() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "none.jsonl", "");
        let snapshot = write(
            dir.path(),
            "account.json",
            r#"{"account_id":"a1","owner":"Ann","balance":150,"version":3}"#,
        );
        let out = evident()
            .arg("decide")
            .arg(component("bank-account"))
            .arg("--given")
            .arg(&empty)
            .arg("--snapshot")
            .arg(&snapshot)
            .args(["--snapshot-format", "cbor", "--snapshot-position", "3"])
            .args(["--command", "examples/bank/withdraw.json"])
            .assert()
            .success()
            .stderr(contains("decided on 0 events (position 3)"));
        let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(stdout.contains(r#""id":"a1-4""#), "{stdout}");
    }

    #[test]
    fn a_history_event_the_view_refuses_is_named_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let history = write(
            dir.path(),
            "history.jsonl",
            &format!(
                "{}\n{EVENT}\n",
                std::fs::read_to_string(workspace_root().join("examples/bank/history.jsonl"))
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
            ),
        );
        evident()
            .arg("decide")
            .arg(component("bank-account"))
            .arg("--given")
            .arg(&history)
            .args(["--command", "examples/bank/withdraw.json"])
            .assert()
            .failure()
            .stderr(contains("line 2"))
            .stderr(contains("not a bank account event"));
    }
}

mod scenarios {
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
}

mod build_and_new {
    use super::*;

    #[test]
    fn build_prints_the_component_and_its_size() {
        evident()
            .args(["build", "guests/event-counter"])
            .assert()
            .success()
            .stdout(contains("event_counter.component.wasm"))
            .stderr(contains("built event-counter (").and(contains("KiB")));
    }

    #[test]
    fn build_without_the_wasm_target_says_how_to_install_it() {
        let dir = tempfile::tempdir().unwrap();
        let fake_rustc = write(
            dir.path(),
            "rustc",
            &format!("#!/bin/sh\necho {}\n", dir.path().display()),
        );
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&fake_rustc)
            .status()
            .unwrap();
        evident()
            .args(["build", "guests/event-counter"])
            .env("RUSTC", &fake_rustc)
            .assert()
            .failure()
            .stderr(contains("rustup target add wasm32-unknown-unknown"));
    }

    #[test]
    fn build_of_a_directory_without_a_crate_says_so() {
        let dir = tempfile::tempdir().unwrap();
        evident()
            .arg("build")
            .arg(dir.path())
            .assert()
            .failure()
            .stderr(contains("no guest here"));
    }

    #[test]
    fn new_refuses_bad_names_existing_directories_and_a_missing_sdk() {
        let dir = tempfile::tempdir().unwrap();
        evident()
            .current_dir(dir.path())
            .args(["new", "view", "Bad Name"])
            .assert()
            .failure()
            .stderr(contains("is not a valid guest name"));
        std::fs::create_dir(dir.path().join("taken")).unwrap();
        evident()
            .current_dir(dir.path())
            .args(["new", "view", "taken"])
            .assert()
            .failure()
            .stderr(contains("already exists"));
        evident()
            .current_dir(dir.path())
            .args(["new", "view", "fine", "--sdk-path", "/nowhere"])
            .assert()
            .failure()
            .stderr(
                contains("cannot find the Evident SDK at /nowhere").and(contains("--sdk-path")),
            );
    }

    /// The repository's library crates as `cargo package` makes them, unpacked into `dir`
    /// (outside the repository): what a user who gets the crates from a registry builds.
    fn packaged_crates(dir: &Path) -> Vec<(String, PathBuf)> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let crates = [
            "evident-types",
            "evident-guest-sdk-macros",
            "evident-guest-sdk",
            "evident-host",
            "evident-build",
            "evident-testkit",
        ];
        let mut package = std::process::Command::new(&cargo);
        package.current_dir(workspace_root()).args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--locked",
        ]);
        for name in crates {
            package.args(["-p", name]);
        }
        let output = package.output().unwrap();
        assert!(
            output.status.success(),
            "cargo package failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let version = env!("CARGO_PKG_VERSION");
        crates
            .iter()
            .map(|name| {
                let file = workspace_root().join(format!("target/package/{name}-{version}.crate"));
                let status = std::process::Command::new("tar")
                    .arg("xzf")
                    .arg(&file)
                    .arg("-C")
                    .arg(dir)
                    .status()
                    .unwrap();
                assert!(status.success(), "cannot unpack {}", file.display());
                (name.to_string(), dir.join(format!("{name}-{version}")))
            })
            .collect()
    }

    /// A new user's first hour with the Rust SDK, as published: scaffold outside the
    /// repository against the packaged crates (by version, `[patch]`ed to their unpacked
    /// copies, no path into this repository), then `cargo test` as generated, for a view and a
    /// change. Both share this workspace's target directory, so what they have in common with
    /// it (Wasmtime above all) is built once.
    #[test]
    fn new_rust_guests_pass_their_tests_against_the_packaged_crates() {
        let dir = tempfile::tempdir().unwrap();
        let packages = dir.path().join("packages");
        std::fs::create_dir(&packages).unwrap();
        let patch: String = packaged_crates(&packages)
            .iter()
            .map(|(name, path)| format!("{name} = {{ path = {:?} }}\n", path.display()))
            .collect();
        for kind in ["view", "change"] {
            let name = format!("my-{kind}");
            evident()
                .current_dir(dir.path())
                .args(["new", kind, &name, "--registry-sdk"])
                .assert()
                .success()
                .stdout(contains(format!("created {name}/")));
            let crate_dir = dir.path().join(&name);
            for file in [
                "Cargo.toml",
                "src/lib.rs",
                "tests/component.rs",
                "README.md",
                ".gitignore",
            ] {
                assert!(crate_dir.join(file).is_file(), "{file} missing");
            }
            let manifest = crate_dir.join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            assert!(
                text.contains(&format!(
                    "evident-guest-sdk = \"{}\"",
                    env!("CARGO_PKG_VERSION")
                )),
                "the SDK is a dependency by version:\n{text}"
            );
            assert!(
                !text.contains(&*workspace_root().to_string_lossy()),
                "{text}"
            );
            std::fs::write(&manifest, format!("{text}\n[patch.crates-io]\n{patch}")).unwrap();
            // The versions the SDK was tested with.
            std::fs::copy(
                workspace_root().join("Cargo.lock"),
                crate_dir.join("Cargo.lock"),
            )
            .unwrap();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let output = std::process::Command::new(cargo)
                .arg("test")
                .current_dir(&crate_dir)
                .env("CARGO_TARGET_DIR", workspace_root().join("target"))
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "cargo test failed in the new crate:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(String::from_utf8_lossy(&output.stdout).contains("2 passed"));
        }
    }

    #[test]
    fn a_new_rust_guest_in_a_checkout_patches_the_sdk_to_it() {
        let dir = tempfile::tempdir().unwrap();
        evident()
            .current_dir(dir.path())
            .args(["new", "view", "local"])
            .assert()
            .success();
        let text = std::fs::read_to_string(dir.path().join("local/Cargo.toml")).unwrap();
        let sdk = workspace_root()
            .join("crates/evident-guest-sdk")
            .canonicalize()
            .unwrap();
        assert!(text.contains("[patch.crates-io]"), "{text}");
        assert!(text.contains(&*sdk.to_string_lossy()), "{text}");
        assert!(dir.path().join("local/Cargo.lock").is_file());
    }

    /// `evident new --lang <language>`, `evident build`, `evident test` and `evident fold`, in an
    /// empty directory outside the repository, for every language but Rust.
    #[test]
    fn new_guests_in_every_language_build_fold_and_pass_their_scenarios() {
        for language in ["python", "js", "go", "c", "cpp", "assemblyscript"] {
            for kind in ["view", "change"] {
                let dir = tempfile::tempdir().unwrap();
                let name = format!("demo-{kind}");
                evident()
                    .current_dir(dir.path())
                    .args(["new", kind, &name, "--lang", language])
                    .assert()
                    .success();
                let guest = dir.path().join(&name);
                assert!(guest.join("guest.json").is_file(), "{language} {kind}");
                let build = evident().current_dir(&guest).arg("build").output().unwrap();
                if !build.status.success() {
                    let stderr = String::from_utf8_lossy(&build.stderr);
                    if stderr.contains("cannot install") && std::env::var_os("CI").is_none() {
                        use std::io::Write as _;
                        let line = format!("\n*** SKIPPED {language}: {stderr} ***\n");
                        let _ = std::io::stderr().lock().write_all(line.as_bytes());
                        break;
                    }
                    panic!("{language} {kind}: evident build failed:\n{stderr}");
                }
                evident()
                    .current_dir(&guest)
                    .args(["test", ".", "scenarios.yaml"])
                    .assert()
                    .success()
                    .stdout(contains(" passed, 0 failed"));
                if kind == "view" {
                    evident()
                        .current_dir(&guest)
                        .args(["fold", ".", "--events", "events.jsonl"])
                        .assert()
                        .success()
                        .stderr(contains("folded 4 events"));
                }
            }
        }
    }
}

mod profile {
    use super::*;

    /// `evident profile` writes a flamegraph, a Firefox Profiler profile and folded stacks
    /// that name the guest's own functions.
    #[test]
    fn writes_a_flamegraph_that_names_reduce() {
        let dir = tempfile::tempdir().unwrap();
        // Enough events for the samples to land in the guest's code.
        let events: String = (0..200_000)
            .map(|i| format!("{{\"specversion\":\"1.0\",\"id\":\"{i}\",\"source\":\"/p\",\"type\":\"t{}\"}}\n", i % 7))
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
        assert!(svg.contains("<svg") && svg.contains("reduce"));
        let firefox: serde_json::Value =
            serde_json::from_slice(&std::fs::read(output.with_extension("json")).unwrap()).unwrap();
        assert!(firefox["threads"].is_array(), "a Firefox Profiler profile");
    }
}

mod help {
    use super::*;

    #[test]
    fn every_command_has_help_with_an_example() {
        for command in [
            "new",
            "build",
            "inspect",
            "fold",
            "process",
            "decide",
            "profile",
            "compile",
            "test",
            "completions",
        ] {
            evident()
                .args([command, "--help"])
                .assert()
                .success()
                .stdout(contains("Example"));
        }
    }

    #[test]
    fn completions_are_generated() {
        evident()
            .args(["completions", "bash"])
            .assert()
            .success()
            .stdout(contains("evident"));
    }
}
