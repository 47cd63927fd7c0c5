//! Queries as views declare them and as they cross the `database` import.

use std::collections::BTreeMap;

use evident_store::{AppendCondition, Query, QueryItem, StoredEvent, Tag};
use evident_types::Parameters;

use crate::bindings::{wit_database, wit_decider};
use crate::wire;

/// The parameters as one text, the same for the same values in any order (the last value of a
/// name given twice wins, as [`Parameters::get`] says): what snapshots and the materialized
/// views are keyed by.
pub(crate) fn canonical_parameters(parameters: &Parameters) -> String {
    let pairs: BTreeMap<&str, &str> = parameters.iter().collect();
    serde_json::to_string(&pairs).unwrap_or_default()
}

/// `template` with every `{name}` in its tag values replaced by parameter `name`'s value.
pub(crate) fn fill(template: &Query, parameters: &Parameters) -> Result<Query, String> {
    let mut items = Vec::with_capacity(template.items.len());
    for item in &template.items {
        let mut tags = Vec::with_capacity(item.tags.len());
        for tag in &item.tags {
            let value = fill_value(tag.value(), parameters)?;
            tags.push(Tag::new(tag.name(), value).map_err(|e| e.to_string())?);
        }
        items.push(QueryItem {
            types: item.types.clone(),
            tags,
        });
    }
    Ok(Query { items })
}

fn fill_value(template: &str, parameters: &Parameters) -> Result<String, String> {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{template}` opens a `{{` it does not close"))?;
        let name = &after[..close];
        let value = parameters
            .get(name)
            .ok_or_else(|| format!("its query needs the parameter `{name}`, which is not given"))?;
        filled.push_str(value);
        rest = &after[close + 1..];
    }
    filled.push_str(rest);
    Ok(filled)
}

/// A query a guest passed, checked as the store checks one.
pub(crate) fn from_wit(query: wit_database::Query) -> Result<Query, String> {
    let items = query
        .items
        .into_iter()
        .map(|item| {
            let tags = item
                .tags
                .into_iter()
                .map(|tag| Tag::new(tag.name, tag.value).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(QueryItem {
                types: item.types,
                tags,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Query { items })
}

/// An append condition a guest returned, checked.
pub(crate) fn condition_from_wit(
    condition: wit_decider::AppendCondition,
) -> Result<AppendCondition, String> {
    Ok(AppendCondition::new(
        from_wit(condition.fail_if_events_match)?,
        condition.after,
    ))
}

/// An event read from the store, as the guest receives it.
pub(crate) fn stored_event_to_wit(stored: &StoredEvent) -> wit_database::StoredEvent {
    wit_database::StoredEvent {
        position: stored.position,
        event: wire::event_to_wit(&stored.event),
    }
}

/// About how many bytes an event takes: its attributes, extensions and data.
pub(crate) fn event_bytes(event: &evident_types::Event) -> usize {
    let optional = |value: &Option<String>| value.as_ref().map_or(0, String::len);
    event.id.len()
        + event.source.len()
        + event.event_type.len()
        + optional(&event.subject)
        + optional(&event.dataschema)
        + optional(&event.datacontenttype)
        + event.data.as_ref().map_or(0, |data| data.len())
        + event
            .extensions
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum::<usize>()
}

/// The union of `queries`: the events any of them selects (every event if one selects all).
pub(crate) fn union<'q>(queries: impl IntoIterator<Item = &'q Query>) -> Query {
    let mut items: Vec<QueryItem> = Vec::new();
    for query in queries {
        if query.is_all() {
            return Query::all();
        }
        for item in &query.items {
            if !items.contains(item) {
                items.push(item.clone());
            }
        }
    }
    Query { items }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_fill_tag_values_and_missing_ones_are_named() {
        let template = Query::item(QueryItem::tags(["course:{course}".parse().unwrap()]));
        let filled = fill(&template, &Parameters::new().with("course", "c1")).unwrap();
        assert_eq!(filled.items[0].tags[0].to_string(), "course:c1");
        let missing = fill(&template, &Parameters::new()).unwrap_err();
        assert!(missing.contains("`course`"), "{missing}");
    }

    #[test]
    fn canonical_parameters_ignore_order_and_keep_the_last_value() {
        let a = Parameters::new().with("b", "2").with("a", "1");
        let b = Parameters::new()
            .with("a", "0")
            .with("a", "1")
            .with("b", "2");
        assert_eq!(canonical_parameters(&a), canonical_parameters(&b));
    }

    #[test]
    fn a_union_with_an_all_query_is_all() {
        let course = Query::item(QueryItem::types(["course.defined"]));
        assert!(!union([&course, &course]).is_all());
        assert_eq!(union([&course, &course]).items.len(), 1);
        assert!(union([&course, &Query::all()]).is_all());
    }
}
