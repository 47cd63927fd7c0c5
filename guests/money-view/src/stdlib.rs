//! The standard library as this view calls it: imported from `evident:stdlib` (world
//! `stdlib-imports` of `guests/stdlib/wit`) in the component, or the `stdlib` crate called
//! directly natively and with the `inline` feature. Both sides have one signature per function,
//! so the view's code is the same either way.

#[cfg(all(target_arch = "wasm32", not(feature = "inline")))]
pub(crate) use imported::*;
#[cfg(any(not(target_arch = "wasm32"), feature = "inline"))]
pub(crate) use linked::*;

/// Bindings of `evident:stdlib`'s imports; wit-component merges their type information with the
/// SDK's when the module is encoded, so the component imports `evident:stdlib/money` and
/// `evident:stdlib/dates` besides `evident:db`.
#[cfg(all(target_arch = "wasm32", not(feature = "inline")))]
#[allow(unsafe_code, missing_docs, clippy::all)]
mod bindings {
    wit_bindgen::generate!({
        world: "evident:stdlib/stdlib-imports",
        path: "../stdlib/wit",
    });
}

#[cfg(all(target_arch = "wasm32", not(feature = "inline")))]
mod imported {
    use super::bindings::evident::stdlib::{dates, money};

    pub(crate) use money::{Amount, Rounding};

    pub(crate) fn parse(text: &str) -> Result<Amount, String> {
        money::parse(text)
    }

    pub(crate) fn add(a: &Amount, b: &Amount) -> Result<Amount, String> {
        money::add(a, b)
    }

    pub(crate) fn multiply(
        a: &Amount,
        quantity: &str,
        rounding: Rounding,
    ) -> Result<Amount, String> {
        money::multiply(a, quantity, rounding)
    }

    pub(crate) fn format(a: &Amount) -> String {
        money::format(a)
    }

    pub(crate) fn parse_date_time(text: &str) -> Result<i64, String> {
        dates::parse_date_time(text)
    }

    pub(crate) fn epoch_day(seconds: i64) -> i32 {
        dates::epoch_day(seconds)
    }

    pub(crate) fn day_of_week(epoch_day: i32) -> u8 {
        dates::day_of_week(epoch_day)
    }

    pub(crate) fn month_of(epoch_day: i32) -> String {
        dates::month_of(epoch_day)
    }
}

#[cfg(any(not(target_arch = "wasm32"), feature = "inline"))]
mod linked {
    use stdlib::{dates, money};

    pub(crate) use money::{Amount, Rounding};

    pub(crate) fn parse(text: &str) -> Result<Amount, String> {
        money::parse(text).map_err(|e| e.to_string())
    }

    pub(crate) fn add(a: &Amount, b: &Amount) -> Result<Amount, String> {
        money::add(a, b).map_err(|e| e.to_string())
    }

    pub(crate) fn multiply(
        a: &Amount,
        quantity: &str,
        rounding: Rounding,
    ) -> Result<Amount, String> {
        money::multiply(a, quantity, rounding).map_err(|e| e.to_string())
    }

    pub(crate) fn format(a: &Amount) -> String {
        money::format(a)
    }

    pub(crate) fn parse_date_time(text: &str) -> Result<i64, String> {
        dates::parse_date_time(text).map_err(|e| e.to_string())
    }

    pub(crate) fn epoch_day(seconds: i64) -> i32 {
        dates::epoch_day(seconds)
    }

    pub(crate) fn day_of_week(epoch_day: i32) -> u8 {
        dates::day_of_week(epoch_day)
    }

    pub(crate) fn month_of(epoch_day: i32) -> String {
        dates::month_of(epoch_day)
    }
}
