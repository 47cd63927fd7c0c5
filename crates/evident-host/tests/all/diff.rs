//! The diff engine (two versions of a view folded in frames and compared by meaning) and the
//! registry's shadow runs, which refuse a swap to a view that parts from the serving one.

use std::sync::Arc;

use evident_host::{
    ComponentKind, Diff, DiffError, DiffOutcome, Registry, Runtime, RuntimeConfig, Sandbox,
    ShadowError, ShadowRun, Shadowed,
};
use evident_testkit::guests::component_bytes;
use evident_types::{Event, Parameters};

use super::view;

/// Events `0..count`, every seventh (from the fourth) a cancellation: with `double-after` 1500
/// (v2's default), v2 parts from v1 at event 1501, in the middle of the second frame of 1,000.
fn events(count: usize) -> Vec<Event> {
    (0..count)
        .map(|i| {
            let kind = if i % 7 == 3 { "cancelled" } else { "placed" };
            Event::new(format!("e{i}"), "/shop", format!("order.{kind}"))
        })
        .collect()
}

fn diverged_after(outcome: DiffOutcome) -> evident_host::DivergentEvent {
    match outcome {
        DiffOutcome::Diverge(divergence) => divergence.after.expect("after an event"),
        DiffOutcome::Agree { events } => panic!("the views agreed on {events} events"),
    }
}

#[test]
fn views_that_mean_the_same_agree_on_every_event() {
    let (v1, v2) = (view("diff-counter-v1"), view("diff-counter-v2"));
    assert!(v1.folds_in_batches() && v2.folds_in_batches());
    let parameters = Parameters::new();
    // Below v2's threshold the two count alike.
    let outcome = Diff::new(&v1, &v2, &parameters).run(events(1_400));
    assert_eq!(outcome.unwrap(), DiffOutcome::Agree { events: 1_400 });
    let outcome = Diff::new(&v1, &v1, &parameters).run(Vec::<Event>::new());
    assert_eq!(outcome.unwrap(), DiffOutcome::Agree { events: 0 });
}

#[test]
fn a_divergence_in_the_middle_of_a_frame_is_named_by_its_event() {
    let (v1, v2) = (view("diff-counter-v1"), view("diff-counter-v2"));
    assert_eq!(v1.fold_config().frame_events, 1_000);
    let parameters = Parameters::new();
    let outcome = Diff::new(&v1, &v2, &parameters).run(events(5_000));
    let DiffOutcome::Diverge(divergence) = outcome.unwrap() else {
        panic!("the views agreed")
    };
    let after = divergence.after.clone().unwrap();
    assert_eq!(
        (after.index, after.line, &*after.id, &*after.event_type),
        (1_501, None, "e1501", "order.cancelled")
    );
    let old: serde_json::Value = serde_json::from_str(&divergence.old_state).unwrap();
    let new: serde_json::Value = serde_json::from_str(&divergence.new_state).unwrap();
    assert_eq!(
        (old["total"].as_u64(), new["total"].as_u64()),
        (Some(1_502), Some(1_503))
    );
    assert!(
        divergence.old_state.contains("\n  "),
        "pretty-printed: {}",
        divergence.old_state
    );

    // A parameter moves it; the first frame holds it now.
    let parameters = Parameters::new().with("double-after", "10");
    let outcome = Diff::new(&v1, &v2, &parameters).run(events(5_000));
    assert_eq!(diverged_after(outcome.unwrap()).index, 10);
}

#[test]
fn json_lines_name_the_line_of_the_divergence() {
    let (v1, v2) = (view("diff-counter-v1"), view("diff-counter-v2"));
    let mut text = String::from("\n"); // a blank first line: lines are one ahead of indexes
    for event in events(2_000) {
        text.push_str(&event.to_json());
        text.push('\n');
    }
    let parameters = Parameters::new();
    let outcome = Diff::new(&v1, &v2, &parameters).run_json_lines(text.as_bytes());
    let after = diverged_after(outcome.unwrap());
    assert_eq!((after.index, after.line), (1_501, Some(1_503)));

    let mut broken = String::new();
    for event in events(5) {
        broken.push_str(&event.to_json());
        broken.push('\n');
    }
    broken.push_str("{\"id\":\"x\"}\n");
    let outcome = Diff::new(&v1, &v1, &parameters).run_json_lines(broken.as_bytes());
    match outcome {
        Err(DiffError::Read(error)) => assert_eq!(error.line, 6),
        other => panic!("{other:?}"),
    }
}

#[test]
fn states_that_differ_only_in_key_order_agree() {
    let (v1, reordered) = (view("diff-counter-v1"), view("diff-counter-v2-reordered"));
    let parameters = Parameters::new();
    let event = Event::new("1", "/shop", "order.placed");
    let (a, b) = (
        v1.reduce(&v1.initialize(&parameters).unwrap(), &event, &parameters),
        reordered.reduce(
            &reordered.initialize(&parameters).unwrap(),
            &event,
            &parameters,
        ),
    );
    assert_ne!(a.unwrap().bytes, b.unwrap().bytes, "the bytes differ");
    let outcome = Diff::new(&v1, &reordered, &parameters).run(events(3_500));
    assert_eq!(outcome.unwrap(), DiffOutcome::Agree { events: 3_500 });
}

