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

#[test]
fn the_aot_cache_is_filled_then_reused_and_a_corrupt_entry_is_rebuilt() {
    let dir = std::env::temp_dir().join(format!("evident-aot-cache-{}", std::process::id()));
    let config = || evident_host::RuntimeConfig {
        aot_cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let bytes = component_bytes("event-counter").unwrap();
    let event = evident_types::Event::new("1", "/t", "a");
    let expected = br#"{"by_type":{"a":1},"total":1}"#;

    let first = evident_host::Runtime::new(config()).unwrap();
    let entry = first.aot_cache_path(&bytes).unwrap();
    assert!(!entry.exists());
    first.load_view("counter", &bytes).unwrap();
    assert!(entry.is_file(), "the first load fills the cache");
    let written = std::fs::metadata(&entry).unwrap().modified().unwrap();

    // A restart loads the entry instead of compiling (and does not rewrite it).
    let second = evident_host::Runtime::new(config()).unwrap();
    let view = second.load_view("counter", &bytes).unwrap();
    let state = view
        .reduce(&Default::default(), &event, &Default::default())
        .unwrap();
    assert_eq!(&state.bytes[..], expected);
    assert_eq!(
        std::fs::metadata(&entry).unwrap().modified().unwrap(),
        written
    );

    // A corrupt entry is never trusted: it is rebuilt and the load still succeeds.
    std::fs::write(&entry, b"\x7fELF, but not an artifact").unwrap();
    let third = evident_host::Runtime::new(config()).unwrap();
    let view = third.load_view("counter", &bytes).unwrap();
    let state = view
        .reduce(&Default::default(), &event, &Default::default())
        .unwrap();
    assert_eq!(&state.bytes[..], expected);
    assert_ne!(
        std::fs::read(&entry).unwrap(),
        b"\x7fELF, but not an artifact"
    );

    // Other bytes, another entry; no cache configured, no entry.
    let other = component_bytes("bank-account").unwrap();
    assert_ne!(third.aot_cache_path(&other), Some(entry));
    let uncached = evident_host::Runtime::new(evident_host::RuntimeConfig::default()).unwrap();
    assert_eq!(uncached.aot_cache_path(&bytes), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An AOT cache entry is native code the host runs as it finds it: one that anyone but this
/// user could have written is not used (the planted artifact below, another view's, would
/// otherwise run as the counter), and what the host writes is its owner's alone.
#[cfg(unix)]
#[test]
fn the_aot_cache_uses_only_entries_no_one_else_can_write() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let dir = std::env::temp_dir().join(format!("evident-aot-trust-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = || {
        evident_host::Runtime::new(evident_host::RuntimeConfig {
            aot_cache_dir: Some(dir.clone()),
            ..Default::default()
        })
        .unwrap()
    };
    let counter = component_bytes("event-counter").unwrap();
    let first = runtime();
    let entry = first.aot_cache_path(&counter).unwrap();
    first.load_view("counter", &counter).unwrap();
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().mode() & 0o777;
    assert_eq!(
        mode(&dir),
        0o700,
        "the cache directory is its owner's alone"
    );
    assert_eq!(mode(&entry), 0o600, "an entry is its owner's alone");

    // Plant another view's artifact under the counter's entry.
    let planted = first
        .precompile("float-mixer", &component_bytes("float-mixer").unwrap())
        .unwrap();
    std::fs::write(&entry, &planted).unwrap();
    let counts = |runtime: &evident_host::Runtime| {
        let view = runtime.load_view("counter", &counter).unwrap();
        let event = evident_types::Event::new("1", "/t", "a");
        let state = view.reduce(&Default::default(), &event, &Default::default());
        state.is_ok_and(|state| &state.bytes[..] == br#"{"by_type":{"a":1},"total":1}"#)
    };
    let set_mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };

    set_mode(&entry, 0o666);
    assert!(counts(&runtime()), "an entry others can write is not used");
    std::fs::write(&entry, &planted).unwrap();
    set_mode(&entry, 0o600);
    set_mode(&dir, 0o777);
    assert!(
        counts(&runtime()),
        "an entry in a directory others can write is not used"
    );
    set_mode(&dir, 0o700);
    if running_as_root() {
        std::os::unix::fs::chown(&entry, Some(65_534), None).unwrap();
        assert!(counts(&runtime()), "another user's entry is not used");
        std::fs::remove_file(&entry).unwrap();
        std::fs::write(&entry, &planted).unwrap();
        set_mode(&entry, 0o600);
    }
    // The check is what stood in the way: the same planted entry, trusted, is used.
    assert!(!counts(&runtime()), "a trusted entry is loaded as it is");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether the tests run as root (as in CI), which may give a file to another user.
#[cfg(unix)]
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}
