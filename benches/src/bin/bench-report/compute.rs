//! A view whose work is computation (SHA-256 chains over each event's data, and a map update),
//! as a component and natively: how close to native a component computes, metered and not.

use std::hint::black_box;
use std::time::Duration;

use anyhow::Result;
use evident_benches::{Setup, runtime, view};
use evident_guest_sdk::StateView as _;
use evident_types::{Event, Parameters, State};
use hash_chain::Chains;

use crate::measure::{Report, per_second, rate, time};

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report, events: &[Event]) -> Result<()> {
    report.section("computation (hash-chain: 16 rounds of SHA-256 per event)");
    let parameters = Parameters::new();
    let run_native = || {
        time(|| {
            let mut chains = Chains::initialize(&parameters).unwrap();
            for event in events {
                chains.reduce(&event.as_event_ref(), &parameters).unwrap();
            }
            black_box(chains)
        })
        .0
    };
    let metered_runtime = runtime(Setup::Default);
    let unmetered_runtime = runtime(Setup::Unmetered);
    let fold = |chains: &evident_host::StateView| {
        time(|| {
            chains
                .fold(State::default(), events, &parameters)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .0
    };
    let metered_view = view(&metered_runtime, "hash-chain");
    let unmetered_view = view(&unmetered_runtime, "hash-chain");
    // The three take turns, round after round, so a slow spell of the machine falls on all of
    // them; each keeps its fastest round.
    let (mut native_best, mut metered, mut unmetered) =
        (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..9 {
        native_best = native_best.min(run_native());
        metered = metered.min(fold(&metered_view));
        unmetered = unmetered.min(fold(&unmetered_view));
    }
    let native = native_best;
    let evps = |d| per_second(events.len(), d);
    let ratio = |d| evps(d) / evps(native);
    report.row(
        "fold in frames, default metering / unmetered",
        format!("{} / {}", rate(evps(metered)), rate(evps(unmetered))),
        rate(evps(native)),
        format!(
            "{:.2}× / {:.2}× native (targets 0.85× / 0.9×)",
            ratio(metered),
            ratio(unmetered)
        ),
    );
    report.key("compute_ratio_metered", ratio(metered));
    report.key("compute_ratio_unmetered", ratio(unmetered));
    report.key("compute_native_evps", evps(native));
    Ok(())
}
