//! Course subscriptions as a database decider (world `database-decider`): the Dynamic
//! Consistency Boundary's course example, deciding on the views `course-capacity` and
//! `student-courses` instead of one stream's state.
//!
//! Commands are JSON (or CBOR) objects tagged by `type`:
//! - `{"type":"define-course","course":"c1","capacity":3}` emits `course.defined` with id
//!   `c1`; it reads nothing, so defining a defined course again emits the same event, which
//!   the store refuses as a duplicate (same `source` and `id`).
//! - `{"type":"change-capacity","course":"c1","capacity":5}` reads `course-capacity` and emits
//!   `course.capacity-changed` with id `c1/capacity/<revision>` (a later identical change is a
//!   new event); refused with `no-such-course` if the course is not defined.
//! - `{"type":"subscribe","course":"c1","student":"s1"}` reads `course-capacity` (parameters
//!   `{course}`) and `student-courses` (`{student}`) and emits `student.subscribed` with id
//!   `c1/s1`; refused, in this order, with `no-such-course`, `course-full` (as many subscribed
//!   as its capacity), `already-subscribed`, `student-at-limit` (the student holds
//!   [`MAX_COURSES_PER_STUDENT`] courses).
//!
//! A capacity of 0, an empty id or one holding `/` (ids are joined with `/`) is refused with
//! `validation`; a command that does not decode (an unknown `type`, a missing or mistyped
//! field) with the SDK's `invalid-command`. A view that is not registered is `internal`. Every event has source `/courses`, JSON
//! data (`{"capacity","course"}` or `{"course","student"}`) and the extension attributes
//! `course` and, for `student.subscribed`, `student`: its DCB tags. No decision carries a
//! condition: the host derives it from the views read.
//!
//! ```
//! use course_subscriptions::CourseSubscriptions;
//! use evident_guest_sdk::database::{InMemory, Read};
//! use evident_guest_sdk::{decider, Command, Parameters};
//!
//! let database = InMemory::new().with_view_json(
//!     "course-capacity",
//!     Parameters::new().with("course", "c1"),
//!     &serde_json::json!({"course": "c1", "defined": false, "capacity": 0, "subscribed": 0}),
//! );
//! let command = Command::json(&serde_json::json!({"type": "subscribe", "course": "c1", "student": "s1"})).unwrap();
//! let refused = decider::decide::<CourseSubscriptions>(&database, &command, &Parameters::new()).unwrap_err();
//! assert_eq!(refused.code, "no-such-course");
//! assert!(matches!(&database.reads()[0], Read::ViewState { name, .. } if name == "course-capacity"));
//! ```

use evident_guest_sdk::prelude::*;

/// The most courses one student may hold.
pub const MAX_COURSES_PER_STUDENT: usize = 5;
/// The source of every event.
pub const SOURCE: &str = "/courses";
/// A course was defined; data `{"capacity","course"}`.
pub const DEFINED: &str = "course.defined";
/// A course's capacity changed; data `{"capacity","course"}`.
pub const CAPACITY_CHANGED: &str = "course.capacity-changed";
/// A student subscribed to a course; data `{"course","student"}`.
pub const SUBSCRIBED: &str = "student.subscribed";
/// The view of a course's places it reads, parameters `{course}`.
pub const COURSE_CAPACITY: &str = "course-capacity";
/// The view of a student's courses it reads, parameters `{student}`.
pub const STUDENT_COURSES: &str = "student-courses";

/// The decider; it holds nothing.
pub struct CourseSubscriptions;

/// What a caller can ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum CourseCommand {
    /// Defines a course with a capacity.
    DefineCourse {
        /// The course's id.
        course: String,
        /// How many students it takes; at least 1 (signed, so that a negative one is refused
        /// as `validation` rather than as a command that does not decode).
        capacity: i64,
    },
    /// Changes a defined course's capacity.
    ChangeCapacity {
        /// The course's id.
        course: String,
        /// The new capacity; at least 1.
        capacity: i64,
    },
    /// Subscribes a student to a course.
    Subscribe {
        /// The course's id.
        course: String,
        /// The student's id.
        student: String,
    },
}

/// The part of the `course-capacity` state the decisions use.
#[derive(Deserialize)]
struct CourseCapacity {
    defined: bool,
    capacity: u32,
    subscribed: u32,
}

/// The part of the `student-courses` state the decisions use.
#[derive(Deserialize)]
struct StudentCourses {
    courses: Vec<String>,
}

