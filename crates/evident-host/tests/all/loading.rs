//! What the host accepts as a component, and what it refuses at load time.

use evident_host::Error;
use evident_testkit::guests::{component_bytes, runtime};

#[test]
fn a_component_importing_anything_but_logging_is_refused_by_name() {
    let bytes = component_bytes("hostile-unknown-import").unwrap();
    let err = runtime().load_view("hostile", &bytes).unwrap_err();
    match &err {
        Error::ForbiddenImport { component, import } => {
            assert_eq!(&**component, "hostile");
            assert_eq!(import, "hostile:unknown-import/secrets");
        }
        other => panic!("expected ForbiddenImport, got {other:?}"),
    }
    assert!(
        err.to_string().contains("hostile:unknown-import/secrets"),
        "{err}"
    );
}

#[test]
fn a_state_change_is_not_a_state_view_and_vice_versa() {
    let change = component_bytes("tally").unwrap();
    let err = runtime().load_view("tally", &change).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidComponent { expected: "state view", reason, .. }
            if reason.contains("evident:db/state-view") && reason.contains("evident:db/state-change")),
        "{err}"
    );
    let view = component_bytes("event-counter").unwrap();
    let err = runtime().load_change("counter", &view).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidComponent {
                expected: "state change",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn bytes_that_are_not_a_component_are_refused() {
    for (what, bytes) in [
        ("garbage", b"definitely not wasm".to_vec()),
        ("empty", Vec::new()),
        ("a core module", wat::parse_str("(module)").unwrap()),
        ("a truncated component", {
            let bytes = component_bytes("event-counter").unwrap();
            bytes[..bytes.len() / 2].to_vec()
        }),
    ] {
        let err = runtime().load_view(what, &bytes).unwrap_err();
        assert!(
            matches!(err, Error::InvalidComponent { .. }),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_component_exporting_nothing_is_refused() {
    let empty = wat::parse_str("(component)").unwrap();
    let err = runtime().load_view("empty", &empty).unwrap_err();
    assert!(err.to_string().contains("it exports nothing"), "{err}");
}

#[test]
fn a_missing_file_names_the_path() {
    let err = runtime()
        .load_view_file("/no/such/component.wasm")
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("/no/such/component.wasm"), "{err}");
}

#[test]
fn a_wasi_component_is_refused_at_load_naming_a_wasi_import() {
    let path = evident_testkit::guests::component_path_for(
        "hostile-wasi",
        evident_build::GuestTarget::Wasip2,
    )
    .unwrap();
    let err = runtime().load_view_file(&path).unwrap_err();
    match &err {
        Error::ForbiddenImport { import, .. } => assert!(import.starts_with("wasi:"), "{err}"),
        other => panic!("expected ForbiddenImport, got {other}"),
    }
}

#[test]
#[allow(unsafe_code)] // loading precompiled artifacts is unsafe by contract; these are our own
fn a_precompiled_artifact_loads_and_a_foreign_one_is_refused() {
    let dir = std::env::temp_dir().join(format!("evident-aot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = component_bytes("event-counter").unwrap();
    let artifact = dir.join("event_counter.cwasm");
    std::fs::write(
        &artifact,
        runtime().precompile("event-counter", &bytes).unwrap(),
    )
    .unwrap();

    // SAFETY: written just above by this runtime.
    let view = unsafe { runtime().load_view_precompiled(&artifact) }.unwrap();
    assert_eq!(view.name(), "event_counter");
    let event = evident_types::Event::new("1", "/t", "a");
    let state = view
        .reduce(&Default::default(), &event, &Default::default())
        .unwrap();
    assert_eq!(&state.bytes[..], br#"{"by_type":{"a":1},"total":1}"#);

    // A component is not an artifact, and an artifact of a differently configured engine is
    // refused rather than trusted.
    let component = dir.join("event_counter.wasm");
    std::fs::write(&component, &bytes).unwrap();
    // SAFETY: not an artifact at all; Wasmtime refuses it before running anything.
    let err = unsafe { runtime().load_view_precompiled(&component) }.unwrap_err();
    assert!(
        err.to_string()
            .contains("not a usable precompiled artifact"),
        "{err}"
    );
    let mut no_fuel = wasmtime::Config::new();
    no_fuel.wasm_component_model(true);
    let foreign = wasmtime::Engine::new(&no_fuel)
        .unwrap()
        .precompile_component(&bytes)
        .unwrap();
    let foreign_artifact = dir.join("foreign.cwasm");
    std::fs::write(&foreign_artifact, foreign).unwrap();
    // SAFETY: made just above, by an engine without fuel; Wasmtime checks the settings.
    let err = unsafe { runtime().load_view_precompiled(&foreign_artifact) }.unwrap_err();
    assert!(matches!(err, Error::InvalidComponent { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
