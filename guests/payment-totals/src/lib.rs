//! Payment totals per currency, written for `payment.received` v3 only (a money object and a
//! method): it refuses older versions with code `old-version`, so it folds a log holding v1
//! and v2 payments only through the upcasters of `guests/payment-upcaster`.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! use payment_totals::Totals;
//!
//! let paid = Event::new("p1", "/shop", "payment.received")
//!     .with_json_data(&serde_json::json!({"amount": {"value": "12.34", "currency": "EUR"}, "method": "card"}))?;
//! let paid = Event { dataschema: Some("urn:evident:payment:v3".into()), ..paid };
//! let state = view::reduce::<Totals>(&State::default(), &paid, &Parameters::new()).unwrap();
//! assert_eq!(&state.bytes[..], br#"{"payments":1,"cents":{"EUR":1234},"methods":{"card":1}}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;

/// Totals of every payment folded.
#[derive(Default, Serialize, Deserialize)]
pub struct Totals {
    payments: u64,
    /// Minor units per currency.
    cents: BTreeMap<String, i64>,
    /// Payments per method.
    methods: BTreeMap<String, u64>,
}

#[derive(Deserialize)]
struct PaymentV3 {
    amount: Money,
    method: String,
}

#[derive(Deserialize)]
struct Money {
    value: String,
    currency: String,
}

/// `"12.34"` as 1234 minor units; two decimal places at most.
fn cents(value: &str) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (units, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    if fraction.len() > 2 || units.is_empty() {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = units.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
}

#[state_view]
impl StateView for Totals {
    type Codec = Json;

    fn initialize(_parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(Totals::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, _parameters: &Parameters) -> Result<(), ViewError> {
        if event.event_type != "payment.received" {
            return Ok(());
        }
        if event.dataschema != Some("urn:evident:payment:v3") {
            return Err(ViewError::with_code(
                "old-version",
                format!(
                    "payment {} has dataschema {:?}: this view reads v3 (upcast older versions)",
                    event.id, event.dataschema
                ),
            ));
        }
        let payment: PaymentV3 = event
            .data_json()
            .map_err(|e| ViewError::with_code("invalid-data", e.to_string()))?;
        let amount = cents(&payment.amount.value).ok_or_else(|| {
            ViewError::with_code(
                "invalid-data",
                format!("`{}` is not an amount", payment.amount.value),
            )
        })?;
        self.payments += 1;
        *self.cents.entry(payment.amount.currency).or_default() += amount;
        *self.methods.entry(payment.method).or_default() += 1;
        Ok(())
    }
}
