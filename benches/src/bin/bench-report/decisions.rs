//! Decisions of the bank account decider: from a snapshot and 10 events, and from 1,000 events
//! of history, on a fresh instance each (as production makes them), on one thread and two.

use std::time::{Duration, Instant};

use anyhow::Result;
use evident_benches::{Setup, runtime};
use evident_host::{Decider, Snapshot};
use evident_testkit::event_store::{EventStore, decide_and_append};
use evident_testkit::guests::component_bytes;
use evident_types::{Command, Event, Parameters};
use serde_json::json;

use crate::measure::{Report, rate};

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report) -> Result<()> {
    report.section("decisions (bank account, fresh instance per decision)");
    let default = runtime(Setup::Default);
    let bank = default
        .load("bank-account", &component_bytes("bank-account")?)
        .decider()?;
    let parameters = Parameters::new();
    let stream = history(&bank, 1_011)?;
    let snapshot = Snapshot {
        state: bank
            .view()
            .fold(Default::default(), &stream[..1_001], &parameters)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .state,
        position: 1_001,
    };
    let deposit = Command::json(&json!({"type": "deposit", "amount": 5}))?;
    let from_snapshot = || {
        bank.decide(snapshot.clone(), &stream[1_001..], &deposit, &parameters)
            .unwrap();
    };
    let from_history = || {
        bank.decide(Snapshot::default(), &stream[..1_000], &deposit, &parameters)
            .unwrap();
    };
    let snapshot_one = decisions_per_second(1, from_snapshot);
    let snapshot_two = decisions_per_second(2, from_snapshot);
    let history_one = decisions_per_second(1, from_history);
    let history_two = decisions_per_second(2, from_history);
    let per_second = |d: f64| rate(d).replace("ev/s", "decisions/s");
    report.row(
        "from a snapshot + 10 events, 1 / 2 threads",
        format!(
            "{} / {}",
            per_second(snapshot_one),
            per_second(snapshot_two)
        ),
        "-",
        "target ≥ 25 k decisions/s on one thread",
    );
    report.row(
        "from 1,000 events, 1 / 2 threads",
        format!("{} / {}", per_second(history_one), per_second(history_two)),
        "-",
        "",
    );
    report.key("decisions_per_second_snapshot", snapshot_one);
    report.key("decisions_per_second_snapshot_two_threads", snapshot_two);
    report.key("decisions_per_second_1000_events", history_one);
    report.key("decisions_per_second_1000_events_two_threads", history_two);
    Ok(())
}

/// An account opened and deposited into until its stream holds `events` events.
fn history(bank: &Decider, events: usize) -> Result<Vec<Event>> {
    let store = EventStore::new();
    let parameters = Parameters::new();
    let open = Command::json(&json!({"type": "open", "account_id": "a1", "owner": "Ann"}))?;
    decide_and_append(bank, &store, "a1", &open, &parameters, 1)?;
    let deposit = Command::json(&json!({"type": "deposit", "amount": 7}))?;
    while store.position("a1") < events as u64 {
        decide_and_append(bank, &store, "a1", &deposit, &parameters, 1)?;
    }
    Ok(store.read("a1"))
}

/// Decisions per second made by `threads` threads making them for about a second, best of 3.
fn decisions_per_second(threads: usize, decide: impl Fn() + Sync) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let made = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| {
                        while start.elapsed() < Duration::from_millis(800) {
                            decide();
                            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    });
                }
            });
            made.into_inner() as f64 / start.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}
