//! Given/when/then checks against a component; each panics with what differed, like `assert!`.

use evident_host::{DecideError, Decider, Decision, Error, Snapshot, StateChange, StateView};
use evident_types::{Command, Event, Parameters, State};

/// For a view: given these events (and parameters), expect this state.
#[must_use = "a fixture checks nothing until an `expect_` method runs"]
pub struct ViewFixture<'a> {
    view: &'a StateView,
    parameters: Parameters,
    initial: Option<State>,
    events: Vec<Event>,
}

impl<'a> ViewFixture<'a> {
    /// Starts a scenario for `view`, from its initial state.
    pub fn new(view: &'a StateView) -> Self {
        ViewFixture {
            view,
            parameters: Parameters::new(),
            initial: None,
            events: Vec::new(),
        }
    }

    /// Configures the view with a parameter.
    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters = self.parameters.with(name, value);
        self
    }

    /// Starts from this state instead of `initialize`'s.
    pub fn from_state(mut self, state: State) -> Self {
        self.initial = Some(state);
        self
    }

    /// The events to fold, in order.
    pub fn given(mut self, events: impl IntoIterator<Item = Event>) -> Self {
        self.events.extend(events);
        self
    }

    /// Runs the scenario and returns the final state, or the error.
    pub fn run(self) -> Result<State, Error> {
        let initial = match self.initial {
            Some(state) => state,
            None => self.view.initialize(&self.parameters)?,
        };
        self.view
            .fold(initial, &self.events, &self.parameters)
            .map(|folded| folded.state)
            .map_err(|e| e.source)
    }

    /// Expects the final state to be this JSON value.
    #[track_caller]
    pub fn expect_json(self, expected: serde_json::Value) -> State {
        let state = self
            .run()
            .unwrap_or_else(|e| panic!("the view failed: {e}"));
        let actual: serde_json::Value = serde_json::from_slice(&state.bytes)
            .unwrap_or_else(|e| panic!("the state ({}) is not JSON: {e}", state.content_type));
        assert_eq!(actual, expected, "the view produced another state");
        state
    }

    /// Expects the fold to fail with a guest error whose message contains `text`.
    #[track_caller]
    pub fn expect_error_containing(self, text: &str) -> Error {
        match self.run() {
            Ok(state) => panic!(
                "expected an error containing {text:?}, got a state: {}",
                String::from_utf8_lossy(&state.bytes)
            ),
            Err(e) => {
                assert!(e.to_string().contains(text), "expected {text:?} in: {e}");
                e
            }
        }
    }
}

/// For a change: given a state, when this command, expect these events or this error code.
#[must_use = "a fixture checks nothing until an `expect_` method runs"]
pub struct ChangeFixture<'a> {
    change: &'a StateChange,
    parameters: Parameters,
    state: State,
    command: Option<Command>,
}

impl<'a> ChangeFixture<'a> {
    /// Starts a scenario for `change`, from the "no state yet" value.
    pub fn new(change: &'a StateChange) -> Self {
        ChangeFixture {
            change,
            parameters: Parameters::new(),
            state: State::default(),
            command: None,
        }
    }

    /// Configures the change with a parameter.
    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters = self.parameters.with(name, value);
        self
    }

    /// The state the command meets.
    pub fn given_state(mut self, state: State) -> Self {
        self.state = state;
        self
    }

    /// The command, as JSON.
    pub fn when_json(mut self, command: serde_json::Value) -> Self {
        self.command = Some(Command::json(&command).expect("a JSON value serialises"));
        self
    }

    /// The command, as given.
    pub fn when(mut self, command: Command) -> Self {
        self.command = Some(command);
        self
    }

    /// Runs `process`.
    pub fn run(&self) -> Result<Vec<Event>, Error> {
        let command = self.command.as_ref().expect("call `when` before running");
        self.change.process(&self.state, command, &self.parameters)
    }

    /// Expects success and returns the events for further checks.
    #[track_caller]
    pub fn expect_events(self) -> Vec<Event> {
        self.run()
            .unwrap_or_else(|e| panic!("expected events, got: {e}"))
    }

    /// Expects events of exactly these types, in order.
    #[track_caller]
    pub fn expect_event_types(self, types: &[&str]) -> Vec<Event> {
        let events = self.expect_events();
        let actual: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(actual, types, "the change emitted other events");
        events
    }

    /// Expects a refusal with this code; without parameters (`validate` takes none), also
    /// that `validate` agrees the command is invalid.
    #[track_caller]
    pub fn expect_error_code(self, code: &str) -> Error {
        let error = match self.run() {
            Ok(events) => panic!("expected error {code:?}, got {} events", events.len()),
            Err(e) => e,
        };
        assert_eq!(error.guest_code(), Some(code), "another error: {error}");
        if self.parameters.as_slice().is_empty() {
            let command = self.command.as_ref().expect("set by `when`");
            let valid = self.change.validate(&self.state, command);
            assert!(
                matches!(valid, Ok(false)),
                "validate disagrees with process: {valid:?}"
            );
        }
        error
    }
}

