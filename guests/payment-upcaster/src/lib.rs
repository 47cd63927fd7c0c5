//! An upcaster for `payment.received`, the schema-evolution example: the stored log keeps every
//! version as it was written, and a view written for the newest version reads it through this.
//!
//! - v1 (`dataschema` `urn:evident:payment:v1`): `{"amount_cents": 1234, "currency": "EUR"}`
//! - v2 (`urn:evident:payment:v2`): `{"amount": {"value": "12.34", "currency": "EUR"}}`
//! - v3 (`urn:evident:payment:v3`): v2 plus `"method"`, `"unknown"` when v2 did not say.
//!
//! One component does either step: parameter `step` is `v1-to-v2` (the default) or `v2-to-v3`,
//! so registering it twice makes the chain v1 → v2 → v3.
//!
//! ```
//! use evident_guest_sdk::{transform, Event, Parameters};
//! use payment_upcaster::{PaymentUpcaster, V1};
//!
//! let v1 = Event::new("p1", "/shop", "payment.received")
//!     .with_json_data(&serde_json::json!({"amount_cents": 1234, "currency": "EUR"}))?;
//! let v1 = Event { dataschema: Some(V1.into()), ..v1 };
//! let v2 = transform::transform::<PaymentUpcaster>(&v1, &Parameters::new()).unwrap();
//! assert_eq!(v2[0].data_json::<serde_json::Value>()?["amount"]["value"], "12.34");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use evident_guest_sdk::prelude::*;

/// The `dataschema` of version 1.
pub const V1: &str = "urn:evident:payment:v1";
/// The `dataschema` of version 2.
pub const V2: &str = "urn:evident:payment:v2";
/// The `dataschema` of version 3.
pub const V3: &str = "urn:evident:payment:v3";

/// The upcaster.
pub struct PaymentUpcaster;

#[derive(Deserialize)]
struct PaymentV1 {
    amount_cents: i64,
    currency: String,
}

/// A decimal amount in a currency, as v2 and v3 write it.
#[derive(Serialize, Deserialize)]
pub struct Money {
    /// The amount as a decimal string with two places: `"-0.05"`, `"12.34"`.
    pub value: String,
    /// The ISO 4217 code.
    pub currency: String,
}

/// Cents as the decimal string v2 writes: `1234` is `"12.34"`, `-5` is `"-0.05"`.
pub fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// A v1 payment's data as v2 writes it: the conversion the upcaster makes, natively.
pub fn v1_to_v2_data(v1: &serde_json::Value) -> Result<serde_json::Value, GuestError> {
    let v1: PaymentV1 = serde_json::from_value(v1.clone())
        .map_err(|e| GuestError::new("invalid-v1", format!("not a v1 payment: {e}")))?;
    let money = Money {
        value: decimal(v1.amount_cents),
        currency: v1.currency,
    };
    Ok(serde_json::json!({ "amount": money }))
}

fn invalid(step: &str, e: impl std::fmt::Display) -> GuestError {
    GuestError::new("invalid-data", format!("{step}: {e}"))
}

#[transform]
impl Transform for PaymentUpcaster {
    fn transform(event: &EventRef<'_>, parameters: &Parameters) -> Result<Vec<Event>, GuestError> {
        let step = parameters.get("step").unwrap_or("v1-to-v2");
        let data: serde_json::Value = event.data_json().map_err(|e| invalid(step, e))?;
        let (data, schema) = match step {
            "v1-to-v2" => (v1_to_v2_data(&data)?, V2),
            "v2-to-v3" => {
                let mut data = data;
                let object = data
                    .as_object_mut()
                    .ok_or_else(|| invalid(step, "data is not an object"))?;
                object
                    .entry("method")
                    .or_insert_with(|| serde_json::Value::from("unknown"));
                (data, V3)
            }
            other => {
                return Err(GuestError::new(
                    "invalid-parameter",
                    format!("step `{other}` is neither v1-to-v2 nor v2-to-v3"),
                ));
            }
        };
        let mut upcast = event.to_event();
        upcast.dataschema = Some(schema.to_owned());
        let upcast = upcast.with_json_data(&data).map_err(|e| invalid(step, e))?;
        Ok(vec![upcast])
    }
}
