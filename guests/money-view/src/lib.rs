//! A state view of money that imports Evident's standard library (`evident:stdlib`): it folds
//! events whose data is `{"amount": "12.34 EUR", "at": "2026-12-07T10:30:00Z"}` (and an
//! optional `"quantity": "3"` the amount is multiplied by) into totals per currency, per month
//! and currency, and counts per weekday, with every parse, sum, product and date computed by
//! the standard library. Events without data, or whose data has no `amount`, are counted as
//! skipped. `events.jsonl` holds sample events; `events.expected.json` what they fold to.
//!
//! The component imports `evident:stdlib/money` and `evident:stdlib/dates`, which the host
//! does not provide: compose it with `guests/stdlib` first (`evident compose guests/money-view
//! --with guests/stdlib -o money.wasm`). Natively it calls the `stdlib` crate directly.
//!
//! Parameters:
//! - `rounding` (`half-even`, the default; `half-up`; `down`): how `amount × quantity` is
//!   rounded to the amount's scale.
//!
//! ```
//! use evident_guest_sdk::{Event, Parameters, State, view};
//! use money_view::MoneyTotals;
//!
//! let event = Event::new("1", "/shop", "sale.recorded")
//!     .with_json_data(&serde_json::json!({"amount": "12.34 EUR", "quantity": "2", "at": "2026-12-07T10:30:00Z"}))?;
//! let state = view::reduce::<MoneyTotals>(&State::default(), &event, &Parameters::new())
//!     .map_err(|e| e.to_string())?;
//! let totals: serde_json::Value = serde_json::from_slice(&state.bytes)?;
//! assert_eq!(totals["by_currency"]["EUR"], "24.68 EUR");
//! assert_eq!(totals["by_month"]["2026-12"]["EUR"], "24.68 EUR");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use evident_guest_sdk::prelude::*;
use serde::{Deserializer, Serializer};

mod stdlib;

/// The totals the view keeps.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoneyTotals {
    /// Events folded that carried an amount.
    pub events: u64,
    /// Events without data or without an `amount`.
    pub skipped: u64,
    /// The total per currency.
    pub by_currency: BTreeMap<String, Money>,
    /// The total per month of `at` (UTC, `2026-12`) and currency.
    pub by_month: BTreeMap<String, BTreeMap<String, Money>>,
    /// Events per ISO weekday of `at` (UTC): 1 for Monday to 7 for Sunday.
    pub by_weekday: BTreeMap<u8, u64>,
}

/// An amount as the standard library holds it; in the state, its text (`12.34 EUR`).
#[derive(Debug, Clone)]
pub struct Money(stdlib::Amount);

impl PartialEq for Money {
    fn eq(&self, other: &Self) -> bool {
        (self.0.minor, self.0.scale, &self.0.currency)
            == (other.0.minor, other.0.scale, &other.0.currency)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&stdlib::format(&self.0))
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        stdlib::parse(&text)
            .map(Money)
            .map_err(serde::de::Error::custom)
    }
}

/// The data of an event the view folds.
#[derive(Deserialize)]
struct Sale<'a> {
    #[serde(borrow)]
    amount: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    quantity: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    at: Option<std::borrow::Cow<'a, str>>,
}

fn rounding(parameters: &Parameters) -> Result<stdlib::Rounding, ViewError> {
    match parameters.get("rounding") {
        None | Some("half-even") => Ok(stdlib::Rounding::HalfEven),
        Some("half-up") => Ok(stdlib::Rounding::HalfUp),
        Some("down") => Ok(stdlib::Rounding::Down),
        Some(other) => Err(ViewError::new(format!(
            "parameter rounding={other:?}: expected half-even, half-up or down"
        ))),
    }
}

/// Adds `amount` to the total of its currency in `totals`.
fn add_to(totals: &mut BTreeMap<String, Money>, amount: &stdlib::Amount) -> Result<(), String> {
    match totals.get_mut(&amount.currency) {
        Some(total) => total.0 = stdlib::add(&total.0, amount)?,
        None => {
            totals.insert(amount.currency.clone(), Money(amount.clone()));
        }
    }
    Ok(())
}

#[state_view]
impl StateView for MoneyTotals {
    type Codec = Json;

