//! Measures what the performance targets are about, in one run of under two minutes, prints a
//! table with every wasm figure beside its native twin, and writes `target/bench-report.json`.
//!
//! `cargo run --release -p evident-benches --bin bench-report`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use bank_account::BankAccount;
use event_counter::EventCounts;
use evident_benches::{
    Setup, by_type, change, counter_state_of, cycle, native_in_memory, native_per_event, runtime,
    sample_events, view,
};
use evident_guest_sdk::{change as native_change, view as native_view};
use evident_types::frame::{self, FrameReader, FrameWriter};
use evident_types::{Bytes, Command, Parameters, State};
use serde_json::json;

/// Events per fold: enough that a fold takes tens of milliseconds.
const FOLD_EVENTS: usize = 100_000;

/// The median time per call of `f`, over rounds of about 20 ms each after a warm-up.
fn per_call(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < Duration::from_millis(50) {
        f();
        calls += 1;
    }
    let per_round = (calls as f64 * 20.0 / 50.0).ceil().max(1.0) as u32;
    let mut rounds: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                f();
            }
            start.elapsed() / per_round
        })
        .collect();
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn events_per_second(events: usize, d: Duration) -> f64 {
    events as f64 / d.as_secs_f64()
}

struct Row {
    what: &'static str,
    wasm: String,
    native: String,
    ratio: String,
}

