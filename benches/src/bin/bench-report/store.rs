//! The event store against the machine's limit: appends (single, batched, conditional, from 8
//! writers and 2 contending ones), a tag's events out of 1 M, and a full scan — embedded
//! (SQLite) always, PostgreSQL when `EVIDENT_BENCH_POSTGRES` (or `EVIDENT_TEST_POSTGRES`)
//! names a server. The disk's flush rate (`fsync_per_s`) and PostgreSQL's plain commit rate
//! are measured in the same run, in the same places, so the store's figures read as ratios.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use evident_store::{AppendCondition, Event, Query, QueryItem, SqliteStore, Store, Tag};

use crate::measure::{Report, per_second, rate, time};

/// How long each throughput figure runs.
const RUN: Duration = Duration::from_millis(1500);
/// Events in the store the reads are measured on.
const LARGE: usize = 1_000_000;
/// Events per tag in that store: the read of one tag returns this many.
const PER_TAG: usize = 1000;

/// Measures this section into `report`.
pub fn measure(report: &mut Report, target: &Path) -> Result<()> {
    let dir = target.join("bench-store");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    report.section("event store, embedded (SQLite, WAL, synchronous=FULL), durable appends");
    let fsync = flush_rate(&dir)?;
    report.row(
        "the disk's flush: overwrite 4 KiB + fdatasync",
        format!("{fsync:.0}/s"),
        "-",
        "the limit a durable append is measured against",
    );
    report.key("fsync_per_s", fsync);
    let mut fresh = 0;
    let mut open = || -> Result<Box<dyn Store>> {
        fresh += 1;
        Ok(Box::new(SqliteStore::open(dir.join(format!("s{fresh}")))?))
    };
    measure_backend(report, "", fsync, "fsync_per_s", &mut open)?;
    let fsync_after = flush_rate(&dir)?;
    report.row(
        "the disk's flush, again after the store's figures",
        format!("{fsync_after:.0}/s"),
        "-",
        "a moved reference moves every ratio above",
    );
    report.key("fsync_after_per_s", fsync_after);
    let _ = std::fs::remove_dir_all(&dir);

    match postgres_url() {
        Some(url) => postgres(report, &url)?,
        None => report.row(
            "PostgreSQL",
            "-",
            "-",
            "skipped: set EVIDENT_BENCH_POSTGRES=postgresql://… (.ci/postgres start prints one)",
        ),
    }
    Ok(())
}

fn postgres_url() -> Option<String> {
    std::env::var("EVIDENT_BENCH_POSTGRES")
        .or_else(|_| std::env::var("EVIDENT_TEST_POSTGRES"))
        .ok()
        .filter(|url| !url.is_empty())
}

#[cfg(feature = "postgres")]
fn postgres(report: &mut Report, url: &str) -> Result<()> {
    report.section("event store, PostgreSQL on the loopback (fsync on)");
    let plain = postgres_support::plain_commit_rate(url)?;
    report.row(
        "PostgreSQL: plain one-row commits, one connection",
        format!("{plain:.0}/s"),
        "-",
        "the reference for PostgreSQL's figures",
    );
    report.key("store_plain_commit_per_s_postgres", plain);
    let mut databases = postgres_support::Databases::new(url)?;
    measure_backend(
        report,
        "_postgres",
        plain,
        "store_plain_commit_per_s_postgres",
        &mut || databases.fresh(),
    )
}

#[cfg(not(feature = "postgres"))]
fn postgres(report: &mut Report, _url: &str) -> Result<()> {
    report.row(
        "PostgreSQL",
        "-",
        "-",
        "skipped: built without the `postgres` feature",
    );
    Ok(())
}

