//! Folds of 100,000 events: one `reduce` per event against frames, a 100 B against a 1 MiB
//! state, metering on and off, one thread against two; natively beside each.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use event_counter::EventCounts;
use evident_benches::{
    Setup, counter_state_of, cycle, native_in_memory, native_per_event, runtime, sample_events,
    view,
};
use evident_host::{Limits, StateView};
use evident_types::{Event, Parameters, State};

const EVENTS: usize = 100_000;

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(EVENTS as u64));
    group
}

fn fold(view: &StateView, state: &State, events: &[Event]) -> State {
    view.fold(state.clone(), events, &Parameters::new())
        .unwrap_or_else(|e| panic!("{e}"))
        .state
}

fn per_event_and_batched(c: &mut Criterion) {
    let events = cycle(&sample_events(), EVENTS);
    let parameters = Parameters::new();
    let per_event_runtime = runtime(Setup::PerEvent);
    let per_event = view(&per_event_runtime, "event-counter");
    let default = runtime(Setup::Default);
    let batched = view(&default, "event-counter");

    let mut group = group(c, "fold 100k");
    group.bench_function("native, in memory", |b| {
        b.iter(|| native_in_memory(black_box(&events), &parameters))
    });
    group.bench_function("native, decode+encode per event", |b| {
        b.iter(|| native_per_event(black_box(&events), &parameters))
    });
    group.bench_function("component, one reduce per event", |b| {
        b.iter(|| fold(&per_event, &State::default(), black_box(&events)))
    });
    group.bench_function("component, frames", |b| {
        b.iter(|| fold(&batched, &State::default(), black_box(&events)))
    });
    group.finish();
}

fn state_size(c: &mut Criterion) {
    let events = cycle(&sample_events(), EVENTS);
    let parameters = Parameters::new();
    let default = runtime(Setup::Default);
    // Decoding 1 MiB of JSON takes more than the default 100 M fuel.
    let counter = view(&default, "event-counter").with_limits(Limits {
        fuel: 10_000_000_000,
        ..Limits::default()
    });
    let mut group = group(c, "fold 100k in frames, by state size");
    for (label, state) in [
        ("100 B", native_per_event(&events[..10], &parameters)),
        ("1 MiB", counter_state_of(1 << 20)),
    ] {
        let counts: EventCounts = serde_json::from_slice(&state.bytes).unwrap();
        group.bench_function(format!("native in memory, {label}"), |b| {
            b.iter(|| {
                let mut counts = counts.clone();
                for event in &events {
                    evident_guest_sdk::StateView::reduce(
                        &mut counts,
                        &event.as_event_ref(),
                        &parameters,
                    )
                    .unwrap();
                }
                counts
            })
        });
        group.bench_function(format!("component, {label}"), |b| {
            b.iter(|| fold(&counter, &state, black_box(&events)))
        });
    }
    group.finish();
}

fn metering(c: &mut Criterion) {
    let events = cycle(&sample_events(), EVENTS);
    let mut group = group(c, "fold 100k in frames, metering");
    for (label, setup) in [
        ("fuel only (default)", Setup::Default),
        ("fuel + epochs", Setup::FuelAndEpochs),
        ("epochs only", Setup::EpochOnly),
        ("neither", Setup::Unmetered),
    ] {
        let runtime = runtime(setup);
        let counter = view(&runtime, "event-counter");
        group.bench_function(label, |b| {
            b.iter(|| fold(&counter, &State::default(), black_box(&events)))
        });
    }
    group.finish();
}

fn threads(c: &mut Criterion) {
    let events = cycle(&sample_events(), EVENTS);
    let default = runtime(Setup::Default);
    let counter = view(&default, "event-counter");
    let mut group = group(c, "fold 100k in frames, threads");
    for threads in [1, 2] {
        group.throughput(Throughput::Elements((threads * EVENTS) as u64));
        group.bench_function(format!("{threads} thread(s), one runtime"), |b| {
            b.iter(|| {
                std::thread::scope(|scope| {
                    for _ in 0..threads {
                        scope.spawn(|| fold(&counter, &State::default(), &events));
                    }
                })
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    per_event_and_batched,
    state_size,
    metering,
    threads
);
criterion_main!(benches);
