//! The promises every backend keeps, written once. A backend's module runs them all with
//! `conformance!(open)`, where `open()` returns `Option<TestStore>` (`None`: skipped).

use std::sync::Barrier;
use std::time::{Duration, Instant};

use evident_store::{AppendCondition, AppendError, Event, Existing, Query, QueryItem, Tag};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::{TestStore, assert_gapless, event};

pub use crate::dcb::{
    course_capacity_holds_under_racing_threads, invoice_numbers_race_to_no_gaps_and_no_duplicates,
    one_of_many_racing_claims_to_a_username_wins,
};
pub use crate::snapshots::{
    a_large_state_round_trips, a_snapshot_is_read_at_and_after_its_position_and_not_before,
    a_snapshot_past_the_head_is_refused,
    another_digest_release_or_parameters_never_sees_a_snapshot,
    deleting_a_views_snapshots_leaves_other_views_alone,
    only_the_newest_four_snapshots_of_a_key_are_kept,
    the_newest_snapshot_at_or_before_the_position_is_chosen,
};

/// Writes a `#[test]` per case of the suite, each on a fresh store from `$open`.
macro_rules! conformance {
    ($open:path) => {
        conformance!(@cases $open;
            positions_start_at_one_and_have_no_gaps,
            events_read_back_equal_to_what_was_appended,
            queries_select_what_their_items_say,
            reads_start_after_a_position_and_stop_at_a_limit,
            a_read_sees_the_log_as_it_was_when_it_began,
            a_condition_fails_on_an_event_it_matches_after_its_position,
            a_condition_without_a_position_fails_on_any_match,
            a_failed_append_writes_nothing,
            duplicates_are_refused_whole,
            invalid_and_oversized_events_are_refused_by_index,
            waiting_ends_at_an_append_or_the_timeout,
            eight_threads_appending_on_one_handle_lose_nothing,
            racing_conditional_appends_on_one_tag_admit_one_per_round,
            a_repeated_event_fails_its_append_alone_among_racing_appends,
            course_capacity_holds_under_racing_threads,
            one_of_many_racing_claims_to_a_username_wins,
            invoice_numbers_race_to_no_gaps_and_no_duplicates,
            a_snapshot_is_read_at_and_after_its_position_and_not_before,
            the_newest_snapshot_at_or_before_the_position_is_chosen,
            another_digest_release_or_parameters_never_sees_a_snapshot,
            only_the_newest_four_snapshots_of_a_key_are_kept,
            deleting_a_views_snapshots_leaves_other_views_alone,
            a_snapshot_past_the_head_is_refused,
            a_large_state_round_trips,
        );
    };
    (@cases $open:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                if let Some(store) = $open() {
                    crate::conformance::$case(&store);
                }
            }
        )*
    };
}

fn tag(text: &str) -> Tag {
    text.parse().unwrap()
}

fn course(id: &str) -> Query {
    Query::item(QueryItem::tags([tag(&format!("course:{id}"))]))
}

pub fn positions_start_at_one_and_have_no_gaps(store: &TestStore) {
    assert_eq!(store.head().unwrap(), 0);
    assert_eq!(store.append(&[event("a", "t", &[])], None).unwrap(), 1);
    let batch = [
        event("b", "t", &[]),
        event("c", "t", &[]),
        event("d", "t", &[]),
    ];
    assert_eq!(store.append(&batch, None).unwrap(), 4);
    let all = assert_gapless(&**store);
    let ids: Vec<&str> = all.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
}

pub fn events_read_back_equal_to_what_was_appended(store: &TestStore) {
    // Every attribute, extension and kind of data the generators make, in batches.
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let batches = std::cell::Cell::new(0);
    runner
        .run(&evident_testkit::strategies::events(8), |mut events| {
            if events.is_empty() {
                return Ok(());
            }
            let n = batches.get();
            batches.set(n + 1);
            for (i, event) in events.iter_mut().enumerate() {
                // Unique ids, so generated repeats are not refused as duplicates.
                event.id = format!("{n}-{i}-{}", event.id);
            }
            let before = store.head().unwrap();
            let last = store.append(&events, None).unwrap();
            prop_assert_eq!(last, before + events.len() as u64);
            let read: Vec<Event> = store
                .read(&Query::all(), before, None)
                .unwrap()
                .map(|stored| stored.unwrap().event)
                .collect();
            prop_assert_eq!(read, events);
            Ok(())
        })
        .unwrap();
}

