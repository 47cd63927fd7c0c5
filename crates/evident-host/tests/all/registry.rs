//! The registry: components by name and version, deduplicated by content, swapped atomically
//! under load, reloaded from rebuilt files (never replaced by a broken one), and counted.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use evident_host::{
    ComponentKind, ErrorKind, Registry, RegistryError, Reloaded, Runtime, RuntimeConfig, Sandbox,
};
use evident_testkit::guests::{self, component_bytes};
use evident_types::{Event, Parameters, State};

fn registry() -> Registry {
    Registry::new(Runtime::new(RuntimeConfig::default()).unwrap())
}

fn events(count: usize) -> Vec<Event> {
    (0..count)
        .map(|i| {
            Event::new(format!("{i}"), "/r", ["x", "y"][i % 2])
                .with_json_data(&serde_json::json!({ "value": i as f64 / 3.0 }))
                .unwrap()
        })
        .collect()
}

/// A directory of its own under the system's temporary directory.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evident-registry-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_same_bytes_are_one_component_and_versions_are_immutable() {
    let registry = registry();
    let counter = component_bytes("event-counter").unwrap();
    let a = registry
        .register("a", "1.0.0", &counter, ComponentKind::View, Sandbox::Strict)
        .unwrap();
    let b = registry
        .register("b", "1.0.0", &counter, ComponentKind::View, Sandbox::Strict)
        .unwrap();
    assert_eq!(a.hash, b.hash);
    assert!(
        a.active && b.active,
        "the first version of a name is active"
    );
    assert_eq!((a.kind, a.wit_version), (ComponentKind::View, "0.5.0"));

    // The same bytes again: accepted, nothing changes. Other bytes: refused.
    assert_eq!(
        registry
            .register("a", "1.0.0", &counter, ComponentKind::View, Sandbox::Strict)
            .unwrap(),
        a
    );
    let other = component_bytes("float-mixer").unwrap();
    let taken = registry
        .register("a", "1.0.0", &other, ComponentKind::View, Sandbox::Strict)
        .unwrap_err();
    assert!(
        matches!(taken, RegistryError::VersionTaken { .. }),
        "{taken}"
    );
    assert_eq!(registry.list().len(), 2);

    let invalid = registry
        .register("a", "one", &counter, ComponentKind::View, Sandbox::Strict)
        .unwrap_err();
    assert!(
        matches!(invalid, RegistryError::InvalidVersion { .. }),
        "{invalid}"
    );
    let broken = registry
        .register(
            "c",
            "1.0.0",
            b"not wasm",
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap_err();
    assert!(matches!(broken, RegistryError::Load { .. }), "{broken}");
    assert_eq!(
        registry.list().len(),
        2,
        "a refused registration adds nothing"
    );
}

#[test]
fn lookups_get_the_active_version_by_name_and_any_version_by_number() {
    let registry = registry();
    registry
        .register(
            "counter",
            "0.9.0",
            &component_bytes("event-counter-wit-0-1").unwrap(),
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    registry
        .register(
            "counter",
            "1.0.0",
            &component_bytes("event-counter").unwrap(),
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    registry
        .register(
            "bank",
            "1.0.0",
            &component_bytes("bank-account").unwrap(),
            ComponentKind::Change,
            Sandbox::Strict,
        )
        .unwrap();

    assert_eq!(
        registry.view("counter").unwrap().version.to_string(),
        "0.9.0"
    );
    registry.activate("counter", "1.0.0").unwrap();
    let active = registry.view("counter").unwrap();
    assert_eq!(active.version.to_string(), "1.0.0");
    assert_eq!(active.wit_version(), "0.5.0");
    let old = registry.view_version("counter", "0.9.0").unwrap();
    assert_eq!(
        old.wit_version(),
        "0.1.0",
        "built against 0.1.0, served beside 0.3.0"
    );
    let parameters = Parameters::new();
    let events = events(20);
    assert_eq!(
        old.fold(State::default(), &events, &parameters)
            .unwrap()
            .state,
        active
            .fold(State::default(), &events, &parameters)
            .unwrap()
            .state
    );
    assert!(registry.change("bank").is_ok());

    let refusals = [
        registry.change("counter").unwrap_err(),
        registry.view("bank").unwrap_err(),
        registry.view("nobody").unwrap_err(),
        registry.view_version("counter", "3.0.0").unwrap_err(),
        registry.activate("counter", "3.0.0").unwrap_err(),
        registry.remove("counter", "1.0.0").unwrap_err(),
    ];
    let messages: Vec<String> = refusals.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "`counter` 1.0.0 is a state view, not a state change",
            "`bank` 1.0.0 is a state change, not a state view",
            "no component is registered as `nobody`",
            "`counter` has no version 3.0.0",
            "`counter` has no version 3.0.0",
            "`counter` 1.0.0 is the active version; activate another before removing it",
        ]
    );
    registry.remove("counter", "0.9.0").unwrap();
    assert_eq!(registry.list().len(), 2);
}

