//! What validators and upcasters cost (evident:db 0.5.0): a validator per appended event and
//! per append, and an upcaster chain per event, each beside the same logic run natively, and a
//! view folding through its upcasters beside the same view folding events already in shape.

use std::sync::Arc;

use anyhow::{Result, anyhow};
use evident_host::{Database, Registry, Upcaster, Upcasters};
use evident_store::{MemoryStore, Query, QueryItem, Store};
use evident_testkit::guests;
use evident_types::{Event, Parameters, State};

use crate::measure::{Report, per_call};

/// Events per call: a frame, as appends of many events and catch-up reads give them.
const EVENTS: usize = 1_000;

fn payments(schema: &str, data: impl Fn(usize) -> serde_json::Value) -> Result<Vec<Event>> {
    (0..EVENTS)
        .map(|i| {
            let mut event = Event::new(format!("p{i}"), "/shop", "payment.received")
                .with_json_data(&data(i))?;
            event.dataschema = Some(schema.to_owned());
            Ok(event)
        })
        .collect()
}

fn ns_per_event(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e9 / EVENTS as f64
}

/// Measures this section into `report`.
pub fn measure(report: &mut Report) -> Result<()> {
    report.section("validators and upcasters (1,000-event frames)");
    let runtime = guests::runtime();
    let v1 = payments(payment_upcaster::V1, |i| {
        let currency = ["EUR", "USD"][i % 2];
        serde_json::json!({"amount_cents": 100 + i, "currency": currency})
    })?;
    let none = Parameters::new();

    let validator = runtime
        .load(
            "payment-validator",
            &guests::component_bytes("payment-validator")?,
        )
        .validator()?;
    let wasm = per_call(|| validator.validate(&v1, &none).expect("valid"));
    let native = per_call(|| {
        for event in &v1 {
            evident_guest_sdk::validator::validate::<payment_validator::PaymentRules>(event, &none)
                .expect("valid");
        }
    });
    report.row(
        "validator, per event checked",
        format!("{:.0} ns", ns_per_event(wasm)),
        format!("{:.0} ns", ns_per_event(native)),
        format!("{:.2}× native", wasm.as_secs_f64() / native.as_secs_f64()),
    );
    report.key("validator_ns_per_event", ns_per_event(wasm));
    report.key("validator_native_ns_per_event", ns_per_event(native));

    // One event per append: the validator's fixed cost (an instance, a call) per append.
    let plain = Database::new(
        Arc::new(MemoryStore::new()) as Arc<dyn Store>,
        Arc::new(Registry::new(runtime.clone())),
    );
    let guarded = Database::new(
        Arc::new(MemoryStore::new()) as Arc<dyn Store>,
        Arc::new(Registry::new(runtime.clone())),
    );
    guarded.register_validator(
        "payment-rules",
        validator.clone(),
        Query::item(QueryItem::types(["payment.received"])),
        none.clone(),
    );
    let mut next = 0usize;
    let mut one = || {
        next += 1;
        let mut event = v1[0].clone();
        event.id = format!("a{next}");
        event
    };
    let unguarded = per_call(|| {
        plain.append(&[one()], None).expect("appended");
    });
    let validated = per_call(|| {
        guarded.append(&[one()], None).expect("appended");
    });
    report.row(
        "append of one event, in memory, validated",
        format!("{:.2} µs", validated.as_secs_f64() * 1e6),
        format!("{:.2} µs", unguarded.as_secs_f64() * 1e6),
        "right: without a validator; a durable append adds the disk's flush (~90 µs here)",
    );
    report.key("validated_append_us", validated.as_secs_f64() * 1e6);
    report.key("unvalidated_append_us", unguarded.as_secs_f64() * 1e6);

    let transform = runtime
        .load(
            "payment-upcaster",
            &guests::component_bytes("payment-upcaster")?,
        )
        .transform()?;
    let step = |name: &str, schema: &str, step: &str| Upcaster {
        name: name.into(),
        digest: String::new(),
        transform: transform.clone(),
        event_type: "payment.received".into(),
        dataschema: Some(schema.into()),
        parameters: Parameters::from(vec![("step".to_owned(), step.to_owned())]),
    };
    let chain = Upcasters::new(vec![
        step("v1-to-v2", payment_upcaster::V1, "v1-to-v2"),
        step("v2-to-v3", payment_upcaster::V2, "v2-to-v3"),
    ])?;
    let wasm = per_call(|| {
        chain.upcast(v1.clone()).expect("upcast");
    });
    let v2 = |event: &Event| -> Event {
        let upcast = evident_guest_sdk::transform::transform::<payment_upcaster::PaymentUpcaster>(
            event, &none,
        );
        upcast.expect("upcast").remove(0)
    };
    let to_v3 = Parameters::from(vec![("step".to_owned(), "v2-to-v3".to_owned())]);
    let native = per_call(|| {
        for event in &v1 {
            let v2 = v2(event);
            evident_guest_sdk::transform::transform::<payment_upcaster::PaymentUpcaster>(
                &v2, &to_v3,
            )
            .expect("upcast");
        }
    });
    report.row(
        "upcaster chain v1 → v2 → v3, per event",
        format!("{:.0} ns", ns_per_event(wasm)),
        format!("{:.0} ns", ns_per_event(native)),
        format!("{:.2}× native", wasm.as_secs_f64() / native.as_secs_f64()),
    );
    report.key("upcast_chain_ns_per_event", ns_per_event(wasm));
    report.key("upcast_chain_native_ns_per_event", ns_per_event(native));

    let view = runtime
        .load(
            "payment-totals",
            &guests::component_bytes("payment-totals")?,
        )
        .view()?;
    let v3 = chain.upcast(v1.clone()).map_err(|e| anyhow!("{e}"))?.events;
    let in_shape = per_call(|| {
        view.fold(State::default(), &v3, &none).expect("folded");
    });
    let through = per_call(|| {
        let upcast = chain.upcast(v1.clone()).expect("upcast");
        view.fold(State::default(), &upcast.events, &none)
            .expect("folded");
    });
    report.row(
        "view folding v1 events through the chain, per event",
        format!("{:.0} ns", ns_per_event(through)),
        format!("{:.0} ns", ns_per_event(in_shape)),
        format!(
            "right: the view folding v3 events; {:.2}×",
            through.as_secs_f64() / in_shape.as_secs_f64()
        ),
    );
    report.key("fold_through_upcasters_ns_per_event", ns_per_event(through));
    report.key("fold_in_shape_ns_per_event", ns_per_event(in_shape));
    Ok(())
}
