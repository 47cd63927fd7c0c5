//! A bank account as a decider: a state change for open, deposit and withdraw commands on a
//! CBOR state, and the state view that folds the events it emits back into that state.
//!
//! Commands are JSON or CBOR objects tagged by `type`: `{"type":"open","account_id":"a1",
//! "owner":"Ann"}`, `{"type":"deposit","amount":100}`, `{"type":"withdraw","amount":30}`.
//! Refusals carry these codes: `account-not-open`, `account-already-open`, `invalid-amount`,
//! `insufficient-funds` (details: `{"balance":..,"requested":..}` as JSON), `balance-overflow`
//! and `unknown-command`. The source of emitted events is the `source` parameter, or
//! `/accounts/<id>`.
//!
//! ```
//! use bank_account::BankAccount;
//! use evident_guest_sdk::{change, Command, Parameters, State};
//!
//! let open = Command::json(&serde_json::json!({"type": "open", "account_id": "a1", "owner": "Ann"})).unwrap();
//! let events = change::process::<BankAccount>(&State::default(), &open, &Parameters::new())?;
//! assert_eq!(events[0].event_type, bank_account::OPENED);
//! assert_eq!(events[0].id, "a1-1");
//! # Ok::<(), evident_guest_sdk::GuestError>(())
//! ```

use evident_guest_sdk::prelude::*;

/// Emitted when an account is opened; data `{"account_id", "owner"}`.
pub const OPENED: &str = "bank.account.opened";
/// Emitted on a deposit; data `{"amount", "balance"}` (balance after).
pub const DEPOSITED: &str = "bank.account.deposited";
/// Emitted on a withdrawal; data `{"amount", "balance"}` (balance after).
pub const WITHDRAWN: &str = "bank.account.withdrawn";

/// An account as the events so far leave it.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// Set once the account is opened.
    pub account_id: Option<String>,
    /// Who holds it.
    pub owner: String,
    /// In minor units (cents).
    pub balance: u64,
    /// Events applied so far; the next event's id ends in `version + 1`.
    pub version: u64,
}

/// What a caller can ask of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BankCommand {
    /// Opens the account.
    Open {
        /// The account's identifier.
        account_id: String,
        /// Who holds it.
        owner: String,
    },
    /// Adds money.
    Deposit {
        /// In minor units.
        amount: u64,
    },
    /// Takes money out, never below zero.
    Withdraw {
        /// In minor units.
        amount: u64,
    },
    /// Any other `type`: refused with `unknown-command`.
    #[serde(other)]
    Unknown,
}

#[derive(Serialize, Deserialize)]
struct Opened {
    account_id: String,
    owner: String,
}

#[derive(Serialize, Deserialize)]
struct Movement {
    amount: u64,
    balance: u64,
}

#[state_change]
impl StateChange for BankAccount {
    type Codec = Cbor;
    type Command = BankCommand;

