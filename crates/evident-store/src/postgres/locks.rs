//! The advisory locks an append takes, and the stable keys they are taken on.
//!
//! An append takes, in one sorted order: EXCLUSIVE on every key an event matching its
//! condition must carry, and on the key of each of its events' (`source`, `id`) (so that two
//! appends of one event run one after the other, and the second's look for duplicates sees the
//! first: it is refused before it draws a position, and leaves no gap); SHARED on every key
//! its events carry (each tag, the type, [`ALL`]). An append that would take more than
//! [`MAX_KEYS`] keys (a large batch) takes [`ALL`] exclusively instead: every append holds
//! [`ALL`] shared, so it runs alone, and PostgreSQL's lock table (`max_locks_per_transaction`
//! per connection) is never exhausted by one append.
//!
//! A key is FNV-1a (64-bit, offset basis `0xcbf29ce484222325`, prime `0x100000001b3`) of the
//! UTF-8 text `tag:` + the tag (`tag:course:c1`), `type:` + the event type
//! (`type:student.subscribed`) or `id:` + the source, a NUL, and the id, read as a signed
//! 64-bit integer, PostgreSQL's advisory key. It is written down here because processes built
//! from different versions must agree on it: changing it would let two of them append under
//! the same condition at once. A collision between two keys only makes unrelated appends wait
//! for each other; it never lets related ones through. A snapshot save holds the key of
//! `snapshot:` + its view, digest, release and parameters (a NUL between each), so that two
//! saves under one snapshot key prune one after the other; a collision with it makes an
//! append wait for that save's short transaction. Three keys are fixed: [`ALL`] (every
//! event carries it; a condition that can match any event takes it), [`GATE`] (see the
//! backend's notes) and [`SCHEMA`] (creating the tables); a hash landing on [`GATE`] or
//! [`SCHEMA`] is moved off them.

use std::collections::BTreeMap;

use crate::record::Record;
use crate::{AppendCondition, Query};

/// Every event carries this key, shared; a condition matching any event takes it exclusively.
pub(super) const ALL: i64 = 0x6576_6964_616c_6c00; // "evidall\0"
/// Taken shared by an append from just before it draws positions until it commits, and
/// exclusively by `evident_head()` to find a moment when no drawn position is unsettled.
pub(super) const GATE: i64 = 0x6576_6964_6761_7465; // "evidgate"
/// Serializes creating the tables.
pub(super) const SCHEMA: i64 = 0x6576_6964_7363_6865; // "evidsche"

/// The most keys an append locks one by one; past it, it takes [`ALL`] exclusively.
pub(super) const MAX_KEYS: usize = 128;

/// FNV-1a, 64 bits, of `prefix` then `text`.
fn fnv1a(prefix: &str, text: &str) -> i64 {
    fnv1a_of(&[prefix, text])
}

/// FNV-1a, 64 bits, of `parts` one after the other.
fn fnv1a_of(parts: &[&str]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|part| part.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let key = hash as i64;
    if key == GATE || key == SCHEMA {
        key ^ 1
    } else {
        key
    }
}

/// The key of a tag, given as its `name:value` text.
pub(super) fn tag_key(tag: &str) -> i64 {
    fnv1a("tag:", tag)
}

/// The key of an event type.
pub(super) fn type_key(event_type: &str) -> i64 {
    fnv1a("type:", event_type)
}

/// The key of an event's identity, its (`source`, `id`).
pub(super) fn id_key(source: &str, id: &str) -> i64 {
    fnv1a_of(&["id:", source, "\0", id])
}

/// The key a snapshot save holds while it replaces and prunes its key's snapshots.
pub(super) fn snapshot_key(key: &crate::SnapshotKey) -> i64 {
    fnv1a_of(&[
        "snapshot:",
        &key.view,
        "\0",
        &key.component_digest,
        "\0",
        &key.wit_release,
        "\0",
        &key.parameters,
    ])
}

/// The keys an event matching `query` surely carries, one set per way of matching: for an item
/// with tags, its first tag; for an item of types alone, each type; for a query that can match
/// any event, [`ALL`].
fn condition_keys(query: &Query) -> Vec<i64> {
    if query.is_all() {
        return vec![ALL];
    }
    query
        .items
        .iter()
        .flat_map(|item| match item.tags.first() {
            Some(tag) => vec![tag_key(&tag.to_string())],
            None => item.types.iter().map(|t| type_key(t)).collect(),
        })
        .collect()
}

/// The locks of an append, sorted by key: exclusive on what its condition can match and on
/// its events' identities, shared on what its events carry (unless the key is already
/// exclusive); past [`MAX_KEYS`], [`ALL`] exclusive alone.
pub(super) fn plan(condition: Option<&AppendCondition>, records: &[Record]) -> Vec<(i64, bool)> {
    let mut locks: BTreeMap<i64, bool> = BTreeMap::new();
    if let Some(condition) = condition {
        for key in condition_keys(&condition.fail_if_events_match) {
            locks.insert(key, true);
        }
    }
    for record in records {
        locks.insert(id_key(&record.source, &record.id), true);
    }
    locks.entry(ALL).or_insert(false);
    for record in records {
        locks.entry(type_key(&record.event_type)).or_insert(false);
        for tag in &record.tags {
            locks.entry(tag_key(tag)).or_insert(false);
        }
        if locks.len() > MAX_KEYS {
            return vec![(ALL, true)];
        }
    }
    if locks.len() > MAX_KEYS {
        return vec![(ALL, true)];
    }
    locks.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::QueryItem;
    use crate::record::prepare;
    use evident_types::Event;

    #[test]
    fn keys_are_fnv1a_of_the_prefixed_text() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; of "" the offset basis.
        assert_eq!(fnv1a("", "a") as u64, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("", "") as u64, 0xcbf2_9ce4_8422_2325);
        assert_eq!(tag_key("course:c1"), fnv1a("tag:course:c1", ""));
        assert_ne!(tag_key("x"), type_key("x"));
    }

    #[test]
    fn a_condition_locks_exclusively_what_it_can_match_and_events_share_what_they_carry() {
        let event = Event::new("1", "/courses", "subscribed").with_extension("course", "c1");
        let records = prepare(&[event], 1 << 20).unwrap();
        let course = QueryItem::tags(["course:c1".parse().unwrap(), "student:s".parse().unwrap()]);
        let condition = AppendCondition::new(Query::item(course).or(QueryItem::types(["t"])), None);
        let locks = plan(Some(&condition), &records);
        let mode = |key| locks.iter().find(|(k, _)| *k == key).map(|(_, e)| *e);
        assert_eq!(mode(tag_key("course:c1")), Some(true));
        assert_eq!(mode(type_key("t")), Some(true));
        assert_eq!(mode(tag_key("student:s")), None);
        assert_eq!(mode(tag_key("source:/courses")), Some(false));
        assert_eq!(mode(type_key("subscribed")), Some(false));
        assert_eq!(mode(ALL), Some(false));
        assert_eq!(mode(id_key("/courses", "1")), Some(true));
        assert!(
            locks.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, once each"
        );
        let many: Vec<Event> = (0..MAX_KEYS)
            .map(|i| Event::new(i.to_string(), "/s", "t"))
            .collect();
        let many = prepare(&many, 1 << 20).unwrap();
        assert_eq!(plan(None, &many), [(ALL, true)], "a large batch runs alone");
        let all = AppendCondition::new(Query::all(), Some(3));
        assert_eq!(
            plan(Some(&all), &records).iter().find(|(k, _)| *k == ALL),
            Some(&(ALL, true))
        );
    }
}
