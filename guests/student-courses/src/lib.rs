//! The `student-courses` view: the courses a student subscribed to, the state the
//! `course-subscriptions` decider reads to keep a student from subscribing twice or to more than
//! five courses.
//!
//! Parameters: `student` (required). State, JSON: `{"student":"s1","courses":["c1","c2"]}`, the
//! courses in the order subscribed, each once (initially none). It folds `student.subscribed`
//! events (data `{"course","student"}`) whose `student` extension attribute is the parameter
//! and ignores every other event. The host registers it with the query [`query`] makes: type
//! `student.subscribed` and the tag `student:<student>`.
//!
//! ```
//! use evident_guest_sdk::{view, Event, Parameters, State};
//! use student_courses::StudentCourses;
//!
//! let subscribed = Event::new("c1/s1", "/courses", student_courses::SUBSCRIBED)
//!     .with_extension("course", "c1")
//!     .with_extension("student", "s1")
//!     .with_json_data(&serde_json::json!({"course": "c1", "student": "s1"}))?;
//! let parameters = Parameters::new().with("student", "s1");
//! let state = view::reduce::<StudentCourses>(&State::default(), &subscribed, &parameters).unwrap();
//! assert_eq!(&state.bytes[..], br#"{"student":"s1","courses":["c1"]}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use evident_guest_sdk::prelude::*;

/// The view's name, as the host registers it and deciders read it.
pub const NAME: &str = "student-courses";
/// A student subscribed to a course; data `{"course","student"}`.
pub const SUBSCRIBED: &str = "student.subscribed";

/// A student's courses, as the student's subscriptions leave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentCourses {
    /// The student, the `student` parameter.
    pub student: String,
    /// The courses subscribed to, in order, each once.
    pub courses: Vec<String>,
}

/// The data of `student.subscribed`.
#[derive(Deserialize)]
struct Subscription {
    course: String,
}

/// The events the host folds into the view under `parameters`: what it is registered with.
/// Without a `student` parameter it selects no student's events.
pub fn query(parameters: &Parameters) -> Query {
    let student = parameters.get("student").unwrap_or_default();
    let tag = Tag::new("student", student).expect("`student` is a tag name");
    Query::item(QueryItem::types([SUBSCRIBED]).with_tags([tag]))
}

fn student(parameters: &Parameters) -> Result<&str, ViewError> {
    parameters.get("student").ok_or_else(|| {
        ViewError::with_code(
            "invalid-parameter",
            "the `student` parameter names the student to show",
        )
    })
}

#[state_view]
impl StateView for StudentCourses {
    type Codec = Json;

    fn initialize(parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(StudentCourses {
            student: student(parameters)?.to_owned(),
            courses: Vec::new(),
        })
    }

    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        if event.event_type != SUBSCRIBED
            || event.extensions.get("student") != Some(student(parameters)?)
        {
            return Ok(());
        }
        let Subscription { course } = event.data_json()?;
        if !self.courses.contains(&course) {
            self.courses.push(course);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::view;

    fn subscribed(course: &str, student: &str) -> Event {
        Event::new(format!("{course}/{student}"), "/courses", SUBSCRIBED)
            .with_extension("course", course)
            .with_extension("student", student)
            .with_json_data(&serde_json::json!({"course": course, "student": student}))
            .unwrap()
    }

    fn fold(events: &[Event], student: &str) -> Result<State, ViewError> {
        let parameters = Parameters::new().with("student", student);
        let mut state = State::default();
        for event in events {
            state = view::reduce::<StudentCourses>(&state, event, &parameters)?;
        }
        Ok(state)
    }

    #[test]
    fn the_initial_state_has_no_courses() {
        let state = view::initialize::<StudentCourses>(&Parameters::new().with("student", "s1"));
        assert_eq!(
            &state.unwrap().bytes[..],
            br#"{"student":"s1","courses":[]}"#
        );
    }

    #[test]
    fn folds_only_its_students_subscriptions_in_order() {
        let defined = Event::new("c3", "/courses", "course.defined")
            .with_extension("course", "c3")
            .with_extension("student", "s1");
        let history = [
            subscribed("c2", "s1"),
            subscribed("c1", "s2"),
            defined,
            subscribed("c1", "s1"),
            subscribed("c2", "s1"),
        ];
        let state = fold(&history, "s1").unwrap();
        assert_eq!(state.content_type, "application/json");
        assert_eq!(
            &state.bytes[..],
            br#"{"student":"s1","courses":["c2","c1"]}"#
        );
        assert_eq!(
            &fold(&history, "s2").unwrap().bytes[..],
            br#"{"student":"s2","courses":["c1"]}"#
        );
    }

    #[test]
    fn the_registration_query_selects_the_students_subscriptions() {
        let query = query(&Parameters::new().with("student", "s1"));
        assert!(query.matches(&subscribed("c1", "s1")));
        assert!(!query.matches(&subscribed("c1", "s2")));
        assert_eq!(
            query.to_json(),
            r#"{"items":[{"types":["student.subscribed"],"tags":["student:s1"]}]}"#
        );
    }

    #[test]
    fn without_a_student_parameter_it_refuses() {
        let error = view::initialize::<StudentCourses>(&Parameters::new()).unwrap_err();
        assert_eq!(error.code(), Some("invalid-parameter"));
    }
}
