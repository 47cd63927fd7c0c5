//! The embedded backend: the suite, then what only a file shared by processes can show.

use std::collections::BTreeSet;

use evident_store::{Query, SqliteStore, Store, StoreError, StoreOptions};

use crate::common::{TestStore, assert_gapless, event, run_children};
use crate::dcb;
use crate::snapshots;

fn open() -> Option<TestStore> {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("store");
    Some(TestStore {
        store: Box::new(SqliteStore::open(&location).unwrap()),
        location: Some(location.display().to_string()),
        _guard: Box::new(dir),
    })
}

conformance!(open);

#[test]
fn appends_from_eight_threads_share_flushes() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    std::thread::scope(|scope| {
        for writer in 0..8 {
            let store = &store;
            scope.spawn(move || {
                for i in 0..100 {
                    store
                        .append(&[event(&format!("{writer}-{i}"), "t", &[])], None)
                        .unwrap();
                }
            });
        }
    });
    let (commits, appends) = store.commit_counts();
    assert_eq!(appends, 800);
    assert!(
        commits < appends,
        "{commits} commits for {appends} appends: no group commit"
    );
    assert_gapless(&store);
}

/// Processes started together open a new store together. Switching a new file to the WAL
/// journal takes a lock SQLite refuses at once, without waiting, where waiting could deadlock;
/// every opener must still open rather than fail with "database is locked".
#[test]
fn a_new_store_opened_by_eight_threads_at_once_opens_for_each() {
    for _round in 0..100 {
        let dir = tempfile::tempdir().unwrap();
        let location = dir.path().join("store");
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    start.wait();
                    SqliteStore::open(&location).unwrap_or_else(|e| panic!("{e}"))
                });
            }
        });
        assert_gapless(&SqliteStore::open(&location).unwrap());
    }
}

#[test]
fn four_processes_appending_to_one_file_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("store").display().to_string();
    let arguments: Vec<Vec<String>> = (0..4)
        .map(|p| vec![format!("p{p}"), "2".into(), "40".into()])
        .collect();
    let acknowledged: Vec<(String, u64)> = run_children("append", &location, &arguments)
        .into_iter()
        .flatten()
        .map(|ack| {
            let (batch, position) = ack.split_once(' ').unwrap();
            (batch.to_owned(), position.parse().unwrap())
        })
        .collect();
    assert_eq!(acknowledged.len(), 4 * 2 * 40);
    let store = SqliteStore::open(&location).unwrap();
    let all = assert_gapless(&store);
    assert_eq!(all.len(), 4 * 2 * 40 * crate::child::BATCH);
    for (batch, position) in acknowledged {
        assert_eq!(
            all[(position - 1) as usize].event.extensions["batch"],
            batch
        );
    }
}

#[test]
fn course_capacity_holds_under_racing_processes() {
    let store = open().unwrap();
    dcb::course_capacity_holds_under_racing_processes(&store);
}

#[test]
fn one_of_many_processes_claiming_a_username_wins() {
    let store = open().unwrap();
    dcb::one_of_many_processes_claiming_a_username_wins(&store);
}

#[test]
fn invoice_numbers_hold_under_racing_processes() {
    let store = open().unwrap();
    dcb::invoice_numbers_hold_under_racing_processes(&store);
}

#[test]
fn a_corrupt_file_is_reported_with_the_position_where_reading_stops() {
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<_> = (0..5000)
        .map(|i| event(&format!("e{i}"), "t", &[]).with_data("text/plain", vec![b'x'; 200]))
        .collect();
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        store.append(&events, None).unwrap();
    }
    // Fold the WAL into the file, then overwrite the page holding the middle event's row (the
    // one with the middle of the runs of 200 `x`: the rows' data, found in no index).
    let file = dir.path().join("events.db");
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(connection);
    let mut bytes = std::fs::read(&file).unwrap();
    let run = [b'x'; 200];
    let rows: Vec<usize> = (0..bytes.len() - run.len())
        .filter(|&at| bytes[at..].starts_with(&run))
        .collect();
    let page = rows[rows.len() / 2] / 4096 * 4096;
    bytes[page..page + 4096].fill(0xA5);
    std::fs::write(&file, bytes).unwrap();

    let store = SqliteStore::open(dir.path()).unwrap();
    let mut read = Vec::new();
    let error = store
        .read(&Query::all(), 0, None)
        .unwrap()
        .map(|e| e.map(|e| e.position))
        .find_map(|e| match e {
            Ok(position) => {
                read.push(position);
                None
            }
            Err(error) => Some(error),
        })
        .expect("reading a corrupt file fails");
    match error {
        StoreError::Corrupt { position, .. } => {
            assert_eq!(
                position,
                read.len() as u64 + 1,
                "named where the good events end"
            );
            assert!(position > 1 && position <= 5000, "{position}");
        }
        other => panic!("expected Corrupt, got {other}"),
    }
    assert_eq!(
        read.iter().copied().collect::<BTreeSet<_>>().len(),
        read.len()
    );
}

