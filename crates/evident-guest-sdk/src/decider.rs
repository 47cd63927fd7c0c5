//! Database deciders: turn a command into events by reading the database (the event log and
//! the materialized views) rather than one stream's state.

use evident_types::query::AppendCondition;
use evident_types::{Command, Event, GuestError, Parameters};
use serde::de::DeserializeOwned;

use crate::codec::{DecodeError, decode_by_content_type};
use crate::database::Database;

/// A decider that reads the database: given a decoded command, it reads what it needs as of
/// the decision's revision and returns a [`Decision`], or refuses with a [`GuestError`] whose
/// `code` callers match on.
///
/// Put `#[database_decider]` on the impl to export it as a `database-decider` component; the
/// type itself holds nothing (a unit struct will do). `decide` must not depend on anything but
/// its inputs and its reads: the database may run it again when its append conflicts.
///
/// Natively, run it on a [`crate::database::InMemory`] database with [`decide`] (decoding the
/// command as the component does) or by calling `decide` directly.
///
/// ```
/// use evident_guest_sdk::database::{Database, InMemory};
/// use evident_guest_sdk::prelude::*;
///
/// /// Opens an account unless its view says it is open.
/// struct Accounts;
///
/// #[derive(Deserialize)]
/// struct Open {
///     account: String,
/// }
///
/// #[derive(Deserialize)]
/// struct Account {
///     open: bool,
/// }
///
/// #[database_decider]
/// impl DatabaseDecider for Accounts {
///     type Command = Open;
///
///     fn decide(
///         database: &dyn Database,
///         command: Open,
///         _parameters: &Parameters,
///     ) -> Result<Decision, GuestError> {
///         let parameters = Parameters::new().with("account", &command.account);
///         let account: Option<Account> = database.view_state("account", None, &parameters)?;
///         if account.is_some_and(|a| a.open) {
///             return Err(GuestError::new("already-open", "the account is open"));
///         }
///         let opened = Event::new(&command.account, "/accounts", "account.opened")
///             .with_extension("account", &command.account);
///         // No condition: the host appends unless an event its view read came after the revision.
///         Ok(Decision::append(vec![opened]))
///     }
/// }
///
/// let database = InMemory::new().with_view_json(
///     "account",
///     Parameters::new().with("account", "a1"),
///     &serde_json::json!({"open": true}),
/// );
/// let command = Command::json(&serde_json::json!({"account": "a1"})).unwrap();
/// let refused = evident_guest_sdk::decider::decide::<Accounts>(&database, &command, &Parameters::new());
/// assert_eq!(refused.unwrap_err().code, "already-open");
/// assert_eq!(database.reads().len(), 1);
///
/// let decision = Accounts::decide(&InMemory::new(), Open { account: "a2".into() }, &Parameters::new())?;
/// assert_eq!(decision.events[0].id, "a2");
/// assert_eq!(decision.condition, None);
/// # Ok::<(), GuestError>(())
/// ```
pub trait DatabaseDecider {
    /// The commands it accepts, decoded from JSON or CBOR as the command's content type says.
    type Command: DeserializeOwned;

    /// Decides on `command`, reading `database` as of its revision.
    fn decide(
        database: &dyn Database,
        command: Self::Command,
        parameters: &Parameters,
    ) -> Result<Decision, GuestError>;
}

/// What a command decided: the events to append, in order (none is a valid decision), and the
/// condition to append them under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// The events to append, in order.
    pub events: Vec<Event>,
    /// The Dynamic Consistency Boundary condition to append them under; `None` lets the host
    /// derive it from the reads the decision made (any event they selected appended after the
    /// revision fails the append).
    pub condition: Option<AppendCondition>,
}

impl Decision {
    /// Appends `events` under the condition the host derives from the decision's reads.
    pub fn append(events: Vec<Event>) -> Self {
        Decision {
            events,
            condition: None,
        }
    }

    /// Appends nothing: the command changes nothing.
    pub fn nothing() -> Self {
        Decision::default()
    }