/// The data of `course.defined` and `course.capacity-changed`, keys in sorted order (the
/// form the store keeps JSON in).
#[derive(Serialize)]
struct CapacityData<'a> {
    capacity: u32,
    course: &'a str,
}

/// The data of `student.subscribed`.
#[derive(Serialize)]
struct SubscriptionData<'a> {
    course: &'a str,
    student: &'a str,
}

#[database_decider]
impl DatabaseDecider for CourseSubscriptions {
    type Command = CourseCommand;

    fn decide(
        database: &dyn Database,
        command: CourseCommand,
        _parameters: &Parameters,
    ) -> Result<Decision, GuestError> {
        let event = match command {
            CourseCommand::DefineCourse { course, capacity } => {
                id("course", &course)?;
                let capacity = positive(capacity)?;
                course_event(&course, &course, DEFINED, capacity)?
            }
            CourseCommand::ChangeCapacity { course, capacity } => {
                id("course", &course)?;
                let capacity = positive(capacity)?;
                defined_course(database, &course)?;
                let id = format!("{course}/capacity/{}", database.revision());
                course_event(&id, &course, CAPACITY_CHANGED, capacity)?
            }
            CourseCommand::Subscribe { course, student } => {
                id("course", &course)?;
                id("student", &student)?;
                subscribe(database, &course, &student)?
            }
        };
        debug!("{} -> {}", event.id, event.event_type);
        Ok(Decision::append(vec![event]))
    }
}

fn subscribe(database: &dyn Database, course: &str, student: &str) -> Result<Event, GuestError> {
    let places = defined_course(database, course)?;
    let parameters = Parameters::new().with("student", student);
    let held: StudentCourses = database
        .view_state(STUDENT_COURSES, None, &parameters)?
        .ok_or_else(|| unregistered(STUDENT_COURSES))?;
    if places.subscribed >= places.capacity {
        return Err(GuestError::new(
            "course-full",
            format!(
                "course {course} is full: {} of {} places taken",
                places.subscribed, places.capacity
            ),
        ));
    }
    if held.courses.iter().any(|c| c == course) {
        return Err(GuestError::new(
            "already-subscribed",
            format!("student {student} is already subscribed to course {course}"),
        ));
    }
    if held.courses.len() >= MAX_COURSES_PER_STUDENT {
        return Err(GuestError::new(
            "student-at-limit",
            format!(
                "student {student} already holds {} courses, the most one may hold",
                held.courses.len()
            ),
        ));
    }
    let data = SubscriptionData { course, student };
    Event::new(format!("{course}/{student}"), SOURCE, SUBSCRIBED)
        .with_extension("course", course)
        .with_extension("student", student)
        .with_json_data(&data)
        .map_err(unencodable)
}

/// The course's places, refusing `no-such-course` if it is not defined.
fn defined_course(database: &dyn Database, course: &str) -> Result<CourseCapacity, GuestError> {
    let parameters = Parameters::new().with("course", course);
    let places: CourseCapacity = database
        .view_state(COURSE_CAPACITY, None, &parameters)?
        .ok_or_else(|| unregistered(COURSE_CAPACITY))?;
    if places.defined {
        Ok(places)
    } else {
        Err(GuestError::new(
            "no-such-course",
            format!("course {course} is not defined"),
        ))
    }
}

fn course_event(id: &str, course: &str, ty: &str, capacity: u32) -> Result<Event, GuestError> {
    Event::new(id, SOURCE, ty)
        .with_extension("course", course)
        .with_json_data(&CapacityData { capacity, course })
        .map_err(unencodable)
}

fn id(what: &str, value: &str) -> Result<(), GuestError> {
    if value.is_empty() || value.contains('/') {
        Err(GuestError::new(
            "validation",
            format!("the {what} id {value:?} must be non-empty and hold no `/`"),
        ))
    } else {
        Ok(())
    }
}

fn positive(capacity: i64) -> Result<u32, GuestError> {
    match u32::try_from(capacity) {
        Ok(capacity) if capacity >= 1 => Ok(capacity),
        _ if capacity < 1 => Err(GuestError::new(
            "validation",
            format!("a course's capacity must be at least 1, not {capacity}"),
        )),
        _ => Err(GuestError::new(
            "validation",
            format!(
                "a course's capacity must be at most {}, not {capacity}",
                u32::MAX
            ),
        )),
    }
}

fn unregistered(view: &str) -> GuestError {
    GuestError::new(
        "internal",
        format!("the view `{view}` this decider reads is not registered"),
    )
}

