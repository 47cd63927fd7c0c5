//! Getting a component ready: compiling it, loading a precompiled artifact, and instantiating
//! it on demand, from the pool, through `InstancePre`, and through the host's own API; the bare
//! Wasmtime lines show what the host adds.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use evident_benches::{Setup, runtime, view};
use evident_testkit::guests::component_bytes;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

fn compile_and_load(c: &mut Criterion) {
    let bytes = component_bytes("event-counter").unwrap();
    let runtime = runtime(Setup::Default);
    let artifact_dir = tempfile_dir();
    let artifact = artifact_dir.join("event-counter.cwasm");
    std::fs::write(
        &artifact,
        runtime.precompile("event-counter", &bytes).unwrap(),
    )
    .unwrap();

    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("compile (Cranelift)", |b| {
        b.iter(|| {
            runtime
                .load("event-counter", black_box(&bytes))
                .view()
                .unwrap()
        })
    });
    group.bench_function("AOT artifact", |b| {
        b.iter(|| {
            // SAFETY: the artifact was written just above by this runtime.
            #[allow(unsafe_code)]
            unsafe {
                runtime
                    .load_precompiled(black_box(&artifact))
                    .view()
                    .unwrap()
            }
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(artifact_dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("evident-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A bare Wasmtime engine, component model only, as a user without this host would set it up.
fn bare_engine(pooling: bool) -> Engine {
    let mut config = Config::new();
    config.wasm_component_model(true);
    if pooling {
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(
            PoolingAllocationConfig::new(),
        ));
    }
    Engine::new(&config).unwrap()
}

fn instantiate(c: &mut Criterion) {
    let bytes = component_bytes("event-counter").unwrap();
    let mut group = c.benchmark_group("instantiate");

    for (name, pooling) in [
        ("bare wasmtime, on demand", false),
        ("bare wasmtime, pooling", true),
    ] {
        let engine = bare_engine(pooling);
        let component = Component::new(&engine, &bytes).unwrap();
        let mut linker = Linker::<()>::new(&engine);
        linker.define_unknown_imports_as_traps(&component).unwrap();
        let pre = linker.instantiate_pre(&component).unwrap();
        group.bench_function(format!("{name}, Linker::instantiate"), |b| {
            b.iter(|| {
                let mut store = Store::new(&engine, ());
                black_box(linker.instantiate(&mut store, &component).unwrap());
            })
        });
        group.bench_function(format!("{name}, InstancePre"), |b| {
            b.iter(|| {
                let mut store = Store::new(&engine, ());
                black_box(pre.instantiate(&mut store).unwrap());
            })
        });
    }
    for (name, setup) in [
        ("evident, on demand", Setup::OnDemand),
        ("evident, pooling + InstancePre (default)", Setup::Default),
    ] {
        let runtime = runtime(setup);
        let counter = view(&runtime, "event-counter");
        group.bench_function(name, |b| b.iter(|| black_box(counter.instance().unwrap())));
    }
    group.finish();
}

criterion_group!(benches, compile_and_load, instantiate);
criterion_main!(benches);
