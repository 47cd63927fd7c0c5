//! What a reader or a consistency check selects: the Dynamic Consistency Boundary's Query.
//!
//! A [`Query`] is a list of [`QueryItem`]s, OR'd; an item matches an event whose type is one of
//! its `types` (any type when there are none) and which carries every one of its `tags`. A
//! [`Tag`] is `name:value` and matches an event whose attribute `name` equals `value`: the
//! event's `source`, `subject`, `dataschema` or any extension attribute. Tags need no envelope
//! of their own; an event carries one per such attribute.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Event;

/// Where an event sits in the log: 1 for the first event, 0 for "before the first".
pub type Position = u64;

/// The attributes besides extensions that are tags; `type` has the query's `types` instead.
pub const TAGGED_ATTRIBUTES: [&str; 3] = ["source", "subject", "dataschema"];

/// Why a query, a tag or an append condition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The text is not the JSON form of a query or condition.
    #[error("not {what} in JSON: {reason}")]
    NotJson {
        /// `a query` or `an append condition`.
        what: &'static str,
        /// serde's account, with line and column.
        reason: String,
    },
    /// A tag without the `name:value` form.
    #[error("tag `{0}` is not `name:value`")]
    NotATag(String),
    /// A tag naming an attribute that is not a tag.
    #[error(
        "tag `{0}` names an attribute that is not a tag: tags are source, subject, dataschema and extension attributes (select types with `types`)"
    )]
    NotTagged(String),
    /// A tag whose name could not be a CloudEvents attribute name.
    #[error("tag `{0}`: an attribute name is 1 to 20 lower-case letters and digits")]
    BadName(String),
}

/// `name:value`: matches an event whose attribute `name` equals `value`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    name: String,
    value: String,
}

impl Tag {
    /// A tag on attribute `name`, checked as [`str::parse`] checks `name:value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Result<Self, QueryError> {
        let (name, value) = (name.into(), value.into());
        let text = || format!("{name}:{value}");
        let valid_name = !name.is_empty()
            && name.len() <= 20
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !valid_name {
            return Err(QueryError::BadName(text()));
        }
        if matches!(
            name.as_str(),
            "id" | "type" | "specversion" | "datacontenttype" | "time" | "data" | "data_base64"
        ) {
            return Err(QueryError::NotTagged(text()));
        }
        Ok(Tag { name, value })
    }

    /// The attribute's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value the attribute must have.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether `event`'s attribute has this value.
    pub fn matches(&self, event: &Event) -> bool {
        attribute(event, &self.name) == Some(self.value.as_str())
    }
}

/// The value of a tagged attribute of `event`.
fn attribute<'e>(event: &'e Event, name: &str) -> Option<&'e str> {
    match name {
        "source" => Some(&event.source),
        "subject" => event.subject.as_deref(),
        "dataschema" => event.dataschema.as_deref(),
        _ => event.extensions.get(name).map(String::as_str),
    }
}

/// Every tag `event` carries, as the `name:value` text the stores index.
pub fn tags_of(event: &Event) -> impl Iterator<Item = String> + '_ {
    let fixed = TAGGED_ATTRIBUTES
        .iter()
        .filter_map(|name| attribute(event, name).map(|value| format!("{name}:{value}")));
    fixed.chain(
        event
            .extensions
            .iter()
            // An extension cannot shadow a fixed attribute (CloudEvents forbids the names).
            .filter(|(name, _)| !TAGGED_ATTRIBUTES.contains(&name.as_str()))
            .map(|(name, value)| format!("{name}:{value}")),
    )
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.value)
    }
}

impl std::str::FromStr for Tag {
    type Err = QueryError;

    /// Parses `name:value`; the value may itself hold colons (`source:urn:shop`).
    fn from_str(text: &str) -> Result<Self, QueryError> {
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| QueryError::NotATag(text.to_owned()))?;
        Tag::new(name, value)
    }
}

impl Serialize for Tag {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One way for an event to match: any of `types` (any type if empty) and all of `tags`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryItem {
    /// The event types this item takes; empty takes every type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Tags an event must all carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl QueryItem {
    /// An item taking these types, of any tags.
    pub fn types<S: Into<String>>(types: impl IntoIterator<Item = S>) -> Self {
        QueryItem {
            types: types.into_iter().map(Into::into).collect(),
            tags: Vec::new(),
        }
    }

    /// An item taking events that carry all these tags, of any type.
    pub fn tags(tags: impl IntoIterator<Item = Tag>) -> Self {
        QueryItem {
            types: Vec::new(),
            tags: tags.into_iter().collect(),
        }
    }

    /// Narrows the item to these tags as well.
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.tags.extend(tags);
        self
    }

    /// Whether `event` matches this item.
    pub fn matches(&self, event: &Event) -> bool {
        (self.types.is_empty() || self.types.contains(&event.event_type))
            && self.tags.iter().all(|tag| tag.matches(event))
    }

    /// Whether the item takes every event.
    pub fn is_all(&self) -> bool {
        self.types.is_empty() && self.tags.is_empty()
    }
}

