//! Components loaded and run: refused with an error, or loaded and every call ending in a value
//! or a typed error, never a panic.
//!
//! Bytes mutated at random are almost never a component, and the sample guests' components (a
//! few executions a second as seeds: hundreds of kilobytes to megabytes, each compiled anew) are
//! too big to mutate, so most inputs are turned by `wasm-smith` into a valid core module with
//! the exports of an Evident world's canonical ABI (and some of its imports) and made into a
//! component by `wit-component`: they pass validation and the load-time checks, reach Cranelift,
//! and are called under small limits. The first byte picks the world (a view, a change, or a
//! decider, which is both); below 32 it says to load the bytes after it as they are.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Unstructured;
use evident_host::{Limits, Runtime, RuntimeConfig, StateChange, StateView};
use evident_types::{Command, Event, Parameters, State};
use libfuzzer_sys::fuzz_target;
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::{ManglingAndAbi, Resolve, WorldId};

/// The worlds generated components target, by what the host loads them as.
#[derive(Clone, Copy)]
enum Kind {
    View,
    Change,
    Decider,
}

impl Kind {
    fn world(self) -> &'static str {
        match self {
            Kind::View => "state-view-basic",
            Kind::Change => "state-change-component",
            Kind::Decider => "decider-component",
        }
    }
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(RuntimeConfig {
            // Small enough that a generated loop or allocation ends in milliseconds.
            limits: Limits {
                fuel: 200_000,
                memory_bytes: 4 << 20,
                ..Limits::default()
            },
            pooled_instances: Some(4),
            ..RuntimeConfig::default()
        })
        .expect("runtime")
    })
}

/// The WIT package, and per kind its world and a core module with exactly the world's imports
/// and exports (the shape `wasm-smith` fills in).
struct Worlds {
    resolve: Resolve,
    worlds: [(WorldId, Vec<u8>); 3],
}

fn worlds() -> &'static Worlds {
    static WORLDS: OnceLock<Worlds> = OnceLock::new();
    WORLDS.get_or_init(|| {
        let mut resolve = Resolve::new();
        let package = resolve
            .push_str("evident.wit", include_str!("../../wit/evident.wit"))
            .expect("the WIT package parses");
        let worlds = [Kind::View, Kind::Change, Kind::Decider].map(|kind| {
            let world = resolve
                .select_world(&[package], Some(kind.world()))
                .expect("the world exists");
            let shape = wit_component::dummy_module(
                &resolve,
                world,
                ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync),
            );
            (world, shape)
        });
        Worlds { resolve, worlds }
    })
}

/// A component of `kind`'s world whose core module `wasm-smith` makes from `u`.
fn component(kind: Kind, u: &mut Unstructured<'_>) -> Option<Vec<u8>> {
    let Worlds { resolve, worlds } = worlds();
    let (world, shape) = &worlds[kind as usize];
    let mut config = wasm_smith::Config {
        available_imports: Some(shape.clone()),
        exports: Some(shape.clone()),
        // What the host's engine accepts (no threads, GC, exceptions, 64-bit memories).
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        max_memory32_bytes: 2 << 20,
        max_funcs: 20,
        max_instructions: 200,
        ..wasm_smith::Config::default()
    };
    config.max_memories = 1;
    let mut module = wasm_smith::Module::new(config, u).ok()?.to_bytes();
    wit_component::embed_component_metadata(&mut module, resolve, *world, StringEncoding::UTF8)
        .expect("the world's metadata embeds");
    // A module `wasm-smith` made to the world's shape can still be refused (a memory without
    // the size the canonical ABI wants, say): such inputs end here.
    ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .ok()?
        .encode()
        .ok()
}

/// Calls every function of a loaded view: from the initial state, one event, then a fold.
fn run_view(view: &StateView) {
    let parameters = Parameters::new();
    let event = Event::new("1", "/fuzz", "fuzzed");
    let state = view.initialize(&parameters).unwrap_or_default();
    let _ = view.reduce(&state, &event, &parameters);
    let _ = view.fold(state, [&event, &event, &event], &parameters);
}

/// Calls every function of a loaded change, with an empty state and command.
fn run_change(change: &StateChange) {
    let command = Command::new("application/json", &b"{}"[..]);
    let _ = change.process(&State::default(), &command, &Parameters::new());
    let _ = change.validate(&State::default(), &command);
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    if first < 32 {
        if let Ok(view) = runtime().load("fuzz", rest).view() {
            run_view(&view);
        }
        if let Ok(change) = runtime().load("fuzz", rest).change() {
            run_change(&change);
        }
        return;
    }
    let kind = [Kind::View, Kind::Change, Kind::Decider][usize::from(first % 3)];
    let Some(bytes) = component(kind, &mut Unstructured::new(rest)) else {
        return;
    };
    // Loading a component of the world's shape may still fail (the host's own checks), but
    // never with a panic.
    match kind {
        Kind::View => {
            if let Ok(view) = runtime().load("fuzz", &bytes).view() {
                run_view(&view);
            }
        }
        Kind::Change => {
            if let Ok(change) = runtime().load("fuzz", &bytes).change() {
                run_change(&change);
            }
        }
        Kind::Decider => {
            if let Ok(decider) = runtime().load("fuzz", &bytes).decider() {
                run_view(decider.view());
                run_change(decider.change());
            }
        }
    }
});