#[test]
fn swapping_versions_under_load_fails_no_call_and_each_result_is_one_versions() {
    let registry = Arc::new(registry());
    registry
        .register(
            "v",
            "1.0.0",
            &component_bytes("event-counter").unwrap(),
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    registry
        .register(
            "v",
            "2.0.0",
            &component_bytes("float-mixer").unwrap(),
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    let events = events(40);
    let parameters = Parameters::new();
    let expected: HashMap<String, State> = ["1.0.0", "2.0.0"]
        .into_iter()
        .map(|version| {
            let view = registry.view_version("v", version).unwrap();
            let state = view
                .fold(State::default(), &events, &parameters)
                .unwrap()
                .state;
            (version.to_owned(), state)
        })
        .collect();
    assert_ne!(expected["1.0.0"], expected["2.0.0"]);

    let done = AtomicBool::new(false);
    let served: [AtomicUsize; 2] = Default::default();
    let swaps = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut next = ["2.0.0", "1.0.0"].into_iter().cycle();
            while !done.load(Ordering::Relaxed) {
                registry.activate("v", next.next().unwrap()).unwrap();
                swaps.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(200));
            }
        });
        let callers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    for _ in 0..150 {
                        let view = registry.view("v").unwrap();
                        let folded = view.fold(State::default(), &events, &parameters).unwrap();
                        let version = view.version.to_string();
                        assert_eq!(folded.state, expected[&version], "a result from {version}");
                        served[usize::from(version == "2.0.0")].fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for caller in callers {
            caller.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
    });
    let served = served.map(|count| count.into_inner());
    assert_eq!(served[0] + served[1], 450);
    assert!(
        served[0] > 0 && served[1] > 0,
        "both versions served: {served:?}"
    );
    assert!(swaps.into_inner() > 10);
}

