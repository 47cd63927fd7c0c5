//! Evident's framed fold beside Extism's batched fold (issue 27), in one process on the same
//! events: 100,000 events cycled from `examples/events.jsonl`, counted by type by the
//! `event-counter` component in an Evident runtime with the default configuration, and by the
//! same logic as an Extism plugin fed one event frame per 1,000 events.
//!
//! It builds the plugin itself (`cargo build --profile plugin --target wasm32-unknown-unknown`,
//! a no-op when it is up to date), checks that both folds give the same counts, then times
//! interleaved rounds and prints the medians.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use evident_host::{Runtime, RuntimeConfig, StateView};
use evident_types::frame::FrameWriter;
use evident_types::{Event, Parameters, State, read_json_lines};
use extism::{Manifest, Plugin, Wasm};
use serde::Deserialize;

/// Events per fold: the figure `bench-report` gives for Evident's fold.
const EVENTS: usize = 100_000;
/// Events per Extism call, as Evident's default fold puts in one frame.
const FRAME_EVENTS: usize = 1_000;
/// Timed rounds; each times one fold of each, alternately first, so drift hits both alike.
const ROUNDS: usize = 9;
/// What the issue asks of Evident: at least this many times Extism's events per second.
const REQUIRED_RATIO: f64 = 2.0;

/// The event counter's state, to compare the two folds' results.
#[derive(Debug, PartialEq, Eq, Deserialize)]
struct EventCounts {
    /// Events counted, by CloudEvents `type`.
    by_type: BTreeMap<String, u64>,
    /// Events counted in all.
    total: u64,
}

/// One Extism fold's time, and the part of it spent writing frames.
#[derive(Debug, Clone, Copy)]
struct ExtismTime {
    /// The whole fold: reset, frames written and counted, counts read back.
    total: Duration,
    /// Writing the frames (`FrameWriter::push`), counted in `total`.
    framing: Duration,
}

