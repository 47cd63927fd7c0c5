//! Single calls: instantiation, `reduce` on a kept instance (given one state again and again,
//! or each time the state it returned) and on a fresh one, `process`.

use std::hint::black_box;
use std::time::Duration;

use anyhow::Result;
use bank_account::BankAccount;
use event_counter::EventCounts;
use evident_benches::{Setup, change, native_per_event, runtime, view};
use evident_guest_sdk::{change as native_change, view as native_view};
use evident_types::{Command, Event, Parameters, State};
use serde_json::json;

use crate::measure::{Report, micros, per_call};

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report, samples: &[Event]) -> Result<()> {
    report.section("calls");
    let parameters = Parameters::new();
    let default = runtime(Setup::Default);
    let counter = view(&default, "event-counter");

    let instantiate = per_call(|| drop(black_box(counter.instance().unwrap())));
    let on_demand_runtime = runtime(Setup::OnDemand);
    let on_demand = view(&on_demand_runtime, "event-counter");
    let instantiate_on_demand = per_call(|| drop(black_box(on_demand.instance().unwrap())));
    report.row(
        "instantiate (pool + InstancePre)",
        format!("{:.2} µs", micros(instantiate)),
        "-",
        format!("on demand: {:.2} µs", micros(instantiate_on_demand)),
    );
    report.key("instantiate_us", micros(instantiate));
    report.key("instantiate_on_demand_us", micros(instantiate_on_demand));

    let small: State = native_per_event(&samples[..100], &parameters);
    let event = &samples[100];
    let mut instance = counter.instance()?;
    let reduce_call = per_call(|| {
        black_box(instance.reduce(&small, event, &parameters).unwrap());
    });
    // A stream on a kept instance: each call is given the state the last one returned.
    let mut streamed = small.clone();
    let reduce_streamed = per_call(|| {
        streamed = instance.reduce(&streamed, event, &parameters).unwrap();
    });
    let native_reduce_call = per_call(|| {
        black_box(native_view::reduce::<EventCounts>(&small, event, &parameters).unwrap());
    });
    let reduce_fresh = per_call(|| {
        black_box(counter.reduce(&small, event, &parameters).unwrap());
    });
    call_row(
        report,
        "reduce, kept instance (small state)",
        reduce_call,
        native_reduce_call,
    );
    call_row(
        report,
        "reduce, kept instance, given the state it returned",
        reduce_streamed,
        native_reduce_call,
    );
    call_row(
        report,
        "reduce, fresh instance per call",
        reduce_fresh,
        native_reduce_call,
    );
    report.key("reduce_call_us", micros(reduce_call));
    report.key("reduce_streamed_call_us", micros(reduce_streamed));
    report.key("reduce_fresh_instance_us", micros(reduce_fresh));
    report.key("native_reduce_call_us", micros(native_reduce_call));

    let bank = change(&default, "bank-account");
    let open = Command::json(&json!({"type": "open", "account_id": "a-1", "owner": "Ada"}))?;
    let none_yet = State::default();
    let process_call = per_call(|| {
        black_box(bank.process(&none_yet, &open, &parameters).unwrap());
    });
    let native_process_call = per_call(|| {
        black_box(native_change::process::<BankAccount>(&none_yet, &open, &parameters).unwrap());
    });
    call_row(
        report,
        "process, fresh instance per call",
        process_call,
        native_process_call,
    );
    report.key("process_call_us", micros(process_call));
    report.key("native_process_call_us", micros(native_process_call));
    Ok(())
}

/// A row for one call: its time through the host, natively, and the ratio of the two.
fn call_row(report: &mut Report, what: &str, wasm: Duration, native: Duration) {
    report.row(
        what,
        format!("{:.2} µs", micros(wasm)),
        format!("{:.2} µs", micros(native)),
        format!("{:.1}× native", micros(wasm) / micros(native)),
    );
}
