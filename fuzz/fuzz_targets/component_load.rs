//! Any bytes loaded as a state view: refused with an error or loaded, never a panic. Inputs that
//! start like a component get furthest (seed the corpus with the sample guests' components).
#![no_main]

use std::sync::OnceLock;

use evident_host::{Runtime, RuntimeConfig};
use libfuzzer_sys::fuzz_target;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(RuntimeConfig::default()).expect("runtime"))
}

fuzz_target!(|data: &[u8]| {
    let _ = runtime().load_view("fuzz", data);
    let _ = runtime().load_change("fuzz", data);
});