/// Every figure of one backend; keys carry `suffix`, ratios are against `reference`.
fn measure_backend(
    report: &mut Report,
    suffix: &str,
    reference: f64,
    reference_name: &str,
    open: &mut dyn FnMut() -> Result<Box<dyn Store>>,
) -> Result<()> {
    let ratio = |figure: f64| format!("{:.2}× {reference_name}", figure / reference);
    let store = open()?;
    let single = appends_per_second(&*store, 1, Mode::Plain);
    report.row(
        "append one event, one writer",
        format!("{single:.0}/s"),
        "-",
        ratio(single),
    );
    report.key(&format!("store_append_single_per_s{suffix}"), single);

    let conditional = appends_per_second(&*store, 1, Mode::Conditional);
    report.row(
        "conditional append, one writer",
        format!("{conditional:.0}/s"),
        "-",
        format!(
            "{} (target ≥ 0.7× embedded, ≥ 0.5× PostgreSQL)",
            ratio(conditional)
        ),
    );
    report.key(
        &format!("store_conditional_append_per_s{suffix}"),
        conditional,
    );

    let eight = appends_per_second(&*store, 8, Mode::Conditional);
    report.row(
        "conditional appends, 8 writers on their own tags",
        format!("{eight:.0}/s"),
        "-",
        format!(
            "{}; {:.1}× one writer (targets: embedded ≥ 2× fsync_per_s, PostgreSQL ≥ 2.5× one)",
            ratio(eight),
            eight / conditional
        ),
    );
    report.key(
        &format!("store_conditional_append_8_writers_per_s{suffix}"),
        eight,
    );

    let two = appends_per_second(&*store, 2, Mode::Contending);
    report.row(
        "conditional appends, 2 writers contending on one tag",
        format!("{two:.0}/s"),
        "-",
        "appends that passed their condition (conflicts read again and retry)",
    );
    report.key(
        &format!("store_conditional_append_two_writers_per_s{suffix}"),
        two,
    );

    let batch = batch_rate(&*store, 100);
    report.row(
        "append batches of 100 events, one writer",
        rate(batch),
        "-",
        "target ≥ 150 k ev/s (embedded)",
    );
    report.key(&format!("store_append_batch100_evps{suffix}"), batch);
    drop(store);

    let store = open()?;
    let (filled, ()) = time(|| fill(&*store, LARGE));
    report.row(
        "filling a store of 1 M events in batches of 1,000",
        rate(per_second(LARGE, filled)),
        "-",
        "one tag per 1,000 events",
    );
    let tag = tag_read_ms(&*store);
    report.row(
        "one tag's 1,000 events out of 1 M",
        format!("{tag:.2} ms"),
        "-",
        "median of 15 reads (target ≤ 2 ms, embedded)",
    );
    report.key(&format!("store_tag_read_1000_of_1m_ms{suffix}"), tag);
    let scan = scan_rate(&*store);
    report.row(
        "full scan of 1 M events (decoded, tags included)",
        rate(scan),
        "-",
        "best of 3 (target ≥ 3 M ev/s, embedded)",
    );
    report.key(&format!("store_scan_evps{suffix}"), scan);
    Ok(())
}

/// Overwrites one 4 KiB block and flushes it (`fdatasync`), as often as it can for a second,
/// in `dir`: the floor under one durable commit.
fn flush_rate(dir: &Path) -> Result<f64> {
    flush_rate_for(dir, Duration::from_secs(1))
}

/// [`flush_rate`] measured for `run` instead of a second.
pub(crate) fn flush_rate_for(dir: &Path, run: Duration) -> Result<f64> {
    let path = dir.join("flush-probe");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .with_context(|| format!("{}", path.display()))?;
    let block = [0x5au8; 4096];
    file.write_all(&block)?;
    file.sync_all()?;
    let start = Instant::now();
    let mut flushes = 0usize;
    while start.elapsed() < run {
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&block)?;
        file.sync_data()?;
        flushes += 1;
    }
    let rate = per_second(flushes, start.elapsed());
    drop(file);
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}

/// A sample event: about 100 bytes of JSON data and one tag.
fn sample(id: &str, tag_name: &str, tag_value: &str) -> Event {
    Event::new(id, "/bench", "account.deposited")
        .with_extension(tag_name, tag_value)
        .with_json_data(&serde_json::json!({
            "amount": 1234,
            "currency": "EUR",
            "note": "a deposit of the kind an account receives every day",
        }))
        .expect("JSON data")
}

fn tag(name: &str, value: &str) -> Tag {
    Tag::new(name, value).expect("a valid tag")
}

#[derive(Clone, Copy)]
enum Mode {
    /// No condition.
    Plain,
    /// Each writer conditions on its own tag, after its own last append.
    Conditional,
    /// Every writer conditions on one tag, after the head it read; conflicts retry.
    Contending,
}

/// Appends of one event per call from `writers` threads for [`RUN`]; successful appends per
/// second.
fn appends_per_second(store: &dyn Store, writers: usize, mode: Mode) -> f64 {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for writer in 0..writers {
            let (stop, done) = (&stop, &done);
            scope.spawn(move || {
                let key = match mode {
                    Mode::Contending => format!("r{run}"),
                    _ => format!("r{run}w{writer}"),
                };
                let query = Query::item(QueryItem::tags([tag("writer", &key)]));
                let mut last = store.head().expect("head");
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let event = sample(&format!("{key}-{writer}-{n}"), "writer", &key);
                    let condition = match mode {
                        Mode::Plain => None,
                        Mode::Conditional => Some(AppendCondition::new(query.clone(), Some(last))),
                        Mode::Contending => {
                            let head = store.head().expect("head");
                            Some(AppendCondition::new(query.clone(), Some(head)))
                        }
                    };
                    match store.append(&[event], condition.as_ref()) {
                        Ok(position) => {
                            last = position;
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(error) if error.is_conflict() => {}
                        Err(error) => panic!("append failed: {error}"),
                    }
                }
            });
        }
        std::thread::sleep(RUN);
        stop.store(true, Ordering::Relaxed);
    });
    per_second(done.load(Ordering::Relaxed) as usize, start.elapsed())
}

