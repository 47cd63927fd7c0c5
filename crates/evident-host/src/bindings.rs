//! The WIT types of the newest release, generated from the crate's copy of `wit/` (the one
//! source of truth; a test checks the copy is the same). The imports are linked by hand in
//! `imports`, for every release at once.

#![allow(missing_docs)]

wasmtime::component::bindgen!({
    world: "decider-component",
    path: "wit",
});

pub(crate) use evident::db::logging::LogLevel;
pub(crate) use evident::db::types as wit;
pub(crate) use exports::evident::db::state_view_batch::BatchError;
