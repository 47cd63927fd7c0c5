//! The same guest logic, natively and as a component, on the same inputs: they must agree.
//!
//! Disagreements come back as a description (an `Err(String)`), ready for `prop_assert`-style
//! reporting; a component that crashes or runs out of a limit is a disagreement too.

use evident_host::{Error, StateChange, StateView};
use evident_types::{Command, Event, GuestError, Parameters, State};

/// Applies `events` one `reduce` at a time both ways, then checks that a single-instance `fold`
/// ends in the same state. Returns the agreed final state.
pub fn view_agrees(
    view: &StateView,
    native_reduce: impl Fn(&State, &Event, &Parameters) -> Result<State, String>,
    initial: &State,
    events: &[Event],
    parameters: &Parameters,
) -> Result<State, String> {
    let mut state = initial.clone();
    let mut applied = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let native = native_reduce(&state, event, parameters);
        match (native, view.reduce(&state, event, parameters)) {
            (Ok(native), Ok(wasm)) if native == wasm => {
                state = native;
                applied.push(event.clone());
            }
            (Err(native), Err(Error::Guest { message, .. })) if native == message => {}
            (native, wasm) => {
                return Err(format!(
                    "event {index} ({}): native gave {}, the component gave {}",
                    event.id,
                    describe(&native.map(|s| s.bytes)),
                    describe(&wasm.map(|s| s.bytes)),
                ));
            }
        }
    }
    let folded = view
        .fold(initial.clone(), &applied, parameters)
        .map_err(|e| format!("folding the events that reduce accepted failed: {e}"))?;
    if folded.state != state {
        return Err(format!(
            "fold on one instance ended in {:?}, reduce per event in {:?}",
            folded.state, state
        ));
    }
    Ok(state)
}

/// Processes `commands` in order both ways, comparing events (or error code, message and
/// details) and `validate`; after each accepted command `advance` computes the next state from
/// the events, as the database's view of them would. Returns the final state.
#[allow(clippy::too_many_arguments)]
pub fn change_agrees(
    change: &StateChange,
    native_process: impl Fn(&State, &Command, &Parameters) -> Result<Vec<Event>, GuestError>,
    native_validate: impl Fn(&State, &Command) -> Result<bool, GuestError>,
    mut advance: impl FnMut(&State, &[Event]) -> State,
    initial: &State,
    commands: &[Command],
    parameters: &Parameters,
) -> Result<State, String> {
    let mut state = initial.clone();
    for (index, command) in commands.iter().enumerate() {
        let native = native_process(&state, command, parameters);
        let wasm = change.process(&state, command, parameters);
        match (&native, &wasm) {
            (Ok(native), Ok(wasm)) if native == wasm => state = advance(&state, native),
            (
                Err(native),
                Err(Error::Guest {
                    code: Some(code),
                    message,
                    details,
                    ..
                }),
            ) if native.code == *code
                && native.message == *message
                && native.details == *details => {}
            _ => {
                return Err(format!(
                    "command {index}: native gave {native:?}, the component gave {}",
                    describe(&wasm)
                ));
            }
        }
        let native_valid = native_validate(&state, command).map_err(|e| e.to_string());
        let wasm_valid = change.validate(&state, command).map_err(|e| match e {
            Error::Guest { message, .. } => message,
            other => other.to_string(),
        });
        if native_valid != wasm_valid {
            return Err(format!(
                "command {index}: validate gave {native_valid:?} natively, {wasm_valid:?} as a component"
            ));
        }
    }
    Ok(state)
}

fn describe<T: std::fmt::Debug, E: std::fmt::Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(e) => format!("Err({e})"),
    }
}
