//! Reading events: parsing and validating a large file of varied CloudEvents, and the whole
//! `evident fold` of it (the release binary, run as a user runs it), with its resident memory.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use evident_benches::corpus::write_varied_events;

use crate::measure::{Report, best, per_second, rate, time};

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report, target: &Path) -> Result<()> {
    report.section("reading events (varied CloudEvents, ~270 bytes each)");
    let one_million = corpus(target, 1_000_000)?;
    let bytes = std::fs::metadata(&one_million)?.len();
    let parse = best(3, || {
        time(|| {
            let file = std::io::BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(&one_million).unwrap(),
            );
            let mut events = 0usize;
            for event in evident_types::read_json_lines(file) {
                std::hint::black_box(event.unwrap());
                events += 1;
            }
            events
        })
        .0
    });
    let mb_per_s = bytes as f64 / 1e6 / parse.as_secs_f64();
    report.row(
        "parse + validate, 1 M events, one thread",
        format!("{mb_per_s:.0} MB/s"),
        "-",
        format!("{} (target ≥ 150 MB/s)", rate(per_second(1_000_000, parse))),
    );
    report.key("ingest_mb_per_s", mb_per_s);

    let Some(evident) = release_binary(target) else {
        report.row(
            "evident fold, end to end",
            "-",
            "-",
            "skipped: build it with `cargo build --release -p evident-cli`",
        );
        return Ok(());
    };
    let (took, rss) = fold_file(&evident, &one_million)?;
    let evps = per_second(1_000_000, took);
    report.row(
        "evident fold, 1 M events, end to end (best of 3)",
        rate(evps),
        "-",
        format!(
            "peak resident {:.1} MiB (targets ≥ 500 k ev/s, ≤ 64 MiB)",
            rss as f64 / f64::from(1 << 20)
        ),
    );
    report.key("fold_end_to_end_evps", evps);
    report.key("fold_rss_mib_1m", rss as f64 / f64::from(1 << 20));
    let five_million = corpus(target, 5_000_000)?;
    let (took5, rss5) = fold_file(&evident, &five_million)?;
    report.row(
        "evident fold, 5 M events, end to end (best of 3)",
        rate(per_second(5_000_000, took5)),
        "-",
        format!("peak resident {:.1} MiB", rss5 as f64 / f64::from(1 << 20)),
    );
    report.key("fold_rss_mib_5m", rss5 as f64 / f64::from(1 << 20));
    report.key("fold_end_to_end_5m_evps", per_second(5_000_000, took5));
    Ok(())
}

/// `target/events-<count>.jsonl`, written if missing.
fn corpus(target: &Path, count: usize) -> Result<PathBuf> {
    let path = target.join(format!("events-{}m.jsonl", count / 1_000_000));
    let complete =
        std::fs::read(path.with_extension("count")).ok() == Some(count.to_string().into_bytes());
    if !complete {
        write_varied_events(&path, count)?;
        std::fs::write(path.with_extension("count"), count.to_string())?;
    }
    Ok(path)
}

/// The release `evident` binary in `target`, if built.
pub(crate) fn release_binary(target: &Path) -> Option<PathBuf> {
    let path = target.join("release/evident");
    path.is_file().then_some(path)
}

/// Runs `evident fold <event-counter component> --events <file>` three times; returns the
/// shortest time and the highest peak resident memory (`VmHWM`, read until it exits).
fn fold_file(evident: &Path, events: &Path) -> Result<(Duration, u64)> {
    let component = event_counter_component(evident)?;
    let mut fastest_and_peak = (Duration::MAX, 0);
    for _ in 0..3 {
        let (took, peak) = fold_once(evident, &component, events)?;
        fastest_and_peak = (fastest_and_peak.0.min(took), fastest_and_peak.1.max(peak));
    }
    Ok(fastest_and_peak)
}

/// The event counter's component, built by `evident build` first so that a fold's figures are
/// the fold's alone (a directory would also run cargo to see that the guest is up to date).
pub(crate) fn event_counter_component(evident: &Path) -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let built = Command::new(evident)
        .current_dir(&root)
        .args(["build", "guests/event-counter"])
        .stderr(Stdio::null())
        .output()?;
    if !built.status.success() {
        bail!("evident build guests/event-counter failed");
    }
    Ok(root.join(String::from_utf8(built.stdout)?.trim()))
}

/// One `evident fold` of `events` through `component`: how long it took, and its peak
/// resident memory.
pub(crate) fn fold_once(
    evident: &Path,
    component: &Path,
    events: &Path,
) -> Result<(Duration, u64)> {
    let started = Instant::now();
    let mut child = Command::new(evident)
        .arg("fold")
        .arg(component)
        .arg("--events")
        .arg(events)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run evident")?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            peak = peak.max(field_kib(&status, "VmHWM:") * 1024);
        }
        if child.try_wait()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed();
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "evident fold failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    if let Some(line) = output
        .stderr
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("folded"))
    {
        eprintln!("  {line}");
    }
    Ok((took, peak))
}

fn field_kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
