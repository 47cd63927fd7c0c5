//! Where a fold in frames restarts when a frame fails: a state the fold reached, and the frames
//! sent since, kept (as the bytes they were sent as) to replay.

use std::ops::Range;

use evident_types::frame::{FrameReader, FrameWriter};
use evident_types::{Event, State};

/// How a view folds: how big a frame of events may grow, and how often the fold saves its state
/// as the checkpoint a failed frame is replayed from.
///
/// The outcome of a fold does not depend on these: the final state, or the failing event, the
/// error's kind and the last good state, are what folding one event per call gives. They trade
/// calls, memory and replay work against each other; the replay window caps what a failed
/// frame may cost, whatever the view's state or frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldConfig {
    /// Most events per frame; 1 folds with one `reduce` call per event, as views without
    /// `state-view-batch` (built against `evident:db@0.1.0`) always do.
    pub frame_events: usize,
    /// A frame is closed once its events take this many bytes, so one huge event does not drag
    /// a thousand others into guest memory with it.
    pub frame_bytes: usize,
    /// The fold saves its state as a new checkpoint once the frames sent since the last one
    /// take at least this many bytes...
    pub checkpoint_bytes: usize,
    /// ...and this many times the size of the checkpointed state, so that saving (which costs
    /// about as much as the state is big) stays a small part of the fold's work...
    pub checkpoint_state_multiple: usize,
    /// ...but at the latest once this many events were sent since the last one, however big the
    /// state: a failed frame replays at most the events since the checkpoint.
    pub replay_window_events: usize,
    /// ...or once the frames sent since take this many bytes, however big the state: the frames
    /// kept to replay take at most this much memory (and one frame more).
    pub replay_window_bytes: usize,
}

impl Default for FoldConfig {
    /// Frames of up to 1,000 events or 1 MiB; a checkpoint every 4 MiB of frames, or 16 times
    /// the state's size if that is more, and at the latest every 100,000 events or 64 MiB of
    /// frames.
    fn default() -> Self {
        FoldConfig {
            frame_events: 1_000,
            frame_bytes: 1 << 20,
            checkpoint_bytes: 4 << 20,
            checkpoint_state_multiple: 16,
            replay_window_events: 100_000,
            replay_window_bytes: 64 << 20,
        }
    }
}

/// A state the fold reached after `position` events, and the frames of the events after it.
pub(crate) struct Checkpoint {
    /// The state after the first `position` events of the fold.
    pub(crate) state: State,
    pub(crate) position: usize,
    /// The frames sent since, in order.
    frames: Vec<FrameWriter>,
    /// Their total size.
    frame_bytes: usize,
    /// Their events.
    events: usize,
    /// Frames from before the last checkpoint, kept for their buffers.
    spare: Vec<FrameWriter>,
    config: FoldConfig,
}

impl Checkpoint {
    pub(crate) fn new(state: State, position: usize, config: FoldConfig) -> Self {
        Checkpoint {
            state,
            position,
            frames: Vec::new(),
            frame_bytes: 0,
            events: 0,
            spare: Vec::new(),
            config,
        }
    }

    /// The position after the last event sent: where the next frame starts.
    pub(crate) fn end(&self) -> usize {
        self.position + self.events
    }

    /// Keeps a frame just sent (its events follow [`Checkpoint::end`]).
    pub(crate) fn record(&mut self, frame: FrameWriter) {
        self.frame_bytes += frame.byte_len();
        self.events += frame.len();
        self.frames.push(frame);
    }

    /// The last frame recorded.
    pub(crate) fn last_frame(&self) -> Option<&FrameWriter> {
        self.frames.last()
    }

    /// Whether the frames since the checkpoint outweigh the state enough that saving a new one
    /// is worth it, or fill the replay window.
    pub(crate) fn due(&self) -> bool {
        let threshold = self
            .state
            .bytes
            .len()
            .saturating_mul(self.config.checkpoint_state_multiple)
            .max(self.config.checkpoint_bytes)
            .min(self.config.replay_window_bytes);
        self.frame_bytes >= threshold || self.events >= self.config.replay_window_events
    }