pub fn queries_select_what_their_items_say(store: &TestStore) {
    let events: Vec<Event> = (0..60)
        .map(|i| {
            let types = [
                "course.defined",
                "student.subscribed",
                "course.capacity-changed",
            ];
            let mut e = event(
                &format!("e{i}"),
                types[i % 3],
                &[("course", ["c1", "c2", "c3"][i % 4 % 3])],
            );
            if i % 5 == 0 {
                e = e.with_extension("student", format!("s{}", i % 2));
            }
            if i % 7 == 0 {
                e = e.with_subject("special");
            }
            e
        })
        .collect();
    for chunk in events.chunks(7) {
        store.append(chunk, None).unwrap();
    }
    let queries = [
        Query::all(),
        Query::item(QueryItem::default()),
        course("c1"),
        Query::item(QueryItem::types(["student.subscribed"])),
        Query::item(QueryItem::types(["student.subscribed", "course.defined"])),
        Query::item(QueryItem::types(["course.defined"]).with_tags([tag("course:c2")])),
        Query::item(QueryItem::tags([tag("course:c1"), tag("student:s0")])),
        course("c1").or(QueryItem::tags([tag("student:s1")])),
        course("c3").or(QueryItem::types(["course.capacity-changed"])),
        Query::item(QueryItem::tags([tag("subject:special")])),
        Query::item(QueryItem::tags([tag("source:/tests"), tag("course:c2")])),
        Query::item(QueryItem::tags([tag("course:none")])),
        Query::item(QueryItem::types(["nothing.like.this"])),
    ];
    for query in queries {
        let expected: Vec<u64> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| query.matches(e))
            .map(|(i, _)| i as u64 + 1)
            .collect();
        let read: Vec<u64> = store
            .read(&query, 0, None)
            .unwrap()
            .map(|e| e.unwrap().position)
            .collect();
        assert_eq!(read, expected, "{}", query.to_json());
    }
}

pub fn reads_start_after_a_position_and_stop_at_a_limit(store: &TestStore) {
    // More than a page of the SQL backends, so paging is crossed.
    let events: Vec<Event> = (0..1300)
        .map(|i| {
            event(
                &format!("e{i}"),
                "t",
                &[("parity", if i % 2 == 0 { "even" } else { "odd" })],
            )
        })
        .collect();
    store.append(&events, None).unwrap();
    let positions = |query: &Query, after, limit| -> Vec<u64> {
        store
            .read(query, after, limit)
            .unwrap()
            .map(|e| e.unwrap().position)
            .collect()
    };
    assert_eq!(
        positions(&Query::all(), 1295, None),
        [1296, 1297, 1298, 1299, 1300]
    );
    assert_eq!(positions(&Query::all(), 10, Some(3)), [11, 12, 13]);
    let odd = Query::item(QueryItem::tags([tag("parity:odd")]));
    let read = positions(&odd, 0, None);
    assert_eq!(read.len(), 650);
    assert!(read.iter().all(|p| p % 2 == 0), "odd i is an even position");
    assert_eq!(positions(&odd, 600, Some(2)), [602, 604]);
    assert_eq!(positions(&Query::all(), 1300, None), Vec::<u64>::new());
    assert_eq!(positions(&Query::all(), 0, Some(0)), Vec::<u64>::new());
}

pub fn a_read_sees_the_log_as_it_was_when_it_began(store: &TestStore) {
    let first: Vec<Event> = (0..1100)
        .map(|i| event(&format!("a{i}"), "t", &[]))
        .collect();
    store.append(&first, None).unwrap();
    let mut read = store.read(&Query::all(), 0, None).unwrap();
    assert_eq!(read.next().unwrap().unwrap().position, 1);
    store.append(&[event("late", "t", &[])], None).unwrap();
    assert_eq!(
        read.count(),
        1099,
        "the event appended during the read is not in it"
    );
    assert_eq!(store.head().unwrap(), 1101);
}

