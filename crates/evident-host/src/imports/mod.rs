//! What the host grants a component: the interfaces of [`IMPORTS`], each linked by its own
//! module for every served release that has it. Nothing else is linked, so anything else a
//! component imports fails the load-time check. Every call of an import is charged to the
//! calling guest's fuel: [`FUEL_PER_HOST_CALL`], and one unit per byte it hands the host.
//!
//! The imports are linked by hand, not with `bindgen!`'s `add_to_linker`: one function serves
//! every release that has an interface (a release never changes one), where generated code
//! would link each release's world separately. `bindgen!` still provides the types.

use wasmtime::component::{Linker, LinkerInstance};

use crate::component::WIT_VERSIONS;
use crate::store::StoreData;

mod database;
mod frame_progress;
mod logging;
mod refusal;

#[cfg(feature = "wasi")]
pub(crate) use logging::Admitted;
pub(crate) use logging::LineBudget;
pub use logging::{MAX_LOG_LINE_BYTES, MAX_LOG_LINES_PER_CALL};

/// One interface of `evident:db` the host grants.
pub(crate) struct Import {
    /// Its name without release: `evident:db/logging`.
    pub(crate) interface: &'static str,
    /// The release that added it.
    since: &'static str,
    /// Whether only database deciders may import it (views stay pure).
    pub(crate) deciders_only: bool,
    /// Links its functions into the interface's instance of one release.
    link: fn(&mut LinkerInstance<'_, StoreData>) -> wasmtime::Result<()>,
}

/// Every interface the host grants: the one list linking and the load-time check derive from.
pub(crate) const IMPORTS: [Import; 6] = [
    // Records only: nothing to link.
    Import {
        interface: "evident:db/types",
        since: "0.1.0",
        deciders_only: false,
        link: |_| Ok(()),
    },
    Import {
        interface: "evident:db/logging",
        since: "0.1.0",
        deciders_only: false,
        link: logging::link,
    },
    Import {
        interface: "evident:db/refusal",
        since: "0.3.0",
        deciders_only: false,
        link: refusal::link,
    },
    Import {
        interface: "evident:db/frame-progress",
        since: "0.3.0",
        deciders_only: false,
        link: frame_progress::link,
    },
    Import {
        interface: "evident:db/database",
        since: "0.4.0",
        deciders_only: true,
        link: database::link,
    },
    // Records only (the frame forms' errors of validators and transforms): nothing to link.
    Import {
        interface: "evident:db/frame-errors",
        since: "0.5.0",
        deciders_only: false,
        link: |_| Ok(()),
    },
];

/// Fuel every call of a host import costs (`log`, `refuse`, `begin-event`, and in the WASI mode
/// each write to stdout or stderr), besides one unit per byte it hands the host: what it costs
/// the host is charged to the guest, so a guest cannot burn host time cheaply in fuel.
pub const FUEL_PER_HOST_CALL: u64 = 1_000;

/// Fuel a `log` call costs, besides one unit per byte of its message: [`FUEL_PER_HOST_CALL`],
/// as for every import.
pub const FUEL_PER_LOG_CALL: u64 = FUEL_PER_HOST_CALL;

/// The fuel a host call handing the host `bytes` bytes costs.
pub(crate) fn host_call_cost(bytes: usize) -> u64 {
    FUEL_PER_HOST_CALL.saturating_add(u64::try_from(bytes).unwrap_or(u64::MAX))
}

/// Links every import of [`IMPORTS`] for every served release that has it.
pub(crate) fn link(linker: &mut Linker<StoreData>) -> wasmtime::Result<()> {
    for version in WIT_VERSIONS {
        for import in IMPORTS
            .iter()
            .filter(|import| version_at_least(version, import.since))
        {
            let mut instance = linker.instance(&format!("{}@{version}", import.interface))?;
            (import.link)(&mut instance)?;
        }
    }
    Ok(())
}

/// Whether release `version` is `at_least` or newer (both `major.minor.patch`).
pub(crate) fn version_at_least(version: &str, at_least: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(version) >= parts(at_least)
}
