//! Timing helpers and the report's rows and keys.

use std::time::{Duration, Instant};

/// The median time per call of `f`, over 15 rounds of about 20 ms each after a warm-up.
pub fn per_call(mut f: impl FnMut()) -> Duration {
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

/// The shortest of `runs` runs of `f`: the figure least disturbed by a noisy machine.
pub fn best(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

/// The median of `rounds` runs of each of `runs`, run in turn within each round (the first to
/// run changing each round): figures that are compared with each other see the same machine,
/// so a ratio of two of them moves less than either.
pub fn interleaved<const N: usize>(
    rounds: usize,
    runs: [&mut dyn FnMut() -> Duration; N],
) -> [Duration; N] {
    let mut times: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(rounds));
    for round in 0..rounds {
        for turn in 0..N {
            let which = (round + turn) % N;
            times[which].push(runs[which]());
        }
    }
    times.map(|mut times| {
        times.sort();
        times[times.len() / 2]
    })
}

/// The machine the figures were measured on: CPU model, its caches and the cores this process
/// may use, printed with the table (figures are comparable only on like machines).
pub fn machine() -> (String, String, usize) {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let caches = (0..8)
        .filter_map(|index| {
            let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
            let read = |name: &str| {
                std::fs::read_to_string(format!("{dir}/{name}"))
                    .ok()
                    .map(|value| value.trim().to_owned())
            };
            let level = read("level")?;
            let kind = match read("type")?.as_str() {
                "Data" => "d",
                "Instruction" => "i",
                _ => "",
            };
            Some(format!("L{level}{kind} {}", read("size")?))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    (model, caches, cores)
}

/// How long `f` takes once.
pub fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed(), value)
}

/// `d` in microseconds, the unit the table prints call costs in.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// `count` things in `d` as a rate, safe for a zero duration.
pub fn per_second(count: usize, d: Duration) -> f64 {
    count as f64 / d.as_secs_f64().max(1e-12)
}

/// A line of the printed table.
pub struct Row {
    /// What was measured.
    pub what: String,
    /// The figure through the host.
    pub wasm: String,
    /// The same work in native Rust, for the ratio.
    pub native: String,
    /// The ratio or what the figure means.
    pub note: String,
}

/// The table being printed and the JSON being written.
#[derive(Default)]
pub struct Report {
    /// Lines for people, in order.
    pub rows: Vec<Row>,
    /// Figures for scripts, written to `bench-report.json`.
    pub keys: serde_json::Map<String, serde_json::Value>,
}

impl Report {
    /// Adds a line to the table.
    pub fn row(
        &mut self,
        what: impl Into<String>,
        wasm: impl Into<String>,
        native: impl Into<String>,
        note: impl Into<String>,
    ) {
        self.rows.push(Row {
            what: what.into(),
            wasm: wasm.into(),
            native: native.into(),
            note: note.into(),
        });
    }

    /// Starts a group of lines under `title`.
    pub fn section(&mut self, title: &str) {
        self.row(format!("— {title}"), "", "", "");
    }

    /// Records a figure for the JSON report (a later one of the same name replaces it).
    pub fn key(&mut self, name: &str, value: impl Into<serde_json::Value>) {
        self.keys.insert(name.to_owned(), value.into());
    }

    /// Prints the table, its columns aligned.
    pub fn print(&self) {
        let width = self
            .rows
            .iter()
            .map(|r| r.what.chars().count())
            .max()
            .unwrap_or(0);
        println!("{:width$}  {:>16}  {:>16}  note", "", "wasm", "native");
        for row in &self.rows {
            let pad = width - row.what.chars().count();
            println!(
                "{}{:pad$}  {:>16}  {:>16}  {}",
                row.what, "", row.wasm, row.native, row.note
            );
        }
    }
}

/// `n` events per second, for people: `2.31 M ev/s`, `812 k ev/s`.
pub fn rate(evps: f64) -> String {
    if evps >= 1e6 {
        format!("{:.2} M ev/s", evps / 1e6)
    } else {
        format!("{:.0} k ev/s", evps / 1e3)
    }
}
