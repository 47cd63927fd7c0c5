//! A query as SQL: one ordered index scan per item (per type, for an item of types alone),
//! merged by position. Each scan walks an index in position order (`tags` by tag, `events` by
//! type, or the log itself), so a query costs what it returns, not the size of the log.

use rusqlite::{Connection, ToSql};

use crate::{Position, Query, QueryItem};

/// One index scan: SQL selecting `position` (and `body`, when read) in position order, with
/// `?1` the position to start after, `?2` the last position to take, `?3` the row limit, and
/// its own values from `?4` on.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    sql: String,
    values: Vec<String>,
}

/// The scans that together select what `query` selects.
pub(crate) fn scans(query: &Query, with_body: bool) -> Vec<Scan> {
    if query.is_all() {
        return vec![Scan {
            sql: format!(
                "SELECT {} FROM events e WHERE e.position > ?1 AND e.position <= ?2 \
                 ORDER BY e.position LIMIT ?3",
                columns(with_body)
            ),
            values: Vec::new(),
        }];
    }
    query
        .items
        .iter()
        .flat_map(|item| item_scans(item, with_body))
        .collect()
}

fn columns(with_body: bool) -> &'static str {
    if with_body {
        "e.position, e.body"
    } else {
        "e.position"
    }
}

fn item_scans(item: &QueryItem, with_body: bool) -> Vec<Scan> {
    let Some((first, rest)) = item.tags.split_first() else {
        // Types alone: one walk of the type index per type.
        return item
            .types
            .iter()
            .map(|event_type| Scan {
                sql: format!(
                    "SELECT {} FROM events e WHERE e.type = ?4 AND e.position > ?1 \
                     AND e.position <= ?2 ORDER BY e.position LIMIT ?3",
                    columns(with_body)
                ),
                values: vec![event_type.clone()],
            })
            .collect();
    };
    // Tags: walk the first tag's rows (CROSS JOIN keeps SQLite from starting at `events`),
    // check the other tags and the types row by row.
    let mut values = vec![first.to_string()];
    let mut sql = format!(
        "SELECT {} FROM tags t CROSS JOIN events e ON e.position = t.position \
         WHERE t.tag = ?4 AND t.position > ?1 AND t.position <= ?2",
        columns(with_body)
    );
    for tag in rest {
        values.push(tag.to_string());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM tags o WHERE o.tag = ?{} AND o.position = t.position)",
            values.len() + 3
        ));
    }
    if !item.types.is_empty() {
        let first = values.len() + 4;
        values.extend(item.types.iter().cloned());
        let holes: Vec<String> = (first..first + item.types.len())
            .map(|n| format!("?{n}"))
            .collect();
        sql.push_str(&format!(" AND e.type IN ({})", holes.join(", ")));
    }
    sql.push_str(" ORDER BY t.position LIMIT ?3");
    vec![Scan { sql, values }]
}

impl Scan {
    /// Up to `limit` rows with positions in `(after, upto]`, each made into a `T` by `row`
    /// from its position and its body (empty when the scan reads positions only), which it
    /// borrows from SQLite's page rather than copies.
    pub(crate) fn page<T>(
        &self,
        connection: &Connection,
        after: Position,
        upto: Position,
        limit: usize,
        mut row: impl FnMut(Position, &[u8]) -> T,
    ) -> rusqlite::Result<Vec<T>> {
        let mut statement = connection.prepare_cached(&self.sql)?;
        let clamp = |position: Position| position.min(i64::MAX as u64) as i64;
        let (after, upto, limit) = (clamp(after), clamp(upto), limit as i64);
        let mut values: Vec<&dyn ToSql> = vec![&after, &upto, &limit];
        values.extend(self.values.iter().map(|v| v as &dyn ToSql));
        let with_body = statement.column_count() > 1;
        let mut rows = statement.query(values.as_slice())?;
        let mut page = Vec::with_capacity(limit.clamp(0, 1024) as usize);
        while let Some(found) = rows.next()? {
            let position = found.get::<_, i64>(0)? as Position;
            let body = if with_body {
                found.get_ref(1)?.as_blob()?
            } else {
                &[]
            };
            page.push(row(position, body));
        }
        Ok(page)
    }

    /// The first position after `after` this scan selects.
    pub(crate) fn first(
        &self,
        connection: &Connection,
        after: Position,
    ) -> rusqlite::Result<Option<Position>> {
        Ok(self
            .page(connection, after, Position::MAX, 1, |position, _| position)?
            .first()
            .copied())
    }
}

/// The first position after `after` that any scan selects: where a condition fails.
pub(crate) fn first_match(
    connection: &Connection,
    scans: &[Scan],
    after: Position,
) -> rusqlite::Result<Option<Position>> {
    let mut first = None;
    for scan in scans {
        if let Some(position) = scan.first(connection, after)? {
            first = Some(first.map_or(position, |f: Position| f.min(position)));
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_of_types_alone_walks_the_type_index_once_per_type() {
        let query = Query::item(QueryItem::types(["a", "b"]));
        let scans = scans(&query, false);
        assert_eq!(scans.len(), 2);
        assert!(scans[0].sql.contains("e.type = ?4"));
    }

    #[test]
    fn tags_and_types_number_their_values_after_the_three_fixed_ones() {
        let item = QueryItem::types(["x", "y"])
            .with_tags(["course:c1".parse().unwrap(), "student:s1".parse().unwrap()]);
        let [scan] = scans(&Query::item(item), true).try_into().unwrap();
        assert!(scan.sql.contains("o.tag = ?5"), "{}", scan.sql);
        assert!(scan.sql.contains("e.type IN (?6, ?7)"), "{}", scan.sql);
        assert_eq!(scan.values, ["course:c1", "student:s1", "x", "y"]);
    }
}
