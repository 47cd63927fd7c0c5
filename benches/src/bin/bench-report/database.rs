//! The database (issue 20): decisions of `guests/course-subscriptions` through
//! [`Database::decide`] over an embedded SQLite store of 10 to 1,000,000 events (cold, then
//! warm, on one thread and two), a view folded from position 0 by [`Database::rebuild`] beside
//! `evident fold` of the same events, and what saving one view snapshot costs beside the disk's
//! flush.
//!
//! Every store holds courses of 10 events each (a `course.defined`, then 9 `student.subscribed`
//! by students who hold up to 4 courses), appended round-robin in batches of 1,000, so a
//! course's events are spread over the whole log and are 10 of its N. The decision is the same
//! `subscribe` of a student with no course yet to a course in the middle of the log, decided and
//! never appended, so every round measures the same state; each decision runs on a fresh
//! instance (as the host always does) and reads the views `course-capacity` and
//! `student-courses`, warm after the first decision. The figures at every size are measured in
//! interleaved rounds (medians), so a noisy machine moves them together.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use evident_benches::{Setup, runtime};
use evident_host::{ComponentKind, Database, DatabaseConfig, DatabaseDecider, Registry, Sandbox};
use evident_store::{Event, Query, QueryItem, Snapshot, SnapshotKey, SqliteStore, Store};
use evident_testkit::guests::component_bytes;
use evident_types::{Command, Parameters};
use serde_json::json;

use crate::ingest;
use crate::measure::{Report, per_second, rate, time};
use crate::store::flush_rate_for;

/// The stores' sizes, in events.
const SIZES: [usize; 4] = [10, 1_000, 100_000, 1_000_000];
/// Events of one course: its definition and 9 subscriptions.
const PER_COURSE: usize = 10;
/// Events per append while filling a store.
const BATCH: usize = 1_000;
/// Interleaved rounds of the decision figures, and how long each figure runs in a round.
const ROUNDS: usize = 7;
const ROUND: Duration = Duration::from_millis(250);
/// Cold decisions timed per store (each on a database whose views are not materialized yet).
const COLD: usize = 9;
/// The student the decisions subscribe: one with no course yet.
const NEWCOMER: &str = "newcomer";
/// The student the second thread subscribes, to another course.
const OTHER_NEWCOMER: &str = "newcomer-2";

