//! A decider: the view that folds a stream's history into a state, and the change that decides
//! on that state, as one handle — given these events, when this command, then these events.

use std::borrow::Borrow;
use std::time::Instant;

use evident_types::{Command, Event, Parameters, State};

use crate::change::StateChange;
use crate::component::run_sync;
use crate::error::{Error, FoldError};
use crate::store::Mode;
use crate::view::{StateView, loaded};

/// A state view and a state change over one state: the view folds the history into the state
/// the change decides on, and folds the events the change emits into the state after them.
///
/// From one component that exports both (world `decider-component`,
/// [`crate::Load::decider`]): each decision runs on one fresh instance. From two
/// components ([`Decider::new`], e.g. a view in one language and a change in another): a
/// decision runs the view on one instance and the change on another. Either way both halves
/// must store the same state; each call gets its half's limits and is counted in its half's
/// metrics.
///
/// ```no_run
/// use evident_host::{Decider, Runtime, RuntimeConfig, Snapshot};
/// use evident_types::{Command, Event, Parameters};
///
/// let runtime = Runtime::new(RuntimeConfig::default())?;
/// let account = runtime.load_file("bank_account.component.wasm").decider()?;
/// let history: Vec<Event> = Vec::new(); // the account's stream, read from the store
/// let deposit = Command::json(&serde_json::json!({"type": "deposit", "amount": 100}))?;
/// match account.decide(Snapshot::default(), &history, &deposit, &Parameters::new()) {
///     Ok(decision) => println!("append {} events after position {}", decision.events.len(), decision.position),
///     Err(e) => match e.refusal() {
///         Some((code, message)) => println!("refused: [{code}] {message}"),
///         None => return Err(e.into()),
///     },
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Decider {
    view: StateView,
    change: StateChange,
    /// Whether both halves are one component, so a decision can run on one instance.
    one_component: bool,
}

/// Where a decision's history starts: a state and the number of events it folds (its
/// position in the stream). The default is the start of the stream: no state yet, position 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The state after the first `position` events of the stream.
    pub state: State,
    /// How many events of the stream `state` folds.
    pub position: u64,
}

/// What a command decided, given a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The events to append to the stream, validated CloudEvents.
    pub events: Vec<Event>,
    /// The state after them: the next decision can start from it, with no replay.
    pub state: State,
    /// The position the decision was based on: the events of the stream folded before the
    /// command (the snapshot's and the history's). The new events go right after it.
    pub position: u64,
    /// Fuel used by every call of the decision.
    pub fuel_consumed: u64,
}

/// Why a decision was not made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecideError {
    /// An event of the history did not fold: which one (its index counts from the first event
    /// given, after the snapshot), why, and the state before it.
    #[error("the history does not fold: {0}")]
    History(Box<FoldError>),
    /// The change refused the command ([`Error::Guest`], with its code), or its call failed.
    #[error(transparent)]
    Command(Error),
    /// The view could not fold an event the change emitted: the two halves disagree.
    #[error("the view cannot fold the events the change emitted: {0}")]
    Evolve(Box<FoldError>),
}

impl DecideError {
    /// The code and message of the change's refusal, if the command was refused.
    pub fn refusal(&self) -> Option<(&str, &str)> {
        match self {
            DecideError::Command(error) => error.refusal(),
            _ => None,
        }
    }

    /// Whether the same decision may succeed if made again later (see
    /// [`Error::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            DecideError::History(failed) | DecideError::Evolve(failed) => {
                failed.source.is_retryable()
            }
            DecideError::Command(error) => error.is_retryable(),
        }
    }
}

impl Decider {
    /// Pairs a view with a change, from two components (or one loaded as both). They must
    /// store the same state: what the view folds is what the change is given.
    pub fn new(view: StateView, change: StateChange) -> Self {
        Decider {
            view,
            change,
            one_component: false,
        }
    }

    /// The two halves of one component, which then share an instance per decision.
    pub(crate) fn of_one_component(view: StateView, change: StateChange) -> Self {
        Decider {
            view,
            change,
            one_component: true,
        }
    }

    /// The view half.
    pub fn view(&self) -> &StateView {
        &self.view
    }

    /// The change half.
    pub fn change(&self) -> &StateChange {
        &self.change
    }

    /// Folds `history` (the events after `snapshot`) into the state, runs `command` on it, and
    /// folds the events it emits into the state after them.
    pub fn decide<I>(
        &self,
        snapshot: Snapshot,
        history: I,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Decision, DecideError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        run_sync(self.decide_in(Mode::Sync, snapshot, history, command, parameters))
    }

    /// [`Decider::decide`], through `call_async` (feature `async`).
    #[cfg(feature = "async")]
    pub async fn decide_async<I>(
        &self,
        snapshot: Snapshot,
        history: I,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Decision, DecideError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        self.decide_in(Mode::Async, snapshot, history, command, parameters)
            .await
    }

    async fn decide_in<I>(
        &self,
        mode: Mode,
        snapshot: Snapshot,
        history: I,
        command: &Command,
        parameters: &Parameters,
    ) -> Result<Decision, DecideError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let (folded, session) = self
            .view
            .fold_on(mode, snapshot.state, None, history, parameters)
            .await
            .map_err(DecideError::History)?;
        let state = folded.state;
        let position = snapshot.position + folded.events_applied as u64;
        let mut fuel = folded.fuel_consumed;
        let (events, session) = if self.one_component {
            let mut session = match session {
                Some(session) => session,
                None => loaded(&self.view, mode, &state, parameters)
                    .await
                    .map_err(DecideError::Command)?,
            };
            let started = Instant::now();
            let result = self
                .change
                .process_on(
                    &mut session.store,
                    &session.instance,
                    mode,
                    &state,
                    command,
                    parameters,
                )
                .await;
            self.change
                .observe_process(started, &session.store, &result);
            fuel += crate::store::fuel_used(&session.store);
            (result.map_err(DecideError::Command)?, Some(session))
        } else {
            let (result, usage) = self
                .change
                .process_in(mode, &state, command, parameters)
                .await;
            fuel += usage.fuel;
            (result.map_err(DecideError::Command)?, session)
        };
        let (after, _) = self
            .view
            .fold_on(mode, state, session, &events, parameters)
            .await
            .map_err(DecideError::Evolve)?;
        fuel += after.fuel_consumed;
        Ok(Decision {
            events,
            state: after.state,
            position,
            fuel_consumed: fuel,
        })
    }
}
