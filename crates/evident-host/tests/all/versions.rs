//! WIT versioning: components built against every served release of `evident:db` load and run
//! side by side; one built against a release the host does not know is refused by name.

use evident_host::{Error, WIT_VERSIONS};
use evident_testkit::guests::runtime;
use evident_types::{Event, Parameters, State};

use crate::view;

#[test]
fn components_built_against_every_release_run_side_by_side() {
    let oldest = view("event-counter-wit-0-1");
    let older = view("event-counter-wit-0-2");
    let old = view("event-counter-wit-0-3");
    let previous = view("event-counter-wit-0-4");
    let new = view("event-counter");
    let releases = [&oldest, &older, &old, &previous, &new].map(|view| view.wit_version());
    assert_eq!(releases, ["0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0"]);
    assert!(!oldest.folds_in_batches(), "0.1.0 has no state-view-batch");
    assert!(
        older.folds_in_batches() && !older.meters_events(),
        "0.2.0 has no frame-progress"
    );
    assert!(new.folds_in_batches() && new.meters_events());
    assert!(old.folds_in_batches() && old.meters_events());
    assert!(previous.folds_in_batches() && previous.meters_events());

    let events: Vec<Event> = (0..2_500)
        .map(|i| Event::new(format!("{i}"), "/v", ["x", "y"][i % 2]))
        .collect();
    let parameters = Parameters::new();
    let by_new = new.fold(State::default(), &events, &parameters).unwrap();
    for old in [&oldest, &older, &old, &previous] {
        let by_old = old.fold(State::default(), &events, &parameters).unwrap();
        assert_eq!(by_old.state, by_new.state, "{}", old.name());
        assert_eq!(
            old.initialize(&parameters).unwrap(),
            new.initialize(&parameters).unwrap()
        );
        // A state one wrote, the other reads.
        let next = old
            .reduce(&by_new.state, &Event::new("500", "/v", "x"), &parameters)
            .unwrap();
        let also = new
            .reduce(&by_old.state, &Event::new("500", "/v", "x"), &parameters)
            .unwrap();
        assert_eq!(next, also, "{}", old.name());
    }
}

#[test]
fn the_host_serves_every_frozen_release() {
    let root = evident_testkit::guests::workspace_root().join("wit");
    let current = std::fs::read_to_string(root.join("evident.wit")).unwrap();
    let newest = WIT_VERSIONS.last().unwrap();
    assert!(
        current.contains(&format!("package evident:db@{newest};")),
        "wit/evident.wit is the newest served release"
    );
    for version in &WIT_VERSIONS[..WIT_VERSIONS.len() - 1] {
        let frozen = root.join("versions").join(version).join("evident.wit");
        let text = std::fs::read_to_string(&frozen)
            .unwrap_or_else(|e| panic!("{}: {e}", frozen.display()));
        assert!(text.contains(&format!("package evident:db@{version};")));
    }
}

#[test]
fn a_component_built_against_an_unknown_release_is_refused_naming_it() {
    let component = wat::parse_str(
        r#"(component
            (import "evident:db/logging@0.9.0" (instance))
        )"#,
    )
    .unwrap();
    let error = runtime()
        .load("from-the-future", &component)
        .view()
        .unwrap_err();
    assert!(matches!(error, Error::InvalidComponent { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("evident:db/logging@0.9.0"), "{message}");
    assert!(
        message.contains("0.1.0, 0.2.0, 0.3.0, 0.4.0, 0.5.0"),
        "{message}"
    );
}

#[test]
fn every_crate_that_generates_from_the_wit_carries_the_repositorys_copy() {
    let root = evident_testkit::guests::workspace_root();
    let source = std::fs::read_to_string(root.join("wit/evident.wit")).unwrap();
    for krate in [
        "evident-host",
        "evident-guest-sdk",
        "evident-guest-sdk-macros",
        "evident-build",
    ] {
        let copy = root.join("crates").join(krate).join("wit/evident.wit");
        let text =
            std::fs::read_to_string(&copy).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
        assert!(
            text == source,
            "{} differs from wit/evident.wit: copy it over (cp wit/evident.wit {})",
            copy.display(),
            copy.display()
        );
    }
}