/// Events selected by any of several items; with no items, every event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// The items, OR'd.
    #[serde(default)]
    pub items: Vec<QueryItem>,
}

impl Query {
    /// Every event of the log.
    pub fn all() -> Self {
        Query::default()
    }

    /// The query of one item.
    pub fn item(item: QueryItem) -> Self {
        Query { items: vec![item] }
    }

    /// Adds an item: the query then also takes what it takes.
    pub fn or(mut self, item: QueryItem) -> Self {
        self.items.push(item);
        self
    }

    /// Whether the query takes every event (no items, or an item with neither types nor tags).
    pub fn is_all(&self) -> bool {
        self.items.is_empty() || self.items.iter().any(QueryItem::is_all)
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &Event) -> bool {
        self.items.is_empty() || self.items.iter().any(|item| item.matches(event))
    }

    /// Parses the DCB JSON form, `{"items":[{"types":[…],"tags":["name:value",…]}]}`.
    pub fn from_json(text: &str) -> Result<Self, QueryError> {
        serde_json::from_str(text).map_err(|e| QueryError::NotJson {
            what: "a query",
            reason: e.to_string(),
        })
    }

    /// The DCB JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a query always serialises")
    }
}

/// An append's consistency rule: fail if an event matching `fail_if_events_match` was appended
/// after `after` (after any position when it is `None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppendCondition {
    /// The events whose appearance invalidates the decision being appended.
    #[serde(rename = "failIfEventsMatch")]
    pub fail_if_events_match: Query,
    /// The position the decision read up to; `None` means no matching event may exist at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Position>,
}

impl AppendCondition {
    /// Fails if any event matching `query` was appended after `after`.
    pub fn new(query: Query, after: Option<Position>) -> Self {
        AppendCondition {
            fail_if_events_match: query,
            after,
        }
    }

    /// Parses `{"failIfEventsMatch": Query, "after": P}`.
    pub fn from_json(text: &str) -> Result<Self, QueryError> {
        serde_json::from_str(text).map_err(|e| QueryError::NotJson {
            what: "an append condition",
            reason: e.to_string(),
        })
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a condition always serialises")
    }

    /// The position after which a matching event fails the append (0: any).
    pub fn after_position(&self) -> Position {
        self.after.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course_event() -> Event {
        Event::new("c1/s1", "/courses", "student.subscribed")
            .with_subject("c1")
            .with_extension("course", "c1")
            .with_extension("student", "s1")
    }

    #[test]
    fn the_dcb_json_form_reads_and_prints_back() {
        let text = r#"{"items":[{"types":["student.subscribed"],"tags":["course:c1"]}]}"#;
        let query = Query::from_json(text).unwrap();
        assert_eq!(query.items[0].tags[0].name(), "course");
        assert_eq!(query.to_json(), text);
        let condition =
            AppendCondition::from_json(&format!(r#"{{"failIfEventsMatch":{text},"after":7}}"#))
                .unwrap();
        assert_eq!(condition.after, Some(7));
    }

    #[test]
    fn items_are_ored_and_tags_anded() {
        let event = course_event();
        let tag = |t: &str| t.parse::<Tag>().unwrap();
        let both = QueryItem::tags([tag("course:c1"), tag("student:s1")]);
        assert!(Query::item(both).matches(&event));
        let one_wrong = QueryItem::tags([tag("course:c1"), tag("student:s2")]);
        assert!(!Query::item(one_wrong.clone()).matches(&event));
        let or = Query::item(one_wrong).or(QueryItem::types(["student.subscribed"]));
        assert!(or.matches(&event));
        assert!(Query::item(QueryItem::tags([tag("source:/courses")])).matches(&event));
        assert!(Query::item(QueryItem::tags([tag("subject:c1")])).matches(&event));
        assert!(Query::all().matches(&event));
    }

    #[test]
    fn bad_tags_say_what_is_wrong() {
        assert_eq!(
            "course".parse::<Tag>().unwrap_err().to_string(),
            "tag `course` is not `name:value`"
        );
        assert!(matches!(
            "id:7".parse::<Tag>(),
            Err(QueryError::NotTagged(_))
        ));
        assert!(matches!(
            "Course:c1".parse::<Tag>(),
            Err(QueryError::BadName(_))
        ));
        let value_with_colons: Tag = "source:urn:shop:1".parse().unwrap();
        assert_eq!(value_with_colons.value(), "urn:shop:1");
        let error = Query::from_json(r#"{"items":[{"tags":["nope"]}]}"#).unwrap_err();
        assert!(error.to_string().contains("tag `nope`"), "{error}");
        let error = AppendCondition::from_json("{").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("not an append condition in JSON"),
            "{error}"
        );
    }

    #[test]
    fn an_event_carries_a_tag_per_tagged_attribute() {
        let tags: Vec<String> = tags_of(&course_event()).collect();
        assert_eq!(
            tags,
            ["source:/courses", "subject:c1", "course:c1", "student:s1"]
        );
    }
}
