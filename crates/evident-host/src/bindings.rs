//! Host bindings generated from `wit/`, the one source of truth.

#![allow(missing_docs)]

pub(crate) mod view {
    wasmtime::component::bindgen!({
        world: "state-view-component",
        path: "../../wit",
    });
}

pub(crate) mod change {
    wasmtime::component::bindgen!({
        world: "state-change-component",
        path: "../../wit",
        with: {
            "evident:db/types": crate::bindings::view::evident::db::types,
            "evident:db/logging": crate::bindings::view::evident::db::logging,
        },
    });
}

pub(crate) use view::evident::db::logging;
pub(crate) use view::evident::db::types as wit;
pub(crate) use view::exports::evident::db::state_view_batch::BatchError;
