//! `reduce` per call and a fold of 1,000 events: the event counter natively and as a component.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use event_counter::EventCounts;
use evident_guest_sdk::view;
use evident_testkit::guests;
use evident_types::{Parameters, State};

fn reduce_per_call(c: &mut Criterion) {
    let events = evident_benches::sample_events();
    let event = &events[0];
    let parameters = Parameters::new();
    let component = guests::load_view("event-counter").unwrap_or_else(|e| panic!("{e}"));
    let state = view::initialize::<EventCounts>(&parameters).unwrap();

    let mut group = c.benchmark_group("reduce per call");
    group.bench_function("native", |b| {
        b.iter(|| {
            view::reduce::<EventCounts>(black_box(&state), black_box(event), &parameters).unwrap()
        })
    });
    group.bench_function("component", |b| {
        b.iter(|| {
            component
                .reduce(black_box(&state), black_box(event), &parameters)
                .unwrap()
        })
    });
    group.finish();
}

fn fold_1000(c: &mut Criterion) {
    let events = &evident_benches::sample_events()[..1000];
    let parameters = Parameters::new();
    let component = guests::load_view("event-counter").unwrap_or_else(|e| panic!("{e}"));

    let mut group = c.benchmark_group("fold 1000 events");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("native", |b| {
        b.iter(|| {
            events.iter().fold(State::default(), |state, event| {
                view::reduce::<EventCounts>(&state, event, &parameters).unwrap()
            })
        })
    });
    group.bench_function("component", |b| {
        b.iter(|| {
            component
                .fold(State::default(), events, &parameters)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, reduce_per_call, fold_1000);
criterion_main!(benches);
