//! The WIT types of the newest release, generated from the crate's copy of `wit/` (the one
//! source of truth; a test checks the copy is the same). The imports are linked by hand in
//! `imports`, for every release at once, so only the generated types and export signatures
//! are used: one hand-written path for every release's imports, not a generated one per world.

#![allow(missing_docs)]

wasmtime::component::bindgen!({
    world: "decider-component",
    path: "wit",
});

/// The `database-decider` world of 0.4.0: its records, sharing the types above.
pub(crate) mod database_decider {
    wasmtime::component::bindgen!({
        world: "database-decider",
        path: "wit",
        with: {
            "evident:db/types": super::evident::db::types,
            "evident:db/logging": super::evident::db::logging,
            "evident:db/refusal": super::evident::db::refusal,
            "evident:db/database.database": crate::database::DatabaseResource,
        },
    });
}

/// The `validator-component` world of 0.5.0, sharing the types above.
pub(crate) mod validator_component {
    wasmtime::component::bindgen!({
        world: "validator-component",
        path: "wit",
        with: {
            "evident:db/types": super::evident::db::types,
            "evident:db/logging": super::evident::db::logging,
        },
    });
}

/// The `transform-component` world of 0.5.0, sharing the types above and `frame-errors`.
pub(crate) mod transform_component {
    wasmtime::component::bindgen!({
        world: "transform-component",
        path: "wit",
        with: {
            "evident:db/types": super::evident::db::types,
            "evident:db/logging": super::evident::db::logging,
            "evident:db/frame-errors": super::validator_component::evident::db::frame_errors,
        },
    });
}

pub(crate) use database_decider::evident::db::database as wit_database;
pub(crate) use database_decider::exports::evident::db::decider as wit_decider;
pub(crate) use evident::db::logging::LogLevel;
pub(crate) use evident::db::types as wit;
pub(crate) use exports::evident::db::state_view_batch::BatchError;
pub(crate) use validator_component::evident::db::frame_errors::FrameError;
