//! One call: `reduce` with a small and a 10 KiB state (on a kept instance and on a fresh one)
//! and `process`, each beside the same SDK code run natively.

use std::hint::black_box;

use bank_account::BankAccount;
use criterion::{Criterion, criterion_group, criterion_main};
use event_counter::EventCounts;
use evident_benches::{
    Setup, change, counter_state_of, native_per_event, runtime, sample_events, view,
};
use evident_guest_sdk::{change as native_change, view as native_view};
use evident_types::{Command, Parameters, State};

fn reduce(c: &mut Criterion) {
    let events = sample_events();
    let event = &events[100];
    let parameters = Parameters::new();
    let runtime = runtime(Setup::Default);
    let counter = view(&runtime, "event-counter");
    let states = [
        ("small state", native_per_event(&events[..100], &parameters)),
        ("10 KiB state", counter_state_of(10 << 10)),
    ];
    for (label, state) in &states {
        let mut group = c.benchmark_group(format!("reduce, {label}"));
        group.bench_function("native", |b| {
            b.iter(|| native_view::reduce::<EventCounts>(black_box(state), event, &parameters))
        });
        let mut instance = counter.instance().unwrap();
        group.bench_function("component, kept instance", |b| {
            b.iter(|| {
                instance
                    .reduce(black_box(state), event, &parameters)
                    .unwrap()
            })
        });
        let mut streamed = (*state).clone();
        group.bench_function(
            "component, kept instance, given the state it returned",
            |b| b.iter(|| streamed = instance.reduce(&streamed, event, &parameters).unwrap()),
        );
        group.bench_function("component, fresh instance", |b| {
            b.iter(|| {
                counter
                    .reduce(black_box(state), event, &parameters)
                    .unwrap()
            })
        });
        group.finish();
    }
}

fn process(c: &mut Criterion) {
    let parameters = Parameters::new();
    let runtime = runtime(Setup::Default);
    let bank = change(&runtime, "bank-account");
    let open = Command::json(&serde_json::json!({
        "type": "open", "account_id": "a-1", "owner": "Ada"
    }))
    .unwrap();
    let state = State::default();
    let mut group = c.benchmark_group("process");
    group.bench_function("native", |b| {
        b.iter(|| native_change::process::<BankAccount>(black_box(&state), &open, &parameters))
    });
    group.bench_function("component, fresh instance", |b| {
        b.iter(|| bank.process(black_box(&state), &open, &parameters).unwrap())
    });
    group.finish();
}

criterion_group!(benches, reduce, process);
criterion_main!(benches);
