//! `evident inspect` and `evident compile`: what a component is, and whether an artifact is
//! what this host compiles from it (checked without loading it).

use super::*;

#[test]
fn inspect_shows_world_exports_imports_sdk_and_verdict() {
    inspect(component("event-counter"))
        .assert()
        .success()
        .stdout(
            contains("world:    state view")
                .and(contains("exports:  evident:db/state-view@0.5.0"))
                .and(contains("imports:  evident:db/logging@0.5.0"))
                .and(contains(
                    "wit:      evident:db@0.5.0 (folds in frames metered as one call each, reporting each event)",
                ))
                .and(contains("sdk:      evident-guest-sdk 0.1.0"))
                .and(contains("host:     valid state view for this host"))
                .and(contains("aot:"))
                .and(contains("cache:    compiled, ")),
        );
}

#[test]
fn inspect_knows_a_database_decider_and_compile_refuses_one() {
    inspect(component("course-subscriptions"))
        .assert()
        .success()
        .stdout(
            contains("world:    database decider: reads the database")
                .and(contains("exports:  evident:db/decider@0.5.0"))
                .and(contains("evident:db/database@0.5.0"))
                .and(contains("wit:      evident:db@0.5.0"))
                .and(contains("host:     valid database decider for this host")),
        );
    let dir = tempfile::tempdir().unwrap();
    evident()
        .arg("compile")
        .arg(component("course-subscriptions"))
        .arg("-o")
        .arg(dir.path().join("decider.cwasm"))
        .assert()
        .code(1)
        .stderr(contains(
            "a database decider is loaded from its component .wasm only",
        ));
    assert!(!dir.path().join("decider.cwasm").exists());
}

#[test]
fn inspect_tells_which_release_of_the_wit_a_component_was_built_against() {
    inspect(component("event-counter-wit-0-1"))
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
    inspect(&python)
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
    inspect(component("hostile-unknown-import"))
        .assert()
        .code(2)
        .stdout(
            contains("REFUSED")
                .and(contains("hostile:unknown-import/secrets"))
                .and(contains("not built with an Evident SDK"))
                .and(contains("--wasi").not()),
        );
    // A refused WASI import gets the hint (a Rust component for wasm32-wasip2).
    evident()
        .arg("inspect")
        .arg(
            evident_testkit::guests::component_path_for(
                "hostile-wasi",
                evident_build::GuestTarget::Wasip2,
            )
            .unwrap_or_else(|e| panic!("{e}")),
        )
        .assert()
        .code(2)
        .stdout(contains("REFUSED").and(contains("it needs WASI: check it with --wasi")));
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
    inspect(&wasm).assert().success().stdout(contains(
        "counter.cwasm is up to date: it is what this host compiles from this component",
    ));
    // An artifact of another component, renamed beside it, is not vouched for; nor is a
    // file that is not an artifact at all. Neither is loaded to find out.
    let other = dir.path().join("other.wasm");
    std::fs::copy(component("tally"), &other).unwrap();
    evident().arg("compile").arg(&other).assert().success();
    std::fs::rename(dir.path().join("other.cwasm"), &artifact).unwrap();
    inspect(&wasm)
        .assert()
        .success()
        .stdout(contains("counter.cwasm is stale or foreign"));
    std::fs::write(&artifact, b"\x7fELF and whatever a stranger put here").unwrap();
    inspect(&wasm)
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