fn unencodable(error: impl std::fmt::Display) -> GuestError {
    GuestError::new(
        "internal",
        format!("cannot encode the event's data: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::database::{InMemory, Read};
    use evident_guest_sdk::decider;
    use serde_json::json;

    /// A database whose views are folded from `history` by the view guests themselves.
    fn database(history: Vec<Event>) -> InMemory {
        InMemory::with_events(history)
            .with_view::<course_capacity::CourseCapacity>(COURSE_CAPACITY, course_capacity::query)
            .with_view::<student_courses::StudentCourses>(STUDENT_COURSES, student_courses::query)
    }

    fn run(database: &InMemory, command: serde_json::Value) -> Result<Decision, GuestError> {
        database.clear_reads();
        decider::decide::<CourseSubscriptions>(
            database,
            &Command::json(&command).unwrap(),
            &Parameters::new(),
        )
    }

    fn refusal(database: &InMemory, command: serde_json::Value) -> String {
        run(database, command).unwrap_err().code
    }

    /// Runs the commands in order, appending what each decides.
    fn history(commands: &[serde_json::Value]) -> Vec<Event> {
        let mut events = Vec::new();
        for command in commands {
            let decision = run(&database(events.clone()), command.clone()).unwrap();
            events.extend(decision.events);
        }
        events
    }

    fn define(course: &str, capacity: i64) -> serde_json::Value {
        json!({"type": "define-course", "course": course, "capacity": capacity})
    }

    fn subscribe(course: &str, student: &str) -> serde_json::Value {
        json!({"type": "subscribe", "course": course, "student": student})
    }

    fn view_read(name: &str, parameter: &str, value: &str) -> Read {
        Read::ViewState {
            name: name.into(),
            version: None,
            parameters: Parameters::new().with(parameter, value),
        }
    }

    #[test]
    fn define_course_emits_the_course_event_and_reads_nothing() {
        let database = database(Vec::new());
        let decision = run(&database, define("c1", 3)).unwrap();
        assert_eq!(decision.condition, None);
        let [event] = &decision.events[..] else {
            panic!("{decision:?}")
        };
        assert_eq!(event.id, "c1");
        assert_eq!(event.source, "/courses");
        assert_eq!(event.event_type, "course.defined");
        assert_eq!(event.datacontenttype.as_deref(), Some("application/json"));
        assert_eq!(
            event.data.as_deref(),
            Some(&br#"{"capacity":3,"course":"c1"}"#[..])
        );
        assert_eq!(
            event.extensions.get("course").map(String::as_str),
            Some("c1")
        );
        assert_eq!(event.extensions.len(), 1);
        assert!(database.reads().is_empty());
        // Defined again: the same event, which the store refuses as a duplicate.
        let again = database_with(&[define("c1", 3)]);
        assert_eq!(run(&again, define("c1", 3)).unwrap().events[0], *event);
    }

    fn database_with(commands: &[serde_json::Value]) -> InMemory {
        database(history(commands))
    }

    #[test]
    fn bad_commands_are_refused_before_any_read() {
        let database = database(Vec::new());
        for command in [
            define("c1", 0),
            define("", 3),
            define("c/1", 3),
            json!({"type": "change-capacity", "course": "c1", "capacity": 0}),
            subscribe("c1", ""),
            define("c1", -1),
            define("c1", 1 << 32),
        ] {
            assert_eq!(
                refusal(&database, command.clone()),
                "validation",
                "{command}"
            );
        }
        for command in [
            json!({"type": "close-course", "course": "c1"}),
            json!({"type": "define-course", "course": "c1"}),
            json!({"type": "subscribe", "course": "c1", "student": 7}),
            json!({"course": "c1", "student": "s1"}),
        ] {
            assert_eq!(
                refusal(&database, command.clone()),
                "invalid-command",
                "{command}"
            );
        }
        assert!(database.reads().is_empty());
    }

    #[test]
    fn change_capacity_needs_a_defined_course_and_is_new_each_time() {
        let database = database_with(&[define("c2", 3)]);
        assert_eq!(
            refusal(
                &database,
                json!({"type": "change-capacity", "course": "c1", "capacity": 5})
            ),
            "no-such-course"
        );
        assert_eq!(
            database.reads(),
            [view_read(COURSE_CAPACITY, "course", "c1")]
        );

        let database = database_with(&[define("c1", 3), subscribe("c1", "s1")]);
        let decision = run(
            &database,
            json!({"type": "change-capacity", "course": "c1", "capacity": 5}),
        )
        .unwrap();
        assert_eq!(decision.condition, None);
        let event = &decision.events[0];
        assert_eq!(event.id, "c1/capacity/2");
        assert_eq!(event.event_type, "course.capacity-changed");
        assert_eq!(
            event.data.as_deref(),
            Some(&br#"{"capacity":5,"course":"c1"}"#[..])
        );
        assert_eq!(
            event.extensions.get("course").map(String::as_str),
            Some("c1")
        );
        assert_eq!(
            database.reads(),
            [view_read(COURSE_CAPACITY, "course", "c1")]
        );
    }

    #[test]
    fn subscribe_reads_both_views_and_emits_the_subscription() {
        let database = database_with(&[define("c1", 3), define("c2", 1)]);
        let decision = run(&database, subscribe("c1", "s1")).unwrap();
        assert_eq!(decision.condition, None);
        let event = &decision.events[0];
        assert_eq!(event.id, "c1/s1");
        assert_eq!(event.source, "/courses");
        assert_eq!(event.event_type, "student.subscribed");
        assert_eq!(
            event.data.as_deref(),
            Some(&br#"{"course":"c1","student":"s1"}"#[..])
        );
        let tags: Vec<_> = event.extensions.iter().collect();
        assert_eq!(
            tags,
            [
                (&"course".to_owned(), &"c1".to_owned()),
                (&"student".to_owned(), &"s1".to_owned())
            ]
        );
        assert_eq!(
            database.reads(),
            [
                view_read(COURSE_CAPACITY, "course", "c1"),
                view_read(STUDENT_COURSES, "student", "s1"),
            ]
        );
    }

    #[test]
    fn subscribe_refusals() {
        let database = database_with(&[define("c1", 2)]);
        assert_eq!(refusal(&database, subscribe("c9", "s1")), "no-such-course");
        assert_eq!(
            database.reads(),
            [view_read(COURSE_CAPACITY, "course", "c9")]
        );

        let database = database_with(&[define("c1", 2), subscribe("c1", "s1")]);
        assert_eq!(
            refusal(&database, subscribe("c1", "s1")),
            "already-subscribed"
        );
        assert!(run(&database, subscribe("c1", "s2")).is_ok());

        let database = database_with(&[
            define("c1", 2),
            subscribe("c1", "s1"),
            subscribe("c1", "s2"),
        ]);
        let full = run(&database, subscribe("c1", "s3")).unwrap_err();
        assert_eq!(full.code, "course-full");
        assert_eq!(full.message, "course c1 is full: 2 of 2 places taken");

        let mut commands: Vec<_> = (1..=6).map(|i| define(&format!("c{i}"), 9)).collect();
        commands.extend((1..=5).map(|i| subscribe(&format!("c{i}"), "s1")));
        let database = database_with(&commands);
        assert_eq!(
            refusal(&database, subscribe("c6", "s1")),
            "student-at-limit"
        );
        assert!(run(&database, subscribe("c6", "s2")).is_ok());
    }

    #[test]
    fn a_raised_capacity_makes_room() {
        let database = database_with(&[
            define("c1", 1),
            subscribe("c1", "s1"),
            json!({"type": "change-capacity", "course": "c1", "capacity": 2}),
        ]);
        assert!(run(&database, subscribe("c1", "s2")).is_ok());
    }

    #[test]
    fn the_views_manifest_registers_the_queries_the_views_declare() {
        let manifest = include_str!("../evident.toml");
        let template =
            |parameter: &str| Parameters::new().with(parameter, format!("{{{parameter}}}"));
        for query in [
            course_capacity::query(&template("course")),
            student_courses::query(&template("student")),
        ] {
            let line = format!("query = '{}'", query.to_json());
            assert!(manifest.contains(&line), "{line}");
        }
        assert!(manifest.contains(r#"name = "course-capacity""#));
        assert!(manifest.contains(r#"name = "student-courses""#));
    }

    #[test]
    fn view_states_given_outright_work_too() {
        let database = InMemory::new()
            .with_view_json(
                COURSE_CAPACITY,
                Parameters::new().with("course", "c1"),
                &json!({"course": "c1", "defined": true, "capacity": 3, "subscribed": 3}),
            )
            .with_view_json(
                STUDENT_COURSES,
                Parameters::new().with("student", "s1"),
                &json!({"student": "s1", "courses": []}),
            );
        assert_eq!(refusal(&database, subscribe("c1", "s1")), "course-full");
        assert_eq!(refusal(&InMemory::new(), subscribe("c1", "s1")), "internal");
    }
}
