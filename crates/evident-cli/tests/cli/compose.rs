//! `evident compose`: a view that imports the standard library, plugged with it into one
//! component the host loads; and the refusals, for the view alone and for a provider that
//! plugs nothing.

use super::*;

fn money_events() -> PathBuf {
    workspace_root().join("guests/money-view/events.jsonl")
}

fn expected_totals() -> serde_json::Value {
    let path = workspace_root().join("guests/money-view/events.expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `evident compose guests/money-view --with guests/stdlib -o <dir>/money.wasm`, as the README
/// runs it (guest directories, each built first); the composed file.
fn compose_money_view(dir: &Path) -> PathBuf {
    let composed = dir.join("money.wasm");
    evident_on_guest_dirs()
        .args([
            "compose",
            "guests/money-view",
            "--with",
            "guests/stdlib",
            "-o",
        ])
        .arg(&composed)
        .assert()
        .success()
        .stdout(contains("money.wasm"))
        .stderr(
            contains("plugged evident:stdlib/dates@0.1.0, evident:stdlib/money@0.1.0 from ")
                .and(contains("stdlib.component.wasm"))
                .and(contains("this host loads it as a state view")),
        );
    composed
}

#[test]
fn composed_with_the_stdlib_the_money_view_imports_only_what_the_host_provides() {
    let dir = tempfile::tempdir().unwrap();
    let composed = compose_money_view(dir.path());
    inspect(&composed).assert().success().stdout(
        contains("world:    state view")
            .and(contains("imports:  evident:db/"))
            .and(contains("host:     valid state view for this host"))
            .and(contains("sdk:      evident-guest-sdk "))
            .and(contains("evident:stdlib").not()),
    );
}

#[test]
fn the_composed_money_view_folds_its_sample_events_to_the_expected_totals() {
    let dir = tempfile::tempdir().unwrap();
    let composed = compose_money_view(dir.path());
    // One memory per component joined: the default of one refuses it, saying the limit.
    evident()
        .arg("fold")
        .arg(&composed)
        .arg("--events")
        .arg(money_events())
        .assert()
        .failure()
        .stderr(contains("memory count"));
    let folded = evident()
        .arg("fold")
        .arg(&composed)
        .args(["--limit-memories", "2", "--events"])
        .arg(money_events())
        .assert()
        .success();
    let state: serde_json::Value = serde_json::from_slice(&folded.get_output().stdout).unwrap();
    assert_eq!(state, expected_totals());
}

#[test]
fn the_uncomposed_money_view_is_refused_naming_its_stdlib_import() {
    let view = component("money-view");
    evident()
        .arg("fold")
        .arg(&view)
        .arg("--events")
        .arg(money_events())
        .assert()
        .failure()
        .stderr(contains(
            "imports `evident:stdlib/money@0.1.0`, which the sandbox does not provide",
        ));
    inspect(&view).assert().code(2).stdout(
        contains("imports:  ")
            .and(contains("evident:stdlib/dates@0.1.0"))
            .and(contains(
                "host:     REFUSED: `money_view` imports `evident:stdlib/money@0.1.0`",
            )),
    );
}

#[test]
fn a_provider_that_plugs_nothing_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let composed = dir.path().join("money.wasm");
    // One provider of two plugs nothing.
    evident()
        .arg("compose")
        .arg(component("money-view"))
        .arg("--with")
        .arg(component("stdlib"))
        .arg("--with")
        .arg(component("event-counter"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .code(1)
        .stderr(
            contains(
                "event_counter.component.wasm plugs nothing: it exports evident:db/state-view@",
            )
            .and(contains("none of which matches an import of"))
            .and(contains("evident:stdlib/money@0.1.0")),
        );
    assert!(!composed.exists());
    // The only provider plugs nothing.
    evident()
        .arg("compose")
        .arg(component("money-view"))
        .arg("--with")
        .arg(component("event-counter"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .code(1)
        .stderr(contains(
            "nothing to plug: none of the providers exports an import of",
        ));
    assert!(!composed.exists());
}
