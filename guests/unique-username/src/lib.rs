//! Unique usernames as a database decider (world `database-decider`) that writes its own
//! append condition: the Dynamic Consistency Boundary's username example.
//!
//! Command, JSON (or CBOR): `{"type":"register","user":"u1","username":"ann"}`. It reads the
//! log with [`taken`]`("ann")` (types `user.registered`, tag `username:ann`) after position 0,
//! at most one event. If one exists it refuses with `username-taken`; otherwise it emits
//! `user.registered` (id `u1`, source `/users`, JSON data `{"user","username"}`, extension
//! attributes `user` and `username`) under the condition that the same query selects no event
//! after the revision it read at, so of two racing registrations of one username exactly one is
//! appended. An empty `user` or `username` is refused with `validation`, a command that does not
//! decode (an unknown `type`, a missing field) with the SDK's `invalid-command`.
//!
//! ```
//! use evident_guest_sdk::database::InMemory;
//! use evident_guest_sdk::{decider, AppendCondition, Command, Parameters};
//! use unique_username::UniqueUsername;
//!
//! let database = InMemory::new();
//! let register = Command::json(&serde_json::json!({"type": "register", "user": "u1", "username": "ann"})).unwrap();
//! let decision = decider::decide::<UniqueUsername>(&database, &register, &Parameters::new())?;
//! assert_eq!(decision.events[0].id, "u1");
//! assert_eq!(decision.condition, Some(AppendCondition::new(unique_username::taken("ann")?, Some(0))));
//! # Ok::<(), evident_guest_sdk::GuestError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// A user registered a username; data `{"user","username"}`.
pub const REGISTERED: &str = "user.registered";
/// The source of every event.
pub const SOURCE: &str = "/users";

/// The decider; it holds nothing.
pub struct UniqueUsername;

/// What a caller can ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum UserCommand {
    /// Registers a user under a username no other user has.
    Register {
        /// The user's id.
        user: String,
        /// The username to claim.
        username: String,
    },
}

/// The data of `user.registered`, keys in sorted order (the form the store keeps JSON in).
#[derive(Serialize)]
struct Registration<'a> {
    user: &'a str,
    username: &'a str,
}

/// The registrations of `username`: what the decision reads and what its condition guards.
pub fn taken(username: &str) -> Result<Query, GuestError> {
    let tag = Tag::new("username", username)
        .map_err(|e| GuestError::new("internal", format!("the username tag: {e}")))?;
    Ok(Query::item(QueryItem::types([REGISTERED]).with_tags([tag])))
}

#[database_decider]
impl DatabaseDecider for UniqueUsername {
    type Command = UserCommand;

    fn decide(
        database: &dyn Database,
        command: UserCommand,
        _parameters: &Parameters,
    ) -> Result<Decision, GuestError> {
        let UserCommand::Register { user, username } = command;
        if user.is_empty() || username.is_empty() {
            return Err(GuestError::new(
                "validation",
                "a registration names a user and a username",
            ));
        }
        let query = taken(&username)?;
        if let Some(earlier) = database.query_events(&query, 0, 1).first() {
            let holder = earlier
                .event
                .extensions
                .get("user")
                .map_or("", String::as_str);
            return Err(GuestError::new(
                "username-taken",
                format!("username {username:?} is taken (by user {holder:?})"),
            ));
        }
        let registered = Event::new(&user, SOURCE, REGISTERED)
            .with_extension("user", &user)
            .with_extension("username", &username)
            .with_json_data(&Registration {
                user: &user,
                username: &username,
            })
            .map_err(|e| GuestError::new("internal", format!("the event's data: {e}")))?;
        let condition = AppendCondition::new(query, Some(database.revision()));
        Ok(Decision::append(vec![registered]).with_condition(condition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::database::{InMemory, Read};
    use evident_guest_sdk::decider;
    use serde_json::json;

    fn register(user: &str, username: &str) -> serde_json::Value {
        json!({"type": "register", "user": user, "username": username})
    }

    fn run(database: &InMemory, command: serde_json::Value) -> Result<Decision, GuestError> {
        decider::decide::<UniqueUsername>(
            database,
            &Command::json(&command).unwrap(),
            &Parameters::new(),
        )
    }

    fn registered(user: &str, username: &str) -> Event {
        Event::new(user, SOURCE, REGISTERED)
            .with_extension("user", user)
            .with_extension("username", username)
    }

    #[test]
    fn registers_a_free_username_under_its_own_condition() {
        let database = InMemory::with_events([
            registered("u0", "bob"),
            Event::new("x", "/other", "user.renamed").with_extension("username", "ann"),
        ]);
        let decision = run(&database, register("u1", "ann")).unwrap();
        let [event] = &decision.events[..] else {
            panic!("{decision:?}")
        };
        assert_eq!(event.id, "u1");
        assert_eq!(event.source, "/users");
        assert_eq!(event.event_type, "user.registered");
        assert_eq!(event.datacontenttype.as_deref(), Some("application/json"));
        assert_eq!(
            event.data.as_deref(),
            Some(&br#"{"user":"u1","username":"ann"}"#[..])
        );
        assert_eq!(event.extensions.get("user").map(String::as_str), Some("u1"));
        assert_eq!(
            event.extensions.get("username").map(String::as_str),
            Some("ann")
        );
        let condition = decision.condition.unwrap();
        assert_eq!(
            condition.to_json(),
            r#"{"failIfEventsMatch":{"items":[{"types":["user.registered"],"tags":["username:ann"]}]},"after":2}"#
        );
        assert_eq!(
            database.reads(),
            [Read::Events {
                query: taken("ann").unwrap(),
                after: 0,
                limit: 1
            }]
        );
    }

    #[test]
    fn a_taken_username_is_refused() {
        let database = InMemory::with_events([registered("u0", "ann")]);
        let error = run(&database, register("u1", "ann")).unwrap_err();
        assert_eq!(error.code, "username-taken");
        assert_eq!(error.message, r#"username "ann" is taken (by user "u0")"#);
        assert_eq!(database.reads().len(), 1);
    }

    #[test]
    fn a_registration_after_the_revision_is_not_seen_but_the_condition_catches_it() {
        let database = InMemory::with_events([registered("u0", "bob"), registered("u9", "ann")])
            .with_revision(1);
        let decision = run(&database, register("u1", "ann")).unwrap();
        let condition = decision.condition.unwrap();
        assert_eq!(condition.after, Some(1));
        let later = &database.events()[1];
        assert!(later.position > condition.after_position());
        assert!(condition.fail_if_events_match.matches(&later.event));
    }

    #[test]
    fn bad_commands_are_refused_before_any_read() {
        let database = InMemory::new();
        for command in [register("", "ann"), register("u1", "")] {
            let error = run(&database, command.clone()).unwrap_err();
            assert_eq!(error.code, "validation", "{command}");
        }
        for command in [
            json!({"type": "register", "user": "u1"}),
            json!({"type": "rename", "user": "u1", "username": "bo"}),
        ] {
            let error = run(&database, command.clone()).unwrap_err();
            assert_eq!(error.code, "invalid-command", "{command}");
        }
        assert!(database.reads().is_empty());
    }
}
