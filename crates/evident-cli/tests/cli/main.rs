//! The `evident` binary as a user runs it: every command, and the errors that say what to do.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use evident_testkit::guests::{component_path, workspace_root};
use predicates::prelude::*;
use predicates::str::contains;

mod build_and_new;
mod compose;
mod courses;
mod decide;
mod diff;
mod fold;
mod help;
mod inspect_and_compile;
mod oci;
mod pipeline;
mod process;
mod profile;
mod race;
mod scenarios;
mod store;
mod views_manifest;

fn evident() -> Command {
    let mut command = Command::cargo_bin("evident").unwrap();
    command
        .current_dir(workspace_root())
        .env_remove("RUST_LOG")
        // The testkit's AOT cache: a component the tests compiled (the large Python and
        // JavaScript ones above all) is not compiled again.
        .env(
            "EVIDENT_AOT_CACHE",
            evident_testkit::guests::target_dir().join("aot-cache"),
        );
    command
}

/// `evident()` for a command given one of the repository's guest directories: it builds where
/// the testkit built that guest, so it is not built twice.
fn evident_on_guest_dirs() -> Command {
    let mut command = evident();
    command.env(
        "EVIDENT_BUILD_DIR",
        evident_testkit::guests::target_dir().join("guests"),
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

/// `evident inspect <component>`, to add options to.
fn inspect(component: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = evident();
    command.arg("inspect").arg(component);
    command
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
