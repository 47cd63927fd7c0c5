//! `evident diff`: agreement, the first divergence with both states and their diff, the exit
//! codes, and a million events compared in constant memory.

use std::io::Write as _;
use std::time::{Duration, Instant};

use super::*;

/// `evident diff <old guest> <new guest> --events <events>`, to add options to.
fn diff(old: &str, new: &str, events: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = evident();
    command
        .arg("diff")
        .arg(component(old))
        .arg(component(new))
        .arg("--events")
        .arg(events);
    command
}

#[test]
fn views_that_differ_only_in_key_order_agree() {
    diff(
        "diff-counter-v1",
        "diff-counter-v2-reordered",
        sample_events(),
    )
    .assert()
    .code(0)
    .stdout("agree on 3000 events\n");
}

#[test]
fn the_first_divergence_is_named_with_both_states_and_their_diff() {
    // v2 counts cancellations twice once 1,500 events were counted: the first after that is
    // the sample's event 1530, on line 1531.
    diff("diff-counter-v1", "diff-counter-v2", sample_events())
        .assert()
        .code(5)
        .stdout(
            contains("diverge after event 1530 (line 1531 of ")
                .and(contains(
                    "id \"evt-01530\", type \"com.example.order.cancelled\"",
                ))
                .and(contains("old state:\n{\n  \"by_type\""))
                .and(contains("\"total\": 1531"))
                .and(contains("\"total\": 1532"))
                .and(contains("--- old\n+++ new\n@@"))
                .and(contains("-  \"total\": 1531\n+  \"total\": 1532")),
        );
}

#[test]
fn errors_exit_with_1_and_the_help_documents_the_codes() {
    diff("diff-counter-v1", "diff-counter-v2", sample_events())
        .args(["--param", "double-after=soon"])
        .assert()
        .code(1)
        .stderr(contains("the new view cannot initialize").and(contains("double-after")));
    evident()
        .args(["diff", "--help"])
        .assert()
        .success()
        .stdout(
            contains("Exit codes: 0")
                .and(contains("5 their states differ"))
                .and(contains("Example")),
        );
}

/// `count` short events, every seventh (from the fourth) a cancellation, written to `dir`.
fn write_events(dir: &Path, count: usize) -> PathBuf {
    let path = dir.join(format!("events-{count}.jsonl"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..count {
        let kind = if i % 7 == 3 { "cancelled" } else { "placed" };
        writeln!(
            file,
            r#"{{"specversion":"1.0","id":"e{i}","source":"/s","type":"order.{kind}"}}"#
        )
        .unwrap();
    }
    file.flush().unwrap();
    path
}

/// Runs `evident diff` v1 against v2 over `count` events, v2 parting near the end; returns its
/// stdout and the peak resident memory seen (`VmHWM`, KiB), read while it runs.
fn diff_near_the_end(dir: &Path, count: usize) -> (String, u64) {
    let events = write_events(dir, count);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("evident"))
        .current_dir(workspace_root())
        .env_remove("RUST_LOG")
        .env(
            "EVIDENT_AOT_CACHE",
            evident_testkit::guests::target_dir().join("aot-cache"),
        )
        .arg("diff")
        .arg(component("diff-counter-v1"))
        .arg(component("diff-counter-v2"))
        .arg("--events")
        .arg(&events)
        .arg("--param")
        .arg(format!("double-after={}", count - 100))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        let hwm = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
        peak_kib = peak_kib.max(hwm.unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status.code(), Some(5), "{stdout}\n{stderr}");
    eprintln!(
        "{count} events: {:.1} s, peak RSS {peak_kib} KiB",
        started.elapsed().as_secs_f64()
    );
    (stdout, peak_kib)
}

#[test]
#[cfg(target_os = "linux")]
fn a_million_events_name_the_first_divergence_in_constant_memory() {
    let dir = tempfile::tempdir().unwrap();
    // The first cancellation at or past `count - 100`: its index is 3 more than a multiple of 7.
    let first = |count: usize| (count - 100..).find(|i| i % 7 == 3).unwrap();
    let (small_out, small_peak) = diff_near_the_end(dir.path(), 100_000);
    let expected = first(100_000);
    assert!(
        small_out.contains(&format!(
            "diverge after event {expected} (line {}",
            expected + 1
        )),
        "{small_out}"
    );
    let (large_out, large_peak) = diff_near_the_end(dir.path(), 1_000_000);
    let expected = first(1_000_000);
    assert!(
        large_out.contains(&format!(
            "diverge after event {expected} (line {} of",
            expected + 1
        )) && large_out.contains(&format!("id \"e{expected}\"")),
        "{large_out}"
    );
    assert!(small_peak > 0, "no VmHWM read");
    // Ten times the events: the same memory, give or take a few MiB of allocator slack.
    assert!(
        large_peak <= small_peak + small_peak / 10 + 8 * 1024,
        "peak RSS grew from {small_peak} KiB (100k events) to {large_peak} KiB (1M events)"
    );
}
