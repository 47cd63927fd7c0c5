//! View snapshots, as every backend keeps them: the cases the conformance suite runs (see
//! `conformance!`), each on a fresh store with the default options (4 kept per key).

use evident_store::{Snapshot, SnapshotKey, Store, StoreError};
use evident_types::{Bytes, State, content_type};

use crate::common::{TestStore, event};

/// A key of view `view` with a fixed digest, release and parameters.
pub fn key(view: &str) -> SnapshotKey {
    SnapshotKey {
        view: view.into(),
        component_digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        wit_release: "0.4.0".into(),
        parameters: "currency=EUR&region=eu".into(),
    }
}

/// A snapshot at `position` whose JSON state names it.
pub fn at(position: u64) -> Snapshot {
    Snapshot {
        position,
        state: State::new(
            content_type::JSON,
            format!("{{\"at\":{position}}}").into_bytes(),
        ),
    }
}

/// Appends `count` events, so the head is at least `count`.
pub fn append(store: &dyn Store, count: usize) {
    let events: Vec<_> = (0..count)
        .map(|i| event(&format!("snapshot-{i}"), "t", &[]))
        .collect();
    store.append(&events, None).unwrap();
}

/// The position of the snapshot `snapshot(key, at)` finds, if any.
fn found(store: &dyn Store, key: &SnapshotKey, position: u64) -> Option<u64> {
    store
        .snapshot(key, position)
        .unwrap()
        .map(|snapshot| snapshot.position)
}

pub fn a_snapshot_is_read_at_and_after_its_position_and_not_before(store: &TestStore) {
    append(&**store, 5);
    let key = key("balances");
    assert_eq!(store.snapshot(&key, 5).unwrap(), None, "none saved yet");
    store.save_snapshot(&key, &at(3)).unwrap();
    assert_eq!(store.snapshot(&key, 3).unwrap(), Some(at(3)));
    assert_eq!(store.snapshot(&key, 4).unwrap(), Some(at(3)));
    assert_eq!(store.snapshot(&key, u64::MAX).unwrap(), Some(at(3)));
    assert_eq!(store.snapshot(&key, 2).unwrap(), None);
    assert_eq!(store.snapshot(&key, 0).unwrap(), None);
}

pub fn the_newest_snapshot_at_or_before_the_position_is_chosen(store: &TestStore) {
    append(&**store, 10);
    let key = key("balances");
    for position in [5, 2, 8] {
        store.save_snapshot(&key, &at(position)).unwrap();
    }
    let chosen: Vec<Option<u64>> = [1, 2, 4, 5, 7, 8, 10]
        .iter()
        .map(|&position| found(&**store, &key, position))
        .collect();
    assert_eq!(
        chosen,
        [None, Some(2), Some(2), Some(5), Some(5), Some(8), Some(8)]
    );
    // A save at a position already held replaces it.
    let mut replacement = at(5);
    replacement.state = State::new(content_type::CBOR, vec![0xa0]);
    replacement.state.schema_id = Some("balances/v2".into());
    store.save_snapshot(&key, &replacement).unwrap();
    assert_eq!(store.snapshot(&key, 6).unwrap(), Some(replacement));
    assert_eq!(found(&**store, &key, 10), Some(8));
}

pub fn another_digest_release_or_parameters_never_sees_a_snapshot(store: &TestStore) {
    append(&**store, 3);
    let saved = key("balances");
    store.save_snapshot(&saved, &at(2)).unwrap();
    let mut others = Vec::new();
    let mut other = saved.clone();
    other.component_digest.replace_range(63.., "9");
    others.push(other);
    let mut other = saved.clone();
    other.wit_release = "0.4.1".into();
    others.push(other);
    let mut other = saved.clone();
    other.parameters.push(' ');
    others.push(other);
    let mut other = saved.clone();
    other.parameters = String::new();
    others.push(other);
    let mut other = saved.clone();
    other.view = "balances-copy".into();
    others.push(other);
    for other in &others {
        assert_eq!(found(&**store, other, 3), None, "{other:?} saw {saved:?}'s");
    }
    // Each key then reads its own, long parameters included.
    let mut long = saved.clone();
    long.parameters = "accounts=".to_owned() + &"a1,".repeat(3000);
    others.push(long);
    for (n, other) in others.iter().enumerate() {
        let mut own = at(1);
        own.state = State::new(content_type::JSON, format!("{{\"own\":{n}}}").into_bytes());
        store.save_snapshot(other, &own).unwrap();
        assert_eq!(store.snapshot(other, 3).unwrap(), Some(own));
    }
    assert_eq!(store.snapshot(&saved, 3).unwrap(), Some(at(2)));
}

