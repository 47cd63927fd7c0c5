//! What a child process does when a test starts this binary again (see
//! `common::spawn_child`): append in a loop, or play a part in a DCB race, on a store opened
//! by location, reporting on stdout what was acknowledged.

use std::io::Write;

use evident_store::{StoreOptions, open};

use crate::common::event;
use crate::dcb;

/// The environment variables that tell the child what to do.
pub const ROLE: &str = "EVIDENT_STORE_TEST_ROLE";
pub const LOCATION: &str = "EVIDENT_STORE_TEST_LOCATION";
pub const ARGUMENTS: &str = "EVIDENT_STORE_TEST_ARGUMENTS";

/// A line the parent reads: `ACK <batch> <position>` once an append returned.
pub const ACK: &str = "ACK";

/// Batches one appending thread makes at most (the loop is meant to be killed first).
const MAX_BATCHES: usize = 20_000;
/// Events per batch: a batch found in part would be a torn append.
pub const BATCH: usize = 3;

#[test]
#[ignore = "the part a child process plays; run by the tests that start it"]
fn entry() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let location = std::env::var(LOCATION).unwrap();
    let arguments: Vec<String> = std::env::var(ARGUMENTS)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let store = open(&location, StoreOptions::default()).unwrap();
    let store = &*store;
    match role.as_str() {
        // append <prefix> <threads> <batches per thread>
        "append" => {
            let prefix = &arguments[0];
            let threads: usize = arguments[1].parse().unwrap();
            let batches: usize = arguments.get(2).map_or(MAX_BATCHES, |n| n.parse().unwrap());
            std::thread::scope(|scope| {
                for thread in 0..threads {
                    scope.spawn(move || {
                        for n in 0..batches {
                            let batch_id = format!("{prefix}-{thread}-{n}");
                            let batch: Vec<_> = (0..BATCH)
                                .map(|i| {
                                    event(&format!("{batch_id}-{i}"), "t", &[("batch", &batch_id)])
                                })
                                .collect();
                            let position = store.append(&batch, None).unwrap();
                            let mut out = std::io::stdout().lock();
                            writeln!(out, "{ACK} {batch_id} {position}").unwrap();
                            out.flush().unwrap();
                        }
                    });
                }
            });
        }
        // subscribe <student>
        "subscribe" => {
            let accepted = dcb::subscribe_everywhere(store, arguments[0].parse().unwrap());
            println!("{ACK} {accepted}");
        }
        // claim <username> <claimant>: prints whether the claim won
        "claim" => {
            let won = dcb::claim(store, &arguments[0], &arguments[1]);
            println!("{ACK} {won}");
        }
        // invoice <writer> <count>
        "invoice" => {
            for _ in 0..arguments[1].parse::<usize>().unwrap() {
                dcb::create_invoice(store, &arguments[0]);
            }
            println!("{ACK} done");
        }
        other => panic!("no role {other}"),
    }
}