#[test]
fn snapshots_survive_reopening_and_are_shared_by_handles_on_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let key = snapshots::key("balances");
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        snapshots::append(&store, 3);
        store.save_snapshot(&key, &snapshots::at(2)).unwrap();
        // A second handle, as another process opens the directory, sees it and adds its own.
        let other = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(other.snapshot(&key, 3).unwrap(), Some(snapshots::at(2)));
        other.save_snapshot(&key, &snapshots::at(3)).unwrap();
        assert_eq!(store.snapshot(&key, 3).unwrap(), Some(snapshots::at(3)));
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.snapshot(&key, 2).unwrap(), Some(snapshots::at(2)));
    assert_eq!(store.snapshot(&key, 3).unwrap(), Some(snapshots::at(3)));
}

#[test]
fn a_store_from_before_snapshots_opens_and_gets_their_table() {
    let dir = tempfile::tempdir().unwrap();
    snapshots::append(&SqliteStore::open(dir.path()).unwrap(), 3);
    // What the previous version left: layout 1, without the snapshots table.
    let file = dir.path().join("events.db");
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection.execute_batch("DROP TABLE snapshots").unwrap();
    let layout: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(layout, 1);
    drop(connection);

    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(assert_gapless(&store).len(), 3);
    let key = snapshots::key("balances");
    store.save_snapshot(&key, &snapshots::at(3)).unwrap();
    assert_eq!(store.snapshot(&key, 3).unwrap(), Some(snapshots::at(3)));
}

#[test]
fn the_number_of_snapshots_kept_is_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions {
        snapshots_kept: 1,
        ..StoreOptions::default()
    };
    let store = SqliteStore::open_with(dir.path(), options).unwrap();
    snapshots::append(&store, 2);
    let key = snapshots::key("balances");
    store.save_snapshot(&key, &snapshots::at(1)).unwrap();
    store.save_snapshot(&key, &snapshots::at(2)).unwrap();
    assert_eq!(store.snapshot(&key, 1).unwrap(), None);
    assert_eq!(store.snapshot(&key, 2).unwrap(), Some(snapshots::at(2)));
}

#[test]
fn saves_racing_on_one_key_from_two_handles_never_keep_more_than_four() {
    let dir = tempfile::tempdir().unwrap();
    let handles = [
        SqliteStore::open(dir.path()).unwrap(),
        SqliteStore::open(dir.path()).unwrap(),
    ];
    snapshots::append(&handles[0], 80);
    let key = snapshots::key("balances");
    let file = dir.path().join("events.db");
    std::thread::scope(|scope| {
        for thread in 0..8u64 {
            let (store, key, file) = (&handles[thread as usize % 2], &key, &file);
            scope.spawn(move || {
                let connection = rusqlite::Connection::open(file).unwrap();
                for n in 0..10 {
                    let snapshot = snapshots::at(thread * 10 + n + 1);
                    store.save_snapshot(key, &snapshot).unwrap();
                    let count: i64 = connection
                        .query_row("SELECT count(*) FROM snapshots", [], |row| row.get(0))
                        .unwrap();
                    assert!(count <= 4, "{count} kept: saves pruned side by side");
                }
            });
        }
    });
    // The newest four of all, whichever thread saved them.
    let at = |position| handles[1].snapshot(&key, position).unwrap();
    assert_eq!(at(80), Some(snapshots::at(80)));
    assert_eq!(at(77), Some(snapshots::at(77)));
    assert_eq!(at(76), None);
}
