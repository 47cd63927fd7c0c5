//! Evident's standard library (`evident:stdlib@0.1.0`, WIT in `wit/stdlib.wit`): decimal money
//! ([`money`]) and calendar dates ([`dates`]) as plain Rust, and, built for `wasm32` with the
//! `component` feature (the default), a component exporting them that imports nothing, so it
//! runs in the host's strict sandbox. A guest imports `evident:stdlib/money` and
//! `evident:stdlib/dates` (world `stdlib-imports`) and is composed with this component by
//! `evident compose`.
//!
//! ```
//! use stdlib::money::{self, Rounding};
//!
//! let price = money::parse("12.34 EUR")?;
//! let total = money::multiply(&price, "3", Rounding::HalfEven)?;
//! assert_eq!(money::format(&money::add(&total, &price)?), "49.36 EUR");
//! assert_eq!(stdlib::dates::month_of(stdlib::dates::parse_date("2026-12-07")?), "2026-12");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(all(target_arch = "wasm32", feature = "component"))]
mod component;
pub mod dates;
pub mod money;