    /// Appends under `condition` instead of the one the host would derive.
    pub fn with_condition(mut self, condition: AppendCondition) -> Self {
        self.condition = Some(condition);
        self
    }
}

/// Error codes the SDK itself returns for a database decider: those it returns for a state
/// change, so callers match one set whatever the kind of component (and the other SDKs use them).
pub mod codes {
    pub use crate::change::codes::{INVALID_COMMAND, INVALID_EVENT, UNSUPPORTED_CONTENT_TYPE};

    /// A view's state (read with `view_state`) is neither JSON nor CBOR, or does not decode as
    /// the type the decider asked for.
    pub const INVALID_STATE: &str = "invalid-state";
}

/// Decodes the command, runs `decide` and checks the events: what the component's `decide`
/// export does.
pub fn decide<D: DatabaseDecider>(
    database: &dyn Database,
    command: &Command,
    parameters: &Parameters,
) -> Result<Decision, GuestError> {
    let command = decode_by_content_type(&command.content_type, &command.bytes).map_err(|e| {
        let code = match e {
            DecodeError::UnsupportedContentType(_) => codes::UNSUPPORTED_CONTENT_TYPE,
            DecodeError::Codec(_) => codes::INVALID_COMMAND,
        };
        GuestError::new(code, format!("cannot decode the command: {e}"))
    })?;
    let decision = D::decide(database, command, parameters)?;
    for (index, event) in decision.events.iter().enumerate() {
        event.validate().map_err(|e| {
            GuestError::new(
                codes::INVALID_EVENT,
                format!(
                    "event {index} (id {:?}) is not a valid CloudEvent: {e}",
                    event.id
                ),
            )
        })?;
    }
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::InMemory;
    use evident_types::query::{Query, QueryItem};

    struct Echo;

    #[derive(serde::Deserialize)]
    struct Emit {
        id: String,
        #[serde(default)]
        guarded: bool,
    }

    impl DatabaseDecider for Echo {
        type Command = Emit;
        fn decide(
            database: &dyn Database,
            command: Emit,
            _: &Parameters,
        ) -> Result<Decision, GuestError> {
            let decision = Decision::append(vec![Event::new(command.id, "/echo", "echoed")]);
            Ok(if command.guarded {
                let query = Query::item(QueryItem::types(["echoed"]));
                decision.with_condition(AppendCondition::new(query, Some(database.revision())))
            } else {
                decision
            })
        }
    }

    fn run(command: serde_json::Value) -> Result<Decision, GuestError> {
        let database = InMemory::with_events([Event::new("0", "/echo", "echoed")]);
        decide::<Echo>(
            &database,
            &Command::json(&command).unwrap(),
            &Parameters::new(),
        )
    }

    #[test]
    fn the_command_is_decoded_and_the_condition_kept() {
        let decision = run(serde_json::json!({"id": "1"})).unwrap();
        assert_eq!(
            decision,
            Decision::append(vec![Event::new("1", "/echo", "echoed")])
        );
        let guarded = run(serde_json::json!({"id": "1", "guarded": true})).unwrap();
        assert_eq!(guarded.condition.unwrap().after, Some(1));
        assert_eq!(Decision::nothing().events.len(), 0);
    }

    #[test]
    fn bad_commands_and_bad_events_have_the_sdks_codes() {
        let error = run(serde_json::json!({"nope": 1})).unwrap_err();
        assert_eq!(error.code, codes::INVALID_COMMAND);
        let database = InMemory::new();
        let text = Command::new("text/plain", &b"hi"[..]);
        let error = decide::<Echo>(&database, &text, &Parameters::new()).unwrap_err();
        assert_eq!(error.code, codes::UNSUPPORTED_CONTENT_TYPE);
        assert!(error.message.contains("text/plain"), "{error}");
        let error = run(serde_json::json!({"id": ""})).unwrap_err();
        assert_eq!(error.code, codes::INVALID_EVENT);
    }
}