fn main() -> Result<()> {
    let root = repository_root();
    let sample = sample_events(&root.join("examples/events.jsonl"))?;
    let events = cycle(&sample, EVENTS);

    println!("CPU: {}", cpu_model());
    println!(
        "{EVENTS} events: the {} of examples/events.jsonl, cycled",
        sample.len()
    );

    let runtime = Runtime::new(RuntimeConfig::default()).context("the Evident runtime")?;
    let view = event_counter(&runtime)?;
    let wasm = build_plugin()?;
    let manifest = Manifest::new([Wasm::data(wasm)]);
    let mut plugin = Plugin::new(manifest, [], false).context("the Extism plugin")?;
    let mut writer = FrameWriter::new();

    // The check, which also warms both up.
    let evident = decode(&evident_fold(&view, &events)?.bytes, "Evident")?;
    let (extism, _) = extism_fold(&mut plugin, &mut writer, &events)?;
    let extism = decode(&extism, "Extism")?;
    if evident != extism {
        bail!("the folds disagree:\n  Evident: {evident:?}\n  Extism:  {extism:?}");
    }
    ensure!(
        evident.total == EVENTS as u64,
        "Evident counted {} events of {EVENTS}",
        evident.total
    );
    println!(
        "both folds agree: {} types, {} events",
        evident.by_type.len(),
        evident.total
    );

    let mut evident_times = Vec::with_capacity(ROUNDS);
    let mut extism_times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let extism_first = round % 2 == 0;
        if extism_first {
            extism_times.push(time_extism(&mut plugin, &mut writer, &events)?);
        }
        let start = Instant::now();
        std::hint::black_box(evident_fold(&view, &events)?);
        evident_times.push(start.elapsed());
        if !extism_first {
            extism_times.push(time_extism(&mut plugin, &mut writer, &events)?);
        }
    }

    let evident = median(evident_times);
    let extism = median(extism_times.iter().map(|time| time.total).collect());
    let framing = median(extism_times.iter().map(|time| time.framing).collect());
    let evident_rate = EVENTS as f64 / evident.as_secs_f64();
    let extism_rate = EVENTS as f64 / extism.as_secs_f64();
    let ratio = evident_rate / extism_rate;
    println!("medians of {ROUNDS} interleaved rounds, {EVENTS} events each:");
    let evident_label = "Evident framed fold (event-counter component, default runtime)";
    let extism_label = format!("Extism batched fold ({FRAME_EVENTS} events per count_frame call)");
    let framing_label = "  of which writing the frames (counted in)";
    println!(
        "  {evident_label:<64} {:>7.2} ms  {evident_rate:>9.0} events/s",
        ms(evident)
    );
    println!(
        "  {extism_label:<64} {:>7.2} ms  {extism_rate:>9.0} events/s",
        ms(extism)
    );
    println!(
        "  {framing_label:<64} {:>7.2} ms  ({:.0}% of Extism's time)",
        ms(framing),
        100.0 * framing.as_secs_f64() / extism.as_secs_f64()
    );
    println!(
        "  Evident / Extism: {ratio:.2}x (issue 27 asks >= {REQUIRED_RATIO:.1}x: {})",
        if ratio >= REQUIRED_RATIO {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

/// The repository root, three levels above this crate.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../..")
        .canonicalize()
        .expect("benches/extism/harness sits three levels below the repository root")
}

/// The CloudEvents of `path`, one JSON object a line.
fn sample_events(path: &Path) -> Result<Vec<Event>> {
    let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    read_json_lines(std::io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .with_context(|| format!("{}", path.display()))
}

/// `count` events, going round `events` as often as needed (as `evident_benches::cycle`).
fn cycle(events: &[Event], count: usize) -> Vec<Event> {
    events.iter().cycle().take(count).cloned().collect()
}

/// The `event-counter` guest as a view in `runtime`, built as the repository's tests build it.
fn event_counter(runtime: &Runtime) -> Result<StateView> {
    let bytes = evident_testkit::guests::component_bytes("event-counter")
        .context("building the event-counter component")?;
    runtime
        .load("event-counter", &bytes)
        .view()
        .context("loading the event-counter component")
}

/// Builds the plugin for wasm and returns its bytes; cargo says where it wrote it.
fn build_plugin() -> Result<Vec<u8>> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&workspace)
        .args([
            "build",
            "--profile",
            "plugin",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "evident-extism-plugin",
            "--message-format",
            "json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo to build the plugin")?;
    ensure!(output.status.success(), "building the plugin failed");
    let stdout = String::from_utf8(output.stdout).context("cargo's messages are not UTF-8")?;
    let mut wasm = None;
    for line in stdout.lines() {
        let message: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("cargo's message {line}"))?;
        if message["reason"] == "compiler-artifact"
            && message["target"]["name"] == "evident_extism_plugin"
        {
            wasm = message["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str())
                .find(|name| name.ends_with(".wasm"))
                .map(PathBuf::from);
        }
    }
    let wasm = wasm.context("cargo named no .wasm file for the plugin")?;
    std::fs::read(&wasm).with_context(|| format!("{}", wasm.display()))
}

/// Evident's fold of `events` from the empty state, in frames as the default runtime makes them.
fn evident_fold(view: &StateView, events: &[Event]) -> Result<State> {
    let folded = view
        .fold(State::default(), events, &Parameters::new())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(folded.state)
}

/// Extism's fold of `events`: reset, one frame per `FRAME_EVENTS` events written and counted,
/// then the counts read back as JSON (as Evident's fold returns its state encoded). Returns the
/// JSON and the time spent writing frames.
fn extism_fold(
    plugin: &mut Plugin,
    writer: &mut FrameWriter,
    events: &[Event],
) -> Result<(Vec<u8>, Duration)> {
    let mut framing = Duration::ZERO;
    plugin.call::<&[u8], &[u8]>("reset", &[])?;
    for chunk in events.chunks(FRAME_EVENTS) {
        let start = Instant::now();
        writer.clear();
        for event in chunk {
            writer.push(event);
        }
        framing += start.elapsed();
        plugin.call::<&[u8], &[u8]>("count_frame", writer.as_bytes())?;
    }
    let counts = plugin.call::<&[u8], &[u8]>("counts", &[])?.to_vec();
    Ok((counts, framing))
}

/// One timed Extism fold.
fn time_extism(
    plugin: &mut Plugin,
    writer: &mut FrameWriter,
    events: &[Event],
) -> Result<ExtismTime> {
    let start = Instant::now();
    let (counts, framing) = extism_fold(plugin, writer, events)?;
    let total = start.elapsed();
    std::hint::black_box(counts);
    Ok(ExtismTime { total, framing })
}

/// A fold's JSON state as counts; `who` names the fold in the error.
fn decode(json: &[u8], who: &str) -> Result<EventCounts> {
    serde_json::from_slice(json).with_context(|| {
        format!(
            "{who}'s state is not the counter's JSON: {}",
            String::from_utf8_lossy(json)
        )
    })
}

/// The middle of `times` (the upper middle for an even count).
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// `duration` in milliseconds.
fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The CPU's model name from `/proc/cpuinfo`, or why there is none.
fn cpu_model() -> String {
    match std::fs::read_to_string("/proc/cpuinfo") {
        Ok(info) => info
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown (no model name in /proc/cpuinfo)".to_owned()),
        Err(e) => format!("unknown (/proc/cpuinfo: {e})"),
    }
}