    /// Moves the checkpoint to `position` (between this one and [`Checkpoint::end`]), whose
    /// state is `state`: the frames before it are recycled, those after it kept.
    pub(crate) fn advance(&mut self, state: State, position: usize) {
        let end = self.end();
        assert!(
            (self.position..=end).contains(&position),
            "a checkpoint moves forward, within the events sent"
        );
        let kept = (position < end).then(|| self.frame_of(position..end));
        self.spare.append(&mut self.frames);
        self.frame_bytes = 0;
        self.events = 0;
        self.state = state;
        self.position = position;
        if let Some(kept) = kept {
            self.record(kept);
        }
    }

    /// Moves the checkpoint past events applied without frames (one `reduce` per event, once no
    /// frame is pending) to `position`, whose state is `state`.
    pub(crate) fn pass(&mut self, state: State, position: usize) {
        assert!(
            self.frames.is_empty() && position >= self.position,
            "only a checkpoint with no frame pending moves past events applied without frames"
        );
        self.state = state;
        self.position = position;
    }

    /// An empty frame, reusing a spare buffer when there is one.
    pub(crate) fn spare(&mut self) -> FrameWriter {
        let mut frame = self.spare.pop().unwrap_or_default();
        frame.clear();
        frame
    }

    /// The id of the event at `position`.
    pub(crate) fn id(&self, position: usize) -> &str {
        let (frame, offset) = self.locate(position);
        self.frames[frame].id(offset)
    }

    /// One frame of the events at `range` (positions in the fold), copied from the frames sent.
    pub(crate) fn frame_of(&self, range: Range<usize>) -> FrameWriter {
        let mut frame = FrameWriter::new();
        for (piece, events) in self.pieces(range) {
            frame.extend_from(piece, events);
        }
        frame
    }

    /// The events at `range` as they were framed: for each frame sent that holds some of them,
    /// the frame and the range of its events that fall in `range`.
    pub(crate) fn pieces(
        &self,
        range: Range<usize>,
    ) -> impl Iterator<Item = (&FrameWriter, Range<usize>)> {
        assert!(
            self.position <= range.start && range.start <= range.end && range.end <= self.end(),
            "events {range:?} were not all sent since the checkpoint at {}",
            self.position
        );
        let mut first = self.position;
        self.frames.iter().filter_map(move |frame| {
            let frame_range = first..first + frame.len();
            first = frame_range.end;
            let start = range.start.max(frame_range.start);
            let end = range.end.min(frame_range.end);
            (start < end).then(|| (frame, start - frame_range.start..end - frame_range.start))
        })
    }

    /// The events at `range`, decoded one at a time from the frames they were sent in.
    pub(crate) fn events(&self, range: Range<usize>) -> impl Iterator<Item = Event> + '_ {
        self.pieces(range).flat_map(|(frame, events)| {
            let mut reader =
                FrameReader::new(frame.as_bytes()).expect("the host wrote the frame it reads");
            (0..events.end).filter_map(move |index| {
                let event = reader
                    .next_event()
                    .expect("the host wrote the frame it reads")
                    .expect("the frame holds the events it counts");
                (index >= events.start).then(|| event.to_event())
            })
        })
    }

    /// The frame holding the event at `position`, and the event's place in it.
    fn locate(&self, position: usize) -> (usize, usize) {
        let mut first = self.position;
        for (index, frame) in self.frames.iter().enumerate() {
            if position < first + frame.len() && position >= first {
                return (index, position - first);
            }
            first += frame.len();
        }
        panic!(
            "event {position} was not sent since the checkpoint at {}",
            self.position
        )
    }
}

#[cfg(test)]
mod tests {
    use evident_types::Event;
    use evident_types::frame;

    use super::*;

    fn frame_of_ids(ids: Range<usize>) -> FrameWriter {
        let mut frame = FrameWriter::new();
        for id in ids {
            frame.push(&Event::new(id.to_string(), "/c", "t"));
        }
        frame
    }

    fn ids(frame: &FrameWriter) -> Vec<String> {
        frame::decode(frame.as_bytes())
            .unwrap()
            .into_iter()
            .map(|event| event.id)
            .collect()
    }

    fn config(checkpoint_bytes: usize, checkpoint_state_multiple: usize) -> FoldConfig {
        FoldConfig {
            checkpoint_bytes,
            checkpoint_state_multiple,
            ..FoldConfig::default()
        }
    }

