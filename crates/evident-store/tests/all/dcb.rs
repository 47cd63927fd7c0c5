//! The Dynamic Consistency Boundary specification's examples, each a read-decide-append loop
//! written by hand against the store, raced by threads (every backend) and by processes (the
//! durable ones), with the invariant checked afterwards.

use std::collections::{BTreeMap, BTreeSet};

use evident_store::{AppendCondition, Event, Query, QueryItem, Store, Tag};

use crate::common::{TestStore, assert_gapless, event, everything, run_children};

/// Seats per course in the course example.
pub const CAPACITY: usize = 3;
/// Courses a student may take.
pub const STUDENT_LIMIT: usize = 5;
/// Courses in the course example.
pub const COURSES: usize = 7;

fn tag(name: &str, value: &str) -> Tag {
    Tag::new(name, value).unwrap()
}

/// Runs a read-decide-append loop until the decision is appended or refused: `decide` gets the
/// events `query` selects and returns the events to append, or a refusal.
fn decide_and_append(
    store: &dyn Store,
    query: &Query,
    decide: impl Fn(&[Event]) -> Result<Vec<Event>, &'static str>,
) -> Result<u64, &'static str> {
    loop {
        let head = store.head().unwrap();
        let seen: Vec<Event> = store
            .read(query, 0, None)
            .unwrap()
            .map(|e| e.unwrap().event)
            .collect();
        let decided = decide(&seen)?;
        let condition = AppendCondition::new(query.clone(), Some(head));
        match store.append(&decided, Some(&condition)) {
            Ok(position) => return Ok(position),
            Err(error) if error.is_conflict() => continue,
            Err(error) => panic!("{error}"),
        }
    }
}

/// Defines the example's courses, each with [`CAPACITY`] seats.
pub fn define_courses(store: &dyn Store) {
    let defined: Vec<Event> = (0..COURSES)
        .map(|c| {
            event(
                &format!("c{c}"),
                "course.defined",
                &[("course", &format!("c{c}"))],
            )
            .with_json_data(&serde_json::json!({"capacity": CAPACITY}))
            .unwrap()
        })
        .collect();
    store.append(&defined, None).unwrap();
}

/// Student `student` subscribes to `course`: the decision reads the course's events and the
/// student's subscriptions. Returns whether it was accepted.
pub fn subscribe(store: &dyn Store, course: &str, student: &str) -> bool {
    let query = Query::item(
        QueryItem::types(["course.defined", "student.subscribed"])
            .with_tags([tag("course", course)]),
    )
    .or(QueryItem::types(["student.subscribed"]).with_tags([tag("student", student)]));
    let decision = decide_and_append(store, &query, |seen| {
        let of_course = |e: &&Event| e.extensions.get("course").map(String::as_str) == Some(course);
        let capacity = seen
            .iter()
            .filter(of_course)
            .find(|e| e.event_type == "course.defined")
            .ok_or("no-such-course")?
            .data_json::<serde_json::Value>()
            .unwrap()["capacity"]
            .as_u64()
            .unwrap() as usize;
        let subscribed = |e: &&Event| e.event_type == "student.subscribed";
        let of_student =
            |e: &&Event| e.extensions.get("student").map(String::as_str) == Some(student);
        if seen
            .iter()
            .filter(subscribed)
            .filter(of_course)
            .any(|e| of_student(&e))
        {
            return Err("already-subscribed");
        }
        if seen.iter().filter(subscribed).filter(of_course).count() >= capacity {
            return Err("course-full");
        }
        if seen.iter().filter(subscribed).filter(of_student).count() >= STUDENT_LIMIT {
            return Err("student-at-limit");
        }
        Ok(vec![event(
            &format!("{course}/{student}"),
            "student.subscribed",
            &[("course", course), ("student", student)],
        )])
    });
    decision.is_ok()
}

/// Every student tries every course, in an order of its own.
pub fn subscribe_everywhere(store: &dyn Store, student: usize) -> usize {
    (0..COURSES)
        .map(|c| (c + student) % COURSES)
        .filter(|c| subscribe(store, &format!("c{c}"), &format!("s{student}")))
        .count()
}

/// The course example's invariants over the whole log; returns the subscriptions.
pub fn check_courses(store: &dyn Store, accepted: usize) {
    let all = assert_gapless(store);
    let mut per_course: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_student: BTreeMap<String, usize> = BTreeMap::new();
    let mut pairs = BTreeSet::new();
    for stored in all
        .iter()
        .filter(|e| e.event.event_type == "student.subscribed")
    {
        let course = stored.event.extensions["course"].clone();
        let student = stored.event.extensions["student"].clone();
        *per_course.entry(course.clone()).or_default() += 1;
        *per_student.entry(student.clone()).or_default() += 1;
        assert!(pairs.insert((course, student)), "subscribed twice");
    }
    assert!(
        per_course.values().all(|&n| n <= CAPACITY),
        "{per_course:?}"
    );
    assert!(
        per_student.values().all(|&n| n <= STUDENT_LIMIT),
        "{per_student:?}"
    );
    assert_eq!(
        pairs.len(),
        accepted,
        "every acknowledged subscription, and no other"
    );
    // With more students than seats, every course fills.
    assert!(
        per_course.values().all(|&n| n == CAPACITY),
        "{per_course:?}"
    );
}

