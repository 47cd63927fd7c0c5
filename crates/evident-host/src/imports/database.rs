//! `database` (0.4.0): the log and the materialized views as a decision reads them. Only a
//! database decider may import it (`component::DATABASE_DECIDER`), so a view never reads the
//! database and no read can call back into a decision. The work is done by the decision's
//! [`Session`](crate::database::Session); this module charges it to the guest's fuel.

use wasmtime::StoreContextMut;
use wasmtime::component::{LinkerInstance, Resource, ResourceType};

use super::{FUEL_PER_HOST_CALL, host_call_cost};
use crate::bindings::wit;
use crate::bindings::wit_database::Query;
use crate::database::{DatabaseResource, Session};
use crate::store::{self, StoreData};

type This = Resource<DatabaseResource>;

/// Links the `database` resource and its methods.
pub(super) fn link(instance: &mut LinkerInstance<'_, StoreData>) -> wasmtime::Result<()> {
    // The host hands a decision a borrow of a handle it owns; there is nothing to free.
    instance.resource(
        "database",
        ResourceType::host::<DatabaseResource>(),
        |_, _| Ok(()),
    )?;
    instance.func_wrap(
        "[method]database.revision",
        |mut store: StoreContextMut<'_, StoreData>, (_this,): (This,)| {
            store::charge_fuel(&mut store, FUEL_PER_HOST_CALL)?;
            Ok((session(&mut store)?.revision(),))
        },
    )?;
    instance.func_wrap(
        "[method]database.query-events",
        |mut store: StoreContextMut<'_, StoreData>,
         (_this, query, after, limit): (This, Query, u64, u32)| {
            store::charge_fuel(&mut store, FUEL_PER_HOST_CALL)?;
            let (events, bytes) = session(&mut store)?.query_events(query, after, limit)?;
            store::charge_fuel(&mut store, host_call_cost(bytes))?;
            Ok((events,))
        },
    )?;
    instance.func_wrap(
        "[method]database.view-state",
        |mut store: StoreContextMut<'_, StoreData>,
         (_this, name, version, parameters): (
            This,
            String,
            Option<String>,
            Vec<(String, String)>,
        )| {
            store::charge_fuel(&mut store, FUEL_PER_HOST_CALL)?;
            let read = session(&mut store)?.view_state(&name, version.as_deref(), parameters)?;
            let Some((state, fuel)) = read else {
                return Ok((None::<wit::State>,));
            };
            store::charge_fuel(
                &mut store,
                fuel.saturating_add(host_call_cost(state.bytes.len())),
            )?;
            Ok((Some(state),))
        },
    )?;
    Ok(())
}

/// The decision's session, or a trap if the store is not running a decision (it always is: only
/// deciders import `database`, and the host opens a session before each `decide`).
fn session<'s>(store: &'s mut StoreContextMut<'_, StoreData>) -> wasmtime::Result<&'s mut Session> {
    store
        .data_mut()
        .database
        .as_mut()
        .ok_or_else(|| wasmtime::format_err!("`database` was called outside a decision"))
}