    #[test]
    fn a_big_state_does_not_widen_the_replay_window() {
        let frame = frame_of_ids(0..10);
        let size = frame.byte_len();
        // A state 100 times a frame, to be saved every 16 times its size of frames: the window
        // of 3 frames' bytes comes first.
        let big = State::new("t", vec![0; size * 100]);
        let window = FoldConfig {
            replay_window_bytes: size * 3,
            ..config(0, 16)
        };
        let mut checkpoint = Checkpoint::new(big.clone(), 0, window);
        checkpoint.record(frame.clone());
        checkpoint.record(frame.clone());
        assert!(!checkpoint.due(), "within the window");
        checkpoint.record(frame.clone());
        assert!(checkpoint.due(), "the window's bytes are full");

        // And the window in events: 25 events, though their bytes are far below every threshold.
        let window = FoldConfig {
            replay_window_events: 25,
            ..config(usize::MAX, 16)
        };
        let mut checkpoint = Checkpoint::new(big, 0, window);
        checkpoint.record(frame.clone());
        checkpoint.record(frame.clone());
        assert!(!checkpoint.due(), "20 events");
        checkpoint.record(frame);
        assert!(checkpoint.due(), "30 events");
    }

    #[test]
    fn the_events_since_the_checkpoint_decode_one_by_one_across_frames() {
        let checkpoint = three_frames();
        let ids: Vec<String> = checkpoint.events(12..15).map(|event| event.id).collect();
        assert_eq!(ids, ["12", "13", "14"]);
        assert_eq!(checkpoint.events(19..20).count(), 1);
        assert_eq!(checkpoint.events(15..15).count(), 0);
    }

    /// A checkpoint at event 10 with frames of events 10..13, 13..14 and 14..20.
    fn three_frames() -> Checkpoint {
        let mut checkpoint = Checkpoint::new(State::default(), 10, config(1 << 20, 16));
        for range in [10..13, 13..14, 14..20] {
            checkpoint.record(frame_of_ids(range));
        }
        checkpoint
    }

    #[test]
    fn a_checkpoint_is_due_once_the_frames_outweigh_both_thresholds() {
        let frame = frame_of_ids(0..10);
        let size = frame.byte_len();
        let mut checkpoint = Checkpoint::new(State::new("t", vec![0; 10]), 0, config(size * 2, 1));
        checkpoint.record(frame.clone());
        assert!(!checkpoint.due(), "below the byte threshold");
        checkpoint.record(frame.clone());
        assert!(checkpoint.due(), "at the byte threshold");

        // A big state raises the threshold to a multiple of its size.
        let big = State::new("t", vec![0; size]);
        let mut checkpoint = Checkpoint::new(big, 0, config(0, 3));
        checkpoint.record(frame.clone());
        checkpoint.record(frame.clone());
        assert!(!checkpoint.due(), "below 3x the state");
        checkpoint.record(frame);
        assert!(checkpoint.due(), "at 3x the state");
    }

    #[test]
    fn positions_count_from_the_checkpoint_across_frames() {
        let checkpoint = three_frames();
        assert_eq!(checkpoint.end(), 20);
        assert_eq!(checkpoint.id(10), "10");
        assert_eq!(checkpoint.id(13), "13");
        assert_eq!(checkpoint.id(19), "19");
        assert_eq!(ids(&checkpoint.frame_of(12..15)), ["12", "13", "14"]);
        assert_eq!(ids(&checkpoint.frame_of(13..14)), ["13"]);
        assert!(checkpoint.frame_of(15..15).is_empty());
        let pieces: Vec<(usize, Range<usize>)> = checkpoint
            .pieces(11..16)
            .map(|(frame, range)| (frame.len(), range))
            .collect();
        assert_eq!(pieces, [(3, 1..3), (1, 0..1), (6, 0..2)]);
    }

    #[test]
    fn advancing_keeps_the_events_after_the_new_position() {
        let mut checkpoint = three_frames();
        checkpoint.advance(State::new("t", b"at 15".to_vec()), 15);
        assert_eq!((checkpoint.position, checkpoint.end()), (15, 20));
        assert_eq!(
            ids(&checkpoint.frame_of(15..20)),
            ["15", "16", "17", "18", "19"]
        );
        checkpoint.advance(State::new("t", b"at 20".to_vec()), 20);
        assert_eq!((checkpoint.position, checkpoint.end()), (20, 20));
        assert!(!checkpoint.due());
        assert_eq!(checkpoint.spare().len(), 0, "a recycled frame starts empty");
    }

    #[test]
    #[should_panic(expected = "were not all sent")]
    fn events_before_the_checkpoint_are_gone() {
        let checkpoint = three_frames();
        let _ = checkpoint.frame_of(9..11);
    }
}
