//! `frame-progress` (0.3.0): which event of a frame the guest is at (see `store::Meter`).

use wasmtime::StoreContextMut;
use wasmtime::component::LinkerInstance;

use crate::store::{self, StoreData};

/// Links `begin-event`.
pub(super) fn link(instance: &mut LinkerInstance<'_, StoreData>) -> wasmtime::Result<()> {
    instance.func_wrap(
        "begin-event",
        |store: StoreContextMut<'_, StoreData>, (): ()| store::begin_event(store),
    )?;
    Ok(())
}
