//! The `course-capacity` view: how many places a course has and how many are taken, the state
//! the `course-subscriptions` decider reads before it subscribes a student.
//!
//! Parameters: `course` (required). State, JSON:
//! `{"course":"c1","defined":true,"capacity":3,"subscribed":2}` (initially `defined` false,
//! `capacity` and `subscribed` 0). It folds `course.defined` and `course.capacity-changed`
//! (data `{"capacity","course"}`: `capacity` is the course's capacity from then on) and
//! `student.subscribed` (one more place taken) whose `course` extension attribute is the
//! parameter, and ignores every other event. The host registers it with the query [`query`]
//! makes: types `course.defined`, `course.capacity-changed`, `student.subscribed` and the tag
//! `course:<course>`.
//!
//! ```
//! use course_capacity::CourseCapacity;
//! use evident_guest_sdk::{view, Event, Parameters, State};
//!
//! let defined = Event::new("c1", "/courses", course_capacity::DEFINED)
//!     .with_extension("course", "c1")
//!     .with_json_data(&serde_json::json!({"capacity": 3, "course": "c1"}))?;
//! let parameters = Parameters::new().with("course", "c1");
//! let state = view::reduce::<CourseCapacity>(&State::default(), &defined, &parameters).unwrap();
//! assert_eq!(&state.bytes[..], br#"{"course":"c1","defined":true,"capacity":3,"subscribed":0}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use evident_guest_sdk::prelude::*;

/// The view's name, as the host registers it and deciders read it.
pub const NAME: &str = "course-capacity";
/// A course was defined; data `{"capacity","course"}`.
pub const DEFINED: &str = "course.defined";
/// A course's capacity changed; data `{"capacity","course"}`.
pub const CAPACITY_CHANGED: &str = "course.capacity-changed";
/// A student subscribed to a course; data `{"course","student"}`.
pub const SUBSCRIBED: &str = "student.subscribed";

/// A course's places, as the events of that course leave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseCapacity {
    /// The course, the `course` parameter.
    pub course: String,
    /// Whether a `course.defined` event was seen.
    pub defined: bool,
    /// How many students it takes.
    pub capacity: u32,
    /// How many subscribed.
    pub subscribed: u32,
}

/// The data of `course.defined` and `course.capacity-changed`.
#[derive(Deserialize)]
struct CapacityData {
    capacity: u32,
}

/// The events the host folds into the view under `parameters`: what it is registered with.
/// Without a `course` parameter it selects no course's events.
pub fn query(parameters: &Parameters) -> Query {
    let course = parameters.get("course").unwrap_or_default();
    let tag = Tag::new("course", course).expect("`course` is a tag name");
    Query::item(QueryItem::types([DEFINED, CAPACITY_CHANGED, SUBSCRIBED]).with_tags([tag]))
}

fn course(parameters: &Parameters) -> Result<&str, ViewError> {
    parameters.get("course").ok_or_else(|| {
        ViewError::with_code(
            "invalid-parameter",
            "the `course` parameter names the course to show",
        )
    })
}

#[state_view]
impl StateView for CourseCapacity {
    type Codec = Json;

    fn initialize(parameters: &Parameters) -> Result<Self, ViewError> {
        Ok(CourseCapacity {
            course: course(parameters)?.to_owned(),
            defined: false,
            capacity: 0,
            subscribed: 0,
        })
    }

    fn reduce(&mut self, event: &EventRef<'_>, parameters: &Parameters) -> Result<(), ViewError> {
        if event.extensions.get("course") != Some(course(parameters)?) {
            return Ok(());
        }
        match event.event_type {
            DEFINED => {
                self.defined = true;
                self.capacity = event.data_json::<CapacityData>()?.capacity;
            }
            CAPACITY_CHANGED => self.capacity = event.data_json::<CapacityData>()?.capacity,
            SUBSCRIBED => self.subscribed = self.subscribed.saturating_add(1),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_guest_sdk::view;

    fn event(id: &str, ty: &str, course: &str, data: serde_json::Value) -> Event {
        Event::new(id, "/courses", ty)
            .with_extension("course", course)
            .with_json_data(&data)
            .unwrap()
    }

    fn fold(events: &[Event], course: &str) -> Result<State, ViewError> {
        let parameters = Parameters::new().with("course", course);
        let mut state = State::default();
        for event in events {
            state = view::reduce::<CourseCapacity>(&state, event, &parameters)?;
        }
        Ok(state)
    }

    fn c1_history() -> Vec<Event> {
        vec![
            event(
                "c1",
                DEFINED,
                "c1",
                serde_json::json!({"capacity": 3, "course": "c1"}),
            ),
            event(
                "c2",
                DEFINED,
                "c2",
                serde_json::json!({"capacity": 9, "course": "c2"}),
            ),
            event(
                "c1/s1",
                SUBSCRIBED,
                "c1",
                serde_json::json!({"course": "c1", "student": "s1"}),
            ),
            event(
                "c2/s1",
                SUBSCRIBED,
                "c2",
                serde_json::json!({"course": "c2", "student": "s1"}),
            ),
            event(
                "c1/s2",
                SUBSCRIBED,
                "c1",
                serde_json::json!({"course": "c1", "student": "s2"}),
            ),
            event(
                "c1/capacity/5",
                CAPACITY_CHANGED,
                "c1",
                serde_json::json!({"capacity": 4, "course": "c1"}),
            ),
            event("x", "course.renamed", "c1", serde_json::json!({})),
        ]
    }

    #[test]
    fn the_initial_state_is_an_undefined_course() {
        let state = view::initialize::<CourseCapacity>(&Parameters::new().with("course", "c1"));
        assert_eq!(
            &state.unwrap().bytes[..],
            br#"{"course":"c1","defined":false,"capacity":0,"subscribed":0}"#
        );
    }

    #[test]
    fn folds_only_its_courses_events() {
        let state = fold(&c1_history(), "c1").unwrap();
        assert_eq!(state.content_type, "application/json");
        assert_eq!(
            &state.bytes[..],
            br#"{"course":"c1","defined":true,"capacity":4,"subscribed":2}"#
        );
        let state = fold(&c1_history(), "c2").unwrap();
        assert_eq!(
            &state.bytes[..],
            br#"{"course":"c2","defined":true,"capacity":9,"subscribed":1}"#
        );
    }

    #[test]
    fn the_registration_query_selects_what_the_view_folds() {
        let query = query(&Parameters::new().with("course", "c1"));
        let history = c1_history();
        let selected: Vec<&str> = history
            .iter()
            .filter(|e| query.matches(e))
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(selected, ["c1", "c1/s1", "c1/s2", "c1/capacity/5"]);
        assert_eq!(
            query.to_json(),
            r#"{"items":[{"types":["course.defined","course.capacity-changed","student.subscribed"],"tags":["course:c1"]}]}"#
        );
    }

    #[test]
    fn without_a_course_parameter_it_refuses() {
        let error = view::initialize::<CourseCapacity>(&Parameters::new()).unwrap_err();
        assert_eq!(error.code(), Some("invalid-parameter"));
    }

    #[test]
    fn a_definition_without_a_capacity_fails_the_fold() {
        let bad = event("c1", DEFINED, "c1", serde_json::json!({"course": "c1"}));
        let error = fold(&[bad], "c1").unwrap_err();
        assert!(error.message().contains("capacity"), "{error}");
    }
}
