//! A read as the SQL backends run it: one scan per query item, each walking an index in
//! position order a page at a time, merged by position. A read holds one page per scan,
//! however many events it returns.

use crate::{Event, Events, Position, StoreError, StoredEvent};

/// Rows a scan fetches per statement.
pub(crate) const PAGE: usize = 512;

/// A row of a scan: its position, and the event or why it cannot be read.
pub(crate) type Row = (Position, Result<Event, StoreError>);

/// What a backend does for a read: fetch the next rows of one of its scans.
pub(crate) trait Pages {
    /// The backend's form of one scan (its SQL and values).
    type Scan;

    /// Up to `limit` rows of `scan` with positions in `(after, upto]`, in order.
    fn page(
        &mut self,
        scan: &Self::Scan,
        after: Position,
        upto: Position,
        limit: usize,
    ) -> Result<Vec<Row>, StoreError>;
}

/// One scan's place in a read: the page fetched, and the row to hand out next.
struct Cursor<S> {
    scan: S,
    /// The last position fetched.
    after: Position,
    page: std::vec::IntoIter<Row>,
    next: Option<Row>,
    /// The last page was short: the scan has nothing more up to the read's end.
    done: bool,
}

impl<S> Cursor<S> {
    /// Makes `next` the scan's next row, fetching a page (of at most `left` rows) when the
    /// last is used up.
    fn fill<P: Pages<Scan = S>>(
        &mut self,
        pages: &mut P,
        upto: Position,
        left: u64,
    ) -> Result<(), StoreError> {
        if self.next.is_some() {
            return Ok(());
        }
        self.next = self.page.next();
        if self.next.is_some() || self.done {
            return Ok(());
        }
        let limit = PAGE.min(usize::try_from(left).unwrap_or(PAGE));
        let page = pages.page(&self.scan, self.after, upto, limit)?;
        self.done = page.len() < limit;
        if let Some((last, _)) = page.last() {
            self.after = *last;
        }
        self.page = page.into_iter();
        self.next = self.page.next();
        Ok(())
    }
}

/// The events `scans` select with positions in `(after, upto]`, in order, each once (an event
/// two items match is found by both scans and handed out once), at most `limit` of them. A
/// failure ends the read after it is handed out.
pub(crate) fn merge<'s, P>(
    mut pages: P,
    scans: Vec<P::Scan>,
    after: Position,
    upto: Position,
    limit: Option<u64>,
) -> Events<'s>
where
    P: Pages + Send + 's,
    P::Scan: Send + 's,
{
    let mut cursors: Vec<Cursor<P::Scan>> = scans
        .into_iter()
        .map(|scan| Cursor {
            scan,
            after,
            page: Vec::new().into_iter(),
            next: None,
            done: false,
        })
        .collect();
    let mut left = limit.unwrap_or(u64::MAX);
    if after >= upto {
        left = 0;
    }
    Box::new(std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let mut smallest: Option<Position> = None;
        for cursor in &mut cursors {
            if let Err(error) = cursor.fill(&mut pages, upto, left) {
                left = 0;
                return Some(Err(error));
            }
            if let Some((position, _)) = &cursor.next {
                smallest = Some(smallest.map_or(*position, |s| s.min(*position)));
            }
        }
        let position = smallest?;
        let mut event = None;
        for cursor in &mut cursors {
            if cursor.next.as_ref().is_some_and(|(p, _)| *p == position) {
                event = cursor.next.take().map(|(_, event)| event);
            }
        }
        left -= 1;
        let event = event.expect("the smallest position came from a scan");
        if event.is_err() {
            left = 0;
        }
        Some(event.map(|event| StoredEvent { position, event }))
    }))
}
