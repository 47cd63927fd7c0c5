//! A test whose toolchain cannot be installed fails under `CI` and otherwise skips with a line
//! that reaches the terminal: run in a child process, as `cargo test` would run it.

use std::process::Command;

use evident_build::BuildError;
use evident_testkit::guests::{GuestLoadError, or_skip};

/// What a test that needs a missing toolchain does. Run by the tests below in a child process.
#[test]
#[ignore = "a probe the tests below run in a child process"]
fn a_test_whose_tool_is_missing() {
    // Only as the child of the tests below (not under `--include-ignored`).
    if std::env::var_os(PROBE).is_none() {
        return;
    }
    let missing: Result<(), _> = Err(GuestLoadError::Build {
        name: "python-event-counter".into(),
        source: BuildError::ToolInstall {
            tool: "componentize-py",
            version: "0.0.0",
            reason: "no network here".into(),
        },
    });
    if or_skip(missing).is_none() {
        return;
    }
    unreachable!("the tool is missing");
}

/// Set for the child process that runs the probe.
const PROBE: &str = "EVIDENT_SKIP_PROBE";

fn probe(ci: bool) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--ignored", "--exact", "a_test_whose_tool_is_missing"])
        .env(PROBE, "1")
        // With the harness's capture on, as `cargo test` runs a test by default.
        .env_remove("RUST_TEST_NOCAPTURE");
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI");
    }
    command.output().unwrap()
}

#[test]
fn under_ci_a_missing_tool_fails_the_test() {
    let output = probe(true);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{printed}");
    assert!(
        printed.contains("cannot install componentize-py"),
        "{printed}"
    );
}

#[test]
fn elsewhere_a_missing_tool_skips_the_test_and_says_so_past_the_capture() {
    let output = probe(false);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // libtest captures what a passing test prints with `eprintln!`; this line is on stderr.
    assert!(stderr.contains("*** SKIPPED"), "{stderr}");
    assert!(
        stderr.contains("cannot install componentize-py"),
        "{stderr}"
    );
}
