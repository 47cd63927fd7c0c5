//! Durability: a process appending in a loop is killed (SIGKILL) at random moments; the store
//! reopens without repair, and every append the process reported as acknowledged is there,
//! whole, with positions still gapless.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use evident_store::SqliteStore;

use crate::child::BATCH;
use crate::common::{acks, assert_gapless, random, spawn_child};

/// Kills an appending child `rounds` times on one store and checks what survived each time.
fn kill_while_appending(threads: usize, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("store").display().to_string();
    let mut acknowledged: BTreeMap<String, u64> = BTreeMap::new();
    for round in 0..rounds {
        let arguments = [format!("r{round}"), threads.to_string()];
        let mut child = spawn_child("append", &location, &arguments);
        let mut stdout = child.stdout.take().unwrap();
        // Read while it runs, so a full pipe never slows the child down.
        let reader = std::thread::spawn(move || {
            let mut all = Vec::new();
            stdout.read_to_end(&mut all).unwrap();
            all
        });
        std::thread::sleep(Duration::from_millis(150 + random(400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let printed = reader.join().unwrap();
        let round_acks = acks(&printed);
        assert!(
            !round_acks.is_empty(),
            "round {round}: the child acknowledged nothing before the kill"
        );
        for ack in round_acks {
            let (batch, position) = ack.split_once(' ').unwrap();
            acknowledged.insert(batch.to_owned(), position.parse().unwrap());
        }

        let store = SqliteStore::open(&location).expect("the store opens without repair");
        let all = assert_gapless(&store);
        // Each batch is whole, its events at consecutive positions.
        let mut batches: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for stored in &all {
            batches
                .entry(stored.event.extensions["batch"].clone())
                .or_default()
                .push(stored.position);
        }
        for (batch, positions) in &batches {
            assert_eq!(
                positions.len(),
                BATCH,
                "batch {batch} is torn: {positions:?}"
            );
            assert!(
                positions.windows(2).all(|w| w[1] == w[0] + 1),
                "batch {batch}: {positions:?}"
            );
        }
        for (batch, position) in &acknowledged {
            let found = batches
                .get(batch)
                .unwrap_or_else(|| panic!("acknowledged batch {batch} was lost"));
            assert_eq!(found.last(), Some(position), "batch {batch} moved");
        }
        drop(store);
    }
}

#[test]
fn acknowledged_appends_of_one_writer_survive_kill_9() {
    kill_while_appending(1, 4);
}

#[test]
fn acknowledged_appends_of_eight_writers_under_group_commit_survive_kill_9() {
    kill_while_appending(8, 4);
}
