//! `evident test`: given/when/then scenario files for any component, in any language.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail, ensure};
use evident_host::{
    Database, DatabaseDecider, DatabaseError, Decider, Error, Registry, Snapshot, StateChange,
    StateView,
};
use evident_store::{AppendCondition, MemoryStore, Query, Store};
use evident_types::{Command, Event, Parameters, State, content_type};
use serde::Deserialize;

use crate::component::{self, Loaded};
use crate::manifest::{self, Manifest, ViewEntry};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    scenarios: Vec<Scenario>,
}

/// One scenario. For a view: given events (and maybe a state), then a state or an error. For a
/// change: given a state, when a command, then events or an error code. For a decider: given
/// events (and maybe a state they follow), when a command, then events, an error code or the
/// state after the new events. For a database decider: given events (appended to a fresh
/// store, with the manifest's views over it), when a command, then the events it appends, an
/// error code, and/or the append condition.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    #[serde(default)]
    parameters: BTreeMap<String, String>,
    #[serde(default)]
    given: Given,
    when: Option<When>,
    then: Then,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Given {
    #[serde(default)]
    events: Vec<serde_json::Value>,
    state: Option<serde_json::Value>,
    state_format: Option<Format>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    command: serde_json::Value,
    command_format: Option<Format>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Then {
    /// The expected state, as JSON (CBOR states are compared as JSON).
    state: Option<serde_json::Value>,
    /// The expected events; each lists the attributes that must match (e.g. `type`, `data`).
    events: Option<Vec<serde_json::Value>>,
    /// A refusal's expected code, or text a fold's error message must contain.
    error: Option<String>,
    /// The most fuel a fold may use per event: a budget that fails the scenario, the same way
    /// on every machine, when a guest gets slower.
    max_fuel_per_event: Option<u64>,
    /// A database decider's append condition, DCB JSON:
    /// `{"failIfEventsMatch":{"items":[…]},"after":P}`.
    condition: Option<serde_json::Value>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Format {
    Json,
    Cbor,
}

/// A loaded component, with what a database decider decides with: the registry holding the
/// manifest's views and the queries to declare them with in each scenario's database.
// One per scenario file, never moved in a loop: boxing either variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Subject {
    Loaded(Loaded),
    Database {
        decider: DatabaseDecider,
        registry: Arc<Registry>,
        views: Vec<(String, Query)>,
    },
}

pub(crate) fn run_files(
    component: &Path,
    files: &[std::path::PathBuf],
    wasi: bool,
    views: Option<&Path>,
) -> Result<ExitCode> {
    let runtime = component::runtime(None)?;
    let subject = match component::load_any(&runtime, component, wasi)? {
        Loaded::DatabaseDecider(decider) => {
            let registry = Arc::new(Registry::new(runtime.clone()));
            let guest_dir = component.is_dir().then_some(component);
            let views = match Manifest::find(views, guest_dir)? {
                Some(manifest) => {
                    let entries: Vec<&ViewEntry> = manifest.views.iter().collect();
                    manifest::register_all(&entries, Some(&manifest.path), &registry)?
                }
                None => {
                    eprintln!(
                        "note: no views manifest (--views FILE, {} in the guest directory or here): the decider reads no views",
                        manifest::FILE_NAME
                    );
                    Vec::new()
                }
            };
            Subject::Database {
                decider,
                registry,
                views,
            }
        }
        loaded => Subject::Loaded(loaded),
    };
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        for scenario in read(file)? {
            match run(&subject, &scenario) {
                Ok(()) => {
                    passed += 1;
                    println!("PASS {}: {}", file.display(), scenario.name);
                }
                Err(reason) => {
                    failed += 1;
                    println!(
                        "FAIL {}: {}\n     {reason:#}",
                        file.display(),
                        scenario.name
                    );
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn read(path: &Path) -> Result<Vec<Scenario>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let is_yaml = path
        .extension()
        .is_some_and(|ext| ext == "yaml" || ext == "yml");
    let file: ScenarioFile = if is_yaml {
        serde_yaml_ng::from_str(&text)
            .with_context(|| format!("{} is not a scenario file", path.display()))?
    } else {
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a scenario file", path.display()))?
    };
    Ok(file.scenarios)
}

fn run(subject: &Subject, scenario: &Scenario) -> Result<()> {
    let loaded = match subject {
        Subject::Loaded(loaded) => loaded,
        Subject::Database {
            decider,
            registry,
            views,
        } => {
            let when = scenario
                .when
                .as_ref()
                .context("a database decider needs a `when` command")?;
            return run_database_decision(decider, registry, views, scenario, when);
        }
    };
    ensure!(
        scenario.then.condition.is_none(),
        "only a database decider's `then` gives a `condition`"
    );
    match (loaded, &scenario.when) {
        (Loaded::View(view), None) => run_fold(view, scenario),
        (Loaded::Decider(decider), None) => run_fold(decider.view(), scenario),
        (Loaded::View(_), Some(_)) => bail!("a state view takes no `when` command"),
        (Loaded::Change(change), Some(when)) => run_change(change, scenario, when),
        (Loaded::Change(_), None) => bail!("a state change needs a `when` command"),
        (Loaded::Decider(decider), Some(when)) => run_decision(decider, scenario, when),
        (Loaded::DatabaseDecider(_), _) => {
            unreachable!("a database decider is a `Subject::Database`")
        }
        (Loaded::Validator(_) | Loaded::Transform(_), _) => bail!(
            "scenarios are for views, changes and deciders; check a validator with `evident validate` and a transform with `evident transform`"
        ),
    }
}

fn parameters(scenario: &Scenario) -> Parameters {
    scenario
        .parameters
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn encode(value: &serde_json::Value, format: Option<Format>) -> Result<(String, Vec<u8>)> {
    Ok(match format.unwrap_or(Format::Json) {
        Format::Json => (content_type::JSON.to_owned(), serde_json::to_vec(value)?),
        Format::Cbor => {
            let mut bytes = Vec::new();
            ciborium::into_writer(value, &mut bytes)?;
            (content_type::CBOR.to_owned(), bytes)
        }
    })
}

fn given_state(given: &Given) -> Result<Option<State>> {
    given
        .state
        .as_ref()
        .map(|state| {
            let (content_type, bytes) = encode(state, given.state_format)?;
            Ok(State::new(content_type, bytes))
        })
        .transpose()
}

fn given_events(given: &Given) -> Result<Vec<Event>> {
    given
        .events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            serde_json::from_value::<Event>(event.clone())
                .with_context(|| format!("given event {i}"))
        })
        .collect()
}

fn command(when: &When) -> Result<Command> {
    let (content_type, bytes) = encode(&when.command, when.command_format)?;
    Ok(Command::new(content_type, bytes))
}

fn run_fold(view: &StateView, scenario: &Scenario) -> Result<()> {
    let parameters = parameters(scenario);
    let events = given_events(&scenario.given)?;
    let initial = match given_state(&scenario.given)? {
        Some(state) => state,
        None => view.initialize(&parameters).map_err(anyhow::Error::from)?,
    };
    let then = &scenario.then;
    ensure!(
        then.events.is_none(),
        "a fold's `then` gives a `state` or an `error`, not `events`"
    );
    match (view.fold(initial, &events, &parameters), &then.error) {
        (Ok(folded), None) => {
            if let Some(expected) = &then.state {
                expect_state(&folded.state, expected)?;
            }
            if let Some(budget) = then.max_fuel_per_event {
                let per_event = folded.fuel_consumed / (folded.events_applied.max(1) as u64);
                ensure!(
                    per_event <= budget,
                    "the fold used {per_event} fuel per event ({} for {} events), over the budget of {budget}",
                    folded.fuel_consumed,
                    folded.events_applied
                );
            }
            ensure!(
                then.state.is_some() || then.max_fuel_per_event.is_some(),
                "`then` must give a `state`, an `error` or a `max_fuel_per_event`"
            );
            Ok(())
        }
        (Err(failed), Some(text)) => {
            let message = failed.source.to_string();
            ensure!(
                message.contains(text.as_str()),
                "expected an error containing {text:?}, got: {message}"
            );
            Ok(())
        }
        (Ok(folded), Some(text)) => bail!(
            "expected an error containing {text:?}, got a state: {}",
            folded.state.to_json().unwrap_or_default()
        ),
        (Err(failed), None) => bail!("{failed}"),
    }
}

fn run_change(change: &StateChange, scenario: &Scenario, when: &When) -> Result<()> {
    ensure!(
        scenario.given.events.is_empty(),
        "a state change is given a `state`, not `events` (a decider folds given events)"
    );
    let state = given_state(&scenario.given)?.unwrap_or_default();
    let result = change.process(&state, &command(when)?, &parameters(scenario));
    expect_decided(result, None, &scenario.then)
}

fn run_decision(decider: &Decider, scenario: &Scenario, when: &When) -> Result<()> {
    let snapshot = Snapshot {
        state: given_state(&scenario.given)?.unwrap_or_default(),
        position: 0,
    };
    let history = given_events(&scenario.given)?;
    let result = decider.decide(snapshot, &history, &command(when)?, &parameters(scenario));
    match result {
        Ok(decision) => expect_decided(Ok(decision.events), Some(&decision.state), &scenario.then),
        Err(evident_host::DecideError::Command(error)) => {
            expect_decided(Err(error), None, &scenario.then)
        }
        Err(other) => bail!("{other}"),
    }
}

/// Appends the given events to a fresh in-memory store, decides the command on it with the
/// manifest's views, appends the decision under its condition, and checks `then`.
fn run_database_decision(
    decider: &DatabaseDecider,
    registry: &Arc<Registry>,
    views: &[(String, Query)],
    scenario: &Scenario,
    when: &When,
) -> Result<()> {
    ensure!(
        scenario.given.state.is_none(),
        "a database decider is given `events` (appended to a fresh store), not a `state`"
    );
    let then = &scenario.then;
    ensure!(
        then.state.is_none() && then.max_fuel_per_event.is_none(),
        "a database decider's `then` gives `events`, an `error` or a `condition`"
    );
    let store = Arc::new(MemoryStore::new());
    let given = given_events(&scenario.given)?;
    if !given.is_empty() {
        store
            .append(&given, None)
            .context("the given events cannot be appended")?;
    }
    let database = Database::new(store, registry.clone());
    for (name, query) in views {
        database.declare_view(name, query.clone());
    }
    let result = database.decide_and_append(decider, &command(when)?, &parameters(scenario), 1);
    match (result, &then.error) {
        (Ok(appended), None) => {
            ensure!(
                then.events.is_some() || then.condition.is_some(),
                "`then` must give `events`, an `error` or a `condition`"
            );
            let decided = appended.decided;
            if let Some(expected) = &then.events {
                expect_events(&decided.events, expected)?;
            }
            if let Some(expected) = &then.condition {
                let expected: AppendCondition = serde_json::from_value(expected.clone())
                    .context("`then.condition` is not an append condition, {\"failIfEventsMatch\":{\"items\":[…]},\"after\":P}")?;
                let actual = decided.condition.as_ref().map(AppendCondition::to_json);
                ensure!(
                    decided.condition.as_ref() == Some(&expected),
                    "expected condition {}\n     got condition      {}",
                    expected.to_json(),
                    actual.as_deref().unwrap_or("none")
                );
            }
            Ok(())
        }
        (Err(DatabaseError::Decide(Error::Guest { code, message, .. })), Some(expected)) => {
            ensure!(
                code.as_deref() == Some(expected.as_str()),
                "expected error {expected:?}, got [{}] {message}",
                code.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        (Err(error @ DatabaseError::Decide(Error::Guest { .. })), None) => {
            bail!("refused: {error}")
        }
        (Err(error), Some(expected)) => {
            // A store's refusal (a duplicate event) or a failure: matched by its message.
            let message = format!("{:#}", anyhow::Error::new(error));
            ensure!(
                message.contains(expected.as_str()),
                "expected error {expected:?}, got: {message}"
            );
            Ok(())
        }
        (Ok(appended), Some(expected)) => bail!(
            "expected error {expected:?}, got {} events",
            appended.events.len()
        ),
        (Err(error), None) => Err(error.into()),
    }
}

/// Checks what a change (or a decider) decided against `then`: events attribute by attribute,
/// a refusal by its code, and the state after the events when one is given.
fn expect_decided(
    result: Result<Vec<Event>, Error>,
    state_after: Option<&State>,
    then: &Then,
) -> Result<()> {
    match (result, &then.error) {
        (Ok(events), None) => {
            ensure!(
                then.events.is_some() || then.state.is_some(),
                "`then` must give `events`, a `state` or an `error`"
            );
            if let Some(expected) = &then.events {
                expect_events(&events, expected)?;
            }
            if let Some(expected) = &then.state {
                let state = state_after
                    .context("a state change's `then` gives `events` or an `error`, not a state")?;
                expect_state(state, expected)?;
            }
            Ok(())
        }
        (Err(Error::Guest { code, message, .. }), Some(expected)) => {
            ensure!(
                code.as_deref() == Some(expected.as_str()),
                "expected error {expected:?}, got [{}] {message}",
                code.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        (Ok(events), Some(expected)) => {
            bail!("expected error {expected:?}, got {} events", events.len())
        }
        (Err(error), _) => Err(error.into()),
    }
}

fn expect_events(events: &[Event], expected: &[serde_json::Value]) -> Result<()> {
    ensure!(
        events.len() == expected.len(),
        "expected {} events, got {}: {}",
        expected.len(),
        events.len(),
        events
            .iter()
            .map(Event::to_json)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (i, (event, expected)) in events.iter().zip(expected).enumerate() {
        let actual: serde_json::Value = serde_json::from_str(&event.to_json())?;
        let expected = expected
            .as_object()
            .context("an expected event is an object")?;
        for (attribute, value) in expected {
            ensure!(
                actual.get(attribute) == Some(value),
                "event {i}: expected {attribute} = {value}, got {}",
                actual.get(attribute).unwrap_or(&serde_json::Value::Null)
            );
        }
    }
    Ok(())
}

fn expect_state(state: &State, expected: &serde_json::Value) -> Result<()> {
    let actual = state
        .to_json()
        .context("the state is neither JSON nor CBOR")?;
    ensure!(
        &actual == expected,
        "expected state {expected}\n     got state      {actual}"
    );
    Ok(())
}
