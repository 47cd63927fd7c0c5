//! The component's exports: `evident:stdlib/money` and `evident:stdlib/dates`, each function
//! handing over to the plain Rust of [`crate::money`] and [`crate::dates`].

#![allow(unsafe_code, missing_docs, clippy::all)]

wit_bindgen::generate!({
    world: "stdlib",
    path: "wit",
});

use exports::evident::stdlib::{dates, money};

use crate::money::Rounding;

struct Component;

fn to_amount(a: money::Amount) -> crate::money::Amount {
    crate::money::Amount {
        minor: a.minor,
        scale: a.scale,
        currency: a.currency,
    }
}

fn from_amount(a: crate::money::Amount) -> money::Amount {
    money::Amount {
        minor: a.minor,
        scale: a.scale,
        currency: a.currency,
    }
}

impl money::Guest for Component {
    fn parse(text: String) -> Result<money::Amount, String> {
        crate::money::parse(&text)
            .map(from_amount)
            .map_err(|e| e.to_string())
    }

    fn add(a: money::Amount, b: money::Amount) -> Result<money::Amount, String> {
        crate::money::add(&to_amount(a), &to_amount(b))
            .map(from_amount)
            .map_err(|e| e.to_string())
    }

    fn multiply(
        a: money::Amount,
        quantity: String,
        rounding: money::Rounding,
    ) -> Result<money::Amount, String> {
        let rounding = match rounding {
            money::Rounding::HalfEven => Rounding::HalfEven,
            money::Rounding::HalfUp => Rounding::HalfUp,
            money::Rounding::Down => Rounding::Down,
        };
        crate::money::multiply(&to_amount(a), &quantity, rounding)
            .map(from_amount)
            .map_err(|e| e.to_string())
    }

    fn format(a: money::Amount) -> String {
        crate::money::format(&to_amount(a))
    }
}

impl dates::Guest for Component {
    fn parse_date(text: String) -> Result<i32, String> {
        crate::dates::parse_date(&text).map_err(|e| e.to_string())
    }

    fn parse_date_time(text: String) -> Result<i64, String> {
        crate::dates::parse_date_time(&text).map_err(|e| e.to_string())
    }

    fn epoch_day(seconds: i64) -> i32 {
        crate::dates::epoch_day(seconds)
    }

    fn day_of_week(epoch_day: i32) -> u8 {
        crate::dates::day_of_week(epoch_day)
    }

    fn month_of(epoch_day: i32) -> String {
        crate::dates::month_of(epoch_day)
    }

    fn format_date(epoch_day: i32) -> String {
        crate::dates::format_date(epoch_day)
    }
}

export!(Component);
