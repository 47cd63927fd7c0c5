//! The event counter in every guest language: component size, instantiation, one call per
//! event against frames, and a 1 MiB state against a small one.

use std::hint::black_box;
use std::time::Duration;

use anyhow::Result;
use evident_benches::{Setup, counter_state_of, runtime, view_any};
use evident_host::{FoldConfig, Limits, StateView};
use evident_testkit::guests::{self, Language};
use evident_types::{Event, Parameters, State};
use serde_json::json;

use crate::measure::{Report, best, micros, per_call, per_second, rate, time};

/// The event counter of every language, `(label, guest)`: the label is the language's variant
/// lower-cased (`javascript`, `cpp`), as earlier reports have it; the guest is `event-counter`
/// for Rust, `<language's name>-event-counter` for the others.
fn counters() -> impl Iterator<Item = (String, String)> {
    Language::ALL.into_iter().map(|language| {
        (
            format!("{language:?}").to_lowercase(),
            guests::in_language(language, "event-counter"),
        )
    })
}

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report, events: &[Event]) -> Result<()> {
    report.section("the event counter in every language");
    let default = runtime(Setup::Default);
    let parameters = Parameters::new();
    let big = counter_state_of(1 << 20);
    let mut languages = Vec::new();
    for (language, guest) in counters() {
        let guest = guest.as_str();
        let Some(counter) = view_any(&default, guest) else {
            report.row(
                format!("{language}: toolchain missing"),
                "-",
                "-",
                "skipped",
            );
            continue;
        };
        // Slow per-event folds get fewer events; rates compare.
        let limits = counter.limits();
        let counter = counter.with_limits(Limits {
            fuel: 50_000_000_000,
            ..limits
        });
        let per_event_view = counter.clone().with_fold_config(FoldConfig {
            frame_events: 1,
            ..counter.fold_config()
        });
        let fold = |view: &StateView, state: &State, events: &[Event]| {
            time(|| {
                view.fold(state.clone(), events, &parameters)
                    .unwrap_or_else(|e| panic!("{guest}: {e}"))
            })
            .0
        };
        let probe = fold(&per_event_view, &State::default(), &events[..2_000]);
        let per_event_count = events_for(probe, 2_000, events.len());
        let per_event = best(3, || {
            fold(
                &per_event_view,
                &State::default(),
                &events[..per_event_count],
            )
        });
        let framed = best(3, || fold(&counter, &State::default(), events));
        // The marginal cost of an event with a 1 MiB state: all events less one.
        let big_all = best(3, || fold(&counter, &big, events));
        let big_one = best(3, || fold(&counter, &big, &events[..1]));
        let small_one = best(3, || fold(&counter, &State::default(), &events[..1]));
        let small = per_second(events.len(), framed.saturating_sub(small_one));
        let large = per_second(events.len(), big_all.saturating_sub(big_one));
        let instantiate = per_call(|| drop(black_box(counter.instance().unwrap())));
        let size = evident_benches::component_size(guest);
        let per_event_evps = per_second(per_event_count, per_event);
        let framed_evps = per_second(events.len(), framed);
        report.row(
            format!("{language}: per event / frames"),
            format!("{} / {}", rate(per_event_evps), rate(framed_evps)),
            "-",
            format!(
                "frames {:.1}× per event; 1 MiB state {:.2}× small; {:.2} MiB, instantiate {:.1} µs",
                framed_evps / per_event_evps,
                large / small,
                size as f64 / f64::from(1 << 20),
                micros(instantiate)
            ),
        );
        languages.push(json!({
            "language": language,
            "guest": guest,
            "component_bytes": size,
            "instantiate_us": micros(instantiate),
            "fold_per_event_evps": per_event_evps,
            "fold_batched_evps": framed_evps,
            "fold_batched_marginal_small_state_evps": small,
            "fold_batched_marginal_1mib_state_evps": large,
            "frames_over_per_event": framed_evps / per_event_evps,
            "big_state_over_small": large / small,
        }));
    }
    report.key("languages", languages);
    Ok(())
}

/// How many events a per-event fold gets so it takes about a second, given that `probe_count`
/// took `probe`.
fn events_for(probe: Duration, probe_count: usize, at_most: usize) -> usize {
    let rate = per_second(probe_count, probe);
    (rate as usize).clamp(probe_count, at_most)
}
