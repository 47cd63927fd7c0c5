//! A validator for `payment.received` (any version): the amount must be positive and the
//! currency one the shop takes (parameter `currencies`, comma-separated; default `EUR,USD`).
//! Refusals carry the codes `not-positive`, `unknown-currency` and `invalid-data`.
//!
//! ```
//! use evident_guest_sdk::{validator, Event, Parameters};
//! use payment_validator::PaymentRules;
//!
//! let paid = Event::new("p1", "/shop", "payment.received")
//!     .with_json_data(&serde_json::json!({"amount_cents": 0, "currency": "EUR"}))?;
//! let refused = validator::validate::<PaymentRules>(&paid, &Parameters::new()).unwrap_err();
//! assert_eq!(refused.code, "not-positive");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use evident_guest_sdk::prelude::*;

/// The rules.
pub struct PaymentRules;

/// The amount in minor units and the currency, from v1 (`amount_cents`) or v2/v3 (`amount`).
fn amount(data: &serde_json::Value) -> Option<(i64, &str)> {
    if let Some(cents) = data.get("amount_cents") {
        return Some((cents.as_i64()?, data.get("currency")?.as_str()?));
    }
    let money = data.get("amount")?;
    let value = money.get("value")?.as_str()?;
    let negative = value.starts_with('-');
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let cents: i64 = digits.parse().ok()?;
    Some((
        if negative { -cents } else { cents },
        money.get("currency")?.as_str()?,
    ))
}

#[validator]
impl Validator for PaymentRules {
    fn validate(event: &EventRef<'_>, parameters: &Parameters) -> Result<(), GuestError> {
        if event.event_type != "payment.received" {
            return Ok(());
        }
        let data: serde_json::Value = event
            .data_json()
            .map_err(|e| GuestError::new("invalid-data", e.to_string()))?;
        let Some((cents, currency)) = amount(&data) else {
            return Err(GuestError::new(
                "invalid-data",
                format!("payment {} has no amount and currency", event.id),
            ));
        };
        if cents <= 0 {
            return Err(GuestError::new(
                "not-positive",
                format!("payment {} is not positive", event.id),
            ));
        }
        let currencies = parameters.get("currencies").unwrap_or("EUR,USD");
        if !currencies.split(',').any(|taken| taken.trim() == currency) {
            return Err(GuestError::new(
                "unknown-currency",
                format!(
                    "payment {} is in {currency}; the shop takes {currencies}",
                    event.id
                ),
            ));
        }
        Ok(())
    }
}
