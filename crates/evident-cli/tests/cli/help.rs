//! `--help` and shell completions.

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
        "store",
        "view",
        "diff",
        "validate",
        "transform",
        "compose",
        "push",
        "pull",
        "search",
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
fn view_subcommands_have_help_with_an_example() {
    for command in ["rebuild", "show"] {
        evident()
            .args(["view", command, "--help"])
            .assert()
            .success()
            .stdout(contains("--store").and(contains("--views")));
    }
    evident()
        .args(["view", "rebuild", "--help"])
        .assert()
        .stdout(contains("Example"));
}

#[test]
fn completions_are_generated() {
    evident()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(contains("evident"));
}
