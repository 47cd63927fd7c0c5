//! A query as SQL, as the SQLite backend does it: one ordered index scan per item (per type,
//! for an item of types alone), merged by position. A tag's item walks `evident_tags` by
//! `(tag, position)` and checks its other tags and types row by row; types alone walk
//! `evident_events` by `(type, position)`; a query matching everything walks the log.

use postgres::types::ToSql;

use crate::{Query, QueryItem};

/// A value a scan binds.
#[derive(Debug, Clone)]
pub(super) enum Value {
    Text(String),
    Texts(Vec<String>),
}

impl Value {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Value::Text(text) => text,
            Value::Texts(texts) => texts,
        }
    }
}

/// One index scan, its SQL written by `Scan::select` with its own values numbered.
#[derive(Debug, Clone)]
pub(super) struct Scan {
    kind: Kind,
    values: Vec<Value>,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Every event.
    All,
    /// One type (`$n`).
    Type,
    /// The first tag (`$n`), each further tag (one value each), then the types if `types`.
    Tags { rest: usize, types: bool },
}

/// The scans that together select what `query` selects.
pub(super) fn scans(query: &Query) -> Vec<Scan> {
    if query.is_all() {
        return vec![Scan {
            kind: Kind::All,
            values: Vec::new(),
        }];
    }
    query.items.iter().flat_map(item_scans).collect()
}

fn item_scans(item: &QueryItem) -> Vec<Scan> {
    let Some((first, rest)) = item.tags.split_first() else {
        return item
            .types
            .iter()
            .map(|event_type| Scan {
                kind: Kind::Type,
                values: vec![Value::Text(event_type.clone())],
            })
            .collect();
    };
    let mut values = vec![Value::Text(first.to_string())];
    values.extend(rest.iter().map(|tag| Value::Text(tag.to_string())));
    if !item.types.is_empty() {
        values.push(Value::Texts(item.types.clone()));
    }
    vec![Scan {
        kind: Kind::Tags {
            rest: rest.len(),
            types: !item.types.is_empty(),
        },
        values,
    }]
}

impl Scan {
    /// This scan as a `SELECT` of `position` (and `e.body`, with `body`) in position order:
    /// positions after `after` and up to `upto` (SQL expressions), at most `limit` rows, its
    /// own values bound from `$first`.
    fn select(&self, first: usize, body: bool, after: &str, upto: &str, limit: &str) -> String {
        let body = if body { ", e.body" } else { "" };
        match self.kind {
            Kind::All => format!(
                "SELECT e.position{body} FROM evident_events e \
                 WHERE e.position > {after} AND e.position <= {upto} \
                 ORDER BY e.position LIMIT {limit}"
            ),
            // A row comparison only the `(type, position)` index answers: `type = $n` with a
            // range on `position` lets a cached generic plan walk the log in position order
            // and filter by type, which reads the whole log for a rare type.
            Kind::Type => format!(
                "SELECT e.position{body} FROM evident_events e \
                 WHERE (e.type, e.position) > (${first}, {after}) \
                 AND (e.type, e.position) <= (${first}, {upto}) \
                 ORDER BY e.type, e.position LIMIT {limit}"
            ),
            Kind::Tags { rest, types } => {
                let mut sql = if !body.is_empty() || types {
                    format!(
                        "SELECT t.position{body} FROM evident_tags t \
                         JOIN evident_events e ON e.position = t.position WHERE t.tag = ${first}"
                    )
                } else {
                    format!("SELECT t.position FROM evident_tags t WHERE t.tag = ${first}")
                };
                for n in first + 1..=first + rest {
                    sql.push_str(&format!(
                        " AND EXISTS (SELECT 1 FROM evident_tags o \
                         WHERE o.tag = ${n} AND o.position = t.position)"
                    ));
                }
                if types {
                    sql.push_str(&format!(" AND e.type = ANY(${}::text[])", first + rest + 1));
                }
                sql.push_str(&format!(
                    " AND t.position > {after} AND t.position <= {upto} \
                     ORDER BY t.position LIMIT {limit}"
                ));
                sql
            }
        }
    }

    /// The SQL of a page of this scan: `(position, body)` in position order, with `$1` the
    /// position to start after, `$2` the last to take, `$3` the row limit.
    pub(super) fn page_sql(&self) -> String {
        self.select(4, true, "$1", "$2", "$3")
    }

    /// This scan's own values, bound after the three of [`Scan::page_sql`].
    pub(super) fn values(&self) -> impl Iterator<Item = &(dyn ToSql + Sync)> {
        self.values.iter().map(Value::as_sql)
    }
}

/// A condition's query as `evident_append` takes it: a JSON array of items, each
/// `{"tags": [...], "types": [...]}`; a query that matches every event is `[{}]`.
pub(super) fn condition_json(query: &Query) -> String {
    if query.is_all() {
        return "[{}]".into();
    }
    let items: Vec<serde_json::Value> = query
        .items
        .iter()
        .map(|item| {
            let tags: Vec<String> = item.tags.iter().map(ToString::to_string).collect();
            serde_json::json!({ "tags": tags, "types": item.types })
        })
        .collect();
    serde_json::Value::from(items).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scan_numbers_its_values_after_the_three_of_a_page() {
        let item = QueryItem::types(["x", "y"])
            .with_tags(["course:c1".parse().unwrap(), "student:s1".parse().unwrap()]);
        let query = Query::item(item).or(QueryItem::types(["a", "b"]));
        let scans = scans(&query);
        assert_eq!(scans.len(), 3);
        let sql = scans[0].page_sql();
        assert!(sql.contains("t.tag = $4"), "{sql}");
        assert!(sql.contains("o.tag = $5"), "{sql}");
        assert!(sql.contains("e.type = ANY($6::text[])"), "{sql}");
        let sql = scans[1].page_sql();
        assert!(sql.contains("(e.type, e.position) > ($4, $1)"), "{sql}");
        assert!(sql.contains("(e.type, e.position) <= ($4, $2)"), "{sql}");
    }

    #[test]
    fn a_condition_travels_as_its_items_in_json() {
        let item = QueryItem::types(["x"]).with_tags(["course:c1".parse().unwrap()]);
        assert_eq!(
            condition_json(&Query::item(item).or(QueryItem::types(["a"]))),
            r#"[{"tags":["course:c1"],"types":["x"]},{"tags":[],"types":["a"]}]"#
        );
        assert_eq!(condition_json(&Query::all()), "[{}]");
        let everything = Query::item(QueryItem::types(["a"])).or(QueryItem::default());
        assert_eq!(condition_json(&everything), "[{}]");
    }
}
