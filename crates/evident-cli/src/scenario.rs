//! `evident test`: given/when/then scenario files for any component, in any language.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use evident_host::{Error, StateChange, StateView};
use evident_types::{Command, Event, Parameters, State, content_type};
use serde::Deserialize;

use crate::component::{self, Loaded};
use crate::output::state_as_json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    scenarios: Vec<Scenario>,
}

/// One scenario: for a view, given events (and maybe a state), then a state or an error; for a
/// change, given a state, when a command, then events or an error code.
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
    /// A change's expected error code, or text a view's error message must contain.
    error: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Format {
    Json,
    Cbor,
}

pub(crate) fn run_files(component: &Path, files: &[std::path::PathBuf]) -> Result<ExitCode> {
    let runtime = component::runtime(None)?;
    let loaded = component::load_any(&runtime, component)?;
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        for scenario in read(file)? {
            let outcome = match &loaded {
                Loaded::View(view) => run_view(view, &scenario),
                Loaded::Change(change) => run_change(change, &scenario),
            };
            match outcome {
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

fn run_view(view: &StateView, scenario: &Scenario) -> Result<()> {
    anyhow::ensure!(
        scenario.when.is_none(),
        "a state view takes no `when` command"
    );
    let parameters = parameters(scenario);
    let events = scenario
        .given
        .events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            serde_json::from_value::<Event>(event.clone())
                .with_context(|| format!("given event {i}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let initial = match given_state(&scenario.given)? {
        Some(state) => state,
        None => view.initialize(&parameters).map_err(anyhow::Error::from)?,
    };
    match (view.fold(initial, &events, &parameters), &scenario.then) {
        (
            Ok(folded),
            Then {
                state: Some(expected),
                error: None,
                ..
            },
        ) => {
            let actual =
                state_as_json(&folded.state).context("the state is neither JSON nor CBOR")?;
            anyhow::ensure!(
                &actual == expected,
                "expected state {expected}\n     got state      {actual}"
            );
            Ok(())
        }
        (
            Err(failed),
            Then {
                error: Some(text), ..
            },
        ) => {
            let message = failed.source.to_string();
            anyhow::ensure!(
                message.contains(text.as_str()),
                "expected an error containing {text:?}, got: {message}"
            );
            Ok(())
        }
        (
            Ok(folded),
            Then {
                error: Some(text), ..
            },
        ) => anyhow::bail!(
            "expected an error containing {text:?}, got a state: {}",
            state_as_json(&folded.state).unwrap_or_default()
        ),
        (Err(failed), _) => anyhow::bail!("{failed}"),
        (Ok(_), _) => anyhow::bail!("`then` must give a `state` or an `error`"),
    }
}

fn run_change(change: &StateChange, scenario: &Scenario) -> Result<()> {
    let when = scenario
        .when
        .as_ref()
        .context("a state change needs a `when` command")?;
    let state = given_state(&scenario.given)?.unwrap_or_default();
    let (content_type, bytes) = encode(&when.command, when.command_format)?;
    let command = Command::new(content_type, bytes);
    match (
        change.process(&state, &command, &parameters(scenario)),
        &scenario.then,
    ) {
        (
            Ok(events),
            Then {
                events: Some(expected),
                error: None,
                ..
            },
        ) => {
            anyhow::ensure!(
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
                    anyhow::ensure!(
                        actual.get(attribute) == Some(value),
                        "event {i}: expected {attribute} = {value}, got {}",
                        actual.get(attribute).unwrap_or(&serde_json::Value::Null)
                    );
                }
            }
            Ok(())
        }
        (
            Err(Error::Guest { code, message, .. }),
            Then {
                error: Some(expected),
                ..
            },
        ) => {
            anyhow::ensure!(
                code.as_deref() == Some(expected.as_str()),
                "expected error {expected:?}, got [{}] {message}",
                code.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        (
            Ok(events),
            Then {
                error: Some(expected),
                ..
            },
        ) => {
            anyhow::bail!("expected error {expected:?}, got {} events", events.len())
        }
        (Err(error), _) => Err(error.into()),
        (Ok(_), _) => anyhow::bail!("`then` must give `events` or an `error`"),
    }
}
