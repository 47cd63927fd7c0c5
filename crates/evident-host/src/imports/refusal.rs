//! `refusal` (0.3.0): a code and details for the error the current call is about to return.

use evident_types::{Bytes, GuestError};
use wasmtime::StoreContextMut;
use wasmtime::component::LinkerInstance;

use super::host_call_cost;
use crate::bindings::wit;
use crate::store::{self, StoreData};

/// Links `refuse`.
pub(super) fn link(instance: &mut LinkerInstance<'_, StoreData>) -> wasmtime::Result<()> {
    instance.func_wrap(
        "refuse",
        |mut store: StoreContextMut<'_, StoreData>, (error,): (wit::Error,)| {
            let bytes =
                error.code.len() + error.message.len() + error.details.as_ref().map_or(0, Vec::len);
            store::charge_fuel(&mut store, host_call_cost(bytes))?;
            store.data_mut().refusal = Some(GuestError {
                code: error.code,
                message: error.message,
                details: error.details.map(Bytes::from),
            });
            Ok(())
        },
    )?;
    Ok(())
}