/// Measures this section into `report` (rows for the table, keys for the JSON).
pub fn measure(report: &mut Report, target: &Path) -> Result<()> {
    let dir = target.join("bench-database");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let result = measure_in(report, target, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure_in(report: &mut Report, target: &Path, dir: &Path) -> Result<()> {
    report.section(
        "database: course-subscriptions decided over SQLite (Database::decide, not appended)",
    );
    let load_before = load_average();
    let registry = Arc::new(Registry::new(runtime(Setup::Default)));
    for view in ["course-capacity", "student-courses", "event-counter"] {
        registry
            .register(
                view,
                "1.0.0",
                &component_bytes(view)?,
                ComponentKind::View,
                Sandbox::Strict,
            )
            .map_err(|e| anyhow!("{view}: {e}"))?;
    }
    let decider = registry
        .runtime()
        .load(
            "course-subscriptions",
            &component_bytes("course-subscriptions")?,
        )
        .database_decider()
        .map_err(|e| anyhow!("{e}"))?;

    // The stores, smallest first; the 1 M one is built once and used for every 1 M figure.
    let mut stores = Vec::new();
    for &events in &SIZES {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(dir.join(format!("courses-{events}")))?);
        let (filled, ()) = time(|| fill_courses(&*store, events));
        ensure!(
            store.head()? == events as u64,
            "the store of {events} events holds {}",
            store.head()?
        );
        if events == 1_000_000 {
            report.row(
                "filling the 1 M-event course store, batches of 1,000",
                rate(per_second(events, filled)),
                "-",
                "course.defined + 9 student.subscribed per course, tags course and student",
            );
            report.key("database_store_fill_evps", per_second(events, filled));
        }
        eprintln!(
            "  database: {events} events appended in {:.1} s",
            filled.as_secs_f64()
        );
        stores.push(store);
    }

    // Cold: the first decision of a database whose views are not materialized (each on a
    // course of its own where the store has several), median of COLD.
    let mut databases = Vec::new();
    let mut all_commands = Vec::new();
    let mut colds = Vec::new();
    for (store, &events) in stores.iter().zip(&SIZES) {
        let courses = events / PER_COURSE;
        let mut times: Vec<Duration> = (0..COLD)
            .map(|i| {
                let database = course_database(store.clone(), registry.clone());
                let course = (courses / 3 + i * 7_919) % courses;
                let command = subscribe(&format!("c{course}"), NEWCOMER);
                let (took, decided) = time(|| decide(&database, &decider, &command));
                decided.map(|()| took)
            })
            .collect::<Result<_>>()?;
        times.sort();
        colds.push(times[COLD / 2].as_secs_f64() * 1e3);
        // The decisions measured: a newcomer to the middle course, and (the second thread's)
        // another newcomer to the next course, so that the two threads share no view.
        let commands = (
            subscribe(&format!("c{}", courses / 2), NEWCOMER),
            subscribe(&format!("c{}", (courses / 2 + 1) % courses), OTHER_NEWCOMER),
        );
        let database = course_database(store.clone(), registry.clone());
        // Warm their views (the first decision folds their events).
        decide(&database, &decider, &commands.0)?;
        decide(&database, &decider, &commands.1)?;
        databases.push(database);
        all_commands.push(commands);
    }
    let commands = all_commands;

    // Warm: decisions per second at each size, one thread; at 1 M also two threads, on other
    // courses and students and on the same ones; interleaved rounds, medians.
    let deciding = |size: usize, second: bool| {
        let (database, decider) = (&databases[size], &decider);
        let command = if second {
            &commands[size].1
        } else {
            &commands[size].0
        };
        move || {
            black_box(
                database
                    .decide(decider, command, &Parameters::new())
                    .expect("a decision"),
            );
        }
    };
    let large = SIZES.len() - 1;
    let cases: Vec<Vec<Box<dyn Fn() + Sync + '_>>> = (0..SIZES.len())
        .map(|size| vec![Box::new(deciding(size, false)) as Box<dyn Fn() + Sync>])
        .chain([
            vec![
                Box::new(deciding(large, false)) as Box<dyn Fn() + Sync>,
                Box::new(deciding(large, true)),
            ],
            vec![
                Box::new(deciding(large, false)) as Box<dyn Fn() + Sync>,
                Box::new(deciding(large, false)),
            ],
        ])
        .collect();
    let medians = interleaved(&cases);
    drop(cases);
    let per_second_text = |d: f64| rate(d).replace("ev/s", "decisions/s");
    let at_10 = medians[0];
    for (i, &events) in SIZES.iter().enumerate() {
        let note = if events == 1_000_000 {
            format!(
                "{:.2}× the 10-event figure (targets ≥ 20 k decisions/s, ≥ 0.8×)",
                medians[i] / at_10
            )
        } else {
            format!("{:.2}× the 10-event figure", medians[i] / at_10)
        };
        report.row(
            format!("warm decision, store of {events} events; cold first one"),
            format!("{} ; {:.2} ms", per_second_text(medians[i]), colds[i]),
            "-",
            note,
        );
        report.key(&format!("decisions_per_second_store_{events}"), medians[i]);
        report.key(&format!("decision_cold_ms_store_{events}"), colds[i]);
    }
    let (one, two, same) = (
        medians[large],
        medians[SIZES.len()],
        medians[SIZES.len() + 1],
    );
    report.row(
        "2 threads, store of 1 M events: other course + student / the same",
        format!("{} / {}", per_second_text(two), per_second_text(same)),
        "-",
        format!(
            "{:.2}× / {:.2}× one thread (target ≥ 1.8×)",
            two / one,
            same / one
        ),
    );
    report.key(
        "decisions_per_second_store_1000000_ratio_to_10",
        medians[large] / at_10,
    );
    report.key("decisions_per_second_store_1000000_two_threads", two);
    report.key(
        "decisions_per_second_store_1000000_two_threads_ratio",
        two / one,
    );
    report.key(
        "decisions_per_second_store_1000000_two_threads_same_course",
        same,
    );
    report.key(
        "decisions_per_second_store_1000000_two_threads_same_course_ratio",
        same / one,
    );

    snapshot_write(report, dir, &databases[large], &*stores[large])?;
    drop(databases);
    catch_up(report, target, dir, &registry, &stores[large])?;
    drop(stores);
    let load_after = load_average();
    report.row(
        "the machine's 1-minute load average, before / after this section",
        format!("{load_before:.1} / {load_after:.1}"),
        "-",
        format!(
            "above {} (the cores), other processes shared the cores with these figures",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        ),
    );
    report.key("database_load_average_before", load_before);
    report.key("database_load_average_after", load_after);
    Ok(())
}

/// The 1-minute load average (`/proc/loadavg`), 0 where there is none.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// `subscribe` of `student` to `course`.
fn subscribe(course: &str, student: &str) -> Command {
    Command::json(&json!({"type": "subscribe", "course": course, "student": student}))
        .expect("a command")
}

/// One decision, which must subscribe (not refuse).
fn decide(database: &Database, decider: &DatabaseDecider, command: &Command) -> Result<()> {
    let decided = database
        .decide(decider, command, &Parameters::new())
        .map_err(|e| anyhow!("{e}"))?;
    ensure!(
        decided.events.len() == 1 && decided.reads.len() == 2,
        "the decision did not subscribe: {decided:?}"
    );
    Ok(())
}

/// A database over `store` with the course views declared, as the host's tests declare them.
fn course_database(store: Arc<dyn Store>, registry: Arc<Registry>) -> Database {
    let database = Database::new(store, registry);
    database.declare_view(
        "course-capacity",
        Query::item(
            QueryItem::types([
                "course.defined",
                "course.capacity-changed",
                "student.subscribed",
            ])
            .with_tags(["course:{course}".parse().expect("a tag")]),
        ),
    );
    database.declare_view(
        "student-courses",
        Query::item(
            QueryItem::types(["student.subscribed"])
                .with_tags(["student:{student}".parse().expect("a tag")]),
        ),
    );
    database
}

/// Fills `store` with `events` course events (a multiple of [`PER_COURSE`]), round-robin over
/// the courses, [`BATCH`] to an append: first every course's definition, then its subscriptions
/// one course after another. Subscription `k` is student `k % students`'s, so a student holds
/// up to 4 courses, all different.
fn fill_courses(store: &dyn Store, events: usize) {
    let courses = (events / PER_COURSE).max(1);
    let subscriptions = courses * (PER_COURSE - 1);
    let students = (subscriptions / 4).max(PER_COURSE - 1);
    let event = |n: usize| -> Event {
        let course = n % courses;
        let c = format!("c{course}");
        if n < courses {
            Event::new(&c, "/courses", "course.defined")
                .with_extension("course", &c)
                .with_json_data(&json!({"capacity": 1000, "course": c}))
                .expect("JSON data")
        } else {
            let s = format!("s{}", (n - courses) % students);
            Event::new(format!("{c}/{s}"), "/courses", "student.subscribed")
                .with_extension("course", &c)
                .with_extension("student", &s)
                .with_json_data(&json!({"course": c, "student": s}))
                .expect("JSON data")
        }
    };
    let mut n = 0;
    while n < events {
        let batch: Vec<Event> = (n..(n + BATCH).min(events)).map(event).collect();
        n += batch.len();
        store.append(&batch, None).expect("append");
    }
}

/// The median rate of each case over [`ROUNDS`] rounds, the cases taking turns in each round;
/// a case is one closure per thread, its rate the calls of all its threads per second.
fn interleaved(cases: &[Vec<Box<dyn Fn() + Sync + '_>>]) -> Vec<f64> {
    for case in cases {
        run_for(case, Duration::from_millis(100));
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); cases.len()];
    for _ in 0..ROUNDS {
        for (case, rates) in cases.iter().zip(&mut rates) {
            rates.push(run_for(case, ROUND));
        }
    }
    rates
        .into_iter()
        .map(|mut rates| {
            rates.sort_by(f64::total_cmp);
            rates[rates.len() / 2]
        })
        .collect()
}

/// Calls per second of `threads`, each calling its closure for `run` at once.
fn run_for(threads: &[Box<dyn Fn() + Sync + '_>], run: Duration) -> f64 {
    let made = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for call in threads {
            let made = &made;
            scope.spawn(move || {
                let mut calls = 0;
                while start.elapsed() < run {
                    call();
                    calls += 1;
                }
                made.fetch_add(calls, Ordering::Relaxed);
            });
        }
    });
    per_second(made.into_inner(), start.elapsed())
}

