//! Measures what the performance targets are about, in one run, prints a table with every wasm
//! figure beside its native twin or its target, and writes `target/bench-report.json`.
//!
//! `cargo build --release -p evident-cli && cargo run --release -p evident-benches --bin bench-report`
//! (the end-to-end fold runs the release `evident`; without it that part is skipped).

mod calls;
mod compute;
mod database;
mod decisions;
mod folds;
mod ingest;
mod languages;
mod measure;
mod pipeline;
mod store;

use std::time::Instant;

use anyhow::{Context, Result};
use evident_benches::{cycle, sample_events};

use measure::Report;

/// Events per fold: enough that a fold takes tens of milliseconds.
const FOLD_EVENTS: usize = 100_000;

fn main() -> Result<()> {
    let started = Instant::now();
    let samples = sample_events();
    let events = cycle(&samples, FOLD_EVENTS);
    let mut report = Report::default();
    let (cpu, caches, cores) = measure::machine();
    println!("measured on {cpu} ({caches}), {cores} cores\n");
    report.key("cpu_model", cpu);
    report.key("cpu_caches", caches);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let wants = |section: &str| only.is_empty() || only.split(',').any(|s| s == section);
    if wants("calls") {
        calls::measure(&mut report, &samples)?;
    }
    if wants("folds") {
        folds::measure(&mut report, &events, &samples)?;
    }
    if wants("languages") {
        languages::measure(&mut report, &events[..20_000])?;
    }
    if wants("decisions") {
        decisions::measure(&mut report)?;
    }
    if wants("compute") {
        compute::measure(&mut report, &events[..10_000])?;
    }
    if wants("pipeline") {
        pipeline::measure(&mut report)?;
    }
    if wants("ingest") {
        ingest::measure(&mut report, &evident_testkit::guests::target_dir())?;
    }
    if wants("store") {
        store::measure(&mut report, &evident_testkit::guests::target_dir())?;
    }
    if wants("database") {
        database::measure(&mut report, &evident_testkit::guests::target_dir())?;
    }
    report.print();
    report.key("fold_events", FOLD_EVENTS);
    report.key(
        "rust_backtrace",
        std::env::var("RUST_BACKTRACE").unwrap_or_default(),
    );
    report.key("cores", cores);
    report.key("seconds", started.elapsed().as_secs_f64());
    let path = evident_testkit::guests::target_dir().join("bench-report.json");
    let json = serde_json::Value::Object(std::mem::take(&mut report.keys));
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "\nwritten to {} in {:.0} s (RUST_BACKTRACE={})",
        path.display(),
        started.elapsed().as_secs_f64(),
        std::env::var("RUST_BACKTRACE").unwrap_or_default()
    );
    Ok(())
}