/// Events per second appended in batches of `size` by one writer for [`RUN`].
fn batch_rate(store: &dyn Store, size: usize) -> f64 {
    let start = Instant::now();
    let mut events = 0usize;
    let mut n = 0usize;
    while start.elapsed() < RUN {
        let batch: Vec<Event> = (0..size)
            .map(|i| sample(&format!("batch-{n}-{i}"), "batch", &n.to_string()))
            .collect();
        store.append(&batch, None).expect("append");
        events += size;
        n += 1;
    }
    per_second(events, start.elapsed())
}

/// Fills `store` with `count` events, `PER_TAG` to a tag.
fn fill(store: &dyn Store, count: usize) {
    let groups = count / PER_TAG;
    for chunk in 0..count / 1000 {
        let batch: Vec<Event> = (0..1000)
            .map(|i| {
                let n = chunk * 1000 + i;
                sample(&format!("e{n}"), "group", &format!("g{}", n % groups))
            })
            .collect();
        store.append(&batch, None).expect("append");
    }
}

/// The median time, in ms, to read one tag's [`PER_TAG`] events.
fn tag_read_ms(store: &dyn Store) -> f64 {
    let query = Query::item(QueryItem::tags([tag("group", "g7")]));
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let (took, count) = time(|| store.read(&query, 0, None).expect("read").count());
            assert_eq!(count, PER_TAG);
            took
        })
        .collect();
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}

/// Events per second of a full read, best of three.
fn scan_rate(store: &dyn Store) -> f64 {
    (0..3)
        .map(|_| {
            let (took, count) = time(|| {
                let mut count = 0;
                for event in store.read(&Query::all(), 0, None).expect("read") {
                    std::hint::black_box(event.expect("event"));
                    count += 1;
                }
                count
            });
            per_second(count, took)
        })
        .fold(0.0, f64::max)
}

/// A database of its own for each measurement, and PostgreSQL's own commit rate.
#[cfg(feature = "postgres")]
mod postgres_support {
    use std::time::{Duration, Instant};

    use anyhow::{Context, Result};
    use evident_store::{PostgresStore, Store};
    use postgres::{Client, NoTls};

    /// Plain one-row commits per second on one connection (autocommit `INSERT`s into a table
    /// of `bigint`s): what one append costs PostgreSQL without any of the store's work.
    pub fn plain_commit_rate(url: &str) -> Result<f64> {
        let mut client = Client::connect(url, NoTls).context("cannot connect to PostgreSQL")?;
        client.batch_execute(
            "DROP TABLE IF EXISTS evident_bench_plain; \
             CREATE TABLE evident_bench_plain (n bigint PRIMARY KEY)",
        )?;
        let insert = client.prepare("INSERT INTO evident_bench_plain (n) VALUES ($1)")?;
        let start = Instant::now();
        let mut n = 0i64;
        while start.elapsed() < Duration::from_millis(1500) {
            n += 1;
            client.execute(&insert, &[&n])?;
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        client.batch_execute("DROP TABLE evident_bench_plain")?;
        Ok(rate)
    }

    /// Creates a fresh database per store opened, and drops them all at the end.
    pub struct Databases {
        server: String,
        created: Vec<String>,
    }

    impl Databases {
        pub fn new(server: &str) -> Result<Self> {
            Ok(Databases {
                server: server.to_owned(),
                created: Vec::new(),
            })
        }

        /// A store in a new, empty database.
        pub fn fresh(&mut self) -> Result<Box<dyn Store>> {
            let name = format!(
                "evident_bench_{}_{}",
                std::process::id(),
                self.created.len()
            );
            let mut admin = Client::connect(&self.server, NoTls)?;
            // One statement per call: CREATE DATABASE cannot run in a transaction block.
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))?;
            admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
            self.created.push(name.clone());
            let url = match self.server.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => anyhow::bail!("{} names no database", self.server),
            };
            Ok(Box::new(PostgresStore::connect(&url)?))
        }
    }

    impl Drop for Databases {
        fn drop(&mut self) {
            if let Ok(mut admin) = Client::connect(&self.server, NoTls) {
                for name in &self.created {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}