/// For a decider: given these past events, when this command, then these new events, this
/// refusal, or this state.
#[must_use = "a fixture checks nothing until a `then_` method runs"]
pub struct DeciderFixture<'a> {
    decider: &'a Decider,
    parameters: Parameters,
    history: Vec<Event>,
    command: Option<Command>,
}

impl<'a> DeciderFixture<'a> {
    /// Starts a scenario for `decider`, with no history.
    pub fn new(decider: &'a Decider) -> Self {
        DeciderFixture {
            decider,
            parameters: Parameters::new(),
            history: Vec::new(),
            command: None,
        }
    }

    /// Configures both halves with a parameter.
    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters = self.parameters.with(name, value);
        self
    }

    /// The events already in the stream, in order.
    pub fn given(mut self, events: impl IntoIterator<Item = Event>) -> Self {
        self.history.extend(events);
        self
    }

    /// The command, as JSON.
    pub fn when_json(mut self, command: serde_json::Value) -> Self {
        self.command = Some(Command::json(&command).expect("a JSON value serialises"));
        self
    }

    /// The command, as given.
    pub fn when(mut self, command: Command) -> Self {
        self.command = Some(command);
        self
    }

    /// Makes the decision.
    pub fn decide(&self) -> Result<Decision, DecideError> {
        let command = self.command.as_ref().expect("call `when` before `then`");
        self.decider.decide(
            Snapshot::default(),
            &self.history,
            command,
            &self.parameters,
        )
    }

    #[track_caller]
    fn decided(&self) -> Decision {
        self.decide()
            .unwrap_or_else(|e| panic!("expected a decision, got: {e}"))
    }

    /// Expects exactly these events, attribute for attribute; returns the decision.
    #[track_caller]
    pub fn then_events(self, expected: impl IntoIterator<Item = Event>) -> Decision {
        let decision = self.decided();
        let expected: Vec<Event> = expected.into_iter().collect();
        if decision.events != expected {
            panic!(
                "the decider emitted other events\nexpected:\n{}\ngot:\n{}",
                json_lines(&expected),
                json_lines(&decision.events)
            );
        }
        decision
    }

    /// Expects events of exactly these types, in order; returns the decision.
    #[track_caller]
    pub fn then_event_types(self, types: &[&str]) -> Decision {
        let decision = self.decided();
        let actual: Vec<&str> = decision
            .events
            .iter()
            .map(|e| e.event_type.as_str())
            .collect();
        assert_eq!(
            actual,
            types,
            "the decider emitted other events:\n{}",
            json_lines(&decision.events)
        );
        decision
    }

    /// Expects the command to be refused with `code`; returns the error.
    #[track_caller]
    pub fn then_refused(self, code: &str) -> DecideError {
        match self.decide() {
            Ok(decision) => panic!(
                "expected a refusal [{code}], got {} events:\n{}",
                decision.events.len(),
                json_lines(&decision.events)
            ),
            Err(error) => {
                assert_eq!(
                    error.refusal().map(|(code, _)| code),
                    Some(code),
                    "expected a refusal [{code}], got: {error}"
                );
                error
            }
        }
    }

    /// Expects the state after the new events to be this JSON value (a CBOR state is compared
    /// as JSON); returns the decision.
    #[track_caller]
    pub fn then_state(self, expected: serde_json::Value) -> Decision {
        let decision = self.decided();
        let actual = decision.state.to_json().unwrap_or_else(|| {
            panic!(
                "the state ({} bytes of {:?}) is neither JSON nor CBOR",
                decision.state.bytes.len(),
                decision.state.content_type
            )
        });
        assert_eq!(
            actual, expected,
            "the state after the decision differs (left: actual, right: expected)"
        );
        decision
    }
}

/// Events as CloudEvents JSON, one per line, for failure messages.
fn json_lines(events: &[Event]) -> String {
    if events.is_empty() {
        return "  (none)".to_owned();
    }
    events
        .iter()
        .map(|event| format!("  {}", event.to_json()))
        .collect::<Vec<_>>()
        .join("\n")
}
