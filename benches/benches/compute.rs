//! A computing view (`guests/hash-chain`: SHA-256 chains over each event's data) as a component,
//! metered and not, beside the same code natively.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evident_benches::{Setup, cycle, runtime, sample_events, view};
use evident_guest_sdk::StateView as _;
use evident_types::{Parameters, State};
use hash_chain::Chains;

const EVENTS: usize = 10_000;

fn computing(c: &mut Criterion) {
    let events = cycle(&sample_events(), EVENTS);
    let parameters = Parameters::new();
    let metered_runtime = runtime(Setup::Default);
    let metered = view(&metered_runtime, "hash-chain");
    let unmetered_runtime = runtime(Setup::Unmetered);
    let unmetered = view(&unmetered_runtime, "hash-chain");
    let mut group = c.benchmark_group("hash chain 10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("native", |b| {
        b.iter(|| {
            let mut chains = Chains::initialize(&parameters).unwrap();
            for event in black_box(&events) {
                chains.reduce(&event.as_event_ref(), &parameters).unwrap();
            }
            chains
        })
    });
    for (name, view) in [
        ("component, metered", &metered),
        ("component, unmetered", &unmetered),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                view.fold(State::default(), black_box(&events), &parameters)
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, computing);
criterion_main!(benches);