pub fn a_condition_fails_on_an_event_it_matches_after_its_position(store: &TestStore) {
    store
        .append(&[event("d1", "course.defined", &[("course", "c1")])], None)
        .unwrap();
    store
        .append(&[event("d2", "course.defined", &[("course", "c2")])], None)
        .unwrap();
    // Another course's event after the position: no conflict.
    let seen = AppendCondition::new(course("c1"), Some(1));
    assert_eq!(
        store
            .append(
                &[event("s1", "student.subscribed", &[("course", "c1")])],
                Some(&seen)
            )
            .unwrap(),
        3
    );
    // The same condition now fails, naming the first event that matches.
    store
        .append(
            &[event("s2", "student.subscribed", &[("course", "c1")])],
            None,
        )
        .unwrap();
    let error = store
        .append(
            &[event("s3", "student.subscribed", &[("course", "c1")])],
            Some(&seen),
        )
        .unwrap_err();
    assert!(
        matches!(
            error,
            AppendError::Conflict {
                position: 3,
                after: 1
            }
        ),
        "{error}"
    );
    assert!(error.is_conflict());
    // Up to date, it passes; a type-only condition behaves alike.
    let fresh = AppendCondition::new(course("c1"), Some(4));
    store
        .append(
            &[event("s4", "student.subscribed", &[("course", "c1")])],
            Some(&fresh),
        )
        .unwrap();
    let by_type = AppendCondition::new(Query::item(QueryItem::types(["course.defined"])), Some(1));
    let error = store
        .append(&[event("x", "t", &[])], Some(&by_type))
        .unwrap_err();
    assert!(
        matches!(
            error,
            AppendError::Conflict {
                position: 2,
                after: 1
            }
        ),
        "{error}"
    );
}

pub fn a_condition_without_a_position_fails_on_any_match(store: &TestStore) {
    let claim = |id: &str| event(id, "username.claimed", &[("username", "ada")]);
    let unclaimed = AppendCondition::new(Query::item(QueryItem::tags([tag("username:ada")])), None);
    assert_eq!(
        store.append(&[claim("first")], Some(&unclaimed)).unwrap(),
        1
    );
    let error = store
        .append(&[claim("second")], Some(&unclaimed))
        .unwrap_err();
    assert!(
        matches!(
            error,
            AppendError::Conflict {
                position: 1,
                after: 0
            }
        ),
        "{error}"
    );
    // A condition on every event is the whole log's expected position.
    let whole_log = AppendCondition::new(Query::all(), Some(0));
    assert!(
        store
            .append(&[event("x", "t", &[])], Some(&whole_log))
            .unwrap_err()
            .is_conflict()
    );
    let whole_log = AppendCondition::new(Query::all(), Some(1));
    assert_eq!(
        store
            .append(&[event("x", "t", &[])], Some(&whole_log))
            .unwrap(),
        2
    );
}

pub fn a_failed_append_writes_nothing(store: &TestStore) {
    store
        .append(&[event("a", "t", &[("course", "c1")])], None)
        .unwrap();
    let stale = AppendCondition::new(course("c1"), Some(0));
    let batch: Vec<Event> = (0..50)
        .map(|i| event(&format!("b{i}"), "t", &[("course", "c1")]))
        .collect();
    assert!(
        store
            .append(&batch, Some(&stale))
            .unwrap_err()
            .is_conflict()
    );
    assert_eq!(store.head().unwrap(), 1);
    // The next append gets the next position: the failed one left no gap.
    assert_eq!(store.append(&batch[..1], None).unwrap(), 2);
    assert_gapless(&**store);
}