#[test]
fn a_failing_view_is_named_with_the_event_it_failed_at() {
    // `event-counter` with `require-data` refuses an event without data, which v1 counts.
    let (counter, v1) = (view("event-counter"), view("diff-counter-v1"));
    let parameters = Parameters::new().with("require-data", "true");
    let events: Vec<Event> = (0..3_000)
        .map(|i| {
            let event = Event::new(format!("e{i}"), "/shop", "order.placed");
            match i {
                1_234 => event,
                _ => event
                    .with_json_data(&serde_json::json!({ "n": i }))
                    .unwrap(),
            }
        })
        .collect();
    match Diff::new(&counter, &v1, &parameters).run(&events) {
        Err(DiffError::Old(failed)) => {
            assert_eq!((failed.index, &*failed.event_id), (1_234, "e1234"));
        }
        other => panic!("{other:?}"),
    }
    match Diff::new(&v1, &counter, &parameters).run(&events) {
        Err(DiffError::New(failed)) => assert_eq!(failed.index, 1_234),
        other => panic!("{other:?}"),
    }
    let bad = Parameters::new().with("double-after", "soon");
    let v2 = view("diff-counter-v2");
    let outcome = Diff::new(&v1, &v2, &bad).run(&events);
    assert!(
        matches!(outcome, Err(DiffError::NewInitialize(_))),
        "{outcome:?}"
    );
}

fn registry() -> Registry {
    Registry::new(Runtime::new(RuntimeConfig::default()).unwrap())
}

fn register(registry: &Registry, version: &str, guest: &str) {
    let bytes = component_bytes(guest).unwrap_or_else(|e| panic!("{e}"));
    registry
        .register(
            "counter",
            version,
            &bytes,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
}

#[test]
fn a_shadow_run_refuses_a_reload_that_diverges_and_takes_one_that_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("counter.wasm");
    std::fs::write(&file, component_bytes("diff-counter-v1").unwrap()).unwrap();
    let registry = registry();
    let serving = registry
        .register_file(
            "counter",
            "1.0.0",
            &file,
            ComponentKind::View,
            Sandbox::Strict,
        )
        .unwrap();
    let events = events(3_000);

    std::fs::write(&file, component_bytes("diff-counter-v2").unwrap()).unwrap();
    let refused = registry
        .reload_shadowed("counter", ShadowRun::new(&events))
        .unwrap_err();
    let ShadowError::Diverged { divergence, .. } = &refused else {
        panic!("{refused}")
    };
    assert_eq!(divergence.after.as_ref().unwrap().index, 1_501);
    assert!(refused.to_string().contains("e1501"), "{refused}");
    assert_eq!(
        registry.view("counter").unwrap().hash,
        serving.hash,
        "v1 keeps serving"
    );
    let info = registry.list().remove(0);
    assert!(
        info.last_reload_error
            .as_deref()
            .is_some_and(|e| e.contains("e1501")),
        "{info:?}"
    );

    // The keys in another order: the same meaning, so it is swapped in.
    std::fs::write(&file, component_bytes("diff-counter-v2-reordered").unwrap()).unwrap();
    let reloaded = registry.reload_shadowed("counter", ShadowRun::new(&events));
    assert!(
        matches!(reloaded, Ok(evident_host::Reloaded::Replaced { .. })),
        "{reloaded:?}"
    );
    assert_ne!(registry.view("counter").unwrap().hash, serving.hash);
    assert_eq!(registry.list()[0].last_reload_error, None);
}

#[test]
fn activating_a_diverging_minor_version_is_refused_and_a_new_major_is_not_shadow_run() {
    let registry = Arc::new(registry());
    register(&registry, "1.0.0", "diff-counter-v1");
    register(&registry, "1.1.0", "diff-counter-v2");
    let events = events(3_000);
    let refused = registry
        .activate_shadowed("counter", "1.1.0", ShadowRun::new(&events))
        .unwrap_err();
    assert!(matches!(refused, ShadowError::Diverged { .. }), "{refused}");
    assert_eq!(
        registry.view("counter").unwrap().version.to_string(),
        "1.0.0"
    );

    // Over only the last 600 events, from the initial state, v2 never reaches its threshold.
    let agreed = registry
        .activate_shadowed("counter", "1.1.0", ShadowRun::new(&events).last(600))
        .unwrap();
    assert_eq!(agreed, Shadowed::Agreed { events: 600 });
    assert_eq!(
        registry.view("counter").unwrap().version.to_string(),
        "1.1.0"
    );

    // 2.0.0 declares a breaking change: activated without a shadow run, though it diverges.
    register(&registry, "2.0.0", "diff-counter-v2");
    registry.activate("counter", "1.0.0").unwrap();
    let breaking = registry
        .activate_shadowed("counter", "2.0.0", ShadowRun::new(&events))
        .unwrap();
    let previous = "1.0.0".parse().unwrap();
    assert_eq!(breaking, Shadowed::Breaking { previous });
    assert_eq!(
        registry.view("counter").unwrap().version.to_string(),
        "2.0.0"
    );
}
