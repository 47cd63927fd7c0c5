//! Folding through upcasters as events stream in: events are upcast a chunk at a time, and the
//! index of each upcast event maps back to the input event it came from, in memory that grows
//! only where the upcasters changed the number of events.

use std::cell::RefCell;
use std::rc::Rc;

use evident_host::{UpcastError, Upcasters};
use evident_types::Event;

/// Input events upcast per call of the chain.
const CHUNK_EVENTS: usize = 1_000;

/// Where upcasting stopped, shared with the fold's caller.
#[derive(Default)]
pub(crate) struct Upcasting {
    /// The first failure.
    pub(crate) failed: Option<UpcastError>,
    /// The input index of the event it failed on.
    pub(crate) failed_at: Option<usize>,
    /// From each of these output indices on, `input = output + shift` (ascending; none while
    /// every input event became one output event).
    shifts: Vec<(usize, isize)>,
}

impl Upcasting {
    /// The input index of the event output event `index` came from.
    pub(crate) fn origin(&self, index: usize) -> usize {
        let shift = self
            .shifts
            .iter()
            .take_while(|(from, _)| *from <= index)
            .last()
            .map_or(0, |(_, shift)| *shift);
        index.saturating_add_signed(shift)
    }
}

/// `events` upcast by `upcasters`, a chunk at a time; a failure ends the events and is kept in
/// the returned [`Upcasting`].
pub(crate) fn upcast<'a>(
    events: impl Iterator<Item = Event> + 'a,
    upcasters: Upcasters,
) -> (impl Iterator<Item = Event> + 'a, Rc<RefCell<Upcasting>>) {
    let state = Rc::new(RefCell::new(Upcasting::default()));
    let shared = state.clone();
    let mut events = events;
    let (mut read, mut written) = (0usize, 0usize);
    let chunks = std::iter::from_fn(move || {
        if shared.borrow().failed.is_some() {
            return None;
        }
        let chunk: Vec<Event> = events.by_ref().take(CHUNK_EVENTS).collect();
        if chunk.is_empty() {
            return None;
        }
        let given = chunk.len();
        match upcasters.upcast(chunk) {
            Ok(upcast) => {
                let mut state = shared.borrow_mut();
                for (offset, origin) in upcast.origins.iter().enumerate() {
                    let shift = (read + origin) as isize - (written + offset) as isize;
                    let current = state.shifts.last().map_or(0, |(_, shift)| *shift);
                    if shift != current {
                        state.shifts.push((written + offset, shift));
                    }
                }
                read += given;
                written += upcast.events.len();
                Some(upcast.events)
            }
            Err(mut error) => {
                let mut state = shared.borrow_mut();
                match &mut error {
                    UpcastError::Failed { source, .. } => {
                        source.index += read;
                        state.failed_at = Some(source.index);
                    }
                    UpcastError::Cycle { index, .. } => {
                        *index += read;
                        state.failed_at = Some(*index);
                    }
                    _ => {}
                }
                state.failed = Some(error);
                None
            }
        }
    });
    (chunks.flatten(), state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_index_maps_back_to_its_input_event() {
        let mut upcasting = Upcasting::default();
        assert_eq!(upcasting.origin(7), 7);
        // Input 2 became three events (outputs 2, 3 and 4), input 5 none.
        upcasting.shifts = vec![(3, -1), (4, -2), (7, -1)];
        let origins: Vec<usize> = (0..8).map(|i| upcasting.origin(i)).collect();
        assert_eq!(origins, [0, 1, 2, 2, 2, 3, 4, 6]);
    }
}
