//! What the host accepts as a component, and what it refuses at load time.

use evident_host::Error;
use evident_testkit::guests::{component_bytes, runtime};

#[test]
fn a_component_importing_anything_but_logging_is_refused_by_name() {
    let bytes = component_bytes("hostile-unknown-import").unwrap();
    let err = runtime().load("hostile", &bytes).view().unwrap_err();
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
    let err = runtime().load("tally", &change).view().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidComponent { expected: "state view", reason, .. }
            if reason.contains("evident:db/state-view") && reason.contains("evident:db/state-change")),
        "{err}"
    );
    let view = component_bytes("event-counter").unwrap();
    let err = runtime().load("counter", &view).change().unwrap_err();
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
        let err = runtime().load(what, &bytes).view().unwrap_err();
        assert!(
            matches!(err, Error::InvalidComponent { .. }),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_component_exporting_nothing_is_refused() {
    let empty = wat::parse_str("(component)").unwrap();
    let err = runtime().load("empty", &empty).view().unwrap_err();
    assert!(err.to_string().contains("it exports nothing"), "{err}");
}

#[test]
fn a_missing_file_names_the_path() {
    let err = runtime()
        .load_file("/no/such/component.wasm")
        .view()
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
    let err = runtime().load_file(&path).view().unwrap_err();
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
    let view = unsafe { runtime().load_precompiled(&artifact).view() }.unwrap();
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
    let err = unsafe { runtime().load_precompiled(&component).view() }.unwrap_err();
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
    let err = unsafe { runtime().load_precompiled(&foreign_artifact).view() }.unwrap_err();
    assert!(matches!(err, Error::InvalidComponent { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every kind, from bytes, from a file and from a precompiled artifact: one loader, so each
/// source works for each kind, and a file's error names the file.
#[test]
fn every_kind_loads_from_bytes_a_file_and_a_precompiled_artifact() {
    use evident_host::{ComponentKind, Loaded};
    let dir = std::env::temp_dir().join(format!("evident-loading-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for kind in ComponentKind::ALL {
        let guest = match kind {
            ComponentKind::View => "event-counter",
            ComponentKind::Change => "tally",
            ComponentKind::Decider => "bank-account",
            ComponentKind::DatabaseDecider => "course-subscriptions",
            ComponentKind::Validator => "payment-validator",
            ComponentKind::Transform => "payment-upcaster",
        };
        let bytes = component_bytes(guest).unwrap();
        let file = dir.join(format!("{guest}.component.wasm"));
        std::fs::write(&file, &bytes).unwrap();
        let artifact = dir.join(format!("{guest}.cwasm"));
        std::fs::write(&artifact, runtime().precompile(guest, &bytes).unwrap()).unwrap();

        let from_bytes = runtime().load(guest, &bytes).as_kind(kind).unwrap();
        let from_file = runtime().load_file(&file).as_kind(kind).unwrap();
        // SAFETY: this test wrote the artifact just now, with this runtime's settings, in a
        // directory of its own.
        #[allow(unsafe_code)]
        let from_artifact = unsafe { runtime().load_precompiled(&artifact) }
            .as_kind(kind)
            .unwrap();
        for loaded in [&from_bytes, &from_file, &from_artifact] {
            assert_eq!(loaded.kind(), kind, "{guest}");
            assert_eq!(loaded.wit_version(), "0.5.0", "{guest}");
        }
        if let Loaded::View(view) = from_file {
            assert_eq!(view.name(), guest, "named after its file");
        }
    }
    let missing = dir.join("missing.component.wasm");
    let err = runtime().load_file(&missing).view().unwrap_err();
    assert!(
        matches!(&err, Error::Io { path, .. } if *path == missing),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