#[test]
fn a_rebuilt_file_is_reloaded_and_a_broken_one_never_replaces_the_working_one() {
    let dir = scratch_dir("reload");
    let path = dir.join("counter.wasm");
    std::fs::write(&path, component_bytes("event-counter").unwrap()).unwrap();
    let registry = registry();
    let registered = registry
        .register_file(
            "counter",
            "1.0.0",
            &path,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    assert_eq!(registered.source.as_deref(), Some(path.as_path()));
    assert_eq!(registry.reload("counter").unwrap(), Reloaded::Unchanged);

    std::fs::write(&path, b"\0asm half a component").unwrap();
    let refused = registry.reload("counter").unwrap_err();
    assert!(matches!(refused, RegistryError::Load { .. }), "{refused}");
    let serving = registry.view("counter").unwrap();
    assert_eq!(
        serving.hash, registered.hash,
        "the working build keeps serving"
    );
    serving.initialize(&Parameters::new()).unwrap();
    let info = &registry.list()[0];
    assert!(
        info.last_reload_error
            .as_deref()
            .unwrap_or_default()
            .contains("counter")
    );

    std::fs::write(&path, component_bytes("float-mixer").unwrap()).unwrap();
    let Reloaded::Replaced { previous, current } = registry.reload("counter").unwrap() else {
        panic!("expected the new build to replace the old");
    };
    assert_eq!(previous, registered.hash);
    let serving = registry.view("counter").unwrap();
    assert_eq!(
        (serving.hash, serving.version.to_string()),
        (current, "1.0.0".into())
    );
    assert!(registry.list()[0].last_reload_error.is_none());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_watcher_picks_up_a_rebuilt_component() {
    let dir = scratch_dir("watch");
    let path = dir.join("counter.wasm");
    std::fs::write(&path, component_bytes("event-counter").unwrap()).unwrap();
    let registry = Arc::new(registry());
    let before = registry
        .register_file(
            "counter",
            "1.0.0",
            &path,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap()
        .hash;
    let _watcher = registry.watch(Duration::from_millis(10)).unwrap();

    std::fs::write(&path, b"broken").unwrap();
    let waited = Instant::now();
    while registry.list()[0].last_reload_error.is_none() {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "the watcher never tried"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(registry.view("counter").unwrap().hash, before);

    std::fs::write(&path, component_bytes("float-mixer").unwrap()).unwrap();
    while registry.view("counter").unwrap().hash == before {
        assert!(
            // Generous: recompiling on a loaded 2-core machine can take many seconds.
            waited.elapsed() < Duration::from_secs(90),
            "the watcher never reloaded"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn metrics_count_calls_events_errors_fuel_memory_and_latency() {
    let registry = registry();
    registry
        .register(
            "counter",
            "1.0.0",
            &component_bytes("event-counter").unwrap(),
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    registry
        .register(
            "panic",
            "1.0.0",
            &component_bytes("hostile-panic").unwrap(),
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    let counter = registry.view("counter").unwrap();
    let parameters = Parameters::new();
    let state = counter.initialize(&parameters).unwrap();
    counter
        .fold(state.clone(), events(10), &parameters)
        .unwrap();
    let strict = Parameters::new().with("require-data", "true");
    counter
        .reduce(&state, &Event::new("bare", "/r", "x"), &strict)
        .unwrap_err();
    let panic = registry.view("panic").unwrap();
    panic
        .reduce(
            &State::default(),
            &Event::new("p", "/r", "panic"),
            &parameters,
        )
        .unwrap_err();

    let metrics: HashMap<String, _> = registry
        .metrics()
        .into_iter()
        .map(|(info, snapshot)| (info.name, snapshot))
        .collect();
    let counted = &metrics["counter"];
    assert_eq!((counted.calls, counted.events), (3, 10));
    assert_eq!(counted.errors_of(ErrorKind::Guest), 1);
    assert_eq!(counted.errors_total(), 1);
    assert!(counted.fuel_consumed > 0 && counted.peak_memory_bytes > 1 << 20);
    assert_eq!(counted.latency.count(), 3);
    assert_eq!(metrics["panic"].errors_of(ErrorKind::Trap), 1);

    let text = registry.encode_prometheus();
    for line in [
        r#"evident_component_calls_total{component="counter",version="1.0.0"} 3"#,
        r#"evident_component_events_total{component="counter",version="1.0.0"} 10"#,
        r#"evident_component_errors_total{component="panic",version="1.0.0",kind="trap"} 1"#,
        r#"evident_component_call_duration_seconds_count{component="counter",version="1.0.0"} 3"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
}

#[test]
fn dropping_a_watcher_stops_it_without_waiting_for_its_interval() {
    let registry = Arc::new(registry());
    let watcher = registry.watch(Duration::from_secs(3_600)).unwrap();
    let started = Instant::now();
    drop(watcher);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "dropping took {:?}",
        started.elapsed()
    );
}

#[test]
fn components_that_need_wasi_register_in_the_wasi_sandbox_only() {
    let Some(bytes) = guests::or_skip(component_bytes("python-event-counter")) else {
        return;
    };
    // The tests' shared runtime, whose AOT cache compiles the 18 MB Python component once per
    // machine, not at each registration (compiling it here made this test take 78 s).
    let registry = Registry::new(guests::runtime().clone());
    let strict = registry
        .register("py", "1.0.0", &bytes, ComponentKind::View, Sandbox::Strict)
        .unwrap_err();
    assert!(matches!(strict, RegistryError::Load { .. }), "{strict}");
    let info = registry
        .register("py", "1.0.0", &bytes, ComponentKind::View, Sandbox::Wasi)
        .unwrap();
    assert_eq!(info.sandbox, Sandbox::Wasi);
    let view = registry.view("py").unwrap();
    let folded = view
        .fold(State::default(), events(20), &Parameters::new())
        .unwrap();
    assert_eq!(folded.events_applied, 20);
}

/// Writers registering, activating, reloading and removing while readers call: no panic, no
/// call that fails for anything but a version that is gone, and every result one version's.
#[test]
fn registering_removing_activating_and_reloading_from_many_threads_is_safe() {
    let dir = scratch_dir("concurrent");
    let counter = component_bytes("event-counter").unwrap();
    let mixer = component_bytes("float-mixer").unwrap();
    let file = dir.join("v.wasm");
    std::fs::write(&file, &counter).unwrap();
    // The shared runtime: with its AOT cache, the hundred registrations below load the two
    // components' compiled code instead of compiling it a hundred times.
    let registry = Arc::new(Registry::new(guests::runtime().clone()));
    registry
        .register_file("v", "1.0.0", &file, ComponentKind::View, Sandbox::Strict)
        .unwrap();
    let events = events(20);
    let parameters = Parameters::new();
    let done = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        // Versions come and go under the same name.
        scope.spawn(|| {
            for round in 0..40 {
                let version = format!("2.0.{round}");
                let bytes = if round % 2 == 0 { &mixer } else { &counter };
                registry
                    .register("v", &version, bytes, ComponentKind::View, Sandbox::Strict)
                    .unwrap();
                let _ = registry.activate("v", &version);
                let _ = registry.activate("v", "1.0.0");
                match registry.remove("v", &version) {
                    Ok(()) | Err(RegistryError::RemovingActive { .. }) => {}
                    Err(other) => panic!("removing {version}: {other}"),
                }
            }
        });
        // The file's component is rebuilt and reloaded.
        scope.spawn(|| {
            for round in 0..20 {
                let bytes = if round % 2 == 0 { &mixer } else { &counter };
                std::fs::write(&file, bytes).unwrap();
                match registry.reload("v") {
                    Ok(_) | Err(RegistryError::ReloadRaced { .. }) => {}
                    Err(RegistryError::NoSourceFile { .. }) => {} // a version from bytes is active
                    Err(other) => panic!("reloading: {other}"),
                }
            }
        });
        // A name whose only version is removed while it is registered again.
        scope.spawn(|| {
            for _ in 0..40 {
                let _ = registry.register(
                    "lone",
                    "1.0.0",
                    &counter,
                    ComponentKind::View,
                    Sandbox::Strict,
                );
                let _ = registry.remove("lone", "1.0.0");
            }
        });
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    while !done.load(Ordering::Relaxed) {
                        let view = registry.view("v").unwrap();
                        view.fold(State::default(), &events, &parameters).unwrap();
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        while calls.load(Ordering::Relaxed) < 20 {
            std::thread::sleep(Duration::from_millis(10));
        }
        done.store(true, Ordering::Relaxed);
        for reader in readers {
            reader.join().unwrap();
        }
    });
    assert!(
        registry
            .list()
            .iter()
            .any(|info| info.name == "v" && info.active)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_kind_registers_and_is_looked_up_as_that_kind_only() {
    let registry = registry();
    let guest = |kind| match kind {
        ComponentKind::View => "event-counter",
        ComponentKind::Change | ComponentKind::Decider => "bank-account",
        ComponentKind::DatabaseDecider => "course-subscriptions",
        ComponentKind::Validator => "payment-validator",
        ComponentKind::Transform => "payment-upcaster",
    };
    for kind in ComponentKind::ALL {
        let name = kind.label();
        let bytes = component_bytes(guest(kind)).unwrap();
        let info = registry
            .register(name, "1.0.0", &bytes, kind, Sandbox::Strict)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.kind, kind);
        assert_eq!(registry.component(name).unwrap().kind(), kind);
    }
    // Each lookup gets its own kind, and names the kind it found otherwise.
    assert!(registry.view("state view").is_ok());
    assert!(registry.change("state change").is_ok());
    let decider = registry.decider("decider").unwrap();
    assert!(decider.view().initialize(&Parameters::new()).is_ok());
    assert!(registry.database_decider("database decider").is_ok());
    assert!(registry.validator("validator").is_ok());
    assert!(registry.transform("transform").is_ok());
    let wrong = registry.view("decider").unwrap_err();
    assert!(
        matches!(
            &wrong,
            RegistryError::WrongKind {
                expected: "state view",
                found: "decider",
                ..
            }
        ),
        "{wrong}"
    );
    let wrong = registry.decider("state change").unwrap_err();
    assert!(matches!(wrong, RegistryError::WrongKind { .. }), "{wrong}");
}