pub fn only_the_newest_four_snapshots_of_a_key_are_kept(store: &TestStore) {
    append(&**store, 10);
    let (pruned, other) = (key("balances"), key("totals"));
    store.save_snapshot(&other, &at(1)).unwrap();
    for position in 1..=6 {
        store.save_snapshot(&pruned, &at(position)).unwrap();
    }
    let kept: Vec<Option<u64>> = (1..=6).map(|p| found(&**store, &pruned, p)).collect();
    assert_eq!(kept, [None, None, Some(3), Some(4), Some(5), Some(6)]);
    // One older than the four newest is not kept either.
    store.save_snapshot(&pruned, &at(2)).unwrap();
    assert_eq!(found(&**store, &pruned, 2), None);
    store.save_snapshot(&pruned, &at(10)).unwrap();
    assert_eq!(found(&**store, &pruned, 3), None);
    assert_eq!(found(&**store, &pruned, 4), Some(4));
    assert_eq!(
        found(&**store, &other, 10),
        Some(1),
        "another key's are its own"
    );
    assert_eq!(store.delete_snapshots("balances").unwrap(), 4);
}

pub fn deleting_a_views_snapshots_leaves_other_views_alone(store: &TestStore) {
    append(&**store, 4);
    let mut keys = vec![key("balances"), key("totals")];
    let mut other_release = key("balances");
    other_release.wit_release = "0.3.0".into();
    keys.push(other_release);
    for key in &keys {
        for position in [2, 4] {
            store.save_snapshot(key, &at(position)).unwrap();
        }
    }
    assert_eq!(store.delete_snapshots("balances").unwrap(), 4);
    assert_eq!(found(&**store, &keys[0], 4), None);
    assert_eq!(found(&**store, &keys[2], 4), None);
    assert_eq!(found(&**store, &keys[1], 4), Some(4));
    assert_eq!(found(&**store, &keys[1], 3), Some(2));
    assert_eq!(store.delete_snapshots("balances").unwrap(), 0);
    assert_eq!(store.delete_snapshots("unknown").unwrap(), 0);
}

pub fn a_snapshot_past_the_head_is_refused(store: &TestStore) {
    let key = key("balances");
    let refused = |position, head| match store.save_snapshot(&key, &at(position)) {
        Err(StoreError::SnapshotPastHead {
            position: p,
            head: h,
        }) => assert_eq!((p, h), (position, head)),
        other => panic!("a snapshot at {position} past head {head} was not refused: {other:?}"),
    };
    refused(1, 0);
    store.save_snapshot(&key, &at(0)).unwrap();
    append(&**store, 2);
    refused(3, 2);
    refused(u64::MAX, 2);
    assert_eq!(
        found(&**store, &key, u64::MAX),
        Some(0),
        "nothing refused kept"
    );
    store.save_snapshot(&key, &at(2)).unwrap();
    assert_eq!(found(&**store, &key, u64::MAX), Some(2));
}

pub fn a_large_state_round_trips(store: &TestStore) {
    append(&**store, 1);
    let key = key("balances");
    let bytes: Vec<u8> = (0..8u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let snapshot = Snapshot {
        position: 1,
        state: State {
            content_type: content_type::CBOR.into(),
            schema_id: Some("balances/v1".into()),
            bytes: Bytes::from(bytes),
        },
    };
    store.save_snapshot(&key, &snapshot).unwrap();
    let read = store.snapshot(&key, 1).unwrap().expect("saved");
    assert_eq!(read.state.bytes.len(), 8 << 20);
    assert_eq!(read, snapshot);
}