    fn initialize(parameters: &Parameters) -> Result<Self, ViewError> {
        rounding(parameters)?;
        Ok(MoneyTotals::default())
    }

    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        let refuse = |message: String| ViewError::new(format!("event {}: {message}", event.id));
        let Some(data) = event.data else {
            self.skipped += 1;
            return Ok(());
        };
        let sale: Sale<'_> = serde_json::from_slice(data)
            .map_err(|e| refuse(format!("data is not the JSON expected: {e}")))?;
        let Some(text) = sale.amount else {
            self.skipped += 1;
            return Ok(());
        };
        let mut amount = stdlib::parse(&text).map_err(refuse)?;
        if let Some(quantity) = sale.quantity {
            amount = stdlib::multiply(&amount, &quantity, rounding(parameters)?).map_err(refuse)?;
        }
        let at = sale
            .at
            .ok_or_else(|| refuse("data has an amount but no \"at\"".into()))?;
        let day = stdlib::epoch_day(stdlib::parse_date_time(&at).map_err(refuse)?);
        add_to(&mut self.by_currency, &amount).map_err(refuse)?;
        add_to(
            self.by_month.entry(stdlib::month_of(day)).or_default(),
            &amount,
        )
        .map_err(refuse)?;
        *self.by_weekday.entry(stdlib::day_of_week(day)).or_default() += 1;
        self.events += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::view;
    use serde_json::{Value, json};

    fn sale(id: &str, data: Value) -> Event {
        Event::new(id, "/shop", "sale.recorded")
            .with_json_data(&data)
            .unwrap()
    }

    fn fold(events: &[Event], parameters: &Parameters) -> Result<Value, ViewError> {
        let mut state = State::default();
        for event in events {
            state = view::reduce::<MoneyTotals>(&state, event, parameters)?;
        }
        Ok(serde_json::from_slice(&state.bytes).unwrap())
    }

    #[test]
    fn totals_per_currency_month_and_weekday() {
        let events = [
            sale(
                "1",
                json!({"amount": "12.34 EUR", "at": "2026-11-30T23:30:00Z"}),
            ),
            sale(
                "2",
                json!({"amount": "0.005 EUR", "at": "2026-12-01T00:30:00+01:00"}),
            ),
            sale(
                "3",
                json!({"amount": "1000 JPY", "quantity": "3", "at": "2026-12-07T10:00:00Z"}),
            ),
            sale(
                "4",
                json!({"amount": "-2.00 EUR", "at": "2026-12-07T10:00:00Z"}),
            ),
            Event::new("5", "/shop", "shop.opened"),
            sale("6", json!({"note": "no amount"})),
        ];
        let totals = fold(&events, &Parameters::new()).unwrap();
        assert_eq!(
            totals,
            json!({
                "events": 4,
                "skipped": 2,
                "by_currency": {"EUR": "10.345 EUR", "JPY": "3000 JPY"},
                "by_month": {
                    "2026-11": {"EUR": "12.345 EUR"},
                    "2026-12": {"EUR": "-2.00 EUR", "JPY": "3000 JPY"},
                },
                "by_weekday": {"1": 4},
            })
        );
    }

    #[test]
    fn the_rounding_parameter_rounds_products() {
        let events = [sale(
            "1",
            json!({"amount": "0.05 EUR", "quantity": "0.5", "at": "2026-12-07T10:00:00Z"}),
        )];
        for (rounding, expected) in [
            (None, "0.02 EUR"),
            (Some("half-up"), "0.03 EUR"),
            (Some("down"), "0.02 EUR"),
        ] {
            let mut parameters = Parameters::new();
            if let Some(rounding) = rounding {
                parameters = parameters.with("rounding", rounding);
            }
            let totals = fold(&events, &parameters).unwrap();
            assert_eq!(totals["by_currency"]["EUR"], expected, "{rounding:?}");
        }
        let error = fold(&events, &Parameters::new().with("rounding", "up")).unwrap_err();
        assert!(error.message().contains("rounding=\"up\""), "{error}");
    }

    #[test]
    fn refuses_bad_amounts_quantities_and_dates_naming_the_event() {
        for (data, expected) in [
            (
                json!({"amount": "12,34 EUR", "at": "2026-12-07T10:00:00Z"}),
                "is not an amount",
            ),
            (json!({"amount": "1.00 EUR"}), "no \"at\""),
            (
                json!({"amount": "1.00 EUR", "at": "2026-02-30T10:00:00Z"}),
                "no such day",
            ),
            (
                json!({"amount": "1.00 EUR", "quantity": "x", "at": "2026-12-07T10:00:00Z"}),
                "decimal quantity",
            ),
        ] {
            let error = fold(&[sale("e9", data)], &Parameters::new()).unwrap_err();
            assert!(error.message().starts_with("event e9: "), "{error}");
            assert!(error.message().contains(expected), "{error}");
        }
    }

    #[test]
    fn the_sample_events_fold_to_the_expected_totals() {
        let root = env!("CARGO_MANIFEST_DIR");
        let file = std::fs::File::open(format!("{root}/events.jsonl")).unwrap();
        let events: Vec<Event> = evident_types::read_json_lines(std::io::BufReader::new(file))
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{root}/events.expected.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(fold(&events, &Parameters::new()).unwrap(), expected);
    }
}