pub fn duplicates_are_refused_whole(store: &TestStore) {
    store.append(&[event("a", "t", &[])], None).unwrap();
    let batch = [
        event("b", "t", &[]),
        event("a", "t", &[]),
        event("c", "t", &[]),
    ];
    let error = store.append(&batch, None).unwrap_err();
    assert!(
        matches!(&error, AppendError::Duplicate { index: 1, id, existing: Existing::InLog, .. } if id == "a"),
        "{error}"
    );
    let twice = [event("x", "t", &[]), event("x", "t", &[])];
    let error = store.append(&twice, None).unwrap_err();
    assert!(
        matches!(
            error,
            AppendError::Duplicate {
                index: 1,
                existing: Existing::InBatch(0),
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        store.head().unwrap(),
        1,
        "nothing of either batch was written"
    );
    // The same id from another source is another event.
    let mut other = event("a", "t", &[]);
    other.source = "/elsewhere".into();
    assert_eq!(store.append(&[other], None).unwrap(), 2);
}

pub fn invalid_and_oversized_events_are_refused_by_index(store: &TestStore) {
    let mut no_type = event("b", "t", &[]);
    no_type.event_type.clear();
    let error = store
        .append(&[event("a", "t", &[]), no_type], None)
        .unwrap_err();
    assert!(
        matches!(&error, AppendError::Invalid { index: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("type"), "{error}");
    let big =
        event("big", "t", &[]).with_data("application/octet-stream", vec![0u8; (1 << 20) + 1]);
    let error = store.append(&[big], None).unwrap_err();
    assert!(
        matches!(
            error,
            AppendError::TooLarge {
                index: 0,
                limit: 1_048_576,
                ..
            }
        ),
        "{error}"
    );
    assert!(matches!(
        store.append(&[], None).unwrap_err(),
        AppendError::Empty
    ));
    assert_eq!(store.head().unwrap(), 0);
}

pub fn waiting_ends_at_an_append_or_the_timeout(store: &TestStore) {
    let started = Instant::now();
    assert_eq!(store.wait_for(0, Duration::from_millis(50)).unwrap(), 0);
    assert!(started.elapsed() >= Duration::from_millis(50));
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| store.wait_for(0, Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(30));
        store.append(&[event("a", "t", &[])], None).unwrap();
        assert_eq!(waiter.join().unwrap().unwrap(), 1);
    });
    // Already past: returns at once.
    assert_eq!(store.wait_for(0, Duration::from_secs(30)).unwrap(), 1);
}

pub fn eight_threads_appending_on_one_handle_lose_nothing(store: &TestStore) {
    let acknowledged: Vec<Vec<(String, u64)>> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..8)
            .map(|writer| {
                scope.spawn(move || {
                    (0..40)
                        .map(|i| {
                            let id = format!("w{writer}-{i}");
                            let batch = [event(&id, "t", &[("writer", &writer.to_string())])];
                            (id, store.append(&batch, None).unwrap())
                        })
                        .collect()
                })
            })
            .collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let all = assert_gapless(&**store);
    assert_eq!(all.len(), 320);
    for (id, position) in acknowledged.iter().flatten() {
        assert_eq!(
            &all[(*position - 1) as usize].event.id,
            id,
            "acknowledged at its position"
        );
    }
    // Each writer's appends are in the order it made them.
    for writer in &acknowledged {
        assert!(writer.windows(2).all(|w| w[0].1 < w[1].1));
    }
}

pub fn racing_conditional_appends_on_one_tag_admit_one_per_round(store: &TestStore) {
    const THREADS: usize = 6;
    for round in 0..10 {
        let head = store.head().unwrap();
        let barrier = Barrier::new(THREADS);
        let condition = AppendCondition::new(course("c1"), Some(head));
        let wins = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..THREADS)
                .map(|racer| {
                    let (barrier, condition) = (&barrier, &condition);
                    scope.spawn(move || {
                        barrier.wait();
                        let e = event(&format!("r{round}-{racer}"), "t", &[("course", "c1")]);
                        match store.append(&[e], Some(condition)) {
                            Ok(_) => 1,
                            Err(error) if error.is_conflict() => 0,
                            Err(error) => panic!("{error}"),
                        }
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).sum::<usize>()
        });
        assert_eq!(wins, 1, "round {round}");
    }
    assert_gapless(&**store);
}

pub fn a_repeated_event_fails_its_append_alone_among_racing_appends(store: &TestStore) {
    // Appends racing to one handle share commits; the one repeating an event must fail without
    // taking the others of its group down.
    const THREADS: usize = 8;
    for round in 0..10 {
        let barrier = Barrier::new(THREADS);
        let outcomes: Vec<Result<u64, AppendError>> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..THREADS)
                .map(|racer| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        // Even racers append their own event; odd ones all the same one.
                        let id = if racer % 2 == 0 {
                            format!("own-{round}-{racer}")
                        } else {
                            format!("shared-{round}")
                        };
                        store.append(&[event(&id, "t", &[])], None)
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for (racer, outcome) in outcomes.iter().enumerate() {
            if racer % 2 == 0 {
                assert!(outcome.is_ok(), "round {round}: {outcome:?}");
            }
        }
        let shared_wins = outcomes
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|o| o.is_ok())
            .count();
        assert_eq!(shared_wins, 1, "round {round}: {outcomes:?}");
        assert!(outcomes.iter().skip(1).step_by(2).all(|o| matches!(
            o,
            Ok(_)
                | Err(AppendError::Duplicate {
                    index: 0,
                    existing: Existing::InLog,
                    ..
                })
        )));
    }
    assert_eq!(assert_gapless(&**store).len(), 10 * (THREADS / 2 + 1));
}
