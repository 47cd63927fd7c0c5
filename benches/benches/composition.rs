//! What composition costs: `guests/money-view` composed with `guests/stdlib` (as `evident
//! compose` does it, with wac-graph), each parse, sum and date a call from one component
//! instance into the other, against its twin `guests/money-view-inline` (the same source with
//! the stdlib crate linked in), both folding the same 50,000 events of
//! `guests/money-view/events.jsonl` in frames; natively beside them.
//!
//! `cargo bench -p evident-benches --bench composition`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evident_benches::{Setup, cycle, runtime, view};
use evident_guest_sdk::StateView as _;
use evident_host::{Limits, StateView};
use evident_testkit::guests::{component_bytes, workspace_root};
use evident_types::{Event, Parameters, State, read_json_lines};
use money_view::MoneyTotals;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};

const EVENTS: usize = 50_000;

/// The sample events of `guests/money-view`.
fn money_events() -> Vec<Event> {
    let path = workspace_root().join("guests/money-view/events.jsonl");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_json_lines(std::io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `guests/money-view` with its `evident:stdlib` imports plugged by `guests/stdlib`.
fn composed() -> Vec<u8> {
    let bytes = |name| component_bytes(name).unwrap_or_else(|e| panic!("{e}"));
    let mut graph = CompositionGraph::new();
    let socket = Package::from_bytes("socket", None, bytes("money-view"), graph.types_mut())
        .and_then(|package| Ok(graph.register_package(package)?))
        .unwrap_or_else(|e| panic!("{e:#}"));
    let plug = Package::from_bytes("stdlib", None, bytes("stdlib"), graph.types_mut())
        .and_then(|package| Ok(graph.register_package(package)?))
        .unwrap_or_else(|e| panic!("{e:#}"));
    wac_graph::plug(&mut graph, vec![plug], socket).unwrap_or_else(|e| panic!("{e}"));
    graph
        .encode(EncodeOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn fold(view: &StateView, events: &[Event]) -> State {
    view.fold(State::default(), events, &Parameters::new())
        .unwrap_or_else(|e| panic!("{e}"))
        .state
}

fn composed_against_inline(c: &mut Criterion) {
    let events = cycle(&money_events(), EVENTS);
    let parameters = Parameters::new();
    let runtime = runtime(Setup::Default);
    // A composition has one memory per component; the host's default limit is one memory.
    let two_memories = Limits {
        memories: 2,
        ..Limits::default()
    };
    let composed = runtime
        .load("money-view+stdlib", &composed())
        .view()
        .unwrap_or_else(|e| panic!("{e}"))
        .with_limits(two_memories);
    let inline = view(&runtime, "money-view-inline").with_limits(two_memories);
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("guests/money-view/events.expected.json"))
            .unwrap(),
    )
    .unwrap();
    let totals = fold(&composed, &money_events());
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&totals.bytes).unwrap(),
        expected,
        "the composed view folds the sample events to their expected totals"
    );
    assert_eq!(
        fold(&composed, &events).bytes,
        fold(&inline, &events).bytes,
        "the composed view and its inline twin agree"
    );

    interleaved(&inline, &composed, &events);

    let mut group = c.benchmark_group("fold 50k money events in frames");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("native, in memory", |b| {
        b.iter(|| {
            let mut totals = MoneyTotals::initialize(&parameters).unwrap();
            for event in black_box(&events) {
                totals.reduce(&event.as_event_ref(), &parameters).unwrap();
            }
            totals
        })
    });
    group.bench_function("component, stdlib linked in (money-view-inline)", |b| {
        b.iter(|| fold(&inline, black_box(&events)))
    });
    group.bench_function(
        "composed component, stdlib imported (money-view + stdlib)",
        |b| b.iter(|| fold(&composed, black_box(&events))),
    );
    group.finish();
}

/// Prints the events/s of each view and their ratio as medians of 15 interleaved rounds (as
/// `bench-report` measures ratios), so a slow spell of the machine falls on both.
fn interleaved(inline: &StateView, composed: &StateView, events: &[Event]) {
    let round = |view: &StateView| {
        let start = Instant::now();
        black_box(fold(view, events));
        events.len() as f64 / start.elapsed().as_secs_f64()
    };
    let (mut inline_rates, mut composed_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..15 {
        let (inline_rate, composed_rate) = (round(inline), round(composed));
        inline_rates.push(inline_rate);
        composed_rates.push(composed_rate);
        ratios.push(composed_rate / inline_rate);
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!(
        "interleaved medians of 15 rounds of {} events: inline {:.0} ev/s, composed {:.0} ev/s, composed/inline {:.2}x",
        events.len(),
        median(inline_rates),
        median(composed_rates),
        median(ratios)
    );
}

criterion_group!(benches, composed_against_inline);
criterion_main!(benches);