/// Saving one snapshot of the `course-capacity` state in the 1 M-event store, against the
/// disk's flush measured in the same rounds.
fn snapshot_write(
    report: &mut Report,
    dir: &Path,
    database: &Database,
    store: &dyn Store,
) -> Result<()> {
    let courses = 1_000_000 / PER_COURSE;
    let parameters = Parameters::new().with("course", format!("c{}", courses / 2));
    let state = database
        .view_state("course-capacity", None, &parameters, None)
        .map_err(|e| anyhow!("{e}"))?
        .state;
    let key = SnapshotKey {
        view: "bench-snapshot".into(),
        component_digest: "0".repeat(64),
        wit_release: "0.4.0".into(),
        parameters: r#"{"course":"bench"}"#.into(),
    };
    let head = store.head()?;
    let mut position = 0;
    let mut flushes = Vec::new();
    let mut saves = Vec::new();
    for _ in 0..5 {
        flushes.push(flush_rate_for(dir, Duration::from_millis(300))?);
        let start = Instant::now();
        let mut saved = 0;
        while start.elapsed() < Duration::from_millis(300) {
            position = position % head + 1;
            let snapshot = Snapshot {
                position,
                state: state.clone(),
            };
            store
                .save_snapshot(&key, &snapshot)
                .context("save_snapshot")?;
            saved += 1;
        }
        saves.push(per_second(saved, start.elapsed()));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (fsync, saves) = (median(flushes), median(saves));
    let (save_us, fsync_us) = (1e6 / saves, 1e6 / fsync);
    report.row(
        "save one view snapshot (course-capacity) / the disk's flush",
        format!("{save_us:.0} µs / {fsync_us:.0} µs"),
        "-",
        format!(
            "{:.2}× one fsync ({} bytes of state; flush = overwrite 4 KiB + fdatasync)",
            save_us / fsync_us,
            state.bytes.len()
        ),
    );
    report.key("snapshot_write_us", save_us);
    report.key("fsync_per_s", fsync);
    report.key("snapshot_write_fsync_ratio", save_us / fsync_us);
    Ok(())
}

/// The event counter as a view of every event (no declared query) over the 1 M-event course
/// store, rebuilt from position 0 ([`Database::rebuild`]) with the default snapshot spacing (one
/// every 10,000 events) and with none but the last, beside `evident fold` of the same events
/// (written out as JSON lines), in the same rounds.
fn catch_up(
    report: &mut Report,
    target: &Path,
    dir: &Path,
    registry: &Arc<Registry>,
    store: &Arc<dyn Store>,
) -> Result<()> {
    let events = store.head()? as usize;
    let corpus = dir.join("courses.jsonl");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&corpus)?);
        for stored in store.read(&Query::all(), 0, None)? {
            writeln!(out, "{}", stored?.event.to_json())?;
        }
        out.flush()?;
    }
    let spaced = Database::new(store.clone(), registry.clone());
    let unspaced = Database::with_config(
        store.clone(),
        registry.clone(),
        DatabaseConfig {
            snapshot_every_events: u64::MAX,
            snapshot_every_bytes: u64::MAX,
            ..DatabaseConfig::default()
        },
    );
    let rebuild = |database: &Database| -> Result<(Duration, u64)> {
        let (took, rebuilt) =
            time(|| database.rebuild("event-counter", None, &Parameters::new(), &mut |_, _| {}));
        let rebuilt = rebuilt.map_err(|e| anyhow!("{e}"))?;
        ensure!(rebuilt.events_folded == events as u64, "{rebuilt:?}");
        Ok((took, rebuilt.snapshots_saved))
    };
    let evident = ingest::release_binary(target);
    let component = evident
        .as_deref()
        .map(ingest::event_counter_component)
        .transpose()?;
    let (mut fold, mut with_snapshots, mut without) = (Duration::MAX, Duration::MAX, Duration::MAX);
    let mut snapshots = 0;
    for _ in 0..3 {
        if let (Some(evident), Some(component)) = (&evident, &component) {
            fold = fold.min(ingest::fold_once(evident, component, &corpus)?.0);
        }
        let (took, saved) = rebuild(&spaced)?;
        with_snapshots = with_snapshots.min(took);
        snapshots = saved;
        without = without.min(rebuild(&unspaced)?.0);
    }
    let catch_up = per_second(events, with_snapshots);
    let no_snapshots = per_second(events, without);
    if component.is_some() {
        let end_to_end = per_second(events, fold);
        report.row(
            "view catch-up from 0 (event counter over all 1 M, Database::rebuild) / evident fold",
            format!("{} / {}", rate(catch_up), rate(end_to_end)),
            "-",
            format!(
                "{:.2}× evident fold of the same events as JSON lines (target ≥ 0.8×); best of 3, interleaved",
                catch_up / end_to_end
            ),
        );
        report.key("fold_end_to_end_same_events_evps", end_to_end);
        report.key("view_catch_up_fold_ratio", catch_up / end_to_end);
    } else {
        report.row(
            "view catch-up from 0 (event counter over all 1 M, Database::rebuild)",
            rate(catch_up),
            "-",
            "evident fold skipped: build it with `cargo build --release -p evident-cli`",
        );
    }
    report.row(
        "view catch-up, one snapshot at the end only",
        rate(no_snapshots),
        "-",
        format!(
            "the default spacing saved {snapshots} snapshots and costs {:.1} %",
            (no_snapshots / catch_up - 1.0) * 100.0
        ),
    );
    report.key("view_catch_up_evps", catch_up);
    report.key("view_catch_up_no_snapshots_evps", no_snapshots);
    Ok(())
}