    fn process(
        &self,
        command: BankCommand,
        parameters: &Parameters,
    ) -> Result<Vec<Event>, GuestError> {
        let event = match command {
            BankCommand::Open { account_id, owner } => {
                if let Some(existing) = &self.account_id {
                    return Err(GuestError::new(
                        "account-already-open",
                        format!("account {existing} is already open"),
                    ));
                }
                if account_id.is_empty() {
                    return Err(GuestError::new(
                        "invalid-account-id",
                        "the account id is empty",
                    ));
                }
                self.event(
                    &account_id,
                    OPENED,
                    parameters,
                    &Opened {
                        account_id: account_id.clone(),
                        owner,
                    },
                )
            }
            BankCommand::Deposit { amount } => {
                let account_id = self.open_account()?;
                let amount = positive(amount)?;
                let balance = self.balance.checked_add(amount).ok_or_else(|| {
                    GuestError::new(
                        "balance-overflow",
                        format!("depositing {amount} would overflow the balance"),
                    )
                })?;
                self.event(
                    account_id,
                    DEPOSITED,
                    parameters,
                    &Movement { amount, balance },
                )
            }
            BankCommand::Withdraw { amount } => {
                let account_id = self.open_account()?;
                let amount = positive(amount)?;
                let Some(balance) = self.balance.checked_sub(amount) else {
                    let details = format!(r#"{{"balance":{},"requested":{amount}}}"#, self.balance);
                    return Err(GuestError::new(
                        "insufficient-funds",
                        format!(
                            "cannot withdraw {amount} from a balance of {}",
                            self.balance
                        ),
                    )
                    .with_details(details.into_bytes()));
                };
                self.event(
                    account_id,
                    WITHDRAWN,
                    parameters,
                    &Movement { amount, balance },
                )
            }
            BankCommand::Unknown => {
                return Err(GuestError::new(
                    "unknown-command",
                    "the command's type is not open, deposit or withdraw",
                ));
            }
        };
        debug!("{} -> {}", event.id, event.event_type);
        Ok(vec![event])
    }
}

/// The other half of the decider: the events the change emits fold into the state it decides
/// on, so the account is rebuilt from its history.
#[state_view]
impl StateView for BankAccount {
    type Codec = Cbor;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(BankAccount::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        match event.event_type {
            OPENED => {
                let opened: Opened = event.data_json()?;
                self.account_id = Some(opened.account_id);
                self.owner = opened.owner;
            }
            DEPOSITED | WITHDRAWN => self.balance = event.data_json::<Movement>()?.balance,
            other => {
                return Err(ViewError::with_code(
                    "not-a-bank-event",
                    format!("event {} is not a bank account event: {other}", event.id),
                ));
            }
        }
        self.version += 1;
        Ok(())
    }
}

impl BankAccount {
    fn open_account(&self) -> Result<&str, GuestError> {
        self.account_id
            .as_deref()
            .ok_or_else(|| GuestError::new("account-not-open", "open the account first"))
    }

    fn event(
        &self,
        account_id: &str,
        event_type: &str,
        parameters: &Parameters,
        data: &impl Serialize,
    ) -> Event {
        let source = parameters
            .get("source")
            .map_or_else(|| format!("/accounts/{account_id}"), str::to_owned);
        Event::new(
            format!("{account_id}-{}", self.version + 1),
            source,
            event_type,
        )
        .with_subject(account_id)
        .with_json_data(data)
        .expect("event data is plain JSON")
    }
}

fn positive(amount: u64) -> Result<u64, GuestError> {
    if amount == 0 {
        Err(GuestError::new(
            "invalid-amount",
            "the amount must be positive",
        ))
    } else {
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::{Cbor, Codec, change};

    fn run(account: &BankAccount, command: serde_json::Value) -> Result<Vec<Event>, GuestError> {
        let state = State::new(Cbor::CONTENT_TYPE, Cbor::encode(account).unwrap());
        change::process::<BankAccount>(
            &state,
            &Command::json(&command).unwrap(),
            &Parameters::new(),
        )
    }

    #[test]
    fn open_deposit_withdraw() {
        let mut account = BankAccount::default();
        for command in [
            serde_json::json!({"type": "open", "account_id": "a1", "owner": "Ann"}),
            serde_json::json!({"type": "deposit", "amount": 100}),
            serde_json::json!({"type": "withdraw", "amount": 30}),
        ] {
            for event in run(&account, command).unwrap() {
                account
                    .reduce(&event.as_event_ref(), &Parameters::new())
                    .unwrap();
            }
        }
        assert_eq!(account.balance, 70);
        assert_eq!(account.version, 3);
    }

    #[test]
    fn refusals_have_codes() {
        let open = BankAccount {
            account_id: Some("a1".into()),
            balance: 5,
            ..Default::default()
        };
        let code = |account: &BankAccount, command| run(account, command).unwrap_err().code;
        assert_eq!(
            code(&open, serde_json::json!({"type": "withdraw", "amount": 6})),
            "insufficient-funds"
        );
        assert_eq!(
            code(&open, serde_json::json!({"type": "close"})),
            "unknown-command"
        );
        assert_eq!(
            code(
                &BankAccount::default(),
                serde_json::json!({"type": "deposit", "amount": 1})
            ),
            "account-not-open"
        );
        assert_eq!(
            code(
                &open,
                serde_json::json!({"type": "deposit", "amount": "ten"})
            ),
            "invalid-command"
        );
    }
}