fn main() -> Result<()> {
    let started = Instant::now();
    let parameters = Parameters::new();
    let samples = sample_events();
    let events = cycle(&samples, FOLD_EVENTS);
    let default = runtime(Setup::Default);
    let counter = view(&default, "event-counter");
    let mut rows = Vec::new();

    // Instantiation: a kept instance, from the pool (InstancePre, pooling allocator) or not.
    let instantiate = per_call(|| drop(black_box(counter.instance().unwrap())));
    let on_demand_runtime = runtime(Setup::OnDemand);
    let on_demand = view(&on_demand_runtime, "event-counter");
    let instantiate_on_demand = per_call(|| drop(black_box(on_demand.instance().unwrap())));
    rows.push(Row {
        what: "instantiate (pool + InstancePre)",
        wasm: format!("{:.2} µs", micros(instantiate)),
        native: "-".into(),
        ratio: format!("on demand: {:.2} µs", micros(instantiate_on_demand)),
    });

    // One reduce call with a small state, on a kept instance and natively.
    let small = native_per_event(&samples[..100], &parameters);
    let event = &samples[100];
    let mut instance = counter.instance()?;
    let reduce_call = per_call(|| {
        black_box(instance.reduce(&small, event, &parameters).unwrap());
    });
    let native_reduce_call = per_call(|| {
        black_box(native_view::reduce::<EventCounts>(&small, event, &parameters).unwrap());
    });
    let reduce_fresh = per_call(|| {
        black_box(counter.reduce(&small, event, &parameters).unwrap());
    });
    rows.push(Row {
        what: "reduce, kept instance (small state)",
        wasm: format!("{:.2} µs", micros(reduce_call)),
        native: format!("{:.2} µs", micros(native_reduce_call)),
        ratio: format!(
            "{:.1}×",
            reduce_call.as_secs_f64() / native_reduce_call.as_secs_f64()
        ),
    });
    rows.push(Row {
        what: "reduce, fresh instance per call",
        wasm: format!("{:.2} µs", micros(reduce_fresh)),
        native: format!("{:.2} µs", micros(native_reduce_call)),
        ratio: format!(
            "{:.1}×",
            reduce_fresh.as_secs_f64() / native_reduce_call.as_secs_f64()
        ),
    });

    // One process call (bank account), fresh instance per call as the host runs it.
    let bank = change(&default, "bank-account");
    let opened = State::default();
    let open = Command::json(&json!({"type": "open", "account_id": "a-1", "owner": "Ada"}))?;
    let process_call = per_call(|| {
        black_box(bank.process(&opened, &open, &parameters).unwrap());
    });
    let native_process_call = per_call(|| {
        black_box(native_change::process::<BankAccount>(&opened, &open, &parameters).unwrap());
    });
    rows.push(Row {
        what: "process, fresh instance per call",
        wasm: format!("{:.2} µs", micros(process_call)),
        native: format!("{:.2} µs", micros(native_process_call)),
        ratio: format!(
            "{:.1}×",
            process_call.as_secs_f64() / native_process_call.as_secs_f64()
        ),
    });

    // Folds of 100k events.
    let fold = |view: &evident_host::StateView, state: &State| {
        let start = Instant::now();
        let folded = view
            .fold(state.clone(), &events, &parameters)
            .unwrap_or_else(|e| panic!("{e}"));
        (start.elapsed(), folded.state)
    };
    let best = |mut f: Box<dyn FnMut() -> Duration + '_>| (0..5).map(|_| f()).min().unwrap();
    let per_event_runtime = runtime(Setup::PerEvent);
    let per_event_view = view(&per_event_runtime, "event-counter");
    let (_, per_event_state) = fold(&per_event_view, &State::default());
    let (_, batched_state) = fold(&counter, &State::default());
    let native_state = native_per_event(&events, &parameters);
    ensure!(
        by_type(&per_event_state) == by_type(&native_state)
            && by_type(&batched_state) == by_type(&native_state),
        "the folds disagree"
    );
    let fold_per_event = best(Box::new(|| fold(&per_event_view, &State::default()).0));
    let fold_batched = best(Box::new(|| fold(&counter, &State::default()).0));
    let native_per_event_time = best(Box::new(|| {
        let start = Instant::now();
        black_box(native_per_event(&events, &parameters));
        start.elapsed()
    }));
    let native_in_memory_time = best(Box::new(|| {
        let start = Instant::now();
        black_box(native_in_memory(&events, &parameters));
        start.elapsed()
    }));
    let evps = |d| events_per_second(FOLD_EVENTS, d);
    rows.push(Row {
        what: "fold 100k, one reduce per event",
        wasm: format!("{:.0} k ev/s", evps(fold_per_event) / 1e3),
        native: format!("{:.0} k ev/s", evps(native_per_event_time) / 1e3),
        ratio: format!(
            "{:.2}× native per event",
            evps(fold_per_event) / evps(native_per_event_time)
        ),
    });
    rows.push(Row {
        what: "fold 100k, in frames",
        wasm: format!("{:.0} k ev/s", evps(fold_batched) / 1e3),
        native: format!("{:.0} k ev/s", evps(native_in_memory_time) / 1e3),
        ratio: format!(
            "{:.2}× native in memory",
            evps(fold_batched) / evps(native_in_memory_time)
        ),
    });

    // Where a batched event's time goes, natively: writing it into a frame (the host's part)
    // and reading it back (the SDK's part, here compiled natively).
    let mut writer = FrameWriter::new();
    let frame_encode = best(Box::new(|| {
        let start = Instant::now();
        for chunk in events.chunks(1_000) {
            writer.clear();
            for event in chunk {
                writer.push(event);
            }
            black_box(writer.as_bytes());
        }
        start.elapsed()
    }));
    let frames: Vec<Bytes> = events
        .chunks(1_000)
        .map(|chunk| Bytes::from(frame::encode(chunk)))
        .collect();
    let frame_decode = best(Box::new(|| {
        let start = Instant::now();
        for frame in &frames {
            let mut reader = FrameReader::new(frame).unwrap();
            while let Some(event) = reader.next_event().unwrap() {
                black_box(&event);
            }
        }
        start.elapsed()
    }));
    let frame_validate = best(Box::new(|| {
        let start = Instant::now();
        for event in &events {
            black_box(event).validate().unwrap();
        }
        start.elapsed()
    }));
    let nanos_per_event = |d: Duration| d.as_secs_f64() * 1e9 / FOLD_EVENTS as f64;
    rows.push(Row {
        what: "per event: frame write / read / validate",
        wasm: "-".into(),
        native: format!(
            "{:.0} / {:.0} / {:.0} ns",
            nanos_per_event(frame_encode),
            nanos_per_event(frame_decode),
            nanos_per_event(frame_validate)
        ),
        ratio: String::new(),
    });

    // A big state: the cost per event must not grow with it. Loading and saving the state is
    // once per fold (and per checkpoint), so the marginal cost of an event is what is compared:
    // a fold of all the events less a fold of one.
    // Decoding 1 MiB of JSON (43k map entries) takes more than the default 100 M fuel.
    let big = counter_state_of(1 << 20);
    let roomy = counter.clone().with_limits(evident_host::Limits {
        fuel: 10_000_000_000,
        ..counter.limits()
    });
    let marginal = |state: &State| {
        let all = best(Box::new(|| fold(&roomy, state).0));
        let one = best(Box::new(|| {
            let start = Instant::now();
            roomy
                .fold(state.clone(), &events[..1], &parameters)
                .unwrap();
            start.elapsed()
        }));
        (all.saturating_sub(one), one)
    };
    let (small_marginal, _) = marginal(&State::default());
    let (big_marginal, big_fixed) = marginal(&big);
    let native_big = best(Box::new(|| {
        let mut counts: EventCounts = serde_json::from_slice(&big.bytes).unwrap();
        let start = Instant::now();
        for event in &events {
            evident_guest_sdk::StateView::reduce(&mut counts, &event.as_event_ref(), &parameters)
                .unwrap();
        }
        start.elapsed()
    }));
    rows.push(Row {
        what: "fold 100k, in frames, 1 MiB state",
        wasm: format!("{:.0} k ev/s", evps(big_marginal) / 1e3),
        native: format!("{:.0} k ev/s", evps(native_big) / 1e3),
        ratio: format!(
            "per event {:.2}× the 100 B state's; load+save {:.0} ms",
            big_marginal.as_secs_f64() / small_marginal.as_secs_f64(),
            big_fixed.as_secs_f64() * 1e3
        ),
    });

    // Metering: the same batched fold without fuel and epochs.
    let unmetered_runtime = runtime(Setup::Unmetered);
    let unmetered = view(&unmetered_runtime, "event-counter");
    let fold_unmetered = best(Box::new(|| fold(&unmetered, &State::default()).0));
    let overhead_pct = (fold_batched.as_secs_f64() / fold_unmetered.as_secs_f64() - 1.0) * 100.0;
    rows.push(Row {
        what: "fold 100k, in frames, no fuel/epoch",
        wasm: format!("{:.0} k ev/s", evps(fold_unmetered) / 1e3),
        native: "-".into(),
        ratio: format!("metering costs {overhead_pct:.1} %"),
    });
    let fuel_only_runtime = runtime(Setup::FuelOnly);
    let fuel_only = view(&fuel_only_runtime, "event-counter");
    let fold_fuel_only = best(Box::new(|| fold(&fuel_only, &State::default()).0));
    let epoch_only_runtime = runtime(Setup::EpochOnly);
    let epoch_only = view(&epoch_only_runtime, "event-counter");
    let fold_epoch_only = best(Box::new(|| fold(&epoch_only, &State::default()).0));
    let cost_pct = |d: Duration| (d.as_secs_f64() / fold_unmetered.as_secs_f64() - 1.0) * 100.0;
    rows.push(Row {
        what: "  of which fuel alone / epochs alone",
        wasm: String::new(),
        native: String::new(),
        ratio: format!(
            "{:.1} % / {:.1} %",
            cost_pct(fold_fuel_only),
            cost_pct(fold_epoch_only)
        ),
    });

    // The async API, on a single-threaded tokio runtime, against the sync calls above.
    let executor = tokio::runtime::Builder::new_current_thread().build()?;
    let fold_async = best(Box::new(|| {
        let start = Instant::now();
        executor
            .block_on(counter.fold_async(State::default(), &events, &parameters))
            .unwrap_or_else(|e| panic!("{e}"));
        start.elapsed()
    }));
    let mut async_instance = counter.instance()?;
    let reduce_async = per_call(|| {
        executor
            .block_on(async_instance.reduce_async(&small, event, &parameters))
            .unwrap();
    });
    rows.push(Row {
        what: "async: fold 100k in frames / reduce",
        wasm: format!(
            "{:.0} k ev/s, {:.2} µs",
            evps(fold_async) / 1e3,
            micros(reduce_async)
        ),
        native: "-".into(),
        ratio: format!(
            "{:.2}× / {:.2}× the sync calls",
            evps(fold_async) / evps(fold_batched),
            micros(reduce_async) / micros(reduce_call)
        ),
    });

    // The same counter written in Python and JavaScript (one reduce per event, WASI denied).
    let language_events = &events[..10_000];
    let language_evps = |view: &evident_host::StateView| {
        let start = Instant::now();
        view.fold(State::default(), language_events, &parameters)
            .unwrap_or_else(|e| panic!("{e}"));
        events_per_second(language_events.len(), start.elapsed())
    };
    let mut languages = Vec::new();
    for (language, guest) in [
        ("rust", "event-counter"),
        ("python", "python-event-counter"),
        ("javascript", "js-event-counter"),
    ] {
        let loaded = if language == "rust" {
            view(&per_event_runtime, guest)
        } else {
            evident_benches::view_wasi(&default, guest)
        };
        let instantiate = per_call(|| drop(black_box(loaded.instance().unwrap())));
        let evps = language_evps(&loaded);
        let size = evident_benches::component_size(guest);
        rows.push(Row {
            what: match language {
                "rust" => "counter in Rust (one reduce per event)",
                "python" => "counter in Python (componentize-py)",
                _ => "counter in JavaScript (componentize-js)",
            },
            wasm: format!("{:.0} k ev/s", evps / 1e3),
            native: String::new(),
            ratio: format!(
                "{:.1} MiB, instantiate {:.0} µs",
                size as f64 / f64::from(1 << 20),
                micros(instantiate)
            ),
        });
        languages.push(json!({
            "language": language,
            "component_bytes": size,
            "instantiate_us": micros(instantiate),
            "fold_per_event_evps": evps,
        }));
    }

    // Two threads folding at once on one runtime.
    let two_threads = best(Box::new(|| {
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| fold(&counter, &State::default()));
            }
        });
        start.elapsed()
    }));
    let two_thread_evps = events_per_second(2 * FOLD_EVENTS, two_threads);
    rows.push(Row {
        what: "fold 100k ×2 threads, in frames",
        wasm: format!("{:.0} k ev/s", two_thread_evps / 1e3),
        native: "-".into(),
        ratio: format!("{:.2}× one thread", two_thread_evps / evps(fold_batched)),
    });

    let width = rows.iter().map(|r| r.what.len()).max().unwrap_or(0);
    println!("{:width$}  {:>14}  {:>14}  ratio", "", "wasm", "native");
    for row in &rows {
        println!(
            "{:width$}  {:>14}  {:>14}  {}",
            row.what, row.wasm, row.native, row.ratio
        );
    }

    let report = json!({
        "instantiate_us": micros(instantiate),
        "instantiate_on_demand_us": micros(instantiate_on_demand),
        "reduce_call_us": micros(reduce_call),
        "reduce_fresh_instance_us": micros(reduce_fresh),
        "native_reduce_call_us": micros(native_reduce_call),
        "process_call_us": micros(process_call),
        "native_process_call_us": micros(native_process_call),
        "fold_per_event_evps": evps(fold_per_event),
        "fold_batched_evps": evps(fold_batched),
        "fold_batched_1mib_state_evps": evps(big_marginal),
        "fold_batched_100b_state_evps": evps(small_marginal),
        "native_in_memory_1mib_state_evps": evps(native_big),
        "load_and_save_1mib_state_ms": big_fixed.as_secs_f64() * 1e3,
        "fold_batched_two_threads_evps": two_thread_evps,
        "native_per_event_evps": evps(native_per_event_time),
        "native_in_memory_evps": evps(native_in_memory_time),
        "fuel_epoch_overhead_pct": overhead_pct,
        "fuel_overhead_pct": cost_pct(fold_fuel_only),
        "epoch_overhead_pct": cost_pct(fold_epoch_only),
        "fold_batched_async_evps": evps(fold_async),
        "reduce_call_async_us": micros(reduce_async),
        "languages": languages,
        "native_frame_write_ns_per_event": nanos_per_event(frame_encode),
        "native_frame_read_ns_per_event": nanos_per_event(frame_decode),
        "native_validate_ns_per_event": nanos_per_event(frame_validate),
        "fold_events": FOLD_EVENTS,
        "rust_backtrace": std::env::var("RUST_BACKTRACE").unwrap_or_default(),
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "seconds": started.elapsed().as_secs_f64(),
    });
    let path = target_dir().join("bench-report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "\nwritten to {} in {:.0} s (RUST_BACKTRACE={})",
        path.display(),
        started.elapsed().as_secs_f64(),
        report["rust_backtrace"].as_str().unwrap_or("")
    );
    Ok(())
}

/// `$CARGO_TARGET_DIR`, or the workspace's `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
}