pub fn course_capacity_holds_under_racing_threads(store: &TestStore) {
    define_courses(&**store);
    let accepted: usize = std::thread::scope(|scope| {
        let students: Vec<_> = (0..8)
            .map(|s| scope.spawn(move || subscribe_everywhere(&**store, s)))
            .collect();
        students.into_iter().map(|s| s.join().unwrap()).sum()
    });
    check_courses(&**store, accepted);
}

/// Claims `username` for `claimant`: only if no one holds it.
pub fn claim(store: &dyn Store, username: &str, claimant: &str) -> bool {
    let query = Query::item(QueryItem::tags([tag("username", username)]));
    decide_and_append(store, &query, |seen| {
        if seen.is_empty() {
            Ok(vec![event(
                claimant,
                "username.claimed",
                &[("username", username)],
            )])
        } else {
            Err("username-taken")
        }
    })
    .is_ok()
}

pub fn one_of_many_racing_claims_to_a_username_wins(store: &TestStore) {
    for round in 0..5 {
        let username = format!("ada{round}");
        let wins = std::thread::scope(|scope| {
            let claims: Vec<_> = (0..8)
                .map(|c| {
                    let username = username.clone();
                    scope.spawn(move || claim(&**store, &username, &format!("{username}-by-{c}")))
                })
                .collect();
            claims
                .into_iter()
                .map(|c| c.join().unwrap())
                .filter(|&won| won)
                .count()
        });
        assert_eq!(wins, 1, "round {round}");
    }
    assert_eq!(everything(&**store).len(), 5);
}

/// Creates the next invoice: its number follows the last invoice's, with no gap.
pub fn create_invoice(store: &dyn Store, by: &str) -> u64 {
    let query = Query::item(QueryItem::types(["invoice.created"]));
    decide_and_append(store, &query, |seen| {
        let next = seen
            .last()
            .map_or(1, |e| e.extensions["number"].parse::<u64>().unwrap() + 1);
        Ok(vec![event(
            &format!("invoice-{next}"),
            "invoice.created",
            &[("number", &next.to_string()), ("by", by)],
        )])
    })
    .unwrap()
}

pub fn invoice_numbers_race_to_no_gaps_and_no_duplicates(store: &TestStore) {
    std::thread::scope(|scope| {
        for writer in 0..6 {
            scope.spawn(move || {
                for _ in 0..8 {
                    create_invoice(&**store, &format!("w{writer}"));
                }
            });
        }
    });
    check_invoices(&**store, 48);
}

/// The invoices are numbered 1 to `count`, in log order.
pub fn check_invoices(store: &dyn Store, count: u64) {
    let numbers: Vec<u64> = everything(store)
        .iter()
        .map(|e| e.event.extensions["number"].parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=count).collect::<Vec<_>>());
}

/// The course example raced by six processes on the store at `store.location`.
pub fn course_capacity_holds_under_racing_processes(store: &TestStore) {
    let location = store
        .location
        .clone()
        .expect("a store other processes can open");
    define_courses(&**store);
    let arguments: Vec<Vec<String>> = (0..6).map(|s| vec![s.to_string()]).collect();
    let accepted: usize = run_children("subscribe", &location, &arguments)
        .iter()
        .map(|acks| acks[0].parse::<usize>().unwrap())
        .sum();
    check_courses(&**store, accepted);
}

/// The invoice example raced by four processes on the store at `store.location`.
pub fn invoice_numbers_hold_under_racing_processes(store: &TestStore) {
    let location = store
        .location
        .clone()
        .expect("a store other processes can open");
    let arguments: Vec<Vec<String>> = (0..4).map(|w| vec![format!("p{w}"), "10".into()]).collect();
    run_children("invoice", &location, &arguments);
    check_invoices(&**store, 40);
}

/// The username example raced by six processes: exactly one claim wins.
pub fn one_of_many_processes_claiming_a_username_wins(store: &TestStore) {
    let location = store
        .location
        .clone()
        .expect("a store other processes can open");
    let arguments: Vec<Vec<String>> = (0..6)
        .map(|c| vec!["ada".into(), format!("p{c}")])
        .collect();
    let wins = run_children("claim", &location, &arguments)
        .iter()
        .filter(|acks| acks[0] == "true")
        .count();
    assert_eq!(wins, 1);
    assert_eq!(everything(&**store).len(), 1);
}
