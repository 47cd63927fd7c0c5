//! What the tests share: a store to test with its cleanup, events, and child processes.

use std::any::Any;
use std::ops::Deref;
use std::process::{Child, Command, Stdio};

use evident_store::{Event, Store};

/// A store under test, and whatever must live as long as it (a directory, a database).
pub struct TestStore {
    pub store: Box<dyn Store>,
    /// Where a child process opens the same store (`evident_store::open`), if it can.
    pub location: Option<String>,
    pub _guard: Box<dyn Any + Send + Sync>,
}

impl Deref for TestStore {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        &*self.store
    }
}

/// An event of `event_type` with extension attributes as tags.
pub fn event(id: &str, event_type: &str, tags: &[(&str, &str)]) -> Event {
    let mut event = Event::new(id, "/tests", event_type);
    for (name, value) in tags {
        event = event.with_extension(*name, *value);
    }
    event
}

/// Every event of the store, in order.
pub fn everything(store: &dyn Store) -> Vec<evident_store::StoredEvent> {
    store
        .read(&evident_store::Query::all(), 0, None)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Asserts the log's positions are exactly 1..=head.
pub fn assert_gapless(store: &dyn Store) -> Vec<evident_store::StoredEvent> {
    let all = everything(store);
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    let expected: Vec<u64> = (1..=all.len() as u64).collect();
    assert_eq!(positions, expected, "positions are gapless from 1");
    assert_eq!(store.head().unwrap(), all.len() as u64);
    all
}

/// Starts this test binary again as a child that plays `role` on the store at `location`
/// (see `child.rs`), its stdout piped to the caller.
pub fn spawn_child(role: &str, location: &str, arguments: &[String]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child::entry", "--nocapture"])
        .env(crate::child::ROLE, role)
        .env(crate::child::LOCATION, location)
        .env(crate::child::ARGUMENTS, arguments.join(" "))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// A number that differs from run to run, for random kill times.
pub fn random(below: u64) -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::Instant::now()) % below.max(1)
}

/// Runs children to the end, all at once; returns each one's `ACK` lines (without `ACK `).
pub fn run_children(role: &str, location: &str, arguments: &[Vec<String>]) -> Vec<Vec<String>> {
    let children: Vec<Child> = arguments
        .iter()
        .map(|arguments| spawn_child(role, location, arguments))
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "a {role} child failed");
            acks(&output.stdout)
        })
        .collect()
}

/// The `ACK` lines of a child's output, without the word.
pub fn acks(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| {
            line.strip_prefix(crate::child::ACK)
                .map(|rest| rest.trim().to_owned())
        })
        .collect()
}
