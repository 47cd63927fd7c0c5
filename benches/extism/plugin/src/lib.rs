//! The event counter of `guests/event-counter` as an Extism plugin: the batched fold a user
//! would write with Extism instead of an Evident view, for the side-by-side figure of issue 27.
//!
//! The host sends one Evident event frame (`evident_types::frame::FrameWriter`) per
//! `count_frame` call; the counts stay in the plugin's memory between calls, `counts` returns
//! them as the view's JSON state and `reset` empties them.

use std::cell::RefCell;
use std::collections::BTreeMap;

use evident_types::frame::FrameReader;
use extism_pdk::{FnResult, plugin_fn};
use serde::Serialize;

/// How many events of each type the plugin has seen: the event counter's state, same JSON.
#[derive(Debug, Default, Serialize)]
struct EventCounts {
    /// Events counted, by CloudEvents `type`.
    by_type: BTreeMap<String, u64>,
    /// Events counted in all.
    total: u64,
}

thread_local! {
    /// The counts between calls: a plugin instance is single-threaded, and Extism keeps its
    /// memory from one call to the next.
    static COUNTS: RefCell<EventCounts> = RefCell::default();
}

/// Counts the events of one frame by type, as the event counter's `reduce` does per event;
/// returns nothing, so the host copies nothing back.
#[plugin_fn]
pub fn count_frame(frame: Vec<u8>) -> FnResult<()> {
    let mut reader = FrameReader::new(&frame)?;
    COUNTS.with_borrow_mut(|counts| {
        while let Some(event) = reader.next_event()? {
            counts.total += 1;
            match counts.by_type.get_mut(event.event_type) {
                Some(count) => *count += 1,
                None => {
                    counts.by_type.insert(event.event_type.to_owned(), 1);
                }
            }
        }
        Ok(())
    })
}

/// The counts as the event counter's JSON state, `{"by_type":{...},"total":N}`, for the host to
/// check against Evident's fold.
#[plugin_fn]
pub fn counts() -> FnResult<String> {
    Ok(COUNTS.with_borrow(serde_json::to_string)?)
}

/// Forgets the counts, so that one plugin instance serves every round of the benchmark.
#[plugin_fn]
pub fn reset() -> FnResult<()> {
    COUNTS.with_borrow_mut(|counts| *counts = EventCounts::default());
    Ok(())
}
