//! Validators: checks the database runs on events before it appends them (world
//! `validator-component`, evident:db 0.5.0).

use evident_types::{Event, EventRef, GuestError, Parameters};

/// A validator: accepts an event or refuses it, with a code the appender can match on. One
/// refusal refuses the whole append it belongs to, and nothing of it is written.
///
/// ```
/// use evident_guest_sdk::prelude::*;
///
/// struct PositiveAmounts;
///
/// #[validator]
/// impl Validator for PositiveAmounts {
///     fn validate(event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), GuestError> {
///         #[derive(Deserialize)]
///         struct Paid { amount: i64 }
///         let paid: Paid = event
///             .data_json()
///             .map_err(|e| GuestError::new("invalid-data", e.to_string()))?;
///         if paid.amount <= 0 {
///             return Err(GuestError::new("not-positive", "an amount must be positive"));
///         }
///         Ok(())
///     }
/// }
///
/// let paid = Event::new("1", "/shop", "paid").with_json_data(&serde_json::json!({"amount": -5}))?;
/// let refused = evident_guest_sdk::validator::validate::<PositiveAmounts>(&paid, &Parameters::new());
/// assert_eq!(refused.unwrap_err().code, "not-positive");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Validator {
    /// Accepts `event`, or refuses it with a code, a message and optional details.
    fn validate(event: &EventRef<'_>, parameters: &Parameters) -> Result<(), GuestError>;
}

/// Runs `V` on one event natively, as the component runs it: for tests.
pub fn validate<V: Validator>(event: &Event, parameters: &Parameters) -> Result<(), GuestError> {
    V::validate(&event.as_event_ref(), parameters)
}
