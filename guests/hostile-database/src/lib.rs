//! Hostile guest: a decider that abuses the `database` import. Its command's `type` says how:
//!
//! - `query-loop`: calls `query-events` forever (stopped by fuel; each call is charged).
//! - `huge-limit`: asks for `u32::MAX` events at once, and refuses with code `count` and the
//!   number it got as the message (the host caps a page).
//! - `unknown-view`: reads a view no one registered, and refuses with code `none` if it reads
//!   as none.
//! - `read-view`: reads the view named by the command's `view` (parameters as given to the
//!   decision) and decides nothing; if that view's fold fails, the decision fails.
//!
//! ```
//! use evident_guest_sdk::database::InMemory;
//! use evident_guest_sdk::{decider, Command, Parameters};
//! let command = Command::json(&serde_json::json!({"type": "unknown-view"})).unwrap();
//! let refused = decider::decide::<hostile_database::Abuser>(&InMemory::new(), &command, &Parameters::new()).unwrap_err();
//! assert_eq!(refused.code, "none");
//! ```

use evident_guest_sdk::prelude::*;

/// The decider.
pub struct Abuser;

/// How to abuse the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Abuse {
    /// `query-events` in a loop.
    QueryLoop,
    /// One page of `u32::MAX` events.
    HugeLimit,
    /// A view that does not exist.
    UnknownView,
    /// The view `view`.
    ReadView {
        /// Its name.
        view: String,
    },
}

#[database_decider]
impl DatabaseDecider for Abuser {
    type Command = Abuse;

    fn decide(
        database: &dyn Database,
        command: Abuse,
        parameters: &Parameters,
    ) -> Result<Decision, GuestError> {
        match command {
            Abuse::QueryLoop => {
                let mut read = 0usize;
                loop {
                    read = read.wrapping_add(database.query_events(&Query::all(), 0, 1).len());
                    if read == usize::MAX {
                        return Ok(Decision::nothing());
                    }
                }
            }
            Abuse::HugeLimit => {
                let got = database.query_events(&Query::all(), 0, u32::MAX).len();
                Err(GuestError::new("count", got.to_string()))
            }
            Abuse::UnknownView => match database.view_state_raw("no-such-view", None, parameters) {
                None => Err(GuestError::new("none", "no such view")),
                Some(_) => Ok(Decision::nothing()),
            },
            Abuse::ReadView { view } => {
                database.view_state_raw(&view, None, parameters);
                Ok(Decision::nothing())
            }
        }
    }
}
