//! Folds of the event counter: one call per event against frames, natively beside each; where a
//! framed event's time goes; a 1 MiB state; what metering costs; async; two threads.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use event_counter::EventCounts;
use evident_benches::{
    Setup, by_type, counter_state_of, native_in_memory, native_per_event, runtime, view,
};
use evident_host::StateView;
use evident_types::frame::{FrameReader, FrameWriter};
use evident_types::{Event, Parameters, State};

use crate::measure::{Report, best, interleaved, micros, per_call, per_second, rate, time};

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report, events: &[Event], samples: &[Event]) -> Result<()> {
    report.section(&format!("folds of {} events (event counter)", events.len()));
    let parameters = Parameters::new();
    let fold = |view: &StateView, state: &State| {
        time(|| {
            view.fold(state.clone(), events, &parameters)
                .unwrap_or_else(|e| panic!("{e}"))
                .state
        })
    };
    let default = runtime(Setup::Default);
    let counter = view(&default, "event-counter");
    let per_event_runtime = runtime(Setup::PerEvent);
    let per_event = view(&per_event_runtime, "event-counter");
    let native_state = native_per_event(events, &parameters);
    ensure!(
        by_type(&fold(&per_event, &State::default()).1) == by_type(&native_state)
            && by_type(&fold(&counter, &State::default()).1) == by_type(&native_state),
        "the folds disagree"
    );
    let fold_per_event = best(5, || fold(&per_event, &State::default()).0);
    let native_per_event_time = best(5, || {
        time(|| black_box(native_per_event(events, &parameters))).0
    });
    // The headline ratio's two sides, and metering's four settings against the same
    // unmetered fold, each the median of interleaved rounds.
    let unmetered_runtime = runtime(Setup::Unmetered);
    let unmetered = view(&unmetered_runtime, "event-counter");
    let epoch_only_runtime = runtime(Setup::EpochOnly);
    let epoch_only = view(&epoch_only_runtime, "event-counter");
    let both_runtime = runtime(Setup::FuelAndEpochs);
    let both = view(&both_runtime, "event-counter");
    let [
        fold_batched,
        native_in_memory_time,
        fold_unmetered,
        fold_epoch_only,
        fold_both,
    ] = interleaved(
        11,
        [
            &mut || fold(&counter, &State::default()).0,
            &mut || time(|| black_box(native_in_memory(events, &parameters))).0,
            &mut || fold(&unmetered, &State::default()).0,
            &mut || fold(&epoch_only, &State::default()).0,
            &mut || fold(&both, &State::default()).0,
        ],
    );
    let evps = |d| per_second(events.len(), d);
    report.row(
        "fold, one reduce per event",
        rate(evps(fold_per_event)),
        rate(evps(native_per_event_time)),
        format!(
            "{:.2}× native per event",
            evps(fold_per_event) / evps(native_per_event_time)
        ),
    );
    report.row(
        "fold, in frames",
        rate(evps(fold_batched)),
        rate(evps(native_in_memory_time)),
        format!(
            "{:.2}× native in memory; {:.1}× one reduce per event",
            evps(fold_batched) / evps(native_in_memory_time),
            evps(fold_batched) / evps(fold_per_event)
        ),
    );
    report.key("fold_per_event_evps", evps(fold_per_event));
    report.key("fold_batched_evps", evps(fold_batched));
    report.key("native_per_event_evps", evps(native_per_event_time));
    report.key("native_in_memory_evps", evps(native_in_memory_time));
    report.key(
        "fold_batched_native_ratio",
        evps(fold_batched) / evps(native_in_memory_time),
    );

    // Where a framed event's time goes, natively: writing it into a frame (the host's part)
    // and reading it back (the SDK's part, here compiled natively).
    let mut writer = FrameWriter::new();
    let frame_write = best(5, || {
        time(|| {
            for chunk in events.chunks(1_000) {
                writer.clear();
                for event in chunk {
                    writer.push(event);
                }
                black_box(writer.as_bytes());
            }
        })
        .0
    });
    let frames: Vec<Vec<u8>> = events
        .chunks(1_000)
        .map(evident_types::frame::encode)
        .collect();
    // Read as a guest reads its host's frames (strings not checked again), and checked.
    let read = |checked: bool| {
        time(|| {
            for frame in &frames {
                let mut reader = if checked {
                    FrameReader::new(frame)
                } else {
                    // SAFETY: `frame::encode` wrote the frame from `Event`s, whose strings are
                    // `String`s.
                    #[allow(unsafe_code)]
                    unsafe {
                        FrameReader::new_unchecked(frame)
                    }
                }
                .unwrap();
                while let Some(event) = reader.next_event().unwrap() {
                    black_box(&event);
                }
            }
        })
        .0
    };
    let frame_read = best(5, || read(false));
    let frame_read_checked = best(5, || read(true));
    let ns = |d: Duration| d.as_secs_f64() * 1e9 / events.len() as f64;
    report.row(
        "per event, natively: frame write / read",
        "-",
        format!("{:.0} / {:.0} ns", ns(frame_write), ns(frame_read)),
        format!(
            "targets 15 / 25 ns; read checking strings {:.0} ns; the counter's own logic {:.0} ns",
            ns(frame_read_checked),
            ns(native_in_memory_time)
        ),
    );
    report.key("native_frame_write_ns_per_event", ns(frame_write));
    report.key("native_frame_read_ns_per_event", ns(frame_read));
    report.key(
        "native_frame_read_checked_ns_per_event",
        ns(frame_read_checked),
    );

    // A big state: the cost per event must not grow with it. Loading and saving the state is
    // once per fold (and per checkpoint), so the marginal cost of an event is compared: a fold
    // of all the events less a fold of one.
    let big = counter_state_of(1 << 20);
    let roomy = counter.clone().with_limits(evident_host::Limits {
        fuel: 10_000_000_000,
        ..counter.limits()
    });
    let marginal = |state: &State| {
        let all = best(5, || fold(&roomy, state).0);
        let one = best(5, || {
            time(|| {
                roomy
                    .fold(state.clone(), &events[..1], &parameters)
                    .unwrap()
            })
            .0
        });
        (all.saturating_sub(one), one)
    };
    let (small_marginal, _) = marginal(&State::default());
    let (big_marginal, big_fixed) = marginal(&big);
    let native_big = best(5, || {
        let mut counts: EventCounts = serde_json::from_slice(&big.bytes).unwrap();
        time(|| {
            for event in events {
                evident_guest_sdk::StateView::reduce(
                    &mut counts,
                    &event.as_event_ref(),
                    &parameters,
                )
                .unwrap();
            }
        })
        .0
    });
    report.row(
        "fold, in frames, 1 MiB state",
        rate(evps(big_marginal)),
        rate(evps(native_big)),
        format!(
            "{:.2}× the small state's speed; load+save {:.0} ms",
            small_marginal.as_secs_f64() / big_marginal.as_secs_f64(),
            big_fixed.as_secs_f64() * 1e3
        ),
    );
    report.key("fold_batched_1mib_state_evps", evps(big_marginal));
    report.key("fold_batched_100b_state_evps", evps(small_marginal));
    report.key("native_in_memory_1mib_state_evps", evps(native_big));
    report.key("load_and_save_1mib_state_ms", big_fixed.as_secs_f64() * 1e3);

    // Metering: what each setting costs over the unmetered fold (the default is fuel alone).
    let cost_pct = |d: Duration| (d.as_secs_f64() / fold_unmetered.as_secs_f64() - 1.0) * 100.0;
    report.row(
        "fold, in frames, unmetered",
        rate(evps(fold_unmetered)),
        "-",
        format!(
            "metering costs: the default (fuel) {:.1} % (target ≤ 15 %), epochs {:.1} %, fuel + epochs {:.1} %",
            cost_pct(fold_batched),
            cost_pct(fold_epoch_only),
            cost_pct(fold_both)
        ),
    );
    report.key("fold_batched_unmetered_evps", evps(fold_unmetered));
    report.key("metering_default_fuel_cost_pct", cost_pct(fold_batched));
    report.key("metering_epochs_cost_pct", cost_pct(fold_epoch_only));
    report.key("metering_fuel_and_epochs_cost_pct", cost_pct(fold_both));

    // The async API, on a single-threaded tokio runtime, against the sync calls.
    let executor = tokio::runtime::Builder::new_current_thread().build()?;
    let fold_async = best(5, || {
        time(|| {
            executor
                .block_on(counter.fold_async(State::default(), events, &parameters))
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .0
    });
    let small = native_per_event(&samples[..100], &parameters);
    let event = &samples[100];
    let mut instance = counter.instance()?;
    let reduce_call = per_call(|| {
        black_box(instance.reduce(&small, event, &parameters).unwrap());
    });
    let mut async_instance = counter.instance()?;
    let reduce_async = per_call(|| {
        executor
            .block_on(async_instance.reduce_async(&small, event, &parameters))
            .unwrap();
    });
    report.row(
        "async: fold in frames / reduce",
        format!(
            "{} / {:.2} µs",
            rate(evps(fold_async)),
            micros(reduce_async)
        ),
        "-",
        format!(
            "{:.2}× / {:.2}× the sync calls",
            evps(fold_async) / evps(fold_batched),
            micros(reduce_async) / micros(reduce_call)
        ),
    );
    report.key("fold_batched_async_evps", evps(fold_async));
    report.key("reduce_call_async_us", micros(reduce_async));

    // Two threads folding at once on one runtime.
    let two_threads = best(5, || {
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| fold(&counter, &State::default()));
            }
        });
        start.elapsed()
    });
    let two = per_second(2 * events.len(), two_threads);
    report.row(
        "fold in frames, 2 threads, one runtime",
        rate(two),
        "-",
        format!("{:.2}× one thread", two / evps(fold_batched)),
    );
    report.key("fold_batched_two_threads_evps", two);
    Ok(())
}
